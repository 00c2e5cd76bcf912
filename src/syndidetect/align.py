"""Passages two documents share, aligned on their word streams across paragraph boundaries.

1. Every word n-gram the two streams share gives match points ``(i, j)``; points on one diagonal
   at consecutive positions form a run (words shared in a row).
2. Greedy string tiling: runs are taken longest first, each word used at most once per side, a run
   that overlaps taken words shrinks to its free parts. A quotation repeated elsewhere on the page,
   or a list phrase repeated eight times, is then aligned once, where the longest run puts it.
3. Tiles are chained into passages across gaps of up to ``max_gap_words`` words on both sides, in
   order; a passage needs ``min_passage_grams`` grams of content (not boilerplate, not set aside).

Paragraph splitting only decides what a report shows: hard-wrapped, re-cut, flattened and
line-per-paragraph layouts of one text give one passage.

Layout: about 490 lines kept as one module because both paths of one definition live here: the
Python reference (runs, tiling, chaining, trimming, stretches), the wrappers of its compiled twin
(:mod:`syndidetect._kernels.tiling`) for one pair and for many (``align_many``), and the passage
type they both build, with the helpers they share (``_passage``, ``distinct_grams``). The next
split would take the Python reference out.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from syndidetect import arrays
from syndidetect._kernels.packed import Packed
from syndidetect._kernels.threads import kernel_on_threads, threads_for
from syndidetect._kernels.tiling import TILES, TilingKernels
from syndidetect.prepared import PreparedDocument
from syndidetect.rules import MatchKind, VerdictRules
from syndidetect.wordstream import grams_end_to_end

#: Per gram position, the counted grams before it (:func:`running_counts`).
Running: TypeAlias = npt.NDArray[np.int32]

# A gram found more often than this on one side (a refrain, a run of the same word) is not used as
# a match point: its points would grow with the product of both counts. Runs bridge over it.
MAX_REPEAT = 64
# Passages above which in_order takes numpy's steps (one a passage, ~20 us each) rather than plain
# loops (one a pair of passages, ~0.07 us each). A pair mostly has one to three passages: 7 against
# 41 us for two; the two meet near 300 passages (4.0 against 4.6 ms at 256, 9.2 against 7.0 ms at
# 384; random passages, this 2-core machine).
PLAIN_CHAIN = 256
# Pairs below which one thread tiles all of align_many's: a second thread costs about 0.1 ms to
# start, tiling a pair of 20-paragraph documents about 50 us.
THREADED_PAIRS = 8
_DISTINCT = "distinct grams"  # memo key, with n: a stream's distinct grams (distinct_grams, remember_distinct)


@dataclass(frozen=True)
class Tile:
    """Grams ``a .. a + length - 1`` of one stream equal grams ``b .. b + length - 1`` of the other."""

    a: int
    b: int
    length: int


@dataclass(frozen=True)
class AlignedPassage:
    """A chain of tiles. Token spans are half-open; ``shared`` counts grams in the tiles,
    ``content`` those of them outside boilerplate on each side, ``stretch`` the grams of its longest
    stretch that is word for word but for typo-sized edits (the grams such an edit breaks count)."""

    tiles: tuple[Tile, ...]
    a: tuple[int, int]
    b: tuple[int, int]
    shared: int
    content: tuple[int, int]
    stretch: int
    containment: float
    kind: MatchKind



def diagonal_runs(ga: npt.NDArray[np.uint64], gb: npt.NDArray[np.uint64],
                  shared: npt.NDArray[np.uint64] | None = None) -> npt.NDArray[np.int64]:
    """Maximal runs of equal grams, ``(a, b, length)`` rows (``shared``: the distinct grams both
    hold, when already known).

    >>> a = np.array([1, 2, 3, 9], dtype=np.uint64); b = np.array([7, 1, 2, 3], dtype=np.uint64)
    >>> diagonal_runs(a, b).tolist()
    [[0, 1, 3]]
    """
    shared = arrays.common(arrays.distinct(ga), arrays.distinct(gb)) if shared is None else shared
    empty = np.zeros((0, 3), dtype=np.int64)
    if not len(shared):
        return empty
    pos_a, counts_a = _positions(ga, shared)
    pos_b, counts_b = _positions(gb, shared)
    keep = (counts_a <= MAX_REPEAT) & (counts_b <= MAX_REPEAT)
    starts_a = np.concatenate(([0], np.cumsum(counts_a)[:-1]))[keep]
    starts_b = np.concatenate(([0], np.cumsum(counts_b)[:-1]))[keep]
    ca, cb = counts_a[keep], counts_b[keep]
    sizes = ca * cb
    if not sizes.sum():
        return empty
    group = np.repeat(np.arange(len(sizes)), sizes)
    within = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    i = pos_a[starts_a[group] + within // cb[group]]
    j = pos_b[starts_b[group] + within % cb[group]]
    diagonal = j - i
    order = np.lexsort((i, diagonal))
    i, diagonal = i[order], diagonal[order]
    new_run = np.ones(len(i), dtype=bool)
    new_run[1:] = (diagonal[1:] != diagonal[:-1]) | (i[1:] != i[:-1] + 1)
    starts = np.flatnonzero(new_run)
    lengths = np.diff(np.append(starts, len(i)))
    return np.stack([i[starts], i[starts] + diagonal[starts], lengths], axis=1).astype(np.int64)


def _positions(grams: npt.NDArray[np.uint64], shared: npt.NDArray[np.uint64]) -> tuple[
        npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Positions of the shared grams, grouped by gram (in the order of ``shared``), and counts."""
    where = np.flatnonzero(arrays.members(grams, shared))
    where = where[np.argsort(grams[where], kind="stable")]
    counts = np.diff(np.append(np.searchsorted(grams[where], shared, side="left"), len(where)))
    return where.astype(np.int64), counts.astype(np.int64)


