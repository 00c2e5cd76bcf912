"""Scores of a detector on a labelled corpus: document- and paragraph-level precision, recall and F1
per category and strength, a sweep over the threshold, and the seeds' acceptance check.

A reported paragraph matches a truth span when they overlap by at least half of the truth span.
Document level: a true copy pair is found when the report calls the pair a copy; any other pair
called a copy is a false positive (a hard negative's, or an unlabelled one's). A false positive
counts against the categories of the documents involved. Paragraph level, within true copy pairs
(whatever their verdict): recall is the share of truth paragraph pairs some reported match covers,
precision the share of reported matches that cover a truth pair.
"""

from __future__ import annotations

import json
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import syndidetect
from benchmarks.quality.generate import LabelledCorpus, LabelledPair
from syndidetect import Config, Report

Span = tuple[int, int]
Ref = tuple[str, int, int]  # document id, start, end
SEEDS = Path(__file__).resolve().parents[2] / "seeds"
MIN_OVERLAP = 0.5
ORDER = ("verbatim", "near_verbatim", "excerpt", "reordered", "reworded", "all copies", "hard_negative",
         "unlabelled")


@dataclass(frozen=True)
class Found:
    """What a detector reported about one document pair."""

    documents: tuple[str, str]
    is_copy: bool
    matches: tuple[tuple[Ref, Ref], ...]


def from_report(report: Report) -> dict[frozenset[str], Found]:
    found = {}
    for p in report.pairs:
        matches = tuple(tuple((r.document, r.start, r.end) for r in m.paragraphs) for m in p.matches)
        found[frozenset(p.documents)] = Found(p.documents, p.verdict == "copy", matches)  # type: ignore[arg-type]
    return found


def covers(ref: Span, truth: Span) -> bool:
    """Whether a reported span overlaps ``truth`` by at least half of ``truth``."""
    overlap = min(ref[1], truth[1]) - max(ref[0], truth[0])
    return overlap >= MIN_OVERLAP * (truth[1] - truth[0])


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1 (1.0 when there is nothing to find or nothing reported)."""
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@dataclass
class Row:
    """Counts of one category (or category and strength)."""

    pairs: int = 0
    doc_tp: int = 0
    doc_fn: int = 0
    doc_fp: int = 0
    para_truth: int = 0
    para_found: int = 0
    reported: int = 0
    reported_ok: int = 0

    @property
    def doc(self) -> tuple[float, float, float]:
        return prf(self.doc_tp, self.doc_fp, self.doc_fn)

    @property
    def para(self) -> tuple[float, float, float]:
        return prf(self.para_found, self.reported - self.reported_ok, self.para_truth - self.para_found)


@dataclass
class Scores:
    rows: dict[str, Row] = field(default_factory=lambda: defaultdict(Row))
    negatives_called_copy: list[LabelledPair] = field(default_factory=list)
    unlabelled_copies: list[Found] = field(default_factory=list)
    missed: list[LabelledPair] = field(default_factory=list)

    @property
    def negative_rate(self) -> float:
        row = self.rows["hard_negative"]
        return row.doc_fp / row.pairs if row.pairs else 0.0


def _oriented(found: Found, source: str) -> list[tuple[Span, Span]]:
    out = []
    for a, b in found.matches:
        src, cpy = (a, b) if a[0] == source else (b, a)
        out.append(((src[1], src[2]), (cpy[1], cpy[2])))
    return out


def _paragraph_counts(pair: LabelledPair, found: Found | None, row: Row) -> None:
    reported = _oriented(found, pair.source) if found else []
    hit = [any(covers(rs, ts) and covers(rc, tc) for ts, tc in pair.paragraphs) for rs, rc in reported]
    row.para_truth += len(pair.paragraphs)
    row.para_found += sum(any(covers(rs, ts) and covers(rc, tc) for rs, rc in reported) for ts, tc in pair.paragraphs)
    row.reported += len(reported)
    row.reported_ok += sum(hit)


def score(corpus: LabelledCorpus, found: dict[frozenset[str], Found]) -> Scores:
    """Count hits and misses per ``category`` and ``category/strength`` (rows ``all copies`` too)."""
    scores = Scores()
    family: dict[str, tuple[str, ...]] = {}
    labelled = {frozenset((p.source, p.copy)): p for p in corpus.pairs}
    for pair in corpus.pairs:
        family[pair.source] = family[pair.copy] = tuple(_row_names(pair)[:2])
        result = found.get(frozenset((pair.source, pair.copy)))
        called = result is not None and result.is_copy
        for name in _row_names(pair):
            row = scores.rows[name]
            row.pairs += 1
            if pair.category == "hard_negative":
                row.doc_fp += called
            else:
                row.doc_tp += called
                row.doc_fn += not called
                _paragraph_counts(pair, result, row)
        if pair.category == "hard_negative" and called:
            scores.negatives_called_copy.append(pair)
        elif pair.category != "hard_negative" and not called:
            scores.missed.append(pair)
    for key, result in found.items():
        if result.is_copy and key not in labelled:
            scores.unlabelled_copies.append(result)
            scores.rows["unlabelled"].doc_fp += 1
            names = {name for d in key for name in family.get(d, ())}
            for name in sorted(n for n in names if not n.startswith("hard_negative")):
                scores.rows[name].doc_fp += 1
    for name in ("hard_negative", "unlabelled"):
        scores.rows["all copies"].doc_fp += scores.rows[name].doc_fp
    return scores


def _row_names(pair: LabelledPair) -> list[str]:
    names = [pair.category, f"{pair.category}/{pair.strength}"]
    return [*names, "all copies"] if pair.category != "hard_negative" else names


def run(corpus: LabelledCorpus, config: Config | None = None) -> Scores:
    return score(corpus, from_report(syndidetect.detect(corpus.documents, config)))


def sweep(corpus: LabelledCorpus, thresholds: Iterable[float], base: Config | None = None
          ) -> list[tuple[float, Scores]]:
    base = base if base is not None else Config()
    return [(t, run(corpus, base.replace(threshold=t))) for t in thresholds]


# --- the seeds -------------------------------------------------------------------------------------


def prefix(text: str) -> str:
    """A paragraph's name in ``seeds/truth.json``: 60 characters after NFKC and whitespace folding."""
    return " ".join(unicodedata.normalize("NFKC", text).split())[:60].rstrip()


