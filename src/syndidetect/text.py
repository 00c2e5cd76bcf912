"""Normalisation for matching, and paragraph splitting with character spans.

Spans index the decoded text exactly as given (no newline translation), so a reported paragraph
is always ``text[start:end]`` of the original.
"""

from __future__ import annotations

import html
import itertools
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from syndidetect._types import Span

# Lines longer than this are never hard-wrapped text: each one is a paragraph of its own.
_MAX_WRAP_WIDTH = 120
# A block whose longest line is shorter than this is a list of short lines (menus), not wrapped text.
_MIN_WRAP_WIDTH = 30
# A line at least this share of the block's width was cut by the wrapper, so the next continues it.
_FULL_LINE_SHARE = 0.7
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
# A run of non-blank lines (no "\r" in the text): the blocks that blank lines separate.
_NON_BLANK_LINES = re.compile(r"[^\n]*\S[^\n]*(?:\n[^\n]*\S[^\n]*)*")
_LIST_ITEM = re.compile(r"(?:[-*+\u2022\u2013]|\d{1,3}[.)])(?:\s|$)")


# Unicode's Default_Ignorable_Code_Point characters (DerivedCoreProperties.txt, Unicode 14; first
# and last code point of each range): soft hyphen, zero-width space, joiners, word joiner,
# direction marks, invisible operators, BOM, variation selectors, Hangul fillers, tags. They are
# invisible, so a word sprinkled with them (a known way to evade copy detectors, or soft hyphens
# left by a typesetter) reads as the same word: normalisation deletes them. The visible format
# characters (Arabic number signs, Egyptian hieroglyph controls) are not in the list.
IGNORABLE_RANGES = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)
IGNORABLE = re.compile("[" + "".join(f"{chr(low)}-{chr(high)}" for low, high in IGNORABLE_RANGES) + "]")
# Characters from which a text is looked for ignorable characters in a table by code point rather
# than by IGNORABLE: the regular expression tries its ranges at each character (12 ns a character
# of Cyrillic), the table reads the text's UTF-32 copy (3 ns a character, and 4 us to start). Best
# of five on the Cyrillic text of benchmarks.detect_scripts: 2,000 characters 24.8 against 9.5 us,
# 200 characters 2.6 against 4.5 us; a batch of sentences (3.4M characters) 41.9 against 9.6 ms.
TABLE_FROM_CHARS = 512


@lru_cache(maxsize=1)
def _ignorable_table() -> npt.NDArray[np.bool_]:
    """Per code point (U+0000..U+10FFFF): whether it is one of ``IGNORABLE_RANGES``."""
    table = np.zeros(0x110000, dtype=np.bool_)
    for low, high in IGNORABLE_RANGES:
        table[low : high + 1] = True
    return table


