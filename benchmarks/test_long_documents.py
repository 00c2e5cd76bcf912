"""Whole detection of long documents (CI size): two books of ``SYNDIDETECT_BENCH_LONG_N``
paragraphs (3,000 by default: past ``DENSE_ENTRIES``, so their shared counts are counted entry by
entry), and four documents of a fifth of that quoted by 400 short items.
``python -m benchmarks.long_documents`` prints the larger sizes on demand, each in a fresh process.
"""

from __future__ import annotations

import os
from typing import Any

import syndidetect as sd
from benchmarks.long_documents import books, quoted
from benchmarks.report import note, record
from syndidetect._kernels.overlap import is_dense

LONG_N = int(os.environ.get("SYNDIDETECT_BENCH_LONG_N", "3000"))


def test_two_books(benchmark: Any) -> None:
    docs = books(LONG_N)
    group = f"long-documents-{LONG_N}"
    benchmark.group = group
    report = benchmark.pedantic(lambda: sd.detect(docs), rounds=1, iterations=1)
    record(group, "two books", benchmark, ours=True)
    (pair,) = [p for p in report.pairs if p.verdict == "copy"]
    counted = "as a matrix" if is_dense(LONG_N, LONG_N) else "entry by entry"
    note(f"{group} two books: {len(pair.passages)} passages, shared counts {counted}")
    assert set(pair.documents) == {"book-a", "book-b"}


def test_quoted_long_documents(benchmark: Any) -> None:
    docs = quoted(LONG_N, items=400)
    group = f"long-documents-{LONG_N}"
    benchmark.group = group
    report = benchmark.pedantic(lambda: sd.detect(docs), rounds=1, iterations=1)
    record(group, "quoted long documents", benchmark)
    long_pairs = {tuple(sorted(p.documents)) for p in report.pairs if p.verdict == "copy"}
    note(f"{group} quoted long documents: {len(report.pairs)} pairs")
    assert {("long0", "long1"), ("long1", "long2"), ("long2", "long3")} <= long_pairs
