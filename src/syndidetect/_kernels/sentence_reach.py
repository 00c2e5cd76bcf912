"""Whether similar sentences may make a copy, for many document pairs in one compiled call.

Verification compares the sentences of a pair when nothing else made it a copy (rule d), and most
such pairs (one shared paragraph among twenty) are rejected right after their scores by the bound of
:func:`syndidetect.sentences.sentence_evidence` (too few sentences score high enough to reach the
rule). Pair by pair, the Python around the compiled scores cost more than the scores: mapping the
pair's vocabulary through a dict (about 0.3 ms for two 20-paragraph documents), the weight tables,
the bound. Here a batch of pairs shares one vocabulary: each document's stems get batch-wide ids
once, the kernel maps each pair's vocabulary through a hash table, in the order
:func:`syndidetect.tfidf.pair_ids` gives (so the scores are bit for bit the per-pair ones), takes
the same bound, and runs on two threads (the kernel holds no GIL). The single cosines most pairs
stop at read each sentence's terms unsorted, in the second document's own ids with the pair's map
(sorting them took a sixth of the bound's time): they are the exact ones to rounding, which the bound's
slack absorbs, and a pair they pass is decided on the exact scores.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from syndidetect._kernels.jit import compile_cached
from syndidetect._kernels.lazy import CompileCost, LazyKernel
from syndidetect._kernels.packed import Packed, pair_members
from syndidetect._kernels.tfidf_rows import SCORES, compared_seconds, idf_weights, joined_lengths, tf_sizes, tf_weights
from syndidetect._kernels.threads import kernel_on_threads, threads_for
from syndidetect.tfidf import SentenceTerms

# Pairs of a batch below which one thread does all: a second thread costs about 0.1 ms to start,
# a pair's scores about 0.3 ms.
THREADED_PAIRS = 8
# Cosine the bound of :func:`_may_reach_by_singles` may fall short of the scores by rounding: each
# score is a sum of a few dozen products of weights at most 1, rounded at ~1e-16 each, and the single
# cosines it reads sum them (and the norms) in another order than the scores (the single cosines of
# tfidf_rows.SCORES): a few units of 1e-16 apart, far below it.
BOUND_SLACK = 1e-9


# Fibonacci hashing's multiplier (2**64 / the golden ratio): spreads the word ids, object addresses
# that are multiples of 16, over a table's slots by their top bits.
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _pair_map(gids_a: Any, gids_b: Any) -> tuple[Any, int]:  # pragma: no cover - compiled
    """``pair_ids`` from batch-wide ids: the pair id of each of ``b``'s words (``a``'s ids, then
    ``b``'s new stems in ``b``'s order) and the pair's vocabulary size. ``a``'s ids (distinct: a
    vocabulary's words) go into a table of open addressing at least twice their number, which
    ``b``'s probe: where a binary search of ``a``'s sorted ids needed each document's ids sorted
    first, in Python, a batch at a time."""
    n = gids_a.shape[0]
    bits = 4
    while (1 << bits) < 2 * n:
        bits += 1
    mask = np.int64((1 << bits) - 1)
    shift = np.uint64(64 - bits)
    slots = np.full(1 << bits, -1, dtype=np.int64)  # a local id of a, or -1 for an empty slot
    for i in range(n):
        h = np.int64((np.uint64(gids_a[i]) * _GOLDEN) >> shift)
        while slots[h] >= 0:
            h = (h + 1) & mask
        slots[h] = i
    mapped = np.empty(gids_b.shape[0], dtype=np.int64)
    added = 0
    for j in range(gids_b.shape[0]):
        g = gids_b[j]
        h = np.int64((np.uint64(g) * _GOLDEN) >> shift)
        found = -1
        while slots[h] >= 0:
            if gids_a[slots[h]] == g:
                found = slots[h]
                break
            h = (h + 1) & mask
        if found >= 0:
            mapped[j] = found
        else:
            mapped[j] = n + added
            added += 1
    return mapped, n + added


def _mapped_tokens(mapped: Any, tokens: Any) -> Any:  # pragma: no cover - compiled
    """``tokens`` in the pair's ids."""
    out = np.empty(tokens.shape[0], dtype=np.int64)
    for t in range(tokens.shape[0]):
        out[t] = mapped[tokens[t]]
    return out


def _rows_reaching(score: Any, floor: float) -> int:  # pragma: no cover - compiled
    """The rows of ``score`` holding some value of ``floor`` or more."""
    count = 0
    for i in range(score.shape[0]):
        for j in range(score.shape[1]):
            if score[i, j] >= floor:
                count += 1
                break
    return count


def _reaches(score: Any, floor: float, min_similar: int, min_coverage: float) -> bool:  # pragma: no cover - compiled
    """``syndidetect.sentences._may_reach`` on a score matrix, comparison for comparison."""
    na, nb = score.shape
    return _passes(_rows_reaching(score, floor), na, _rows_reaching(score.T, floor), nb, min_similar, min_coverage)


def _passes(most_a: int, na: int, most_b: int, nb: int, min_similar: int,
            min_coverage: float) -> bool:  # pragma: no cover - compiled
    """The rule's test on ``most_a`` of ``na`` and ``most_b`` of ``nb`` sentences reaching the floor."""
    if na == 0 or nb == 0:
        coverage = 0.0
    elif na == nb:
        coverage = min(most_a / na, most_b / nb)
    elif na < nb:
        coverage = most_a / na
    else:
        coverage = most_b / nb
    return min(most_a, most_b) >= min_similar and coverage >= min_coverage


def _may_reach_by_singles(single: Any, floor: float, min_similar: int,
                          min_coverage: float) -> bool:  # pragma: no cover - compiled
    """Whether the raised scores may pass :func:`_reaches`, read from the single sentences' cosines.

    A join raises ``score[i, j]`` to its own cosine with the other side's sentence, and that is at
    most the sum of the cosines of the two sentences it joins: TF weights are ``1 + ln count``,
    which is subadditive (``1 + ln(x + y) <= 2 + ln x + ln y`` for counts of 1 or more), and the
    joined row's norm is no smaller than either part's (it holds each part's terms, at counts no
    smaller). So ``score[i, j] <= single[i, j]`` plus its largest neighbour on the row or the
    column, and a sentence whose bound stays below the floor reaches it nowhere: counting the others
    bounds :func:`_reaches`' counts from above. ``BOUND_SLACK`` absorbs the rounding of the sums."""
    na, nb = single.shape
    reach_a = np.zeros(na, dtype=np.bool_)
    reach_b = np.zeros(nb, dtype=np.bool_)
    for i in range(na):
        for j in range(nb):
            neighbour = 0.0
            if j > 0:
                neighbour = max(neighbour, single[i, j - 1])
            if j + 1 < nb:
                neighbour = max(neighbour, single[i, j + 1])
            if i > 0:
                neighbour = max(neighbour, single[i - 1, j])
            if i + 1 < na:
                neighbour = max(neighbour, single[i + 1, j])
            if single[i, j] + neighbour >= floor - BOUND_SLACK:
                reach_a[i] = True
                reach_b[j] = True
    return _passes(int(reach_a.sum()), na, int(reach_b.sum()), nb, min_similar, min_coverage)


def _fused_scores(*args: Any) -> Any:  # pragma: no cover - replaced by the compiled scores kernel
    kernels = SCORES.compiled()
    assert kernels is not None
    return kernels.scores(*args)


def _fused_single(*args: Any) -> Any:  # pragma: no cover - replaced by the compiled single cosines kernel
    kernels = SCORES.compiled()
    assert kernels is not None
    return kernels.single(*args)


def _reach_pairs(tokens: Any, toff: Any, sent: Any, soff: Any, gids: Any, goff: Any, left: Any, right: Any,
                 tables: Any, tab_off: Any, tf_of: Any, idf_of: Any,
                 floor: float, min_similar: int, min_coverage: float, out: Any, first: int,
                 step: int) -> None:  # pragma: no cover - compiled
    """``out[k]`` for the pairs ``k = first, first + step, ...`` of packed documents: whether their
    sentence scores leave the rule a chance (:func:`_reaches`)."""
    for k in range(first, left.shape[0], step):
        x, y = left[k], right[k]
        oa, ob = sent[soff[x] : soff[x + 1]], sent[soff[y] : soff[y + 1]]
        if oa.shape[0] < 2 or ob.shape[0] < 2:
            out[k] = False
            continue
        mapped, width = _pair_map(gids[goff[x] : goff[x + 1]], gids[goff[y] : goff[y + 1]])
        own_b = tokens[toff[y] : toff[y + 1]]
        tf = tables[tab_off[tf_of[k]] : tab_off[tf_of[k] + 1]]
        idf = tables[tab_off[idf_of[k]] : tab_off[idf_of[k] + 1]]
        ta = tokens[toff[x] : toff[x + 1]]
        # Most pairs fail on the single sentences' cosines alone: a third of the products.
        if not _may_reach_by_singles(_fused_single(ta, oa, mapped, own_b, ob, width, idf, tf), floor, min_similar,
                                     min_coverage):
            out[k] = False
            continue
        score = _fused_scores(ta, oa, _mapped_tokens(mapped, own_b), ob, width, idf, tf)
        out[k] = _reaches(score, floor, min_similar, min_coverage)


def _build_reach() -> Callable[..., None]:
    # As in tfidf_rows: callees are compiled and rebound among the module's globals first.
    scores_kernels = SCORES.made()  # not handed out: SCORES keeps its own count
    assert scores_kernels is not None  # REACH is built only when numba is installed
    globals()["_fused_scores"], globals()["_fused_single"] = scores_kernels.scores, scores_kernels.single
    for helper in (_pair_map, _mapped_tokens, _rows_reaching, _passes, _reaches, _may_reach_by_singles):
        globals()[helper.__name__] = compile_cached(helper, nogil=True)
    compiled: Callable[..., None] = compile_cached(_reach_pairs, nogil=True)
    return compiled


# Pairs asked for before compiling: as the per-pair scores kernel (tfidf_rows.SCORES).
# Into an empty cache: 8.4 s to compile (a `/tmp` script logging numba's compile events, one
# process, the seventy-second round); numba's cache lacking it, it waits for the work that repays
# that, counted in the seconds it saves: without the bound every pair's sentences are compared in
# full (``verify.reworded_sentences``). Measured in the seventy-third round by ``python -m
# benchmarks.kernel_savings`` (whole detections of ``benchmarks.peers``' 20,000 paragraphs with the
# bound on numpy's path and compiled, every other kernel compiled, three alternated pairs): 0.18-0.36 s
# more for the 750 pairs of one-paragraph documents (3 sentences a side, the median), 0.53-2.92 s
# for the 1,553 of 20-paragraph ones (70 a side): the line through the medians, 0.31 ms a pair and
# 82 ns a product of the sentence counts. (Its ``--sentences`` run, the comparisons alone with what
# they memoise a document made, gives less: 116-121 and 416-446 us a pair.) The seventy-second
# round's 25 us a pair, timed as the difference of two whole detections with every kernel's numpy
# path and none, was 12 to 28 times too few.
REACH_PAIR_SECONDS = 0.31e-3
REACH_PRODUCT_SECONDS = 82e-9
REACH = LazyKernel(_build_reach, after=32, cost=CompileCost(seconds=8.4, saved=1.0))  # work in seconds saved


# The compiled bound of a batch of pairs, packed and ready: ``job(threads)`` makes the call on that
# many threads (None: two for enough pairs on a machine of two cores or more, see threads_for).
ReachJob = Callable[[int | None], list[bool]]


def reach_later(pairs: Sequence[tuple[SentenceTerms, SentenceTerms]], floor: float,
                least: tuple[int, float]) -> ReachJob | None:
    """Per pair of documents' sentence terms, whether some ``least = (min_similar, min_coverage)``
    of their sentences may score ``floor`` or more against the other side: the bound of
    ``sentence_evidence`` on the scores of :func:`syndidetect._kernels.tfidf_rows.scores`, exactly.
    The arrays are packed now; the compiled call is the job's, which reads only those arrays and
    holds no GIL, so another thread may make it while this one goes on. None while the kernel is
    not compiled."""
    kernel = REACH.get(len(pairs), lambda: sum(compared_seconds(a, b, REACH_PAIR_SECONDS, REACH_PRODUCT_SECONDS)
                                               for a, b in pairs))
    if kernel is None:
        return None
    docs, left, right = pair_members([a for a, _ in pairs], [b for _, b in pairs])  # a document's terms: one object
    out = np.zeros(len(pairs), dtype=np.bool_)
    tokens = Packed([d.tokens for d in docs], np.int64)
    sentences = Packed([d.offsets for d in docs], np.int64)
    tf_of, idf_of, tables = _pair_tables(sentences, left, right)
    batch_ids = Packed([d.word_ids() for d in docs], np.int64)
    flat = (tokens.flat, tokens.offsets, sentences.flat, sentences.offsets, batch_ids.flat, batch_ids.offsets,
            left, right, tables.flat, tables.offsets, tf_of, idf_of, floor, least[0], least[1], out)

    def job(threads: int | None) -> list[bool]:
        kernel_on_threads(kernel, flat, threads_for(len(pairs), THREADED_PAIRS) if threads is None else threads)
        result: list[bool] = out.tolist()
        return result

    return job


def _pair_tables(sentences: Packed, left: npt.NDArray[np.int64], right: npt.NDArray[np.int64]
                 ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], Packed]:
    """Each pair's TF and IDF tables (``tfidf_rows.scores``' own, numpy's logarithms) as indices into
    the distinct tables, packed, from the documents' sentence offsets (packed). In numpy calls for
    all pairs: a dict lookup a pair and table, and a document's ``joined_length``, took 3.0-3.4 us a
    pair of the whole bound's 40-45 (two threads, 20-paragraph documents); now 0.6-0.7."""
    counts = np.diff(sentences.offsets) - 1
    longest = joined_lengths(sentences.flat, sentences.offsets)
    idf_sizes, idf_of = np.unique(counts[left] + counts[right], return_inverse=True)
    tf_of_size, tf_of = np.unique(tf_sizes(longest[left], longest[right]), return_inverse=True)
    tables = [idf_weights(n) for n in idf_sizes.tolist()] + [tf_weights(size) for size in tf_of_size.tolist()]
    return tf_of.astype(np.int64) + len(idf_sizes), idf_of.astype(np.int64), Packed(tables, np.float64)
