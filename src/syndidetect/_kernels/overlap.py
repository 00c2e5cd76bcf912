"""Shared-shingle counts between the paragraphs of two documents: a merge join in numba.

Verification calls this once or twice per candidate document pair; numpy's searchsorted version
(kept in :func:`shared_counts_numpy` as the reference) spends most of its time on call overhead and
binary searches that a single merge over two sorted arrays does not need. The same pass tells
whether the pair can share anything at all (:func:`pair_overlap`): nearly all candidate pairs
share no paragraph and no passage, and verification rejects them on these two numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

from syndidetect._kernels.jit import compile_cached
from syndidetect._kernels.lazy import CompileCost, LazyKernel
from syndidetect._kernels.packed import Packed
from syndidetect._kernels.threads import kernel_on_threads, threads_for
from syndidetect._types import ParagraphNumbers
from syndidetect.arrays import range_positions
from syndidetect.wordstream import GRAM_MIDDLE

_Counts = npt.NDArray[np.int64]
# No grams to intersect: shared_counts_sorted uses the kernel's paragraph half only.
_NO_GRAMS = np.zeros(0, dtype=np.uint64)


def shared_counts_numpy(
    ha: npt.NDArray[np.uint32], pa: ParagraphNumbers, hb: npt.NDArray[np.uint32], pb: ParagraphNumbers,
    na: int, nb: int,
) -> _Counts:
    """``m[i, j]``: how many hashes owned by paragraph i in ``(ha, pa)`` are owned by j in
    ``(hb, pb)``; ``hb`` sorted, each paragraph's hashes unique."""
    low = np.searchsorted(hb, ha, "left")
    count = np.searchsorted(hb, ha, "right") - low
    positions = range_positions(low, count)
    flat = np.repeat(pa.astype(np.int64), count) * nb + pb[positions]  # int32 owners: na * nb may not fit
    return np.bincount(flat, minlength=na * nb).reshape(na, nb)


# A pair's shared counts are a dense matrix, 8 bytes a paragraph pair, up to this many entries (32
# MB: two documents of 2,048 paragraphs); past it they are counted entry by entry
# (:func:`shared_entries`). The matrix grows with the product of the documents' lengths (3.2 GB for
# two books of 20,000 paragraphs), the entries with the shingles the documents share.
DENSE_ENTRIES = 1 << 22


def is_dense(na: int, nb: int) -> bool:
    """Whether the shared counts of documents of ``na`` and ``nb`` paragraphs are a dense matrix."""
    return na * nb <= DENSE_ENTRIES


def shared_entries(
    ha: npt.NDArray[np.uint32], pa: ParagraphNumbers, ma: npt.NDArray[np.bool_],
    hb: npt.NDArray[np.uint32], pb: ParagraphNumbers, mb: npt.NDArray[np.bool_],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], _Counts]:
    """The nonzero entries ``(rows, cols, counts)`` of :func:`shared_counts_sorted`'s matrix, sorted
    by row, then column, counted without the matrix: its time and memory grow with the hashes the
    two sides share, not with the product of their paragraphs."""
    (ha, pa), (hb, pb) = _kept(ha, pa, ma), _kept(hb, pb, mb)
    low = np.searchsorted(hb, ha, "left")
    count = np.searchsorted(hb, ha, "right") - low
    nb = len(mb)
    keys = np.repeat(pa.astype(np.int64), count) * nb + pb[range_positions(low, count)]
    keys, counts = np.unique(keys, return_counts=True)
    return keys // nb, keys % nb, counts.astype(np.int64, copy=False)


