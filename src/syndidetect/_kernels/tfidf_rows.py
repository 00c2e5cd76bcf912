"""The TF-IDF sentence scores of two documents in one compiled pass (rule d of verification).

:func:`syndidetect.tfidf.sentence_scores` builds each side's l2-normalised rows (single sentences and
each sentence joined with its next) on the terms both sides hold, multiplies them and raises a score
where a join beats its parts. The kernel keeps the rows sparse (a sentence holds a dozen of the
pair's hundreds of shared terms) and multiplies them through the other side's postings, but repeats
numpy's arithmetic operation for operation in the same order (the logarithms come in as tables numpy
computed, each product is summed over the first row's terms in column order), so its scores are bit
for bit those of the numpy path, the reference it is tested against. Three dense kernels (rows,
products, raise) did this before: 0.57-0.72 ms a pair of 20-paragraph documents against 0.43-0.54
ms in one sparse call (the pair's vocabulary mapping included).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from syndidetect._kernels.jit import compile_cached
from syndidetect._kernels.lazy import CompileCost, LazyKernel
from syndidetect.tfidf import Ids, Matrix, SentenceTerms, pair_ids


def _distinct(tokens: Any, offsets: Any) -> tuple[Any, Any, Any]:  # pragma: no cover - compiled
    """Each sentence's distinct terms, ascending, with their counts: ``starts`` delimits them."""
    n = offsets.shape[0] - 1
    terms = np.empty(tokens.shape[0], dtype=np.int64)
    counts = np.empty(tokens.shape[0], dtype=np.int64)
    starts = np.empty(n + 1, dtype=np.int64)
    run = np.empty(tokens.shape[0], dtype=np.int64)
    m = 0
    for s in range(n):
        starts[s] = m
        size = offsets[s + 1] - offsets[s]
        for x in range(size):
            run[x] = tokens[offsets[s] + x]
        # Shell sort with gaps 3^k - 1 / 2: plain loops (numba's np.sort takes seconds to compile
        # and ~0.4 us a call, more than sorting a sentence's dozen stems).
        gap = 1
        while gap < size // 3:
            gap = 3 * gap + 1
        while gap >= 1:
            for x in range(gap, size):
                value = run[x]
                y = x
                while y >= gap and run[y - gap] > value:
                    run[y] = run[y - gap]
                    y -= gap
                run[y] = value
            gap //= 3
        for x in range(size):
            if x > 0 and run[x] == run[x - 1]:
                counts[m - 1] += 1
            else:
                terms[m] = run[x]
                counts[m] = 1
                m += 1
    starts[n] = m
    return terms, counts, starts


def _raise_joined(score: Any, single: Any, window_b: Any, window_a: Any) -> None:  # pragma: no cover - compiled
    """:func:`syndidetect.tfidf.raise_joined_numpy` in place (comparisons and maxima only: exact)."""
    for i in range(window_b.shape[0]):
        for j in range(window_b.shape[1]):
            w = window_b[i, j]
            if w > single[i, j] and w > single[i, j + 1]:
                score[i, j] = max(score[i, j], w)
                score[i, j + 1] = max(score[i, j + 1], w)
    for j in range(window_a.shape[0]):
        for i in range(window_a.shape[1]):
            w = window_a[j, i]
            if w > single[i, j] and w > single[i + 1, j]:
                score[i, j] = max(score[i, j], w)
                score[i + 1, j] = max(score[i + 1, j], w)


def _sparse(terms: Any, counts: Any, starts: Any, tf: Any, idf: Any, df: Any, column: Any,
            cols: Any, weights: Any, row_starts: Any) -> None:  # pragma: no cover - compiled
    """The l2-normalised rows of :func:`syndidetect.tfidf.dense_rows_numpy` on the shared columns,
    as ``(column, weight)`` entries in column order (row ``s`` holds ``cols[row_starts[s]:
    row_starts[s + 1]]``): ``(1 + ln count) * idf``, squares summed in term order as
    ``np.bincount`` sums them, divided by their root.

    One pass over a row's terms weighs each and writes it at the next entry, which only a shared
    term's moves past: whether a term is shared is a coin toss to the branch predictor. With a branch
    there and each weight computed again after the norm, a pair's shared rows took 20 of the sentence
    bound's 57 us (one thread, 20-paragraph documents of ``benchmarks.corpus``); now about 10. The
    entries are then divided by the norm: the same quotients, bit for bit."""
    m = 0
    for s in range(starts.shape[0] - 1):
        row_starts[s] = m
        total = 0.0
        for x in range(starts[s], starts[s + 1]):
            weight = tf[counts[x] - 1] * idf[df[terms[x]]]
            total += weight * weight
            c = column[terms[x]]
            cols[m] = c
            weights[m] = weight
            m += c >= 0
        norm = np.sqrt(total)
        for e in range(row_starts[s], m):
            weights[e] /= norm
    row_starts[starts.shape[0] - 1] = m


