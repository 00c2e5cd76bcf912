"""TF-IDF cosines of sentences given as stem lists (scikit-learn's vectoriser, computed with numpy)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

#: Term ids of one sentence; sparse rows: ``(row, term, weight)`` arrays and the number of rows.
Ids: TypeAlias = npt.NDArray[np.int64]
SparseRows: TypeAlias = tuple[Ids, Ids, npt.NDArray[np.float64], int]


def term_ids(sentences: Sequence[Sequence[str]], vocabulary: dict[str, int]) -> list[Ids]:
    """Each sentence's stems as term ids, adding new stems to ``vocabulary``."""
    return [np.array([vocabulary.setdefault(w, len(vocabulary)) for w in words], dtype=np.int64)
            for words in sentences]


def _counts(units: Sequence[Ids], width: int) -> tuple[Ids, Ids, Ids]:
    """The distinct ``(row, term)`` of ``units`` and their counts."""
    terms = np.concatenate(units) if units else np.zeros(0, dtype=np.int64)
    rows = np.repeat(np.arange(len(units), dtype=np.int64), [len(u) for u in units])
    keys, counts = np.unique(rows * width + terms, return_counts=True)
    return keys // width, keys % width, counts


def tfidf_idf(sentences: Sequence[Ids], width: int) -> npt.NDArray[np.float64]:
    """Smoothed IDF fitted on ``sentences``: ``idf = ln((1 + n) / (1 + df)) + 1``."""
    df = np.bincount(_counts(sentences, width)[1], minlength=width)
    idf: npt.NDArray[np.float64] = np.log((1.0 + len(sentences)) / (1.0 + df)) + 1.0
    return idf


def tfidf_rows(units: Sequence[Ids], idf: npt.NDArray[np.float64]) -> SparseRows:
    """Sparse l2-normalised TF-IDF rows ``(row, term, weight)`` with ``tf = 1 + ln(count)``."""
    row, term, counts = _counts(units, len(idf))
    weight = (1.0 + np.log(counts)) * idf[term]
    norm = np.sqrt(np.bincount(row, weight * weight, minlength=len(units)))
    return row, term, weight / norm[row], len(units)


def weighted_dot(x: SparseRows, y: SparseRows) -> npt.NDArray[np.float64]:
    """The ``(n_x, n_y)`` dot products of two sets of sparse rows, on their shared terms only."""
    shared = np.intersect1d(x[1], y[1])
    column_of = np.full(int(max(x[1].max(initial=0), y[1].max(initial=0))) + 1, -1, dtype=np.int64)
    column_of[shared] = np.arange(len(shared))
    dense = []
    for row, term, weight, n in (x, y):
        column = column_of[term]
        on = column >= 0
        matrix = np.zeros((n, len(shared)))
        matrix[row[on], column[on]] = weight[on]
        dense.append(matrix)
    product: npt.NDArray[np.float64] = dense[0] @ dense[1].T
    return product


def tfidf_cosines(stems_a: Sequence[Sequence[str]], stems_b: Sequence[Sequence[str]]) -> npt.NDArray[np.float64]:
    """The ``(len(stems_a), len(stems_b))`` cosines of sentences given as stem lists.

    Vectors are scikit-learn's ``TfidfVectorizer(analyzer=..., sublinear_tf=True)`` fitted on the
    sentences of both sides (``tf = 1 + ln(count)``, smoothed IDF, l2 norm), computed with numpy:
    importing scikit-learn takes seconds and it is not a dependency."""
    vocabulary: dict[str, int] = {}
    a, b = term_ids(stems_a, vocabulary), term_ids(stems_b, vocabulary)
    idf = tfidf_idf(a + b, len(vocabulary))
    return weighted_dot(tfidf_rows(a, idf), tfidf_rows(b, idf))
