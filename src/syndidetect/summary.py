"""How much of each document was found in the others: words covered by a union of reported spans.

A paragraph matched twice (by two partners, or by a paragraph match and a passage) covers its words
once: the spans of one document are merged before their words are counted, so summing the per-pair
rows of a roll-up never counts a word twice.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from syndidetect.errors import MissingDependencyError
from syndidetect.shingles import tokens

Span = tuple[int, int, str]  # start, end, and the text: document_text[start:end]


def covered_words(spans: Iterable[Span]) -> int:
    """Words inside the union of ``spans``; the text of a merged run is pieced from the spans' texts.

    >>> covered_words([(0, 9, "One two t"), (4, 14, "two three."), (20, 24, "five")])
    4
    """
    total, run_end, pieces = 0, -1, [""]
    for start, end, text in sorted(spans):
        if start > run_end:  # a gap: count the run so far, start a new one
            total += len(tokens("".join(pieces)))
            pieces, run_end = [text], end
        elif end > run_end:
            pieces.append(text[run_end - start :])
            run_end = end
    return total + len(tokens("".join(pieces)))


def share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


@dataclass(frozen=True)
class Found:
    """The words of a document found in one other document (``share``: of all its words)."""

    document: str
    words: int
    share: float

    def to_dict(self) -> dict[str, Any]:
        return {"document": self.document, "words": self.words, "share": self.share}


@dataclass(frozen=True)
class DocumentReuse:
    """A document's length and how much of it was found in the other documents of a report."""

    id: str
    paragraphs: int
    characters: int
    words: int  # tokens, as syndidetect.shingles.tokens counts them
    matchable_words: int  # words in paragraphs long enough to be matched (not menus, not credits)
    date: str | None
    words_found: int  # in any other document: the union over all pairs
    share_found: float
    found_in: tuple[Found, ...]  # per other document, largest share first

    def to_dict(self) -> dict[str, Any]:
        """The report's ``documents[]`` entry: ``id`` and ``paragraphs`` first, as before."""
        out: dict[str, Any] = {"id": self.id, "paragraphs": self.paragraphs, "characters": self.characters,
                               "words": self.words, "matchable_words": self.matchable_words}
        if self.date is not None:
            out["date"] = self.date
        out.update(words_found=self.words_found, share_found=self.share_found,
                   found_in=[f.to_dict() for f in self.found_in])
        return out


def found_words(sides: Iterable[tuple[str, str, Sequence[Span]]]) -> tuple[
        dict[str, dict[str, int]], dict[str, int]]:
    """From ``(document, other document, the document's spans shared with the other)`` rows: words
    found per document and other document, and per document over all others (one union)."""
    per_pair: dict[str, dict[str, int]] = {}
    every: dict[str, list[Span]] = {}
    for doc, other, spans in sides:
        per_pair.setdefault(doc, {})[other] = covered_words(spans)
        every.setdefault(doc, []).extend(spans)
    return per_pair, {doc: covered_words(spans) for doc, spans in every.items()}


def found_in(words: int, per_other: Mapping[str, int]) -> tuple[Found, ...]:
    rows = [Found(other, n, share(n, words)) for other, n in per_other.items()]
    return tuple(sorted(rows, key=lambda f: (-f.words, f.document)))


def data_frames(documents: list[dict[str, Any]], pairs: list[dict[str, Any]], matches: list[list[str]],
                match_columns: Sequence[str]) -> tuple[Any, Any, Any]:
    """Three pandas DataFrames from rows; pandas is optional (imported by name: it has no stubs)."""
    try:
        pd: Any = importlib.import_module("pandas")
    except ImportError:
        raise MissingDependencyError("pandas", "pandas") from None
    frame = pd.DataFrame(matches, columns=list(match_columns))
    for column in ("jaccard", "containment"):
        frame[column] = frame[column].astype(float)
    for column in ("index_a", "start_a", "end_a", "index_b", "start_b", "end_b"):
        frame[column] = frame[column].astype(int)
    return pd.DataFrame(documents), pd.DataFrame(pairs), frame