def _equal_run(ha: Any, pa: Any, ma: Any, hb: Any, pb: Any, mb: Any, out: Any, i: int, j: int,
               most: int) -> tuple[int, int, int]:  # pragma: no cover - compiled
    """``ha[i] == hb[j]``: the run of that hash on each side pairs every owner on one side with every
    owner on the other, owners that ``ma`` / ``mb`` flag only; returns past both runs, and ``most``
    raised to the largest count it reached."""
    value = ha[i]
    i_end = i
    while i_end < ha.shape[0] and ha[i_end] == value:
        i_end += 1
    j_end = j
    while j_end < hb.shape[0] and hb[j_end] == value:
        j_end += 1
    for x in range(i, i_end):
        if ma[pa[x]]:
            for y in range(j, j_end):
                if mb[pb[y]]:
                    out[pa[x], pb[y]] += 1
                    most = max(most, out[pa[x], pb[y]])
    return i_end, j_end, most


def _walk(ha: Any, pa: Any, ma: Any, hb: Any, pb: Any, mb: Any, out: Any, i: int, i_end: int, j: int, j_end: int,
          most: int) -> int:  # pragma: no cover - compiled
    """The merge of ``ha[i:i_end]`` and ``hb[j:j_end]`` (:func:`_merge_join`'s, on one range)."""
    while i < i_end and j < j_end:
        a = ha[i]
        b = hb[j]
        if a != b:  # nearly always: advance the smaller side without a second, unpredictable branch
            i += a < b
            j += b < a
        else:
            i, j, most = _equal_run(ha, pa, ma, hb, pb, mb, out, i, j, most)
    return most


def _merge_join(ha: Any, pa: Any, ma: Any, hb: Any, pb: Any, mb: Any, out: Any, ga: Any,
                gb: Any) -> tuple[int, int]:  # pragma: no cover - compiled
    """Both hash arrays sorted: walk them together; a run of equal hashes pairs every owner on
    one side with every owner on the other, owners that ``ma`` / ``mb`` flag only. Returns the
    largest count, and the size of the intersection of the sorted distinct ``ga`` and ``gb``.

    Two merges at once, the hashes below ``_HALF`` and those above, step for step: each step of a
    merge waits for the loads its last step chose, so one merge left the core idle most of the time.
    Measured on the 20-paragraph documents of ``benchmarks.corpus`` (about 1,160 hashes each),
    20,000 pairs, one thread: 6.72-6.78 us a pair for one merge, 3.99-4.06 for two, 3.74-4.04 for
    four, 4.6 for eight. The two steps are written out: with one function for a step (compiled by
    numba with ``inline="always"`` or without), a pair took 67-90 us. Counts only grow, so the
    largest of the counts is the largest they reached, in any order."""
    first_a = int(np.searchsorted(ha, _HALF))
    first_b = int(np.searchsorted(hb, _HALF))
    i, j, k, m = 0, 0, first_a, first_b
    most = 0
    while i < first_a and j < first_b and k < ha.shape[0] and m < hb.shape[0]:
        a = ha[i]
        b = hb[j]
        if a != b:
            i += a < b
            j += b < a
        else:
            i, j, most = _equal_run(ha, pa, ma, hb, pb, mb, out, i, j, most)
        a = ha[k]
        b = hb[m]
        if a != b:
            k += a < b
            m += b < a
        else:
            k, m, most = _equal_run(ha, pa, ma, hb, pb, mb, out, k, m, most)
    most = _walk(ha, pa, ma, hb, pb, mb, out, i, first_a, j, first_b, most)
    most = _walk(ha, pa, ma, hb, pb, mb, out, k, ha.shape[0], m, hb.shape[0], most)
    # The grams likewise, in two merges, below ``GRAM_MIDDLE`` and above: 4.96 -> 2.73 us a pair of
    # sides of 1,100 grams each (20,000 pairs, one thread).
    first_a = int(np.searchsorted(ga, GRAM_MIDDLE))
    first_b = int(np.searchsorted(gb, GRAM_MIDDLE))
    i, j, k, m = 0, 0, first_a, first_b
    common = 0
    while i < first_a and j < first_b and k < ga.shape[0] and m < gb.shape[0]:
        a = ga[i]
        b = gb[j]
        common += a == b
        i += a <= b
        j += b <= a
        a = ga[k]
        b = gb[m]
        common += a == b
        k += a <= b
        m += b <= a
    common += _common(ga, i, first_a, gb, j, first_b) + _common(ga, k, ga.shape[0], gb, m, gb.shape[0])
    return most, common


