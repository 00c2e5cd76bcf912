"""Scores of ``syndidetect.detect`` on the shapes corpus (``shapes.py``), per category and variant,
and the quality floors CI holds the detector to (:data:`FLOORS`, checked by
``tests/test_quality_shapes.py``).

Document level: a pair is called a copy when ``pair.verdict == "copy"``. A labelled "copy" pair
called a copy is a hit, otherwise a miss; a labelled "not copy" pair called a copy is a false
copy of its category; any unlabelled pair called a copy is a false positive counted against the
categories of both its documents (the ``FP`` column) and in the ``unlabelled`` row.

Passage level, within labelled copy pairs (whatever their verdict), on the report's units: its
``pair.passages`` when the attribute is there and non-empty, else its paragraph ``pair.matches``:

* passage recall (``pass R``): share of truth span pairs whose source span and copy span are each
  covered at least 50 % by the union of the reported units on that document;
* verbatim/near share (``v/n``): share of the units on copied text (overlapping truth on both
  sides) whose kind is ``verbatim`` or ``near``;
* character precision (``char P``): share of reported characters (union of the units, per
  document; non-blank characters only, so the line breaks between two truth spans do not count)
  that lie inside truth spans;
* units per pair (``units``): all units reported on a pair, mean over the pairs (``max`` in floors).

On "not copy" pairs the truth spans mark the text they legitimately share (quotations, similar
sentences, a site footer); ``shared`` counts the units reported on it (on both sides).

``python -m benchmarks.quality --shapes`` (or ``python -m benchmarks.quality.evaluate_shapes``)
prints the table and the floors.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import syndidetect
from benchmarks.quality.evaluate import prf
from benchmarks.quality.pages import Span
from benchmarks.quality.shapes import CATEGORIES, COPY, ShapeCorpus, ShapePair, make_shapes
from syndidetect import Config, Report

Ref = tuple[str, int, int]  # document id, start, end
MIN_COVER = 0.5  # share of a truth span the reported units must cover (the harness's rule)
STRONG = ("verbatim", "near")  # unit kinds that say "the same words"
ALL_COPY, ALL_NOT, UNLABELLED = "all copy shapes", "all not-copy shapes", "unlabelled"


@dataclass(frozen=True)
class Floor:
    """What CI requires of one category (None: not checked)."""

    recall: float | None = None  # minimum document recall
    passage_recall: float | None = None  # minimum share of truth spans covered by reported units
    called_copy: int | None = None  # maximum labelled "not copy" pairs called copy
    verbatim_near: float | None = None  # minimum share of units on copied text that are verbatim/near
    char_precision: float | None = None  # minimum share of reported characters inside truth spans
    units: int | None = None  # maximum units reported on any one pair of the category
    shared_units: int | None = None  # maximum units on the shared text of any "not copy" pair


# The quality floors, one entry per category, with the reason. They are the targets of the issue
# that asked for these shapes, not what the detector happens to reach; some fail until it is fixed.
FLOORS: dict[str, Floor] = {
    # A 200-word document pasted whole into a bigger page is republished, however short it is.
    "one_paragraph": Floor(recall=0.9),
    # Re-wrapping changes no word: found, reported as the same words, nothing but the article marked.
    "wrapped_70_190": Floor(recall=0.9, verbatim_near=0.9, char_precision=0.9),
    # An OCR'd passage must be found, as "near" (one error per 100 characters), and the report must
    # mark the passage, not the 190-column lines around it (the targets). Whether ~450
    # characters make a copy depends on their length against the excerpt rule (~60 words), so the
    # verdict is not floored here.
    "noisy_passage": Floor(passage_recall=0.95, verbatim_near=0.9, char_precision=0.95),
    # Layout is not content: an article on one line is still the article.
    "flattened": Floor(recall=0.9),
    # Same, with the article's paragraphs merged into two blocks.
    "two_blocks": Floor(recall=0.9),
    # Half the 3-grams kept, sentences and order intact: an edited copy.
    "light_revision": Floor(recall=0.9),
    # Spun text (<= 15 % of 3-grams, half the stems, same order) is still the same article.
    "heavy_rewording": Floor(recall=0.9),
    # Writing about the same thing is not copying; at most two similar sentences.
    "independent_same_topic": Floor(called_copy=0),
    # Two reporters quoting the same speaker share the quotations only: related, not copy.
    "two_quotations": Floor(called_copy=0),
    # Two one-line briefs of one event share names and numbers: at most related.
    "one_sentence_reports": Floor(called_copy=0),
    # Four lead paragraphs (< 30 % of the source) in another article is an excerpt, a copy.
    "lead_excerpt": Floor(recall=0.9),
    # Three long sentences (>= 25 words each) lifted in order from one source is a collage, a copy.
    "collage": Floor(recall=0.9),
    # Definition lines repeated in seven documents are copied content, not boilerplate, when
    # they travel with their long paragraph.
    "definition_block": Floor(recall=0.9),
    # A site's footer in many pages is boilerplate: no copy, and no match reported on it.
    "shared_footer": Floor(called_copy=0, shared_units=0),
    # A copied list is one passage even if every item opens with the same phrase.
    "repeated_list": Floor(recall=0.9, units=1),
    # The copied article is one passage; the quotation repeated in the copier's own text is not
    # reported a second time.
    "repeated_quotation": Floor(recall=0.9, units=1),
}


@dataclass(frozen=True)
class Unit:
    """One reported piece of shared text: its kind and its span in each document."""

    kind: str
    refs: tuple[Ref, ...]  # one span per document of the pair


@dataclass(frozen=True)
class Found:
    """What the detector reported about one document pair."""

    documents: tuple[str, str]
    is_copy: bool
    units: tuple[Unit, ...]
    passages: bool  # units are Passages (else paragraph Matches)


def from_report(report: Report) -> dict[frozenset[str], Found]:
    """The report's pairs by document set; units from ``passages`` when non-empty, else ``matches``."""
    found = {}
    for p in report.pairs:
        passages = getattr(p, "passages", ())
        if passages:
            units = tuple(Unit(x.kind, tuple((s.document, s.start, s.end) for s in x.spans)) for x in passages)
        else:
            units = tuple(Unit(m.kind, tuple((r.document, r.start, r.end) for r in m.paragraphs)) for m in p.matches)
        found[frozenset(p.documents)] = Found(p.documents, p.verdict == "copy", units, bool(passages))
    return found


