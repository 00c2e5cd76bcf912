"""Where the marks go on a pair page.

Each reported passage and paragraph match becomes a *unit*: one ``<mark>`` or more per side, the
same number on both sides' marks, so a click on one finds its partner. A passage that holds
paragraph matches is shown as those paragraphs, one mark per matched paragraph (a copy of 16
paragraphs reads as 16 marked paragraphs, not one block that swallows what lies between them); text
of the passage outside them is a unit of its own when both sides have words there, else it is text
only one document has (``rest``). Matches that share a paragraph (a paragraph split in two by the
copy) are one unit. Marks never overlap, so they nest cleanly with the changed words inside them.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from syndidetect.html.contract import MatchDict, PairDict, PassageDict
from syndidetect.shingles import tokens
from syndidetect.wordiff import changed_words, word_spans

Interval = tuple[int, int]
_SEVERITY = {"verbatim": 0, "near": 1, "reworded": 2, "mixed": 2}


@dataclass(frozen=True)
class Unit:
    """Text shared by the two sides: its marks per side (left, right), kind and scores (``title``)."""

    number: int
    kind: str
    title: str
    spans: tuple[tuple[Interval, ...], tuple[Interval, ...]]


@dataclass(frozen=True)
class Piece:
    """Text inside or between marks: ``tag`` is ``""``, ``del``, ``ins`` or ``span`` (with classes)."""

    text: str
    tag: str
    classes: str


@dataclass(frozen=True)
class Run:
    """A ``<mark>`` (``unit`` set) or the text between marks."""

    unit: Unit | None
    start: int
    end: int
    pieces: tuple[Piece, ...]


@dataclass
class _Draft:
    kind: str
    lines: list[str]
    spans: tuple[list[Interval], list[Interval]]


def _overlaps(a: Iterable[Interval], b: Interval) -> bool:
    return any(s < b[1] and b[0] < e for s, e in a)


def _groups(n: int, links: Iterable[tuple[int, int]]) -> list[int]:
    """For items ``0..n-1`` joined by ``links``, the representative of each one's group (union-find)."""
    parent = list(range(n))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = k = parent[parent[k]]
        return k

    for a, b in links:
        parent[root(a)] = root(b)
    return [root(k) for k in range(n)]


def _match_drafts(matches: Sequence[MatchDict], order: tuple[int, int]) -> list[_Draft]:
    """Matches joined when they share a paragraph on either side."""
    owner: dict[tuple[int, int], int] = {}
    links = [(k, owner.setdefault((side, m["paragraphs"][side]["index"]), k))
             for k, m in enumerate(matches) for side in (0, 1)]
    drafts: dict[int, _Draft] = {}
    for m, group in zip(matches, _groups(len(matches), links)):
        left, right = (m["paragraphs"][i] for i in order)
        d = drafts.setdefault(group, _Draft(m["kind"], [], ([], [])))
        if _SEVERITY[m["kind"]] > _SEVERITY[d.kind]:
            d.kind = m["kind"]
        d.lines.append(f"¶{left['index']} ↔ ¶{right['index']} · {m['kind']} · containment {m['containment']:.2f}"
                       f" · jaccard {m['jaccard']:.2f}")
        for side, ref in enumerate((left, right)):
            if (ref["start"], ref["end"]) not in d.spans[side]:
                d.spans[side].append((ref["start"], ref["end"]))
    return list(drafts.values())


def _minus(span: Interval, taken: Sequence[Interval]) -> list[Interval]:
    """The parts of ``span`` outside the ``taken`` intervals."""
    out, cursor = [], span[0]
    for s, e in sorted(taken):
        if s > cursor:
            out.append((cursor, min(s, span[1])))
        cursor = max(cursor, e)
    if cursor < span[1]:
        out.append((cursor, span[1]))
    return [(s, e) for s, e in out if s < e]