def _common(ga: Any, i: int, i_end: int, gb: Any, j: int, j_end: int) -> int:  # pragma: no cover - compiled
    """How many values ``ga[i:i_end]`` and ``gb[j:j_end]`` share, both sorted and distinct."""
    common = 0
    while i < i_end and j < j_end:  # distinct values: advance past the smaller, or both
        a = ga[i]
        b = gb[j]
        common += a == b
        i += a <= b
        j += b <= a
    return common


# The hash that splits :func:`_merge_join`'s two merges of shingle hashes: xxh32 hashes spread evenly
# over 32 bits (its grams split at ``GRAM_MIDDLE``).
_HALF = np.uint32(1 << 31)


@cache
def _compiled_join() -> Callable[..., tuple[int, int]]:
    """:func:`_merge_join`, compiled once for both kernels that call it. numba resolves a kernel's
    callees among the module's globals when it compiles the kernel: its helpers are rebound to
    their compiled dispatchers first."""
    for helper in (_equal_run, _walk, _common):
        globals()[helper.__name__] = compile_cached(helper, nogil=True, inline="always")
    compiled: Callable[..., tuple[int, int]] = compile_cached(_merge_join, nogil=True)
    return compiled


# Requests before compiling: the kernel saves ~40 us a call over the numpy path and costs ~1.3 s to
# compile on a fresh install (measured on the 2-core benchmark machine), so a job of a few hundred
# candidate pairs (one article against an index) never compiles it; later runs load it from
# numba's cache.
# Into an empty cache: 2.9 s to compile (a `/tmp` script logging numba's compile events, one
# process, the seventy-second round); numba's cache lacking it, it waits for the work that repays that.
# Timed again in the seventy-second round (a `/tmp` script: the same detection of `benchmarks.peers`'
# 20,000 paragraphs, 20 a document, with every kernel's numpy path, then compiled): 81 us a call (68 us
# one paragraph a document), the batch kernel left out.
MERGE_JOIN = LazyKernel(_compiled_join, after=1000, cost=CompileCost(seconds=2.9, saved=81e-6))


def _kept(hashes: npt.NDArray[np.uint32], owners: ParagraphNumbers,
          keep: npt.NDArray[np.bool_]) -> tuple[npt.NDArray[np.uint32], ParagraphNumbers]:
    flags = keep[owners]
    return hashes[flags], owners[flags]


def one_width(pa: ParagraphNumbers, pb: ParagraphNumbers) -> tuple[ParagraphNumbers, ParagraphNumbers]:
    """Two documents' paragraph numbers of one type: a pair of a document of more than 65,536
    paragraphs (int32) and one of fewer (uint16), rare, reads both as int32, so the kernel compiles
    for the two types only (:func:`compile_wide_numbers`), not for every mix of them."""
    if pa.dtype == pb.dtype:
        return pa, pb
    return pa.astype(np.int32), pb.astype(np.int32)


def shared_counts_sorted(
    ha: npt.NDArray[np.uint32], pa: ParagraphNumbers, ma: npt.NDArray[np.bool_],
    hb: npt.NDArray[np.uint32], pb: ParagraphNumbers, mb: npt.NDArray[np.bool_],
) -> _Counts:
    """As :func:`shared_counts_numpy` on the hashes of the paragraphs ``ma`` and ``mb`` flag (the
    others count 0), ``ha`` sorted too: a document's sorted index serves every mask, uncopied."""
    na, nb = len(ma), len(mb)
    kernel = MERGE_JOIN.get()
    if kernel is None:
        return shared_counts_numpy(*_kept(ha, pa, ma), *_kept(hb, pb, mb), na, nb)
    out = np.zeros((na, nb), dtype=np.int64)
    pa, pb = one_width(pa, pb)
    kernel(ha, pa, ma, hb, pb, mb, out, _NO_GRAMS, _NO_GRAMS)
    return out