def _sparse_rows(terms: Any, counts: Any, starts: Any, tf: Any, idf: Any, df: Any,
                 column: Any) -> tuple[Any, Any, Any]:  # pragma: no cover - compiled
    """:func:`_sparse` into new arrays."""
    size = starts[starts.shape[0] - 1]
    cols = np.empty(size, dtype=np.int64)
    weights = np.empty(size, dtype=np.float64)
    row_starts = np.empty(starts.shape[0], dtype=np.int64)
    _sparse(terms, counts, starts, tf, idf, df, column, cols, weights, row_starts)
    return cols, weights, row_starts


def _joined(terms: Any, counts: Any, starts: Any) -> tuple[Any, Any, Any]:  # pragma: no cover - compiled
    """Each sentence merged with its next: both term lists merged, counts added (the joined rows of
    :func:`syndidetect.tfidf.dense_rows_numpy`), delimited by the returned starts."""
    n = max(starts.shape[0] - 2, 0)
    out_terms = np.empty(2 * terms.shape[0] + 1, dtype=np.int64)
    out_counts = np.empty(2 * terms.shape[0] + 1, dtype=np.int64)
    out_starts = np.empty(n + 1, dtype=np.int64)
    m = 0
    for s in range(n):
        out_starts[s] = m
        x, x_end, y, y_end = starts[s], starts[s + 1], starts[s + 1], starts[s + 2]
        while x < x_end or y < y_end:
            if y == y_end or (x < x_end and terms[x] < terms[y]):
                out_terms[m], out_counts[m] = terms[x], counts[x]
                x += 1
            elif x == x_end or terms[y] < terms[x]:
                out_terms[m], out_counts[m] = terms[y], counts[y]
                y += 1
            else:
                out_terms[m], out_counts[m] = terms[x], counts[x] + counts[y]
                x += 1
                y += 1
            m += 1
    out_starts[n] = m
    return out_terms, out_counts, out_starts


def _product(xc: Any, xw: Any, xs: Any, yc: Any, yw: Any, ys: Any, k: int) -> Any:  # pragma: no cover - compiled
    """:func:`syndidetect.tfidf.products_numpy` of two sets of sparse rows: entry ``(i, j)`` sums
    ``x * y`` over the columns of ``x``'s row in column order, as it does, but only where ``y`` has
    the column too (the others add ``+0.0``, which changes no sum of these positive weights)."""
    nx, ny = xs.shape[0] - 1, ys.shape[0] - 1
    # The rows of y by column: posting lists of (row, weight).
    sizes = np.zeros(k + 1, dtype=np.int64)
    for e in range(ys[ny]):
        sizes[yc[e] + 1] += 1
    for c in range(k):
        sizes[c + 1] += sizes[c]
    fill = sizes[:k].copy()
    post_row = np.empty(ys[ny], dtype=np.int64)
    post_weight = np.empty(ys[ny], dtype=np.float64)
    for j in range(ny):
        for e in range(ys[j], ys[j + 1]):
            at = fill[yc[e]]
            post_row[at], post_weight[at] = j, yw[e]
            fill[yc[e]] += 1
    out = np.zeros((nx, ny))
    for i in range(nx):
        for e in range(xs[i], xs[i + 1]):
            c, w = xc[e], xw[e]
            for q in range(sizes[c], sizes[c + 1]):
                out[i, post_row[q]] += w * post_weight[q]
    return out