def union(spans: Iterable[Span]) -> list[Span]:
    """Sorted, merged spans."""
    out: list[Span] = []
    for a, b in sorted(s for s in spans if s[1] > s[0]):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def overlap(span: Span, merged: Sequence[Span]) -> int:
    """Characters of ``span`` inside the merged spans."""
    return sum(max(0, min(span[1], b) - max(span[0], a)) for a, b in merged)


class Ink:
    """Non-blank characters of a document in any span, from a prefix sum."""

    def __init__(self, text: str) -> None:
        self.prefix = [0]
        for ch in text:
            self.prefix.append(self.prefix[-1] + (not ch.isspace()))

    def __call__(self, span: Span) -> int:
        return self.prefix[span[1]] - self.prefix[span[0]] if span[1] > span[0] else 0

    def inside(self, spans: Sequence[Span], merged: Sequence[Span]) -> int:
        return sum(self((max(s[0], a), min(s[1], b))) for s in spans for a, b in merged)


@dataclass
class Row:
    """Counts of one category, variant or summary row."""

    expected: str = COPY
    pairs: int = 0
    hits: int = 0
    misses: int = 0
    false_copies: int = 0  # labelled "not copy" pairs called copy
    unlabelled: int = 0  # unlabelled pairs called copy that involve a document of the row
    truth: int = 0
    truth_found: int = 0
    on_copied: int = 0
    on_copied_strong: int = 0
    chars: int = 0
    chars_inside: int = 0
    units: int = 0
    units_max: int = 0
    shared_units: int = 0  # units on the shared text of "not copy" pairs
    shared_max: int = 0

    @property
    def doc(self) -> tuple[float, float, float]:
        return prf(self.hits, self.unlabelled, self.misses)

    @property
    def recall(self) -> float:
        return self.doc[1]

    @property
    def passage_recall(self) -> float | None:
        return self.truth_found / self.truth if self.truth else None

    @property
    def verbatim_near(self) -> float | None:
        return self.on_copied_strong / self.on_copied if self.on_copied else None

    @property
    def char_precision(self) -> float | None:
        return self.chars_inside / self.chars if self.chars else None

    @property
    def units_per_pair(self) -> float:
        return self.units / self.pairs if self.pairs else 0.0


@dataclass
class ShapeScores:
    rows: dict[str, Row] = field(default_factory=dict)
    missed: list[ShapePair] = field(default_factory=list)
    false_copies: list[ShapePair] = field(default_factory=list)
    unlabelled: list[Found] = field(default_factory=list)
    passages: bool = False  # whether any unit was a Passage
    seconds: float = 0.0

    def __repr__(self) -> str:  # short, for test reports
        return (f"ShapeScores({len(self.rows)} rows, {len(self.missed)} missed, {len(self.false_copies)} false, "
                f"{len(self.unlabelled)} unlabelled copies)")

    def row(self, name: str, expected: str) -> Row:
        return self.rows.setdefault(name, Row(expected))


