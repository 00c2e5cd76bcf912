"""Exact verification of a document pair: the verdict on the text the two documents share.

Evidence of three kinds: passages aligned on the word streams (:mod:`syndidetect.align`),
paragraph-pair matches (:mod:`syndidetect.paragraph_match`), and similar sentences for heavy
rewording. The rules that turn it into ``copy`` or ``related`` are :class:`~syndidetect.rules.
VerdictRules`: a copy is a substantial, in-order share of one document's matchable text, never a
count of paragraphs, so a one-paragraph answer, a flattened article and a re-cut one are judged
alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from syndidetect.align import AlignedPassage, align, counted_grams
from syndidetect.align import in_order as passages_in_order
from syndidetect.boilerplate import without_boilerplate
from syndidetect.config import Config
from syndidetect.paragraph_match import ParagraphMatch, in_order, paragraph_matches
from syndidetect.prepared import PreparedDocument
from syndidetect.rules import VerdictRules

PairKind = Literal["verbatim", "reworded", "mixed"]
Verdict = Literal["copy", "related"]


@dataclass(frozen=True)
class PairVerdict:
    """What the two documents share and what that makes them.

    ``source`` is 0 or 1 (which document was copied) or None when it cannot be told;
    ``coverage`` is the share of each document's matchable text found, in order, in the other.
    """

    matches: tuple[ParagraphMatch, ...]
    verdict: Verdict
    kind: PairKind
    source: int | None
    matched: tuple[int, int]
    matchable: tuple[int, int]
    kept: float  # share of the matched shingles of the smaller side found in the other side
    passages: tuple[AlignedPassage, ...] = ()
    coverage: tuple[float, float] = (0.0, 0.0)
    rule: str = ""  # which rule made it a copy: "whole", "places", "excerpt", "paragraphs"


@dataclass(frozen=True)
class Evidence:
    """The shared text of a pair as the rules weigh it."""

    passages: list[AlignedPassage]  # every passage, in order of the first document
    ordered: list[AlignedPassage]  # the heaviest in-order chain of them
    coverage: tuple[float, float]  # share of each side's counted grams inside the chain
    matches: list[ParagraphMatch]
    paragraph_coverage: tuple[float, float]

    @property
    def shared(self) -> int:
        return sum(p.shared for p in self.ordered)


def _pair_kind(kinds: list[str], weights: list[int]) -> PairKind:
    reworded = sum(w for k, w in zip(kinds, weights) if k == "reworded") / max(sum(weights), 1)
    if reworded >= 0.75:
        return "reworded"
    return "verbatim" if reworded <= 0.25 else "mixed"


def _source(a: PreparedDocument, b: PreparedDocument, coverage: tuple[float, float], kind: PairKind,
            rules: VerdictRules) -> int | None:
    """0 if ``a`` was copied into ``b``, 1 for the reverse, None when it cannot be told: by dates,
    else, for text taken as is, the source is mostly inside the copy while the copy has much else
    around it. A rewrite may condense or expand what it rewrites, so containment does not tell the
    direction of a reworded copy."""
    date_a, date_b = a.document.date, b.document.date
    if date_a and date_b and date_a != date_b:
        return 0 if date_a < date_b else 1
    if kind == "reworded":
        return None
    cov_a, cov_b = coverage
    mass_a, mass_b = _total_mass(a), _total_mass(b)
    if cov_a >= rules.source_coverage and cov_a - cov_b >= rules.coverage_gap and mass_b > mass_a:
        return 0
    if cov_b >= rules.source_coverage and cov_b - cov_a >= rules.coverage_gap and mass_a > mass_b:
        return 1
    return None


def _total_mass(doc: PreparedDocument) -> int:
    return int((doc.shingle_counts() * doc.matchable).sum())


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


def _sentences(matches: list[ParagraphMatch], a: PreparedDocument, b: PreparedDocument,
               rules: VerdictRules) -> list[ParagraphMatch]:
    """The matches of paragraphs of a sentence or more on both sides (headings and sidebar links
    do not make a copy)."""
    sizes_a, sizes_b = a.shingle_counts(), b.shingle_counts()
    return [m for m in matches if min(sizes_a[m.a], sizes_b[m.b]) >= rules.sentence_grams]


def _sentence_count(matches: list[ParagraphMatch], a: PreparedDocument, b: PreparedDocument,
                    rules: VerdictRules) -> int:
    sentences = _sentences(matches, a, b, rules)
    return min(len({m.a for m in sentences}), len({m.b for m in sentences}))


def _paragraph_rule(matches: list[ParagraphMatch], a: PreparedDocument, b: PreparedDocument,
                    rules: VerdictRules) -> bool:
    """Rule (b) on paragraph evidence: spun paragraphs keep too few consecutive words for passages
    but match one by one; several sentence-long ones, in order, covering a share of one document."""
    for chain in (in_order(matches), in_order([m for m in matches if m.kind != "reworded"])):
        enough = _sentence_count(chain, a, b, rules) >= rules.min_places
        shared = sum(m.shared for m in chain)
        if enough and shared >= rules.min_shared and max(_matched_mass(chain, a, b)) >= rules.copy_share:
            return True
    return False


def copy_rule(evidence: Evidence, a: PreparedDocument, b: PreparedDocument, rules: VerdictRules) -> str:
    """The name of the first rule that makes the pair a copy, or "" (see VerdictRules)."""
    shared, coverage = evidence.shared, max(evidence.coverage)
    if shared >= rules.min_shared and coverage >= rules.whole_share:
        return "whole"
    if shared >= rules.min_shared and coverage >= rules.copy_share and len(evidence.ordered) >= rules.min_places:
        return "places"
    if any(p.kind != "reworded" and p.length >= rules.excerpt for p in evidence.passages):
        return "excerpt"
    if _paragraph_rule(evidence.matches, a, b, rules):
        return "paragraphs"
    return ""


def gather(a: PreparedDocument, b: PreparedDocument, config: Config,
           boilerplate: tuple[npt.NDArray[np.bool_] | None, npt.NDArray[np.bool_] | None]) -> Evidence:
    """Passages on the full documents (boilerplate counts only beside content), paragraph matches
    with boilerplate set aside."""
    n, rules = config.shingle_size, config.rules
    counted = (counted_grams(a, n, boilerplate[0]), counted_grams(b, n, boilerplate[1]))
    passages = align(a, b, counted, n, rules)
    ordered = passages_in_order(passages)
    covered_a = sum(int(counted[0][t.a : t.a + t.length].sum()) for p in ordered for t in p.tiles)
    covered_b = sum(int(counted[1][t.b : t.b + t.length].sum()) for p in ordered for t in p.tiles)
    coverage = (covered_a / max(int(counted[0].sum()), 1), covered_b / max(int(counted[1].sum()), 1))
    stripped_a, stripped_b = without_boilerplate(a, boilerplate[0]), without_boilerplate(b, boilerplate[1])
    matches = paragraph_matches(stripped_a, stripped_b, config)
    return Evidence(passages, ordered, coverage, matches,
                    _matched_mass(in_order(matches), stripped_a, stripped_b) if matches else (0.0, 0.0))


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
    """The verdict on ``a`` and ``b``: None when they share neither a passage nor a paragraph.

    ``boilerplate`` masks paragraphs that never count by themselves; beside copied text they
    belong to the copy (in passages, and as paragraph matches of a copy).
    """
    rules = config.rules
    evidence = gather(a, b, config, boilerplate)
    matches = evidence.matches
    if not matches and not evidence.passages:
        return None
    rule = copy_rule(evidence, a, b, rules)
    masked = any(m is not None and m.any() for m in boilerplate)
    if rule and masked and matches:
        matches = sorted(matches + _boilerplate_in_copy(a, b, matches, config), key=lambda m: (m.a, m.b))
    coverage = (max(evidence.coverage[0], evidence.paragraph_coverage[0]),
                max(evidence.coverage[1], evidence.paragraph_coverage[1]))
    if evidence.passages and evidence.shared >= sum(m.shared for m in evidence.matches):
        kind = _pair_kind([p.kind for p in evidence.passages], [p.shared for p in evidence.passages])
        kept = sum(p.shared for p in evidence.passages) / max(
            sum(p.shared / max(p.containment, 1e-9) for p in evidence.passages), 1)
    else:
        kind = _pair_kind([m.kind for m in matches], [1] * len(matches))
        kept = sum(m.shared for m in matches) / sum(
            min(int(a.shingle_counts()[m.a]), int(b.shingle_counts()[m.b])) for m in matches)
    stripped = (without_boilerplate(a, boilerplate[0]), without_boilerplate(b, boilerplate[1]))
    return PairVerdict(
        matches=tuple(matches),
        verdict="copy" if rule else "related",
        kind=kind,
        source=_source(a, b, coverage, kind, rules) if rule else None,
        matched=(len({m.a for m in matches}), len({m.b for m in matches})),
        matchable=(int(stripped[0].matchable.sum()), int(stripped[1].matchable.sum())),
        kept=min(1.0, kept),
        passages=tuple(evidence.passages),
        coverage=coverage,
        rule=rule,
    )
