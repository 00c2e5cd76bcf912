"""Signatures of one corpus in a fresh process, for alternating two versions of the kernel.

    python -m benchmarks.signatures_once [N]      # default 20000 paragraphs

Prints the median wall and CPU time of 21 calls of ``fast.signatures_only`` (128 permutations,
3-word shingles) after one call that loads the kernel. A fresh process matters: memory that earlier
work freed is reused, and fresh memory costs a page fault a page the first time it is written
(``benchmarks/HISTORY.md``, tenth round), so a process that already holds large buffers can hide
that cost. Run it with each version on ``PYTHONPATH``, alternated, on this machine whose speed drifts.
"""

from __future__ import annotations

import statistics
import sys
import time

from benchmarks.corpus import make_corpus
from syndidetect._kernels import fast
from syndidetect.minhash import permutations

CALLS = 21


def main(argv: list[str]) -> None:
    n = int(argv[0]) if argv else 20000
    texts = make_corpus(n, seed=0).texts
    a, b = permutations(128, 1)
    fast.signatures_only(texts, a, b, 3)  # load (or compile) the kernel
    wall, cpu = [], []
    for _ in range(CALLS):
        started, cpu_started = time.perf_counter(), time.process_time()
        fast.signatures_only(texts, a, b, 3)
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    print(f"{fast.__file__}: {n} paragraphs, median of {CALLS} calls: "
          f"wall {statistics.median(wall) * 1000:.1f} ms, CPU {statistics.median(cpu) * 1000:.1f} ms")


if __name__ == "__main__":
    main(sys.argv[1:])
