"""Greedy string tiling of two word streams in one compiled pass (passages of verification).

:func:`syndidetect.align.diagonal_runs` finds the runs of equal grams with a dozen numpy calls and
:func:`syndidetect.align.tile` tiles them with a Python heap; for a pair sharing text that took
milliseconds. The kernel finds the same runs (each match point without a match point before it on
its diagonal starts one) and tiles them in the same order as its heap (longest first, then by position
in the first stream, then in the second), so its tiles are those of the two functions, which stay
the reference it is tested against.

:func:`_passages` goes on in the same call to the passages :func:`syndidetect.align.align` keeps:
the tiles chained, their one-gram ends trimmed, each passage's content and longest stretch summed
(Python built an object a tile and summed each a few times: judging a pair of 20-paragraph
documents took 0.47-0.53 ms before, 0.39-0.41 ms after). ``align``'s Python path is its reference.

Layout: about 400 lines kept as one module because it is one compiled call: numba finds a kernel's
helpers (the grams' hash index and common values, the heap, the chaining) among the kernel
module's globals, rebound to their compiled versions by :func:`_build`; the next split would take
the heap out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from syndidetect._kernels.jit import compile_cached
from syndidetect._kernels.lazy import CompileCost, LazyKernel
from syndidetect.wordstream import GRAM_MIDDLE

_Tiles = npt.NDArray[np.int64]


def _gram_index(grams: Any, common: Any, counts: Any) -> Any:  # pragma: no cover - compiled
    """Per gram: its index in the sorted ``common``, or -1; ``counts`` gets the occurrences.

    Looked up in an open-addressing hash table of ``common`` (at most half full, a slot the
    Fibonacci hash of the gram): one or two probes a gram in a table that stays in cache, where a
    binary search took a dozen unpredictable steps (it was over half the kernel's time on pairs of
    20-paragraph documents)."""
    bits = 1
    while (1 << bits) < 2 * common.shape[0]:
        bits += 1
    mask = (1 << bits) - 1
    slots = np.full(1 << bits, -1, dtype=np.int64)  # an index into common, or -1: empty
    for k in range(common.shape[0]):
        slot = _slot(common[k], bits)
        while slots[slot] >= 0:
            slot = (slot + 1) & mask
        slots[slot] = k
    index = np.empty(grams.shape[0], dtype=np.int64)
    for i in range(grams.shape[0]):
        slot = _slot(grams[i], bits)
        found = -1
        while slots[slot] >= 0:
            if common[slots[slot]] == grams[i]:
                found = slots[slot]
                break
            slot = (slot + 1) & mask
        index[i] = found
        if found >= 0:
            counts[found] += 1
    return index


def _slot(gram: Any, bits: int) -> Any:  # pragma: no cover - compiled
    """The home slot of ``gram`` in a table of ``2**bits`` slots: the top bits of its product with
    2**64 / phi (Fibonacci hashing), so every bit of the gram moves the slot."""
    return np.int64((np.uint64(gram) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(64 - bits))


def _before(heap: Any, x: int, y: int) -> bool:  # pragma: no cover - compiled
    """Whether heap row ``x`` pops before row ``y``: longer first, then by ``a``, then by ``b``."""
    if heap[x, 0] != heap[y, 0]:
        return bool(heap[x, 0] > heap[y, 0])
    if heap[x, 1] != heap[y, 1]:
        return bool(heap[x, 1] < heap[y, 1])
    return bool(heap[x, 2] < heap[y, 2])


def _swap(heap: Any, x: int, y: int) -> None:  # pragma: no cover - compiled
    for c in range(3):
        heap[x, c], heap[y, c] = heap[y, c], heap[x, c]


def _room(rows: Any, used: int, wanted: int) -> Any:  # pragma: no cover - compiled
    """``rows`` (2-d) with room for ``wanted`` rows, its first ``used`` kept: doubled when short."""
    if wanted <= rows.shape[0]:
        return rows
    grown = np.empty((max(2 * rows.shape[0], wanted), rows.shape[1]), dtype=rows.dtype)
    grown[:used] = rows[:used]
    return grown


def _push(heap: Any, size: int, length: int, a: int, b: int) -> Any:  # pragma: no cover - compiled
    """``heap`` (grown when full) with ``(length, a, b)`` added as row ``size``, sifted up."""
    heap = _room(heap, size, size + 1)
    heap[size, 0], heap[size, 1], heap[size, 2] = length, a, b
    x = size
    while x > 0 and _before(heap, x, (x - 1) // 2):
        _swap(heap, x, (x - 1) // 2)
        x = (x - 1) // 2
    return heap


def _pop(heap: Any, size: int) -> None:  # pragma: no cover - compiled
    """Move the first of the ``size`` rows to row ``size - 1`` and sift the rest down."""
    _swap(heap, 0, size - 1)
    size -= 1
    x = 0
    while True:
        first = x
        if 2 * x + 1 < size and _before(heap, 2 * x + 1, first):
            first = 2 * x + 1
        if 2 * x + 2 < size and _before(heap, 2 * x + 2, first):
            first = 2 * x + 2
        if first == x:
            return
        _swap(heap, x, first)
        x = first


def _tiles(ga: Any, gb: Any, common: Any, n: int, tokens_a: int, tokens_b: int,
           max_repeat: int) -> Any:  # pragma: no cover - compiled
    m = common.shape[0]
    count_a = np.zeros(m, dtype=np.int64)
    count_b = np.zeros(m, dtype=np.int64)
    index_a = _gram_index(ga, common, count_a)
    index_b = _gram_index(gb, common, count_b)
    keep = np.empty(m, dtype=np.bool_)
    offsets = np.zeros(m + 1, dtype=np.int64)  # the positions of each common gram in gb
    filled = np.empty(m, dtype=np.int64)
    for k in range(m):
        # A gram repeated more than max_repeat times on one side gives no match points (MAX_REPEAT).
        keep[k] = count_a[k] <= max_repeat and count_b[k] <= max_repeat
        offsets[k + 1] = offsets[k] + count_b[k]
        filled[k] = offsets[k]
    positions = np.empty(offsets[m], dtype=np.int64)
    for j in range(gb.shape[0]):
        k = index_b[j]
        if k >= 0:
            positions[filled[k]] = j
            filled[k] += 1
    heap = np.empty((16, 3), dtype=np.int64)  # rows (length, a, b), a binary heap (see _before)
    size = 0
    for i in range(ga.shape[0]):
        k = index_a[i]
        if k < 0 or not keep[k]:
            continue
        for p in range(offsets[k], offsets[k + 1]):
            j = positions[p]
            if i > 0 and j > 0 and ga[i - 1] == gb[j - 1] and keep[index_a[i - 1]]:
                continue  # (i - 1, j - 1) matches too: the run starts before
            length = 1
            while (i + length < ga.shape[0] and j + length < gb.shape[0] and ga[i + length] == gb[j + length]
                   and keep[index_a[i + length]]):
                length += 1
            heap = _push(heap, size, length, i, j)
            size += 1
    used_a = np.zeros(tokens_a, dtype=np.bool_)
    used_b = np.zeros(tokens_b, dtype=np.bool_)
    tile_of = np.empty(tokens_a, dtype=np.int64)  # the tile starting at each word of a, or -1
    for x in range(tokens_a):
        tile_of[x] = -1
    out = np.empty((size, 3), dtype=np.int64)
    found = 0
    while size:
        _pop(heap, size)
        size -= 1
        length, a, b = heap[size, 0], heap[size, 1], heap[size, 2]
        clear = True
        for x in range(length + n - 1):
            if used_a[a + x] or used_b[b + x]:
                clear = False
                break
        if clear:
            out = _room(out, found, found + 1)
            out[found, 0], out[found, 1], out[found, 2] = a, b, length
            tile_of[a] = found
            found += 1
            for x in range(length + n - 1):
                used_a[a + x] = True
                used_b[b + x] = True
            continue
        start = -1  # the free grams (no used word on either side) in runs, pushed back
        for x in range(length + 1):
            free = bool(x < length)
            if free:
                for y in range(n):
                    if used_a[a + x + y] or used_b[b + x + y]:
                        free = False
                        break
            if free and start < 0:
                start = x
            elif not free and start >= 0:
                heap = _push(heap, size, x - start, a + start, b + start)
                size += 1
                start = -1
    tiles = np.empty((found, 3), dtype=np.int64)  # in order of a (a word of a is in one tile)
    row = 0
    for a in range(tokens_a):
        if tile_of[a] >= 0:
            for c in range(3):
                tiles[row, c] = out[tile_of[a], c]
            row += 1
    return tiles


def _common(da: Any, db: Any) -> Any:  # pragma: no cover - compiled
    """The values both sorted, distinct arrays hold, sorted (``arrays.common``): two merges at once,
    below ``GRAM_MIDDLE`` and above (the upper one writes after room for the lower one's values, then
    moves them down), with no branch the data decides. One merge with a branch to the smaller side
    took 11.2 us a pair of 1,400-gram sides, this 3.9 (one thread). Its steps are written out, as
    in ``overlap._merge_join``, where a function for a step was far slower."""
    first_a = int(np.searchsorted(da, GRAM_MIDDLE))
    first_b = int(np.searchsorted(db, GRAM_MIDDLE))
    room = min(first_a, first_b)
    out = np.empty(room + min(da.shape[0] - first_a, db.shape[0] - first_b), dtype=da.dtype)
    i, j, k, m = 0, 0, first_a, first_b
    low, high = 0, room
    while i < first_a and j < first_b and k < da.shape[0] and m < db.shape[0]:
        a = da[i]
        b = db[j]
        out[low] = a
        low += a == b
        i += a <= b
        j += b <= a
        a = da[k]
        b = db[m]
        out[high] = a
        high += a == b
        k += a <= b
        m += b <= a
    low = _common_into(da, i, first_a, db, j, first_b, out, low)
    high = _common_into(da, k, da.shape[0], db, m, db.shape[0], out, high)
    out[low : low + high - room] = out[room:high]
    return out[: low + high - room]


def _common_into(da: Any, i: int, i_end: int, db: Any, j: int, j_end: int, out: Any,
                 found: int) -> int:  # pragma: no cover - compiled
    """The values ``da[i:i_end]`` and ``db[j:j_end]`` share, written from ``out[found]`` on (a value
    is written there before it is known shared); returns past the last."""
    while i < i_end and j < j_end:
        a = da[i]
        b = db[j]
        out[found] = a
        found += a == b
        i += a <= b
        j += b <= a
    return found


def _counted(running: Any, start: int, end: int) -> int:  # pragma: no cover - compiled
    """``align.counted_in``: the counted grams of ``[start, end)``, clipped as a slice is."""
    end = min(end, running.shape[0] - 1)
    return int(running[end] - running[start]) if end > start else 0


def _chained(tiles: Any, n: int, max_gap: int) -> tuple[Any, int]:  # pragma: no cover - compiled
    """``align.chain``: the passage of each tile (tiles sorted by ``a``), passages numbered in order
    of their first tile, and how many there are. Each tile joins the open passage whose last tile it
    follows within ``max_gap`` words on both sides with the smallest gap, the first such on a tie."""
    passage_of = np.empty(tiles.shape[0], dtype=np.int64)
    last = np.empty(tiles.shape[0], dtype=np.int64)  # the last tile of each passage so far
    count = 0
    for k in range(tiles.shape[0]):
        best, best_gap = -1, max_gap + 1
        for p in range(count):
            t = last[p]
            gap_a = tiles[k, 0] - (tiles[t, 0] + tiles[t, 2] + n - 1)
            gap_b = tiles[k, 1] - (tiles[t, 1] + tiles[t, 2] + n - 1)
            if 0 <= gap_a <= max_gap and 0 <= gap_b <= max_gap and max(gap_a, gap_b) < best_gap:
                best, best_gap = p, max(gap_a, gap_b)
        if best < 0:
            best = count
            count += 1
        passage_of[k] = best
        last[best] = k
    return passage_of, count


def _passages(ga: Any, gb: Any, da: Any, db: Any, n: int, tokens_a: int, tokens_b: int, max_repeat: int,
              ra: Any, rb: Any, max_gap: int, min_grams: int, typo_words: int,
              typo_skew: int) -> tuple[Any, Any, Any]:  # pragma: no cover - compiled
    """``align.align`` after its early test, up to the passages' fields: the tiles (sorted by ``a``),
    the tiles of the kept passages (indices, passage after passage, each in order of ``a``) and one
    row per kept passage, in order of its first tile: ``(first member, end member, a start, a end,
    b start, b end, shared, content a, content b, stretch)``."""
    tiles = _tiles(ga, gb, _common(da, db), n, tokens_a, tokens_b, max_repeat)
    passage_of, count = _chained(tiles, n, max_gap)
    starts = np.zeros(count + 1, dtype=np.int64)  # the passages' tiles grouped, each in order of a
    for k in range(tiles.shape[0]):
        starts[passage_of[k] + 1] += 1
    for p in range(count):
        starts[p + 1] += starts[p]
    members = np.empty(tiles.shape[0], dtype=np.int64)
    filled = starts[:count].copy()
    for k in range(tiles.shape[0]):
        members[filled[passage_of[k]]] = k
        filled[passage_of[k]] += 1
    rows = np.empty((count, 10), dtype=np.int64)
    kept = 0
    for p in range(count):
        first, end = starts[p], starts[p + 1]
        # align._trimmed: a one-gram tile may extend a passage but not start or end one
        while first < end and tiles[members[first], 2] == 1:
            first += 1
        while end > first and tiles[members[end - 1], 2] == 1:
            end -= 1
        if first == end:
            continue
        content_a = content_b = shared = 0
        for x in range(first, end):
            t = members[x]
            content_a += _counted(ra, tiles[t, 0], tiles[t, 0] + tiles[t, 2])
            content_b += _counted(rb, tiles[t, 1], tiles[t, 1] + tiles[t, 2])
            shared += tiles[t, 2]
        if min(content_a, content_b) < min_grams:
            continue
        # align.longest_stretch: runs of tiles split where an edit is more than a typo
        stretch, head = 0, members[first]
        for x in range(first, end):
            t = members[x]
            if x + 1 < end:
                u = members[x + 1]
                gap_a = tiles[u, 0] - (tiles[t, 0] + tiles[t, 2] + n - 1)
                gap_b = tiles[u, 1] - (tiles[t, 1] + tiles[t, 2] + n - 1)
                if max(gap_a, gap_b) <= typo_words and abs(gap_a - gap_b) <= typo_skew:
                    continue
            grams = min(_counted(ra, tiles[head, 0], tiles[t, 0] + tiles[t, 2]),
                        _counted(rb, tiles[head, 1], tiles[t, 1] + tiles[t, 2]))
            stretch = max(stretch, grams)
            if x + 1 < end:
                head = members[x + 1]
        opening, last = members[first], members[end - 1]
        rows[kept, 0], rows[kept, 1] = first, end
        rows[kept, 2], rows[kept, 3] = tiles[opening, 0], tiles[last, 0] + tiles[last, 2] + n - 1
        rows[kept, 4], rows[kept, 5] = tiles[opening, 1], tiles[last, 1] + tiles[last, 2] + n - 1
        rows[kept, 6], rows[kept, 7], rows[kept, 8], rows[kept, 9] = shared, content_a, content_b, stretch
        kept += 1
    return tiles, members, rows[:kept]


def _passages_of_pairs(grams: Any, grams_at: Any, distinct: Any, distinct_at: Any, running: Any, running_at: Any,
                       words: Any, left: Any, right: Any, n: int, max_repeat: int, max_gap: int, min_grams: int,
                       typo_words: int, typo_skew: int, first: int,
                       step: int) -> tuple[Any, Any, Any, Any]:  # pragma: no cover - compiled
    """:func:`_passages` of the pairs ``k = first, first + step, ...`` of packed documents (document
    ``x``: its stream's grams ``grams[grams_at[x]:grams_at[x + 1]]``, their distinct values, its
    running counts, ``words[x]`` words), their outputs one pair after the other: ``(tiles, members,
    rows, bounds)``, the ``i``-th of these pairs' tiles and members from ``bounds[i, 0]`` to
    ``bounds[i + 1, 0]`` (a pair's members number its own tiles), its rows from ``bounds[i, 1]``."""
    count = max(0, (left.shape[0] - first + step - 1) // step)
    bounds = np.zeros((count + 1, 2), dtype=np.int64)
    tiles_out = np.empty((64, 3), dtype=np.int64)
    members_out = np.empty((64, 1), dtype=np.int64)
    rows_out = np.empty((16, 10), dtype=np.int64)
    for i in range(count):
        x, y = left[first + i * step], right[first + i * step]
        tiles, members, rows = _passages(
            grams[grams_at[x] : grams_at[x + 1]], grams[grams_at[y] : grams_at[y + 1]],
            distinct[distinct_at[x] : distinct_at[x + 1]], distinct[distinct_at[y] : distinct_at[y + 1]], n,
            words[x], words[y], max_repeat, running[running_at[x] : running_at[x + 1]],
            running[running_at[y] : running_at[y + 1]], max_gap, min_grams, typo_words, typo_skew)
        at, row_at = bounds[i, 0], bounds[i, 1]
        tiles_out = _room(tiles_out, at, at + tiles.shape[0])
        members_out = _room(members_out, at, at + tiles.shape[0])
        rows_out = _room(rows_out, row_at, row_at + rows.shape[0])
        for t in range(tiles.shape[0]):
            for c in range(3):
                tiles_out[at + t, c] = tiles[t, c]
            members_out[at + t, 0] = members[t]
        for r in range(rows.shape[0]):
            for c in range(10):
                rows_out[row_at + r, c] = rows[r, c]
        bounds[i + 1, 0], bounds[i + 1, 1] = at + tiles.shape[0], row_at + rows.shape[0]
    return tiles_out[: bounds[count, 0]], members_out[: bounds[count, 0], 0], rows_out[: bounds[count, 1]], bounds


class TilingKernels(NamedTuple):
    tiles: Callable[..., _Tiles]  # the tiling alone (what ``passages`` calls; tested against align.tile)
    passages: Callable[..., tuple[_Tiles, npt.NDArray[np.int64], npt.NDArray[np.int64]]]
    # ``passages`` of many pairs of packed documents in one call (verification's batches)
    passages_of_pairs: Callable[..., tuple[_Tiles, npt.NDArray[np.int64], npt.NDArray[np.int64],
                                           npt.NDArray[np.int64]]]


def _build() -> TilingKernels:
    # numba resolves a kernel's callees among the module's globals when it compiles the kernel.
    for helper in (_slot, _gram_index, _before, _swap, _room, _push, _pop, _common_into, _common, _counted,
                   _chained):
        globals()[helper.__name__] = compile_cached(helper, nogil=True)
    tiles = compile_cached(_tiles, nogil=True)
    globals()["_tiles"] = tiles
    passages = compile_cached(_passages, nogil=True)
    globals()["_passages"] = passages
    return TilingKernels(tiles, passages, compile_cached(_passages_of_pairs, nogil=True))


# Requests before compiling: the kernel saves ~0.6 ms per pair sharing text over the numpy path and
# costs ~11.5 s to compile on a fresh install (7.3 s before it chained the tiles; ~10 ms to load
# from numba's cache; measured on the 2-core benchmark machine): the seeds and one-article checks
# stay on numpy, corpora compile it.
# Timed again in the seventy-second round (a `/tmp` script: the same detection of `benchmarks.peers`'
# 20,000 paragraphs, 20 a document, with every kernel's numpy path, then compiled): 0.33 ms a pair (0.29
# ms one paragraph a document); numba's cache lacking the kernel, it waits for the work that repays its
# compile.
TILES = LazyKernel(_build, after=32, cost=CompileCost(seconds=11.5, saved=0.33e-3))
