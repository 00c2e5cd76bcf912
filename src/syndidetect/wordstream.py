"""A document as one stream of words: every token with its character span in the original text,
and the hash of every word n-gram in order.

Paragraph shingles are sets (order and repeats dropped, cut at paragraph ends); passages are found
on this stream instead, so hard-wrapped, re-cut, flattened and line-per-paragraph layouts of one
text give the same sequence of n-grams.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from syndidetect.shingles import ASCII_TOKEN_CHARS, ascii_lower, ascii_tokens, split_tokens
from syndidetect.text import code_points, normalise
from syndidetect.token_scan import scan
from syndidetect.unicode_tables import CHAINED, IGNORED, case_foldings, char_classes, nfkc_unstable

# The character references html.unescape decodes (its own pattern, Python 3.11): decoding each
# match on its own gives what html.unescape gives for the whole text, with the span it came from.
_CHARREF = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)")
# Characters of a word that its hash reads (UTF-32 code units); longer words are told apart by
# their length and first 24 characters, enough for words (longer "words" are URLs and hashes).
HASHED_CHARS = 24
FNV_OFFSET = np.uint64(0xCBF29CE484222325)
FNV_PRIME = np.uint64(0x100000001B3)
_MIX = np.uint64(0x9E3779B97F4A7C15)
#: The middle of the range of :func:`gram_hashes`' values, which spread evenly over 64 bits: the
#: compiled merges of grams (verification's overlap and tiling kernels) walk the two halves at once.
GRAM_MIDDLE = np.uint64(1 << 63)
_Spans = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]
#: Character offsets as a stream keeps them: int32 when the text is shorter than 2**31 characters.
#: Verification keeps the streams of every document until its last pair (50k documents at 1M
#: paragraphs): 4 bytes a token instead of 8 is 5-6 KB less a 20-paragraph document.
Offsets = npt.NDArray[np.int32] | npt.NDArray[np.int64]
MAX_INT32_TEXT = 2**31 - 1  # characters: the longest text whose offsets (0 .. len) fit an int32


def narrow_offsets(offsets: npt.NDArray[np.int64], length: int) -> Offsets:
    """Offsets into a text of ``length`` characters, as int32 when they fit."""
    return offsets.astype(np.int32) if length <= MAX_INT32_TEXT else offsets


#: Characters each token spans (``ends - starts``) as a stream keeps them: uint8 when every token of
#: the text spans fewer than 256 (words do; a URL, or a run of characters normalisation removes, may
#: not), else as its offsets. Verification keeps the streams of nearly every document at once (45,334
#: of the 50,000 of 1M paragraphs at the worst moment): a byte a token instead of four.
Widths = npt.NDArray[np.uint8] | Offsets
MAX_NARROW_WIDTH = 255  # characters: the widest token a uint8 width holds


#: A stream's grams as places among their sorted distinct values (:meth:`WordStream.rank_by`):
#: uint16 while a text holds at most 65,536 distinct grams (a 20-paragraph article about 1,200),
#: else uint32. Verification holds the streams of about half the documents at its peak (27,624 of
#: the 50,000 of 1M paragraphs): their grams were 8 of the 21 bytes it held a token.
Ranks = npt.NDArray[np.uint16] | npt.NDArray[np.uint32]
RANKS_IN_UINT16 = 2**16  # distinct grams: the most whose places (0 .. 65,535) fit a uint16


def narrow_widths(widths: Offsets) -> Widths:
    """``widths`` (tokens' spans in characters, none negative) as uint8 when they fit; a new array
    either way."""
    if len(widths) == 0 or int(widths.max()) <= MAX_NARROW_WIDTH:
        return widths.astype(np.uint8)
    return widths.copy()


class WordStream:
    """Tokens of a text in order: ``text[starts[k]:ends[k]]`` holds token ``k`` (before
    normalisation), and ``grams[k]`` hashes tokens ``k .. k + n - 1`` (stable across processes).
    Each token's end is kept as its width (:data:`Widths`), a byte where it fits; the grams, once
    :meth:`rank_by` is told their distinct values, as places among those (:data:`Ranks`)."""

    # The grams as ``(values, None)``, or once ranked as ``(distinct values, places)``: one slot, so
    # a thread reading it never sees the places beside the values they do not index.
    __slots__ = ("_grams", "n", "starts", "widths")

    def __init__(self, starts: Offsets, ends: Offsets, grams: npt.NDArray[np.uint64], n: int) -> None:
        self.starts, self.widths, self.n = starts, narrow_widths(ends - starts), n
        self._grams: tuple[npt.NDArray[np.uint64], Ranks | None] = (grams, None)

    @classmethod
    def of_widths(cls, starts: Offsets, widths: Widths, grams: npt.NDArray[np.uint64], n: int) -> WordStream:
        """The stream whose tokens start at ``starts`` and span ``widths`` characters (owned arrays)."""
        stream = object.__new__(cls)
        stream.starts, stream.widths, stream.n, stream._grams = starts, widths, n, (grams, None)
        return stream

    @property
    def grams(self) -> npt.NDArray[np.uint64]:
        """The grams' hashes in order: once ranked (:meth:`rank_by`), a new array each time."""
        values, ranks = self._grams
        if ranks is None:
            return values
        grams: npt.NDArray[np.uint64] = values[ranks]
        return grams

    def grams_between(self, first: int, end: int) -> npt.NDArray[np.uint64]:
        """``grams[first:end]``, without making the others."""
        values, ranks = self._grams
        if ranks is None:
            return values[first:end]
        grams: npt.NDArray[np.uint64] = values[ranks[first:end]]
        return grams

    @property
    def gram_count(self) -> int:
        """``len(grams)``, without making them."""
        values, ranks = self._grams
        return len(values if ranks is None else ranks)

    def grams_and_places(self) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.integer[Any]]]:
        """Values and places whose gather ``values[places]`` is :attr:`grams`, without making them."""
        values, ranks = self._grams
        return (values, np.arange(len(values), dtype=np.int64)) if ranks is None else (values, ranks)

    def rank_by(self, distinct: npt.NDArray[np.uint64], ranks: npt.NDArray[np.uint32]) -> None:
        """Hold the grams as ``ranks``, their places in ``distinct``, their sorted distinct values,
        which the caller holds too (verification does, for alignment): 2 bytes a gram instead of 8."""
        if self._grams[1] is None:
            places = ranks.astype(np.uint16) if len(distinct) <= RANKS_IN_UINT16 else ranks.copy()
            self._grams = (distinct, places)

    @property
    def ends(self) -> Offsets:
        """Where each token ends (a new array, of the starts' type): :meth:`end` reads one."""
        return self.starts + self.widths

    def end(self, token: int) -> int:
        """Where token ``token`` ends in the text."""
        return int(self.starts[token]) + int(self.widths[token])

    def tokens_ending_by(self, char: int) -> int:
        """How many tokens end at or before character ``char``: those before the first that ends
        after it (tokens follow each other, so their ends ascend as their starts do)."""
        count = int(np.searchsorted(self.starts, char, side="right"))  # those that start by then
        while count > 0 and self.end(count - 1) > char:
            count -= 1
        return count

    def __len__(self) -> int:
        return len(self.starts)


