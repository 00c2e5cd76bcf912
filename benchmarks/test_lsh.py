"""LSH: index every paragraph and list all candidate pairs, with recall of the planted copies.

Sizes come from ``SYNDIDETECT_BENCH_LSH_N`` (``20000`` by default; ``20000,200000`` adds the large
run). All three use the same band layout: syndidetect's default ``Config``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import datasketch
import numpy as np
import numpy.typing as npt
import pytest
import rensa

import syndidetect as sd
from benchmarks.conftest import regex_shingles
from benchmarks.corpus import Corpus, make_corpus
from benchmarks.report import LSH_SIZES, note, record
from syndidetect.config import Config
from syndidetect.lsh import band_layout, candidate_pairs

NUM_PERM = 128
Benchmark = Any
Pairs = set[tuple[int, int]]


@lru_cache(maxsize=2)
def prepared(n: int) -> tuple[Corpus, npt.NDArray[np.uint32], list[list[str]]]:
    corpus = make_corpus(n, seed=0)
    return corpus, sd.signatures(corpus.texts), [regex_shingles(t) for t in corpus.texts]


def layout() -> tuple[int, int]:
    return band_layout(Config())


def recall(found: Pairs, corpus: Corpus) -> float:
    truth = corpus.planted_pairs()
    return len(truth & found) / len(truth)


def report(name: str, n: int, benchmark: Benchmark, found: Pairs, corpus: Corpus) -> None:
    record(f"lsh-{n}", name, benchmark, ours=name.startswith("syndidetect"))
    note(f"lsh n={n} {name}: {len(found)} candidate pairs, recall of planted pairs {recall(found, corpus):.4f}")


def as_pairs(matches: list[list[int]] | list[Any]) -> Pairs:
    return {(min(i, j), max(i, j)) for i, keys in enumerate(matches) for j in keys if i != j}


@pytest.mark.parametrize("n", LSH_SIZES)
def test_syndidetect_lsh(benchmark: Benchmark, n: int) -> None:
    corpus, sigs, _ = prepared(n)
    bands, rows = layout()
    benchmark.group = f"lsh-{n}"
    pairs = benchmark.pedantic(lambda: candidate_pairs(sigs, bands, rows), rounds=5, iterations=1)
    report("syndidetect candidate_pairs", n, benchmark, {(int(i), int(j)) for i, j in pairs}, corpus)


@pytest.mark.parametrize("n", LSH_SIZES)
def test_datasketch_lsh(benchmark: Benchmark, n: int) -> None:
    corpus, sigs, _ = prepared(n)
    bands, rows = layout()
    # The same signatures (the contract makes them datasketch's own); building them is not timed.
    minhashes = [datasketch.MinHash(num_perm=NUM_PERM, hashvalues=row, scheme="affine32") for row in sigs]

    def build_and_query() -> list[list[int]]:
        lsh = datasketch.MinHashLSH(num_perm=NUM_PERM, params=(bands, rows))
        with lsh.insertion_session() as session:
            for key, m in enumerate(minhashes):
                session.insert(key, m, check_duplication=False)
        return [lsh.query(m) for m in minhashes]

    benchmark.group = f"lsh-{n}"
    matches = benchmark.pedantic(build_and_query, rounds=1, iterations=1)
    report("datasketch MinHashLSH insert+query", n, benchmark, as_pairs(matches), corpus)


@pytest.mark.parametrize("n", LSH_SIZES)
def test_rensa_lsh(benchmark: Benchmark, n: int) -> None:
    corpus, _, shingle_lists = prepared(n)
    bands, _ = layout()
    # rensa's own signatures (its hash differs from xxh32); building them is not timed.
    minhashes = rensa.RMinHash.from_token_sets(shingle_lists, num_perm=NUM_PERM, seed=1)

    def build_and_query() -> list[list[int]]:
        lsh = rensa.RMinHashLSH(threshold=0.1, num_perm=NUM_PERM, num_bands=bands)
        lsh.insert_many(minhashes)
        return list(lsh.query_all(minhashes))

    benchmark.group = f"lsh-{n}"
    matches = benchmark.pedantic(build_and_query, rounds=1 if n > 50_000 else 3, iterations=1)
    report("rensa RMinHashLSH insert_many+query_all", n, benchmark, as_pairs(matches), corpus)