def code_points(text: str) -> npt.NDArray[np.uint32]:
    """The code points of ``text``, one array item each (its UTF-32 copy, read in place); a lone
    surrogate survives the round trip (``surrogatepass``)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def without_ignorable(text: str) -> str:
    """``text`` with its ignorable characters (:data:`IGNORABLE`) deleted."""
    if len(text) >= TABLE_FROM_CHARS and not _ignorable_table()[code_points(text)].any():
        return text
    return IGNORABLE.sub("", text)


def compatibility_form(text: str) -> str:
    """:func:`normalise` but for case: HTML entities decoded, ignorable characters deleted, NFKC.

    Ignorable characters go before NFKC, which then composes what they separated (``e``, a zero
    width space, a combining acute: ``é``), as in the text without them.
    """
    if "&" in text:
        text = html.unescape(text)
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", without_ignorable(text))


def normalise(text: str) -> str:
    """Text as compared: HTML entities decoded, invisible characters (:data:`IGNORABLE`) deleted,
    NFKC (non-breaking and other spaces become plain ones), case-folded.

    Quotes, dashes and other punctuation are word separators in :func:`syndidetect.shingles`,
    so their style never changes a shingle.

    >>> normalise("Ｔhe\\u00a0CAFÉ&rsquo;s soft\\u00adware")
    'the café’s software'
    """
    if "&" not in text and text.isascii():
        return text.lower()
    return compatibility_form(text).casefold()


@dataclass(frozen=True)
class _Line:
    start: int  # first non-blank character
    end: int  # one past the last non-blank character
    indent: int
    width: int  # indent + content length

    @property
    def blank(self) -> bool:
        return self.start >= self.end


def _lines(text: str) -> list[_Line]:
    lines: list[_Line] = []
    for m in _LINE.finditer(text):
        if m.start() == m.end() == len(text) and lines:
            break
        raw = m.group().rstrip("\r\n")
        content = raw.strip()
        indent = len(raw) - len(raw.lstrip())
        start = m.start() + indent
        lines.append(_Line(start, start + len(content), indent, indent + len(content)))
    return lines


def _blocks(lines: list[_Line]) -> list[list[_Line]]:
    blocks: list[list[_Line]] = []
    current: list[_Line] = []
    for line in lines:
        if line.blank:
            if current:
                blocks.append(current)
            current = []
        else:
            current.append(line)
    if current:
        blocks.append(current)
    return blocks


def _continues(prev: _Line, line: _Line, width: int, text: str) -> bool:
    """Whether ``line`` continues the paragraph of ``prev`` inside one block of lines."""
    if not _MIN_WRAP_WIDTH <= width <= _MAX_WRAP_WIDTH:
        return False
    if line.indent > prev.indent or _LIST_ITEM.match(text, line.start):
        return False
    return prev.width >= _FULL_LINE_SHARE * width


def paragraph_spans(text: str) -> list[Span]:
    """Paragraphs as half-open spans, in order.

    Blank lines separate paragraphs. Inside a block, lines wrapped at a fixed width join into one
    paragraph; long lines, short lines, list items and more-indented lines stand alone.

    >>> t = "Title\\n\\nOne line.\\nAnother line that is long enough to be a paragraph by itself."
    >>> [t[s:e] for s, e in paragraph_spans(t)][:2]
    ['Title', 'One line.']
    """
    if "\r" in text:  # old Mac line ends: the general line splitter
        return _wrapped_spans(text, 0)
    if "\n" not in text:  # one line: one paragraph, unless blank (one-paragraph documents, titles)
        stripped = text.lstrip()
        return [(len(text) - len(stripped), len(text.rstrip()))] if stripped else []
    standalone = _standalone_lines(text)
    if standalone is not None:  # no line follows another: each is a paragraph
        return standalone
    spans: list[Span] = []
    for m in _NON_BLANK_LINES.finditer(text):
        block = m.group()
        if "\n" in block:
            spans += _wrapped_spans(block, m.start())
        else:  # a one-line paragraph: no line analysis needed
            start = m.start() + len(block) - len(block.lstrip())
            spans.append((start, m.start() + len(block.rstrip())))
    return spans


def _standalone_lines(text: str) -> list[Span] | None:
    """The spans of ``text``'s non-blank lines (no ``"\\r"`` in the text), each without the whitespace
    around it, when no two of them are adjacent (paragraphs between blank lines, the common layout);
    None as soon as one follows another (the lines form a block that wrapping may join). A search for
    each line break, then a look at each line's first and last characters (a line with whitespace at
    an end is copied and stripped): 14.6 against 27.5 us a
    document of 20 paragraphs for the regular expression that walked every character before
    (``benchmarks.test_index``'s JSONL, medians of 9 alternated passes over 2,000 documents)."""
    spans: list[Span] = []
    start, end_of_text, after_line = 0, len(text), False
    while start <= end_of_text:
        end = text.find("\n", start)
        if end < 0:
            end = end_of_text
        first, last = start, end
        if first < last and (text[first].isspace() or text[last - 1].isspace()):  # trimmed in C
            content = text[start:end].lstrip()
            first = end - len(content)
            last = first + len(content.rstrip())
        if first < last:
            if after_line:
                return None
            spans.append((first, last))
        after_line = first < last
        start = end + 1
    return spans


def _wrapped_spans(text: str, offset: int) -> list[Span]:
    """Paragraph spans of ``text`` (shifted by ``offset``), deciding line by line."""
    spans: list[Span] = []
    for block in _blocks(_lines(text)):
        width = max(line.width for line in block)
        start, end = block[0].start, block[0].end
        for prev, line in itertools.pairwise(block):
            if _continues(prev, line, width, text):
                end = line.end
            else:
                spans.append((start + offset, end + offset))
                start, end = line.start, line.end
        spans.append((start + offset, end + offset))
    return spans