def _shared_rows(terms_a: Any, counts_a: Any, starts_a: Any, in_a: Any, terms_b: Any, counts_b: Any, starts_b: Any,
                 in_b: Any, tf: Any, idf: Any, df: Any) -> tuple[Any, ...]:  # pragma: no cover - compiled
    """The pair's shared columns (the terms ``in_a`` and ``in_b`` both flag, numbered in term order)
    and how many, and each side's sparse rows on them (:func:`_sparse_rows`)."""
    width = df.shape[0]
    column = np.empty(width, dtype=np.int64)
    k = 0
    for t in range(width):
        column[t] = k if in_a[t] and in_b[t] else -1
        k += column[t] >= 0
    ac, aw, as_ = _sparse_rows(terms_a, counts_a, starts_a, tf, idf, df, column)
    bc, bw, bs = _sparse_rows(terms_b, counts_b, starts_b, tf, idf, df, column)
    return column, k, ac, aw, as_, bc, bw, bs


def _pair_rows(ta: Any, oa: Any, tb: Any, ob: Any, width: int, idf: Any,
               tf: Any) -> tuple[Any, ...]:  # pragma: no cover - compiled
    """Both sides' distinct terms (``_distinct``), the pair's document frequencies, its shared
    columns and how many, and each side's sparse single rows on them."""
    terms_a, counts_a, starts_a = _distinct(ta, oa)
    terms_b, counts_b, starts_b = _distinct(tb, ob)
    na, nb = starts_a.shape[0] - 1, starts_b.shape[0] - 1
    df = np.zeros(width, dtype=np.int64)
    in_a = np.zeros(width, dtype=np.bool_)
    in_b = np.zeros(width, dtype=np.bool_)
    for x in range(starts_a[na]):
        df[terms_a[x]] += 1
        in_a[terms_a[x]] = True
    for x in range(starts_b[nb]):
        df[terms_b[x]] += 1
        in_b[terms_b[x]] = True
    column, k, ac, aw, as_, bc, bw, bs = _shared_rows(terms_a, counts_a, starts_a, in_a, terms_b, counts_b, starts_b,
                                                      in_b, tf, idf, df)
    return terms_a, counts_a, starts_a, terms_b, counts_b, starts_b, df, column, k, ac, aw, as_, bc, bw, bs


def _scores(ta: Any, oa: Any, tb: Any, ob: Any, width: int, idf: Any, tf: Any) -> Any:  # pragma: no cover - compiled
    """:func:`syndidetect.tfidf.sentence_scores` in one pass: the rows kept sparse, their products
    (:func:`_product`) and the raise of :func:`_raise_joined`."""
    (terms_a, counts_a, starts_a, terms_b, counts_b, starts_b, df, column, k, ac, aw, as_, bc, bw,
     bs) = _pair_rows(ta, oa, tb, ob, width, idf, tf)
    joined_terms, joined_counts, joined_starts = _joined(terms_a, counts_a, starts_a)
    jac, jaw, jas = _sparse_rows(joined_terms, joined_counts, joined_starts, tf, idf, df, column)
    joined_terms, joined_counts, joined_starts = _joined(terms_b, counts_b, starts_b)
    jbc, jbw, jbs = _sparse_rows(joined_terms, joined_counts, joined_starts, tf, idf, df, column)
    single = _product(ac, aw, as_, bc, bw, bs, k)
    score = single.copy()
    _raise_joined(score, single, _product(ac, aw, as_, jbc, jbw, jbs, k), _product(bc, bw, bs, jac, jaw, jas, k))
    return score


def _first_seen(tokens: Any, offsets: Any, mapped: Any, marker: Any, first_marker: int, df: Any, held: Any,
                where: Any) -> tuple[Any, Any, Any]:  # pragma: no cover - compiled
    """Each sentence's distinct terms, as pair ids (``mapped[token]``), with their counts, in order of
    first appearance in the sentence (not sorted: one pass, no sort a sentence); adds each to its
    term's sentence count ``df`` and flags it in ``held``. ``marker[t]`` names the last sentence that
    held term ``t`` (sentence ``s`` is ``first_marker + s``), ``where[t]`` its entry there."""
    n = offsets.shape[0] - 1
    terms = np.empty(tokens.shape[0], dtype=np.int64)
    counts = np.empty(tokens.shape[0], dtype=np.int64)
    starts = np.empty(n + 1, dtype=np.int64)
    m = 0
    for s in range(n):
        starts[s] = m
        for x in range(offsets[s], offsets[s + 1]):
            t = mapped[tokens[x]]
            if marker[t] == first_marker + s:
                counts[where[t]] += 1
            else:
                marker[t] = first_marker + s
                where[t] = m
                terms[m] = t
                counts[m] = 1
                df[t] += 1
                held[t] = True
                m += 1
    starts[n] = m
    return terms, counts, starts


