"""The compiled shared-shingle counts and pair overlap against their numpy references, and the
policy that compiles verification kernels only for jobs large enough to repay it."""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import syndidetect._kernels.overlap as overlap
from syndidetect._kernels.lazy import LazyKernel
from syndidetect._kernels.overlap import (
    MERGE_JOIN,
    PAIRS_OVERLAP,
    compile_wide_numbers,
    is_dense,
    pair_overlap,
    pair_overlap_numpy,
    pairs_overlap,
    pairs_overlap_keeping,
    pairs_overlap_numpy,
    shared_counts_numpy,
    shared_counts_sorted,
    shared_entries,
)
from syndidetect._kernels.packed import Packed

STORY_WORDS = [
    "The river flooded the old town on Monday after three days of heavy rain across the valley.",
    "Residents were moved to the school gym, where volunteers served soup and blankets all night.",
]
# The 40 hash values the tests draw from (few, so that paragraphs share many): on both sides of the
# middle of the 32-bit range, where the merge join splits its work, the middle itself and both ends.
HASH_POOL = np.array([0, 1, 2, 7, 1000, 2**20, *range(2**31 - 16, 2**31 + 16), 2**32 - 2, 2**32 - 1],
                     dtype=np.uint64).astype(np.uint32)

# The 30 gram values likewise, on both sides of the middle of the 64-bit range.
GRAM_POOL = np.array([0, 1, 5, *range(2**63 - 12, 2**63 + 12), 2**64 - 3, 2**64 - 2, 2**64 - 1], dtype=np.uint64)

def side(rng: np.random.RandomState, paragraphs: int) -> tuple[np.ndarray, np.ndarray]:
    rows = [HASH_POOL[np.unique(rng.randint(0, len(HASH_POOL), rng.randint(0, 12)))] for _ in range(paragraphs)]
    hashes = np.concatenate(rows) if rows else np.zeros(0, dtype=np.uint32)
    owner = np.repeat(np.arange(paragraphs), [len(r) for r in rows]).astype(np.int32)
    order = np.argsort(hashes, kind="stable")
    return hashes[order], owner[order]


Sides = list[tuple[np.ndarray, np.ndarray]]
Batch = tuple[Sides, list[np.ndarray], list[np.ndarray], np.ndarray, np.ndarray, tuple[Packed, Packed, Packed, Packed]]


def _random_batch(rng: np.random.RandomState, paragraphs: list[int], n_pairs: int) -> Batch:
    """Documents of ``paragraphs`` paragraphs (hash indexes, masks, grams), ``n_pairs`` random pairs
    of them, and the documents packed."""
    sides = [side(rng, n) for n in paragraphs]
    masks = [rng.rand(n) < 0.7 for n in paragraphs]
    grams = [GRAM_POOL[np.unique(rng.randint(0, len(GRAM_POOL), rng.randint(0, 20)))] for _ in paragraphs]
    left = rng.randint(0, len(paragraphs), n_pairs).astype(np.int64)
    right = rng.randint(0, len(paragraphs), n_pairs).astype(np.int64)
    packed = (Packed([h for h, _ in sides], np.uint32), Packed([o for _, o in sides], np.int32),
              Packed(masks, np.bool_), Packed(grams, np.uint64))
    return sides, masks, grams, left, right, packed


@pytest.fixture(scope="module", autouse=True)
def compiled() -> None:
    assert MERGE_JOIN.compiled() is not None  # the tests below compare the compiled kernel


@settings(max_examples=60)
@given(st.integers(0, 2**31 - 1), st.integers(0, 8), st.integers(0, 8))
def test_merge_join_equals_searchsorted(seed: int, na: int, nb: int) -> None:
    rng = np.random.RandomState(seed)
    ha, pa = side(rng, na)
    hb, pb = side(rng, nb)
    ma, mb = rng.rand(na) < 0.7, rng.rand(nb) < 0.7
    keep_a, keep_b = ma[pa], mb[pb]
    expected = shared_counts_numpy(ha[keep_a], pa[keep_a], hb[keep_b], pb[keep_b], na, nb)
    np.testing.assert_array_equal(shared_counts_sorted(ha, pa, ma, hb, pb, mb), expected)
    brute = np.array([[len(set(ha[pa == i]) & set(hb[pb == j])) * bool(ma[i] and mb[j]) for j in range(nb)]
                      for i in range(na)])
    np.testing.assert_array_equal(expected.reshape(na, nb), brute.reshape(na, nb))


