"""Whole detection of the same documents in other scripts (CI size).

``SYNDIDETECT_BENCH_SCRIPTS_N`` documents of 20 paragraphs (60 by default), and as many paragraphs
as one-paragraph documents; ``python -m benchmarks.detect_scripts [--paragraphs 1] 1000`` prints the
larger tables on demand.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

import syndidetect as sd
from benchmarks.detect_scripts import documents, written_in
from benchmarks.report import note, record

SCRIPTS_N = int(os.environ.get("SYNDIDETECT_BENCH_SCRIPTS_N", "60"))


@pytest.mark.parametrize("paragraphs", [20, 1])
@pytest.mark.parametrize("script", ["Latin", *written_in([""])])
def test_detect_scripts(benchmark: Any, script: str, paragraphs: int) -> None:
    n = SCRIPTS_N * 20 // paragraphs  # the same paragraphs in either shape
    texts = documents(n, paragraphs)
    docs = [sd.Document(f"d{k}", text) for k, text in enumerate(written_in(texts).get(script, texts))]
    sd.detect(docs)  # the script's paths compiled and warm: not timed
    group = f"detect-scripts-{n}x{paragraphs}"
    benchmark.group = group
    report = benchmark.pedantic(lambda: sd.detect(docs), rounds=3, iterations=1)
    record(group, script, benchmark, ours=script == "Latin")
    note(f"{group} {script}: {len(report.pairs)} pairs")
    assert report.pairs  # the corpus's planted copies are found in every script
