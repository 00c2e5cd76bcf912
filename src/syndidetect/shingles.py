"""Tokens and word n-gram shingles: the exact strings a signature is built from.

Tokens are read from the normalised text (:func:`syndidetect.text.normalise`, which deletes
invisible characters such as soft hyphens and zero-width spaces, so they never split a word):

* in scripts written with spaces, a token is a maximal run of word characters (Unicode letters,
  numbers and combining marks);
* in Chinese, Japanese and other ideographic scripts (:data:`IDEOGRAPHIC_RANGES`), written without
  spaces, each character is a token, with the combining marks that follow it;
* in the South East Asian scripts written without spaces (Thai, Lao, Khmer, Myanmar, ...:
  :data:`CHAINED_RANGES`), a run of letters, each with the marks that follow it (Thai vowel signs
  and tone marks stay on their consonant), is cut into word-sized tokens where :func:`cuts` says;
* everything else (spaces, punctuation, quotes, symbols, emoji) separates tokens.

A shingle is ``shingle_size`` consecutive tokens joined by one space; a paragraph with fewer
tokens than that gives one shingle of all its tokens, and a paragraph without tokens gives none.
The fast kernel implements the same rule on code points with :func:`char_classes`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from syndidetect.config import SHINGLE_SIZE_BOUNDS, check_int
from syndidetect.errors import ArgumentError
from syndidetect.text import compatibility_form, normalise
from syndidetect.token_scan import TokenScan, scan
from syndidetect.unicode_tables import (
    CHAINED,
    CLUSTER,
    MARK,
    WORD,
    char_classes,
    class_runs,
    cuts,
)

DEFAULT_SHINGLE_SIZE = 3

# Ideographs and kana (unicode_tables.IDEOGRAPHIC_RANGES): a token per character, not per pair of
# characters (Lucene's CJKBigramFilter), because shingles are already n-grams of tokens: with one
# character a token, a shingle is a character n-gram (3 by default), the usual unit for finding
# Chinese near-duplicates, and a changed character breaks n shingles as a changed word does;
# overlapping bigram tokens would break n + 1 and count each character twice in word counts
# (min_words, gaps). A Chinese character is a morpheme, about 0.6 of an English word, so the verdict
# rules, counted in grams, keep their sense: a verbatim stretch of ~70 characters (two sentences) is
# an excerpt where English needs 60 words.
#
# South East Asian scripts (unicode_tables.CHAINED_RANGES): a letter stands for a sound, about a
# quarter of a word, so letter n-grams are syllable fragments that unrelated texts share, and a
# shared 16-letter name would be a sentence-sized passage. A word segmenter needs a dictionary (ICU's
# via PyICU, pythainlp: compiled or tens of MB) whose output changes with its version, and with it
# every stored signature. Instead a run of letters is cut where a hash of the two letters around the
# cut says (content-defined chunking, as deduplicating storage cuts files: unicode_tables.cuts):
# tokens average CHAIN_CUT_ODDS letters, about a word, and a copy is cut exactly as its source but
# within a token of where it starts or changes. One letter with its marks is a grapheme cluster less
# UAX #29's prepended and spacing-letter exceptions, which NFKC removes for Thai and Lao (SARA AM
# becomes NIKHAHIT + SARA AA).


# ASCII text normalises to its lower case, whose word characters are exactly these: the fast path of
# :func:`tokens` (HTML entities excepted, hence the "&" test in :func:`ascii_lower`).
ASCII_TOKEN_CHARS = "0123456789abcdefghijklmnopqrstuvwxyz"
# Typographic quotes, dashes, ellipsis and non-breaking space: separators before and after NFKC, so
# English text whose only non-ASCII characters are these takes the fast path too.
_SEPARATORS = "\u00a0\u2013\u2014\u2018\u2019\u201c\u201d\u2026"


def ascii_lower(text: str) -> str | None:
    """``text`` lower-cased with typographic separators as spaces (same length, same tokens), or
    None when it needs full normalisation (other non-ASCII characters, or HTML entities). An
    ampersand that starts no entity ("AT&T", "Q&A", "fish & chips": ``html.unescape`` leaves the
    text as it is) needs none: such a text took the full path, a Python regex a sentence, as if it
    were in another script."""
    if "&" in text and html.unescape(text) != text:
        return None
    if not text.isascii():
        # One str.replace a separator present (a C search each): a pattern's sub took 5-6 times as
        # long (0.083 against 0.015 s for the 20,000 paragraphs of benchmarks.corpus).
        for separator in _SEPARATORS:
            if separator in text:
                text = text.replace(separator, " ")
        if not text.isascii():
            return None
    return text.lower()


# Every ASCII character but ASCII_TOKEN_CHARS to a space: the tokens of lowered ASCII text are then
# what str.split gives. One translate a document then a split a sentence cost 5-25 % less than a
# regex search for runs of [0-9a-z] a sentence (20-paragraph documents, interleaved runs).
_TOKEN_GAPS = str.maketrans({i: " " for i in range(128) if chr(i) not in ASCII_TOKEN_CHARS})


def token_gaps(lowered: str) -> str:
    """Text that :func:`ascii_lower` gave with every character that is not a token character
    replaced by a space (same length): its tokens are what ``str.split`` gives, of any slice."""
    return lowered.translate(_TOKEN_GAPS)


def ascii_tokens(lowered: str) -> list[str]:
    """The tokens of text that :func:`ascii_lower` gave: its runs of ``ASCII_TOKEN_CHARS``."""
    return token_gaps(lowered).split()


def word_table() -> npt.NDArray[np.bool_]:
    """``table[cp]`` is True when code point ``cp`` is a word character: it belongs to a token."""
    words: npt.NDArray[np.bool_] = (char_classes() & (WORD | CLUSTER)) != 0
    return words


def class_set(flags: int, mask: int) -> str:
    """A regex set (``[...]``) of the code points whose :func:`char_classes` flags, masked with
    ``mask``, equal ``flags``."""
    return _set_of(_class_ranges(flags, mask))


def class_pattern(flags: int, mask: int) -> str:
    """A pattern matching one code point of :func:`class_set`'s set, which ``re`` tests faster: it
    keeps a set's code points past the BMP as ranges tried one by one (a bitmap holds the BMP's
    only), and every code point outside the set (each space of a text) was tested against all of
    them. Here they are tried only for a code point past the BMP: the tokens of a normalised text
    of 8,500 characters were found in 0.44-0.47 ms instead of 1.58-1.70 ms, Latin, Cyrillic or
    Devanagari (CJK 1.41 against 6.31 ms), the same tokens for every code point."""
    ranges = _class_ranges(flags, mask)
    bmp = [(low, min(high, _PAST_BMP)) for low, high in ranges if low < _PAST_BMP]
    astral = [(max(low, _PAST_BMP), high) for low, high in ranges if high > _PAST_BMP]
    if not astral or not bmp:
        return _set_of(ranges)
    return f"(?:{_set_of(bmp)}|(?=[\U00010000-\U0010FFFF]){_set_of(astral)})"


_PAST_BMP = 0x10000  # the first code point past the Basic Multilingual Plane


def _class_ranges(flags: int, mask: int) -> list[tuple[int, int]]:
    """The half-open ranges of the code points whose flags, masked with ``mask``, equal ``flags``."""
    # On the runs of equal flags (a few thousand), not the 1.1 million code points: a one-shot
    # command builds several of these sets at start-up.
    starts, values = class_runs()
    chosen = np.concatenate(([0], (values & mask) == flags, [0])).astype(np.int8)
    return [(low, high) for low, high in starts[np.flatnonzero(np.diff(chosen))].reshape(-1, 2).tolist()]


def _set_of(ranges: list[tuple[int, int]]) -> str:
    parts = (re.escape(chr(low)) + ("" if high - 1 == low else "-" + re.escape(chr(high - 1))) for low, high in ranges)
    return "[" + "".join(parts) + "]"


@lru_cache(maxsize=1)
def token_pattern() -> re.Pattern[str]:
    """The compiled pattern of a token in normalised text but for chaining: a letter of a script
    written without spaces and the marks after it, or a run of word characters (see
    :func:`char_classes`); :func:`split_tokens` chains the letters of :data:`CHAINED_RANGES`."""
    cluster, mark, word = class_pattern(CLUSTER, CLUSTER), class_pattern(MARK, MARK), class_pattern(WORD, WORD)
    return re.compile(f"{word}+|{cluster}{mark}*")  # disjoint sets: the common case is tried first


@lru_cache(maxsize=1)
def _chained() -> re.Pattern[str]:
    return re.compile(class_pattern(CHAINED, CHAINED))


def split_tokens(normalised: str, chained: bool | None = None) -> tuple[list[str], list[int], list[int]]:
    """The tokens of a normalised text, with the span of each in it. ``chained``: whether the text
    may hold letters of :data:`CHAINED_RANGES` (None: look; False when the caller knows it cannot)."""
    matches = list(token_pattern().finditer(normalised))
    words, starts, ends = [m.group() for m in matches], [m.start() for m in matches], [m.end() for m in matches]
    if chained is False or (chained is None and _chained().search(normalised) is None):
        return words, starts, ends
    return _chain(words, starts, ends)


def _chain(words: list[str], starts: list[int], ends: list[int]) -> tuple[list[str], list[int], list[int]]:
    """Join the one-letter tokens of CHAINED letters that touch, but where :func:`cuts` says."""
    classes = char_classes()
    out_words: list[str] = []
    out_starts: list[int] = []
    out_ends: list[int] = []
    previous, end = -1, -1
    for word, start, stop in zip(words, starts, ends):
        letter = ord(word[0])
        chained = bool(classes[letter] & CHAINED)
        if chained and previous >= 0 and start == end and not cuts(previous, letter):
            out_words[-1] += word
            out_ends[-1] = stop
        else:
            out_words.append(word)
            out_starts.append(start)
            out_ends.append(stop)
        previous, end = (letter if chained else -1), stop
    return out_words, out_starts, out_ends


def tokens(text: str) -> list[str]:
    """The normalised words of ``text``. Text that is ASCII but for typographic quotes, dashes and
    spaces (:func:`ascii_lower`) is split without normalising it or building the Unicode classes.

    >>> tokens("Don’t PANIC — it's\\u00a0fine!")
    ['don', 't', 'panic', 'it', 's', 'fine']
    >>> tokens("in\\u00advisible zero\\u200bwidth")
    ['invisible', 'zerowidth']
    >>> tokens("东京タワー，Tokyo ภาษาไทย")
    ['东', '京', 'タ', 'ワ', 'ー', 'tokyo', 'ภ', 'าษา', 'ไ', 'ทย']
    """
    lowered = ascii_lower(text)
    if lowered is not None:  # English text, mostly: no regex and no Unicode tables to build
        return ascii_tokens(lowered)
    normalised = normalise(text)
    if _chained().search(normalised) is None:
        return token_pattern().findall(normalised)
    return split_tokens(normalised)[0]


# What tokens_of_each (and syndidetect.unicode_stems) joins texts with. NUL is NFKC-stable (a
# starter that decomposes to itself and composes with nothing, so normalisation never reaches across
# it), case folding keeps it, no HTML reference ends with or decodes to it (html.unescape gives
# U+FFFD for "&#0;"), and it is no token character: the normalised joined text holds each text's
# normalised form between NULs.
JOIN = "\x00"


def compatible_joined(texts: Sequence[str]) -> str | None:
    """``texts`` joined with NULs in their compatibility form (:func:`~syndidetect.text.
    compatibility_form`: normalised but for case; NFKC-stable, normalisation never reaches across a
    NUL, which stays where each text ends); None when a text holds a NUL itself."""
    joined = JOIN.join(texts)
    if joined.count(JOIN) != max(len(texts) - 1, 0):
        return None
    return compatibility_form(joined)


def scan_joined(texts: Sequence[str]) -> TokenScan | None:
    """The token scan of ``texts`` joined with NULs and normalised, NULs kept where each text ends;
    None when a text holds a NUL itself or letters to chain."""
    compatible = compatible_joined(texts)  # normalise() is its compatibility form case-folded
    return None if compatible is None else scan(compatible.casefold(), keep_nul=True)


def tokens_of_each(texts: Sequence[str]) -> list[list[str]]:
    """``[tokens(text) for text in texts]``, normalised and tokenised at once, the texts joined
    (:mod:`syndidetect.token_scan`: the sentences of a text past ASCII are stemmed so).

    >>> tokens_of_each(["Ça va.", "", "东京 ＡＢＣ"])
    [['ça', 'va'], [], ['东', '京', 'abc']]
    """
    found = scan_joined(texts) if len(texts) > 1 else None
    if found is None:  # a NUL in a text, or letters to chain: rare, each text alone
        return [tokens(text) for text in texts]
    # A token holds no white space (a test checks every code point): str.split finds them again.
    return [piece.split() for piece in found.spaced.split(JOIN)]


def check_shingle_size(shingle_size: object) -> int:
    return check_int("shingle_size", shingle_size, *SHINGLE_SIZE_BOUNDS)


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
    if not isinstance(text, str):
        raise ArgumentError(f"'text' must be a str; got {type(text).__name__}")
    return shingles_of_tokens(tokens(text), check_shingle_size(shingle_size))
