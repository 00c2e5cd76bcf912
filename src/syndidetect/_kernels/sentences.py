"""Sentence boundaries in one compiled pass (the sentences verification compares).

:func:`syndidetect.sentence_split.sentence_spans` tries its boundary pattern at every ``.``, ``!``
and ``?`` of a paragraph and judges each match in Python (the word before it, abbreviations,
initials): about 0.3 ms a 20-paragraph document, a tenth of what splitting and stemming a document
cost. The kernel walks the paragraphs' characters once and applies the same rules, Chinese and
Japanese stops and quotations included, with each code point's classes taken from Python's own
``re`` and ``str`` (:func:`flags_for`); it also reports which sentences hold a character of a menu.
Text with one of the two characters whose lower case is not one character past ASCII is left to
:func:`syndidetect.sentence_split.sentence_spans`, which stays the reference the kernel is tested
against.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from syndidetect._kernels.jit import compile_cached
from syndidetect._kernels.lazy import CompileCost, LazyKernel
from syndidetect.sentence_split import (
    ABBREVIATIONS,
    BEFORE_NUMBER,
    CJK_CLOSERS,
    CJK_CLOSING,
    CJK_OPENERS,
    CJK_STOPS,
    CLOSING,
    ENDS,
    MENU_CHARS,
    OPENING,
    WORD_OPENING,
    WORD_SEPARATORS,
)
from syndidetect.text import code_points

# Flags of a character (classes of its code point).
(END, CLOSE, OPEN, SPACE, WORD, UPPER, DIGIT, ALPHA, SEPARATOR, WORD_OPEN, MENU, DOT, PYTHON_ONLY, CJK_STOP,
 CJK_CLOSE, QUOTE_OPEN, QUOTE_CLOSE) = (1 << k for k in range(17))
# PYTHON_ONLY: a character whose text the kernel leaves to the Python splitter, the reference: one
# that lower-cases to something other than one character past ASCII (U+0130 "İ" to two, the Kelvin
# sign to "k"), which would change the word compared with the abbreviations. These are they, in
# Python 3.11's Unicode (a test derives them again from every code point); the flags are derived
# for each code point by the rule, this list lets a caller keep such texts out of a batch without
# looking at each character.
ODD_LOWER = "\u0130\u212a"


def python_only(text: str) -> bool:
    """Whether ``text`` holds a character of PYTHON_ONLY (then the Python splitter splits it): a
    search for each character, at C speed (a pattern of both tried each character: 54.5 against
    4.2 ms for the 8.6M characters of 1,000 Cyrillic documents of ``benchmarks.detect_scripts``)."""
    return any(char in text for char in ODD_LOWER)


# Code points flagged from the start: ASCII and the typographic characters of English text (the
# highest is the ellipsis, U+2026). The others are flagged when a text first holds them
# (:func:`flags_for`): deriving the flags of all 1.1 million code points would take seconds.
FLAGGED_FIRST = 0x2027
CODE_POINTS = 0x110000


def lower_is_odd(c: str) -> bool:
    """Whether ``c`` lower-cases to other than one character past ASCII (ASCII stays ASCII)."""
    lowered = c.lower()
    return len(lowered) != 1 or (lowered.isascii() and not c.isascii())


def _flags(c: str, space: re.Pattern[str], word: re.Pattern[str]) -> int:
    """The flags of character ``c``: the sets of ``sentence_split`` and ``re``'s own ``\\s`` and
    ``\\w``, ``str.isupper``, ``isdigit`` and ``isalpha``, as the Python splitter tests them."""
    flags = 0
    for flag, member in ((END, c in ENDS), (CLOSE, c in CLOSING), (OPEN, c in OPENING),
                         (SPACE, space.fullmatch(c) is not None), (WORD, word.fullmatch(c) is not None),
                         (UPPER, c.isupper()), (DIGIT, c.isdigit()), (ALPHA, c.isalpha()),
                         (SEPARATOR, c in WORD_SEPARATORS), (WORD_OPEN, c in WORD_OPENING),
                         (MENU, c in MENU_CHARS), (DOT, c == "."),
                         (PYTHON_ONLY, lower_is_odd(c)), (CJK_STOP, c in CJK_STOPS), (CJK_CLOSE, c in CJK_CLOSING),
                         (QUOTE_OPEN, c in CJK_OPENERS), (QUOTE_CLOSE, c in CJK_CLOSERS)):
        flags |= flag if member else 0
    return flags


_SPACE, _WORD = re.compile(r"\s"), re.compile(r"\w")


@lru_cache(maxsize=1)
def _table() -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.bool_]]:
    """The flags of every code point (zero for those not flagged yet), and which are flagged."""
    table = np.zeros(CODE_POINTS, dtype=np.uint32)
    table[:FLAGGED_FIRST] = [_flags(chr(cp), _SPACE, _WORD) for cp in range(FLAGGED_FIRST)]
    flagged = np.zeros(CODE_POINTS, dtype=np.bool_)
    flagged[:FLAGGED_FIRST] = True
    return table, flagged


def flags_for(cp: npt.NDArray[np.uint32], top: int | None = None) -> npt.NDArray[np.uint32]:
    """The flags of every code point, those of ``cp`` among them: the code points not flagged yet
    are flagged now (each entry is written before it is marked, so a thread reading the table
    meanwhile finds it complete for its own text). ``top``: the largest of ``cp``, when known."""
    table, flagged = _table()
    if top is None:
        top = int(cp.max()) if len(cp) else 0
    if top >= FLAGGED_FIRST:
        high = cp[cp >= FLAGGED_FIRST]
        new = np.unique(high[~flagged[high]])
        for point in new.tolist():
            table[point] = _flags(chr(point), _SPACE, _WORD)
        flagged[new] = True
    return table


@lru_cache(maxsize=2)
def _words(words: frozenset[str]) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]:
    """Words as rows of code points (zero-padded) and their lengths, for the kernel to compare."""
    ordered = sorted(words)
    table = np.zeros((len(ordered), max(map(len, ordered))), dtype=np.uint32)
    for row, w in enumerate(ordered):
        table[row, : len(w)] = [ord(c) for c in w]
    return table, np.array([len(w) for w in ordered], dtype=np.int64)


def _is_one_of(cp: Any, start: int, end: int, table: Any, lengths: Any) -> bool:  # pragma: no cover - compiled
    """Whether ``cp[start:end]``, lower-cased (ASCII: only ASCII letters have a case here), is a row
    of ``table``."""
    size = end - start
    for row in range(table.shape[0]):
        if lengths[row] != size:
            continue
        same = True
        for k in range(size):
            c = cp[start + k]
            if 65 <= c <= 90:
                c += 32
            if c != table[row, k]:
                same = False
                break
        if same:
            return True
    return False


def _ends_sentence(cp: Any, flags: Any, begin: int, at: int, end_group: int, following: int, titles: Any,
                   title_lengths: Any, numbered: Any, numbered_lengths: Any) -> bool:  # pragma: no cover - compiled
    """``sentence_split._ends_sentence`` of the match at ``at`` (its punctuation runs to
    ``end_group``, the next sentence's first word character is at ``following``)."""
    f = flags[cp[following]]
    if not (f & UPPER or f & DIGIT):
        return False
    if cp[at] == 33 or cp[at] == 63:  # "!" or "?"
        return True
    if at + 1 < end_group and flags[cp[at + 1]] & DOT:  # ".." (closers are never a full stop)
        return True
    start = at - 1
    while start >= begin and not flags[cp[start]] & SEPARATOR:
        start -= 1
    start += 1
    while start < at and flags[cp[start]] & WORD_OPEN:
        start += 1
    for k in range(start, at):
        if flags[cp[k]] & DOT:
            return False  # a dotted abbreviation: "U.S.", "e.g."
    if _is_one_of(cp, start, at, titles, title_lengths):
        return False
    if at - start == 1 and flags[cp[start]] & ALPHA:
        return False  # an initial
    return not (f & DIGIT and _is_one_of(cp, start, at, numbered, numbered_lengths))


def _run_end(cp: Any, flags: Any, start: int, end: int, flag: int) -> int:  # pragma: no cover - compiled
    """Where the run of characters with ``flag`` from ``start`` ends (``end`` at most)."""
    while start < end and flags[cp[start]] & flag:
        start += 1
    return start


def _cjk_boundary(cp: Any, flags: Any, p: int, block_end: int) -> tuple[int, int]:  # pragma: no cover - compiled
    """The boundary pattern's Chinese branch (``[stops]+[closers]*\\s*(?=\\S)``) matched at ``p``,
    a stop, as ``re`` matches it, backtracking included: the end of its stops and closers and the
    end of the match, or ``(-1, -1)`` when it does not match before ``block_end``."""
    stops_end = _run_end(cp, flags, p, block_end, CJK_STOP)
    closers_end = _run_end(cp, flags, stops_end, block_end, CJK_CLOSE)
    after = _run_end(cp, flags, closers_end, block_end, SPACE)
    if after < block_end:  # a character that is no space follows the spaces
        return closers_end, after
    # The block ends in white space or the run: re gives back a closer, else a stop, so that one
    # follows (neither is a space); with a single stop and no closer there is no match.
    if closers_end > stops_end:
        return closers_end - 1, closers_end - 1
    if stops_end - p >= 2:
        return stops_end - 1, stops_end - 1
    return -1, -1


def _inside_quotation(cp: Any, flags: Any, begin: int, end: int) -> bool:  # pragma: no cover - compiled
    """``sentence_split._inside_quotation``: more Chinese opening quotes and brackets than closing
    ones in ``cp[begin:end]``."""
    opened = 0
    for k in range(begin, end):
        f = flags[cp[k]]
        if f & QUOTE_OPEN:
            opened += 1
        if f & QUOTE_CLOSE:
            opened -= 1
    return opened > 0


def _sentence_bounds(  # pragma: no cover - compiled
    cp: Any, flags: Any, blocks: Any, titles: Any, title_lengths: Any, numbered: Any, numbered_lengths: Any,
    bounds: Any, menus: Any,
) -> int:
    """Write the sentences of the ``blocks`` (rows ``(start, end)``) of code points ``cp`` to
    ``bounds`` and whether each holds a menu character (or "...") to ``menus``; return how many, or
    -1 when a block holds a PYTHON_ONLY character."""
    count = 0
    for b in range(blocks.shape[0]):
        block_start, block_end = blocks[b, 0], blocks[b, 1]
        begin = block_start
        p = block_start
        while True:
            while p < block_end:
                f = flags[cp[p]]
                if f & PYTHON_ONLY:
                    return -1  # every character of a block but stops, closers and spaces comes here
                if f & (END | CJK_STOP):
                    break
                p += 1
            if p >= block_end:
                break
            if flags[cp[p]] & CJK_STOP:
                group_end, after = _cjk_boundary(cp, flags, p, block_end)
                if after < 0:
                    p += 1  # no boundary here: look again from the next character
                    continue
                if not _inside_quotation(cp, flags, begin, group_end):
                    bounds[count, 0], bounds[count, 1] = begin, group_end
                    count += 1
                    begin = after
                p = after
                continue
            end_group = _run_end(cp, flags, _run_end(cp, flags, p, block_end, END), block_end, CLOSE)
            after = _run_end(cp, flags, end_group, block_end, SPACE)
            following = _run_end(cp, flags, after, block_end, OPEN)
            if after == end_group or following >= block_end or not flags[cp[following]] & WORD:
                p += 1  # no boundary here: look again from the next character
                continue
            if _ends_sentence(cp, flags, begin, p, end_group, following, titles, title_lengths, numbered,
                              numbered_lengths):
                bounds[count, 0], bounds[count, 1] = begin, end_group
                count += 1
                begin = after
            p = after
        bounds[count, 0], bounds[count, 1] = begin, block_end
        count += 1
    for s in range(count):
        menu = False
        dots = 0
        for k in range(bounds[s, 0], bounds[s, 1]):
            if flags[cp[k]] & MENU:
                menu = True
                break
            dots = dots + 1 if flags[cp[k]] & DOT else 0
            if dots == 3:
                menu = True
                break
        menus[s] = menu
    return count


def _build() -> Callable[..., int]:
    for helper in (_is_one_of, _ends_sentence, _run_end, _cjk_boundary, _inside_quotation):
        globals()[helper.__name__] = compile_cached(helper, nogil=True)
    compiled: Callable[..., int] = compile_cached(_sentence_bounds, nogil=True)
    return compiled


# Documents before compiling: the kernel saves ~0.3 ms a 20-paragraph document and compiles in a few
# seconds on a fresh install (milliseconds from numba's cache): the seeds and one-article checks stay
# in Python, corpora compile it.
# Into an empty cache: 2.4 s to compile (a `/tmp` script logging numba's compile events, one
# process, the seventy-second round); numba's cache lacking it, it waits for the work that repays that.
SENTENCES = LazyKernel(_build, after=32, cost=CompileCost(seconds=2.4, saved=0.3e-3))
_Bounds = tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]


