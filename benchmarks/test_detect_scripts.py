"""Whole detection of the same documents in other scripts (CI size).

``SYNDIDETECT_BENCH_SCRIPTS_N`` documents of 20 paragraphs (60 by default);
``python -m benchmarks.detect_scripts 1000`` prints the larger table on demand.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

import syndidetect as sd
from benchmarks.detect_scripts import documents, written_in
from benchmarks.report import note, record

SCRIPTS_N = int(os.environ.get("SYNDIDETECT_BENCH_SCRIPTS_N", "60"))


@pytest.mark.parametrize("script", ["Latin", *written_in([""])])
def test_detect_scripts(benchmark: Any, script: str) -> None:
    texts = documents(SCRIPTS_N)
    docs = [sd.Document(f"d{k}", text) for k, text in enumerate(written_in(texts).get(script, texts))]
    sd.detect(docs)  # the script's paths compiled and warm: not timed
    group = f"detect-scripts-{SCRIPTS_N}"
    benchmark.group = group
    report = benchmark.pedantic(lambda: sd.detect(docs), rounds=3, iterations=1)
    record(group, script, benchmark, ours=script == "Latin")
    note(f"{group} {script}: {len(report.pairs)} pairs")
    assert report.pairs  # the corpus's planted copies are found in every script
