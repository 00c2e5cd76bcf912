"""Tokens of a whole normalised text found with numpy over its code points.

:func:`syndidetect.shingles.tokens` finds the tokens of text past ASCII with a regular expression
whose character classes hold thousands of ranges: about 55 ns a character (0.46 ms for a
20-paragraph document of accented Latin or Cyrillic), where looking each code point's class up in
:func:`syndidetect.unicode_tables.char_classes` and finding the runs takes a few array operations.
The rule is the token pattern's (``word+|cluster mark*``): a token is a run of WORD or CLUSTER
characters, and a new one starts at each CLUSTER character (an ideograph) and at the first
character after a CLUSTER and its marks that is not a mark. Letters to chain (Thai, Lao, ...) are
cut by a hash of their neighbours: a text holding one is left to the pattern (:func:`scan` gives
None).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from syndidetect.text import code_points
from syndidetect.unicode_tables import CHAINED, CLUSTER, MARK, WORD, char_classes

__all__ = ["TokenScan", "scan"]

_SPACE = 32
_NUL = 0


@dataclass(frozen=True)
class TokenScan:
    """Where the tokens of a normalised text start and end (character offsets, in order), and the
    text with a space for each character outside a token and before each token that touches the one
    before it: ``spaced.split()`` gives the tokens, at C speed."""

    starts: npt.NDArray[np.int64]
    ends: npt.NDArray[np.int64]
    spaced: str


def scan(normalised: str, keep_nul: bool = False) -> TokenScan | None:
    """The tokens of ``normalised`` (text as :func:`syndidetect.text.normalise` gives it), exactly
    those of :func:`syndidetect.shingles.token_pattern`; None when it holds letters to chain.
    ``keep_nul``: a NUL stays one in ``spaced`` (texts joined with NULs split again there).

    >>> found = scan("东京タワー, tokyo 2024")
    >>> found.spaced.split(), found.starts.tolist(), found.ends.tolist()
    (['东', '京', 'タ', 'ワ', 'ー', 'tokyo', '2024'], [0, 1, 2, 3, 4, 7, 13], [1, 2, 3, 4, 5, 12, 17])
    """
    points = code_points(normalised)  # a lone surrogate: no class, a separator
    classes = char_classes()[points]
    if (classes & CHAINED).any():
        return None
    inside = (classes & (WORD | CLUSTER)) != 0
    # A token starts at a token character after one that is not (edges == 1) or at a break: a
    # CLUSTER character, or the first non-mark after a CLUSTER and its marks.
    breaks = np.zeros(len(points), dtype=np.bool_)
    clusters = (classes & CLUSTER) != 0
    if clusters.any():
        marks = (classes & MARK) != 0
        positions = np.arange(len(points), dtype=np.int64)
        last_base = np.maximum.accumulate(np.where(marks, -1, positions))  # the last non-mark so far
        in_cluster = clusters[np.maximum(last_base, 0)] & (last_base >= 0)
        breaks[1:] = inside[1:] & inside[:-1] & (clusters[1:] | (in_cluster[:-1] & ~in_cluster[1:]))
    padded = np.zeros(len(points) + 2, dtype=np.int8)
    padded[1:-1] = inside
    edges = np.diff(padded)
    starts = np.flatnonzero((edges[:-1] == 1) | breaks)
    ends = np.flatnonzero((edges[1:] == -1) | np.append(breaks[1:], False)) + 1
    spaced = points.copy()
    spaced[~inside & (points != _NUL) if keep_nul else ~inside] = _SPACE
    if breaks.any():
        spaced = np.insert(spaced, np.flatnonzero(breaks), _SPACE)
    text = spaced.tobytes().decode("utf-32-le", "surrogatepass")
    return TokenScan(starts.astype(np.int64), ends.astype(np.int64), text)
