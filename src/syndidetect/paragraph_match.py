"""Paragraph-pair matching: the evidence beside the aligned passages.

Scores use the exact shingle hashes, not the MinHash estimate. A paragraph pair matches when the
shorter paragraph shares at least ``threshold`` of its shingles with the other (containment), so a
paragraph split in two or merged with its neighbour still matches; a paragraph re-cut across two
neighbours matches the window of both. Short spun paragraphs (a synonym every few words) keep too
few consecutive words for a passage, but still match here.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from syndidetect._kernels.overlap import is_dense, shared_counts_sorted, shared_entries
from syndidetect.config import Config
from syndidetect.frozen import filled
from syndidetect.prepared import PreparedDocument
from syndidetect.rules import MatchKind, VerdictRules


@dataclass(frozen=True)
class ParagraphMatch:
    """Paragraph ``a`` of the first document matches paragraph ``b`` of the second."""

    a: int
    b: int
    shared: int
    jaccard: float
    containment: float
    kind: MatchKind
    window: bool = False


@dataclass(frozen=True)
class SharedHits:
    """The paragraph pairs of two documents that share at least ``least`` shingles: paragraph
    ``rows[k]`` of the first and ``cols[k]`` of the second share ``counts[k]``, sorted by row, then
    column. Only these pairs are evidence (a match, and either half of a window match, shares
    ``min_paragraph_shared``), and they are few beside all the pairs of two long documents."""

    rows: npt.NDArray[np.int64]
    cols: npt.NDArray[np.int64]
    counts: npt.NDArray[np.int64]

    @classmethod
    def of_counts(cls, shared: npt.NDArray[np.int64], least: int) -> SharedHits:
        """The hits of a dense matrix of shared counts."""
        rows, cols = np.nonzero(shared >= least)
        return cls(rows.astype(np.int64, copy=False), cols.astype(np.int64, copy=False), shared[rows, cols])

    @classmethod
    def of_many(cls, matrices: Sequence[npt.NDArray[np.int64] | None], least: int) -> list[SharedHits | None]:
        """``of_counts`` of each matrix (None stays None), found in one pass over all of them: a
        screened batch's pairs each made four numpy calls of their own (about 6 us a pair; the
        screen keeps about 10,000 pairs at 100k paragraphs)."""
        shapes = [(0, 0) if m is None else m.shape for m in matrices]
        sizes = np.array([rows * cols for rows, cols in shapes], dtype=np.int64)
        if not sizes.any():
            return [None if m is None else cls.of_counts(m, least) for m in matrices]
        starts = np.zeros(len(matrices) + 1, dtype=np.int64)
        np.cumsum(sizes, out=starts[1:])
        flat = np.concatenate([m.ravel() for m in matrices if m is not None and m.size])
        at = np.flatnonzero(flat >= least)  # positions in the joined matrices, ascending
        owner = np.searchsorted(starts, at, side="right") - 1
        width = np.array([cols for _, cols in shapes], dtype=np.int64)[owner]
        local = at - starts[owner]
        rows, cols, counts = local // width, local % width, flat[at]
        bounds = np.searchsorted(owner, np.arange(len(matrices) + 1)).tolist()
        return [None if m is None else cls(rows[first:end], cols[first:end], counts[first:end])
                for m, first, end in zip(matrices, bounds, bounds[1:])]

    def __len__(self) -> int:
        return len(self.rows)

    def one_to_one(self) -> bool:
        """Whether no paragraph of either side has two hits (a copy pairs its paragraphs one to one):
        then :func:`paragraph_matches` finds no window and weighs no second partner, and its matches
        are the :func:`direct_matches` of the hits."""
        rows, cols = self.rows.tolist(), self.cols.tolist()
        return len(set(rows)) == len(rows) and len(set(cols)) == len(cols)

    def where(self, chosen: npt.NDArray[np.bool_]) -> SharedHits:
        """The hits ``chosen`` flags."""
        return SharedHits(self.rows[chosen], self.cols[chosen], self.counts[chosen])


def shared_hits(a: PreparedDocument, b: PreparedDocument, least: int) -> SharedHits:
    """The paragraph pairs of ``a`` and ``b`` that share at least ``least`` shingles (``least`` >=
    1: both paragraphs matchable). Two documents of many paragraphs are counted without their
    dense matrix (``is_dense``)."""
    (ha, pa), (hb, pb) = a.hash_index, b.hash_index
    if is_dense(len(a.matchable), len(b.matchable)):
        return SharedHits.of_counts(shared_counts_sorted(ha, pa, a.matchable, hb, pb, b.matchable), least)
    rows, cols, counts = shared_entries(ha, pa, a.matchable, hb, pb, b.matchable)
    kept = counts >= least
    return SharedHits(rows[kept], cols[kept], counts[kept])


def _score(shared: int, size_a: int, size_b: int) -> tuple[float, float]:
    jaccard = shared / (size_a + size_b - shared)
    return jaccard, shared / min(size_a, size_b)


def _neighbour_hits(firsts: npt.NDArray[np.int64], seconds: npt.NDArray[np.int64], counts: npt.NDArray[np.int64],
                    matchable: npt.NDArray[np.bool_]) -> list[tuple[int, int, int, int, int]]:
    """``(i, left, right, shared with left, shared with right)`` for each paragraph i (of
    ``firsts``) with hits on two neighbouring matchable paragraphs ``left`` and ``right`` (of
    ``seconds``, whose ``matchable`` flags are given): the hits sorted by first, then second."""
    rank = np.cumsum(matchable) - 1  # a hit's paragraphs are matchable: neighbours differ by one rank
    ranks = rank[seconds]
    at = np.flatnonzero((firsts[1:] == firsts[:-1]) & (ranks[1:] == ranks[:-1] + 1))
    return list(zip(firsts[at].tolist(), seconds[at].tolist(), seconds[at + 1].tolist(), counts[at].tolist(),
                    counts[at + 1].tolist()))


def _window_matches(x_doc: PreparedDocument, y_doc: PreparedDocument,
                    neighbours: list[tuple[int, int, int, int, int]], threshold: float) -> list[tuple[int, int, float]]:
    """``(i, j, window containment)`` for paragraph i of ``x_doc`` re-cut across two neighbouring
    paragraphs ``left, right`` of ``y_doc``, from :func:`_neighbour_hits`' ``(i, left, right,
    shared with left, shared with right)``."""
    found = []
    for i, left, right, shared_left, shared_right in neighbours:
        # Python sets: a paragraph's hashes are unique, and its few dozen are a set faster than numpy
        window = set(y_doc.paragraph_hashes(left).tolist()).union(y_doc.paragraph_hashes(right).tolist())
        common = len(window.intersection(x_doc.paragraph_hashes(i).tolist()))
        contained = common / min(len(x_doc.paragraph_hashes(i)), len(window))
        if contained >= threshold and common > max(shared_left, shared_right):
            found += [(i, left, contained), (i, right, contained)]
    return found


def _direct_match(i: int, j: int, common: int, size_a: int, size_b: int, config: Config) -> ParagraphMatch | None:
    """The match of paragraphs ``i`` and ``j`` (of ``size_a`` and ``size_b`` shingles) that share
    ``common`` shingles, when its containment reaches the threshold; else None."""
    jac, con = _score(common, size_a, size_b)
    return ParagraphMatch(i, j, common, jac, con, config.rules.kind(con)) if con >= config.threshold else None


def paragraph_matches(a: PreparedDocument, b: PreparedDocument, config: Config,
                      hits: SharedHits | None = None) -> list[ParagraphMatch]:
    """Every matching paragraph pair of ``a`` and ``b``, in order of ``a`` then ``b`` (``hits``:
    their :func:`shared_hits` of ``min_paragraph_shared``, when already known)."""
    rules = config.rules
    hits = shared_hits(a, b, rules.min_paragraph_shared) if hits is None else hits
    if not len(hits):
        return []  # a match, and either half of a window match, shares min_paragraph_shared
    if len(hits) == 1:  # most pairs that share a paragraph: no window, no second partner to weigh
        i, j = int(hits.rows[0]), int(hits.cols[0])
        lone = _direct_match(i, j, int(hits.counts[0]), int(a.shingle_counts()[i]), int(b.shingle_counts()[j]), config)
        return [lone] if lone is not None else []
    if hits.one_to_one():
        return direct_matches(hits, a.shingle_counts(), b.shingle_counts(), config)
    # Python lists: a pair has a few hits, each read item by item.
    rows_hit, cols_hit = hits.rows.tolist(), hits.cols.tolist()
    sizes_a, sizes_b = a.shingle_counts().tolist(), b.shingle_counts().tolist()
    matches: dict[tuple[int, int], ParagraphMatch] = {}
    shared: dict[tuple[int, int], int] = {}
    for i, j, common in zip(rows_hit, cols_hit, hits.counts.tolist()):
        shared[i, j] = common
        match = _direct_match(i, j, common, sizes_a[i], sizes_b[j], config)
        if match is not None:
            matches[i, j] = match
    # A window: a paragraph sharing min_paragraph_shared with two neighbouring paragraphs of the
    # other side, found among the hits alone (each side's whole matrix of paragraphs took seconds
    # and hundreds of MB for two documents of 5,000 paragraphs). Most pairs hit each paragraph
    # once (a copy pairs them one to one): the numpy calls are skipped for them.
    windows = []
    if len(set(rows_hit)) < len(rows_hit):
        windows += _window_matches(a, b, _neighbour_hits(hits.rows, hits.cols, hits.counts, b.matchable),
                                   config.threshold)
    if len(set(cols_hit)) < len(cols_hit):
        by_column = np.lexsort((hits.rows, hits.cols))
        recut_b = _neighbour_hits(hits.cols[by_column], hits.rows[by_column], hits.counts[by_column], a.matchable)
        windows += [(i, j, c) for j, i, c in _window_matches(b, a, recut_b, config.threshold)]
    for i, j, con in windows:
        if (i, j) not in matches:
            jac, _ = _score(shared[i, j], sizes_a[i], sizes_b[j])
            matches[i, j] = ParagraphMatch(i, j, shared[i, j], jac, con, rules.kind(con), window=True)
    kept = _novel_partners(a, b, list(matches.values()), "a", rules)
    kept = _novel_partners(b, a, kept, "b", rules)
    return sorted(kept, key=lambda m: (m.a, m.b))


def direct_matches(hits: SharedHits, sizes_a: npt.NDArray[np.int64], sizes_b: npt.NDArray[np.int64],
                    config: Config) -> list[ParagraphMatch]:
    """:func:`_direct_match` of every hit (``sizes_a``, ``sizes_b``: the documents' shingle counts),
    scored in numpy (the same divisions of the same integers, so the same floats), in order of
    ``a`` then ``b`` as the hits are: the matches when no paragraph of either side has two hits
    (:meth:`SharedHits.one_to_one`). A pair of copies with 20 hits took 31 us instead of 56
    (``timeit``)."""
    size_a, size_b, shared = sizes_a[hits.rows], sizes_b[hits.cols], hits.counts
    containment = shared / np.minimum(size_a, size_b)
    jaccard = shared / (size_a + size_b - shared)
    kept = np.flatnonzero(containment >= config.threshold)
    kind = config.rules.kind
    return [filled(ParagraphMatch, a=i, b=j, shared=common, jaccard=jac, containment=con, kind=kind(con), window=False)
            for i, j, common, jac, con in zip(hits.rows[kept].tolist(), hits.cols[kept].tolist(),
                                             shared[kept].tolist(), jaccard[kept].tolist(), containment[kept].tolist())]


def _novel_partners(
    doc: PreparedDocument, other: PreparedDocument, matches: list[ParagraphMatch], side: str,
    rules: VerdictRules,
) -> list[ParagraphMatch]:
    """Where a paragraph of ``doc`` matches several of ``other``, keep a partner only if it shares
    shingles the better partners did not: the halves of a split paragraph each bring their own
    part, while a repeated quote or a stock phrase ("Return true if the object is a ...") brings
    nothing new."""
    other_side = "b" if side == "a" else "a"
    by_paragraph: dict[int, list[ParagraphMatch]] = {}
    for m in matches:
        by_paragraph.setdefault(getattr(m, side), []).append(m)
    kept = []
    for index, group in by_paragraph.items():
        if len(group) == 1:
            kept += group
            continue
        mine = set(doc.paragraph_hashes(index).tolist())  # unique hashes: sets count as numpy's set ops
        covered: set[int] = set()
        for m in sorted(group, key=lambda m: (-m.shared, -m.containment, getattr(m, other_side))):
            common = mine.intersection(other.paragraph_hashes(getattr(m, other_side)).tolist())
            novel = len(common - covered)
            if novel >= max(rules.min_paragraph_shared, rules.novel_share * len(common)):
                kept.append(m)
                covered |= common
    return kept


def in_order(matches: list[ParagraphMatch]) -> list[ParagraphMatch]:
    """The longest chain of matches whose paragraphs keep their order on both sides (splits and
    merges allowed): a copy keeps the order of what it copies, two reports of one event rarely do."""
    if len(matches) < 2:  # most pairs that share a paragraph share one
        return list(matches)
    ordered = sorted(matches, key=lambda m: (m.a, m.b))
    best: list[int] = []  # best[k]: index in ordered of the chain of length k+1 with smallest end
    parent = [-1] * len(ordered)
    tails: list[int] = []
    for k, m in enumerate(ordered):
        pos = bisect.bisect_right(tails, m.b)
        parent[k] = best[pos - 1] if pos else -1
        if pos == len(tails):
            tails.append(m.b)
            best.append(k)
        else:
            tails[pos], best[pos] = m.b, k
    chain, k = [], best[-1] if best else -1
    while k >= 0:
        chain.append(ordered[k])
        k = parent[k]
    return chain[::-1]
