"""Exact verification of a document pair: paragraph scores, alignment and the verdict.

Scores use the exact shingle hashes, not the MinHash estimate. A paragraph pair matches when the
shorter paragraph shares at least ``threshold`` of its shingles with the other (containment), so a
paragraph split in two or merged with its neighbour still matches; a paragraph re-cut across two
neighbours matches the window of both.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from syndidetect._kernels.overlap import shared_counts_sorted
from syndidetect.boilerplate import without_boilerplate
from syndidetect.config import Config
from syndidetect.prepared import PreparedDocument

MatchKind = Literal["verbatim", "near", "reworded"]
PairKind = Literal["verbatim", "reworded", "mixed"]
Verdict = Literal["copy", "related"]

VERBATIM_CONTAINMENT = 0.999
NEAR_CONTAINMENT = 0.75
# A match needs this many shared shingles, so two short lines do not match on one stock phrase
# ("..., a spokesperson for the ... said:").
MIN_SHARED = 3
# Only paragraphs of a sentence or more (not headings, not sidebar links) count towards a copy.
SENTENCE_SHINGLES = 8
# An excerpt: this many shingles in verbatim or near paragraphs is a copy whatever its share.
EXCERPT_SHINGLES = 60
# A second partner of one paragraph must bring this share of new shared shingles (see _novel_partners).
NOVEL_SHARE = 0.5
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


def _sorted_entries(doc: PreparedDocument) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]:
    """The sorted shingle hashes of the matchable paragraphs, with the paragraph each belongs to."""
    hashes, owner = doc.hash_index
    keep = doc.matchable[owner]
    return hashes[keep], owner[keep]


def shared_counts(a: PreparedDocument, b: PreparedDocument) -> npt.NDArray[np.int64]:
    """``m[i, j]`` = number of shingles paragraph i of ``a`` shares with paragraph j of ``b``."""
    ha, pa = _sorted_entries(a)
    hb, pb = _sorted_entries(b)
    return shared_counts_sorted(ha, pa, hb, pb, len(a.paragraphs), len(b.paragraphs))


def _score(shared: int, size_a: int, size_b: int) -> tuple[float, float]:
    jaccard = shared / (size_a + size_b - shared)
    return jaccard, shared / min(size_a, size_b)


def _window_matches(
    x_doc: PreparedDocument, y_doc: PreparedDocument, shared: npt.NDArray[np.int64],
    rows: npt.NDArray[np.int64], cols: npt.NDArray[np.int64], threshold: float,
) -> list[tuple[int, int, float]]:
    """``(i, j, window containment)`` for paragraph i of ``x_doc`` re-cut across two neighbouring
    paragraphs ``cols[k], cols[k+1]`` of ``y_doc`` (each sharing some of it)."""
    if len(cols) < 2 or not len(rows):
        return []
    both = shared[np.ix_(rows, cols)] >= MIN_SHARED
    found = []
    for r, k in zip(*np.nonzero(both[:, :-1] & both[:, 1:])):
        i, left, right = int(rows[r]), int(cols[k]), int(cols[k + 1])
        window = np.union1d(y_doc.paragraph_hashes(left), y_doc.paragraph_hashes(right))
        common = np.intersect1d(x_doc.paragraph_hashes(i), window, assume_unique=True).size
        contained = common / min(len(x_doc.paragraph_hashes(i)), len(window))
        if contained >= threshold and common > max(shared[i, left], shared[i, right]):
            found += [(i, left, contained), (i, right, contained)]
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
    windows = _window_matches(a, b, shared, rows, cols, config.threshold)
    windows += [(i, j, c) for j, i, c in _window_matches(b, a, shared.T, cols, rows, config.threshold)]
    for i, j, con in windows:
        if (i, j) not in matches:
            jac, _ = _score(int(shared[i, j]), int(sizes_a[i]), int(sizes_b[j]))
            matches[i, j] = ParagraphMatch(i, j, int(shared[i, j]), jac, con, match_kind(con), window=True)
    kept = _novel_partners(a, b, list(matches.values()), "a")
    kept = _novel_partners(b, a, kept, "b")
    return sorted(kept, key=lambda m: (m.a, m.b))


def _novel_partners(
    doc: PreparedDocument, other: PreparedDocument, matches: list[ParagraphMatch], side: str
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
        mine = doc.paragraph_hashes(index)
        covered = np.zeros(0, dtype=np.uint32)
        for m in sorted(group, key=lambda m: (-m.shared, -m.containment, getattr(m, other_side))):
            common = np.intersect1d(mine, other.paragraph_hashes(getattr(m, other_side)), assume_unique=True)
            novel = np.setdiff1d(common, covered, assume_unique=True).size
            if novel >= max(MIN_SHARED, NOVEL_SHARE * len(common)):
                kept.append(m)
                covered = np.union1d(covered, common)
    return kept


def _pair_kind(matches: list[ParagraphMatch]) -> PairKind:
    reworded = sum(m.kind == "reworded" for m in matches) / len(matches)
    if reworded >= 0.75:
        return "reworded"
    return "verbatim" if reworded <= 0.25 else "mixed"




def _source(a: PreparedDocument, b: PreparedDocument, matched_a: set[int], matched_b: set[int]) -> int | None:
    """0 if ``a`` was copied into ``b``, 1 for the reverse, None when it cannot be told."""
    date_a, date_b = a.document.date, b.document.date
    if date_a and date_b and date_a != date_b:
        return 0 if date_a < date_b else 1
    cov_a, cov_b = _mass(a, matched_a), _mass(b, matched_b)
    mass_a, mass_b = _total_mass(a), _total_mass(b)
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


def _total_mass(doc: PreparedDocument) -> int:
    return int((doc.shingle_counts() * doc.matchable).sum())


def _mass(doc: PreparedDocument, paragraphs: set[int]) -> float:
    """Share of the document's matchable shingles that lie in ``paragraphs``."""
    total = _total_mass(doc)
    return float(doc.shingle_counts()[sorted(paragraphs)].sum()) / total if total else 0.0


