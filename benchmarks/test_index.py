"""The persistent index: add throughput, single-article check latency, bytes per paragraph.

CI size: 10k paragraphs. On demand: SYNDIDETECT_BENCH_INDEX_N=100000 (or 1000000).
Run: pytest benchmarks/test_index.py -p no:cacheprovider --benchmark-enable
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

import syndidetect as sd
from benchmarks.corpus import make_corpus
from syndidetect.prepared import prepare_documents
from syndidetect.store import SQLiteStore

N = int(os.environ.get("SYNDIDETECT_BENCH_INDEX_N", "10000"))
PER_DOC = 40
ARTICLE = 20


def _documents(n: int, seed: int = 0, prefix: str = "d") -> list[sd.Document]:
    texts = make_corpus(n, seed=seed).texts
    return [sd.Document(f"{prefix}{i}", "\n\n".join(texts[i : i + PER_DOC])) for i in range(0, n, PER_DOC)]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[sd.Document], float]:
    """The index of N paragraphs, and the seconds its store part took (preparing excluded)."""
    path = tmp_path_factory.mktemp("index") / "bench.db"
    docs = _documents(N)
    seconds = 0.0
    with SQLiteStore(path) as store:
        for start in range(0, len(docs), 50):
            prepared = prepare_documents(docs[start : start + 50], store.config)
            started = time.perf_counter()
            store.put(prepared)
            seconds += time.perf_counter() - started
    return path, docs, seconds


def test_add_throughput(benchmark: Any, tmp_path: Path) -> None:
    """The store alone (documents prepared beforehand), in paragraphs per second."""
    docs = _documents(min(N, 20_000), seed=1)
    paragraphs = sum(len(d.text.split("\n\n")) for d in docs)
    prepared = prepare_documents(docs, sd.Config())
    counter = iter(range(10**6))

    def add() -> None:
        with SQLiteStore(tmp_path / f"add{next(counter)}.db") as store:
            for start in range(0, len(prepared), 50):
                store.put(prepared[start : start + 50])

    benchmark.pedantic(add, rounds=3, iterations=1)
    benchmark.extra_info["store_paragraphs_per_s"] = paragraphs / benchmark.stats.stats.median


def test_check_latency(benchmark: Any, built: tuple[Path, list[sd.Document], float]) -> None:
    path, docs, seconds = built
    # A 20-paragraph article: half copied from an indexed document, half new.
    fresh = make_corpus(ARTICLE, seed=99).texts
    article = sd.Document("new", "\n\n".join(docs[len(docs) // 2].text.split("\n\n")[: ARTICLE // 2]
                                             + fresh[: ARTICLE // 2]))
    with sd.Detector.open(path, readonly=True) as det:
        report = benchmark(det.query, [article])
        size = det.stats()["bytes"]
        paragraphs = det.stats()["paragraphs"]
        store = det.store
        assert isinstance(store, SQLiteStore)
        runs = store._con.execute("SELECT count(*) FROM run").fetchone()[0]  # lookups: 1280 a run
    assert report.pairs and report.pairs[0].documents[1] == docs[len(docs) // 2].id
    text_bytes = sum(len(d.text.encode()) for d in docs)
    benchmark.extra_info.update(index_paragraphs=paragraphs, runs=runs, bytes_per_paragraph=size / paragraphs,
                                bytes_per_paragraph_beyond_text=(size - text_bytes) / paragraphs,
                                build_store_paragraphs_per_s=paragraphs / seconds)
