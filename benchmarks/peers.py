"""Whole detection against the peers' LSH pipelines, in one run, on the same input.

    python -m benchmarks.peers [paragraphs ...]      # default 20000; prints a table per shape
    python -m benchmarks.peers --ours [paragraphs ...]   # syndidetect alone, once a shape
    python -m benchmarks.peers --shapes [paragraphs ...] # the two shapes alternated, one process

Two shapes of the deterministic corpus (``benchmarks.corpus``): one paragraph per document, and
20-paragraph documents. Each contender starts from the raw texts and ends with document pairs:

* syndidetect: ``sd.detect(documents)`` (paragraphs, signatures, LSH, exact verification, report);
  its pairs are the report's pairs (copy or related); once more without the sentence LSH of heavy
  rewording (``Config(sentence_candidates=False)``), the work the peers do;
* syndidetect's candidates only: ``sd.signatures`` of the paragraphs and ``lsh.candidate_pairs``,
  where the peers stop (no verification), to show what verification costs;
* rensa: regex words and 3-grams in Python (its README's usage), ``RMinHash.from_token_sets``, one
  ``RMinHashLSH`` with syndidetect's threshold and band count, ``insert_many`` + ``query_all``;
  the same with the digest matrix kept (``digest_matrix_from_token_sets`` + ``insert_matrix``,
  queried with the same objects): the faster of the two is rensa's time;
* datasketch: the same shingling, ``MinHash.bulk`` (xxh32, as syndidetect), ``MinHashLSH`` with
  syndidetect's threshold, an insertion session, then ``query`` per paragraph.

Each contender runs once untimed, then three times timed (the median is shown; datasketch above
50,000 paragraphs once, untimed run included): each at its best, none paying a process's first-run
set-up.

The peers index paragraphs (a document's MinHash would drown one copied paragraph in the rest), and
their candidate paragraph pairs become document pairs. Recall is measured against the generator's
planted copies (as document pairs; a copy inside its own document is not a pair). The peers stop at
candidates (no verification), so their pairs hold false positives syndidetect's do not.
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

import datasketch
import numpy as np
import numpy.typing as npt
import rensa
import xxhash

import syndidetect as sd
from benchmarks.corpus import Corpus, make_corpus
from syndidetect.config import Config
from syndidetect.lsh import band_layout, candidate_pairs
from syndidetect.warmup import take_kernels_of_every_module

NUM_PERM = 128  # syndidetect's default Config.num_perm, given to every contender
SEED = 1  # permutation seed, as syndidetect's default
#: Paragraphs per document of the two shapes.
SHAPES = (1, 20)
_WORD = re.compile(r"\w+")
Pairs = set[tuple[int, int]]
_R = TypeVar("_R")


@dataclass(frozen=True)
class Shape:
    """A corpus grouped into documents of ``per_document`` paragraphs, with the planted document pairs."""

    texts: list[str]  # paragraphs
    documents: list[tuple[str, str]]
    owner: npt.NDArray[np.int64]  # document index of each paragraph
    truth: Pairs  # planted copies as (document, document), first < second

    def doc_pairs(self, paragraph_pairs: Pairs) -> Pairs:
        return {(min(x, y), max(x, y)) for i, j in paragraph_pairs
                for x, y in [(int(self.owner[i]), int(self.owner[j]))] if x != y}

    def recall(self, pairs: Pairs) -> float:
        return len(self.truth & pairs) / max(len(self.truth), 1)


@lru_cache(maxsize=4)
def shape(n: int, per_document: int) -> Shape:
    corpus: Corpus = make_corpus(n, seed=0)
    owner = np.arange(n, dtype=np.int64) // per_document
    documents = [(f"d{k}", "\n\n".join(corpus.texts[i : i + per_document]))
                 for k, i in enumerate(range(0, n, per_document))]
    truth = {(int(owner[i]), int(owner[j])) for i, j in corpus.planted_pairs() if owner[i] != owner[j]}
    return Shape(corpus.texts, documents, owner, truth)


def regex_shingles(text: str, size: int = 3) -> list[str]:
    """Shingling as rensa's and datasketch's users write it in Python."""
    words = _WORD.findall(text.lower())
    return [" ".join(words[i : i + size]) for i in range(max(1, len(words) - size + 1))] if words else []


def _layout() -> tuple[float, int]:
    config = Config()
    return config.threshold, band_layout(config)[0]


def _as_pairs(matches: list[list[int]]) -> Pairs:
    return {(min(i, j), max(i, j)) for i, keys in enumerate(matches) for j in keys if i != j}


def syndidetect_pairs(s: Shape) -> Pairs:
    index = {doc_id: k for k, (doc_id, _) in enumerate(s.documents)}
    report = sd.detect(s.documents)
    return {(min(x, y), max(x, y)) for a, b in (p.documents for p in report.pairs)
            for x, y in [(index[a], index[b])]}


def syndidetect_paragraph_pairs(s: Shape) -> Pairs:
    """As :func:`syndidetect_pairs` without the sentence LSH (``sentence_candidates=False``): the
    paragraph pipeline the peers run, plus verification."""
    index = {doc_id: k for k, (doc_id, _) in enumerate(s.documents)}
    report = sd.detect(s.documents, Config(sentence_candidates=False))
    return {(min(x, y), max(x, y)) for a, b in (p.documents for p in report.pairs)
            for x, y in [(index[a], index[b])]}


def syndidetect_candidates(s: Shape) -> Pairs:
    """syndidetect's part of the work the peers do, and only that: signatures of the raw paragraph
    texts (``sd.signatures``) and LSH candidates (``lsh.candidate_pairs`` with the default band layout,
    pairs inside one document dropped), no estimate filter, no verification: the peers' stopping point,
    so the table shows what verification adds."""
    bands, rows = band_layout(Config())
    pairs = candidate_pairs(sd.signatures(s.texts), bands, rows, owners=s.owner)
    return s.doc_pairs({(int(i), int(j)) for i, j in pairs})


def rensa_pairs(s: Shape) -> Pairs:
    threshold, bands = _layout()
    minhashes = rensa.RMinHash.from_token_sets([regex_shingles(t) for t in s.texts], num_perm=NUM_PERM, seed=SEED)
    lsh = rensa.RMinHashLSH(threshold=threshold, num_perm=NUM_PERM, num_bands=bands)
    lsh.insert_many(minhashes)
    return s.doc_pairs(_as_pairs(list(lsh.query_all(minhashes))))


def rensa_matrix_pairs(s: Shape) -> Pairs:
    threshold, bands = _layout()
    shingles = [regex_shingles(t) for t in s.texts]
    matrix = rensa.RMinHash.digest_matrix_from_token_sets(shingles, num_perm=NUM_PERM, seed=SEED)
    lsh = rensa.RMinHashLSH(threshold=threshold, num_perm=NUM_PERM, num_bands=bands)
    lsh.insert_matrix(matrix)
    queries = rensa.RMinHash.from_token_sets(shingles, num_perm=NUM_PERM, seed=SEED)
    return s.doc_pairs(_as_pairs(list(lsh.query_all(queries))))


def datasketch_pairs(s: Shape) -> Pairs:
    threshold, _ = _layout()
    shingles = [[g.encode("utf-8") for g in regex_shingles(t)] for t in s.texts]
    minhashes = datasketch.MinHash.bulk(shingles, num_perm=NUM_PERM, seed=SEED, hashfunc=xxhash.xxh32_intdigest)
    lsh = datasketch.MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    with lsh.insertion_session() as session:
        for key, m in enumerate(minhashes):
            session.insert(key, m, check_duplication=False)
    return s.doc_pairs(_as_pairs([lsh.query(m) for m in minhashes]))


CONTENDERS: dict[str, Callable[[Shape], Pairs]] = {
    "syndidetect detect": syndidetect_pairs,
    "syndidetect detect, no sentence LSH": syndidetect_paragraph_pairs,
    "syndidetect candidates only": syndidetect_candidates,
    "rensa RMinHashLSH (objects)": rensa_pairs,
    "rensa RMinHashLSH (matrix kept)": rensa_matrix_pairs,
    "datasketch MinHashLSH": datasketch_pairs,
}


@dataclass(frozen=True)
class Row:
    name: str
    seconds: float  # median wall time
    cpu: float  # median process CPU time
    pairs: int
    recall: float


def measure(s: Shape, name: str, rounds: int, untimed: int = 1) -> Row:
    """``rounds`` timed runs of contender ``name`` after ``untimed`` ones: each at its best, none paying
    its first run's set-up in a process (syndidetect's first detect of 20,000 one-paragraph documents
    took 1.85 and 1.68 s where the third took 1.38 s: its stem and token memos, and the allocator's
    arenas, grow in the first runs; rensa's and datasketch's first runs are slower too)."""
    for _ in range(untimed):
        CONTENDERS[name](s)
    walls: list[float] = []
    cpus: list[float] = []
    found: Pairs = set()
    for _ in range(rounds):
        wall, cpu, found = timed(lambda: CONTENDERS[name](s))
        walls.append(wall)
        cpus.append(cpu)
    return Row(name, statistics.median(walls), statistics.median(cpus), len(found), s.recall(found))


def timed(call: Callable[[], _R]) -> tuple[float, float, _R]:
    """Wall and process CPU seconds of ``call()``, and what it returned."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = call()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def warm(s: Shape) -> None:
    """Load every compiled kernel before timing. A detect of 50 documents alone took 3 of the 16 lazy
    kernels for one-paragraph documents (4 for 20-paragraph ones): the timed run then took the others
    and loaded them from numba's cache (the one timed run of ``--ours``, the first of three of a table)."""
    take_kernels_of_every_module()
    sd.detect(s.documents[:50])


