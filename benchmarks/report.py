"""What the benchmark run prints at the end: medians side by side, syndidetect's speed-up over each
competitor, LSH recall, and the numba kernel's first-call compile time.

The benchmark tests call :func:`record` and :func:`note`; ``conftest.py`` prints :func:`summary`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from typing import Any

#: Paragraph count of the signature benchmarks (CI size by default).
BENCH_N = int(os.environ.get("SYNDIDETECT_BENCH_N", "20000"))
#: Paragraph counts of the LSH benchmarks: ``SYNDIDETECT_BENCH_LSH_N=20000,200000`` adds the big one.
LSH_SIZES = [int(x) for x in os.environ.get("SYNDIDETECT_BENCH_LSH_N", "20000").split(",") if x.strip()]


@dataclass
class _Results:
    medians: dict[str, dict[str, float]] = field(default_factory=dict)  # group -> name -> seconds
    baseline: dict[str, str] = field(default_factory=dict)  # group -> syndidetect's entry
    notes: list[str] = field(default_factory=list)


RESULTS = _Results()


def record(group: str, name: str, benchmark: Any, *, ours: bool = False) -> None:
    """Keep the median of a finished ``benchmark`` fixture (absent with ``--benchmark-disable``)."""
    stats = getattr(benchmark, "stats", None)
    if stats is None:
        return
    RESULTS.medians.setdefault(group, {})[name] = float(stats.stats.median)
    if ours:
        RESULTS.baseline[group] = name


def note(line: str) -> None:
    RESULTS.notes.append(line)


def summary() -> list[str]:
    lines = [f"machine: {os.cpu_count()} cores; SYNDIDETECT_BENCH_N={BENCH_N}"]
    for group, medians in RESULTS.medians.items():
        ours = RESULTS.baseline.get(group)
        lines.append(f"[{group}] median seconds, and how many times faster {ours or 'the first'} is:")
        mine = medians.get(ours or "", None)
        for name, median in sorted(medians.items(), key=lambda kv: kv[1]):
            ratio = f"  {median / mine:7.2f}x" if mine else ""
            lines.append(f"  {name:<52} {median:9.4f} s{ratio}")
    return lines + RESULTS.notes


_COLD_START = """
import time
t0 = time.perf_counter()
from syndidetect._kernels import fast
from syndidetect.minhash import permutations
t1 = time.perf_counter()
fast._tables()
t2 = time.perf_counter()
a, b = permutations(128, 1)
fast.sketch(["warm up the kernels"], a, b, 3)
fast.signatures_only(["warm up the kernels"], a, b, 3)
t3 = time.perf_counter()
print(f"{t1 - t0:.3f} {t2 - t1:.3f} {t3 - t2:.3f}")
"""


def cold_start_times() -> list[tuple[float, float, float]]:
    """(import, lookup tables, first calls) in two fresh processes sharing an empty numba cache dir:
    the first compiles, the second loads the cache."""
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        out = []
        for _ in range(2):
            run = subprocess.run(
                [sys.executable, "-c", _COLD_START], env=env, check=True, capture_output=True, text=True
            )
            first, tables, calls = (float(x) for x in run.stdout.split())
            out.append((first, tables, calls))
        return out
