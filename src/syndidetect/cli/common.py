"""What every subcommand shares: exit codes, the usage error, the detection options and writing a
report (stdout, a file, or a folder of HTML pages). Imported by the subcommands, importing none."""

from __future__ import annotations

import argparse
import csv
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn, TextIO

from syndidetect.cli.json_text import write_json
from syndidetect.config import Config
from syndidetect.detector import Progress
from syndidetect.report import CSV_COLUMNS, Report
from syndidetect.wording import counted

EXIT_OK = 0
EXIT_COPIES = 1  # with --fail-on-copy, a copy was found
EXIT_USAGE = 2  # bad command line, input or output
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for a command stopped with Ctrl-C

DETECTION_OPTIONS = ("threshold", "shingle_size", "min_words", "num_perm", "seed")


class UsageError(Exception):
    """A bad command line, reported on one line with exit code 2."""


class Parser(argparse.ArgumentParser):
    """argparse that raises :class:`UsageError` instead of printing usage and exiting, so that
    ``main`` reports every failure the same way."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def add_detection_options(parser: argparse.ArgumentParser, defaults: Config | None) -> None:
    """The options that shape detection. With ``defaults`` (a scan) they default to its values; with
    None (the index commands) an option left out means "the index's own value"."""

    def default(name: str) -> Any:
        return None if defaults is None else getattr(defaults, name)

    def said(name: str, what: str) -> str:
        return what + (" (default: the index's)" if defaults is None else f" (default {default(name)})")

    parser.add_argument("--threshold", type=float, default=default("threshold"),
                        help=said("threshold", "share of a paragraph's shingles another must contain to match"))
    parser.add_argument("--shingle-size", type=int, default=default("shingle_size"),
                        help=said("shingle_size", "words per shingle"))
    parser.add_argument("--min-words", type=int, default=default("min_words"),
                        help=said("min_words", "shorter paragraphs are kept but never matched"))
    parser.add_argument("--num-perm", type=int, default=default("num_perm"), help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=default("seed"), help=argparse.SUPPRESS)


def given_detection_options(args: argparse.Namespace) -> dict[str, Any]:
    """The detection options that have a value (all of them for a scan, the given ones for an index)."""
    return {name: getattr(args, name) for name in DETECTION_OPTIONS if getattr(args, name) is not None}


def _stderr_may_be_a_terminal() -> bool:
    """False when rich would surely find no terminal on stderr, so a piped run need not import rich
    (0.15-0.35 s of a one-shot command). rich also takes these variables as a terminal."""
    stream = sys.stderr
    return bool(stream is not None and stream.isatty()) or any(
        os.environ.get(name) for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"))


@contextmanager
def stages() -> Iterator[Progress]:
    """The staged progress display of ``cli/render.py`` on a terminal; a callback doing nothing else."""
    if not _stderr_may_be_a_terminal():
        yield lambda stage, done, total: None
        return
    from syndidetect.cli.render import stages as shown_stages

    with shown_stages() as update:
        yield update


@contextmanager
def working(message: str) -> Iterator[None]:
    """A spinner on a terminal (``cli/render.py``); nothing else."""
    if not _stderr_may_be_a_terminal():
        yield
        return
    from syndidetect.cli.render import working as spinner

    with spinner(message):
        yield


@contextmanager
def progress(total: int, description: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on a terminal (``cli/render.py``); yields ``advance(n)``, doing nothing else."""
    if not _stderr_may_be_a_terminal():
        yield lambda n: None
        return
    from syndidetect.cli.render import progress as bar

    with bar(total, description) as advance:
        yield advance


def _write_stream(report: Report, fmt: str, show_boilerplate: bool, stream: TextIO) -> None:
    if fmt == "json":
        write_json(report.to_dict(), stream)  # json.dump's text with indent=2, faster
        stream.write("\n")
    elif fmt == "csv":
        writer = csv.writer(stream)
        writer.writerow(CSV_COLUMNS)
        writer.writerows(report.ranked().csv_rows())
    else:
        from syndidetect.cli.plain_report import plain_width, write_plain_report

        width = plain_width(stream)
        if width is not None:  # no terminal: the characters rich would write, without rich
            write_plain_report(report, stream, width, show_boilerplate=show_boilerplate)
            return
        from syndidetect.cli.render import print_report  # rich only when a terminal report is asked for

        print_report(report, stream, show_boilerplate=show_boilerplate)


def write_report(report: Report, fmt: str, show_boilerplate: bool = False, output: str | None = None,
                 progress: Progress | None = None) -> None:
    """The report on stdout, or in ``output``: a file, or for ``html`` a folder of pages."""
    if progress is not None:
        progress("writing", 0, 0)
    if fmt == "html":
        if output is None:
            raise UsageError("--format html writes a folder of pages: give it with -o DIR")
        index = report.to_html(output, progress=progress)
        print(f"HTML report: {index} ({counted(len(report.pairs), 'pair page')})")
    elif output is not None:
        try:
            with open(output, "w", encoding="utf-8", newline="") as stream:
                _write_stream(report, fmt, show_boilerplate, stream)
        except OSError as exc:
            if exc.filename is None:  # a write's error names no file: it is the output's
                exc.filename = output
            raise
    else:
        _write_stream(report, fmt, show_boilerplate, sys.stdout)
