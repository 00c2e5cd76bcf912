"""Signatures of one corpus, from raw text, by syndidetect, rensa and datasketch, in one run.

Run: ``pytest benchmarks -p no:cacheprovider --benchmark-enable`` (``SYNDIDETECT_BENCH_N`` sets the
paragraph count, 20000 by default). The summary at the end gives syndidetect's speed-up over each.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import datasketch
import numpy as np
import pytest
import rensa
import xxhash

import syndidetect as sd
from benchmarks.conftest import regex_shingles
from benchmarks.corpus import Corpus
from benchmarks.report import cold_start_times, note, record
from syndidetect._kernels import fast
from syndidetect.minhash import permutations

GROUP = "signatures"
NUM_PERM = 128
SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED = 1
Benchmark = Any  # pytest-benchmark's fixture


def run(benchmark: Benchmark, name: str, fn: Callable[[], object], rounds: int, *, ours: bool = False) -> Any:
    result = benchmark.pedantic(fn, rounds=rounds, iterations=1, warmup_rounds=1 if ours else 0)
    record(GROUP, name, benchmark, ours=ours)
    return result


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    fast.warm_up()  # compile time is measured on its own, below


# --- syndidetect ---------------------------------------------------------------------------------


@pytest.mark.benchmark(group=GROUP)
def test_syndidetect_signatures_end_to_end(benchmark: Benchmark, corpus: Corpus) -> None:
    sigs = run(benchmark, "syndidetect sd.signatures (raw text)", lambda: sd.signatures(corpus.texts), 10, ours=True)
    assert sigs.shape == (len(corpus.texts), NUM_PERM)
    # The contract, on a sample: datasketch given syndidetect's shingles.
    sample = corpus.texts[:100]
    oracle = datasketch.MinHash.bulk(
        [[s.encode("utf-8") for s in sd.shingles(t)] for t in sample],
        num_perm=NUM_PERM,
        seed=SEED,
        hashfunc=xxhash.xxh32_intdigest,
    )
    np.testing.assert_array_equal(sigs[: len(sample)], np.array([m.hashvalues for m in oracle]))


@pytest.mark.benchmark(group=GROUP)
def test_syndidetect_signatures_only_kernel(benchmark: Benchmark, corpus: Corpus) -> None:
    """``fast.signatures_only``: what ``sd.signatures`` runs past its small-input threshold, without
    the argument checks."""
    a, b = permutations(NUM_PERM, SEED)
    sigs = run(
        benchmark,
        "syndidetect fast.signatures_only (raw text)",
        lambda: fast.signatures_only(corpus.texts, a, b, 3),
        10,
    )
    np.testing.assert_array_equal(sigs[:500], sd.signatures(corpus.texts[:500]))


# --- rensa ---------------------------------------------------------------------------------------


def rensa_each(shingle_lists: list[list[str]]) -> list[list[int]]:
    out = []
    for shingles in shingle_lists:
        m = rensa.RMinHash(num_perm=NUM_PERM, seed=SEED)
        m.update(shingles)
        out.append(m.digest())
    return out


def rensa_matrix(shingle_lists: list[list[str]]) -> Any:
    """rensa's fastest bulk entry point, its output kept as rensa's own matrix: its best case. (The
    matrix exposes no buffer; converting it to a numpy array goes through Python lists, ``to_rows``,
    and costs more than the hashing.)"""
    return rensa.RMinHash.digest_matrix_from_token_sets(shingle_lists, num_perm=NUM_PERM, seed=SEED)


@pytest.mark.benchmark(group=GROUP)
def test_rensa_end_to_end(benchmark: Benchmark, corpus: Corpus) -> None:
    """regex words, 3-grams in Python, one RMinHash per paragraph: rensa's README usage."""
    out = run(
        benchmark,
        "rensa RMinHash.update (regex shingling)",
        lambda: rensa_each([regex_shingles(t) for t in corpus.texts]),
        3,
    )
    assert len(out) == len(corpus.texts)


@pytest.mark.benchmark(group=GROUP)
def test_rensa_bulk_end_to_end(benchmark: Benchmark, corpus: Corpus) -> None:
    """regex shingling, then rensa's fastest bulk entry point (a digest matrix)."""
    out = run(
        benchmark,
        "rensa digest_matrix kept (regex shingling)",
        lambda: rensa_matrix([regex_shingles(t) for t in corpus.texts]),
        3,
    )
    assert out.len() == len(corpus.texts)


@pytest.mark.benchmark(group=GROUP)
def test_rensa_premade_shingles(benchmark: Benchmark, shingle_lists: list[list[str]]) -> None:
    out = run(benchmark, "rensa RMinHash.update (pre-made shingles)", lambda: rensa_each(shingle_lists), 5)
    assert out[0] == rensa_matrix(shingle_lists[:1]).to_rows()[0]


