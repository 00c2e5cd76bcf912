"""On-demand start-up run: what a one-shot command costs before and around its work.

    python -m benchmarks.startup [INDEX.db ARTICLE.txt]
    python -m benchmarks.startup --against OTHER/src INDEX.db ARTICLE.txt

Each figure is the median wall time of fresh processes (after one warm-up run):

* ``import numpy`` and ``import syndidetect.cli.main``;
* ``syndidetect scan seeds/`` as a whole, against the same scan done again in one warm process (its
  work alone): the difference is the one-shot overhead (interpreter, imports, first-call set-up);
* with an index and an article (``python -m benchmarks.test_index N FOLDER`` builds both):
  ``syndidetect index check --db INDEX ARTICLE``, terminal and JSON output, and where a fresh
  process spends that time: ``import numpy``, the rest of the command line's imports, the query
  (its first call in the process), the text report and the JSON report (each its first call).

``--against OTHER/src`` compares two versions instead: the same commands (``scan seeds/``, ``index
check`` in text and JSON) with this checkout's ``src`` and with ``OTHER/src`` on ``PYTHONPATH``,
alternated run by run (this machine's speed drifts by a third between hours), medians of 9 pairs.

The figures depend on Python's bytecode cache: where ``PYTHONDONTWRITEBYTECODE=1`` keeps an editable
install from writing ``__pycache__``, every process compiles syndidetect's modules again (pip compiles
those of installed packages, numpy's included, at install time). Run it both ways, e.g. once more with
``env -u PYTHONDONTWRITEBYTECODE PYTHONPYCACHEPREFIX=/tmp/pyc``.
"""

from __future__ import annotations

import contextlib
import io
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from syndidetect.cli.launch import BLAS_THREADS

RUNS = 9  # fresh processes per figure: start-up varies by tens of milliseconds between runs
SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def process_seconds(command: list[str], env: dict[str, str] | None = None, runs: int = RUNS,
                    check: bool = False) -> list[float]:
    """Sorted wall seconds of ``runs`` runs of ``command`` after one warm-up run (output discarded;
    ``check``: a failing run raises)."""
    subprocess.run(command, env=env, check=check, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    walls = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, env=env, check=check, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        walls.append(time.perf_counter() - started)
    return sorted(walls)


def take_loaded_kernels() -> int:
    """Build now every lazy kernel of the syndidetect modules loaded so far (its numba dispatcher,
    which compiles at its first call), and say how many there are. A lazy kernel is taken once the
    work asked of it in a process adds up (``_kernels.lazy``): scanning the seeds again and again in
    one process, a call now and then paid a compile (with numba's cache empty, as after a fresh
    install: 17 s at the second call, 15 s at the sixth, 2.7 s at the thirteenth), and the median of
    five calls read 1.6 s of work for a 0.1 s scan."""
    from syndidetect._kernels.lazy import take_every_kernel

    return take_every_kernel()


def warm_scan_seconds(runs: int = 5) -> float:
    """Median seconds of ``scan seeds/`` repeated in this process (the work alone), every kernel
    it calls compiled before the timed calls (:func:`take_loaded_kernels`, then a scan)."""
    from syndidetect.cli.main import main

    def scan() -> float:
        started = time.perf_counter()
        quiet = (contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()))
        with quiet[0], quiet[1], contextlib.suppress(SystemExit):
            main(["scan", str(SEEDS)])
        return time.perf_counter() - started

    scan()  # imports what a scan needs, the modules of its kernels among them
    take_loaded_kernels()
    scan()  # numba compiles (or loads from its cache) what a scan calls
    return statistics.median(scan() for _ in range(runs))


