"""The whole pipeline against seeds/truth.json, through the CLI's JSON output as a user gets it."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from conftest import truth_key
from syndidetect.cli.main import main


@pytest.fixture(scope="module")
def report(seeds_dir: Path) -> dict[str, Any]:
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["scan", str(seeds_dir), "--format", "json"]) == 0
    data: dict[str, Any] = json.loads(out.getvalue())
    return data


def _pair(report: dict[str, Any], a: str, b: str) -> dict[str, Any] | None:
    pairs: list[dict[str, Any]] = report["pairs"]
    for pair in pairs:
        if set(pair["documents"]) == {a, b}:
            return pair
    return None


def _found_pairs(pair: dict[str, Any], source: str) -> set[tuple[str, str]]:
    """Matched paragraph pairs as (source key, copy key)."""
    found = set()
    for m in pair["matches"]:
        refs = {p["document"]: p for p in m["paragraphs"]}
        copy = next(d for d in refs if d != source)
        found.add((truth_key(refs[source]["text"]), truth_key(refs[copy]["text"])))
    return found


def test_documents_listed_with_paragraph_counts(report: dict[str, Any], truth: dict[str, Any]) -> None:
    assert [d["id"] for d in report["documents"]] == truth["documents"]
    assert all(d["paragraphs"] > 5 for d in report["documents"])


def test_verbatim_copy_all_pairs_and_direction(report: dict[str, Any], truth: dict[str, Any]) -> None:
    expected = truth["copies"][0]
    pair = _pair(report, expected["source"], expected["copy"])
    assert pair is not None
    assert (pair["verdict"], pair["kind"]) == ("copy", "verbatim")
    assert pair["direction"] == {"source": expected["source"], "copy": expected["copy"]}
    wanted = {tuple(p) for p in expected["paragraphs"]}
    found = _found_pairs(pair, expected["source"])
    assert wanted <= found
    assert found <= wanted  # no extra paragraph pairs (the repeated headline has the same key)


def test_reworded_copy_found(report: dict[str, Any], truth: dict[str, Any]) -> None:
    expected = truth["copies"][1]
    pair = _pair(report, expected["source"], expected["copy"])
    assert pair is not None
    assert (pair["verdict"], pair["kind"]) == ("copy", "reworded")
    wanted = {tuple(p) for p in expected["paragraphs"]}
    found = _found_pairs(pair, expected["source"])
    assert len(wanted & found) >= 7
    assert len(found - wanted) <= 1


def test_related_pairs_never_called_copy(report: dict[str, Any], truth: dict[str, Any]) -> None:
    for a, b in truth["related"]:
        pair = _pair(report, a, b)
        assert pair is None or pair["verdict"] == "related", (a, b)
    assert sum(p["verdict"] == "copy" for p in report["pairs"]) == 2


def test_shared_quotation_is_related(report: dict[str, Any]) -> None:
    pair = _pair(report, "000_c5b587893c6a010b.txt", "003_4051cc1a3433920e.txt")
    assert pair is not None and pair["verdict"] == "related"


def test_every_reported_text_is_the_file_slice(report: dict[str, Any], seeds_dir: Path) -> None:
    texts = {p.name: p.read_bytes().decode("utf-8") for p in seeds_dir.glob("*.txt")}
    refs = [ref for pair in report["pairs"] for m in pair["matches"] for ref in m["paragraphs"]]
    assert refs
    for ref in refs:
        assert texts[ref["document"]][ref["start"] : ref["end"]] == ref["text"]


def test_groups_are_the_two_copies(report: dict[str, Any], truth: dict[str, Any]) -> None:
    assert sorted(report["groups"]) == sorted(sorted([c["source"], c["copy"]]) for c in truth["copies"])
