"""The dense TF-IDF rows of two documents' sentences in one compiled pass (rule d of verification).

:func:`syndidetect.tfidf.sentence_scores` multiplies these rows; building them with numpy took a
few dozen small-array calls per candidate pair (distinct counts, IDF, norms, sentences joined with
their neighbours, dense columns). The kernel repeats numpy's arithmetic operation for operation, in
the same order (the logarithms come in as tables numpy computed), so its rows are bit for bit those
of :func:`syndidetect.tfidf.dense_rows_numpy`, the reference it is tested against.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from syndidetect._kernels.jit import compile_cached
from syndidetect._kernels.lazy import LazyKernel
from syndidetect.tfidf import DenseRows, Ids, Matrix, dense_rows_numpy, products_numpy, raise_joined_numpy


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


def _fill(terms: Any, counts: Any, tf: Any, idf: Any, df: Any, column: Any, out: Any,
          row: int) -> None:  # pragma: no cover - compiled
    """One l2-normalised row: ``(1 + ln count) * idf``, squares summed in term order (as
    ``np.bincount`` sums them), kept in the shared columns only."""
    total = 0.0
    for x in range(terms.shape[0]):
        weight = tf[counts[x] - 1] * idf[df[terms[x]]]
        total += weight * weight
    norm = np.sqrt(total)
    for x in range(terms.shape[0]):
        c = column[terms[x]]
        if c >= 0:
            out[row, c] = (tf[counts[x] - 1] * idf[df[terms[x]]]) / norm


def _fill_joined(terms: Any, counts: Any, starts: Any, tf: Any, idf: Any, df: Any, column: Any,
                 out: Any) -> None:  # pragma: no cover - compiled
    """Rows of each sentence joined with the next: both term lists merged, counts added."""
    size = 0
    for s in range(starts.shape[0] - 2):
        size = max(size, starts[s + 2] - starts[s])
    merged_terms = np.empty(size, dtype=np.int64)
    merged_counts = np.empty(size, dtype=np.int64)
    for s in range(starts.shape[0] - 2):
        x, x_end, y, y_end = starts[s], starts[s + 1], starts[s + 1], starts[s + 2]
        m = 0
        while x < x_end or y < y_end:
            if y == y_end or (x < x_end and terms[x] < terms[y]):
                merged_terms[m], merged_counts[m] = terms[x], counts[x]
                x += 1
            elif x == x_end or terms[y] < terms[x]:
                merged_terms[m], merged_counts[m] = terms[y], counts[y]
                y += 1
            else:
                merged_terms[m], merged_counts[m] = terms[x], counts[x] + counts[y]
                x += 1
                y += 1
            m += 1
        _fill(merged_terms[:m], merged_counts[:m], tf, idf, df, column, out, s)


def _dense_rows(ta: Any, oa: Any, tb: Any, ob: Any, width: int, idf: Any,
                tf: Any) -> tuple[Any, Any, Any, Any]:  # pragma: no cover - compiled
    terms_a, counts_a, starts_a = _distinct(ta, oa)
    terms_b, counts_b, starts_b = _distinct(tb, ob)
    na, nb = starts_a.shape[0] - 1, starts_b.shape[0] - 1
    df = np.zeros(width, dtype=np.int64)  # sentences of both sides holding each term
    in_a = np.zeros(width, dtype=np.bool_)
    in_b = np.zeros(width, dtype=np.bool_)
    for x in range(starts_a[na]):
        df[terms_a[x]] += 1
        in_a[terms_a[x]] = True
    for x in range(starts_b[nb]):
        df[terms_b[x]] += 1
        in_b[terms_b[x]] = True
    column = np.empty(width, dtype=np.int64)  # the terms of both sides, ascending, are the columns
    k = 0
    for t in range(width):
        column[t] = k if in_a[t] and in_b[t] else -1
        k += column[t] >= 0
    a = np.zeros((na, k))
    b = np.zeros((nb, k))
    for s in range(na):
        lo, hi = starts_a[s], starts_a[s + 1]
        _fill(terms_a[lo:hi], counts_a[lo:hi], tf, idf, df, column, a, s)
    for s in range(nb):
        lo, hi = starts_b[s], starts_b[s + 1]
        _fill(terms_b[lo:hi], counts_b[lo:hi], tf, idf, df, column, b, s)
    joined_a = np.zeros((max(na - 1, 0), k))
    joined_b = np.zeros((max(nb - 1, 0), k))
    _fill_joined(terms_a, counts_a, starts_a, tf, idf, df, column, joined_a)
    _fill_joined(terms_b, counts_b, starts_b, tf, idf, df, column, joined_b)
    return a, b, joined_a, joined_b


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


def _products(x: Any, y: Any) -> Any:  # pragma: no cover - compiled
    """``x @ y.T`` as :func:`syndidetect.tfidf.products_numpy` sums it: over the nonzero terms of
    ``x``'s row, in column order (a sentence row holds a dozen of the pair's shared terms)."""
    out = np.zeros((x.shape[0], y.shape[0]))
    terms = np.empty(x.shape[1], dtype=np.int64)
    for i in range(x.shape[0]):
        m = 0
        for t in range(x.shape[1]):
            if x[i, t] != 0.0:
                terms[m] = t
                m += 1
        for j in range(y.shape[0]):
            total = 0.0
            for q in range(m):
                total += x[i, terms[q]] * y[j, terms[q]]
            out[i, j] = total
    return out


def _build_rows() -> Callable[..., DenseRows]:
    # numba resolves a kernel's callees among the module's globals when it compiles the kernel: each
    # helper is rebound to its compiled dispatcher before the functions that call it compile.
    for helper in (_distinct, _fill, _fill_joined):
        globals()[helper.__name__] = compile_cached(helper, nogil=True)
    compiled: Callable[..., DenseRows] = compile_cached(_dense_rows, nogil=True)
    return compiled


def _build_products() -> Callable[..., Matrix]:
    compiled: Callable[..., Matrix] = compile_cached(_products, nogil=True)
    return compiled


def _build_raise() -> Callable[..., None]:
    compiled: Callable[..., None] = compile_cached(_raise_joined, nogil=True)
    return compiled


# Requests before compiling: the rows save ~0.7 ms per pair of compared documents over the numpy
# path and cost ~3 s to compile on a fresh install, the raise ~0.05 ms and ~0.3 s (~10 ms to load
# from numba's cache; measured on the 2-core benchmark machine): small jobs stay on numpy.
ROWS = LazyKernel(_build_rows, after=32)
RAISE = LazyKernel(_build_raise, after=32)
# The products: ~0.3 s to compile; they save the numpy path's row-by-row calls (~0.3 ms a pair).
PRODUCTS = LazyKernel(_build_products, after=32)


@lru_cache(maxsize=8)
def _tf_weights(size: int) -> npt.NDArray[np.float64]:
    """``1 + ln(c)`` for the counts 1 .. size, as :func:`syndidetect.tfidf.tfidf_rows` computes it."""
    weights: npt.NDArray[np.float64] = 1.0 + np.log(np.arange(1, size + 1, dtype=np.int64))
    return weights


def _joined_length(offsets: Ids) -> int:
    """The most tokens two neighbouring sentences (or a lone one) hold."""
    return int((offsets[2:] - offsets[:-2]).max()) if len(offsets) > 2 else int(offsets[-1] - offsets[0])


def dense_rows(ta: Ids, oa: Ids, tb: Ids, ob: Ids, width: int) -> DenseRows:
    """:func:`syndidetect.tfidf.dense_rows_numpy`, by the compiled kernel once it is compiled."""
    kernel = ROWS.get()
    if kernel is None:
        return dense_rows_numpy(ta, oa, tb, ob, width)
    n = len(oa) + len(ob) - 2
    # Smoothed IDF of a term held by d sentences, d = 0 .. n, as tfidf_idf computes it.
    idf = np.log((1.0 + n) / (1.0 + np.arange(n + 1, dtype=np.int64))) + 1.0
    # A term occurs at most as often as two neighbouring sentences hold words; the table size is a
    # power of two so that a few tables serve every document.
    tf = _tf_weights(1 << max(_joined_length(oa), _joined_length(ob), 1).bit_length())
    rows: DenseRows = kernel(ta, oa, tb, ob, width, idf, tf)
    return rows


def raise_joined(score: Matrix, single: Matrix, window_b: Matrix, window_a: Matrix) -> None:
    """:func:`syndidetect.tfidf.raise_joined_numpy`, by the compiled kernel once it is compiled."""
    kernel = RAISE.get()
    if kernel is None:
        raise_joined_numpy(score, single, window_b, window_a)
    else:
        kernel(score, single, window_b, window_a)


def products(x: Matrix, y: Matrix) -> Matrix:
    """:func:`syndidetect.tfidf.products_numpy`, by the compiled kernel once it is compiled."""
    kernel = PRODUCTS.get()
    if kernel is None:
        return products_numpy(x, y)
    out: Matrix = kernel(x, y)
    return out