@pytest.mark.benchmark(group=GROUP)
def test_rensa_bulk_premade_shingles(benchmark: Benchmark, shingle_lists: list[list[str]]) -> None:
    out = run(benchmark, "rensa digest_matrix kept (pre-made shingles)", lambda: rensa_matrix(shingle_lists), 10)
    assert out.len() == len(shingle_lists) and out.get_num_perm() == NUM_PERM


#: Alternated pairs of calls in :func:`test_signatures_alternated_with_rensa_best_case`.
ALTERNATED_PAIRS = 15
#: Seconds each alternated call waits first, idle: `sd.signatures` started right after rensa's call
#: took 114.7-118.2 ms against 108.4-109.4 ms after its own (100k paragraphs, medians of 15), and
#: 103.8 ms 50 ms after rensa's (its worker threads, or the memory it freed: not looked into).
SETTLE_SECONDS = 0.05


def test_signatures_alternated_with_rensa_best_case(corpus: Corpus, shingle_lists: list[list[str]]) -> None:
    """``sd.signatures`` from raw text and rensa's best case (pre-made shingles, its matrix kept),
    called in turn: the machine's speed drifts by a third within minutes here, and the timed
    tests above run each contender's rounds back to back, so one of them may meet a slow minute the
    other does not. Alternated, both meet the same minutes; the ratio of each pair's times cancels
    the drift. One untimed call each first; each timed call after ``SETTLE_SECONDS`` idle."""
    sd.signatures(corpus.texts)
    rensa_matrix(shingle_lists)
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(ALTERNATED_PAIRS):
        time.sleep(SETTLE_SECONDS)
        started = time.perf_counter()
        sigs = sd.signatures(corpus.texts)
        ours.append(time.perf_counter() - started)
        time.sleep(SETTLE_SECONDS)
        started = time.perf_counter()
        matrix = rensa_matrix(shingle_lists)
        theirs.append(time.perf_counter() - started)
    assert sigs.shape == (len(corpus.texts), NUM_PERM) and matrix.len() == len(corpus.texts)
    ratios = [r / o for o, r in zip(ours, theirs)]
    note(
        f"sd.signatures alternated with rensa digest_matrix kept (pre-made shingles), {ALTERNATED_PAIRS} pairs: "
        f"medians {np.median(ours):.4f} s and {np.median(theirs):.4f} s; syndidetect {np.median(ratios):.2f}x as fast "
        f"(median of the pairs' ratios; quartiles {np.quantile(ratios, 0.25):.2f}x-{np.quantile(ratios, 0.75):.2f}x)"
    )


# --- datasketch ----------------------------------------------------------------------------------


def datasketch_end_to_end(texts: list[str]) -> list[datasketch.MinHash]:
    data = [[s.encode("utf-8") for s in regex_shingles(t)] for t in texts]
    out: list[datasketch.MinHash] = datasketch.MinHash.bulk(
        data, num_perm=NUM_PERM, seed=SEED, hashfunc=xxhash.xxh32_intdigest
    )
    return out


@pytest.mark.benchmark(group=GROUP)
def test_datasketch_bulk_end_to_end(benchmark: Benchmark, corpus: Corpus) -> None:
    out = run(
        benchmark, "datasketch MinHash.bulk xxh32 (regex shingling)", lambda: datasketch_end_to_end(corpus.texts), 2
    )
    assert len(out) == len(corpus.texts)


# --- compile time --------------------------------------------------------------------------------


def test_kernel_cold_start() -> None:
    """First call in a fresh process with an empty numba cache, then in a second process."""
    (imp1, tab1, call1), (imp2, tab2, call2) = cold_start_times()
    note(
        f"numba kernel cold start (import / lookup tables / first calls, seconds): "
        f"empty cache {imp1:.2f} / {tab1:.2f} / {call1:.2f}; second process {imp2:.2f} / {tab2:.2f} / {call2:.2f}"
    )
    assert call2 < call1


def test_one_shot_command_cold_start() -> None:
    """``syndidetect scan seeds/`` as after a fresh install (an empty numba cache): a command on a
    few documents runs the numpy kernels and compiles nothing (``minhash.FAST_KERNEL_AFTER_TEXTS``)."""
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        started = time.perf_counter()
        run = subprocess.run([sys.executable, "-m", "syndidetect", "scan", str(SEEDS), "--format", "json"],
                             env=env, check=True, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        assert '"pairs"' in run.stdout and not any(Path(cache).rglob("*.nbi"))
    note(f"syndidetect scan seeds/ with an empty numba cache: {seconds:.2f} s wall")
