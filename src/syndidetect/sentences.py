"""Similar sentences: evidence of a copy that survives heavy rewording.

A spun copy swaps words for synonyms and reorders clauses, so few word shingles survive; what
survives is, sentence by sentence, a third to a half of the content words, in the source's order.
This module compares the sentences of two texts on their content-word stems weighted by TF-IDF
(:mod:`syndidetect.stemming`), aligns similar sentences in order, keeps the aligned pairs that come
in runs as the evidence of a copy (:func:`sentence_evidence`, :func:`is_reworded_copy`), and
:mod:`syndidetect.sentence_lsh` finds candidate document pairs with MinHash/LSH over sentences.

>>> source = "Mr. Smith sold the old farm in 2019. Buyers paid three million dollars for the land."
>>> copy = "The aging farm was sold by Mr. Smith in 2019. Three million dollars were paid for the land."
>>> [round(p.cosine, 2) >= SENTENCE_COSINE for p in similar_sentences(source, copy, 3)]
[True, True]
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import numpy.typing as npt

from syndidetect._kernels.sentence_reach import ReachJob, reach_later
from syndidetect._kernels.tfidf_rows import scores
from syndidetect._types import Span
from syndidetect.sentence_sets import (
    MIN_CONTENT_WORDS,
    DocumentSentences,
    check_min_words,
    document_sentences,
    prepared_sentences,
)
from syndidetect.sentence_split import sentence_spans
from syndidetect.stemming import content_stems
from syndidetect.tfidf import sentence_scores, tfidf_cosines

__all__ = [
    "CONTEXT_COSINE", "MAX_SENTENCE_GAP", "MIN_CONTENT_WORDS", "MIN_SENTENCE_COVERAGE",
    "MIN_SIMILAR_SENTENCES", "SENTENCE_COSINE", "DocumentSentences", "SentenceEvidence",
    "SentencePair", "check_min_words", "content_stems", "document_sentences", "in_order_sentences",
    "is_reworded_copy", "may_reach_later", "prepared_sentences", "reworded_evidence",
    "sentence_evidence", "sentence_spans", "similar_sentences", "tfidf_cosines",
]

# Two sentences are similar at this cosine or more. A rewording that keeps half the content stems of
# a sentence gives two equal-length stem sets sharing half their members: cosine
# |A & B| / sqrt(|A| |B|) = 0.5 with equal weights. With IDF weights it is lower: a kept stem occurs
# in both texts (df >= 2) while each replacement occurs once, so for ~50 sentences the kept half
# weighs ln(51/3) + 1 = 3.8 against 4.2 and the cosine is 0.5 * 3.8^2 / mean(3.8^2, 4.2^2) = 0.45;
# 0.4 leaves room for topic words, which weigh less still. Sentences of independent articles on one
# story reach 0.45 at most in the seeds, but out of order or one at a time (see the verdict rule).
SENTENCE_COSINE = 0.4
# Next to a pair of aligned sentences, the following (or preceding) sentences of both texts are aligned
# too at this cosine or more: a third of the stems kept, alone a coincidence of one topic, right after
# a rewritten sentence the continuation of the rewriting (heavy spinning keeps a third to a half).
CONTEXT_COSINE = 0.3
# A copy is a stretch of text: its similar sentences come in runs, at most this many sentences apart
# on each side (one sentence dropped or added between two). Same-topic sentences and quotations match
# one here, one there, and isolated pairs are no evidence.
MAX_SENTENCE_GAP = 2
# The verdict rule: a copy shows at least this many similar sentences in runs in the same order on
# each side (one or two are a quotation or a stock phrase, and same-story sentences look alike) ...
MIN_SIMILAR_SENTENCES = 3
# ... covering at least this share of the eligible sentences of the document with fewer of them.
# Measured: the seeds' spun copy covers 0.43; in the shapes corpus of benchmarks/quality (8 seeds, 6
# pairs a category, boilerplate set aside) heavily reworded copies cover 0.39 or more in nine cases
# of ten, same-story pages sharing two quotations 0.27 or less in nine of ten.
MIN_SENTENCE_COVERAGE = 0.3


@dataclass(frozen=True)
class SentencePair:
    """A sentence of document A, a similar one of document B (character spans), and their cosine."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    cosine: float