@settings(max_examples=60)
@given(st.integers(0, 2**31 - 1), st.integers(0, 8), st.integers(0, 8))
def test_pair_overlap_equals_its_reference(seed: int, na: int, nb: int) -> None:
    rng = np.random.RandomState(seed)
    (ha, pa), (hb, pb) = side(rng, na), side(rng, nb)
    ma, mb = rng.rand(na) < 0.7, rng.rand(nb) < 0.7
    ga = GRAM_POOL[np.unique(rng.randint(0, len(GRAM_POOL), rng.randint(0, 20)))]
    gb = GRAM_POOL[np.unique(rng.randint(0, len(GRAM_POOL), rng.randint(0, 20)))]
    expected = pair_overlap_numpy(ha, pa, ma, hb, pb, mb, ga, gb)
    assert pair_overlap(ha, pa, ma, hb, pb, mb, ga, gb) == expected
    counts = shared_counts_sorted(ha, pa, ma, hb, pb, mb)
    assert expected == (int(counts.max()) if counts.size else 0, len(set(ga.tolist()) & set(gb.tolist())))


@settings(max_examples=40)
@given(st.integers(0, 2**31 - 1), st.lists(st.integers(0, 6), min_size=1, max_size=6), st.integers(0, 30))
def test_batched_pair_overlap_equals_pair_by_pair(seed: int, paragraphs: list[int], n_pairs: int) -> None:
    rng = np.random.RandomState(seed)
    sides, masks, grams, left, right, packed = _random_batch(rng, paragraphs, n_pairs)
    expected = [pair_overlap_numpy(sides[x][0], sides[x][1], masks[x], sides[y][0], sides[y][1], masks[y], grams[x],
                                   grams[y]) for x, y in zip(left.tolist(), right.tolist())]
    reference = pairs_overlap_numpy(*packed, left, right)
    assert [tuple(r) for r in reference.tolist()] == expected
    kernel = PAIRS_OVERLAP.compiled()
    assert kernel is not None
    args = (packed[0].flat, packed[0].offsets, packed[1].flat, packed[2].flat, packed[2].offsets,
            packed[3].flat, packed[3].offsets, left, right)
    nothing, never = np.zeros(n_pairs, dtype=np.bool_), np.iinfo(np.int64).max  # no counts kept
    compiled = np.full((n_pairs, 2), -1, dtype=np.int64)
    kernel(*args, compiled, nothing, never, never, never, 0, 1)
    np.testing.assert_array_equal(compiled, reference.reshape(-1, 2))
    halves = np.full((n_pairs, 2), -1, dtype=np.int64)  # the two threads' shares: every row once
    kernel(*args, halves, nothing, never, never, never, 1, 2)
    assert (halves[0::2] == -1).all()
    kernel(*args, halves, nothing, never, never, never, 0, 2)
    np.testing.assert_array_equal(halves, reference.reshape(-1, 2))
    np.testing.assert_array_equal(pairs_overlap(*packed, left, right), reference.reshape(-1, 2))
    largest = 9  # pairs of more paragraph pairs are left to the caller: rows (-1, -1)
    left_out = np.full((n_pairs, 2), -2, dtype=np.int64)
    kernel(*args, left_out, nothing, never, never, largest, 0, 1)
    sizes = np.array([len(masks[x]) * len(masks[y]) for x, y in zip(left.tolist(), right.tolist())], dtype=np.int64)
    np.testing.assert_array_equal(left_out[sizes > largest], -1)
    np.testing.assert_array_equal(left_out[sizes <= largest], reference.reshape(-1, 2)[sizes <= largest])