def _norm(names: Sequence[str]) -> tuple[str, ...]:
    return tuple(prefix(n) for n in names)


@dataclass(frozen=True)
class SeedResult:
    wrong_verdicts: tuple[str, ...]
    missing_paragraphs: tuple[str, ...]
    extra_paragraphs: tuple[str, ...]

    @property
    def exact(self) -> bool:
        return not (self.wrong_verdicts or self.missing_paragraphs or self.extra_paragraphs)


def evaluate_seeds(config: Config | None = None, folder: Path = SEEDS) -> SeedResult:
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    docs = [(name, (folder / name).read_text(encoding="utf-8")) for name in truth["documents"]]
    report = syndidetect.detect(docs, config)
    pairs = {frozenset(p.documents): p for p in report.pairs}
    wrong, missing, extra = [], [], []
    copies = {frozenset((c["source"], c["copy"])): c for c in truth["copies"]}
    for key, pair in pairs.items():
        if pair.verdict == "copy" and key not in copies:
            wrong.append(f"{' / '.join(sorted(key))}: called copy, truth says related")
    for key, c in copies.items():
        reported = pairs.get(key)
        if reported is None or reported.verdict != "copy":
            said = reported.verdict if reported else "not reported"
            wrong.append(f"{c['source']} / {c['copy']}: {said}, truth says copy")
        expected = {_norm(p) for p in c["paragraphs"]}
        got = set()
        for m in reported.matches if reported else ():
            refs = sorted(m.paragraphs, key=lambda r: r.document != c["source"])
            got.add((prefix(refs[0].text), prefix(refs[1].text)))
        missing += [f"{c['copy']}: {a!r} -> {b!r}" for a, b in sorted(expected - got)]
        extra += [f"{c['copy']}: {a!r} -> {b!r}" for a, b in sorted(got - expected)]
    return SeedResult(tuple(wrong), tuple(missing), tuple(extra))


# --- tables ----------------------------------------------------------------------------------------


def row_order(scores: Scores) -> list[str]:
    names = []
    for top in ORDER:
        names += [top, *sorted(n for n in scores.rows if n.startswith(top + "/"))]
    return [n for n in names if n in scores.rows]


def table(scores: Scores, title: str) -> str:
    lines = [title, f"{'category':28} {'pairs':>5} | {'doc P':>6} {'doc R':>6} {'doc F1':>6} {'FP':>4} | "
             f"{'para P':>6} {'para R':>6} {'para F1':>7}"]
    for name in row_order(scores):
        r = scores.rows[name]
        if name in ("hard_negative", "unlabelled") or name.startswith("hard_negative/"):
            rate = f"{r.doc_fp / r.pairs:6.1%}" if r.pairs else "     -"
            lines.append(f"{name:28} {r.pairs:5} | called copy: {r.doc_fp:4} ({rate.strip()})")
            continue
        (dp, dr, df), (pp, pr, pf) = r.doc, r.para
        lines.append(f"{name:28} {r.pairs:5} | {dp:6.3f} {dr:6.3f} {df:6.3f} {r.doc_fp:4} | "
                     f"{pp:6.3f} {pr:6.3f} {pf:7.3f}")
    return "\n".join(lines)


def sweep_table(points: list[tuple[float, Scores]]) -> str:
    lines = ["threshold sweep (all copies): doc P, doc R, doc F1, para P, para R, hard negatives called copy",
             f"{'t':>5} {'doc P':>6} {'doc R':>6} {'doc F1':>6} {'para P':>6} {'para R':>6} {'neg':>6}"]
    for t, s in points:
        (dp, dr, df), (pp, pr, _) = s.rows["all copies"].doc, s.rows["all copies"].para
        lines.append(f"{t:5.2f} {dp:6.3f} {dr:6.3f} {df:6.3f} {pp:6.3f} {pr:6.3f} {s.negative_rate:6.1%}")
    return "\n".join(lines)
