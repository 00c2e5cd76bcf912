"""What the index page and the pair pages show, as plain values for the templates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from syndidetect.html.contract import DocumentDict, PairDict, ReportDict
from syndidetect.html.marks import Interval, Run, Unit, side_runs
from syndidetect.text import paragraph_spans
from syndidetect.wording import counted, pair_headline

_SNIPPET = 160  # characters of a related pair's shared passage on the index


def _fold(text: str) -> str:
    return " ".join(text.split())


def percent(share: float) -> str:
    return f"{share:.0%}" if share >= 0.01 or share == 0 else "<1%"


def headline(pair: PairDict) -> str:
    """The terminal report's headline, e.g. ``b republishes 16 of 25 paragraphs of a — verbatim``."""
    direction = pair["direction"]
    return pair_headline(pair["documents"], pair["verdict"], pair["kind"],
                         None if direction is None else (direction["source"], direction["copy"]),
                         pair["matched_paragraphs"], pair["matchable_paragraphs"])


def snippet(pair: PairDict) -> str:
    """The longest text the pair shares, on one line."""
    texts = [p["spans"][0]["text"] for p in pair["passages"]] + [m["paragraphs"][0]["text"] for m in pair["matches"]]
    text = _fold(max(texts, key=len, default=""))
    return text if len(text) <= _SNIPPET else text[: _SNIPPET - 1].rstrip() + "…"


@dataclass(frozen=True)
class PairLink:
    """A pair as the index lists it."""

    href: str
    pair: PairDict
    headline: str
    shares: tuple[str, str]
    snippet: str


@dataclass(frozen=True)
class CopyRow:
    """One document that reuses a story (or shares one, when the direction is not known)."""

    link: PairLink
    copy: str
    kind: str
    paragraphs: str
    share: str
    dates: str
    direction: str


@dataclass(frozen=True)
class ReuseEntry:
    """A reused story: its source and the documents that reuse it, largest share first."""

    title: str
    words: int
    summary: str
    rows: tuple[CopyRow, ...]
    best: float


def _dates(documents: Mapping[str, DocumentDict], a: str, b: str, sep: str) -> str:
    dates = [documents[d].get("date") for d in (a, b)]
    return "—" if dates == [None, None] else f"{dates[0] or 'no date'}{sep}{dates[1] or 'no date'}"


def _copy_row(link: PairLink, documents: Mapping[str, DocumentDict]) -> tuple[str | None, CopyRow, float]:
    pair = link.pair
    (a, b), matched, matchable = pair["documents"], pair["matched_paragraphs"], pair["matchable_paragraphs"]
    if pair["direction"] is None:
        row = CopyRow(link, f"{a} / {b}", pair["kind"], f"{matched[0]} of {matchable[0]} and {matched[1]} of "
                      f"{matchable[1]} paragraphs", f"{link.shares[0]} / {link.shares[1]}",
                      _dates(documents, a, b, " / "), "not determined")
        return None, row, max(pair["shares"])
    source, copy = pair["direction"]["source"], pair["direction"]["copy"]
    src = pair["documents"].index(source)
    row = CopyRow(link, copy, pair["kind"], f"{matched[src]} of {matchable[src]} paragraphs", link.shares[src],
                  _dates(documents, source, copy, " → "), f"{source} → {copy}")
    return source, row, pair["shares"][src]


def reuse_entries(links: list[PairLink], documents: Mapping[str, DocumentDict]) -> list[ReuseEntry]:
    """Copies grouped by their source, most reused first; a copy of unknown direction stands alone."""
    by_source: dict[str, list[tuple[CopyRow, float]]] = {}
    entries = []
    for link in links:
        if link.pair["verdict"] != "copy":
            continue
        source, row, best = _copy_row(link, documents)
        if source is None:
            a, b = link.pair["documents"]
            entries.append(ReuseEntry(f"{a} / {b}", 0, "copy, direction not determined", (row,), best))
        else:
            by_source.setdefault(source, []).append((row, best))
    for source, rows in by_source.items():
        rows.sort(key=lambda r: -r[1])
        n = len(rows)
        entries.append(ReuseEntry(source, documents[source]["words"],
                                  f"reused by {counted(n, 'document')}: "
                                  + ", ".join(r.copy for r, _ in rows),
                                  tuple(r for r, _ in rows), rows[0][1]))
    entries.sort(key=lambda e: (-len(e.rows) if e.words else 0, -e.best, e.title))
    return entries


def pair_links(report: ReportDict) -> list[PairLink]:
    """The report's pairs in its order, each with its page ``pairs/NNNN.html``."""
    return [PairLink(f"pairs/{k:04d}.html", p, headline(p), (percent(p["shares"][0]), percent(p["shares"][1])),
                     snippet(p)) for k, p in enumerate(report["pairs"], start=1)]


class BoilerplateSpans:
    """Per document, the paragraphs of its text that are, whitespace aside, a boilerplate text of
    the report: found once a document, which a report's pages show once for each pair it is in
    (20,000 paragraphs: 82,000 paragraphs folded for 2,007 pages, 0.5 s of about 5 under cProfile)."""

    def __init__(self, texts: Mapping[str, str], boilerplate: frozenset[str]) -> None:
        self._texts, self._boilerplate = texts, boilerplate
        self._found: dict[str, list[Interval]] = {}

    def __call__(self, document: str) -> list[Interval]:
        found = self._found.get(document)
        if found is None:
            text = self._texts[document]
            found = self._found[document] = [(s, e) for s, e in paragraph_spans(text)
                                             if _fold(text[s:e]) in self._boilerplate] if self._boilerplate else []
        return found


@dataclass(frozen=True)
class Side:
    """One column of a pair page."""

    document: DocumentDict
    role: str
    share: str
    runs: list[Run]
    marks: int


@dataclass(frozen=True)
class PairPage:
    link: PairLink
    sides: tuple[Side, Side]
    units: list[Unit]


def pair_page(link: PairLink, documents: Mapping[str, DocumentDict], texts: Mapping[str, str],
              boilerplate: BoilerplateSpans) -> PairPage:
    """Both texts with their marks: the source on the left when the direction is known."""
    pair = link.pair
    left = 1 if pair["direction"] is not None and pair["direction"]["source"] == pair["documents"][1] else 0
    ids = (pair["documents"][left], pair["documents"][1 - left])
    side_texts = (texts[ids[0]], texts[ids[1]])
    found, runs = side_runs(pair, left, side_texts, (boilerplate(ids[0]), boilerplate(ids[1])))
    roles = ("source", "copy") if pair["direction"] is not None else ("", "")
    sides = tuple(Side(documents[ids[k]], roles[k], link.shares[(left, 1 - left)[k]], runs[k],
                       sum(r.unit is not None for r in runs[k])) for k in (0, 1))
    return PairPage(link, (sides[0], sides[1]), found)