def _kept_as_expected(packed: tuple[Packed, Packed, Packed, Packed], sides: Sides, masks: list[np.ndarray],
                      left: np.ndarray, right: np.ndarray, forced: np.ndarray, least: tuple[int, int]) -> int:
    """Checks pairs_overlap_keeping against shared_counts_sorted pair by pair; returns how many it kept."""
    rows, matrices = pairs_overlap_keeping(*packed, left, right, forced, *least)
    np.testing.assert_array_equal(rows, pairs_overlap_numpy(*packed, left, right).reshape(-1, 2))
    for k, (x, y) in enumerate(zip(left.tolist(), right.tolist())):
        most, common = rows[k].tolist()
        if not is_dense(len(masks[x]), len(masks[y])):  # counted entry by entry: no matrix
            assert matrices[k] is None
        elif forced[k] or most >= least[0] or common >= least[1]:
            expected = shared_counts_sorted(sides[x][0], sides[x][1], masks[x], sides[y][0], sides[y][1], masks[y])
            kept = matrices[k]
            assert kept is not None and kept.shape == expected.shape
            np.testing.assert_array_equal(kept, expected)
        else:
            assert matrices[k] is None
    return sum(m is not None for m in matrices)


@settings(max_examples=40)
@given(st.integers(0, 2**31 - 1), st.lists(st.integers(0, 6), min_size=1, max_size=6), st.integers(0, 30),
       st.integers(0, 4), st.integers(0, 6))
def test_the_screen_keeps_the_shared_counts_of_the_pairs_it_may_keep(seed: int, paragraphs: list[int], n_pairs: int,
                                                                     least_most: int, least_common: int) -> None:
    """The counts matrix of each pair forced or reaching either bound is shared_counts_sorted's
    (empty documents and paragraphs included); the others have none."""
    rng = np.random.RandomState(seed)
    sides, masks, _, left, right, packed = _random_batch(rng, paragraphs, n_pairs)
    assert PAIRS_OVERLAP.compiled() is not None
    _kept_as_expected(packed, sides, masks, left, right, rng.rand(n_pairs) < 0.2, (least_most, least_common))


@settings(max_examples=40)
@given(st.integers(0, 2**31 - 1), st.lists(st.integers(0, 6), min_size=1, max_size=6), st.integers(1, 30),
       st.integers(0, 36))
def test_pairs_past_the_dense_bound_are_counted_entry_by_entry(seed: int, paragraphs: list[int], n_pairs: int,
                                                               dense_entries: int) -> None:
    """With DENSE_ENTRIES lowered, the screen's rows are the same, its matrices those of the pairs
    within the bound, and shared_entries gives the nonzero entries of the matrix."""
    rng = np.random.RandomState(seed)
    sides, masks, _, left, right, packed = _random_batch(rng, paragraphs, n_pairs)
    assert PAIRS_OVERLAP.compiled() is not None
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(overlap, "DENSE_ENTRIES", dense_entries)
        forced = rng.rand(n_pairs) < 0.2
        kept = _kept_as_expected(packed, sides, masks, left, right, forced, (1, 1))
        for x, y in zip(left.tolist(), right.tolist()):
            args = (sides[x][0], sides[x][1], masks[x], sides[y][0], sides[y][1], masks[y])
            matrix = shared_counts_sorted(*args)
            rows, cols, counts = shared_entries(*args)
            assert [rows.tolist(), cols.tolist()] == [r.tolist() for r in np.nonzero(matrix)]
            assert counts.tolist() == matrix[rows, cols].tolist()
    assert kept <= sum(is_dense(len(masks[x]), len(masks[y])) for x, y in zip(left.tolist(), right.tolist()))


