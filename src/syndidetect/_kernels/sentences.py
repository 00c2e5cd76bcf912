"""Sentence boundaries of English text in one compiled pass (the sentences verification compares).

:func:`syndidetect.sentence_split.sentence_spans` tries its boundary pattern at every ``.``, ``!``
and ``?`` of a paragraph and judges each match in Python (the word before it, abbreviations,
initials): about 0.3 ms a 20-paragraph document, a tenth of what splitting and stemming a document
cost. For text that :func:`syndidetect.shingles.ascii_lower` accepts (ASCII but for typographic
quotes, dashes, ellipsis and non-breaking spaces, so no Chinese or Japanese stops) the kernel walks
the paragraphs' characters once and applies the same rules, with the character classes taken from
Python's own ``re`` and ``str`` (:func:`classes`); it also reports which sentences hold a character
of a menu. :func:`syndidetect.sentence_split.sentence_spans` stays the
reference it is tested against.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from syndidetect._kernels.jit import compile_cached
from syndidetect._kernels.lazy import LazyKernel
from syndidetect.sentence_split import (
    ABBREVIATIONS,
    BEFORE_NUMBER,
    CLOSING,
    ENDS,
    MENU_CHARS,
    OPENING,
    WORD_OPENING,
    WORD_SEPARATORS,
)

# Flags of a character (classes of its code point).
END, CLOSE, OPEN, SPACE, WORD, UPPER, DIGIT, ALPHA, SEPARATOR, WORD_OPEN, MENU, DOT = (1 << k for k in range(12))
# The code points the kernel reads: ASCII and the typographic characters ascii_lower lets through
# (the highest is the ellipsis, U+2026).
TABLE_SIZE = 0x2027


@lru_cache(maxsize=1)
def classes() -> npt.NDArray[np.uint16]:
    """The flags of every code point below ``TABLE_SIZE``: the sets of ``sentence_split`` and
    ``re``'s own ``\\s`` and ``\\w``, ``str.isupper``, ``isdigit`` and ``isalpha``."""
    space, word = re.compile(r"\s"), re.compile(r"\w")
    table = np.zeros(TABLE_SIZE, dtype=np.uint16)
    for cp in range(TABLE_SIZE):
        c = chr(cp)
        flags = 0
        for flag, member in ((END, c in ENDS), (CLOSE, c in CLOSING), (OPEN, c in OPENING),
                             (SPACE, space.fullmatch(c) is not None), (WORD, word.fullmatch(c) is not None),
                             (UPPER, c.isupper()), (DIGIT, c.isdigit()), (ALPHA, c.isalpha()),
                             (SEPARATOR, c in WORD_SEPARATORS), (WORD_OPEN, c in WORD_OPENING),
                             (MENU, c in MENU_CHARS), (DOT, c == ".")):
            flags |= flag if member else 0
        table[cp] = flags
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


def _sentence_bounds(  # pragma: no cover - compiled
    cp: Any, flags: Any, blocks: Any, titles: Any, title_lengths: Any, numbered: Any, numbered_lengths: Any,
    bounds: Any, menus: Any,
) -> int:
    """Write the sentences of the ``blocks`` (rows ``(start, end)``) of code points ``cp`` to
    ``bounds`` and whether each holds a menu character (or "...") to ``menus``; return how many."""
    count = 0
    for b in range(blocks.shape[0]):
        block_start, block_end = blocks[b, 0], blocks[b, 1]
        begin = block_start
        p = block_start
        while True:
            while p < block_end and not flags[cp[p]] & END:
                p += 1
            if p >= block_end:
                break
            end_group = p
            while end_group < block_end and flags[cp[end_group]] & END:
                end_group += 1
            while end_group < block_end and flags[cp[end_group]] & CLOSE:
                end_group += 1
            after = end_group
            while after < block_end and flags[cp[after]] & SPACE:
                after += 1
            following = after
            while following < block_end and flags[cp[following]] & OPEN:
                following += 1
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
    for helper in (_is_one_of, _ends_sentence):
        globals()[helper.__name__] = compile_cached(helper, nogil=True)
    compiled: Callable[..., int] = compile_cached(_sentence_bounds, nogil=True)
    return compiled


# Documents before compiling: the kernel saves ~0.3 ms a 20-paragraph document and compiles in a few
# seconds on a fresh install (milliseconds from numba's cache): the seeds and one-article checks stay
# in Python, corpora compile it.
SENTENCES = LazyKernel(_build, after=32)
_Bounds = tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]


def sentence_bounds(text: str, blocks: list[tuple[int, int]], documents: int = 1) -> _Bounds | None:
    """``(bounds, menus)`` of a text that ``ascii_lower`` accepts, split into ``blocks``
    (``sentence_split.sentence_blocks``): its sentences as ``(start, end)`` rows, exactly
    ``sentence_spans(text)``, and whether each holds a menu character (or "..."); None while the
    kernel is not compiled. ``text`` may be ``documents`` documents joined, each block inside one
    of them: sentences never cross a block."""
    kernel = SENTENCES.get(documents)
    if kernel is None:
        return None
    cp = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    if len(cp) and int(cp.max()) >= TABLE_SIZE:
        raise ValueError("sentence_bounds reads text that ascii_lower accepts")
    rows = np.array(blocks, dtype=np.int64).reshape(len(blocks), 2)
    titles, numbered = _words(ABBREVIATIONS), _words(BEFORE_NUMBER)
    ends = int(np.count_nonzero((cp == ord(".")) | (cp == ord("!")) | (cp == ord("?"))))
    bounds = np.empty((ends + len(blocks), 2), dtype=np.int64)
    menus = np.empty(len(bounds), dtype=np.bool_)
    count = kernel(cp, classes(), rows, *titles, *numbered, bounds, menus)
    return bounds[:count].copy(), menus[:count].copy()
