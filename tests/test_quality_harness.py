"""Fast tests of the quality harness: the corpus generator and the evaluator's arithmetic."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.quality.evaluate import Found, covers, prf, score
from benchmarks.quality.generate import (
    CATEGORIES,
    VARIANTS,
    LabelledCorpus,
    LabelledPair,
    make_corpus,
)


@pytest.fixture(scope="module")
def corpus() -> LabelledCorpus:
    return make_corpus(seed=3, n_sources=24, n_negatives=4)


def test_generator_is_deterministic(corpus: LabelledCorpus) -> None:
    assert make_corpus(seed=3, n_sources=24, n_negatives=4) == corpus
    assert make_corpus(seed=4, n_sources=24, n_negatives=4).documents != corpus.documents


def test_every_category_and_variant_is_present(corpus: LabelledCorpus) -> None:
    assert {p.category for p in corpus.pairs} == set(CATEGORIES)
    assert {(p.category, p.strength) for p in corpus.copies} == set(VARIANTS)
    assert {p.strength for p in corpus.negatives} == {"one_quote", "two_quotes"}


def test_ids_are_unique_and_pairs_refer_to_documents(corpus: LabelledCorpus) -> None:
    ids = [doc_id for doc_id, _ in corpus.documents]
    assert len(ids) == len(set(ids)) == 2 * (len(corpus.copies) + len(corpus.negatives))
    for pair in corpus.pairs:
        assert {pair.source, pair.copy} <= set(ids) and pair.source != pair.copy


def test_truth_spans_are_paragraphs_of_the_documents(corpus: LabelledCorpus) -> None:
    for pair in corpus.pairs:
        source, copy = corpus.text(pair.source), corpus.text(pair.copy)
        assert pair.paragraphs
        for (s0, s1), (c0, c1) in pair.paragraphs:
            assert 0 <= s0 < s1 <= len(source) and 0 <= c0 < c1 <= len(copy)
            for text, start, end in ((source, s0, s1), (copy, c0, c1)):
                chunk = text[start:end]
                assert chunk == chunk.strip() and "\n\n" not in chunk
                assert start == 0 or text[start - 1] == "\n"
                assert end == len(text) or text[end] == "\n"


def test_verbatim_copies_hold_the_source_paragraphs_exactly(corpus: LabelledCorpus) -> None:
    for pair in corpus.copies:
        if pair.category in ("verbatim", "reordered", "excerpt"):
            for (s0, s1), (c0, c1) in pair.paragraphs:
                assert corpus.text(pair.source)[s0:s1] == corpus.text(pair.copy)[c0:c1]


def test_hard_negatives_share_a_quotation_only(corpus: LabelledCorpus) -> None:
    for pair in corpus.negatives:
        assert len(pair.paragraphs) == (1 if pair.strength == "one_quote" else 2)
        for (s0, s1), (c0, c1) in pair.paragraphs:
            assert "“" in corpus.text(pair.source)[s0:s1] and "“" in corpus.text(pair.copy)[c0:c1]


def test_prf() -> None:
    assert prf(3, 1, 2) == pytest.approx((0.75, 0.6, 2 * 0.75 * 0.6 / 1.35))
    assert prf(0, 0, 0) == (1.0, 1.0, 1.0)
    assert prf(0, 2, 0)[0] == 0.0


def test_covers_needs_half_of_the_truth_span() -> None:
    assert covers((0, 10), (0, 10))
    assert covers((5, 30), (0, 10))  # 5 of 10
    assert not covers((6, 30), (0, 10))  # 4 of 10
    assert covers((0, 100), (40, 50))


def _tiny() -> LabelledCorpus:
    docs = tuple((d, "x" * 100) for d in "abcdef")
    copies = (
        LabelledPair("a", "b", "verbatim", "plain", (((0, 10), (0, 10)), ((20, 30), (20, 30)))),
        LabelledPair("c", "d", "reworded", "light", (((0, 10), (50, 60)),)),
    )
    negatives = (LabelledPair("e", "f", "hard_negative", "one_quote", (((0, 10), (0, 10)),)),)
    return LabelledCorpus(docs, copies, negatives)


def test_score_arithmetic_on_a_hand_made_case() -> None:
    found = {
        # a/b found, one truth paragraph pair of two, plus one wrong match: para P 1/2, R 1/2
        frozenset("ab"): Found(("b", "a"), True, ((("b", 0, 10), ("a", 0, 10)), (("b", 60, 70), ("a", 60, 70)))),
        # c/d only related: a document miss, but its one paragraph pair is found
        frozenset("cd"): Found(("c", "d"), False, ((("c", 2, 12), ("d", 48, 58)),)),
        frozenset("ef"): Found(("e", "f"), True, ()),  # hard negative called copy
        frozenset("ad"): Found(("a", "d"), True, ()),  # unlabelled false copy
    }
    s = score(_tiny(), found)
    allc = s.rows["all copies"]
    assert (allc.pairs, allc.doc_tp, allc.doc_fn, allc.doc_fp) == (2, 1, 1, 2)
    assert allc.doc == pytest.approx((1 / 3, 0.5, 0.4))
    v = s.rows["verbatim"]
    assert (v.doc_tp, v.doc_fp) == (1, 1)  # the unlabelled a/d call counts against verbatim and reworded
    assert v.para == pytest.approx((0.5, 0.5, 0.5))
    r = s.rows["reworded/light"]
    assert (r.doc_tp, r.doc_fn, r.doc_fp) == (0, 1, 1) and r.para == (1.0, 1.0, 1.0)
    assert s.rows["hard_negative"].doc_fp == 1 and s.negative_rate == 1.0
    assert s.rows["unlabelled"].doc_fp == 1
    assert [p.copy for p in s.missed] == ["d"]
