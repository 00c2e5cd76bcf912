"""On-demand run: the first scans after an install, with numba's cache empty.

    python -m benchmarks.first_run [--against OTHER/src] [--later K] [ARTICLES ...]

For each size (default 60 and 300 articles of 20 paragraphs from ``corpus.make_corpus``, written as
files to a temporary folder): ``syndidetect scan FOLDER --format json`` in a fresh process with
``NUMBA_CACHE_DIR`` an empty folder (the first run after an install), then ``K`` more runs on the
same cache (default 4: the numpy paths' spend kept, kernels compiled once it repays them), then
``syndidetect compile`` into it and one run more (every kernel loaded). Each line: the run's wall
time and how many kernels numba's cache holds after it (its ``.nbi`` index files). The reports
must be the same each time. ``--against OTHER/src``: the first run with ``OTHER/src`` on
``PYTHONPATH`` as well, in an empty cache of its own (before and after a change).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.corpus import make_corpus

PARAGRAPHS = 20  # an article's paragraphs, as the peers' 20-paragraph shape
SRC = str(Path(__file__).resolve().parent.parent / "src")


def write_articles(folder: Path, articles: int) -> None:
    texts = make_corpus(articles * PARAGRAPHS, seed=articles).texts
    for k in range(articles):
        (folder / f"article-{k:05d}.txt").write_text("\n\n".join(texts[k * PARAGRAPHS : (k + 1) * PARAGRAPHS]),
                                                     "utf-8")


def timed(arguments: list[str], cache: Path, src: str = SRC) -> tuple[float, str]:
    """Wall seconds of ``python -m syndidetect arguments`` in a fresh process, and its output."""
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache), PYTHONPATH=src)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "syndidetect", *arguments], env=env, capture_output=True,
                          text=True, check=True)
    return time.perf_counter() - start, done.stdout


def cached_kernels(cache: Path) -> int:
    return len(list(cache.rglob("*.nbi")))


def one_size(articles: int, later: int, against: str | None) -> None:
    with tempfile.TemporaryDirectory() as where:
        folder, cache = Path(where) / "articles", Path(where) / "cache"
        folder.mkdir()
        cache.mkdir()
        write_articles(folder, articles)
        scan = ["scan", str(folder), "--format", "json"]
        print(f"{articles} articles of {PARAGRAPHS} paragraphs")
        if against is not None:
            other_cache = Path(where) / "other-cache"
            other_cache.mkdir()
            seconds, other_report = timed(scan, other_cache, against)
            print(f"  {against}: first run {seconds:6.2f} s, kernels cached {cached_kernels(other_cache)}")
        report = None
        for run in range(1 + later):
            seconds, out = timed(scan, cache)
            assert report is None or out == report, "the same report every run"
            report = out
            print(f"  {'first run' if run == 0 else f'run {run + 1}':<10} {seconds:6.2f} s, "
                  f"kernels cached {cached_kernels(cache)}")
        if against is not None:
            assert other_report == report, "the same report as the other version"
        seconds, _ = timed(["compile"], cache)
        print(f"  syndidetect compile {seconds:6.2f} s")
        seconds, out = timed(scan, cache)
        assert out == report
        print(f"  {'compiled':<10} {seconds:6.2f} s, kernels cached {cached_kernels(cache)}")


def main(argv: list[str]) -> None:
    against = None
    later = 4
    while argv[:1] in (["--against"], ["--later"]):
        if argv[0] == "--against":
            against = argv[1]
        else:
            later = int(argv[1])
        argv = argv[2:]
    for articles in [int(a) for a in argv] or [60, 300]:
        one_size(articles, later, against)


if __name__ == "__main__":
    main(sys.argv[1:])