def table(n: int, per_document: int, rounds: int = 3) -> list[Row]:
    s = shape(n, per_document)
    warm(s)
    return [measure(s, name, 1, 0) if name.startswith("datasketch") and n > 50_000 else measure(s, name, rounds)
            for name in CONTENDERS]


def ours_only(sizes: list[int]) -> None:
    """One timed ``sd.detect`` per size and shape (after an untimed one), nothing else: for comparing two versions of
    syndidetect in alternated fresh processes (``PYTHONPATH`` pointing at each), where the machine's
    drift between hours would swamp separate full runs."""
    for n in sizes:
        for per_document in SHAPES:
            s = shape(n, per_document)
            warm(s)
            r = measure(s, "syndidetect detect", 1)
            print(f"{r.name}, {n:,} paragraphs, {per_document} per document: {r.seconds:.3f} s wall, "
                  f"{r.cpu:.3f} s CPU, {r.pairs} pairs, recall {r.recall:.4f}")


#: Detects of each shape ``--shapes`` times, the shapes in turn (about 30 s at 20,000 paragraphs): the
#: median of nine pairs stands whatever four of them give, and this machine's speed drifts up to about
#: 2x within an hour (the fifty-ninth round: the same 30M-step Python loop took 2.56-4.50 s).
SHAPE_ROUNDS = 9


