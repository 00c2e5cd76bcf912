"""The documents a user gives and the paragraphs found in them."""

from __future__ import annotations

import reprlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from syndidetect.dates import canonical_date, parse_date
from syndidetect.errors import InputError


def printable(text: str) -> str:
    """``text`` with what cannot be written as UTF-8 shown as escapes: the bytes of a file name that is
    not UTF-8 (which Python keeps as U+DC80..U+DCFF) as ``\\xNN``, any other lone surrogate as ``\\udNNN``.

    >>> printable("caf\\udce9.txt"), printable("ok")
    ('caf\\\\xe9.txt', 'ok')
    """
    if unicode_problem(text) is None:
        return text
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def unicode_problem(text: str) -> str | None:
    """Why ``text`` cannot be written as UTF-8 (a lone surrogate and where), or None. A lone UTF-16
    surrogate (from a JSON "\\ud800" escape or a file name that is not UTF-8) is not a character: it
    cannot be written to a report, a terminal or the index."""
    if text.isascii():
        return None
    # Strict UTF-16 refuses exactly the lone surrogates, as UTF-8 does, in half the time: 2.8 against
    # 5.7 us for 8.5 KB of English with curly quotes (UTF-8 was 14 against 79 us for a regex search).
    try:
        text.encode("utf-16-le")
    except UnicodeEncodeError as exc:  # exc.start: the first one
        return f"lone surrogate U+{ord(text[exc.start]):04X} at character {exc.start} (not valid Unicode)"
    return None


@dataclass(frozen=True)
class Document:
    """A text to compare, with an id unique within a run.

    ``date`` (optional) tells the direction of a copy: a string in a format
    :func:`syndidetect.dates.parse_date` accepts, or a ``datetime``; it is kept as ISO 8601 in UTC.

    >>> Document("a.txt", "Some text.").id
    'a.txt'
    """

    id: str
    text: str
    date: str | None = None
    metadata: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._check_id()
        if not isinstance(self.text, str):
            raise InputError(f"document {self.id!r}: text must be a str; got {type(self.text).__name__}")
        if (problem := unicode_problem(self.text)) is not None:
            raise InputError(f"document {self.id!r}: text has a {problem}")
        self._canonical_date()

    def _check_id(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise InputError(f"document id must be a non-empty string; got {reprlib.repr(self.id)}")
        if (problem := unicode_problem(self.id)) is not None:
            raise InputError(f"document id {self.id.encode('utf-8', 'backslashreplace').decode()!r}: {problem}")

    def _canonical_date(self) -> None:
        if self.date is not None:
            try:
                object.__setattr__(self, "date", canonical_date(self.date))
            except ValueError as exc:
                raise InputError(f"document {self.id!r}: {exc}") from None

    @property
    def instant(self) -> datetime | None:
        """The publication date as an aware UTC datetime, or None."""
        return None if self.date is None else parse_date(self.date)


def decoded_document(doc_id: str, text: str, date: str | None = None) -> Document:
    """``Document(doc_id, text, date)`` of a ``text`` that holds no lone surrogate by how it was made:
    decoded by a strict codec (UTF-8, -16 or -32 refuse them) with no JSON ``\\u`` escape on the way.
    It leaves out the one check that scans the whole text: parsing the 100k-paragraph JSON Lines of
    ``benchmarks.test_index`` written as raw UTF-8 (each of its 5,000 texts past ASCII) took 0.284-0.314
    against 0.316-0.337 s (best of 5, four of five alternated pairs). The id and the date are
    checked as ``Document`` checks them."""
    doc = object.__new__(Document)
    for name, value in (("id", doc_id), ("text", text), ("date", date), ("metadata", {})):
        object.__setattr__(doc, name, value)  # the frozen dataclass's own way to set its fields
    doc._check_id()
    doc._canonical_date()
    return doc


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph of a document: ``text == document.text[start:end]``.

    It keeps a reference to the whole document text and slices it when asked, so a million
    paragraphs do not hold a second copy of the corpus.

    >>> Paragraph(1, 4, 9, "One Two words").text
    'Two w'
    """

    index: int
    start: int
    end: int
    document_text: str = field(repr=False, compare=False)  # the whole decoded text, shared, not copied

    @property
    def text(self) -> str:
        return self.document_text[self.start : self.end]


_new_paragraph = object.__new__
_set_index, _set_start, _set_end, _set_text = (
    Paragraph.__dict__[name].__set__ for name in ("index", "start", "end", "document_text"))


def paragraphs_of(text: str, spans: Iterable[Sequence[int]]) -> tuple[Paragraph, ...]:
    """The paragraphs of ``text`` at ``spans``, numbered from 0, as ``Paragraph(i, start, end,
    text)`` gives them. Their fields are set through the slots themselves: the frozen dataclass's
    ``__init__`` sets each through ``object.__setattr__``. 25-40 against 43-55 ms for the 100,000
    paragraphs of ``benchmarks.test_index`` (minimum and median of 9, the collector paused)."""
    made = []
    for index, (start, end) in enumerate(spans):
        paragraph = _new_paragraph(Paragraph)
        _set_index(paragraph, index)
        _set_start(paragraph, start)
        _set_end(paragraph, end)
        _set_text(paragraph, text)
        made.append(paragraph)
    return tuple(made)
