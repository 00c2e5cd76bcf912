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
The fast kernel implements the same rule on UTF-8 bytes with :func:`char_classes`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from syndidetect.errors import ArgumentError, ConfigError
from syndidetect.text import IGNORABLE_RANGES, normalise

DEFAULT_SHINGLE_SIZE = 3
# Code points past these planes are unassigned or private use, except tag and variation characters.
SCANNED_RANGES = ((0, 0x40000), (0xE0000, 0xE1000))

# Bit flags of :func:`char_classes`. A code point with none of them separates tokens.
WORD = 1  # letter, number or mark of a script written with spaces: runs of them are tokens
MARK = 2  # combining mark (category M*), also WORD: it continues the token before it, whatever its kind
CLUSTER = 4  # letter of a script written without spaces: starts a token (with the marks after it)
IGNORED = 8  # default ignorable (syndidetect.text.IGNORABLE_RANGES): deleted before tokenising
CHAINED = 16  # a CLUSTER of CHAINED_RANGES: the token goes on with the next one unless cuts() says

# Scripts written without spaces between words, as Unicode's line-break classes ID and CJ (Han,
# kana, Bopomofo, Yi, Tangut, Nushu, Khitan) and SA (South East Asian) name them; first and last
# code point of each range. Only their letters and non-decimal numbers are CLUSTER: marks attach,
# decimal digits (Thai ๒๕๖๗) stay runs like 2567, symbols and punctuation separate.
#
# Ideographs and kana: a token per character, not per pair of characters (Lucene's
# CJKBigramFilter), because shingles are already n-grams of tokens: with one character a token, a
# shingle is a character n-gram (3 by default), the usual unit for finding Chinese near-duplicates,
# and a changed character breaks n shingles as a changed word does; overlapping bigram tokens would
# break n + 1 and count each character twice in word counts (min_words, gaps). A Chinese character
# is a morpheme, about 0.6 of an English word, so the verdict rules, counted in grams, keep their
# sense: a verbatim stretch of ~70 characters (two sentences) is an excerpt where English needs 60
# words.
IDEOGRAPHIC_RANGES = (
    (0x3005, 0x3007),  # ideographic iteration mark, closing mark, number zero
    (0x3021, 0x3029),  # Hangzhou numerals
    (0x3031, 0x3035),  # kana repeat marks
    (0x3038, 0x303C),  # Hangzhou numerals ten to thirty, iteration marks
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3100, 0x312F),  # Bopomofo
    (0x31A0, 0x31BF),  # Bopomofo Extended
    (0x31F0, 0x31FF),  # Katakana Phonetic Extensions
    (0x3400, 0x4DBF),  # CJK Unified Ideographs Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xA000, 0xA4CF),  # Yi
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
    (0xFF66, 0xFF9F),  # halfwidth Katakana
    (0x16FE0, 0x18D7F),  # ideographic symbols, Tangut, Khitan
    (0x1AFF0, 0x1B2FF),  # Kana Extended-B, Kana Supplement, Kana Extended-A, Small Kana, Nushu
    (0x20000, 0x3FFFF),  # CJK Unified Ideographs Extensions B to H, Compatibility Supplement
)
# South East Asian scripts: a letter stands for a sound, about a quarter of a word, so letter
# n-grams are syllable fragments that unrelated texts share, and a shared 16-letter name would be a
# sentence-sized passage. A word segmenter needs a dictionary (ICU's via PyICU, pythainlp: compiled
# or tens of MB) whose output changes with its version, and with it every stored signature. Instead
# a run of letters is cut where a hash of the two letters around the cut says (content-defined
# chunking, as deduplicating storage cuts files): tokens average CHAIN_CUT_ODDS letters, about a
# word, and a copy is cut exactly as its source but within a token of where it starts or changes.
# One letter with its marks is a grapheme cluster less UAX #29's prepended and spacing-letter
# exceptions, which NFKC removes for Thai and Lao (SARA AM becomes NIKHAHIT + SARA AA).
CHAINED_RANGES = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x1950, 0x19DF),  # Tai Le, New Tai Lue
    (0x1A20, 0x1AAF),  # Tai Tham
    (0xA9E0, 0xA9FF),  # Myanmar Extended-B
    (0xAA60, 0xAADF),  # Myanmar Extended-A, Tai Viet
    (0x11700, 0x1174F),  # Ahom
)
# One cut in this many pairs of letters on average: Thai words average about four letters (vowel
# signs and tone marks not counted).
CHAIN_CUT_ODDS = 4
_GOLDEN = 0x9E3779B1  # Knuth's multiplicative hash constant (2**32 / golden ratio)