@dataclass(frozen=True)
class SentenceEvidence:
    """Similar sentences in runs, in the same order in two documents, and how many could have matched.

    ``chain`` holds the aligned pairs that lie in runs (the evidence), ``scattered`` the other pairs
    of the in-order alignment (a quotation, a same-topic sentence). A sentence split in two by the
    other text is in two pairs, so the number of similar sentences is :attr:`similar`, not
    ``len(chain)``.
    """

    chain: tuple[SentencePair, ...]  # in order on both sides, in runs (see MAX_SENTENCE_GAP)
    eligible_a: int  # sentences of A with at least min_content_words distinct content stems
    eligible_b: int
    scattered: tuple[SentencePair, ...] = ()  # in order too, but alone

    @property
    def matched_a(self) -> int:
        """Distinct sentences of A in the chain."""
        return len({p.a_start for p in self.chain})

    @property
    def matched_b(self) -> int:
        """Distinct sentences of B in the chain."""
        return len({p.b_start for p in self.chain})

    @property
    def similar(self) -> int:
        """Similar sentences in order: the distinct sentences of the chain on its sparser side."""
        return min(self.matched_a, self.matched_b)

    @property
    def coverage(self) -> float:
        """The share of the eligible sentences of the document with fewer of them (the lower share
        on a tie) that the chain holds."""
        return _coverage(self.matched_a, self.eligible_a, self.matched_b, self.eligible_b)


def _coverage(matched_a: int, eligible_a: int, matched_b: int, eligible_b: int) -> float:
    """:attr:`SentenceEvidence.coverage` of these counts (it grows with each matched count)."""
    shares = [m / n for m, n in ((matched_a, eligible_a), (matched_b, eligible_b)) if n]
    if len(shares) < 2:
        return 0.0
    if eligible_a == eligible_b:
        return min(shares)
    return shares[0] if eligible_a < eligible_b else shares[1]


def _may_reach(score: npt.NDArray[np.float64], least: tuple[int, float]) -> bool:
    """Whether sentence scores leave the verdict rule ``least`` (similar sentences, coverage) any
    chance. Every pair of a chain scores SENTENCE_COSINE (a best partner) or CONTEXT_COSINE (its
    context) or more, so a sentence without such a score on its row (its column) is in no chain:
    counting the others bounds the chain's sentences on each side, and with them
    :attr:`SentenceEvidence.similar` and :attr:`SentenceEvidence.coverage` (exact: never false for
    a pair the rule accepts)."""
    floor = min(SENTENCE_COSINE, CONTEXT_COSINE)
    most_a = int(np.count_nonzero(score.max(axis=1) >= floor))
    most_b = int(np.count_nonzero(score.max(axis=0) >= floor))
    min_similar, min_coverage = least
    coverage = _coverage(most_a, score.shape[0], most_b, score.shape[1])  # rows: A's sentences
    return min(most_a, most_b) >= min_similar and coverage >= min_coverage


def may_reach_later(pairs: Sequence[tuple[DocumentSentences, DocumentSentences]],
                    least: tuple[int, float]) -> ReachJob:
    """Per pair, whether ``sentence_evidence(a, b, least)`` may hold sentences: False only where it is
    empty (no sentences on a side, or the bound :func:`_may_reach` of the scores fails), taken for
    all pairs in one compiled call, which the job returned makes (``reach_later``: another thread
    may make it); True for every pair while that kernel is not compiled."""
    job = reach_later([(a.terms, b.terms) for a, b in pairs], min(SENTENCE_COSINE, CONTEXT_COSINE), least)
    count = len(pairs)
    return job if job is not None else (lambda threads: [True] * count)


def _scores(a: DocumentSentences, b: DocumentSentences) -> npt.NDArray[np.float64]:
    """Sentence cosines, raised where one side split a sentence of the other into two: by the
    compiled kernel in one call once it is compiled (bit for bit the numpy path's)."""
    fused = scores(a.terms, b.terms)
    return fused if fused is not None else sentence_scores(a.terms, b.terms)