Timings = list[tuple[float, float]]  # (wall, CPU) seconds of each run


def shapes_alternated(n: int, rounds: int = SHAPE_ROUNDS) -> tuple[Timings, Timings]:
    """``rounds`` pairs of ``sd.detect`` of the two shapes of the same ``n`` paragraphs, one shape then
    the other, in one process after an untimed detect of each: each pair's ``(wall, CPU)`` seconds, one
    paragraph a document first. The same paragraphs make both shapes, so their times compare per
    paragraph; each pair is run within a few seconds, so the machine's drift moves both alike."""
    one, twenty = shape(n, SHAPES[0]), shape(n, SHAPES[1])
    for s in (one, twenty):
        warm(s)
        sd.detect(s.documents)
    pairs = [(timed(lambda: sd.detect(one.documents))[:2], timed(lambda: sd.detect(twenty.documents))[:2])
             for _ in range(rounds)]
    return [a for a, _ in pairs], [b for _, b in pairs]


def pair_ratios(one: Timings, twenty: Timings, k: int) -> list[float]:
    """The ratios of each pair's wall (``k`` 0) or CPU (1) seconds, one paragraph a document over 20,
    ascending."""
    return sorted(a[k] / b[k] for a, b in zip(one, twenty))


def print_shapes(sizes: list[int]) -> None:
    for n in sizes:
        one, twenty = shapes_alternated(n)
        print(f"{n:,} paragraphs, {SHAPE_ROUNDS} alternated pairs of detects (medians):")
        for name, times in ((f"{SHAPES[0]} per document", one), (f"{SHAPES[1]} per document", twenty)):
            print(f"  {name:<16} {statistics.median(w for w, _ in times):.3f} s wall, "
                  f"{statistics.median(c for _, c in times):.3f} s CPU")
        for k, what in ((0, "wall"), (1, "CPU")):
            ratios = pair_ratios(one, twenty, k)
            print(f"  one paragraph a document over 20, {what}: median of the pairs' ratios "
                  f"{statistics.median(ratios):.3f} (from {ratios[0]:.3f} to {ratios[-1]:.3f})")


def main(argv: list[str]) -> None:
    if argv[:1] == ["--ours"]:
        ours_only([int(a) for a in argv[1:]] or [20_000])
        return
    if argv[:1] == ["--shapes"]:
        print_shapes([int(a) for a in argv[1:]] or [20_000])
        return
    for n in [int(a) for a in argv] or [20_000]:
        for per_document in SHAPES:
            rows = table(n, per_document)
            ours = rows[0]
            print(f"\n{n:,} paragraphs, {per_document} per document ({n // per_document:,} documents), "
                  f"{len(shape(n, per_document).truth)} planted document pairs; medians of 3 after an untimed run "
                  "(datasketch: 1, none untimed, above 50k)")
            print(f"{'contender':<34} {'wall s':>8} {'cpu s':>8} {'x ours (wall)':>14} {'x ours (cpu)':>13} "
                  f"{'pairs':>8} {'recall':>7}")
            for r in rows:
                print(f"{r.name:<34} {r.seconds:>8.3f} {r.cpu:>8.3f} {r.seconds / ours.seconds:>13.2f}x "
                      f"{r.cpu / ours.cpu:>12.2f}x {r.pairs:>8} {r.recall:>7.4f}")


if __name__ == "__main__":
    main(sys.argv[1:])