# One fresh process of ``index check``'s work, timed by phase (seconds on stdout, one per line).
_CHECK_PHASES = """
import gc, io, sys, time
started = time.perf_counter()
gc.disable()  # as syndidetect.cli.launch.run does around the import
import numpy
numpy_loaded = time.perf_counter()
from syndidetect.cli.main import main  # everything the command line loads before its work
from syndidetect.cli.common import write_report
from syndidetect.detector import Detector
from syndidetect.sources import read_inputs
gc.freeze()
gc.enable()
loaded = time.perf_counter()
documents = read_inputs([sys.argv[2]])
with Detector.open(sys.argv[1], create=False, readonly=True) as detector:
    report = detector.query(documents)
queried = time.perf_counter()
sys.stdout = io.StringIO()
write_report(report, "json")
json_written = time.perf_counter()
write_report(report, "text")
text_written = time.perf_counter()
sys.stdout = sys.__stdout__
for seconds in (numpy_loaded - started, loaded - numpy_loaded, queried - loaded, json_written - queried,
                text_written - json_written):
    print(seconds)
"""
CHECK_PHASES = ("import numpy", "the command line's other imports", "the query (first call)",
                "the JSON report", "the text report (to a pipe: rich only for what it must draw)")


def check_phases(db: str, article: str, runs: int = RUNS) -> dict[str, float]:
    """Median seconds of each of :data:`CHECK_PHASES` over ``runs`` fresh processes (after one
    warm-up), with OpenBLAS at one thread as the command line loads it."""
    command = [sys.executable, "-c", _CHECK_PHASES, db, article]
    env = {**os.environ, "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", BLAS_THREADS)}
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    samples = [subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout.split()
               for _ in range(runs)]
    return {name: statistics.median(float(s[k]) for s in samples) for k, name in enumerate(CHECK_PHASES)}


def alternated(commands: dict[str, list[str]], other_src: str, runs: int = RUNS) -> None:
    """Print, per command, the median wall seconds with this checkout's ``src`` and with
    ``other_src`` (``python -m syndidetect ARGS`` on ``PYTHONPATH``), run in turn, each first in
    every other pair, after one warm-up run of each."""
    # Unset, so that each version runs with the BLAS threads its own launcher chooses.
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    paths = {"this": str(SEEDS.parent / "src"), "other": other_src}

    def timed(args: list[str], which: str) -> float:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "syndidetect", *args], env={**env, "PYTHONPATH": paths[which]},
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - started

    for name, args in commands.items():
        for which in paths:
            timed(args, which)
        walls: dict[str, list[float]] = {"this": [], "other": []}
        for k in range(runs):
            for which in (("this", "other") if k % 2 else ("other", "this")):
                walls[which].append(timed(args, which))
        faster = sum(a < b for a, b in zip(walls["this"], walls["other"]))
        this, other = statistics.median(walls["this"]), statistics.median(walls["other"])
        print(f"{name:<40} this {this:.3f} s, other {other:.3f} s (medians of {runs} pairs; this faster in {faster})")


def line(name: str, walls: list[float]) -> str:
    return f"{name:<58} median {statistics.median(walls):.3f} s (min {walls[0]:.3f}, max {walls[-1]:.3f})"


def main(argv: list[str]) -> None:
    if argv[:1] == ["--against"] and len(argv) == 4:
        check = ["index", "check", "--db", argv[2], argv[3]]
        alternated({"syndidetect scan seeds/": ["scan", str(SEEDS)], "syndidetect index check": check,
                    "syndidetect index check --format json": [*check, "--format", "json"]}, argv[1])
        return
    python = [sys.executable, "-c"]
    print(line("import numpy", process_seconds([*python, "import numpy"])))
    print(line("import syndidetect.cli.main", process_seconds([*python, "import syndidetect.cli.main"])))
    scan = process_seconds([sys.executable, "-m", "syndidetect", "scan", str(SEEDS)])
    warm = warm_scan_seconds()
    print(line("syndidetect scan seeds/", scan))
    print(f"{'the same scan in a warm process (its work)':<58} median {warm:.3f} s; "
          f"one-shot overhead {statistics.median(scan) - warm:.3f} s")
    if len(argv) == 2:
        check = [sys.executable, "-m", "syndidetect", "index", "check", "--db", argv[0], argv[1]]
        print(line("syndidetect index check", process_seconds(check)))
        print(line("syndidetect index check --format json", process_seconds([*check, "--format", "json"])))
        print("where a fresh process spends it (medians):")
        for name, seconds in check_phases(argv[0], argv[1]).items():
            print(f"  {name:<56} {seconds:.3f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
