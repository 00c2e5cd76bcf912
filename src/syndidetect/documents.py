"""The documents a user gives and the paragraphs found in them."""

from __future__ import annotations

from dataclasses import dataclass, field

from syndidetect.errors import InputError


@dataclass(frozen=True)
class Document:
    """A text to compare, with an id unique within a run.

    ``date`` (ISO 8601, optional) tells the direction of a copy when it cannot be read from the text.

    >>> Document("a.txt", "Some text.").id
    'a.txt'
    """

    id: str
    text: str
    date: str | None = None
    metadata: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise InputError(f"document id must be a non-empty string; got {self.id!r}")
        if not isinstance(self.text, str):
            raise InputError(f"document {self.id!r}: text must be a str; got {type(self.text).__name__}")


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
    source: str = field(repr=False, compare=False)  # the whole decoded document text

    @property
    def text(self) -> str:
        return self.source[self.start : self.end]