def cuts(previous: int, letter: int) -> bool:
    """Whether a run of CHAINED letters is cut between code points ``previous`` and ``letter``: a
    32-bit multiplicative hash of the pair falls in the lowest ``1 / CHAIN_CUT_ODDS`` of its range.

    >>> cuts(ord("ก"), ord("า")), cuts(ord("า"), ord("ร"))
    (True, False)
    """
    return ((previous * 31 + letter) * _GOLDEN) & 0xFFFFFFFF < (1 << 32) // CHAIN_CUT_ODDS


@lru_cache(maxsize=1)
def char_classes() -> npt.NDArray[np.uint8]:
    """``table[cp]``: the :data:`WORD`, :data:`MARK`, :data:`CLUSTER`, :data:`CHAINED` and
    :data:`IGNORED` flags of code point ``cp`` (built once per process, about 0.1 s)."""
    table = np.zeros(0x110000, dtype=np.uint8)
    decimal = np.zeros(0x110000, dtype=bool)
    for low, high in SCANNED_RANGES:
        # Two ASCII letters per code point ("Lu", "Mn", "Nd"): one C-level pass over the range.
        codes = "".join(map(unicodedata.category, map(chr, range(low, high)))).encode("ascii")
        major, minor = np.frombuffer(codes, dtype=np.uint8).reshape(-1, 2).T
        table[low:high] = np.where((major == ord("L")) | (major == ord("N")), WORD, 0)
        table[low:high][major == ord("M")] = WORD | MARK
        decimal[low:high] = (major == ord("N")) & (minor == ord("d"))
    for ranges, flags in ((IDEOGRAPHIC_RANGES, CLUSTER), (CHAINED_RANGES, CLUSTER | CHAINED)):
        for low, high in ranges:
            part = table[low : high + 1]
            part[(part == WORD) & ~decimal[low : high + 1]] = flags
    for low, high in IGNORABLE_RANGES:
        table[low : high + 1] = IGNORED
    return table


def _every_code_point() -> str:
    """``chr(0) ... chr(0x10FFFF)`` in one string (surrogates included)."""
    return np.arange(0x110000, dtype=np.uint32).tobytes().decode("utf-32-le", "surrogatepass")


@lru_cache(maxsize=1)
def case_foldings() -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """``(keys, starts, folded)``: the code points ``str.casefold`` changes, sorted; the folding of
    ``keys[k]`` is the code points ``folded[starts[k]:starts[k + 1]]``."""
    every = _every_code_point()
    keys: list[int] = []
    targets: list[str] = []
    block = 256
    for low in range(0, len(every), block):
        chunk = every[low : low + block]
        if chunk.casefold() != chunk:  # most blocks have no cased letters: one C call skips them
            for cp in range(low, low + block):
                target = every[cp].casefold()
                if target != every[cp]:
                    keys.append(cp)
                    targets.append(target)
    folded = np.array([ord(c) for f in targets for c in f], dtype=np.int64)
    starts = np.zeros(len(keys) + 1, dtype=np.int64)
    np.cumsum([len(f) for f in targets], out=starts[1:])
    return np.array(keys, dtype=np.int64), starts, folded


