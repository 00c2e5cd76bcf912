"""``python -m benchmarks.quality [--seed N] [--threshold T] [--sweep] [--no-baseline]``: the quality tables.

``python -m benchmarks.quality --shapes [--seed N] [--per-category K] [--details]``: the shapes corpus
(``shapes.py``) instead: per-category scores and the CI floors (exit status 1 when a floor fails).
"""

from __future__ import annotations

import argparse
import time

from benchmarks.quality import datasketch_baseline, evaluate_shapes
from benchmarks.quality.evaluate import evaluate_seeds, run, score, sweep, sweep_table, table
from benchmarks.quality.generate import make_corpus
from syndidetect import Config

SWEEP = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.quality", description=__doc__)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sources", type=int, default=96, help="source documents (one copy each)")
    parser.add_argument("--negatives", type=int, default=32, help="hard-negative document pairs")
    parser.add_argument("--threshold", type=float, default=None, help="paragraph threshold (default: Config's)")
    parser.add_argument("--sweep", action="store_true", help="also sweep the threshold over " + str(SWEEP))
    parser.add_argument("--no-baseline", action="store_true", help="skip the datasketch row")
    parser.add_argument("--shapes", action="store_true",
                        help="score the shapes corpus (shapes.py) and check its floors instead")
    parser.add_argument("--per-category", type=int, default=6, help="with --shapes: pairs per category")
    parser.add_argument("--details", action="store_true", help="with --shapes: list missed and false copies")
    args = parser.parse_args(argv)
    if args.shapes:
        forward = ["--seed", str(args.seed), "--per-category", str(args.per_category)]
        forward += ["--threshold", str(args.threshold)] if args.threshold is not None else []
        raise SystemExit(evaluate_shapes.main(forward + (["--details"] if args.details else [])))
    config = Config() if args.threshold is None else Config(threshold=args.threshold)
    corpus = make_corpus(args.seed, args.sources, args.negatives)
    print(f"corpus: seed {args.seed}, {len(corpus.documents)} documents, {len(corpus.copies)} copy pairs, "
          f"{len(corpus.negatives)} hard-negative pairs; {config}\n")
    start = time.perf_counter()
    print(table(run(corpus, config), "syndidetect"))
    print(f"({time.perf_counter() - start:.1f} s)\n")
    if not args.no_baseline:
        start = time.perf_counter()
        found = datasketch_baseline.detect(corpus.documents, config)
        print(table(score(corpus, found), "datasketch MinHashLSH (Jaccard 0.5, word 3-grams, paragraphs)"))
        print(f"({time.perf_counter() - start:.1f} s)\n")
    if args.sweep:
        print(sweep_table(sweep(corpus, SWEEP, config)) + "\n")
    seeds = evaluate_seeds(config)
    print("seeds:", "exact" if seeds.exact else "NOT exact")
    for line in (*seeds.wrong_verdicts, *(f"missing {m}" for m in seeds.missing_paragraphs),
                 *(f"extra {m}" for m in seeds.extra_paragraphs)):
        print("  " + line)


if __name__ == "__main__":
    main()