def _count_units(pair: ShapePair, found: Found | None, row: Row, ink: tuple[Ink, Ink]) -> None:
    units = found.units if found else ()
    row.units += len(units)
    row.units_max = max(row.units_max, len(units))
    truth = sorted(set(pair.truth))
    sides: tuple[list[Span], list[Span]] = ([], [])
    for u in units:
        by_doc = {r[0]: (r[1], r[2]) for r in u.refs}
        sides[0].append(by_doc[pair.source])
        sides[1].append(by_doc[pair.copy])
    reported = (union(sides[0]), union(sides[1]))
    truths = (union(t[0] for t in truth), union(t[1] for t in truth))
    if pair.expected != COPY:
        shared = sum(bool(overlap(a, truths[0]) and overlap(b, truths[1])) for a, b in zip(*sides))
        row.shared_units += shared
        row.shared_max = max(row.shared_max, shared)
        return
    row.truth += len(truth)
    row.truth_found += sum(
        all(overlap(t[k], reported[k]) >= MIN_COVER * (t[k][1] - t[k][0]) for k in (0, 1)) for t in truth
    )
    for u, src, cpy in zip(units, *sides):
        if overlap(src, truths[0]) and overlap(cpy, truths[1]):
            row.on_copied += 1
            row.on_copied_strong += u.kind in STRONG
    row.chars += sum(ink[k](s) for k in (0, 1) for s in reported[k])
    row.chars_inside += sum(ink[k].inside(reported[k], truths[k]) for k in (0, 1))


def score(corpus: ShapeCorpus, found: dict[frozenset[str], Found]) -> ShapeScores:
    """Count every labelled pair in its category, variant and summary rows; unlabelled copies against
    the categories of both documents."""
    scores = ShapeScores(passages=any(f.passages for f in found.values()))
    family: dict[str, set[str]] = defaultdict(set)
    texts = dict(corpus.documents)
    for pair in corpus.pairs:
        ink = (Ink(texts[pair.source]), Ink(texts[pair.copy]))
        summary = ALL_COPY if pair.expected == COPY else ALL_NOT
        family[pair.source].add(pair.category)
        family[pair.copy].add(pair.category)
        result = found.get(frozenset((pair.source, pair.copy)))
        called = result is not None and result.is_copy
        for name in (pair.category, f"{pair.category}/{pair.variant}", summary):
            row = scores.row(name, pair.expected)
            row.pairs += 1
            if pair.expected == COPY:
                row.hits += called
                row.misses += not called
            else:
                row.false_copies += called
            _count_units(pair, result, row, ink)
        if pair.expected == COPY and not called:
            scores.missed.append(pair)
        elif pair.expected != COPY and called:
            scores.false_copies.append(pair)
    labelled = {frozenset((p.source, p.copy)) for p in corpus.pairs}
    for key, result in found.items():
        if result.is_copy and key not in labelled:
            scores.unlabelled.append(result)
            scores.row(UNLABELLED, "not copy").false_copies += 1
            for name in sorted(set().union(*(family.get(d, set()) for d in key))):
                scores.rows[name].unlabelled += 1
                scores.row(ALL_COPY if CATEGORIES[name][0] == COPY else ALL_NOT, CATEGORIES[name][0]).unlabelled += 1
    return scores


def run(corpus: ShapeCorpus, config: Config | None = None) -> ShapeScores:
    """Detect on the whole corpus in one call and score it."""
    start = time.perf_counter()
    report = syndidetect.detect(corpus.documents, config)
    scores = score(corpus, from_report(report))
    scores.seconds = time.perf_counter() - start
    return scores


# --- tables and floors ------------------------------------------------------------------------------


def _f(x: float | None) -> str:
    return "     -" if x is None else f"{x:6.3f}"


def row_order(scores: ShapeScores) -> list[str]:
    names = []
    for category, (_, variants) in CATEGORIES.items():
        names += [category, *(f"{category}/{v}" for v in variants)]
    return [n for n in [*names, ALL_COPY, ALL_NOT, UNLABELLED] if n in scores.rows]


