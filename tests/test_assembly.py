"""Report assembly: the order of a report's pairs, copy groups, and one assembly for every executor."""

from __future__ import annotations

import syndidetect as sd
from syndidetect.assembly import assemble_report, copy_groups, groups_of, report_order
from syndidetect.report import DocumentSummary, PairReport


def _pair(a: str, b: str, verdict: str) -> PairReport:
    return PairReport((a, b), verdict, "verbatim", None, (), (1, 1), (1, 1), 1.0)  # type: ignore[arg-type]


def test_groups_are_connected_components_sorted() -> None:
    assert groups_of([("c", "d"), ("b", "a"), ("d", "e")]) == (("a", "b"), ("c", "d", "e"))
    assert groups_of([("x", "x")]) == ()  # a document is no group on its own
    assert groups_of([]) == ()


def test_only_copies_make_groups() -> None:
    pairs = [_pair("a", "b", "copy"), _pair("b", "c", "related"), _pair("d", "e", "copy")]
    assert copy_groups(pairs) == (("a", "b"), ("d", "e"))


def test_report_lists_copies_first_then_by_ids() -> None:
    pairs = [_pair("c", "d", "related"), _pair("b", "c", "copy"), _pair("a", "d", "related"), _pair("a", "b", "copy")]
    report = assemble_report([DocumentSummary("a", 1)], pairs, [("z", 5), ("m", 7)])
    assert [p.documents for p in report.pairs] == [("a", "b"), ("b", "c"), ("a", "d"), ("c", "d")]
    assert list(report.pairs) == sorted(pairs, key=report_order)
    assert report.groups == (("a", "b", "c"),)
    assert report.boilerplate == (("m", 7), ("z", 5))


def test_detector_reports_are_assembled_here() -> None:
    text = "Seven words make a paragraph long enough here, and a few more words follow it."
    docs = [("b", text), ("a", text), ("c", "Nothing in common with the others at all, not one phrase.")]
    report = sd.detect(docs)
    again = assemble_report(report.documents, reversed(report.pairs), report.boilerplate)
    assert again == report
    assert [p.documents for p in report.pairs] == [("a", "b")]
