"""The result of a detection run as plain data, with the JSON contract in ``to_dict``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CSV_COLUMNS = (
    "document_a", "document_b", "verdict", "pair_kind", "source", "copy", "match_kind", "jaccard",
    "containment", "index_a", "start_a", "end_a", "index_b", "start_b", "end_b", "text_a", "text_b",
)


@dataclass(frozen=True)
class ParagraphRef:
    """A paragraph of a document: ``text == document_text[start:end]``."""

    document: str
    index: int
    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"document": self.document, "index": self.index, "start": self.start, "end": self.end,
                "text": self.text}


@dataclass(frozen=True)
class Match:
    """Two paragraphs, one in each document of a pair, found to be the same text.

    ``kind`` is ``verbatim``, ``near`` (small edits) or ``reworded``; ``containment`` is the share of
    the shorter paragraph's shingles found in the other (or in its window of neighbours).
    """

    kind: str
    jaccard: float
    containment: float
    paragraphs: tuple[ParagraphRef, ParagraphRef]
    window: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "jaccard": round(self.jaccard, 4),
            "containment": round(self.containment, 4),
            "window": self.window,
            "paragraphs": [p.to_dict() for p in self.paragraphs],
        }


@dataclass(frozen=True)
class SpanRef:
    """A stretch of a document's text: ``text == document_text[start:end]``."""

    document: str
    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"document": self.document, "start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True)
class Passage:
    """Text the two documents share, aligned on their word streams across paragraph boundaries.

    ``kind`` is ``verbatim``, ``near`` (small edits, OCR noise) or ``reworded`` (found through
    similar sentences, or a loosely aligned stretch); ``containment`` is the share of the shorter
    span's word 3-grams found in the other span; ``paragraphs`` lists, per side, the indexes of the
    paragraphs the span overlaps; ``shared`` counts the aligned word 3-grams.
    """

    kind: str
    containment: float
    spans: tuple[SpanRef, SpanRef]
    paragraphs: tuple[tuple[int, ...], tuple[int, ...]]
    shared: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "containment": round(self.containment, 4),
            "shared": self.shared,
            "spans": [s.to_dict() for s in self.spans],
            "paragraphs": [list(p) for p in self.paragraphs],
        }


@dataclass(frozen=True)
class Direction:
    source: str
    copy: str


@dataclass(frozen=True)
class PairReport:
    """What two documents share. ``matched``/``matchable`` count paragraphs per document."""

    documents: tuple[str, str]
    verdict: str
    kind: str
    direction: Direction | None
    matches: tuple[Match, ...]
    matched: tuple[int, int]
    matchable: tuple[int, int]
    kept: float
    passages: tuple[Passage, ...] = ()

    @property
    def headline(self) -> str:
        """One line for people, e.g. ``b republishes 16 of 17 paragraphs of a — verbatim``."""
        if self.direction is None:
            a, b = self.documents
            if self.verdict == "copy":
                return (f"{a} and {b}: copy, {self.matched[0]} of {self.matchable[0]} and {self.matched[1]} of "
                        f"{self.matchable[1]} paragraphs — {self.kind}")
            return f"{a} shares passages with {b}: {self.matched[0]} and {self.matched[1]} paragraphs — {self.kind}"
        src = self.documents.index(self.direction.source)
        return (f"{self.direction.copy} republishes {self.matched[src]} of {self.matchable[src]} "
                f"paragraphs of {self.direction.source} — {self.kind}")

    def to_dict(self) -> dict[str, Any]:
        direction = None if self.direction is None else {
            "source": self.direction.source, "copy": self.direction.copy}
        return {
            "documents": list(self.documents),
            "verdict": self.verdict,
            "kind": self.kind,
            "direction": direction,
            "matched_paragraphs": list(self.matched),
            "matchable_paragraphs": list(self.matchable),
            "shingles_kept": round(self.kept, 4),
            "matches": [m.to_dict() for m in self.matches],
            "passages": [p.to_dict() for p in self.passages],
        }

    def csv_rows(self) -> list[list[str]]:
        source = self.direction.source if self.direction else ""
        copy = self.direction.copy if self.direction else ""
        rows = []
        for m in self.matches:
            pa, pb = m.paragraphs
            rows.append([*self.documents, self.verdict, self.kind, source, copy, m.kind, f"{m.jaccard:.4f}",
                         f"{m.containment:.4f}", str(pa.index), str(pa.start), str(pa.end), str(pb.index),
                         str(pb.start), str(pb.end), pa.text, pb.text])
        return rows


@dataclass(frozen=True)
class DocumentSummary:
    id: str
    paragraphs: int


@dataclass(frozen=True)
class Report:
    """Documents compared, the pairs that share text, and groups of documents that copy each other."""

    documents: tuple[DocumentSummary, ...]
    pairs: tuple[PairReport, ...]
    groups: tuple[tuple[str, ...], ...]
    boilerplate: tuple[tuple[str, int], ...] = ()  # (text, documents holding it): never matched

    @property
    def copies(self) -> tuple[PairReport, ...]:
        return tuple(p for p in self.pairs if p.verdict == "copy")

    def to_dict(self) -> dict[str, Any]:
        """The JSON report contract of ARCHITECTURE.md."""
        return {
            "documents": [{"id": d.id, "paragraphs": d.paragraphs} for d in self.documents],
            "pairs": [p.to_dict() for p in self.pairs],
            "groups": [list(g) for g in self.groups],
            "boilerplate": [{"text": text, "documents": n} for text, n in self.boilerplate],
        }

    def csv_rows(self) -> list[list[str]]:
        """One row per matched paragraph pair, under :data:`CSV_COLUMNS`."""
        return [row for pair in self.pairs for row in pair.csv_rows()]