def sentence_bounds(text: str, blocks: list[tuple[int, int]], documents: int = 1,
                    english: bool = False) -> _Bounds | None:
    """``(bounds, menus)`` of ``text``, split into ``blocks`` (``sentence_split.sentence_blocks``):
    its sentences as ``(start, end)`` rows, exactly ``sentence_spans(text)``, and whether each holds
    a menu character (or "..."); None while the kernel is not compiled, or when a block holds a
    character the kernel leaves to the Python splitter (``PYTHON_ONLY``). ``text`` may be
    ``documents`` documents joined, each block inside one of them: sentences never cross a block.
    ``english``: ``shingles.ascii_lower`` accepted the text, so its code points are all flagged
    already and none is a Chinese stop (a pass over a batch's code points saved)."""
    kernel = SENTENCES.get(documents)
    if kernel is None:
        return None
    cp = code_points(text)
    rows = np.array(blocks, dtype=np.int64).reshape(len(blocks), 2)
    titles, numbered = _words(ABBREVIATIONS), _words(BEFORE_NUMBER)
    ends = int(np.count_nonzero((cp == ord(".")) | (cp == ord("!")) | (cp == ord("?"))))
    top = 0 if english or not len(cp) else int(cp.max())
    if top >= min(map(ord, CJK_STOPS)):  # a sentence a Chinese stop, at most
        ends += int(np.isin(cp, np.array([ord(c) for c in CJK_STOPS], dtype=np.uint32)).sum())
    bounds = np.empty((ends + len(blocks), 2), dtype=np.int64)
    menus = np.empty(len(bounds), dtype=np.bool_)
    count = kernel(cp, flags_for(cp, top), rows, *titles, *numbered, bounds, menus)
    if count < 0:
        return None
    return bounds[:count].copy(), menus[:count].copy()
