"""Report assembly: verdicts become pair reports, pair reports a :class:`~syndidetect.report.Report`.

The one place that decides what a pair report holds (character spans of passages and paragraphs),
how copies group and in which order a report lists its pairs. Every executor goes through it:
``Detector.find_copies`` and ``Detector.query`` in process, ``syndidetect.distributed`` on Dask,
so their reports are equal by construction.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate

from syndidetect.align import paragraphs_of, shared_grams
from syndidetect.frozen import each_replaced
from syndidetect.prepared import PreparedDocument
from syndidetect.report import (
    Direction,
    DocumentSummary,
    Match,
    PairReport,
    ParagraphRef,
    Passage,
    Report,
    SpanRef,
)
from syndidetect.rules import MatchKind
from syndidetect.verify import PairVerdict

__all__ = ["LocatedPair", "assemble_report", "copy_groups", "groups_of", "locate", "pair_report", "report_of",
           "report_order"]


def _refs(doc: PreparedDocument) -> dict[int, ParagraphRef]:
    """The paragraphs of ``doc`` the report has named, by index: one object (and one copy of its
    text) for every pair that matches it. Three stories republished 200 times are 59,700 pairs of
    copies: with a new reference and text a match (and a passage's text a pair), their report held
    2.5 GB, 376 MB with them cut once a document (``tracemalloc``, ``benchmarks.syndicated``)."""
    refs: dict[int, ParagraphRef] = doc.memo("paragraph refs", dict)
    return refs


def _ref(refs: dict[int, ParagraphRef], doc: PreparedDocument, index: int) -> ParagraphRef:
    """Paragraph ``index`` of ``doc`` as the report names it, from ``refs`` (:func:`_refs`) or made."""
    ref = refs.get(index)
    if ref is None:
        p = doc.paragraphs[index]
        ref = refs[index] = ParagraphRef(doc.id, p.index, p.start, p.end, p.text)
    return ref


def _text(doc: PreparedDocument, span: tuple[int, int]) -> str:
    """The text of ``span`` in ``doc``: cut once for every pair whose passage covers it (as :func:`_refs`)."""
    texts: dict[tuple[int, int], str] = doc.memo("span texts", dict)
    text = texts.get(span)
    if text is None:
        text = texts[span] = doc.document.text[slice(*span)]
    return text


def _span(doc: PreparedDocument, tokens: tuple[int, int], n: int) -> tuple[int, int]:
    """A passage's characters: its words and the punctuation attached to them (quotes, a full stop)."""
    stream, text = doc.stream(n), doc.document.text
    start, end = int(stream.starts[tokens[0]]), stream.end(tokens[1] - 1)
    while start > 0 and _attached(text[start - 1]):
        start -= 1
    while end < len(text) and _attached(text[end]):
        end += 1
    return start, end


def _attached(char: str) -> bool:
    return not char.isspace() and not char.isalnum()


# A passage located in both texts: its kind, containment, character span in each document and shared
# grams; the report's Passage once its texts are cut (report_of).
_Located = tuple[MatchKind, float, tuple[int, int], tuple[int, int], int]


@dataclass(frozen=True, slots=True)
class LocatedPair:
    """A judged pair whose passages are located in the texts (character spans), before the report's
    texts are cut from them: what the word streams were needed for is done, so a document's can go
    after its last pair, while the texts (81.5 MB for the 30,116 pairs of 300k paragraphs) are made
    once verification holds nothing (:func:`report_of`)."""

    a: PreparedDocument
    b: PreparedDocument
    verdict: PairVerdict
    aligned: tuple[_Located, ...]
    sentences: tuple[_Located, ...]  # the verdict's similar sentences, as reworded passages


def locate(a: PreparedDocument, b: PreparedDocument, v: PairVerdict, n: int) -> LocatedPair:
    """``v``'s passages located in the texts of ``a`` and ``b`` (``n``: the shingle size, the word
    grams passages were aligned on); sentence passages get the containment of their word grams."""
    aligned = tuple((p.kind, p.containment, _span(a, p.a, n), _span(b, p.b, n), p.shared) for p in v.passages)
    sentences: list[_Located] = []
    for pair in v.sentences:
        span_a, span_b = (pair.a_start, pair.a_end), (pair.b_start, pair.b_end)
        shared, containment = shared_grams(a, b, n, span_a, span_b)
        sentences.append(("reworded", containment, span_a, span_b, shared))
    return LocatedPair(a, b, v, aligned, tuple(sentences))


def locate_each(judged: Iterable[tuple[PreparedDocument, PreparedDocument, PairVerdict]], n: int
                ) -> list[LocatedPair]:
    """:func:`locate` of each judged pair; a verdict met again (the same object, which
    :func:`~syndidetect.verify_batch.judge_pairs` gives pairs of documents alike in text) is located
    once, its spans being the same in alike texts."""
    located: list[LocatedPair] = []
    first: dict[int, LocatedPair] = {}  # by the verdict's identity; each verdict held by its pair
    for a, b, verdict in judged:
        seen = first.get(id(verdict))
        if seen is None:
            seen = first[id(verdict)] = locate(a, b, verdict, n)
            located.append(seen)
        else:
            located.append(LocatedPair(a, b, verdict, seen.aligned, seen.sentences))
    return located


def _passage(a: PreparedDocument, b: PreparedDocument, located: _Located) -> Passage:
    kind, containment, span_a, span_b, shared = located
    refs = (SpanRef(a.id, *span_a, _text(a, span_a)), SpanRef(b.id, *span_b, _text(b, span_b)))
    return Passage(kind, containment, refs, (paragraphs_of(a, *span_a), paragraphs_of(b, *span_b)), shared)


def _outside(passage: Passage, aligned: tuple[Passage, ...]) -> bool:
    """Whether a sentence passage overlaps no aligned passage on either side."""
    return not any(s.start < o.end and o.start < s.end for p in aligned for s, o in zip(passage.spans, p.spans))


class _Holders:
    """The passages that may lend their kind to a reworded paragraph pair (:meth:`kind_of`): the
    verbatim and near ones, by where they start in the first document, with the furthest end of
    those starting before each, so a pair's candidates are found by a bisection and a short walk
    back. Trying every passage for every pair took seconds for two long documents sharing a
    thousand of each."""

    def __init__(self, passages: tuple[Passage, ...]) -> None:
        self.held = sorted((p.spans[0].start, k, p) for k, p in enumerate(passages) if p.kind != "reworded")
        self.starts = [start for start, _, _ in self.held]
        self.reach = list(accumulate((p.spans[0].end for _, _, p in self.held), max))

    def kind_of(self, kind: MatchKind, refs: tuple[ParagraphRef, ParagraphRef]) -> MatchKind:
        """A reworded paragraph pair lying whole inside a verbatim or near passage on both sides
        takes the passage's kind (the first such passage's, in the passages' order): its low
        containment comes from paragraph breaks that fall elsewhere in the other document (lines
        wrapped at another width), not from changed words."""
        if kind != "reworded":
            return kind
        first: tuple[int, MatchKind] | None = None
        i = bisect.bisect_right(self.starts, refs[0].start)
        while i > 0 and self.reach[i - 1] >= refs[0].end:  # none before reaches the pair's end
            i -= 1
            _, k, p = self.held[i]
            if all(s.start <= r.start and r.end <= s.end for r, s in zip(refs, p.spans)) and (
                    first is None or k < first[0]):
                first = (k, p.kind)
        return kind if first is None else first[1]


def pair_report(a: PreparedDocument, b: PreparedDocument, v: PairVerdict, n: int) -> PairReport:
    """The report of a judged pair: passages and matches located in the texts (``n``: the shingle
    size, the word grams passages were aligned on), sentence passages outside the aligned ones."""
    return report_of(locate(a, b, v, n))


def report_of(located: LocatedPair) -> PairReport:
    """The report of a located pair (:func:`pair_report` in two steps): its texts cut."""
    a, b, v = located.a, located.b, located.verdict
    passages = tuple(_passage(a, b, p) for p in located.aligned)
    refs_a, refs_b = _refs(a), _refs(b)
    refs = [(_ref(refs_a, a, m.a), _ref(refs_b, b, m.b)) for m in v.matches]
    holders = _Holders(passages)
    matches = tuple(Match(holders.kind_of(m.kind, r), m.jaccard, m.containment, r, m.window)
                    for m, r in zip(v.matches, refs))
    sentences = [_passage(a, b, p) for p in located.sentences]
    passages += tuple(p for p in sentences if _outside(p, passages))
    passages = tuple(sorted(passages, key=lambda p: (p.spans[0].start, p.spans[1].start)))
    direction = None
    if v.source_side is not None:
        source, copy = (a, b) if v.source_side == 0 else (b, a)
        direction = Direction(source.id, copy.id)
    return PairReport((a.id, b.id), v.verdict, v.kind, direction, matches, v.matched, v.matchable, v.kept,
                      passages)


def report_each(located: Iterable[LocatedPair]) -> list[PairReport]:
    """:func:`report_of` of each located pair; a pair with the verdict of an earlier one (the same
    object: alike documents, :func:`locate_each`) takes that one's report with its own documents
    named: the same kinds, spans and texts. Three stories republished 200 times are 64,103 pairs:
    made each on its own, their reports took 3.2 s of a 5.3 s detection."""
    reports: list[PairReport] = []
    first: dict[int, PairReport] = {}  # by the verdict's identity; each verdict held by its located pair
    named = _NamedRefs()
    for pair in located:
        template = first.get(id(pair.verdict))
        if template is None:
            first[id(pair.verdict)] = template = report_of(pair)
            reports.append(template)
        else:
            reports.append(_named_again(template, pair, named))
    return reports


class _NamedRefs:
    """The references of a document's paragraphs in a verdict's matches, kept for one
    :func:`report_each` (by the objects' identities, which live as long as it): a copy of a story
    is in a pair with every other copy, all with one verdict."""

    def __init__(self) -> None:
        self.kept: dict[tuple[int, int, int], tuple[ParagraphRef, ...]] = {}

    def of(self, doc: PreparedDocument, verdict: PairVerdict, side: int) -> tuple[ParagraphRef, ...]:
        """The references of ``doc``'s paragraphs in ``verdict``'s matches, ``doc`` its ``side``."""
        found = self.kept.get((id(doc), id(verdict), side))
        if found is None:
            refs = _refs(doc)
            indexes = [m.b if side else m.a for m in verdict.matches]
            found = self.kept[(id(doc), id(verdict), side)] = tuple(_ref(refs, doc, index) for index in indexes)
        return found


def _named_again(template: PairReport, located: LocatedPair, named: _NamedRefs) -> PairReport:
    """``template``, the report of a pair alike ``located``, naming ``located``'s documents."""
    a, b, v = located.a, located.b, located.verdict
    matches = each_replaced(template.matches, "paragraphs", zip(named.of(a, v, 0), named.of(b, v, 1)))
    spans = [(s.spans[0], s.spans[1]) for s in template.passages]
    passages = each_replaced(template.passages, "spans", [
        each_replaced(pair, "document", (a.id, b.id)) for pair in spans])
    direction = None
    if v.source_side is not None:
        source, copy = (a, b) if v.source_side == 0 else (b, a)
        direction = Direction(source.id, copy.id)
    return PairReport((a.id, b.id), template.verdict, template.kind, direction, matches, template.matched,
                      template.matchable, template.kept, passages)


def groups_of(edges: Iterable[tuple[str, str]]) -> tuple[tuple[str, ...], ...]:
    """Connected components of the copy relation given as edges ``(document, document)``: each
    group sorted, the groups sorted, single documents left out."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        parent[root(a)] = root(b)
    members: dict[str, list[str]] = {}
    for x in parent:
        members.setdefault(root(x), []).append(x)
    return tuple(sorted(tuple(sorted(g)) for g in members.values() if len(g) > 1))


def copy_groups(pairs: Iterable[PairReport]) -> tuple[tuple[str, ...], ...]:
    """Groups of documents that copy each other (see :func:`groups_of`), from pair reports."""
    return groups_of(p.documents for p in pairs if p.verdict == "copy")


def report_order(pair: PairReport) -> tuple[bool, tuple[str, str]]:
    """The sort key of a report's pairs: copies first, then by document ids."""
    return pair.verdict != "copy", pair.documents


def assemble_report(documents: Iterable[DocumentSummary], pairs: Iterable[PairReport],
                    boilerplate: Iterable[tuple[str, int]]) -> Report:
    """The report of a run: ``documents`` in input order, ``pairs`` in :func:`report_order`, their
    copy groups, and the boilerplate examples ``(text, documents holding it)`` sorted."""
    ordered = sorted(pairs, key=report_order)
    return Report(tuple(documents), tuple(ordered), copy_groups(ordered), tuple(sorted(boilerplate)))