def _passage_line(p: PassageDict) -> str:
    return f"passage · {p['kind']} · containment {p['containment']:.2f} · {p['shared']} shared 3-grams"


def _drafts(pair: PairDict, order: tuple[int, int], texts: tuple[str, str]
            ) -> tuple[list[_Draft], tuple[list[Interval], list[Interval]]]:
    """Units before numbering, and per side the text of passages that only that side has."""
    matched = _match_drafts(pair["matches"], order)
    drafts = list(matched)
    rest: tuple[list[Interval], list[Interval]] = ([], [])
    for p in pair["passages"]:
        spans = tuple((p["spans"][i]["start"], p["spans"][i]["end"]) for i in order)
        inside = [d for d in matched if all(_overlaps(d.spans[k], spans[k]) for k in (0, 1))]
        if not inside:
            drafts.append(_Draft(p["kind"], [_passage_line(p)], ([spans[0]], [spans[1]])))
            continue
        for d in inside:
            d.lines.append("in a " + _passage_line(p))
        left_over = [[iv for iv in _minus(spans[k], [s for d in inside for s in d.spans[k]])
                      if tokens(texts[k][iv[0]:iv[1]])] for k in (0, 1)]
        if left_over[0] and left_over[1]:
            drafts.append(_Draft(p["kind"], ["rest of a " + _passage_line(p)], (left_over[0], left_over[1])))
        elif p["kind"] == "reworded" and (left_over[0] or left_over[1]):
            # Similar sentences around the paragraphs: the whole passage is one unit with them.
            drafts.append(_Draft(p["kind"], [_passage_line(p)], ([spans[0]], [spans[1]])))
        else:  # aligned word for word: what one side has beyond the paragraphs, the other lacks
            rest[0].extend(left_over[0])
            rest[1].extend(left_over[1])
    return _merged(drafts), rest


def _merged(drafts: list[_Draft]) -> list[_Draft]:
    """Drafts that overlap on either side joined into one (a sentence similar to two others, a passage
    around paragraph matches), so no text belongs to two units."""
    links = []
    for side in (0, 1):
        reach, holder = -1, -1  # the furthest end so far and the draft it belongs to
        for start, end, k in sorted((s, e, k) for k, d in enumerate(drafts) for s, e in d.spans[side]):
            if start < reach:
                links.append((k, holder))
            if end > reach:
                reach, holder = end, k
    groups: dict[int, _Draft] = {}
    for d, group in zip(drafts, _groups(len(drafts), links)):
        g = groups.setdefault(group, _Draft(d.kind, [], ([], [])))
        if _SEVERITY[d.kind] > _SEVERITY[g.kind]:
            g.kind = d.kind
        g.lines.extend(d.lines)
        for side in (0, 1):
            g.spans[side].extend(d.spans[side])
    for g in groups.values():
        for side in (0, 1):
            g.spans[side][:] = _union(g.spans[side])
    return list(groups.values())