def test_a_large_batch_of_pairs_on_two_threads_equals_pair_by_pair() -> None:
    from syndidetect._kernels.overlap import THREADED_PAIRS

    rng = np.random.RandomState(7)
    paragraphs = rng.randint(0, 8, 40).tolist()
    sides = [side(rng, n) for n in paragraphs]
    masks = [rng.rand(n) < 0.7 for n in paragraphs]
    grams = [GRAM_POOL[np.unique(rng.randint(0, len(GRAM_POOL), rng.randint(0, 20)))] for _ in paragraphs]
    n_pairs = 3 * THREADED_PAIRS + 1  # odd: the threads' shares differ by one
    left = rng.randint(0, len(paragraphs), n_pairs).astype(np.int64)
    right = rng.randint(0, len(paragraphs), n_pairs).astype(np.int64)
    packed = (Packed([h for h, _ in sides], np.uint32), Packed([o for _, o in sides], np.int32),
              Packed(masks, np.bool_), Packed(grams, np.uint64))
    assert PAIRS_OVERLAP.compiled() is not None
    np.testing.assert_array_equal(pairs_overlap(*packed, left, right), pairs_overlap_numpy(*packed, left, right))
    kept = _kept_as_expected(packed, sides, masks, left, right, rng.rand(n_pairs) < 0.1, (3, 5))
    assert 0 < kept < n_pairs  # kept matrices from both threads' outputs, in their pairs' places


def test_before_its_kernel_the_screen_keeps_no_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.RandomState(2)
    sides = [side(rng, 3) for _ in range(2)]
    packed = (Packed([h for h, _ in sides], np.uint32), Packed([o for _, o in sides], np.int32),
              Packed([np.ones(3, dtype=np.bool_)] * 2, np.bool_), Packed([np.zeros(0, np.uint64)] * 2, np.uint64))
    monkeypatch.setattr(PAIRS_OVERLAP, "get", lambda weight=1: None)
    left, right = np.zeros(3, dtype=np.int64), np.ones(3, dtype=np.int64)
    rows, matrices = pairs_overlap_keeping(*packed, left, right, np.ones(3, dtype=np.bool_), 0, 0)
    np.testing.assert_array_equal(rows, pairs_overlap_numpy(*packed, left, right))
    assert matrices == [None, None, None]


def test_a_lazy_kernel_is_built_on_its_nth_request_only() -> None:
    built: list[int] = []

    def build() -> object:
        built.append(1)
        return len

    kernel = LazyKernel(build, after=3)
    assert [kernel.get(), kernel.get()] == [None, None] and not built
    assert kernel.get() is len and kernel.get() is len and built == [1]
    eager = LazyKernel(build, after=10**9)
    assert eager.compiled() is len and eager.get() is len and built == [1, 1]


@pytest.mark.parametrize(("pairs", "compiles"), [(999, False), (1000, True)])
def test_a_screen_of_many_pairs_compiles_the_per_pair_kernel_too(monkeypatch: pytest.MonkeyPatch, pairs: int,
                                                                 compiles: bool) -> None:
    # The pairs a compiled screen passes each count their shared paragraphs next, one call a pair:
    # a job of a thousand pairs compiles that kernel at once instead of after its first thousand.
    import syndidetect._kernels.overlap as overlap

    built: list[int] = []
    marker = object()

    def build() -> object:
        built.append(1)
        return marker

    monkeypatch.setattr(overlap, "MERGE_JOIN", LazyKernel(build, after=1000))
    assert PAIRS_OVERLAP.compiled() is not None
    rng = np.random.RandomState(0)
    sides = [side(rng, 3) for _ in range(2)]
    packed = (Packed([h for h, _ in sides], np.uint32), Packed([o for _, o in sides], np.int64),
              Packed([np.ones(3, dtype=np.bool_)] * 2, np.bool_), Packed([np.zeros(0, np.uint64)] * 2, np.uint64))
    zeros, ones = np.zeros(pairs, dtype=np.int64), np.ones(pairs, dtype=np.int64)
    pairs_overlap(*packed, zeros, ones)
    assert built == ([1] if compiles else [])
    assert (overlap.MERGE_JOIN.get(0) is marker) == compiles


def test_a_lazy_kernel_for_each_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from syndidetect.errors import MissingDependencyError

    kernel = LazyKernel(lambda: len, after=10)
    assert kernel.for_backend("numpy", 100) is None  # the numpy path, nothing counted
    assert kernel.for_backend("auto", 9) is None and kernel.for_backend("auto", 1) is len
    assert LazyKernel(lambda: len, after=10**9).for_backend("numba", 0) is len
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *args: None)
    assert LazyKernel(lambda: len, after=1).for_backend("auto", 5) is None  # no numba: numpy
    with pytest.raises(MissingDependencyError, match="numba"):
        LazyKernel(lambda: len, after=1).for_backend("numba", 0)


