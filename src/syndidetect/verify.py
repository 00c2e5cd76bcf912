"""Exact verification of a document pair: paragraph scores, alignment and the verdict.

Scores use the exact shingle hashes, not the MinHash estimate. A paragraph pair matches when the
shorter paragraph shares at least ``threshold`` of its shingles with the other (containment), so a
paragraph split in two or merged with its neighbour still matches; a paragraph re-cut across two
neighbours matches the window of both.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from syndidetect.config import Config
from syndidetect.prepared import PreparedDocument

MatchKind = Literal["verbatim", "near", "reworded"]
PairKind = Literal["verbatim", "reworded", "mixed"]
Verdict = Literal["copy", "related"]

VERBATIM_CONTAINMENT = 0.999
NEAR_CONTAINMENT = 0.75
# A match needs this many shared shingles, so two 5-word lines do not match on one phrase.
MIN_SHARED = 2
# Direction: the source is mostly inside the copy, and the copy has much else around it.
SOURCE_COVERAGE = 0.6
COVERAGE_GAP = 0.2


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
class PairVerdict:
    """What the two documents share and what that makes them.

    ``source`` is 0 or 1 (which document was copied) or None when it cannot be told.
    """

    matches: tuple[ParagraphMatch, ...]
    verdict: Verdict
    kind: PairKind
    source: int | None
    matched: tuple[int, int]
    matchable: tuple[int, int]
    kept: float  # share of the matched shingles of the smaller side found in the other side


def match_kind(containment: float) -> MatchKind:
    if containment >= VERBATIM_CONTAINMENT:
        return "verbatim"
    return "near" if containment >= NEAR_CONTAINMENT else "reworded"


def _entries(doc: PreparedDocument) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]:
    """All shingle hashes of the matchable paragraphs, with the paragraph each belongs to."""
    counts = doc.shingle_counts()
    owner = np.repeat(np.arange(len(counts)), counts)
    keep = doc.matchable[owner]
    return doc.hashes[keep], owner[keep]


def shared_counts(a: PreparedDocument, b: PreparedDocument) -> npt.NDArray[np.int64]:
    """``m[i, j]`` = number of shingles paragraph i of ``a`` shares with paragraph j of ``b``."""
    ha, pa = _entries(a)
    hb, pb = _entries(b)
    order = np.argsort(hb, kind="stable")
    hb, pb = hb[order], pb[order]
    low = np.searchsorted(hb, ha, "left")
    count = np.searchsorted(hb, ha, "right") - low
    total = int(count.sum())
    first = np.repeat(np.cumsum(count) - count, count)
    positions = np.repeat(low, count) + (np.arange(total) - first)
    na, nb = len(a.paragraphs), len(b.paragraphs)
    flat = np.repeat(pa, count) * nb + pb[positions]
    return np.bincount(flat, minlength=na * nb).reshape(na, nb)


def _score(shared: int, size_a: int, size_b: int) -> tuple[float, float]:
    jaccard = shared / (size_a + size_b - shared)
    return jaccard, shared / min(size_a, size_b)


def _window_matches(
    shared: npt.NDArray[np.int64], sizes_a: npt.NDArray[np.int64], sizes_b: npt.NDArray[np.int64],
    rows: npt.NDArray[np.int64], cols: npt.NDArray[np.int64], threshold: float,
) -> list[tuple[int, int, float]]:
    """``(i, j, window containment)`` for paragraph i re-cut across neighbours cols[k], cols[k+1]."""
    found = []
    for left, right in itertools.pairwise(cols):
        both = shared[rows, left] + shared[rows, right]
        window = sizes_b[left] + sizes_b[right]
        contained = both / np.minimum(sizes_a[rows], window)
        parts_ok = (shared[rows, left] >= MIN_SHARED) & (shared[rows, right] >= MIN_SHARED)
        for i in rows[(contained >= threshold) & parts_ok]:
            c = float(contained[rows == i][0])
            found += [(int(i), int(left), c), (int(i), int(right), c)]
    return found


def paragraph_matches(a: PreparedDocument, b: PreparedDocument, config: Config) -> list[ParagraphMatch]:
    """Every matching paragraph pair of ``a`` and ``b``, in order of ``a`` then ``b``."""
    shared = shared_counts(a, b)
    sizes_a, sizes_b = a.shingle_counts(), b.shingle_counts()
    rows, cols = np.flatnonzero(a.matchable), np.flatnonzero(b.matchable)
    matches: dict[tuple[int, int], ParagraphMatch] = {}
    for i, j in zip(*np.nonzero(shared >= MIN_SHARED)):
        jac, con = _score(int(shared[i, j]), int(sizes_a[i]), int(sizes_b[j]))
        if con >= config.threshold:
            matches[i, j] = ParagraphMatch(int(i), int(j), int(shared[i, j]), jac, con, match_kind(con))
    windows = _window_matches(shared, sizes_a, sizes_b, rows, cols, config.threshold)
    reverse = _window_matches(shared.T, sizes_b, sizes_a, cols, rows, config.threshold)
    windows += [(i, j, c) for j, i, c in reverse]
    for i, j, con in windows:
        if (i, j) not in matches:
            jac, _ = _score(int(shared[i, j]), int(sizes_a[i]), int(sizes_b[j]))
            matches[i, j] = ParagraphMatch(i, j, int(shared[i, j]), jac, con, match_kind(con), window=True)
    kept = _one_run_per_paragraph(list(matches.values()), "a", "b", cols)
    kept = _one_run_per_paragraph(kept, "b", "a", rows)
    return sorted(kept, key=lambda m: (m.a, m.b))


def _one_run_per_paragraph(
    matches: list[ParagraphMatch], side: str, other: str, order: npt.NDArray[np.int64]
) -> list[ParagraphMatch]:
    """Where a paragraph matches several on the other side, keep its best partner and the
    partners adjacent to it (a split or merged paragraph); drop distant ones (a repeated quote)."""
    rank = {int(p): r for r, p in enumerate(order)}
    by_paragraph: dict[int, list[ParagraphMatch]] = {}
    for m in matches:
        by_paragraph.setdefault(getattr(m, side), []).append(m)
    kept = []
    for group in by_paragraph.values():
        best = max(group, key=lambda m: (m.containment, m.jaccard, -getattr(m, other)))
        run = {rank[getattr(best, other)]}
        for m in sorted(group, key=lambda m: abs(rank[getattr(m, other)] - rank[getattr(best, other)])):
            r = rank[getattr(m, other)]
            if r - 1 in run or r + 1 in run or r in run:
                run.add(r)
                kept.append(m)
    return kept


def _pair_kind(matches: list[ParagraphMatch]) -> PairKind:
    reworded = sum(m.kind == "reworded" for m in matches) / len(matches)
    if reworded >= 0.75:
        return "reworded"
    return "verbatim" if reworded <= 0.25 else "mixed"


def _mass_coverage(doc: PreparedDocument, matched: set[int]) -> tuple[float, int]:
    sizes = doc.shingle_counts() * doc.matchable
    total = int(sizes.sum())
    return (float(sizes[sorted(matched)].sum()) / total if total else 0.0), total


def _source(a: PreparedDocument, b: PreparedDocument, matched_a: set[int], matched_b: set[int]) -> int | None:
    """0 if ``a`` was copied into ``b``, 1 for the reverse, None when it cannot be told."""
    date_a, date_b = a.document.date, b.document.date
    if date_a and date_b and date_a != date_b:
        return 0 if date_a < date_b else 1
    cov_a, mass_a = _mass_coverage(a, matched_a)
    cov_b, mass_b = _mass_coverage(b, matched_b)
    if cov_a >= SOURCE_COVERAGE and cov_a - cov_b >= COVERAGE_GAP and mass_b > mass_a:
        return 0
    if cov_b >= SOURCE_COVERAGE and cov_b - cov_a >= COVERAGE_GAP and mass_a > mass_b:
        return 1
    return None


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


def _substantial(matches: list[ParagraphMatch], matchable: tuple[int, int], config: Config) -> bool:
    """Enough paragraphs, making up enough of one document, to call it a copy."""
    count_a, count_b = len({m.a for m in matches}), len({m.b for m in matches})
    if min(count_a, count_b) < config.min_copy_paragraphs:
        return False
    return max(count_a / matchable[0], count_b / matchable[1]) >= config.copy_share


def judge_pair(a: PreparedDocument, b: PreparedDocument, config: Config) -> PairVerdict | None:
    """The verdict on ``a`` and ``b``: None when they share no paragraph.

    ``copy`` needs at least ``min_copy_paragraphs`` matched paragraphs making up ``copy_share``
    of one document's matchable paragraphs; fewer shared passages (a quotation) are ``related``.
    """
    matches = paragraph_matches(a, b, config)
    if not matches:
        return None
    matched_a, matched_b = {m.a for m in matches}, {m.b for m in matches}
    matchable = (int(a.matchable.sum()), int(b.matchable.sum()))
    strong = [m for m in matches if m.kind != "reworded"]
    is_copy = _substantial(in_order(matches), matchable, config) or _substantial(strong, matchable, config)
    kept = sum(m.shared for m in matches) / sum(
        min(int(a.shingle_counts()[m.a]), int(b.shingle_counts()[m.b])) for m in matches
    )
    return PairVerdict(
        matches=tuple(matches),
        verdict="copy" if is_copy else "related",
        kind=_pair_kind(matches),
        source=_source(a, b, matched_a, matched_b) if is_copy else None,
        matched=(len(matched_a), len(matched_b)),
        matchable=matchable,
        kept=min(1.0, kept),
    )
