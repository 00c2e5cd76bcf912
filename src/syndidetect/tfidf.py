"""TF-IDF cosines of sentences given as stem lists (scikit-learn's vectoriser, computed with numpy).

Verification compares the sentences of many document pairs: each document's stems become term ids
once (:class:`SentenceTerms`), and :func:`sentence_scores` builds a pair's vocabulary, IDF and rows
from them, the dense rows by a compiled kernel when the caller passes one.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import pairwise, repeat
from typing import TypeAlias, TypeVar

import numpy as np
import numpy.typing as npt

from syndidetect import arrays

#: Term ids of one sentence; sparse rows: ``(row, term, weight)`` arrays and the number of rows.
Ids: TypeAlias = npt.NDArray[np.int64]
#: Term ids as a document keeps them (a vocabulary holds far fewer than 2**31 terms; half the bytes).
StoredIds: TypeAlias = npt.NDArray[np.int32]
_Term = TypeVar("_Term", str, int)  # a stem, or a stem's id
SparseRows: TypeAlias = tuple[Ids, Ids, npt.NDArray[np.float64], int]
#: Dense rows of two documents' sentences: of a, of b, of a's sentences joined, of b's joined.
Matrix: TypeAlias = npt.NDArray[np.float64]
DenseRows: TypeAlias = tuple[Matrix, Matrix, Matrix, Matrix]
RowsBuilder: TypeAlias = Callable[[Ids, Ids, Ids, Ids, int], DenseRows]
Raiser: TypeAlias = Callable[[Matrix, Matrix, Matrix, Matrix], None]
Products: TypeAlias = Callable[[Matrix, Matrix], Matrix]


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
    shared = arrays.common(arrays.distinct(x[1]), arrays.distinct(y[1]))
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


@dataclass(frozen=True, eq=False)
class SentenceTerms:
    """One document's sentences as term ids of its own vocabulary, built once per document: a pair's
    vocabulary is then the first document's, followed by the second's new stems.

    The vocabulary may be given as the words of a larger one (``source``) that ``picked`` picks:
    most compared documents only meet the sentence bound, which reads their words' ids, never
    their strings, and a tuple of a document's words cost about 0.15 us a word (each string's
    reference count touched)."""

    source: tuple[str, ...]  # the vocabulary, or the larger one it is picked from; interned (see word_ids)
    tokens: StoredIds  # the ids of every sentence's stems, one sentence after the other
    offsets: Ids  # sentence s holds tokens[offsets[s]:offsets[s + 1]]
    picked: StoredIds | None = None  # the vocabulary: source[picked[i]] is word i (None: source itself)
    source_ids: Ids | None = None  # the word_ids() of source's words, when its maker has them (shared)

    @property
    def sentences(self) -> int:
        return len(self.offsets) - 1

    @cached_property
    def words(self) -> tuple[str, ...]:
        """The vocabulary, in order of first appearance, interned."""
        if self.picked is None:
            return self.source
        return tuple(map(self.source.__getitem__, self.picked.tolist()))

    def word_ids(self) -> Ids:
        """An id of each vocabulary word that equals another terms' id exactly when the words are
        equal, while both terms are alive: the word's ``id()``. The words are interned (by every
        maker of terms), so two equal words are one object. A dict numbering the words of each
        batch of pairs cost a lookup a word a batch, a document being in about two batches (the
        sentence bound of a 100k-paragraph detect took 0.5-0.6 s longer with it); this is one
        ``id()`` call a word, or none when a stem vocabulary gave them (``source_ids``)."""
        if self.source_ids is not None:
            return self.source_ids if self.picked is None else self.source_ids[self.picked]
        return np.fromiter(map(id, self.words), dtype=np.int64, count=len(self.words))


def sentence_terms(sentences: Sequence[Sequence[str]]) -> SentenceTerms:
    """The ids :func:`term_ids` gives, as one array (one conversion, not one per sentence)."""
    offsets = np.zeros(len(sentences) + 1, dtype=np.int64)
    np.cumsum([len(words) for words in sentences], out=offsets[1:])
    return flat_terms([w for words in sentences for w in words], offsets)


def first_seen(flat: Sequence[_Term]) -> tuple[list[_Term], StoredIds]:
    """The distinct values of ``flat`` in order of first appearance, and each value's number in
    that order (a dict: one lookup a value)."""
    number = dict(zip(dict.fromkeys(flat), range(len(flat))))
    return list(number), np.fromiter(map(number.__getitem__, flat), dtype=np.int32, count=len(flat))


def flat_terms(flat: Sequence[str], offsets: Ids) -> SentenceTerms:
    """:func:`sentence_terms` of sentences given as all their stems in order, sentence ``s`` holding
    ``flat[offsets[s]:offsets[s + 1]]``."""
    vocabulary, tokens = first_seen(flat)
    return SentenceTerms(tuple(map(sys.intern, vocabulary)), tokens, offsets)


@lru_cache(maxsize=16)
def _word_ids(terms: SentenceTerms) -> dict[str, int]:
    """``terms``' word -> id, for the last documents compared: candidate pairs come sorted, so one
    document is the first of many pairs in a row, and the dicts are not kept for every document."""
    return dict(zip(terms.words, range(len(terms.words))))


def pair_ids(a: SentenceTerms, b: SentenceTerms) -> tuple[Ids, int]:
    """``b``'s tokens in the pair's vocabulary and its size: the ids :func:`term_ids` gives when it
    reads ``a``'s sentences, then ``b``'s (``a``'s ids are its own)."""
    index = _word_ids(a)
    mapped = np.fromiter(map(index.get, b.words, repeat(-1)), dtype=np.int64, count=len(b.words))
    new = mapped < 0
    added = int(new.sum())
    mapped[new] = len(a.words) + np.arange(added, dtype=np.int64)
    return mapped[b.tokens], len(a.words) + added


def _split(tokens: Ids, offsets: Ids) -> list[Ids]:
    return [tokens[offsets[s] : offsets[s + 1]] for s in range(len(offsets) - 1)]


def _dense(rows: SparseRows, column_of: Ids, columns: int) -> npt.NDArray[np.float64]:
    row, term, weight, n = rows
    column = column_of[term]
    on = column >= 0
    matrix = np.zeros((n, columns))
    matrix[row[on], column[on]] = weight[on]
    return matrix


def dense_rows_numpy(ta: Ids, oa: Ids, tb: Ids, ob: Ids, width: int) -> DenseRows:
    """The TF-IDF rows of the sentences of two documents (tokens in one vocabulary of ``width``
    terms) on the terms both hold, ascending: of ``a``, of ``b``, of each sentence of ``a`` joined
    with the next, of each of ``b`` joined with the next (the reference of the compiled kernel)."""
    ids_a, ids_b = _split(ta, oa), _split(tb, ob)
    idf = tfidf_idf(ids_a + ids_b, width)
    a, b = tfidf_rows(ids_a, idf), tfidf_rows(ids_b, idf)
    shared = arrays.common(arrays.distinct(a[1]), arrays.distinct(b[1]))
    column_of = np.full(width, -1, dtype=np.int64)
    column_of[shared] = np.arange(len(shared))
    joined_a = tfidf_rows([np.concatenate(p) for p in pairwise(ids_a)], idf)
    joined_b = tfidf_rows([np.concatenate(p) for p in pairwise(ids_b)], idf)
    return (_dense(a, column_of, len(shared)), _dense(b, column_of, len(shared)),
            _dense(joined_a, column_of, len(shared)), _dense(joined_b, column_of, len(shared)))


def _with_neighbours(
    score: npt.NDArray[np.float64], single: npt.NDArray[np.float64], window: npt.NDArray[np.float64]
) -> None:
    """Raise ``score[i, j]`` and ``score[i, j + 1]`` to ``window[i, j]``, the cosine of sentence ``i``
    with sentences ``j`` and ``j + 1`` joined, where the join beats both alone: the other text split
    sentence ``i`` in two, and each half shares enough of it to matter."""
    gain = np.where((window > single[:, :-1]) & (window > single[:, 1:]), window, 0.0)
    np.maximum(score[:, :-1], gain, out=score[:, :-1])
    np.maximum(score[:, 1:], gain, out=score[:, 1:])


def raise_joined_numpy(score: npt.NDArray[np.float64], single: npt.NDArray[np.float64],
                       window_b: npt.NDArray[np.float64], window_a: npt.NDArray[np.float64]) -> None:
    """:func:`_with_neighbours` for the sentences of ``b`` joined (``window_b``, one column fewer
    than ``single``), then those of ``a`` (``window_a``, ``b``'s rows against ``a``'s joins)."""
    if single.shape[1] > 1:
        _with_neighbours(score, single, window_b)
    if single.shape[0] > 1:
        _with_neighbours(score.T, single.T, window_a)


def products_numpy(x: Matrix, y: Matrix) -> Matrix:
    """``x @ y.T``, each entry summed term by term in column order over the nonzero terms of ``x``'s
    row (the compiled kernel's order, so both give the same bits on any machine; BLAS's blocking and
    its threads, which thrash on a loaded machine, would not).

    Step k adds the k-th nonzero term of every row at once: as many numpy calls as a sentence has
    terms (a few dozen), not as there are sentences, and each entry still sums in its row's order."""
    out = np.zeros((x.shape[0], y.shape[0]))
    rows, terms = np.nonzero(x)  # row by row, each row's terms ascending
    if not len(rows) or not len(y):
        return out
    counts = np.bincount(rows, minlength=x.shape[0])
    rank = np.arange(len(rows)) - np.repeat(np.cumsum(counts) - counts, counts)  # k: the row's k-th term
    by_rank = np.argsort(rank, kind="stable")
    bounds = np.searchsorted(rank[by_rank], np.arange(int(counts.max()) + 1))
    for first, end in pairwise(bounds.tolist()):  # the last bound is len(rows)
        row, term = rows[by_rank[first:end]], terms[by_rank[first:end]]
        out[row] += x[row, term][:, None] * y[:, term].T
    return out


def sentence_scores(a: SentenceTerms, b: SentenceTerms, rows: RowsBuilder = dense_rows_numpy,
                    raise_joined: Raiser = raise_joined_numpy,
                    products: Products = products_numpy) -> npt.NDArray[np.float64]:
    """Sentence cosines (IDF fitted on the sentences of both documents), raised where one side split
    a sentence of the other into two. ``rows``, ``raise_joined`` and ``products`` compute as
    :func:`dense_rows_numpy`, :func:`raise_joined_numpy` and :func:`products_numpy` do (the
    compiled kernels, say)."""
    tb, width = pair_ids(a, b)
    rows_a, rows_b, joined_a, joined_b = rows(a.tokens.astype(np.int64), a.offsets, tb, b.offsets, width)
    single = products(rows_a, rows_b)
    score = single.copy()
    raise_joined(score, single, products(rows_a, joined_b), products(rows_b, joined_a))
    return score