def tile(runs: npt.NDArray[np.int64], tokens_a: int, tokens_b: int, n: int) -> list[Tile]:
    """Greedy string tiling of ``runs``: longest first, each token used once per side."""
    used_a = np.zeros(tokens_a, dtype=bool)
    used_b = np.zeros(tokens_b, dtype=bool)
    heap = [(-int(length), int(a), int(b)) for a, b, length in runs.tolist()]
    heapq.heapify(heap)
    tiles = []
    while heap:
        neg, a, b = heapq.heappop(heap)
        length = -neg
        span_a, span_b = used_a[a : a + length + n - 1], used_b[b : b + length + n - 1]
        if not span_a.any() and not span_b.any():
            tiles.append(Tile(a, b, length))
            span_a[:] = True
            span_b[:] = True
            continue
        taken = sliding_window_view(span_a, n).any(axis=1) | sliding_window_view(span_b, n).any(axis=1)
        free = np.logical_not(taken).astype(bool)
        for start, part in _segments(free):
            heapq.heappush(heap, (-part, a + start, b + start))
    return sorted(tiles, key=lambda t: (t.a, t.b))


def _segments(flags: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """``(start, length)`` of the runs of True in ``flags``."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], flags.astype(np.int8), [0]))))
    return [(int(s), int(e - s)) for s, e in zip(edges[::2], edges[1::2])]


def chain(tiles: list[Tile], n: int, max_gap: int) -> list[list[Tile]]:
    """Tiles (sorted by ``a``) chained into passages: the next tile of a passage starts after its
    end, on both sides, within ``max_gap`` words; of several open passages it joins the closest.

    A passage whose end lies more than ``max_gap`` words before a tile's start on the first side is
    closed: every later tile starts later. Only the open ones are tried (in the order they were
    opened, as all were), so two long documents sharing thousands of passages are chained in time
    linear in their tiles, not quadratic."""
    passages: list[list[Tile]] = []
    open_passages: list[list[Tile]] = []
    for t in tiles:
        best, best_gap = None, max_gap + 1
        still_open = []
        for p in open_passages:
            last = p[-1]
            gap_a = t.a - (last.a + last.length + n - 1)
            if gap_a > max_gap:
                continue  # closed for every later tile too
            still_open.append(p)
            gap_b = t.b - (last.b + last.length + n - 1)
            if gap_a >= 0 and 0 <= gap_b <= max_gap and max(gap_a, gap_b) < best_gap:
                best, best_gap = p, max(gap_a, gap_b)
        open_passages = still_open
        if best is None:
            passages.append([t])
            open_passages.append(passages[-1])
        else:
            best.append(t)
    return passages


def _trimmed(tiles: list[Tile]) -> list[Tile]:
    """Without one-gram tiles at either end: two unrelated texts share single n-grams by chance
    ("one of the"), so such a tile may extend a passage but not start or end one."""
    start, end = 0, len(tiles)
    while start < end and tiles[start].length == 1:
        start += 1
    while end > start and tiles[end - 1].length == 1:
        end -= 1
    return tiles[start:end]


def running_counts(mask: npt.NDArray[np.bool_]) -> Running:
    """``r[k]`` = flags set among ``mask[:k]``: any span's count in two look-ups (4 bytes a flag:
    verification keeps them per document, and a document holds far fewer than 2**31 grams)."""
    running: Running = np.zeros(len(mask) + 1, dtype=np.int32)
    np.cumsum(mask, out=running[1:])
    return running


class _EveryGramCounted:
    """Views of one array of ``True`` flags and one of running counts ``0, 1, 2, ...``, grown
    (replaced by a pair twice as long) when a longer stream asks: the counted flags and
    :func:`running_counts` of every stream whose grams all count, shared (5 bytes a gram each
    document would hold otherwise). Nothing writes them. They stay writeable all the same, as every
    array the kernels take: numba types a read-only array apart and would compile the tiling kernel
    once more for it (a second kernel that ``syndidetect compile`` might not have cached). The pair
    is read and replaced as one object, so threads making sides at once (Dask's) each cut their
    views from one pair; views handed out keep theirs."""

    def __init__(self) -> None:
        self._arrays = self._made(1024)

    @staticmethod
    def _made(size: int) -> tuple[npt.NDArray[np.bool_], Running]:
        return np.ones(size, dtype=np.bool_), np.arange(size, dtype=np.int32)

    def of(self, grams: int) -> tuple[npt.NDArray[np.bool_], Running]:
        """The flags and running counts of a stream of ``grams`` grams that all count."""
        flags, running = self._arrays
        if grams + 1 > len(running):
            flags, running = self._arrays = self._made(max(grams + 1, 2 * len(running)))
        return flags[:grams], running[: grams + 1]


every_gram_counted = _EveryGramCounted().of


def longest_stretch(tiles: list[Tile], n: int, counted: tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]],
                    rules: VerdictRules,
                    running: tuple[Running, Running] | None = None) -> int:
    """Content grams of the longest run of tiles separated by typo-sized edits (at most
    ``typo_words`` changed words on each side, their counts differing by at most ``typo_skew``),
    the grams those edits break included (``running``: the :func:`running_counts` of ``counted``)."""
    ra, rb = running if running is not None else (running_counts(counted[0]), running_counts(counted[1]))
    stretches, first = [], 0
    for k, (last, t) in enumerate(itertools.pairwise(tiles), start=1):
        gap_a, gap_b = t.a - (last.a + last.length + n - 1), t.b - (last.b + last.length + n - 1)
        if max(gap_a, gap_b) > rules.typo_words or abs(gap_a - gap_b) > rules.typo_skew:
            stretches.append((tiles[first], tiles[k - 1]))
            first = k
    stretches.append((tiles[first], tiles[-1]))
    return max(min(_counted(ra, head.a, tail.a + tail.length - head.a),
                   _counted(rb, head.b, tail.b + tail.length - head.b)) for head, tail in stretches)


def _counted(running: Running, start: int, length: int) -> int:
    return counted_in(running, start, start + length)


def counted_in(running: Running, start: int, end: int) -> int:
    """Flags set in ``mask[start:end]`` (clipped as a slice is), ``running`` the mask's
    :func:`running_counts`."""
    end = min(end, len(running) - 1)
    return int(running[end] - running[start]) if end > start else 0


# Grams of a pair of 20-paragraph documents of about 60 words a paragraph: the unit of work the
# tiling kernel's compile threshold (TILES, 32 of them) counts in.
PAIR_GRAMS = 2400


def align(
    a: PreparedDocument, b: PreparedDocument, counted: tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]],
    n: int, rules: VerdictRules,
    distinct: tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]] | None = None,
    running: tuple[Running, Running] | None = None,
    common: int | None = None,
) -> list[AlignedPassage]:
    """The passages ``a`` and ``b`` share, in order of ``a``.

    ``counted`` flags, per side, the grams that count as content (their first word lies in a
    matchable paragraph that is not boilerplate); text outside them joins a passage only beside
    content. ``distinct``: the distinct counted grams of each side, and ``running`` their
    :func:`running_counts`, when already known (verification keeps both per document); ``common``:
    how many distinct counted grams the sides share, when known (the early rejection counts them)."""
    if common is None:
        if distinct is None:
            distinct = (_distinct_counted(a, counted[0], n), _distinct_counted(b, counted[1], n))
        common = len(arrays.common(*distinct))
    if not may_hold_passage(common, rules):
        return []
    if running is None:
        running = (running_counts(counted[0]), running_counts(counted[1]))
    # Weighed in pairs of 20-paragraph documents (some 2,400 grams): one pair of long documents
    # promises the work of many, and the compiled tiles are worth loading for it.
    kernels = TILES.get(1 + (len(running[0]) + len(running[1])) // PAIR_GRAMS)
    if kernels is not None:
        return _compiled_passages(kernels, a, b, n, rules, running)
    sa, sb = a.stream(n), b.stream(n)
    both = arrays.common(distinct_grams(a, n), distinct_grams(b, n))
    found = []
    for tiles in chain(tile(diagonal_runs(sa.grams, sb.grams, both), len(sa), len(sb), n), n, rules.max_gap_words):
        tiles = _trimmed(tiles)
        if not tiles:
            continue
        content = (sum(_counted(running[0], t.a, t.length) for t in tiles),
                   sum(_counted(running[1], t.b, t.length) for t in tiles))
        if min(content) < rules.min_passage_grams:
            continue
        first, last = tiles[0], tiles[-1]
        span_a = (first.a, last.a + last.length + n - 1)
        span_b = (first.b, last.b + last.length + n - 1)
        stretch = longest_stretch(tiles, n, counted, rules, running)
        found.append(_passage(tuple(tiles), span_a, span_b, sum(t.length for t in tiles), content, stretch, n, rules))
    return found


def _compiled_passages(kernels: TilingKernels, a: PreparedDocument, b: PreparedDocument, n: int,
                       rules: VerdictRules, running: tuple[Running, Running]) -> list[AlignedPassage]:
    """:func:`align`'s passages from the compiled tiling, chaining and sums (the same passages:
    the Python path above is the reference it is tested against)."""
    sa, sb = a.stream(n), b.stream(n)
    tiles, members, rows = kernels.passages(
        sa.grams, sb.grams, distinct_grams(a, n), distinct_grams(b, n), n, len(sa), len(sb), MAX_REPEAT,
        running[0], running[1], rules.max_gap_words, rules.min_passage_grams, rules.typo_words, rules.typo_skew)
    return _kernel_passages(tiles, members, rows, n, rules)


def align_many(pairs: Sequence[tuple[PreparedDocument, PreparedDocument, tuple[Running, Running]]], n: int,
               rules: VerdictRules) -> list[list[AlignedPassage]] | None:
    """``align(a, b, counted, n, rules, running=running)`` of each ``(a, b, running)`` past align's
    early test (``running``: the :func:`running_counts` of the pair's ``counted``), tiled in one
    compiled call shared by two threads; None while the kernel is not compiled (align them one by
    one). Pair by pair, the call into the kernel cost about a tenth of its work, and the second core
    sat idle while verification's Python waited for it."""
    if not pairs:
        return []
    kernels = TILES.get(len(pairs))
    if kernels is None:
        return None
    numbers: dict[tuple[int, int], int] = {}  # a document with its running counts: one packed side
    sides: list[tuple[PreparedDocument, Running]] = []
    ends = np.empty((len(pairs), 2), dtype=np.int64)
    for k, (a, b, running) in enumerate(pairs):
        for end, (doc, side_counts) in enumerate(((a, running[0]), (b, running[1]))):
            side = numbers.setdefault((id(doc), id(side_counts)), len(sides))
            if side == len(sides):
                sides.append((doc, side_counts))
            ends[k, end] = side
    streams = [doc.stream(n) for doc, _ in sides]
    grams = Packed.of(*grams_end_to_end(streams))
    distinct = Packed([distinct_grams(doc, n) for doc, _ in sides], np.uint64)
    counts = Packed([running for _, running in sides], np.int32)
    words = np.array([len(s) for s in streams], dtype=np.int64)
    args = (grams.flat, grams.offsets, distinct.flat, distinct.offsets, counts.flat, counts.offsets,
            words, ends[:, 0].copy(), ends[:, 1].copy(), n, MAX_REPEAT, rules.max_gap_words, rules.min_passage_grams,
            rules.typo_words, rules.typo_skew)
    threads = threads_for(len(pairs), THREADED_PAIRS)
    shares = kernel_on_threads(kernels.passages_of_pairs, args, threads)
    found: list[list[AlignedPassage]] = [[] for _ in pairs]
    for first, (tiles, members, rows, bounds) in enumerate(shares):
        for i, ((t0, r0), (t1, r1)) in enumerate(itertools.pairwise(bounds.tolist())):
            found[first + i * threads] = _kernel_passages(tiles[t0:t1], members[t0:t1], rows[r0:r1], n, rules)
    return found


def _kernel_passages(tiles: npt.NDArray[np.int64], members: npt.NDArray[np.int64], rows: npt.NDArray[np.int64],
                     n: int, rules: VerdictRules) -> list[AlignedPassage]:
    """The passages of the tiling kernel's output for one pair: its tiles, their indices passage
    after passage, and one row of fields per passage."""
    if not len(rows):
        return []
    tile_rows, order = tiles.tolist(), members.tolist()
    return [_passage(tuple(Tile(*tile_rows[k]) for k in order[first:end]), (a0, a1), (b0, b1), shared,
                     (content_a, content_b), stretch, n, rules)
            for first, end, a0, a1, b0, b1, shared, content_a, content_b, stretch in rows.tolist()]


def _passage(tiles: tuple[Tile, ...], span_a: tuple[int, int], span_b: tuple[int, int], shared: int,
             content: tuple[int, int], stretch: int, n: int, rules: VerdictRules) -> AlignedPassage:
    grams = max(min(span_a[1] - span_a[0], span_b[1] - span_b[0]) - n + 1, 1)
    containment = shared / grams
    return AlignedPassage(tiles, span_a, span_b, shared, content, stretch, containment, rules.kind(containment))


def may_hold_passage(common: int, rules: VerdictRules) -> bool:
    """Whether two documents sharing ``common`` distinct content grams may share a passage. Most
    candidate pairs do not: a passage needs min_passage_grams content grams on both sides (counted
    with repeats), and a content gram occurs at most refrain_repeats - 1 times in a document."""
    return common * (rules.refrain_repeats - 1) >= rules.min_passage_grams


def content_grams(doc: PreparedDocument, n: int, boilerplate: npt.NDArray[np.bool_] | None,
                  rules: VerdictRules) -> npt.NDArray[np.uint64]:
    """The distinct grams of ``doc`` that count as content (:func:`counted_grams`), sorted, cached."""
    key = ("content grams", n, None if boilerplate is None else boilerplate.tobytes(), rules.sentence_grams,
           rules.refrain_repeats)
    return doc.memo(key, lambda: arrays.distinct(doc.stream(n).grams[counted_grams(doc, n, boilerplate, rules)]))


def _distinct_counted(doc: PreparedDocument, counted: npt.NDArray[np.bool_], n: int) -> npt.NDArray[np.uint64]:
    """The distinct grams of ``doc`` flagged in ``counted``, sorted, cached."""
    return doc.memo(("distinct counted grams", n, counted.tobytes()),
                    lambda: arrays.distinct(doc.stream(n).grams[counted]))


def distinct_grams(doc: PreparedDocument, n: int) -> npt.NDArray[np.uint64]:
    """The sorted distinct grams of ``doc``'s ``n``-gram stream, as alignment reads them (cached)."""
    return doc.memo((_DISTINCT, n), lambda: arrays.distinct(doc.stream(n).grams))


def remember_distinct(doc: PreparedDocument, n: int, distinct: npt.NDArray[np.uint64]) -> None:
    """Hold ``distinct``, the sorted distinct grams of ``doc``'s ``n``-gram stream, as alignment's own
    (found for many documents at once, :func:`~syndidetect._kernels.sides.sides`)."""
    doc.remember((_DISTINCT, n), distinct)


def in_order(passages: list[AlignedPassage]) -> list[AlignedPassage]:
    """The heaviest chain of passages (by shared grams) in the same order on both sides: a copy
    keeps the order of what it copies. Of equally heavy chains, the one ending first in the sort
    by position, each passage preceded by the first heaviest one it can follow.

    >>> def p(a, b, shared): return AlignedPassage((), a, b, shared, (0, 0), 0, 1.0, "verbatim")
    >>> [q.shared for q in in_order([p((0, 9), (50, 59), 9), p((10, 19), (0, 9), 8), p((20, 29), (10, 19), 7)])]
    [8, 7]
    """
    if len(passages) < 2:  # most pairs that share text share one passage
        return list(passages)
    ordered = sorted(passages, key=lambda p: (p.a, p.b))
    if len(ordered) > PLAIN_CHAIN:
        return _in_order_numpy(ordered)
    best = [p.shared for p in ordered]
    parent = [-1] * len(ordered)
    for k, passage in enumerate(ordered):
        a_start, b_start = passage.a[0], passage.b[0]
        top = -1
        for j in range(k):
            if ordered[j].a[1] <= a_start and ordered[j].b[1] <= b_start and (top < 0 or best[j] > best[top]):
                top = j
        if top >= 0:
            best[k], parent[k] = best[top] + passage.shared, top
    chain_: list[AlignedPassage] = []
    k = max(range(len(ordered)), key=best.__getitem__, default=-1)
    while k >= 0:
        chain_.append(ordered[k])
        k = parent[k]
    return chain_[::-1]


def _in_order_numpy(ordered: list[AlignedPassage]) -> list[AlignedPassage]:
    """:func:`in_order` of passages already sorted, one numpy step a passage."""
    a_start = np.array([p.a[0] for p in ordered])
    b_start = np.array([p.b[0] for p in ordered])
    b_end = np.array([p.b[1] for p in ordered])
    a_end = np.array([p.a[1] for p in ordered])
    weight = np.array([p.shared for p in ordered], dtype=np.int64)
    best = weight.copy()
    parent = np.full(len(ordered), -1)
    for k in range(1, len(ordered)):
        before = np.flatnonzero((a_end[:k] <= a_start[k]) & (b_end[:k] <= b_start[k]))
        if len(before):
            p = before[np.argmax(best[before])]
            best[k], parent[k] = best[p] + weight[k], p
    chain_, k = [], int(np.argmax(best))
    while k >= 0:
        chain_.append(ordered[k])
        k = int(parent[k])
    return chain_[::-1]


def counted_grams(doc: PreparedDocument, n: int, boilerplate: npt.NDArray[np.bool_] | None,
                  rules: VerdictRules) -> npt.NDArray[np.bool_]:
    """Per gram of ``doc``'s stream: whether it counts as content. Its first word must lie in a
    matchable paragraph of a sentence or more (``sentence_grams``) that is not boilerplate, and the
    gram must occur fewer than ``refrain_repeats`` times in the document. Headline lists, bylines,
    share lines and a list's repeated lead-in join a passage beside content, but never make one."""
    key = ("counted grams", n, None if boilerplate is None else boilerplate.tobytes(), rules.sentence_grams,
           rules.refrain_repeats)
    return doc.memo(key, lambda: _counted_grams(doc, n, boilerplate, rules))


def _counted_grams(doc: PreparedDocument, n: int, boilerplate: npt.NDArray[np.bool_] | None,
                   rules: VerdictRules) -> npt.NDArray[np.bool_]:
    stream = doc.stream(n)
    counted = doc.matchable & (doc.shingle_counts() >= rules.sentence_grams)
    if boilerplate is not None:
        counted &= ~boilerplate
    flags: npt.NDArray[np.bool_] = counted[doc.token_paragraphs(n)[: stream.gram_count]]
    return flags & arrays.rarer_than(stream.grams, rules.refrain_repeats)


_paragraph_start, _paragraph_end = operator.attrgetter("start"), operator.attrgetter("end")


def paragraphs_of(doc: PreparedDocument, start_char: int, end_char: int) -> tuple[int, ...]:
    """Indexes of the paragraphs a character span overlaps."""
    # (paragraphs ascend, their starts and ends both: a search reads a few, no list of them is built)
    first = bisect.bisect_right(doc.paragraphs, start_char, key=_paragraph_end)
    last = bisect.bisect_left(doc.paragraphs, end_char, key=_paragraph_start)
    return tuple(range(first, last))


def _grams_within(doc: PreparedDocument, n: int, start_char: int, end_char: int) -> npt.NDArray[np.uint64]:
    stream = doc.stream(n)
    first = int(np.searchsorted(stream.starts, start_char, side="left"))
    end = stream.tokens_ending_by(end_char)
    return arrays.distinct(stream.grams_between(first, max(first, end - n + 1)))


def shared_grams(a: PreparedDocument, b: PreparedDocument, n: int, span_a: tuple[int, int],
                 span_b: tuple[int, int]) -> tuple[int, float]:
    """Grams two character spans share, and that count over the smaller span's grams (containment)."""
    ga, gb = _grams_within(a, n, *span_a), _grams_within(b, n, *span_b)
    shared = len(arrays.common(ga, gb))
    return shared, shared / max(min(len(ga), len(gb)), 1)