@settings(max_examples=100)
@given(st.lists(st.lists(st.integers(0, 2**32 - 1) | st.integers(0, 5), max_size=12), max_size=8))
def test_the_sorted_hash_index_is_the_stable_argsort(paragraphs: list[list[int]]) -> None:
    from syndidetect.prepared import sorted_hash_index

    # Small values repeat within and across paragraphs: equal hashes must come in paragraph order.
    hashes = np.array([h for p in paragraphs for h in p], dtype=np.uint32)
    sizes = np.array([len(p) for p in paragraphs], dtype=np.int64)
    owner = np.repeat(np.arange(len(paragraphs), dtype=np.int32), sizes)
    order = np.argsort(hashes, kind="stable")
    found_hashes, found_owner = sorted_hash_index(hashes, sizes)
    assert found_hashes.dtype == np.uint32 and found_owner.dtype == np.uint16  # paragraph numbers that fit
    assert found_hashes.tolist() == hashes[order].tolist() and found_owner.tolist() == owner[order].tolist()


def test_paragraph_numbers_take_two_bytes_up_to_65536_paragraphs_and_four_beyond() -> None:
    from syndidetect.config import Config
    from syndidetect.documents import Document
    from syndidetect.prepared import prepare_documents, share_hash_indexes, sorted_hash_index

    for paragraphs, dtype in ((1 << 16, np.uint16), ((1 << 16) + 1, np.int32)):
        sizes = np.zeros(paragraphs, dtype=np.int64)
        sizes[[0, -1]] = 2  # the last paragraph's number is paragraphs - 1
        hashes = np.array([7, 3, 5, 3], dtype=np.uint32)
        found_hashes, numbers = sorted_hash_index(hashes, sizes)
        assert numbers.dtype == dtype
        assert found_hashes.tolist() == [3, 3, 5, 7] and numbers.tolist() == [0, paragraphs - 1, paragraphs - 1, 0]
    # Laid out together, the documents' numbers take one width: the widest any of them needs.
    story = "\n\n".join(STORY_WORDS)
    huge = "\n\n".join([story, *(f"w{k}" for k in range(1 << 16))])
    for texts, dtype in (([story, story], np.uint16), ([story, huge], np.int32)):
        docs = prepare_documents([Document(f"d{k}", t) for k, t in enumerate(texts)], Config())
        alone = [d.hash_index for d in prepare_documents([Document(f"d{k}", t) for k, t in enumerate(texts)], Config())]
        _, owners, _ = share_hash_indexes(docs)
        assert owners.dtype == dtype
        for doc, (h, o) in zip(docs, alone):
            assert doc.hash_index[0].tolist() == h.tolist() and doc.hash_index[1].tolist() == o.tolist()
        # A pair of the two widths counts as either alone (the kernel reads them as one type).
        counts = shared_counts_sorted(*docs[0].hash_index, docs[0].matchable, *docs[1].hash_index, docs[1].matchable)
        (ha, pa), (hb, pb) = alone
        assert counts.tolist() == shared_counts_sorted(ha, pa.astype(np.int32), docs[0].matchable, hb,
                                                       pb.astype(np.int32), docs[1].matchable).tolist()
        assert counts[: len(STORY_WORDS), : len(STORY_WORDS)].trace() > 0  # the story matches itself


def test_compiling_for_wide_paragraph_numbers_adds_their_kernels() -> None:
    compile_wide_numbers()
    for kernel in (MERGE_JOIN.compiled(), PAIRS_OVERLAP.compiled()):
        assert kernel is not None
        assert any("Array(int32" in str(signature) for signature in cast(Any, kernel).signatures)


