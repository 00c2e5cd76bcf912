"""Band layout, band keys and candidate pairs against brute force."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syndidetect import lsh
from syndidetect._kernels import equal_counts as equal_counts_module
from syndidetect._kernels import key_order as key_order_module
from syndidetect._kernels import screen as screen_module
from syndidetect._kernels.band_keys import BAND_KEYS, band_keys_into
from syndidetect._kernels.equal_counts import EQUAL_COUNTS, add_equal_counts
from syndidetect._kernels.key_order import STABLE_ORDER, stable_order
from syndidetect._kernels.screen import SCREEN, shared_low_bits
from syndidetect._kernels.threads import threads_at_most
from syndidetect.config import Config
from syndidetect.detector import ordered_pairs
from syndidetect.lsh import (
    DEFAULT_LAYOUTS,
    band_key,
    band_keys,
    band_layout,
    candidate_pairs,
    estimated_jaccard,
    keyed_pairs,
    optimal_bands,
    scored_layout,
)
from syndidetect.sentence_lsh import SENTENCE_JACCARD


def brute_force(sigs: np.ndarray, bands: int, rows: int) -> set[tuple[int, int]]:
    found = set()
    for i, j in itertools.combinations(range(len(sigs)), 2):
        for b in range(bands):
            if np.array_equal(sigs[i, b * rows : (b + 1) * rows], sigs[j, b * rows : (b + 1) * rows]):
                found.add((i, j))
                break
    return found


@settings(max_examples=40)
@given(st.integers(2, 40), st.sampled_from([(4, 1), (2, 2), (2, 3)]), st.integers(0, 2**31))
def test_candidates_equal_brute_force(n: int, layout: tuple[int, int], seed: int) -> None:
    bands, rows = layout
    sigs = np.random.RandomState(seed).randint(0, 3, (n, bands * rows)).astype(np.uint32)
    got = {tuple(p) for p in candidate_pairs(sigs, bands, rows).tolist()}
    assert got == brute_force(sigs, bands, rows)


@settings(max_examples=20)
@given(st.integers(2, 40), st.integers(0, 2**31))
def test_bands_sorted_in_threads_give_the_pairs_of_one_thread(n: int, seed: int) -> None:
    sigs = np.random.RandomState(seed).randint(0, 3, (n, 8)).astype(np.uint32)
    owners = np.random.RandomState(seed + 1).randint(0, max(n // 3, 1), n).astype(np.int64)
    one_thread = candidate_pairs(sigs, 4, 2, owners)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lsh, "THREADED_ROWS", 0)  # every input takes the thread pool
        threaded = candidate_pairs(sigs, 4, 2, owners)
        with threads_at_most(1):  # a Dask task's: the bands one after the other, in this thread
            patch.setattr("concurrent.futures.ThreadPoolExecutor", None)  # no pool: it would fail
            limited = candidate_pairs(sigs, 4, 2, owners)
    assert threaded.tolist() == one_thread.tolist() == limited.tolist()
    assert {tuple(p) for p in threaded.tolist()} <= brute_force(sigs, 4, 2)


def test_pairs_within_one_owner_are_dropped() -> None:
    sigs = np.zeros((4, 2), dtype=np.uint32)
    owners = np.array([0, 0, 1, 1])
    assert candidate_pairs(sigs, 2, 1, owners).tolist() == [[0, 2], [0, 3], [1, 2], [1, 3]]


def test_huge_bucket_is_chained_not_quadratic() -> None:
    sigs = np.zeros((1000, 1), dtype=np.uint32)
    pairs = candidate_pairs(sigs, 1, 1, max_bucket=10)
    assert len(pairs) == 999


@settings(max_examples=40)
@given(st.integers(2, 40), st.integers(1, 4), st.integers(1, 5), st.integers(0, 2**31))
def test_buckets_of_too_many_owners_give_no_pairs(n: int, max_owners: int, n_owners: int, seed: int) -> None:
    rng = np.random.RandomState(seed)
    sigs = rng.randint(0, 3, (n, 2)).astype(np.uint32)
    owners = rng.randint(0, n_owners, n).astype(np.int64)
    got = {tuple(p) for p in candidate_pairs(sigs, 2, 1, owners, max_owners=max_owners).tolist()}
    expected = set()
    for band in range(2):
        for value in np.unique(sigs[:, band]).tolist():
            rows = np.flatnonzero(sigs[:, band] == value)
            if len(set(owners[rows].tolist())) <= max_owners:
                expected |= {(int(i), int(j)) for i, j in itertools.combinations(rows, 2) if owners[i] != owners[j]}
    assert got == expected


@pytest.mark.parametrize("path", ["numpy, two pairs a chunk", "compiled"])
def test_estimated_jaccard_is_the_share_of_equal_values(path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if path == "compiled":
        assert EQUAL_COUNTS.compiled() is not None
    else:
        monkeypatch.setattr(EQUAL_COUNTS, "get", lambda weight=1: None)
        monkeypatch.setattr(equal_counts_module, "NUMPY_CHUNK", 2)
    sigs = np.array([[1, 2, 3, 4], [1, 2, 0, 0], [5, 6, 7, 8]], dtype=np.uint32)
    pairs = np.array([[0, 1], [0, 2], [1, 1]], dtype=np.int64)
    assert estimated_jaccard(sigs, pairs).tolist() == [0.5, 0.0, 1.0]


@settings(max_examples=40)
@given(st.integers(0, 3000), st.integers(1, 40), st.integers(1, 3), st.integers(0, 2**31 - 1))
def test_equal_counts_of_the_kernel_on_its_threads_are_numpys(pairs: int, width: int, threads: int, seed: int) -> None:
    """Each thread's contiguous range of the pairs, any count of pairs and threads (two threads
    only from THREADED_PAIRS pairs): the counts are added to what ``counts`` held, as numpy's."""
    rng = np.random.default_rng(seed)
    sigs = rng.integers(0, 3, (50, width)).astype(np.uint32)  # few values: many equal
    at = rng.integers(0, 50, (pairs, 2))
    counts = rng.integers(0, 5, pairs)
    expected = counts + (sigs[at[:, 0]] == sigs[at[:, 1]]).sum(axis=1)
    assert EQUAL_COUNTS.compiled() is not None
    add_equal_counts(sigs, at, counts, threads)
    assert counts.tolist() == expected.tolist()
    kernel = EQUAL_COUNTS.compiled()
    assert kernel is not None
    halves = np.zeros(pairs, dtype=np.int64)
    for first in range(3):  # three ranges: every pair in exactly one
        kernel(sigs, at, halves, first, 3)
    assert halves.tolist() == (sigs[at[:, 0]] == sigs[at[:, 1]]).sum(axis=1).tolist()