def table(scores: ShapeScores, title: str = "syndidetect on the shapes corpus") -> str:
    unit = "passages" if scores.passages else "paragraph matches (no passages reported)"
    lines = [f"{title}; units: {unit}",
             f"{'category':38} {'exp':>4} {'pairs':>5} | {'doc P':>6} {'doc R':>6} {'doc F1':>6} {'FP':>4} | "
             f"{'pass R':>6} {'v/n':>6} {'char P':>6} {'units':>6}"]
    for name in row_order(scores):
        r = scores.rows[name]
        label = ("  " + name.split("/", 1)[1]) if "/" in name else name
        if r.expected == COPY:
            p, rec, f1 = r.doc
            doc = f"{p:6.3f} {rec:6.3f} {f1:6.3f} {r.unlabelled:4}"
            passage = f"{_f(r.passage_recall)} {_f(r.verbatim_near)} {_f(r.char_precision)}"
        else:
            rate = f"{r.false_copies / r.pairs:.0%}" if r.pairs else "-"
            doc = f"{f'called copy {r.false_copies} ({rate})':20} {r.unlabelled:4}"
            passage = f"{f'shared {r.shared_units / r.pairs if r.pairs else 0:.2f}/pair':>20}"
        units = f"{r.units_per_pair:6.2f}" if name != UNLABELLED else "     -"
        lines.append(f"{label:38} {'copy' if r.expected == COPY else 'not':>4} {r.pairs:5} | {doc} | {passage} {units}")
    return "\n".join(lines)


@dataclass(frozen=True)
class FloorCheck:
    category: str
    passed: bool
    failures: tuple[str, ...]


def check(scores: ShapeScores, floors: dict[str, Floor] = FLOORS) -> list[FloorCheck]:
    """Every category's floor against its row (a missing row fails)."""
    out = []
    for category, floor in floors.items():
        row, failures = scores.rows.get(category), []
        if row is None:
            out.append(FloorCheck(category, False, ("no pairs",)))
            continue
        if floor.recall is not None and row.recall < floor.recall:
            failures.append(f"doc recall {row.recall:.3f} < {floor.recall}")
        if floor.called_copy is not None and row.false_copies > floor.called_copy:
            failures.append(f"called copy {row.false_copies} > {floor.called_copy}")
        for name, value, low in (("passage recall", row.passage_recall, floor.passage_recall),
                                 ("verbatim/near share", row.verbatim_near, floor.verbatim_near),
                                 ("char precision", row.char_precision, floor.char_precision)):
            if low is not None and (value is None or value < low):
                failures.append(f"{name} {_f(value).strip()} < {low}")
        if floor.units is not None and row.units_max > floor.units:
            failures.append(f"up to {row.units_max} units on a pair > {floor.units}")
        if floor.shared_units is not None and row.shared_max > floor.shared_units:
            failures.append(f"up to {row.shared_max} units on the shared text of a pair > {floor.shared_units}")
        out.append(FloorCheck(category, not failures, tuple(failures)))
    return out


def floors_table(checks: Sequence[FloorCheck]) -> str:
    lines = [f"floors: {sum(c.passed for c in checks)} of {len(checks)} categories pass"]
    lines += [f"  {'PASS' if c.passed else 'FAIL'} {c.category:24} {'; '.join(c.failures)}" for c in checks]
    return "\n".join(lines)


def details(scores: ShapeScores, corpus: ShapeCorpus, limit: int = 40) -> str:
    """The missed copies, false copies and unlabelled copies, one line each."""
    lines = [f"missed  {p.category}/{p.variant}: {p.source} -> {p.copy}" for p in scores.missed]
    lines += [f"false   {p.category}/{p.variant}: {p.source} / {p.copy}" for p in scores.false_copies]
    lines += [f"extra   {' / '.join(f.documents)}" for f in scores.unlabelled]
    return "\n".join(lines[:limit] + ([f"... {len(lines) - limit} more"] if len(lines) > limit else []))


def main(argv: list[str] | None = None) -> int:
    """Print the table and the floors; exit status 1 when a floor fails."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.quality --shapes", description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-category", type=int, default=6, help="pairs per category (default 6)")
    parser.add_argument("--threshold", type=float, default=None, help="paragraph threshold (default: Config's)")
    parser.add_argument("--details", action="store_true", help="list missed, false and unlabelled copies")
    args = parser.parse_args(argv)
    config = Config() if args.threshold is None else Config(threshold=args.threshold)
    start = time.perf_counter()
    corpus = make_shapes(args.seed, args.per_category)
    made = time.perf_counter() - start
    print(f"shapes corpus: seed {args.seed}, {len(corpus.documents)} documents, {len(corpus.pairs)} labelled pairs "
          f"({made:.1f} s); {config}\n")
    scores = run(corpus, config)
    print(table(scores))
    print(f"(detect + score {scores.seconds:.1f} s)\n")
    checks = check(scores)
    print(floors_table(checks))
    if args.details:
        print("\n" + details(scores, corpus))
    return 0 if all(c.passed for c in checks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