def test_shared_hash_indexes_are_each_documents_own_as_views() -> None:
    from syndidetect.config import Config
    from syndidetect.documents import Document
    from syndidetect.prepared import prepare_documents, share_hash_indexes

    texts = ["One two three four five six seven eight.\n\nNine ten eleven twelve thirteen fourteen.",
             "", "Alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu."]
    alone = prepare_documents([Document(f"d{k}", t) for k, t in enumerate(texts)], Config())
    docs = prepare_documents([Document(f"d{k}", t) for k, t in enumerate(texts)], Config())
    docs[2].hash_index  # noqa: B018  (one built before: it is laid out too)
    hashes, owners, offsets = share_hash_indexes(docs)
    assert offsets.tolist() == np.cumsum([0] + [len(d.hashes) for d in docs]).tolist()
    assert len(docs[1].hashes) == 0 and len(hashes) == len(docs[0].hashes) + len(docs[2].hashes)
    for k, (doc, own) in enumerate(zip(docs, alone)):
        h, o = doc.hash_index
        assert h.tolist() == own.hash_index[0].tolist() and o.tolist() == own.hash_index[1].tolist()
        assert not len(h) or (np.shares_memory(h, hashes) and np.shares_memory(o, owners))  # the empty one: no bytes
        assert h.tolist() == hashes[offsets[k] : offsets[k + 1]].tolist()


@settings(max_examples=60)
@given(st.lists(st.lists(st.text("ab c\n", max_size=40), max_size=5), min_size=1, max_size=12),
       st.sampled_from([1, 7, 64, 1 << 16]), st.booleans())
def test_shared_hash_indexes_in_groups_are_each_documents_sorted_index(
        documents: list[list[str]], group: int, packed: bool) -> None:
    import syndidetect.prepared as prepared
    from syndidetect.config import Config
    from syndidetect.documents import Document

    # Few distinct words: equal hashes within and across paragraphs and documents; every size of
    # group, down to one hash (each document alone), and the path for keys too wide to pack.
    texts = ["\n\n".join(p) for p in documents]
    config = Config(shingle_size=1, min_words=1)
    docs = prepared.prepare_documents([Document(f"d{k}", t) for k, t in enumerate(texts)], config)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(prepared, "INDEX_GROUP_HASHES", group)
        patch.setattr(prepared, "INDEX_TAG_BITS", 32 if packed else 0)
        hashes, owners, offsets = prepared.share_hash_indexes(docs)
    for k, doc in enumerate(docs):
        expected_hashes, expected_owners = prepared.sorted_hash_index(doc.hashes, doc.shingle_counts())
        assert hashes[offsets[k] : offsets[k + 1]].tolist() == expected_hashes.tolist()
        assert owners[offsets[k] : offsets[k + 1]].tolist() == expected_owners.tolist()
        assert doc.hash_index[0].tolist() == expected_hashes.tolist()


def test_a_sparse_packing_leaves_the_other_documents_empty() -> None:
    packed = Packed.sparse(5, np.array([1, 3]), [np.array([7, 8]), np.array([9])], np.uint64)
    assert packed.offsets.tolist() == [0, 0, 2, 2, 3, 3] and packed.flat.dtype == np.uint64
    assert [packed[d].tolist() for d in range(5)] == [[], [7, 8], [], [9], []]
    assert Packed.sparse(2, np.zeros(0, dtype=np.int64), [], np.bool_).offsets.tolist() == [0, 0, 0]


def test_pair_members_are_the_distinct_objects_by_identity() -> None:
    from syndidetect._kernels.packed import pair_members

    x, y, z = [1], [1], [2]  # x and y equal, two objects
    docs, left, right = pair_members([x, y, x], [z, x, y])
    assert len(docs) == 3 and {id(d) for d in docs} == {id(x), id(y), id(z)}
    assert [(docs[a], docs[b]) for a, b in zip(left.tolist(), right.tolist())] == [(x, z), (y, x), (x, y)]
    assert [docs[a] is p for a, p in zip(left.tolist(), [x, y, x])] == [True] * 3
    assert [docs[b] is p for b, p in zip(right.tolist(), [z, x, y])] == [True] * 3
    none: list[list[int]] = []
    empty, no_left, no_right = pair_members(none, none)
    assert (len(empty), len(no_left), len(no_right)) == (0, 0, 0)
