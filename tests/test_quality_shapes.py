"""The shapes corpus (benchmarks/quality/shapes.py): the generator's promises, the evaluator's
arithmetic, and the quality floor CI holds the detector to (``FLOORS`` in evaluate_shapes.py, one
test per category, so the failing shapes are named in the test report)."""

from __future__ import annotations

import re
import statistics
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.quality.evaluate_shapes import (
    FLOORS,
    Found,
    ShapeScores,
    Unit,
    check,
    run,
    score,
)
from benchmarks.quality.shapes import CATEGORIES, COPY, NOT_COPY, ShapeCorpus, ShapePair, make_shapes
from benchmarks.quality.shapes_pages import NARROW, WIDE
from benchmarks.quality.shapes_text import SOURCES

FLOOR_SEED = 1  # the CI corpus: a seed other than the CLI's default 0, so both are evidence
FLOOR_PAIRS = 3  # pairs per category in the CI corpus (about 110 documents, a few seconds to detect)
# Categories whose copied text is the source's words, unchanged (layout aside).
VERBATIM = ("one_paragraph", "wrapped_70_190", "flattened", "two_blocks", "lead_excerpt", "collage",
            "definition_block", "repeated_list", "repeated_quotation")


@pytest.fixture(scope="module")
def corpus() -> ShapeCorpus:
    return make_shapes(seed=3, per_category=3)


def _words(text: str) -> list[str]:
    return text.split()


def test_generator_is_deterministic_and_seeds_differ(corpus: ShapeCorpus) -> None:
    assert make_shapes(seed=3, per_category=3) == corpus
    other = make_shapes(seed=4, per_category=3)
    assert {t for _, t in other.documents}.isdisjoint({t for _, t in corpus.documents})


def test_every_category_and_variant_is_present(corpus: ShapeCorpus) -> None:
    assert {p.category for p in corpus.pairs} == set(CATEGORIES)
    for category, (_, variants) in CATEGORIES.items():
        if category not in ("definition_block", "shared_footer"):
            assert {p.variant for p in corpus.pairs if p.category == category} == set(variants)
    assert sum(p.category == "definition_block" and p.variant == "from_source" for p in corpus.pairs) == 6
    assert sum(p.category == "shared_footer" for p in corpus.pairs) == 6 + 15


def test_expected_verdicts_are_set(corpus: ShapeCorpus) -> None:
    for pair in corpus.pairs:
        assert pair.expected in (COPY, NOT_COPY)
        assert pair.expected == CATEGORIES[pair.category][0]
        if pair.expected == COPY:
            assert pair.truth, pair


def test_ids_are_unique_and_pairs_refer_to_documents(corpus: ShapeCorpus) -> None:
    ids = [doc_id for doc_id, _ in corpus.documents]
    assert len(ids) == len(set(ids))
    for pair in corpus.pairs:
        assert {pair.source, pair.copy} <= set(ids) and pair.source != pair.copy
    assert len({frozenset((p.source, p.copy)) for p in corpus.pairs}) == len(corpus.pairs)


def test_truth_spans_are_inside_documents_and_trimmed(corpus: ShapeCorpus) -> None:
    for pair in corpus.pairs:
        source, copy = corpus.text(pair.source), corpus.text(pair.copy)
        for (s0, s1), (c0, c1) in pair.truth:
            assert 0 <= s0 < s1 <= len(source) and 0 <= c0 < c1 <= len(copy)
            for chunk in (source[s0:s1], copy[c0:c1]):
                assert chunk == chunk.strip()


def test_copied_text_is_the_source_text_where_nothing_rewrites_it(corpus: ShapeCorpus) -> None:
    for pair in corpus.pairs:
        if pair.category in VERBATIM:
            for (s0, s1), (c0, c1) in pair.truth:
                assert _words(corpus.text(pair.source)[s0:s1]) == _words(corpus.text(pair.copy)[c0:c1])


def _line_widths(text: str) -> set[int]:
    return {len(line) for line in text.split("\n")}


def test_layouts_vary(corpus: ShapeCorpus) -> None:
    widths = []
    for pair in corpus.pairs:
        if pair.category == "wrapped_70_190":
            docs = [corpus.text(pair.source), corpus.text(pair.copy)]
            articles = [t[min(s[k][0] for s in pair.truth) : max(s[k][1] for s in pair.truth)]
                        for k, t in enumerate(docs)]
            # the article's longest line: one in 60-80 columns, one in 170-200
            longest = sorted(max(_line_widths(t)) for t in articles)
            assert NARROW[0] - 10 <= longest[0] <= NARROW[1] and WIDE[0] - 10 <= longest[1] <= WIDE[1]
            assert any("\n\n" not in t for t in articles)  # one of them without blank lines
            widths += longest
    assert len(set(widths)) >= 4  # several wrap widths actually present
    texts = [t for _, t in corpus.documents]
    assert any(re.search(r"\n {2,}\S", t) for t in texts)  # indented lines
    assert sum("\n\n" in t for t in texts) and sum("\n\n" not in t for t in texts)