def grams_end_to_end(streams: Sequence[WordStream]) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """The grams of ``streams`` laid end to end, and where each stream's start (and the last ends):
    ranked streams' (:meth:`WordStream.rank_by`) made in one gather, not one a stream."""
    values, places = zip(*(s.grams_and_places() for s in streams)) if streams else ((), ())
    offsets = np.zeros(len(streams) + 1, dtype=np.int64)
    np.cumsum([len(p) for p in places], out=offsets[1:])
    if not streams:
        return np.zeros(0, dtype=np.uint64), offsets
    starts = np.zeros(len(streams), dtype=np.int64)
    np.cumsum([len(v) for v in values[:-1]], out=starts[1:])  # where each stream's values start
    at = np.concatenate(places).astype(np.int64)
    at += np.repeat(starts, np.diff(offsets))
    grams: npt.NDArray[np.uint64] = np.concatenate(values)[at]
    return grams, offsets


def _identity(start: int, end: int) -> _Spans:
    positions = np.arange(start, end, dtype=np.int64)
    return positions, positions + 1


@lru_cache(maxsize=1)
def _touchy() -> re.Pattern[str]:
    """One or more characters that normalisation may change out of place: NFKC-unstable ones (they
    compose with the character before them), ignorable ones (deleted, so what they separate may
    compose) and those whose case folding is longer than they are (``ß`` → ``ss``)."""
    keys, starts, _ = case_foldings()
    chosen = nfkc_unstable() | ((char_classes() & IGNORED) != 0)
    chosen[keys[np.diff(starts) > 1]] = True
    chosen[0xD800:0xE000] = False  # lone surrogates: no normalisation touches them
    edges = np.flatnonzero(np.diff(np.concatenate(([0], chosen, [0])).astype(np.int8))).reshape(-1, 2)
    parts = (re.escape(chr(low)) + "-" + re.escape(chr(high - 1)) for low, high in edges.tolist())
    return re.compile("[" + "".join(parts) + "]+")


