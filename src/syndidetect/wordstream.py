"""A document as one stream of words: every token with its character span in the original text,
and the hash of every word n-gram in order.

Paragraph shingles are sets (order and repeats dropped, cut at paragraph ends); passages are found
on this stream instead, so hard-wrapped, re-cut, flattened and line-per-paragraph layouts of one
text give the same sequence of n-grams.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from syndidetect.shingles import token_pattern
from syndidetect.text import normalise

# HTML entities are decoded before shingling, so their names ("rsquo", "nbsp") are not words.
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# Characters of a word that its hash reads (UTF-32 code units); longer words are told apart by
# their length and first 24 characters, enough for words (longer "words" are URLs and hashes).
_HASHED_CHARS = 24
_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
_MIX = np.uint64(0x9E3779B97F4A7C15)


@dataclass(frozen=True)
class WordStream:
    """Tokens of a text in order: ``text[starts[k]:ends[k]]`` holds token ``k`` (before
    normalisation), and ``grams[k]`` hashes tokens ``k .. k + n - 1`` (stable across processes)."""

    starts: npt.NDArray[np.int64]
    ends: npt.NDArray[np.int64]
    grams: npt.NDArray[np.uint64]
    n: int

    def __len__(self) -> int:
        return len(self.starts)


def _folded_tokens(folded: str) -> tuple[list[str], list[int], list[int]]:
    """Tokens of a text already normalised and case-folded character for character."""
    matches = list(token_pattern().finditer(folded))
    return [m.group() for m in matches], [m.start() for m in matches], [m.end() for m in matches]


def _general_tokens(text: str) -> tuple[list[str], list[int], list[int]]:
    """Tokens of non-ASCII or entity-bearing text: each raw word normalised on its own (NFKC may
    split it, e.g. a ligature), entity names skipped."""
    entity_ends = {m.start() + 1: m.end() for m in _ENTITY.finditer(text)}
    pattern = token_pattern()
    words, starts, ends = [], [], []
    for m in pattern.finditer(text):
        if m.start() in entity_ends or (m.start() - 1 in entity_ends and text[m.start() - 1] == "#"):
            continue
        raw = m.group()
        # Most words of a non-ASCII text are ASCII: lower-casing is their whole normalisation.
        for word in (raw.lower(),) if raw.isascii() else pattern.findall(normalise(raw)):
            words.append(word)
            starts.append(m.start())
            ends.append(m.end())
    return words, starts, ends


def word_hashes(words: list[str]) -> npt.NDArray[np.uint64]:
    """A stable 64-bit hash per word (FNV-1a over its first characters, then its length)."""
    if not words:
        return np.zeros(0, dtype=np.uint64)
    table = np.array(words, dtype=f"<U{_HASHED_CHARS}")  # longer words are cut
    codes = table.view(np.uint32).reshape(len(words), -1).astype(np.uint64)
    h = np.full(len(words), _FNV_OFFSET, dtype=np.uint64)
    for column in range(codes.shape[1]):
        h = (h ^ codes[:, column]) * _FNV_PRIME
    lengths = np.fromiter(map(len, words), dtype=np.uint64, count=len(words))
    return (h ^ lengths) * _FNV_PRIME


def gram_hashes(words: npt.NDArray[np.uint64], n: int) -> npt.NDArray[np.uint64]:
    """The hash of each run of ``n`` consecutive words (none when there are fewer words)."""
    if len(words) < n:
        return np.zeros(0, dtype=np.uint64)
    g = words[: len(words) - n + 1].copy()
    for k in range(1, n):
        g = (g * _MIX) ^ words[k : len(words) - n + 1 + k]
        g ^= g >> np.uint64(31)
    return g


def word_stream(text: str, n: int) -> WordStream:
    """The word stream of ``text`` with its ``n``-gram hashes.

    >>> s = word_stream("The cat\\nsat on the mat.", 3)
    >>> len(s), len(s.grams), int(s.starts[2]), int(s.ends[2])
    (6, 4, 8, 11)
    >>> bool((word_stream("the  CAT sat", 3).grams == word_stream("The cat\\nsat", 3).grams).all())
    True
    """
    if "&" in text:
        words, starts, ends = _general_tokens(text)
    elif text.isascii():
        words, starts, ends = _folded_tokens(text.lower())
    else:
        # NFKC text whose case folding maps each character to one (casefold never shortens, so an
        # equal length means no expansion) keeps every offset: fold it whole, at C speed.
        folded = text.casefold()
        same = len(folded) == len(text) and unicodedata.is_normalized("NFKC", text)
        words, starts, ends = _folded_tokens(folded) if same else _general_tokens(text)
    hashes = word_hashes(words)
    return WordStream(np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64), gram_hashes(hashes, n), n)