def _best_pairs(score: npt.NDArray[np.float64]) -> list[tuple[int, int]]:
    """Each sentence's best partner on the other side (ties to the first), at SENTENCE_COSINE or more.

    A sentence that is the best partner of several keeps the best of them, and its neighbour when
    that is one too (the halves of a split sentence): a short sentence that resembles many (a
    headline, a generic statement) is one similar sentence, not many."""
    # In numpy up to the few pairs that pass: a long document's sentences, each in a Python tuple,
    # took 9 ms a pair for one of about 10,000 sentences (3,000 paragraphs).
    rows, cols = np.arange(score.shape[0]), np.arange(score.shape[1])
    best_b, best_a = score.argmax(axis=1), score.argmax(axis=0)
    kept_a, kept_b = score[rows, best_b] >= SENTENCE_COSINE, score[best_a, cols] >= SENTENCE_COSINE
    pairs = set(zip(rows[kept_a].tolist(), best_b[kept_a].tolist()))
    pairs |= set(zip(best_a[kept_b].tolist(), cols[kept_b].tolist()))
    return sorted(_fan_limited(pairs, score) & {(i, j) for j, i in _fan_limited({(j, i) for i, j in pairs}, score.T)})


def _fan_limited(pairs: set[tuple[int, int]], score: npt.NDArray[np.float64]) -> set[tuple[int, int]]:
    """The pairs ``(i, j)`` where ``j`` is the best partner of ``i`` or next to it."""
    best: dict[int, int] = {}
    for i, j in sorted(pairs):  # ties to the first partner, as argmax's, not to the set's order
        if i not in best or score[i, j] > score[i, best[i]]:
            best[i] = j
    return {(i, j) for i, j in pairs if abs(j - best[i]) <= 1}


def _similar(a: DocumentSentences, b: DocumentSentences) -> list[SentencePair]:
    if not a.count or not b.count:
        return []
    score = _scores(a, b)
    return [SentencePair(*a.span(i), *b.span(j), float(score[i, j])) for i, j in _best_pairs(score)]


def similar_sentences(
    text_a: str,
    text_b: str,
    min_content_words: int = MIN_CONTENT_WORDS,
    *,
    ignore_a: Sequence[Span] = (),
    ignore_b: Sequence[Span] = (),
) -> list[SentencePair]:
    """Pairs of similar sentences of two texts, sorted by position in ``text_a``.

    The eligible sentences (:func:`document_sentences`) are compared by the cosine of their TF-IDF
    vectors (:func:`tfidf_cosines`: IDF fitted on the sentences of both texts, so the topic words of
    the pair weigh less). Where one text split a sentence of the other in two, each half scores the
    cosine of the two halves joined when that beats both alone. Each sentence is paired with its
    best partner on the other side, and pairs at :data:`SENTENCE_COSINE` or more are kept; a sentence
    is in two pairs at most, with two neighbouring sentences (the halves of a split).
    """
    a = document_sentences(text_a, min_content_words, ignore_a)
    return _similar(a, document_sentences(text_b, min_content_words, ignore_b))


def _longest_chain(points: Sequence[tuple[int, int]]) -> list[int]:
    """Indices of a longest chain of ``points`` non-decreasing in both coordinates, in order."""
    order = sorted(range(len(points)), key=points.__getitem__)
    tails: list[int] = []  # tails[k]: smallest second coordinate ending a chain of length k + 1
    ends: list[int] = []  # the point ending that chain
    previous = [-1] * len(points)
    for index in order:
        k = bisect.bisect_right(tails, points[index][1])
        previous[index] = ends[k - 1] if k else -1
        if k == len(tails):
            tails.append(points[index][1])
            ends.append(index)
        else:
            tails[k], ends[k] = points[index][1], index
    chain, index = [], ends[-1] if ends else -1
    while index >= 0:
        chain.append(index)
        index = previous[index]
    return chain[::-1]


def in_order_sentences(pairs: Sequence[SentencePair]) -> list[SentencePair]:
    """The longest chain of ``pairs`` in order in both texts (O(n log n)).

    "In order" is non-decreasing on both sides: two consecutive pairs may share the sentence of one
    side (the other text split it in two), never of both. A chain is a monotone alignment of the two
    texts, so crossing pairs (same-story sentences matched by chance) fall out.

    >>> starts = [(0, 0), (10, 60), (20, 10), (20, 20), (30, 30)]  # (10, 60) is out of order
    >>> [(q.a_start, q.b_start) for q in in_order_sentences([SentencePair(a, a + 9, b, b + 9, 0.9) for a, b in starts])]
    [(0, 0), (20, 10), (20, 20), (30, 30)]
    """
    return [pairs[k] for k in _longest_chain([(p.a_start, p.b_start) for p in pairs])]