def pair_overlap_numpy(
    ha: npt.NDArray[np.uint32], pa: ParagraphNumbers, ma: npt.NDArray[np.bool_],
    hb: npt.NDArray[np.uint32], pb: ParagraphNumbers, mb: npt.NDArray[np.bool_],
    ga: npt.NDArray[np.uint64], gb: npt.NDArray[np.uint64],
) -> tuple[int, int]:
    """``(most, common)``: the most hashes one flagged paragraph of ``(ha, pa)`` shares with one of
    ``(hb, pb)`` (0 when a side has no paragraph), and the size of the intersection of the sorted
    distinct ``ga`` and ``gb``."""
    counts = shared_counts_numpy(*_kept(ha, pa, ma), *_kept(hb, pb, mb), len(ma), len(mb))
    return int(counts.max()) if counts.size else 0, len(np.intersect1d(ga, gb, assume_unique=True))


def pair_overlap(
    ha: npt.NDArray[np.uint32], pa: ParagraphNumbers, ma: npt.NDArray[np.bool_],
    hb: npt.NDArray[np.uint32], pb: ParagraphNumbers, mb: npt.NDArray[np.bool_],
    ga: npt.NDArray[np.uint64], gb: npt.NDArray[np.uint64],
) -> tuple[int, int]:
    """As :func:`pair_overlap_numpy`: one compiled pass when numba is present, the entries alone
    (:func:`shared_entries`) past :data:`DENSE_ENTRIES`."""
    if not is_dense(len(ma), len(mb)):
        counts = shared_entries(ha, pa, ma, hb, pb, mb)[2]
        return int(counts.max()) if counts.size else 0, len(np.intersect1d(ga, gb, assume_unique=True))
    kernel = MERGE_JOIN.get()
    if kernel is None:
        return pair_overlap_numpy(ha, pa, ma, hb, pb, mb, ga, gb)
    pa, pb = one_width(pa, pb)
    most, common = kernel(ha, pa, ma, hb, pb, mb, np.zeros((len(ma), len(mb)), dtype=np.int64), ga, gb)
    return int(most), int(common)


def compile_wide_numbers() -> None:
    """Have numba compile the merge joins (:data:`MERGE_JOIN`, :data:`PAIRS_OVERLAP`) for paragraph
    numbers of int32 too, which only a document of more than 65,536 paragraphs uses (``syndidetect
    compile`` then leaves no kernel to compile at run time): a call of each on two tiny documents."""
    join, pairs_join = MERGE_JOIN.compiled(), PAIRS_OVERLAP.compiled()
    if join is None or pairs_join is None:
        return  # no numba: nothing to compile
    hashes, owners = np.array([1, 2], dtype=np.uint32), np.array([0, 0], dtype=np.int32)
    flags = np.ones(1, dtype=np.bool_)
    join(hashes, owners, flags, hashes, owners, flags, np.zeros((1, 1), dtype=np.int64), _NO_GRAMS, _NO_GRAMS)
    two = np.array([0, 2, 4], dtype=np.int64)
    pairs = np.array([0], dtype=np.int64), np.array([1], dtype=np.int64)
    pairs_join(np.tile(hashes, 2), two, np.tile(owners, 2), np.ones(2, dtype=np.bool_), np.arange(3, dtype=np.int64),
               _NO_GRAMS, np.zeros(3, dtype=np.int64), *pairs, np.empty((1, 2), dtype=np.int64),
               np.zeros(1, dtype=np.bool_), 1, 1, DENSE_ENTRIES, 0, 1)


def _join(*args: Any) -> tuple[int, int]:  # pragma: no cover - replaced by the compiled _merge_join
    return _merge_join(*args)


