"""Tokens and word n-gram shingles: the exact strings a signature is built from.

A token is a maximal run of word characters (Unicode letters, numbers and combining marks) in the
normalised text; everything else (spaces, punctuation, quotes, symbols, emoji) separates tokens.
A shingle is ``shingle_size`` consecutive tokens joined by one space; a paragraph with fewer
tokens than that gives one shingle of all its tokens, and a paragraph without tokens gives none.
The fast kernel implements the same rule on UTF-8 bytes with :func:`word_table`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from syndidetect.errors import ConfigError
from syndidetect.text import normalise

DEFAULT_SHINGLE_SIZE = 3
# Code points past these planes are unassigned or private use, except tag and variation characters.
_SCANNED_RANGES = ((0, 0x40000), (0xE0000, 0xE1000))
# Variation selectors are marks, but they decorate emoji and must not become tokens by themselves.
_NOT_WORD = frozenset(range(0xFE00, 0xFE10)) | frozenset(range(0xE0100, 0xE01F0))


@lru_cache(maxsize=1)
def word_table() -> npt.NDArray[np.uint8]:
    """``table[cp] == 1`` when code point ``cp`` is a word character (categories L*, N*, M*)."""
    table = np.zeros(0x110000, dtype=np.uint8)
    category = unicodedata.category
    for low, high in _SCANNED_RANGES:
        flags = [category(chr(cp))[0] in "LNM" for cp in range(low, high)]
        table[low:high] = np.fromiter(flags, dtype=np.uint8, count=high - low)
    table[list(_NOT_WORD)] = 0
    return table


@lru_cache(maxsize=1)
def token_pattern() -> re.Pattern[str]:
    """The compiled pattern of a token (a run of word characters, see :func:`word_table`)."""
    flags = np.concatenate(([0], word_table(), [0])).astype(np.int8)
    edges = np.flatnonzero(np.diff(flags))
    ranges = edges.reshape(-1, 2)
    parts = (
        re.escape(chr(low)) + ("" if high - 1 == low else "-" + re.escape(chr(high - 1)))
        for low, high in ranges
    )
    return re.compile("[" + "".join(parts) + "]+")


def tokens(text: str) -> list[str]:
    """The normalised words of ``text``.

    >>> tokens("Don’t PANIC — it's\\u00a0fine!")
    ['don', 't', 'panic', 'it', 's', 'fine']
    """
    return token_pattern().findall(normalise(text))


def check_shingle_size(shingle_size: object) -> int:
    if isinstance(shingle_size, bool) or not isinstance(shingle_size, int) or not 1 <= shingle_size <= 16:
        raise ConfigError(f"'shingle_size' must be an int in [1, 16]; got {shingle_size!r}")
    return shingle_size


def shingles_of_tokens(words: list[str], shingle_size: int) -> list[str]:
    """Word n-grams of a token list (one shingle of all tokens when there are fewer than n)."""
    if len(words) <= shingle_size:
        return [" ".join(words)] if words else []
    return [" ".join(words[i : i + shingle_size]) for i in range(len(words) - shingle_size + 1)]


def shingles(text: str, shingle_size: int = DEFAULT_SHINGLE_SIZE) -> list[str]:
    """The shingles of ``text`` in order (repeats kept), exactly as signatures hash them.

    >>> shingles("The cat sat on the mat.")
    ['the cat sat', 'cat sat on', 'sat on the', 'on the mat']
    >>> shingles("Hello!")
    ['hello']
    >>> shingles("  ")
    []
    """
    return shingles_of_tokens(tokens(text), check_shingle_size(shingle_size))
