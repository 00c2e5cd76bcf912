"""The compiled tokeniser's lookup tables, derived from :mod:`syndidetect.unicode_tables`.

The kernel reads code points, tests ASCII ones with ``ascii_map`` and every other one with one
table entry: the bits below say everything the reference tokeniser (normalise, then the token regular
expressions of :mod:`syndidetect.shingles`) would decide about that code point.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt

from syndidetect.unicode_tables import (
    CHAINED,
    CLUSTER,
    IGNORED,
    MARK,
    WORD,
    case_foldings,
    char_classes,
    nfkc_unstable,
)

# (ascii_map, char_table, fold_places, fold_starts, fold_cps): see kernel_tables().
KernelTables = tuple[
    npt.NDArray[np.uint8], npt.NDArray[np.uint8], npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]
]

# Bits of char_table[cp] (uint8).
WORD_BIT = 1  # continues a run-of-letters token (unicode_tables.WORD: letters, numbers, marks)
FOLDS_BIT = 2  # str.casefold changes this code point
UNSTABLE_BIT = 4  # NFKC may change a text holding this code point (unicode_tables.nfkc_unstable)
CLUSTER_BIT = 8  # a token by itself with the marks after it (unicode_tables.CLUSTER)
MARK_BIT = 16  # a mark, continues a CLUSTER_BIT token (unicode_tables.MARK, folded to marks only)
IGNORED_BIT = 32  # skipped, never ends a token (unicode_tables.IGNORED)
CHAINED_BIT = 64  # a CLUSTER_BIT token goes on with the next such letter (unicode_tables.CHAINED)
STARTS_BITS = WORD_BIT | CLUSTER_BIT  # a code point with either bit starts a token


def _check_folding(classes: npt.NDArray[np.uint8], keys: npt.NDArray[np.int64], starts: npt.NDArray[np.int64],
                   folded: npt.NDArray[np.int64]) -> None:
    """The kernel tests classes before folding: folding must not change them (scratch sizing relies
    on it too). Only letters of scripts written with spaces and separators have case."""
    if (classes[keys] & (CLUSTER | IGNORED)).any():
        raise RuntimeError("casefold changes a character that is ignored or a token by itself")
    kind = np.uint8(WORD | CLUSTER | IGNORED)
    if not np.array_equal(np.repeat(classes[keys], np.diff(starts)) & kind, classes[folded] & kind):
        raise RuntimeError("casefold changes whether a character is a word character")


@lru_cache(maxsize=1)
def fold_table() -> npt.NDArray[np.int64]:
    """Per code point up to the last that case folding changes: what it folds to, or ``-1 - k`` for
    the ``k``-th of :func:`~syndidetect.unicode_tables.case_foldings`, one of several code points
    (about 1 MB). A binary search of the foldings' keys for each letter that folds cost 0.1 s more
    on 1,000 documents of Greek capitals than ``str.casefold`` (``benchmarks.detect_scripts``)."""
    keys, starts, folded = case_foldings()
    table = np.arange(int(keys.max()) + 1 if len(keys) else 0, dtype=np.int64)
    single = np.diff(starts) == 1
    table[keys[single]] = folded[starts[:-1][single]]
    table[keys[~single]] = -1 - np.flatnonzero(~single)
    return table


@lru_cache(maxsize=1)
def kernel_tables() -> KernelTables:
    """The lookup tables of the compiled tokeniser, built once per process (about 20 ms).

    * ``ascii_map[byte]``: the case-folded byte of an ASCII word character, else 0;
    * ``char_table[cp]``: the ``*_BIT`` flags of every code point;
    * ``fold_places[cp]``: where a code point that folds is among the keys of
      :func:`syndidetect.unicode_tables.case_foldings`, whose ``fold_starts`` and ``fold_cps`` follow.
    """
    classes = char_classes()
    fold_keys, fold_starts, fold_cps = case_foldings()
    _check_folding(classes, fold_keys, fold_starts, fold_cps)
    table = np.where(classes & WORD, WORD_BIT, 0).astype(np.uint8)
    table[classes & CLUSTER != 0] |= CLUSTER_BIT
    table[classes & IGNORED != 0] |= IGNORED_BIT
    table[classes & CHAINED != 0] |= CHAINED_BIT
    # A mark continues a one-letter token only when all of its folding is marks (U+0345, a mark,
    # folds to the letter iota, which the reference sees as a word character after the letter).
    marks = (classes & MARK) != 0
    all_marks = np.minimum.reduceat(marks[fold_cps], fold_starts[:-1]) if len(fold_keys) else marks[:0]
    marks[fold_keys] &= all_marks
    table[marks] |= MARK_BIT
    table[fold_keys] |= FOLDS_BIT
    unstable = nfkc_unstable()
    if unstable[:128].any():
        raise RuntimeError("NFKC may change ASCII text")  # the kernel tests ASCII bytes for "&" only
    table[unstable] |= UNSTABLE_BIT
    ascii_map = np.array([ord(chr(c).casefold()) if table[c] & WORD_BIT else 0 for c in range(128)], dtype=np.uint8)
    return ascii_map, table, _fold_indexes(fold_keys), fold_starts, fold_cps


def _fold_indexes(keys: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Per code point up to the last of ``keys`` (the code points case folding changes): its place
    among them, which the foldings' ``starts`` read (about 1 MB). The signature kernel read it from
    a binary search of the keys for each letter that folds: 20,000 paragraphs in Greek capitals
    signed in 118-149 ms against 49-56 ms now (``benchmarks.signatures_once --scripts``, two runs
    alternated). It is not :func:`fold_table`'s folded code points: the kernel's branch for a
    folding of one code point made CJK text, which never folds, 13 % slower (262-269 against 303-309
    ms)."""
    places = np.zeros(int(keys.max()) + 1 if len(keys) else 0, dtype=np.int64)
    places[keys] = np.arange(len(keys))
    return places