def _pairs_overlap(h: Any, hoff: Any, p: Any, m: Any, moff: Any, g: Any, goff: Any, left: Any, right: Any,
                   out: Any, forced: Any, least_most: int, least_common: int, largest: int, first: int,
                   step: int) -> tuple[Any, Any]:  # pragma: no cover - compiled
    """``out[k]``, the ``_merge_join`` rows (most, common), of the pairs ``k = first, first + step,
    ...`` of packed documents ``(left[k], right[k])``; and the counts matrix of each of them that
    ``forced[k]`` flags or whose ``most`` or ``common`` reaches ``least_most`` or ``least_common``,
    flattened one after the other, with where each starts (the ``i``-th of these pairs': -1 when
    not kept). A pair whose matrix would have more than ``largest`` entries is left to the caller:
    its row is ``(-1, -1)``, its matrix not kept."""
    count = max(0, (left.shape[0] - first + step - 1) // step)
    at = np.full(count, -1, dtype=np.int64)
    kept = np.empty(256, dtype=np.int64)
    used = 0
    for i in range(count):
        k = first + i * step
        x, y = left[k], right[k]
        if (moff[x + 1] - moff[x]) * (moff[y + 1] - moff[y]) > largest:
            out[k, 0], out[k, 1] = -1, -1
            continue
        counts = np.zeros((moff[x + 1] - moff[x], moff[y + 1] - moff[y]), dtype=np.int64)
        most, common = _join(h[hoff[x] : hoff[x + 1]], p[hoff[x] : hoff[x + 1]], m[moff[x] : moff[x + 1]],
                             h[hoff[y] : hoff[y + 1]], p[hoff[y] : hoff[y + 1]], m[moff[y] : moff[y + 1]],
                             counts, g[goff[x] : goff[x + 1]], g[goff[y] : goff[y + 1]])
        out[k, 0], out[k, 1] = most, common
        if forced[k] or most >= least_most or common >= least_common:
            if used + counts.size > kept.shape[0]:
                grown = np.empty(max(2 * kept.shape[0], used + counts.size), dtype=np.int64)
                grown[:used] = kept[:used]
                kept = grown
            kept[used : used + counts.size] = counts.ravel()
            at[i] = used
            used += counts.size
    return kept[:used], at


def _build_pairs() -> Callable[..., tuple[_Counts, npt.NDArray[np.int64]]]:
    globals()["_join"] = _compiled_join()  # as _compiled_join's helpers
    compiled: Callable[..., tuple[_Counts, npt.NDArray[np.int64]]] = compile_cached(_pairs_overlap, nogil=True)
    return compiled


# Pairs (over all batches) before compiling the batch kernel: ~1.5 s to compile on a fresh install
# (milliseconds from numba's cache) against ~10 us saved per pair over the per-pair calls, as for
# MERGE_JOIN; one article against an index or the seeds stay on the per-pair path.
# Into an empty cache: 4.1 s to compile with the join it calls (a `/tmp` script logging numba's
# compile events, one process, the seventy-second round); numba's cache lacking it, it waits for the
# work that repays that.
# Timed again in the seventy-second round (a `/tmp` script: the same detection of `benchmarks.peers`'
# 20,000 paragraphs, 20 a document, with every kernel's numpy path, then compiled): 10 us a pair over
# the per-pair calls of the compiled join, as above (36 us one paragraph a document).
PAIRS_OVERLAP = LazyKernel(_build_pairs, after=1000, cost=CompileCost(seconds=4.1, saved=10e-6))
# Pairs of a call below which one thread does all: a second thread costs about 0.1 ms to start, a
# pair of 20-paragraph documents about 4 us (1.5 s for 375,000 pairs screened at 200k paragraphs).
THREADED_PAIRS = 256


def pairs_overlap_numpy(hashes: Packed, owners: Packed, masks: Packed, grams: Packed,
                        left: npt.NDArray[np.int64], right: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Rows ``(most, common)`` of :func:`pair_overlap_numpy` for each pair ``(left[k], right[k])``
    of packed documents."""
    out = np.empty((len(left), 2), dtype=np.int64)
    for k, (x, y) in enumerate(zip(left.tolist(), right.tolist())):
        out[k] = pair_overlap_numpy(hashes[x], owners[x], masks[x], hashes[y], owners[y], masks[y], grams[x],
                                    grams[y])
    return out


def pairs_overlap(hashes: Packed, owners: Packed, masks: Packed, grams: Packed, left: npt.NDArray[np.int64],
                  right: npt.NDArray[np.int64], threads: int | None = None) -> npt.NDArray[np.int64]:
    """As :func:`pairs_overlap_numpy`, in one compiled call once :data:`PAIRS_OVERLAP` is compiled
    (before, pair by pair through :func:`pair_overlap`); ``threads``: at most this many."""
    never = np.iinfo(np.int64).max
    rows, _ = pairs_overlap_keeping(hashes, owners, masks, grams, left, right, np.zeros(len(left), dtype=np.bool_),
                                    never, never, threads)
    return rows


def pairs_overlap_keeping(hashes: Packed, owners: Packed, masks: Packed, grams: Packed,
                          left: npt.NDArray[np.int64], right: npt.NDArray[np.int64], forced: npt.NDArray[np.bool_],
                          least_most: int, least_common: int, threads: int | None = None
                          ) -> tuple[npt.NDArray[np.int64], list[_Counts | None]]:
    """:func:`pairs_overlap`'s rows, and the counts matrix (:func:`shared_counts_sorted`'s) of each
    pair ``forced`` flags or whose ``most`` or ``common`` reaches ``least_most`` or ``least_common``
    (None for the others, for all before the kernel is compiled, and for those past
    :data:`DENSE_ENTRIES`): the pairs a screen keeps go on to need that matrix, which the screen's
    merge join has just counted. ``threads``: at most this many (a caller already running beside
    another thread's work asks for one)."""
    kernel = PAIRS_OVERLAP.get(len(left))
    if kernel is None:
        rows = np.empty((len(left), 2), dtype=np.int64)
        for k, (x, y) in enumerate(zip(left.tolist(), right.tolist())):
            rows[k] = pair_overlap(hashes[x], owners[x], masks[x], hashes[y], owners[y], masks[y], grams[x], grams[y])
        return rows, [None] * len(left)
    out = np.empty((len(left), 2), dtype=np.int64)
    args = (hashes.flat, hashes.offsets, owners.flat, masks.flat, masks.offsets, grams.flat, grams.offsets, left,
            right, out, forced, least_most, least_common, DENSE_ENTRIES)
    most = threads_for(len(left), THREADED_PAIRS)
    threads = most if threads is None else min(most, threads)
    sizes = np.diff(masks.offsets)
    matrices: list[_Counts | None] = [None] * len(left)
    for first, (kept, starts) in enumerate(kernel_on_threads(kernel, args, threads)):
        for i, start in enumerate(starts.tolist()):
            if start >= 0:
                k = first + i * threads
                shape = (int(sizes[left[k]]), int(sizes[right[k]]))
                matrices[k] = kept[start : start + shape[0] * shape[1]].reshape(shape)
    for k in np.flatnonzero(out[:, 0] < 0).tolist():  # past DENSE_ENTRIES: counted entry by entry
        x, y = int(left[k]), int(right[k])
        out[k] = pair_overlap(hashes[x], owners[x], masks[x], hashes[y], owners[y], masks[y], grams[x], grams[y])
    # Some pairs this screen passes still count shared paragraphs one by one (shared_counts_sorted:
    # a copy's boilerplate matches, a pair only the sentence LSH found): counted here, a job this
    # large compiles MERGE_JOIN now, not after its first thousand pairs on the numpy path.
    MERGE_JOIN.get(len(left))
    return out, matrices
