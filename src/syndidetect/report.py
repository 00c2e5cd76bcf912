"""The result of a detection run as plain data, with the JSON contract in ``to_dict``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property
from itertools import compress
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from syndidetect.documents import Document
from syndidetect.errors import ConfigError, InputError
from syndidetect.frozen import filled
from syndidetect.rules import MatchKind
from syndidetect.summary import DocumentReuse, Span, data_frames, found_in, found_words, share
from syndidetect.wording import pair_headline

if TYPE_CHECKING:
    from syndidetect.prepared import PreparedDocument

CSV_COLUMNS = (
    "document_a", "document_b", "verdict", "pair_kind", "source", "copy", "match_kind", "jaccard",
    "containment", "index_a", "start_a", "end_a", "index_b", "start_b", "end_b", "text_a", "text_b",
)
# The words of a pair's verdict and kind, as syndidetect.verify decides them (it spells the same
# Literals; they are defined here too because report sits beside verify, not above it).
Verdict = Literal["copy", "related"]
PairKind = Literal["verbatim", "reworded", "mixed"]


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

    kind: MatchKind
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

    kind: MatchKind
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
    verdict: Verdict
    kind: PairKind
    direction: Direction | None
    matches: tuple[Match, ...]
    matched: tuple[int, int]
    matchable: tuple[int, int]
    kept: float
    passages: tuple[Passage, ...] = ()

    @property
    def headline(self) -> str:
        """One line for people, e.g. ``b republishes 16 of 17 paragraphs of a — verbatim``."""
        direction = None if self.direction is None else (self.direction.source, self.direction.copy)
        return pair_headline(self.documents, self.verdict, self.kind, direction, self.matched, self.matchable)

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

    def side_spans(self, side: int) -> list[Span]:
        """The spans of one document that the other shares: passages and matched paragraphs."""
        spans = [(s.start, s.end, s.text) for s in (p.spans[side] for p in self.passages)]
        return spans + [(r.start, r.end, r.text) for r in (m.paragraphs[side] for m in self.matches)]

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
    """A compared document: its size, and its text for the HTML report (never in the JSON)."""

    id: str
    paragraphs: int
    characters: int = 0
    words: int = 0  # tokens, as syndidetect.shingles.tokens counts them
    matchable_words: int = 0  # in paragraphs that can be matched (long enough, not menus)
    date: str | None = None
    text: str | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, doc: PreparedDocument) -> DocumentSummary:
        # Python sums of the lists: numpy's reductions cost microseconds a call, and a corpus of
        # one-paragraph documents builds a summary per paragraph; for the same reason, filled.
        words = doc.word_counts.tolist()
        document = doc.document
        return filled(cls, id=document.id, paragraphs=len(doc.paragraphs), characters=len(document.text),
                      words=sum(words), matchable_words=sum(compress(words, doc.matchable.tolist())),
                      date=document.date, text=document.text)


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
        """The JSON report contract of ARCHITECTURE.md (documents gain their length and the share of
        their words found in the others; pairs gain the words each side shares and their share)."""
        shared = self.pair_shares()
        return {
            "documents": [d.to_dict() for d in self.summary()],
            "pairs": [{**p.to_dict(), "shared_words": list(shared[p.documents][0]),
                       "shares": list(shared[p.documents][1])} for p in self.pairs],
            "groups": [list(g) for g in self.groups],
            "boilerplate": [{"text": text, "documents": n} for text, n in self.boilerplate],
        }

    def csv_rows(self) -> list[list[str]]:
        """One row per matched paragraph pair, under :data:`CSV_COLUMNS`."""
        return [row for pair in self.pairs for row in pair.csv_rows()]

    @cached_property
    def _found(self) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
        """Words found per (document, other document) and per document overall; computed once."""
        sides = [(p.documents[k], p.documents[1 - k], p.side_spans(k)) for p in self.pairs for k in (0, 1)]
        return found_words(sides)

    def summary(self) -> tuple[DocumentReuse, ...]:
        """Per document: its length and the share of its words found in each other document and in
        any (a union of spans: a paragraph matched twice counts once)."""
        per_pair, overall = self._found
        return tuple(
            DocumentReuse(d.id, d.paragraphs, d.characters, d.words, d.matchable_words, d.date,
                          overall.get(d.id, 0), share(overall.get(d.id, 0), d.words),
                          found_in(d.words, per_pair.get(d.id, {})))
            for d in self.documents)

    def pair_shares(self) -> dict[tuple[str, str], tuple[tuple[int, int], tuple[float, float]]]:
        """Per pair: the words of each document found in the other, and their share of its words."""
        per_pair, _ = self._found
        words = {d.id: d.words for d in self.documents}
        out = {}
        for p in self.pairs:
            (a, b), found = p.documents, (per_pair[p.documents[0]][p.documents[1]],
                                          per_pair[p.documents[1]][p.documents[0]])
            out[p.documents] = (found, (share(found[0], words.get(a, 0)), share(found[1], words.get(b, 0))))
        return out

    def ranked(self) -> Report:
        """Copies first, then related pairs; each by the larger share of a document's words shared."""
        shares = self.pair_shares()
        pairs = sorted(self.pairs, key=lambda p: (p.verdict != "copy", -max(shares[p.documents][1]), p.documents))
        return self._reordered(tuple(pairs))

    def select(self, copies_only: bool = False, top: int | None = None, min_share: float = 0.0) -> Report:
        """The ranked report keeping copies only, pairs sharing at least ``min_share`` of one
        document's words, and at most ``top`` pairs. Documents and groups stay those of the scan."""
        if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
            raise ConfigError(f"'top' must be an int >= 1; got {top!r}")
        if isinstance(min_share, bool) or not isinstance(min_share, (int, float)) or not 0 <= min_share <= 1:
            raise ConfigError(f"'min_share' must be a float in [0, 1]; got {min_share!r}")
        ranked, shares = self.ranked(), self.pair_shares()
        kept = [p for p in ranked.pairs if (p.verdict == "copy" or not copies_only)
                and max(shares[p.documents][1]) >= min_share]
        kept = kept[:top]
        return ranked if len(kept) == len(ranked.pairs) else replace(ranked, pairs=tuple(kept))  # all kept: in order

    def _reordered(self, pairs: tuple[PairReport, ...]) -> Report:
        """This report with its own ``pairs`` in another order, holding the words found it computed
        (a function of the pairs, not of their order): the command line's report is its scan's
        ranked and selected, and at 100k paragraphs computing them again took 4 % of a `scan`."""
        reordered = replace(self, pairs=pairs)
        reordered.__dict__["_found"] = self._found  # frozen: set through the dictionary, as cached_property does
        return reordered

    def to_pandas(self) -> tuple[Any, Any, Any]:
        """``(documents, pairs, matches)`` as pandas DataFrames (``pip install 'syndidetect[pandas]'``).

        ``documents`` has the summary of :meth:`summary` (``found_in`` as a list); ``pairs`` one row per
        pair with the words each side shares (already a union: sum those, not ``matches``);
        ``matches`` the CSV rows with numbers as numbers.
        """
        shared = self.pair_shares()
        pairs = [{"document_a": p.documents[0], "document_b": p.documents[1], "verdict": p.verdict, "kind": p.kind,
                  "source": p.direction.source if p.direction else None,
                  "copy": p.direction.copy if p.direction else None,
                  "matched_paragraphs_a": p.matched[0], "matched_paragraphs_b": p.matched[1],
                  "shared_words_a": shared[p.documents][0][0], "shared_words_b": shared[p.documents][0][1],
                  "share_a": shared[p.documents][1][0], "share_b": shared[p.documents][1][1],
                  "passages": len(p.passages), "matches": len(p.matches)} for p in self.pairs]
        return data_frames([d.to_dict() for d in self.summary()], pairs, self.csv_rows(), CSV_COLUMNS)

    def texts(self, documents: Iterable[Document | tuple[str, str]] | None = None) -> dict[str, str]:
        """Document texts by id: those the report keeps, or from ``documents`` when given."""
        if documents is not None:
            return {d.id: d.text for d in (x if isinstance(x, Document) else Document(*x) for x in documents)}
        return {d.id: d.text for d in self.documents if d.text is not None}

    def to_html(self, path: str | Path, documents: Iterable[Document | tuple[str, str]] | None = None,
                progress: Callable[[str, int, int], None] | None = None) -> Path:
        """Write the HTML report into the folder ``path`` (created): ``index.html`` and a page per pair.

        The pair pages show both texts, so they need them: a report from :func:`syndidetect.detect`
        keeps them; for one without (the Dask path) pass ``documents``. ``progress(stage, done,
        total)`` hears of each page written. Returns the index page.
        """
        from syndidetect.html import write_html
        from syndidetect.html.contract import ReportDict

        texts = self.texts(documents)
        missing = sorted({i for p in self.pairs for i in p.documents} - texts.keys())
        if missing:
            raise InputError(f"the HTML report needs the text of {missing[0]!r} "
                             f"({len(missing)} missing); pass documents=[...]")
        return write_html(cast(ReportDict, self.ranked().to_dict()), texts, Path(path), progress)