def _single_scores(ta: Any, oa: Any, mapped: Any, tb: Any, ob: Any, width: int, idf: Any,
                   tf: Any) -> Any:  # pragma: no cover - compiled
    """The cosines of single sentences only (``_scores`` before the raise, a third of its
    products), for a bound: ``b``'s tokens come in ``b``'s own ids with ``mapped``, its ids' pair
    ids. Each sentence's terms stay in order of first appearance instead of being sorted (sorting
    took about a sixth of the bound's time), so a norm and a product sum the same terms in another order: the
    cosines are those of ``_scores``' single rows to a few units of rounding (1e-16 each), not bit
    for bit."""
    df = np.zeros(width, dtype=np.int64)
    marker = np.full(width, -1, dtype=np.int64)
    where = np.empty(width, dtype=np.int64)
    in_a = np.zeros(width, dtype=np.bool_)
    in_b = np.zeros(width, dtype=np.bool_)
    same = np.arange(width, dtype=np.int64)  # a's ids are the pair's first ids
    terms_a, counts_a, starts_a = _first_seen(ta, oa, same, marker, 0, df, in_a, where)
    terms_b, counts_b, starts_b = _first_seen(tb, ob, mapped, marker, oa.shape[0], df, in_b, where)
    _, k, ac, aw, as_, bc, bw, bs = _shared_rows(terms_a, counts_a, starts_a, in_a, terms_b, counts_b, starts_b, in_b,
                                                 tf, idf, df)
    return _product(ac, aw, as_, bc, bw, bs, k)


class ScoreKernels(NamedTuple):
    scores: Callable[..., Matrix]  # the raised scores (``_scores``)
    single: Callable[..., Matrix]  # the single sentences' cosines, to rounding (``_single_scores``)


def _build_scores() -> ScoreKernels:
    # numba resolves a kernel's callees among the module's globals when it compiles the kernel: each
    # helper is rebound to its compiled dispatcher before the kernel that calls it compiles.
    for helper in (_distinct, _sparse, _sparse_rows, _joined, _product, _raise_joined, _shared_rows,
                   _pair_rows, _first_seen):
        globals()[helper.__name__] = compile_cached(helper, nogil=True)
    return ScoreKernels(compile_cached(_scores, nogil=True), compile_cached(_single_scores, nogil=True))


# Requests before compiling (pairs of documents whose sentences are compared): compiling costs
# seconds on a fresh install (~10 ms to load from numba's cache), so small jobs (the seeds, one
# article against an index) stay on numpy.
# Into an empty cache: 6.1 and 6.8 s to compile with its helpers, timed in the seventy-third round
# (its first call in a fresh process, a `/tmp` script, a slower hour). The seventy-second round's
# 2.2 s came from numba's compile events in one run of every kernel, where the helpers the scores
# share with the sentence bound may have counted as the bound's (the bound alone took 12.1 s, 10.3 s
# with the scores cached); a fresh install now compiles the scores first. numba's cache lacking it,
# it waits for the work that repays that, counted in the seconds the kernel saves
# (``compared_seconds``).
SCORES_PAIR_SECONDS = 0.82e-3
SCORES_PRODUCT_SECONDS = 0.37e-6
SCORES = LazyKernel(_build_scores, after=32, cost=CompileCost(seconds=6.1, saved=1.0))  # work in seconds saved


def compared_seconds(a: SentenceTerms, b: SentenceTerms, pair: float, product: float) -> float:
    """``pair + product * m * n`` seconds for two documents of ``m`` and ``n`` sentences: what a
    kernel saves on a pair whose sentences are compared (their scores are an m by n matrix).

    The scores kernel's figures, ``SCORES_PAIR_SECONDS`` and ``SCORES_PRODUCT_SECONDS``, are the
    numpy scores' time less the kernel's, timed in the seventy-third round by ``python -m
    benchmarks.kernel_savings --sentences``: every comparison of similar sentences in a detection of
    ``benchmarks.peers``' 20,000 paragraphs made again, twice each way: 0.78-0.87 ms a pair of
    one-paragraph documents (3 sentences a side, the median; 8 sentence pairs a pair), 2.33-2.91 ms a
    pair of 20-paragraph ones (70 a side; 4,904 sentence pairs), the line through their means.
    (Whole detections with the kernel on numpy's path and compiled, ``python -m
    benchmarks.kernel_savings --only scores``, gave 0.9-2.2 ms a pair of one-paragraph documents in
    two runs; the bound leaves it no pair of 20-paragraph ones.) The seventy-second round's 0.5 ms a
    pair was 1.6-5 times too few."""
    return pair + product * a.sentences * b.sentences


