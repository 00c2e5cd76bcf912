"""On-demand run: the text report written to a file, without rich and with it, on one report.

    python -m benchmarks.text_report [PARAGRAPHS] [WIDTH]

Detects copies in ``PARAGRAPHS`` paragraphs of the benchmark corpus (20,000 by default, 20 a
document), then writes the same report's text to a file again and again, alternating the plain
renderer (``cli/plain_report.py``, what ``syndidetect scan ... > file`` uses) with rich's
(``cli/render.py``, what a terminal gets, here with no terminal so that both write the same
characters), ``WIDTH`` columns wide (80, rich's width for a pipe). It checks the two files are equal
and prints each one's median, minimum and maximum and their ratio, and how many of the report's
sections the plain renderer left to rich.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import syndidetect as sd
from benchmarks.corpus import make_corpus
from syndidetect.cli.plain_report import section_text, write_plain_report
from syndidetect.cli.render import print_report
from syndidetect.cli.report_sections import report_sections

RUNS = 7  # alternated pairs: this machine's speed drifts between minutes


def timed(write: Callable[[Path], None], path: Path) -> float:
    started = time.perf_counter()
    write(path)
    return time.perf_counter() - started


def main(argv: list[str]) -> None:
    paragraphs = int(argv[0]) if argv else 20_000
    width = int(argv[1]) if len(argv) > 1 else 80
    texts = make_corpus(paragraphs, seed=0).texts
    report = sd.detect([sd.Document(f"d{k}", "\n\n".join(texts[k:k + 20])) for k in range(0, paragraphs, 20)])
    sections = list(report_sections(report))
    left = sum(section_text(s, width) is None for s in sections)
    os.environ["COLUMNS"] = str(width)  # rich's width for a stream that is not a terminal

    def plain(path: Path) -> None:
        with open(path, "w", encoding="utf-8", newline="") as stream:
            write_plain_report(report, stream, width)

    def rich(path: Path) -> None:
        with open(path, "w", encoding="utf-8", newline="") as stream:
            print_report(report, stream)

    with tempfile.TemporaryDirectory() as tmp:
        ours, theirs = Path(tmp) / "plain.txt", Path(tmp) / "rich.txt"
        seconds: dict[str, list[float]] = {"plain": [], "rich": []}
        for _ in range(RUNS):
            seconds["plain"].append(timed(plain, ours))
            seconds["rich"].append(timed(rich, theirs))
        same = ours.read_bytes() == theirs.read_bytes()
        size = ours.stat().st_size
    print(f"{paragraphs} paragraphs: {len(report.copies)} copies, {len(report.pairs) - len(report.copies)} related "
          f"pairs; report {size:,} bytes at {width} columns; {left} of {len(sections)} sections left to rich; "
          f"files equal: {same}")
    for name, walls in seconds.items():
        print(f"  {name:<6} median {statistics.median(walls):.3f} s (min {min(walls):.3f}, max {max(walls):.3f}, "
              f"{RUNS} runs)")
    print(f"  rich / plain: {statistics.median(seconds['rich']) / statistics.median(seconds['plain']):.1f}x")
    if not same:
        raise SystemExit("the two reports differ")


if __name__ == "__main__":
    main(sys.argv[1:])