@settings(max_examples=30)
@given(st.integers(0, 12), st.integers(1, 6), st.integers(1, 5), st.integers(0, 3), st.integers(0, 2**31))
def test_all_band_keys_at_once_are_those_of_each_band(n: int, bands: int, rows: int, spare: int, seed: int) -> None:
    sigs = np.random.RandomState(seed).randint(0, 2**32, (n, bands * rows + spare), dtype=np.uint64)
    keys = band_keys(sigs.astype(np.uint32), bands, rows)
    assert keys.shape == (n, bands) and keys.dtype == np.uint64
    for band in range(bands):
        assert keys[:, band].tolist() == band_key(sigs.astype(np.uint32), band, rows).tolist()


def test_band_keys_differ_when_any_row_differs() -> None:
    sigs = np.array([[1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 7]], dtype=np.uint32)
    keys = band_keys(sigs, 2, 3)
    assert keys[0, 0] == keys[1, 0] and keys[0, 1] != keys[1, 1]


def test_layout_favours_recall_at_threshold() -> None:
    bands, rows = band_layout(Config())
    assert bands * rows <= 128
    jaccard = 0.2 / 1.8
    assert 1 - (1 - jaccard**rows) ** bands >= 0.5
    assert band_layout(Config(bands=32)) == (32, 4)
    assert optimal_bands(0.5, 128) == (25, 5)  # datasketch's choice for MinHashLSH(threshold=0.5)


def test_written_down_layouts_are_the_computed_ones() -> None:
    for (jaccard, num_perm, fn_weight), layout in DEFAULT_LAYOUTS.items():
        assert scored_layout(jaccard, num_perm, fn_weight) == layout == optimal_bands(jaccard, num_perm, fn_weight)
    config = Config()
    assert (round(config.threshold / (2 - config.threshold), 4), config.num_perm, 0.5) in DEFAULT_LAYOUTS
    assert (SENTENCE_JACCARD, config.num_perm, 0.5) in DEFAULT_LAYOUTS