@lru_cache(maxsize=1)
def nfkc_unstable() -> npt.NDArray[np.bool_]:
    """``unstable[cp]`` unless NFKC leaves every text made only of such "stable" code points as it is.

    A code point is stable when it is its own NFKC form, its canonical combining class is 0 (so
    nothing reorders) and it is never the second part of a canonical composition (so nothing
    composes: that covers NFKC_QC=Maybe; Hangul vowel and trailing jamo compose algorithmically).
    Such a text is NFKC by the Unicode quick-check rule. Code points outside ``SCANNED_RANGES`` are
    unassigned or private use, hence stable.
    """
    every = _every_code_point()
    unstable = np.zeros(0x110000, dtype=bool)
    combining, normalize, is_normalized = unicodedata.combining, unicodedata.normalize, unicodedata.is_normalized
    block = 256
    for low, high in SCANNED_RANGES:
        unstable[low:high] = np.frombuffer(bytes(map(combining, every[low:high])), dtype=np.uint8) != 0
        for first in range(low, high, block):
            # One C call clears most blocks: a normalised block holds only code points that are their
            # own NFKC form, and an NFD block holds nothing that decomposes.
            chunk = every[first : first + block]
            if not is_normalized("NFKC", chunk):
                for cp in range(first, first + block):
                    if normalize("NFKC", every[cp]) != every[cp]:
                        unstable[cp] = True
            if not is_normalized("NFD", chunk):
                for cp in range(first, first + block):
                    parts = unicodedata.decomposition(every[cp]).split()
                    if parts and not parts[0].startswith("<"):  # canonical: may be composed back
                        unstable[[int(part, 16) for part in parts[1:]]] = True
    unstable[0x1161:0x1176] = True  # Hangul V jamo
    unstable[0x11A8:0x11C3] = True  # Hangul T jamo
    return unstable


def word_table() -> npt.NDArray[np.bool_]:
    """``table[cp]`` is True when code point ``cp`` is a word character: it belongs to a token."""
    words: npt.NDArray[np.bool_] = (char_classes() & (WORD | CLUSTER)) != 0
    return words


def class_set(flags: int, mask: int) -> str:
    """A regex set (``[...]``) of the code points whose :func:`char_classes` flags, masked with
    ``mask``, equal ``flags``."""
    chosen = np.concatenate(([0], (char_classes() & mask) == flags, [0])).astype(np.int8)
    ranges = np.flatnonzero(np.diff(chosen)).reshape(-1, 2)
    parts = (
        re.escape(chr(low)) + ("" if high - 1 == low else "-" + re.escape(chr(high - 1)))
        for low, high in ranges.tolist()
    )
    return "[" + "".join(parts) + "]"


@lru_cache(maxsize=1)
def token_pattern() -> re.Pattern[str]:
    """The compiled pattern of a token in normalised text but for chaining: a letter of a script
    written without spaces and the marks after it, or a run of word characters (see
    :func:`char_classes`); :func:`split_tokens` chains the letters of :data:`CHAINED_RANGES`."""
    cluster, mark, word = class_set(CLUSTER, CLUSTER), class_set(MARK, MARK), class_set(WORD, WORD)
    return re.compile(f"{word}+|{cluster}{mark}*")  # disjoint sets: the common case is tried first


@lru_cache(maxsize=1)
def _chained() -> re.Pattern[str]:
    return re.compile(class_set(CHAINED, CHAINED))


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
    """The normalised words of ``text``.

    >>> tokens("Don’t PANIC — it's\\u00a0fine!")
    ['don', 't', 'panic', 'it', 's', 'fine']
    >>> tokens("in\\u00advisible zero\\u200bwidth")
    ['invisible', 'zerowidth']
    >>> tokens("东京タワー，Tokyo ภาษาไทย")
    ['东', '京', 'タ', 'ワ', 'ー', 'tokyo', 'ภ', 'าษา', 'ไ', 'ทย']
    """
    normalised = normalise(text)
    if _chained().search(normalised) is None:
        return token_pattern().findall(normalised)
    return split_tokens(normalised)[0]


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
    if not isinstance(text, str):
        raise ArgumentError(f"'text' must be a str; got {type(text).__name__}")
    return shingles_of_tokens(tokens(text), check_shingle_size(shingle_size))