def _matched_mass(matches: list[ParagraphMatch], a: PreparedDocument, b: PreparedDocument) -> tuple[float, float]:
    """Share of each document's matchable shingles covered by the matches, a paragraph weighing
    no more than its partners together: a long paragraph matched by a one-line heading weighs
    a line, the halves of a split paragraph weigh the whole."""
    sizes_a, sizes_b = a.shingle_counts(), b.shingle_counts()
    partners_a: dict[int, int] = {}
    partners_b: dict[int, int] = {}
    for m in matches:
        partners_a[m.a] = partners_a.get(m.a, 0) + int(sizes_b[m.b])
        partners_b[m.b] = partners_b.get(m.b, 0) + int(sizes_a[m.a])
    weight_a = sum(min(int(sizes_a[p]), w) for p, w in partners_a.items())
    weight_b = sum(min(int(sizes_b[p]), w) for p, w in partners_b.items())
    return weight_a / max(_total_mass(a), 1), weight_b / max(_total_mass(b), 1)


def _sentences(matches: list[ParagraphMatch], a: PreparedDocument, b: PreparedDocument) -> list[ParagraphMatch]:
    """The matches of paragraphs of a sentence or more on both sides (headings and sidebar links
    do not make a copy)."""
    sizes_a, sizes_b = a.shingle_counts(), b.shingle_counts()
    return [m for m in matches if min(sizes_a[m.a], sizes_b[m.b]) >= SENTENCE_SHINGLES]


def _sentence_count(matches: list[ParagraphMatch], a: PreparedDocument, b: PreparedDocument) -> int:
    sentences = _sentences(matches, a, b)
    return min(len({m.a for m in sentences}), len({m.b for m in sentences}))


def _substantial(matches: list[ParagraphMatch], a: PreparedDocument, b: PreparedDocument, config: Config) -> bool:
    """Enough paragraphs, making up enough of one document's text, to call it a copy.

    Text is weighed in shingles, so a few shared sidebar headlines and a quotation do not
    weigh as much as the body paragraphs of an article."""
    if _sentence_count(matches, a, b) < config.min_copy_paragraphs:
        return False
    return max(_matched_mass(matches, a, b)) >= config.copy_share


def _excerpt(strong: list[ParagraphMatch], a: PreparedDocument, b: PreparedDocument, config: Config) -> bool:
    """Several paragraphs taken (nearly) word for word: a copied excerpt of a longer article."""
    enough = _sentence_count(strong, a, b) >= config.min_copy_paragraphs
    return enough and sum(m.shared for m in _sentences(strong, a, b)) >= EXCERPT_SHINGLES


def _near_content(extra: ParagraphMatch, content: list[ParagraphMatch], rank_a: dict[int, int],
                  rank_b: dict[int, int]) -> bool:
    """Whether a boilerplate match sits beside the copied text on both sides, in its order."""
    for m in content:
        close = abs(rank_a[extra.a] - rank_a[m.a]) <= 2 and abs(rank_b[extra.b] - rank_b[m.b]) <= 2
        if close and (extra.a - m.a) * (extra.b - m.b) >= 0:
            return True
    return False


def _boilerplate_in_copy(
    a: PreparedDocument, b: PreparedDocument, content: list[ParagraphMatch], config: Config
) -> list[ParagraphMatch]:
    """Matches of boilerplate paragraphs (a headline that also fills other pages' sidebars) that
    sit, word for word, beside the copied text of a copy: part of what was copied."""
    rank_a = {int(p): r for r, p in enumerate(np.flatnonzero(a.matchable))}
    rank_b = {int(p): r for r, p in enumerate(np.flatnonzero(b.matchable))}
    known = {(m.a, m.b) for m in content}
    return [
        m for m in paragraph_matches(a, b, config)
        if (m.a, m.b) not in known and m.kind != "reworded" and _near_content(m, content, rank_a, rank_b)
    ]


def judge_pair(
    a: PreparedDocument, b: PreparedDocument, config: Config,
    boilerplate: tuple[npt.NDArray[np.bool_] | None, npt.NDArray[np.bool_] | None] = (None, None),
) -> PairVerdict | None:
    """The verdict on ``a`` and ``b``: None when they share no paragraph.

    ``copy`` needs at least ``min_copy_paragraphs`` matched paragraphs making up ``copy_share``
    of one document's matchable paragraphs; fewer shared passages (a quotation) are ``related``.
    ``boilerplate`` masks paragraphs that never count towards a verdict; in a copy, those beside
    the copied text are still reported.
    """
    full_a, full_b = a, b
    a, b = without_boilerplate(a, boilerplate[0]), without_boilerplate(b, boilerplate[1])
    matches = paragraph_matches(a, b, config)
    if not matches:
        return None
    matched_a, matched_b = {m.a for m in matches}, {m.b for m in matches}
    matchable = (int(a.matchable.sum()), int(b.matchable.sum()))
    strong = [m for m in matches if m.kind != "reworded"]
    is_copy = (
        _substantial(in_order(matches), a, b, config)
        or _substantial(strong, a, b, config)
        or _excerpt(strong, a, b, config)
    )
    if is_copy and (a is not full_a or b is not full_b):
        matches = sorted(matches + _boilerplate_in_copy(full_a, full_b, matches, config), key=lambda m: (m.a, m.b))
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
