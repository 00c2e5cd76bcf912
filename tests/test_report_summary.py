"""Per-document summaries (length, share of words found elsewhere), the JSON's new keys beside every
old one, ranking and filters, and the pandas frames."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syndidetect.detector import detect
from syndidetect.errors import ConfigError, MissingDependencyError
from syndidetect.report import CSV_COLUMNS, Report
from syndidetect.shingles import tokens
from syndidetect.sources import read_inputs
from syndidetect.summary import covered_words

OLD_DOCUMENT_KEYS = {"id", "paragraphs"}
OLD_PAIR_KEYS = {"documents", "verdict", "kind", "direction", "matched_paragraphs", "matchable_paragraphs",
                 "shingles_kept", "matches", "passages"}
SPUN = ("002_9d80eb7e5257ff50.txt", "004_ab43671d69f11038.txt")


@pytest.fixture(scope="module")
def report(seeds_dir: Path) -> Report:
    return detect(read_inputs([str(seeds_dir)]))


def test_documents_have_their_length(report: Report, seeds_dir: Path) -> None:
    for doc in report.to_dict()["documents"]:
        text = (seeds_dir / doc["id"]).read_text(encoding="utf-8")
        assert doc["characters"] == len(text)
        assert doc["words"] == len(tokens(text))
        assert 0 < doc["matchable_words"] <= doc["words"]
        assert "date" not in doc  # the seeds have none


def test_json_keeps_every_existing_key(report: Report) -> None:
    data = report.to_dict()
    assert set(data) == {"documents", "pairs", "groups", "boilerplate"}
    for doc in data["documents"]:
        assert list(doc)[:2] == ["id", "paragraphs"]
        assert OLD_DOCUMENT_KEYS | {"characters", "words", "matchable_words", "words_found", "share_found",
                                    "found_in"} == set(doc)
    for pair in data["pairs"]:
        assert set(pair) == OLD_PAIR_KEYS | {"shared_words", "shares"}


def test_story_share_of_the_copy(report: Report) -> None:
    source = next(d for d in report.summary() if d.id == "001_cfa5f3a7a816170c.txt")
    assert source.found_in[0].document == "000_c5b587893c6a010b.txt"
    # 16 of its paragraphs are in 000: the share of its words lies between their share and the whole.
    pair = next(p for p in report.pairs if p.verdict == "copy" and source.id in p.documents)
    side = pair.documents.index(source.id)
    matched_words = sum(len(tokens(m.paragraphs[side].text)) for m in pair.matches)
    assert matched_words <= source.found_in[0].words < source.words
    assert source.found_in[0].share == round(source.found_in[0].words / source.words, 4)


def test_paragraphs_matched_twice_count_once(report: Report) -> None:
    """002 ¶6 and ¶7 each match two paragraphs of 004: summing match rows counts them twice."""
    pair = next(p for p in report.pairs if p.documents == SPUN)
    per_match = sum(len(tokens(m.paragraphs[0].text)) for m in pair.matches)
    union = covered_words((r.start, r.end, r.text) for r in {m.paragraphs[0] for m in pair.matches})
    assert union < per_match
    found = {d.id: d for d in report.summary()}[SPUN[0]]
    in_004 = next(f for f in found.found_in if f.document == SPUN[1])
    assert union <= in_004.words <= found.words  # passages may add words beyond the paragraphs, never repeat
    # Overall is a union too: never more than the document, never less than its largest pair.
    for doc in report.summary():
        assert max(f.words for f in doc.found_in) <= doc.words_found <= min(doc.words,
                                                                              sum(f.words for f in doc.found_in))


@given(st.lists(st.tuples(st.integers(0, 11), st.integers(1, 6)), max_size=5))
def test_covered_words_is_the_words_of_the_union(picks: list[tuple[int, int]]) -> None:
    """Overlapping, nested and touching spans of whole words: each covered word counts once."""
    words = [f"w{k}" for k in range(12)]
    text = " ".join(words)
    starts = [sum(len(w) + 1 for w in words[:k]) for k in range(12)]
    spans = []
    covered: set[int] = set()
    for first, n in picks:
        last = min(first + n, 12) - 1
        start, end = starts[first], starts[last] + len(words[last])
        spans.append((start, end, text[start:end]))
        covered |= set(range(first, last + 1))
    assert covered_words(spans) == len(covered)


def test_ranking_and_filters(report: Report) -> None:
    ranked = report.ranked()
    shares = report.pair_shares()
    assert [p.verdict for p in ranked.pairs] == ["copy"] * 2 + ["related"] * 6
    related = [max(shares[p.documents][1]) for p in ranked.pairs[2:]]
    assert related == sorted(related, reverse=True)
    assert len(report.select(copies_only=True).pairs) == 2
    assert [p.documents for p in report.select(top=1).pairs] == [ranked.pairs[0].documents]
    kept = report.select(min_share=0.25)
    assert kept.pairs and all(max(shares[p.documents][1]) >= 0.25 for p in kept.pairs)
    assert len(kept.pairs) < len(report.pairs)
    assert kept.documents == report.documents and kept.groups == report.groups


def test_a_selection_keeping_every_pair_reuses_the_words_found(seeds_dir: Path, monkeypatch: pytest.MonkeyPatch
                                                                 ) -> None:
    # The words found depend on which pairs there are, not on their order: ranking and a selection
    # that keeps them all reuse them, a selection that drops pairs computes its own.
    from syndidetect import report as report_module
    from syndidetect.summary import found_words as found

    fresh = detect(read_inputs([str(seeds_dir)]))
    calls: list[int] = []

    def counted(sides: object) -> object:
        calls.append(1)
        return found(sides)  # type: ignore[arg-type]

    monkeypatch.setattr(report_module, "found_words", counted)
    everything = fresh.select().to_dict()
    assert len(calls) == 1
    recomputed = Report(fresh.documents, fresh.ranked().pairs, fresh.groups, fresh.boilerplate).to_dict()
    assert everything == recomputed and len(calls) == 2  # the new report computes its own
    calls.clear()
    top = fresh.select(top=1)
    assert top.to_dict() == Report(fresh.documents, top.pairs, fresh.groups, fresh.boilerplate).to_dict()
    assert len(calls) == 2  # the selection's own words found: its one pair's, not the scan's eight
    assert top.summary() != fresh.summary()


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"top": 0}, r"'top' must be an int >= 1; got 0"),
    ({"top": True}, r"'top' must be an int >= 1; got True"),
    ({"min_share": 1.5}, r"'min_share' must be a float in \[0, 1\]; got 1.5"),
    ({"min_share": "0.3"}, r"'min_share' must be a float in \[0, 1\]; got '0.3'"),
])
def test_select_rejects_bad_values(report: Report, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        report.select(**kwargs)  # type: ignore[arg-type]


def test_to_pandas(report: Report) -> None:
    documents, pairs, matches = report.to_pandas()
    assert list(documents["id"]) == [d.id for d in report.documents]
    assert list(documents["words_found"]) == [d.words_found for d in report.summary()]
    assert len(pairs) == len(report.pairs) and set(pairs["verdict"]) == {"copy", "related"}
    assert list(matches.columns) == list(CSV_COLUMNS) and len(matches) == len(report.csv_rows())
    assert matches["jaccard"].dtype.kind == "f" and matches["start_a"].dtype.kind == "i"
    # The roll-up that used to double-count: per pair the shared words are already a union.
    spun = pairs[(pairs["document_a"] == SPUN[0]) & (pairs["document_b"] == SPUN[1])].iloc[0]
    doc = documents.set_index("id").loc[SPUN[0]]
    assert spun["shared_words_a"] <= doc["words"]


def test_to_pandas_without_pandas(report: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now raises ImportError
    with pytest.raises(MissingDependencyError, match=r"'pandas' is not installed; install it with: "
                                                     r"pip install 'syndidetect\[pandas\]'"):
        report.to_pandas()


@given(st.lists(st.text("ab c|.\n", max_size=60), min_size=1, max_size=4), st.sampled_from([None, "2024-05-01"]))
def test_a_document_summary_counts_its_words_and_stays_frozen(paragraphs: list[str], date: str | None) -> None:
    import dataclasses

    from syndidetect.config import Config
    from syndidetect.documents import Document
    from syndidetect.prepared import prepare_documents
    from syndidetect.report import DocumentSummary

    text = "\n\n".join(paragraphs)
    (doc,) = prepare_documents([Document("d", text, date=date)], Config(min_words=3))
    summary = DocumentSummary.of(doc)
    words = [len(tokens(p.text)) for p in doc.paragraphs]
    expected = DocumentSummary("d", len(doc.paragraphs), len(text), sum(words),
                               sum(w for w, m in zip(words, doc.matchable.tolist()) if m), doc.document.date, text)
    assert summary == expected and repr(summary) == repr(expected) and summary.text == text
    assert dataclasses.asdict(summary) == dataclasses.asdict(expected)
    with pytest.raises(dataclasses.FrozenInstanceError):
        summary.words = 0  # type: ignore[misc]