class _Screen:
    """Stands for a lazy kernel (``screen.SCREEN`` by default): the compiled kernel, or None for
    numpy's path, whatever the count."""

    def __init__(self, path: str, kernel: Any = SCREEN) -> None:
        self.kernel = kernel.compiled() if path == "compiled" else None

    def get(self, weight: int = 1) -> object:
        return self.kernel


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("owned", ["in order", "shuffled", "by three"])
@pytest.mark.parametrize("max_owners", [None, 2])
@pytest.mark.parametrize("screen", ["numpy", "compiled"])
def test_screened_bands_give_the_pairs_of_the_full_sort(seed: int, owned: str, max_owners: int | None, screen: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # Bands past SCREEN_ROWS keys sort only the keys whose low bits repeat: the same pairs as sorting
    # them all. Keys: unique ones, small buckets, a bucket past MAX_BUCKET (chained: its pairs
    # depend on the order inside it), keys equal in their low bits only; owners in documents' order,
    # in any order, or three of them (so that max_owners keeps some buckets and drops others).
    rng = np.random.default_rng(seed)
    n = lsh.SCREEN_ROWS + int(rng.integers(0, 5000))
    keys = rng.integers(0, 2**64, n, dtype=np.uint64)
    for _ in range(300):
        size = int(rng.integers(2, 6))
        keys[rng.integers(0, n, size)] = keys[rng.integers(0, n)]
    keys[rng.integers(0, n, lsh.MAX_BUCKET + 40)] = keys[0]
    low, other = rng.integers(0, n, 200), rng.integers(0, n, 200)
    keys[low] = (keys[other] & np.uint64(0xFFFFFFFF)) | (rng.integers(1, 2**31, 200, dtype=np.uint64) << np.uint64(32))
    owners = {"in order": np.sort(rng.integers(0, n // 3, n)), "shuffled": rng.integers(0, n // 3, n),
              "by three": rng.integers(0, 3, n)}[owned]
    band = np.stack([keys, np.roll(keys, 7)])

    def pairs() -> np.ndarray:
        return keyed_pairs(band.__getitem__, 2, n, owners=owners, max_owners=max_owners)

    monkeypatch.setattr(screen_module, "SCREEN", _Screen(screen))
    screened = pairs()
    monkeypatch.setattr(lsh, "SCREEN_ROWS", n + 1)
    full = pairs()
    assert len(full) >= (lsh.MAX_BUCKET if max_owners is None and owned != "by three" else 8)
    assert np.array_equal(screened, full)


@pytest.mark.parametrize("keys", ["any", "sharing their high digits", "all equal", "few"])
def test_the_radix_order_of_keys_is_numpys_stable_argsort(keys: str) -> None:
    """The compiled order sorts by key and keeps equal keys in their order: keys repeated (six
    passes), keys below 2**30 (three passes: the high digits' skipped, so the first pass writes the
    outputs), one key everywhere (no pass), fewer keys than ``RADIX_KEYS`` (numpy's path)."""
    rng = np.random.default_rng(len(keys))
    n = 300 if keys == "few" else 20_000
    values = rng.integers(0, 2**30 if keys == "sharing their high digits" else 2**64, n, dtype=np.uint64)
    values[rng.integers(0, n, n // 5)] = values[rng.integers(0, n, n // 5)]
    if keys == "all equal":
        values[:] = values[0]
    kernel = STABLE_ORDER.compiled()
    assert kernel is not None
    expected = np.argsort(values, kind="stable")
    order, ordered = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.uint64)
    kernel(values, order, ordered)
    assert order.tolist() == expected.tolist() and ordered.tolist() == values[expected].tolist()
    got, got_keys = stable_order(values)
    assert got.tolist() == expected.tolist() and got_keys.tolist() == values[expected].tolist()


def test_a_taken_radix_order_runs_whatever_the_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """Once compiled, the kernel orders any band, however few its keys (it sorts them by numba's
    merge sort then): ``syndidetect compile`` takes every kernel and runs a small workload, so a
    kernel called only for large bands would still compile at a user's first large run."""
    calls: list[int] = []
    kernel = STABLE_ORDER.compiled()
    assert kernel is not None

    def counted_kernel(keys: np.ndarray, order: np.ndarray, ordered: np.ndarray) -> None:
        calls.append(-1)
        kernel(keys, order, ordered)

    class Counted:
        def get(self, weight: int = 1) -> Any:
            calls.append(weight)
            return counted_kernel

    monkeypatch.setattr(key_order_module, "STABLE_ORDER", Counted())
    keys = np.array([5, 3, 5, 1], dtype=np.uint64)
    order, ordered = stable_order(keys)
    assert calls == [4, -1]
    assert order.tolist() == [3, 1, 0, 2] and ordered.tolist() == [1, 3, 5, 5]


def test_a_column_of_band_keys_gives_numpys_pairs_by_radix(monkeypatch: pytest.MonkeyPatch) -> None:
    """``keyed_pairs`` of a column of a ``(rows, bands)`` key matrix (``lsh.band_keys``' layout), a
    strided view: the pairs numpy's sort gives, through the kernel compiled for contiguous keys
    (numba's dispatcher gains no other signature)."""
    rng = np.random.default_rng(9)
    n = 20_000
    matrix = rng.integers(0, 2**64, (n, 3), dtype=np.uint64)
    matrix[rng.integers(0, n, 3000), 1] = matrix[rng.integers(0, n, 3000), 1]
    matrix[rng.integers(0, n, lsh.MAX_BUCKET + 40), 1] = 5
    monkeypatch.setattr(lsh, "SCREEN_ROWS", n + 1)  # every key sorted
    kernel = STABLE_ORDER.compiled()
    assert kernel is not None
    kernel(np.zeros(1, dtype=np.uint64), np.zeros(1, dtype=np.int64), np.zeros(1, dtype=np.uint64))
    signatures = len(kernel.signatures)

    def pairs() -> np.ndarray:
        return keyed_pairs(lambda _: matrix[:, 1], 1, n)

    monkeypatch.setattr(key_order_module, "STABLE_ORDER", _Screen("compiled", STABLE_ORDER))
    by_radix = pairs()
    monkeypatch.setattr(key_order_module, "STABLE_ORDER", _Screen("numpy", STABLE_ORDER))
    assert len(by_radix) >= lsh.MAX_BUCKET and np.array_equal(by_radix, pairs())
    assert len(kernel.signatures) == signatures


@pytest.mark.parametrize("owned", ["in order", "shuffled"])
@pytest.mark.parametrize("max_owners", [None, 2])
def test_bands_sorted_by_radix_give_numpys_pairs(owned: str, max_owners: int | None,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A bucket past MAX_BUCKET is chained in the sorted order, so its pairs depend on the order of
    equal keys: the radix order gives numpy's pairs, owners in documents' order (the radix path
    also when owners cap buckets) or not (numpy's lexsort)."""
    rng = np.random.default_rng(5)
    n = 30_000
    keys = rng.integers(0, 2**64, n, dtype=np.uint64)
    keys[rng.integers(0, n, 2000)] = keys[rng.integers(0, n, 2000)]
    keys[rng.integers(0, n, lsh.MAX_BUCKET + 40)] = keys[0]
    owners = np.sort(rng.integers(0, n // 3, n)) if owned == "in order" else rng.integers(0, n // 3, n)
    monkeypatch.setattr(lsh, "SCREEN_ROWS", n + 1)  # every key sorted

    def pairs() -> np.ndarray:
        return keyed_pairs(lambda band: keys, 1, n, owners=owners, max_owners=max_owners)

    monkeypatch.setattr(key_order_module, "STABLE_ORDER", _Screen("compiled", STABLE_ORDER))
    by_radix = pairs()
    monkeypatch.setattr(key_order_module, "STABLE_ORDER", _Screen("numpy", STABLE_ORDER))
    assert len(by_radix) >= lsh.MAX_BUCKET and np.array_equal(by_radix, pairs())


@pytest.mark.parametrize("seed", range(4))
def test_the_compiled_screen_finds_the_keys_numpy_finds(seed: int) -> None:
    """Keys equal, equal in their low bits only, or alone; tables from 4 to 2**20 slots (a slot
    counts to two and stops: three keys in a slot are all found)."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 50_000))
    keys = rng.integers(0, 2**64, n, dtype=np.uint64)
    keys[:3] = [0x1_0000_ABCD, 0x2_0000_ABCD, 0x3_0000_ABCD]  # three in one slot of 16 bits
    keys[rng.integers(0, n, n // 10)] = keys[rng.integers(0, n, n // 10)]
    low = rng.integers(0, n, n // 20)
    keys[low] = (keys[rng.integers(0, n, len(low))] & np.uint64(0xFFFF)) | (keys[low] & ~np.uint64(0xFFFF))
    kernel = SCREEN.compiled()
    for bits in (2, 16, (4 * n - 1).bit_length(), 20):
        expected = shared_low_bits(keys, bits, None)
        got = shared_low_bits(keys, bits, kernel)
        assert got.dtype == expected.dtype and np.array_equal(got, expected)
    assert shared_low_bits(keys, 16, kernel)[:3].tolist() == [0, 1, 2]


_PAIR = st.tuples(st.integers(0, 11), st.integers(0, 11)).filter(lambda p: p[0] != p[1])


@settings(max_examples=200)
@given(st.lists(st.text(min_size=1, max_size=3), min_size=12, max_size=12, unique=True),
       st.lists(_PAIR, max_size=30), st.lists(_PAIR, max_size=30))
def test_ordered_pairs_are_the_distinct_pairs_by_id_with_the_first_arrays_flagged(
        ids: list[str], first: list[tuple[int, int]], second: list[tuple[int, int]]) -> None:
    """Pairs in either order and repeated within and across the arrays: each pair once, its smaller
    id first, sorted by the ids, flagged exactly when the first array holds it (either way round)."""
    def as_array(pairs: list[tuple[int, int]]) -> np.ndarray:
        return np.array(pairs, dtype=np.int64).reshape(-1, 2)

    def by_id(pair: tuple[int, int]) -> tuple[int, int]:
        return (pair[0], pair[1]) if ids[pair[0]] < ids[pair[1]] else (pair[1], pair[0])

    flagged = {by_id(p) for p in first}
    expected = sorted(flagged | {by_id(p) for p in second}, key=lambda p: (ids[p[0]], ids[p[1]]))
    smaller, larger, found = ordered_pairs(ids, as_array(first), as_array(second))
    assert list(zip(smaller.tolist(), larger.tolist())) == expected
    assert found.tolist() == [p in flagged for p in expected]


@settings(max_examples=60)
@given(st.integers(0, 40), st.integers(1, 8), st.integers(1, 6), st.integers(0, 5), st.integers(0, 2**31 - 1))
def test_band_keys_written_by_the_kernel_are_numpys(n: int, bands: int, rows: int, start: int, seed: int) -> None:
    """Any layout (one or two rows a band stay numpy's own keys), signatures at the extremes of
    uint32, written at an offset into the sentence LSH's ``(bands, n)`` array: numpy's keys."""
    rng = np.random.default_rng(seed)
    signatures = rng.choice(np.array([0, 1, 2**31, 2**32 - 1, 12345], dtype=np.uint32), (n, bands * rows + 3))
    signatures[:, ::2] = rng.integers(0, 2**32, (n, (bands * rows + 4) // 2), dtype=np.uint32)
    assert BAND_KEYS.compiled() is not None
    out = np.zeros((bands, start + n + 2), dtype=np.uint64)
    band_keys_into(signatures, bands, rows, lsh.BAND_MIX, out, start, lsh.band_keys)
    expected = np.zeros_like(out)
    expected[:, start : start + n] = lsh.band_keys(signatures, bands, rows).T
    assert out.tolist() == expected.tolist()


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(1, 40), st.integers(0, 400))
def test_pairs_made_distinct_while_gathered_are_those_made_distinct_at_the_end(seed: int, copies: int,
                                                                            held: int) -> None:
    """Rows repeated ``copies`` times collide in every band; with at most ``held`` pairs held
    before their repeats are dropped, the candidate pairs (rows and documents) are the same."""
    rng = np.random.RandomState(seed)
    unique = rng.randint(0, 6, size=(30, 16)).astype(np.uint32)  # few values: chance collisions too
    sigs = np.concatenate([unique, np.repeat(unique[:3], copies, axis=0)])
    owners = np.sort(rng.randint(0, 25, size=len(sigs))).astype(np.int64)
    expected = lsh.distinct_row_pairs(lsh.band_pairs(lambda band: lsh.band_key(sigs, band, 2), range(8), len(sigs),
                                                     owners), len(sigs))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lsh, "HELD_PAIRS", held)
        np.testing.assert_array_equal(lsh.candidate_pairs(sigs, 8, 2, owners), expected)
        gathered = lsh.DistinctPairs(len(sigs))
        for band in range(8):
            gathered.add(lsh.band_pairs(lambda b: lsh.band_key(sigs, b, 2), [band], len(sigs), owners))
            assert gathered.count <= held or len(gathered.held) == 1  # repeats dropped as it goes
        np.testing.assert_array_equal(gathered.distinct(), expected)
    assert copies < 2 or len(expected)
