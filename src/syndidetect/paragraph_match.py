"""Paragraph-pair matching: the evidence beside the aligned passages.

Scores use the exact shingle hashes, not the MinHash estimate. A paragraph pair matches when the
shorter paragraph shares at least ``threshold`` of its shingles with the other (containment), so a
paragraph split in two or merged with its neighbour still matches; a paragraph re-cut across two
neighbours matches the window of both. Short spun paragraphs (a synonym every few words) keep too
few consecutive words for a passage, but still match here.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from syndidetect._kernels.overlap import shared_counts_sorted
from syndidetect.config import Config
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


def shared_counts(a: PreparedDocument, b: PreparedDocument) -> npt.NDArray[np.int64]:
    """``m[i, j]`` = number of shingles paragraph i of ``a`` shares with paragraph j of ``b``
    (0 unless both are matchable)."""
    (ha, pa), (hb, pb) = a.hash_index, b.hash_index
    return shared_counts_sorted(ha, pa, a.matchable, hb, pb, b.matchable)


def _score(shared: int, size_a: int, size_b: int) -> tuple[float, float]:
    jaccard = shared / (size_a + size_b - shared)
    return jaccard, shared / min(size_a, size_b)


def _window_matches(
    x_doc: PreparedDocument, y_doc: PreparedDocument, shared: npt.NDArray[np.int64],
    rows: npt.NDArray[np.int64], cols: npt.NDArray[np.int64], threshold: float, rules: VerdictRules,
) -> list[tuple[int, int, float]]:
    """``(i, j, window containment)`` for paragraph i of ``x_doc`` re-cut across two neighbouring
    paragraphs ``cols[k], cols[k+1]`` of ``y_doc`` (each sharing some of it)."""
    if len(cols) < 2 or not len(rows):
        return []
    both = shared[np.ix_(rows, cols)] >= rules.min_paragraph_shared
    found = []
    for r, k in zip(*np.nonzero(both[:, :-1] & both[:, 1:])):
        i, left, right = int(rows[r]), int(cols[k]), int(cols[k + 1])
        # Python sets: a paragraph's hashes are unique, and its few dozen are a set faster than numpy
        window = set(y_doc.paragraph_hashes(left).tolist()).union(y_doc.paragraph_hashes(right).tolist())
        common = len(window.intersection(x_doc.paragraph_hashes(i).tolist()))
        contained = common / min(len(x_doc.paragraph_hashes(i)), len(window))
        if contained >= threshold and common > max(shared[i, left], shared[i, right]):
            found += [(i, left, contained), (i, right, contained)]
    return found


def _direct_match(i: int, j: int, common: int, size_a: int, size_b: int, config: Config) -> ParagraphMatch | None:
    """The match of paragraphs ``i`` and ``j`` (of ``size_a`` and ``size_b`` shingles) that share
    ``common`` shingles, when its containment reaches the threshold; else None."""
    jac, con = _score(common, size_a, size_b)
    return ParagraphMatch(i, j, common, jac, con, config.rules.kind(con)) if con >= config.threshold else None


def paragraph_matches(a: PreparedDocument, b: PreparedDocument, config: Config,
                      shared: npt.NDArray[np.int64] | None = None) -> list[ParagraphMatch]:
    """Every matching paragraph pair of ``a`` and ``b``, in order of ``a`` then ``b`` (``shared``:
    their :func:`shared_counts`, when already known)."""
    rules = config.rules
    shared = shared_counts(a, b) if shared is None else shared
    hit_a, hit_b = np.nonzero(shared >= rules.min_paragraph_shared)
    if not len(hit_a):
        return []  # a match, and either half of a window match, shares min_paragraph_shared
    if len(hit_a) == 1:  # most pairs that share a paragraph: no window, no second partner to weigh
        i, j = int(hit_a[0]), int(hit_b[0])
        lone = _direct_match(i, j, int(shared[i, j]), int(a.shingle_counts()[i]), int(b.shingle_counts()[j]), config)
        return [lone] if lone is not None else []
    # Python lists: a pair has a few hits, each read item by item.
    sizes_a, sizes_b = a.shingle_counts().tolist(), b.shingle_counts().tolist()
    rows_hit, cols_hit = hit_a.tolist(), hit_b.tolist()
    matches: dict[tuple[int, int], ParagraphMatch] = {}
    for i, j, common in zip(rows_hit, cols_hit, shared[hit_a, hit_b].tolist()):
        match = _direct_match(i, j, common, sizes_a[i], sizes_b[j], config)
        if match is not None:
            matches[i, j] = match
    # A window needs a paragraph sharing min_paragraph_shared with two paragraphs of the other side.
    windows = []
    twice_a, twice_b = len(set(rows_hit)) < len(rows_hit), len(set(cols_hit)) < len(cols_hit)
    if twice_a or twice_b:
        rows, cols = np.flatnonzero(a.matchable), np.flatnonzero(b.matchable)
        # Only a paragraph with two hits or more can be the re-cut one: the windows are looked for
        # among those rows alone (each side's whole matrix of paragraphs took seconds and hundreds
        # of MB for two documents of 5,000 paragraphs).
        if twice_a:
            again = np.flatnonzero(a.matchable & (np.bincount(hit_a, minlength=len(a.matchable)) >= 2))
            windows += _window_matches(a, b, shared, again, cols, config.threshold, rules)
        if twice_b:
            again = np.flatnonzero(b.matchable & (np.bincount(hit_b, minlength=len(b.matchable)) >= 2))
            windows += [(i, j, c) for j, i, c in _window_matches(b, a, shared.T, again, rows, config.threshold, rules)]
    for i, j, con in windows:
        if (i, j) not in matches:
            jac, _ = _score(int(shared[i, j]), sizes_a[i], sizes_b[j])
            matches[i, j] = ParagraphMatch(i, j, int(shared[i, j]), jac, con, rules.kind(con), window=True)
    kept = _novel_partners(a, b, list(matches.values()), "a", rules)
    kept = _novel_partners(b, a, kept, "b", rules)
    return sorted(kept, key=lambda m: (m.a, m.b))


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