def test_sources_and_lengths_vary(corpus: ShapeCorpus) -> None:
    assert {p.variant for p in corpus.pairs if p.category == "heavy_rewording"} == set(SOURCES)
    lengths = [len(t) for _, t in corpus.documents]
    assert min(lengths) < 400 and max(lengths) > 6500  # one-sentence briefs to the noisy passage's page


def _notes(corpus: ShapeCorpus, category: str, name: str) -> list[float]:
    return [dict(p.notes)[name] for p in corpus.pairs if p.category == category]


def test_generated_shapes_measure_what_the_brief_asks(corpus: ShapeCorpus) -> None:
    light = _notes(corpus, "light_revision", "kept_3grams")
    assert 0.35 <= statistics.mean(light) <= 0.65  # about half the 3-grams kept
    assert max(_notes(corpus, "heavy_rewording", "kept_3grams")) <= 0.15  # at most 15 % kept
    assert 0.35 <= statistics.mean(_notes(corpus, "heavy_rewording", "kept_stems")) <= 0.7  # about half
    assert all(0.2 <= x <= 0.5 for x in _notes(corpus, "one_sentence_reports", "shared_3grams"))  # about a third
    assert all(x < 0.3 for x in _notes(corpus, "lead_excerpt", "share"))  # under 30 % of the source
    assert min(_notes(corpus, "collage", "words")) >= 25  # long sentences: a real collage
    assert all(400 <= x <= 520 for x in _notes(corpus, "noisy_passage", "chars"))  # ~450 characters
    assert all(x >= 6500 for x in _notes(corpus, "noisy_passage", "page"))  # ~7 000-character page
    assert all(x <= 2 for x in _notes(corpus, "independent_same_topic", "similar"))


def test_noisy_passages_carry_about_one_error_per_hundred_characters(corpus: ShapeCorpus) -> None:
    for pair in corpus.pairs:
        if pair.category == "noisy_passage":
            ((s0, s1), (c0, c1)), = pair.truth
            a, b = corpus.text(pair.source)[s0:s1].split(), corpus.text(pair.copy)[c0:c1].split()
            changed = len(set(a) ^ set(b))
            assert 2 <= changed <= 4 * (s1 - s0) / 100


# --- evaluator arithmetic ---------------------------------------------------------------------------


def _tiny() -> ShapeCorpus:
    docs = tuple((d, "w" * 100) for d in "abcdef")
    pairs = (
        ShapePair("a", "b", "noisy_passage", "own_paragraph", COPY, (((0, 10), (20, 30)), ((50, 60), (70, 80)))),
        ShapePair("c", "d", "two_quotations", "same_style", NOT_COPY, (((0, 10), (0, 10)),)),
    )
    return ShapeCorpus(docs, pairs)


def test_score_arithmetic_on_a_hand_made_case() -> None:
    found = {
        # a/b called copy: one unit covers truth 1 on both sides plus 10 characters more; one reworded unit
        # covers 4 of 10 characters of truth 2 (not enough): passage recall 1/2, v/n 1/2
        frozenset("ab"): Found(("a", "b"), True, (Unit("verbatim", (("a", 0, 20), ("b", 20, 30))),
                                                  Unit("reworded", (("b", 76, 80), ("a", 56, 60)))), True),
        frozenset("cd"): Found(("c", "d"), True, (Unit("near", (("c", 0, 10), ("d", 0, 10))),), True),
        frozenset("ae"): Found(("a", "e"), True, (), True),  # unlabelled false copy
    }
    s: ShapeScores = score(_tiny(), found)
    noisy = s.rows["noisy_passage"]
    assert (noisy.hits, noisy.misses, noisy.unlabelled) == (1, 0, 1)
    assert noisy.doc == pytest.approx((0.5, 1.0, 2 / 3))
    assert noisy.passage_recall == 0.5 and noisy.verbatim_near == 0.5
    assert noisy.char_precision == pytest.approx((10 + 4 + 10 + 4) / (20 + 4 + 10 + 4))
    assert noisy.units_max == 2
    quotes = s.rows["two_quotations"]
    assert quotes.false_copies == 1 and quotes.shared_units == 1
    assert s.rows["unlabelled"].false_copies == 1
    failures = {c.category: c.failures for c in check(s) if not c.passed}
    assert "noisy_passage" in failures and "two_quotations" in failures


# --- the quality floor ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def floor_scores() -> ShapeScores:
    return run(make_shapes(seed=FLOOR_SEED, per_category=FLOOR_PAIRS))


@pytest.mark.parametrize("category", list(FLOORS))
def test_quality_floor(category: str, floor_scores: ShapeScores) -> None:
    (result,) = [c for c in check(floor_scores) if c.category == category]
    assert result.passed, f"{category}: " + "; ".join(result.failures)


def test_floors_cover_every_category() -> None:
    assert set(FLOORS) == set(CATEGORIES)
    for category, floor in FLOORS.items():
        if CATEGORIES[category][0] == COPY:  # found: as a copy, or (noisy passages) as passages
            found = floor.recall if floor.recall is not None else floor.passage_recall
            assert found is not None and found >= 0.9
        else:
            assert floor.called_copy == 0