@lru_cache(maxsize=1)
def _special_table() -> npt.NDArray[np.bool_]:
    """Per code point: whether it is ignorable or a letter to chain."""
    special: npt.NDArray[np.bool_] = (char_classes() & (IGNORED | CHAINED)) != 0
    return special


def _has_special(text: str) -> bool:
    """Whether ``text`` holds an ignorable character or a letter to chain: such texts take the
    general path. Looked up by code point: a regex search of the set took 144 us a 20-paragraph
    document (its code points past the BMP tried one by one), this 25 us."""
    return bool(_special_table()[code_points(text)].any())


def _decoded(text: str) -> tuple[str, _Spans]:
    """``html.unescape(text)`` and, for each of its characters, the span of ``text`` it came from
    (its own, where a reference-like piece such as the ``&T`` of ``AT&T`` decodes to itself)."""
    pieces: list[str] = []
    starts: list[npt.NDArray[np.int64]] = []
    ends: list[npt.NDArray[np.int64]] = []
    done = 0
    for m in _CHARREF.finditer(text):
        decoded = html.unescape(m.group())
        if decoded == m.group():
            continue  # plain text: left with the text after it, each character its own span
        for piece, (s, e) in ((text[done : m.start()], _identity(done, m.start())),
                              (decoded, (np.full(len(decoded), m.start()), np.full(len(decoded), m.end())))):
            pieces.append(piece)
            starts.append(s)
            ends.append(e)
        done = m.end()
    s, e = _identity(done, len(text))
    return "".join([*pieces, text[done:]]), (np.concatenate([*starts, s]), np.concatenate([*ends, e]))


def _normalised(text: str) -> tuple[str, _Spans]:
    """``normalise(text)`` for a text without character references and, for each of its characters,
    the span of ``text`` it came from.

    Normalisation is local: a character that is NFKC-stable (see
    :func:`syndidetect.unicode_tables.nfkc_unstable`) never composes with what precedes it, so the text
    normalises piece by piece, each piece one such character and the run of "touchy" characters
    after it (:func:`_touchy`); between pieces, case folding keeps one character per character.
    Inside a piece, each character keeps its own span unless normalising it whole composes
    characters (then they share the piece's span).
    """
    pieces: list[str] = []
    starts: list[npt.NDArray[np.int64]] = []
    ends: list[npt.NDArray[np.int64]] = []
    done = 0
    for m in _touchy().finditer(text):
        begin = max(m.start() - 1, done)
        if begin > done:
            pieces.append(text[done:begin].casefold())
            s, e = _identity(done, begin)
            starts.append(s)
            ends.append(e)
        piece = normalise(text[begin : m.end()])
        singles = [normalise(char) for char in text[begin : m.end()]]
        pieces.append(piece)
        if "".join(singles) == piece:  # nothing composed: each character keeps its own span
            s = np.repeat(np.arange(begin, m.end(), dtype=np.int64), [len(single) for single in singles])
            starts.append(s)
            ends.append(s + 1)
        else:
            starts.append(np.full(len(piece), begin, dtype=np.int64))
            ends.append(np.full(len(piece), m.end(), dtype=np.int64))
        done = m.end()
    s, e = _identity(done, len(text))
    return "".join([*pieces, text[done:].casefold()]), (np.concatenate([*starts, s]), np.concatenate([*ends, e]))