@lru_cache(maxsize=8)
def tf_weights(size: int) -> npt.NDArray[np.float64]:
    """``1 + ln(c)`` for the counts 1 .. size, as :func:`syndidetect.tfidf.tfidf_rows` computes it."""
    weights: npt.NDArray[np.float64] = 1.0 + np.log(np.arange(1, size + 1, dtype=np.int64))
    return weights


def joined_length(offsets: Ids) -> int:
    """The most tokens two neighbouring sentences (or a lone one) hold."""
    return int((offsets[2:] - offsets[:-2]).max()) if len(offsets) > 2 else int(offsets[-1] - offsets[0])


def joined_lengths(flat: Ids, starts: Ids) -> Ids:
    """:func:`joined_length` of each of many documents' offsets laid end to end: document ``d``'s
    are ``flat[starts[d]:starts[d + 1]]``, one or more each. In a few numpy calls for all, where one
    call a document cost about 3 us."""
    firsts, ends = starts[:-1], starts[1:]
    whole = flat[ends - 1] - flat[firsts]  # one or two offsets: the lone sentence (or none)
    if len(flat) < 3:
        return whole
    spans = flat[2:] - flat[:-2]  # span ``i``: the two sentences from offset ``i`` to offset ``i + 2``
    # A span whose second or third offset starts the next document is no document's: 0, so that a
    # document's maximum (over its part of the spans, each at least 0) is that of its own spans.
    opens = np.zeros(len(flat) + 2, dtype=np.bool_)
    opens[ends] = True
    spans[opens[1 : len(spans) + 1] | opens[2 : len(spans) + 2]] = 0
    # Documents past the last span hold one or two offsets (whole): clamped, they cut no span away.
    longest = np.maximum.reduceat(spans, np.minimum(firsts, len(spans) - 1))
    lengths: Ids = np.where(ends - firsts > 2, longest, whole)
    return lengths


def _tables(oa: Ids, ob: Ids) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """The IDF and TF weights of a pair as numpy computes them, for the kernels to look up."""
    tf = tf_weights(tf_size(joined_length(oa), joined_length(ob)))
    return idf_weights(len(oa) + len(ob) - 2), tf


def tf_size(joined_a: int, joined_b: int) -> int:
    """The TF table a pair needs, from each side's :func:`joined_length`: a term occurs at most as
    often as two neighbouring sentences hold words; the size is a power of two so that a few tables
    serve every document."""
    return 1 << max(joined_a, joined_b, 1).bit_length()


def tf_sizes(joined_a: Ids, joined_b: Ids) -> Ids:
    """:func:`tf_size` of each pair of lengths (of fewer than 2**53 tokens: ``frexp``'s exponent of
    such a length, exact in a double, is its bit length)."""
    _, bits = np.frexp(np.maximum(np.maximum(joined_a, joined_b), 1).astype(np.float64))
    sizes: Ids = np.left_shift(1, bits.astype(np.int64))
    return sizes


@lru_cache(maxsize=256)
def idf_weights(n: int) -> npt.NDArray[np.float64]:
    """Smoothed IDF of a term held by d of ``n`` sentences, d = 0 .. n, as tfidf_idf computes it
    (pairs of documents of similar lengths share a table: ~50 us a pair saved)."""
    idf: npt.NDArray[np.float64] = np.log((1.0 + n) / (1.0 + np.arange(n + 1, dtype=np.int64))) + 1.0
    idf.setflags(write=False)
    return idf


def scores(a: SentenceTerms, b: SentenceTerms) -> Matrix | None:
    """:func:`syndidetect.tfidf.sentence_scores` of two documents' sentences in one compiled call,
    bit for bit; None while the kernel is not compiled."""
    kernels = SCORES.get(1, lambda: compared_seconds(a, b, SCORES_PAIR_SECONDS, SCORES_PRODUCT_SECONDS))
    if kernels is None:
        return None
    tb, width = pair_ids(a, b)
    idf, tf = _tables(a.offsets, b.offsets)
    out: Matrix = kernels.scores(a.tokens.astype(np.int64), a.offsets, tb, b.offsets, width, idf, tf)
    return out