def _with_context(chain: list[tuple[int, int]], score: npt.NDArray[np.float64]) -> list[tuple[int, int]]:
    """``chain`` grown along its diagonals: the sentences after (and before) an aligned pair, when
    neither is aligned yet and their score reaches CONTEXT_COSINE, are aligned too."""
    pairs = set(chain)
    used_a, used_b = {i for i, _ in chain}, {j for _, j in chain}
    todo = list(chain)
    while todo:
        i, j = todo.pop()
        for x, y in ((i + 1, j + 1), (i - 1, j - 1)):
            fits = 0 <= x < score.shape[0] and 0 <= y < score.shape[1] and x not in used_a and y not in used_b
            if fits and score[x, y] >= CONTEXT_COSINE:
                pairs.add((x, y))
                used_a.add(x)
                used_b.add(y)
                todo.append((x, y))
    points = sorted(pairs)
    return [points[k] for k in _longest_chain(points)]


def _in_runs(chain: list[tuple[int, int]]) -> list[bool]:
    """Whether each pair of ``chain`` is at most MAX_SENTENCE_GAP sentences from a neighbour on both sides."""
    close = [b[0] - a[0] <= MAX_SENTENCE_GAP and b[1] - a[1] <= MAX_SENTENCE_GAP for a, b in pairwise(chain)]
    return [before or after for before, after in zip([False, *close], [*close, False])]


def sentence_evidence(a: DocumentSentences, b: DocumentSentences,
                      least: tuple[int, float] | None = None) -> SentenceEvidence:
    """The evidence of a reworded copy between two prepared documents.

    The similar sentences (as :func:`similar_sentences` finds them) are chained in order
    (:func:`in_order_sentences`); the chain grows along its diagonals to neighbours at
    :data:`CONTEXT_COSINE` or more; its pairs within :data:`MAX_SENTENCE_GAP` sentences of another
    are the evidence, the others are kept apart as ``scattered``.

    ``least``: ``(min_similar, min_coverage)`` of the verdict rule (:func:`is_reworded_copy`), for
    a caller that wants only evidence that passes it; the evidence is then empty as soon as the
    scores show that it cannot (most compared pairs: one shared paragraph among many), without
    pairing and chaining the sentences.
    """
    if not a.count or not b.count:
        return SentenceEvidence((), a.count, b.count)
    score = _scores(a, b)
    if least is not None and not _may_reach(score, least):
        return SentenceEvidence((), a.count, b.count)
    best = _best_pairs(score)
    chain = _with_context([best[k] for k in _longest_chain(best)], score)
    pairs = [SentencePair(*a.span(i), *b.span(j), float(score[i, j])) for i, j in chain]
    runs = _in_runs(chain)
    return SentenceEvidence(
        tuple(p for p, run in zip(pairs, runs) if run), a.count, b.count,
        tuple(p for p, run in zip(pairs, runs) if not run),
    )


def reworded_evidence(
    text_a: str,
    text_b: str,
    min_content_words: int = MIN_CONTENT_WORDS,
    *,
    ignore_a: Sequence[Span] = (),
    ignore_b: Sequence[Span] = (),
) -> SentenceEvidence:
    """The evidence of a reworded copy between two texts (:func:`sentence_evidence`); the arguments
    are those of :func:`similar_sentences`."""
    a = document_sentences(text_a, min_content_words, ignore_a)
    return sentence_evidence(a, document_sentences(text_b, min_content_words, ignore_b))


def is_reworded_copy(
    evidence: SentenceEvidence,
    min_similar: int = MIN_SIMILAR_SENTENCES,
    min_coverage: float = MIN_SENTENCE_COVERAGE,
) -> bool:
    """The verdict rule: at least ``min_similar`` similar sentences in runs, in order
    (:attr:`~SentenceEvidence.similar`), covering at least ``min_coverage`` of the eligible sentences
    of the document with fewer of them (:attr:`~SentenceEvidence.coverage`)."""
    return evidence.similar >= min_similar and evidence.coverage >= min_coverage