#: Per byte value: whether it is one of ``ASCII_TOKEN_CHARS`` (a token byte of lowered ASCII text).
IS_TOKEN_BYTE = np.zeros(256, dtype=np.bool_)
IS_TOKEN_BYTE[np.frombuffer(ASCII_TOKEN_CHARS.encode("ascii"), dtype=np.uint8)] = True


def _ascii_token_spans(lowered: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Where the runs of ``ASCII_TOKEN_CHARS`` of an ASCII text begin and end, found on the
    bytes at once (a byte is a character in ASCII) rather than one regex match object per token."""
    inside = np.zeros(len(lowered) + 2, dtype=np.int8)
    inside[1:-1] = IS_TOKEN_BYTE[np.frombuffer(lowered.encode("ascii"), dtype=np.uint8)]
    edges = np.diff(inside)
    return np.flatnonzero(edges == 1).astype(np.int64), np.flatnonzero(edges == -1).astype(np.int64)


def folded_in_place(text: str) -> str | None:
    """``text`` case-folded, as tokenising reads it, when folding keeps every character where it is
    (the same length, each character its own span), else None: NFKC text without character
    references, ignorable characters or letters to chain, whose case folding maps each character to
    one (casefold never shortens, so an equal length means no expansion). Most text past ASCII is
    such text; it is folded whole, at C speed, and its tokens' offsets are the folded text's."""
    if "&" in text or _has_special(text) or not unicodedata.is_normalized("NFKC", text):
        return None
    folded = text.casefold()
    return folded if len(folded) == len(text) else None


def token_spans(text: str) -> tuple[list[str], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The tokens of ``text``, exactly :func:`syndidetect.shingles.tokens`, each with the span of
    ``text`` it was read from (characters that normalise to several tokens give each the same span).

    >>> words, starts, ends = token_spans("Caf&eacute; soft\u00adware 东京")
    >>> words, starts.tolist(), ends.tolist()
    (['café', 'software', '东', '京'], [0, 12, 22, 23], [11, 21, 23, 24])
    """
    lowered = ascii_lower(text)
    if lowered is not None:  # English text: its tokens are runs of [0-9a-z], read at C speed
        return ascii_tokens(lowered), *_ascii_token_spans(lowered)
    if "&" not in text and text.isascii():
        folded, spans = text.lower(), None
    elif (in_place := folded_in_place(text)) is not None:
        folded, spans = in_place, None
    elif "&" not in text and not _has_special(text) and unicodedata.is_normalized("NFKC", text):
        folded, spans = text.casefold(), _normalised(text)[1]  # a character folded to several
    else:
        decoded, raw = _decoded(text) if "&" in text else (text, None)
        folded, (starts, ends) = _normalised(decoded)
        spans = (starts, ends) if raw is None else (raw[0][starts], raw[1][ends - 1])
    found = scan(folded)  # None: letters to chain
    if found is None:
        words, begins, stops = split_tokens(folded, True)
        first, last = np.array(begins, dtype=np.int64), np.array(stops, dtype=np.int64)
    else:
        words, first, last = found.spaced.split(), found.starts, found.ends
    if spans is None:
        return words, first, last
    return words, spans[0][first], spans[1][last - 1]


def word_hashes(words: list[str]) -> npt.NDArray[np.uint64]:
    """A stable 64-bit hash per word (FNV-1a over its first characters, then its length)."""
    if not words:
        return np.zeros(0, dtype=np.uint64)
    table = np.array(words, dtype=f"<U{HASHED_CHARS}")  # longer words are cut
    codes = table.view(np.uint32).reshape(len(words), -1).astype(np.uint64)
    h = np.full(len(words), FNV_OFFSET, dtype=np.uint64)
    for column in range(codes.shape[1]):
        h = (h ^ codes[:, column]) * FNV_PRIME
    lengths = np.fromiter(map(len, words), dtype=np.uint64, count=len(words))
    return (h ^ lengths) * FNV_PRIME


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
    words, starts, ends = token_spans(text)
    grams = gram_hashes(word_hashes(words), n)
    return WordStream(narrow_offsets(starts, len(text)), narrow_offsets(ends, len(text)), grams, n)
