"""Sentences with character spans, for comparing texts sentence by sentence (:mod:`syndidetect.sentences`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from syndidetect._types import Span
from syndidetect.text import paragraph_spans

# A sentence ends at . ! or ? (closing quotes and brackets included) followed by white space and a
# capital letter or a digit (opening quotes and brackets allowed before it); or at a Chinese or
# Japanese full stop, exclamation or question mark (ideographic, fullwidth or halfwidth forms, then
# closing quotes and brackets) followed by anything: these scripts have no capitals and put no space
# between sentences.
ENDS = ".!?"  # end a sentence ...
CLOSING = "\"'”’»)]"  # ... with the closing quotes and brackets after them ...
OPENING = "\"'“‘”’«(["  # ... when the next sentence starts, after these, with a capital or a digit
CJK_STOPS = "。．｡！？"  # end a sentence whatever follows ...
CJK_CLOSING = "\"'”’»)]」』）】〕〉》"  # ... with the closing quotes and brackets after them
BOUNDARY = re.compile(
    rf"(?P<end>[{re.escape(ENDS)}]+[{re.escape(CLOSING)}]*)\s+(?=[{re.escape(OPENING)}]*(?P<next>\w))"
    rf"|(?P<cjk>[{CJK_STOPS}]+[{re.escape(CJK_CLOSING)}]*)\s*(?=\S)"
)
# The characters a boundary starts with. Searching for them first and trying BOUNDARY only there
# finds the same matches as BOUNDARY.finditer three times faster (0.39 -> 0.13 ms for a 20-paragraph
# document of benchmarks.corpus): the engine skips text at C speed instead of trying the pattern at
# every position.
BOUNDARY_START = re.compile(f"[{re.escape(ENDS)}{CJK_STOPS}]")
# Abbreviations a capitalised name or word often follows ("Mr. Smith", "St. Louis").
ABBREVIATIONS = frozenset([
    "mr", "mrs", "ms", "mx", "dr", "prof", "sr", "jr", "st", "mt", "ft", "gen", "gov", "sen", "rep", "rev",
    "col", "lt", "sgt", "capt", "cmdr", "adm", "maj", "pres", "supt", "hon", "messrs", "mme", "mlle", "vs",
    "cf", "approx", "dept", "univ",
])
# Abbreviations that end no sentence when a number follows ("No. 5", "Jan. 12", "Fig. 3").
BEFORE_NUMBER = frozenset([
    "no", "nos", "vol", "fig", "pp", "art", "ch", "sec", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec",
])


def boundary_matches(text: str, start: int, end: int) -> Iterator[re.Match[str]]:
    """The matches of ``BOUNDARY.finditer(text, start, end)``: it can only match where
    ``BOUNDARY_START`` does, and a match resumes the scan at its end, as finditer does."""
    search, match = BOUNDARY_START.search, BOUNDARY.match
    while (first := search(text, start, end)) is not None:
        m = match(text, first.start(), end)
        if m is None:
            start = first.start() + 1
        else:
            yield m
            start = m.end()  # never empty: it holds at least the punctuation


# Opening quotes and brackets a word before a full stop may start with ("(Mr. Smith").
WORD_OPENING = "\"'“‘«(["
# What ends the word before a full stop: the word is the run of characters before it without these
# (spelled out in _word_before, three rfind calls being cheaper than a loop over this string).
WORD_SEPARATORS = " \n\t"


def _word_before(text: str, begin: int, end: int) -> str:
    """The run of characters of ``text[begin:end]`` that ends at ``end`` without a space, tab or
    line end."""
    start = max(text.rfind(" ", begin, end), text.rfind("\n", begin, end), text.rfind("\t", begin, end))
    return text[max(start + 1, begin) : end]


# Characters one of which a menu holds (the separators of syndidetect.prepared.is_menu); "..." too.
MENU_CHARS = "|·•/»›>–—…*-"

# Quotation marks and brackets of Chinese and Japanese text: a full stop inside them ends a sentence
# of the quotation, not of the text ("他说：“走吧。快点！”然后…" is one sentence).
CJK_OPENERS = "「『“（【〔〈《"
CJK_CLOSERS = "」』”）】〕〉》"


def _inside_quotation(text: str, begin: int, end: int) -> bool:
    piece = text[begin:end]
    return sum(map(piece.count, CJK_OPENERS)) > sum(map(piece.count, CJK_CLOSERS))


def _ends_sentence(text: str, begin: int, m: re.Match[str]) -> bool:
    if m["cjk"]:
        return not _inside_quotation(text, begin, m.end("cjk"))
    following, end = m["next"], m["end"]
    if not (following.isupper() or following.isdigit()):
        return False
    if end[0] in "!?" or end.startswith(".."):
        return True
    word = _word_before(text, begin, m.start()).lstrip(WORD_OPENING).lower()
    if "." in word or word in ABBREVIATIONS:  # dotted ("U.S.", "e.g.", "a.m."), or a title
        return False
    if len(word) == 1 and word.isalpha():  # an initial: "J. K. Rowling"
        return False
    return not (word in BEFORE_NUMBER and following.isdigit())


# A paragraph that ends without closing punctuation ...
_OPEN_END = re.compile(r"[^.!?:;…\"”’)\]]\Z")
# ... and the next, one line end further, starting in lower case: one sentence wrapped across them.
_CONTINUATION = re.compile(r"[ \t]*\r?\n[ \t]*[a-z]")


def sentence_blocks(text: str, paragraphs: Iterable[Span] | None = None) -> list[Span]:
    """Paragraphs, rejoined where a line end falls inside a sentence that the paragraph splitter
    judged as two paragraphs (lines too long or too short for hard wrapping). ``paragraphs``:
    ``paragraph_spans(text)`` when the caller already has them."""
    blocks: list[Span] = []
    for start, end in paragraph_spans(text) if paragraphs is None else paragraphs:
        if blocks and _continues(text, blocks[-1][1], start):
            blocks[-1] = (blocks[-1][0], end)
        else:
            blocks.append((start, end))
    return blocks


def _continues(text: str, end: int, start: int) -> bool:
    return bool(_OPEN_END.search(text, end - 1, end)) and bool(_CONTINUATION.fullmatch(text, end, start + 1))


def sentence_spans(text: str) -> list[Span]:
    """Sentences as half-open character spans of ``text``, in order.

    A sentence never crosses a paragraph (:func:`syndidetect.text.paragraph_spans`: blank lines,
    and line ends that are not hard wrapping, end one), except where a line that ends without
    punctuation is followed by one that starts in lower case (wrapped at a width the paragraph
    splitter does not take for hard wrapping). Inside a paragraph, . ! or ? followed by
    white space and a capital or a digit ends a sentence, except after titles ("Mr."), dotted
    abbreviations ("U.S.", "e.g."), initials and "No." before a number; decimals never split.
    In Chinese and Japanese, 。！？ end a sentence whatever follows them, unless a quotation or a
    bracket is open.

    >>> t = "Mr. Smith paid $3.5 million for the U.S. firm. He sat.\\n\\nNext"
    >>> [t[s:e] for s, e in sentence_spans(t)]
    ['Mr. Smith paid $3.5 million for the U.S. firm.', 'He sat.', 'Next']
    >>> t = "今天下雨。他说：“走吧。快点！”明天呢？"
    >>> [t[s:e] for s, e in sentence_spans(t)]
    ['今天下雨。', '他说：“走吧。快点！”', '明天呢？']
    """
    spans: list[Span] = []
    for start, end in sentence_blocks(text):
        begin = start
        for m in boundary_matches(text, start, end):
            if _ends_sentence(text, begin, m):
                spans.append((begin, m.end("cjk") if m["cjk"] else m.end("end")))
                begin = m.end()
        spans.append((begin, end))
    return spans