def _union(intervals: list[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for s, e in sorted(intervals):
        if out and s < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def units(pair: PairDict, left: int, texts: tuple[str, str]
          ) -> tuple[list[Unit], tuple[list[Interval], list[Interval]]]:
    """The units of a pair page, numbered in the order of the left text, and the ``rest`` per side."""
    drafts, rest = _drafts(pair, (left, 1 - left), texts)
    drafts.sort(key=lambda d: (min(d.spans[0]), min(d.spans[1])))
    out = [Unit(k, d.kind, "\n".join(d.lines), (tuple(sorted(d.spans[0])), tuple(sorted(d.spans[1]))))
           for k, d in enumerate(drafts, start=1)]
    return out, rest


def _changed(unit: Unit, texts: tuple[str, str]) -> tuple[list[Interval], list[Interval]]:
    """The words of a reworded or near unit not in the other side's text, per side."""
    if unit.kind == "verbatim":
        return [], []
    joined = [" ".join(texts[k][s:e] for s, e in unit.spans[k]) for k in (0, 1)]
    flags = changed_words(*joined)
    out: tuple[list[Interval], list[Interval]] = ([], [])
    for k in (0, 1):
        words = [(s + ws, s + we) for s, e in unit.spans[k] for ws, we in word_spans(texts[k][s:e])]
        for (s, e), changed in zip(words, flags[k]):
            gap = texts[k][out[k][-1][1]:s] if out[k] else "\n"
            if changed and gap.isspace() and "\n" not in gap:  # one <del> for a run of words on a line
                out[k][-1] = (out[k][-1][0], e)
            elif changed:
                out[k].append((s, e))
    return out


def _marks(side_units: Iterable[tuple[Interval, Unit]]) -> list[tuple[Interval, Unit]]:
    """Marks sorted and trimmed so none overlaps the one before it."""
    out, cursor = [], 0
    for (s, e), unit in sorted(side_units, key=lambda x: x[0]):
        s = max(s, cursor)
        if s < e:
            out.append(((s, e), unit))
            cursor = e
    return out


def _covers(intervals: Sequence[Interval], starts: Sequence[int], pos: int) -> int:
    """Index of the interval holding ``pos`` (intervals sorted, not overlapping), or -1."""
    k = bisect.bisect_right(starts, pos) - 1
    return k if k >= 0 and pos < intervals[k][1] else -1


def _piece(text: str, side: int, changed: bool, boilerplate: bool, rest: bool) -> Piece:
    if changed:
        return Piece(text, ("del", "ins")[side], "bp" if boilerplate else "")
    classes = " ".join(c for c, on in (("rest", rest), ("bp", boilerplate)) if on)
    return Piece(text, "span" if classes else "", classes)


def runs(text: str, side: int, marks: list[tuple[Interval, Unit]], changed: list[Interval],
         boilerplate: list[Interval], rest: list[Interval]) -> list[Run]:
    """The text of one side cut into marks and the text between them, each as styled pieces."""
    layers = [sorted(x) for x in ([iv for iv, _ in marks], changed, boilerplate, rest)]
    starts = [[s for s, _ in layer] for layer in layers]
    cuts = sorted({0, len(text), *(b for layer in layers for iv in layer for b in iv)})
    out: list[Run] = []
    for a, b in itertools.pairwise(cuts):
        if a >= len(text):
            break
        where = [_covers(layer, st, a) for layer, st in zip(layers, starts)]
        piece = _piece(text[a:b], side, where[1] >= 0, where[2] >= 0, where[3] >= 0)
        unit = marks[where[0]][1] if where[0] >= 0 else None
        span = marks[where[0]][0] if where[0] >= 0 else None
        last = out[-1] if out else None
        if last is not None and last.unit is unit and (span is None or last.start == span[0]):
            pieces = list(last.pieces)
            if pieces[-1].tag == piece.tag and pieces[-1].classes == piece.classes:
                pieces[-1] = Piece(pieces[-1].text + piece.text, piece.tag, piece.classes)
            else:
                pieces.append(piece)
            out[-1] = Run(unit, last.start, b, tuple(pieces))
        else:
            out.append(Run(unit, a, b, (piece,)))
    return out


def side_runs(pair: PairDict, left: int, texts: tuple[str, str], boilerplate: tuple[list[Interval], list[Interval]]
              ) -> tuple[list[Unit], tuple[list[Run], list[Run]]]:
    """The units of a pair and, per side (left, right), the runs of its text."""
    found, rest = units(pair, left, texts)
    changed: tuple[list[Interval], list[Interval]] = ([], [])
    for unit in found:
        for k, words in enumerate(_changed(unit, texts)):
            changed[k].extend(words)
    sides = tuple(runs(texts[k], k, _marks((iv, u) for u in found for iv in u.spans[k]), changed[k],
                       boilerplate[k], rest[k]) for k in (0, 1))
    return found, (sides[0], sides[1])
