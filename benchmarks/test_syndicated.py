"""Whole detection of syndicated stories (CI size): ``SYNDIDETECT_BENCH_COPIES`` copies (40 by
default) of each of three stories beside 200 other documents, word for word (their rows banded
once, their pairs judged once) and as sites run them (each copy under its site's menu and over its
footer, some cut short), with ``lsh.HELD_PAIRS`` lowered so that the band pairs' repeats are
dropped as they are gathered, as with hundreds of copies. ``python -m benchmarks.syndicated
[--sites]`` prints the larger counts on demand, each in a fresh process.
"""

from __future__ import annotations

import itertools
import os
from typing import Any

import pytest

import syndidetect as sd
from benchmarks.report import note, record
from benchmarks.syndicated import STORIES, documents
from syndidetect import lsh

COPIES = int(os.environ.get("SYNDIDETECT_BENCH_COPIES", "40"))


@pytest.mark.parametrize("sites", [False, True], ids=["word-for-word", "sites"])
def test_syndicated_stories(benchmark: Any, monkeypatch: pytest.MonkeyPatch, sites: bool) -> None:
    # 780 pairs a story's paragraph (40 copies) in each of 64 bands pass it many times over
    monkeypatch.setattr(lsh, "HELD_PAIRS", 10_000)
    docs = documents(COPIES, others=200, sites=sites)
    group = f"syndicated-{COPIES}" + ("-sites" if sites else "")
    benchmark.group = group
    report = benchmark.pedantic(lambda: sd.detect(docs), rounds=1, iterations=1)
    record(group, "syndicated stories", benchmark, ours=True)
    note(f"{group}: {len(report.pairs)} pairs")
    found = {tuple(sorted(p.documents)) for p in report.pairs if p.verdict == "copy"}
    for story in range(STORIES):  # every copy of a story with every other
        copies = [f"copy{story}-{c}" for c in range(COPIES)]
        assert {tuple(sorted(pair)) for pair in itertools.combinations(copies, 2)} <= found
