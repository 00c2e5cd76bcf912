"""Argument parsing and exit codes: 0 ok, 1 copies found with --fail-on-copy, 2 usage, input or output
error, 130 interrupted."""

from __future__ import annotations

import argparse
import csv
import errno
import io
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from syndidetect._version import __version__
from syndidetect.cli.index import register as register_index
from syndidetect.config import Config
from syndidetect.detector import detect
from syndidetect.documents import printable
from syndidetect.errors import SyndidetectError
from syndidetect.report import CSV_COLUMNS, Report
from syndidetect.sources import read_inputs

EXIT_OK, EXIT_COPIES, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A bad command line, reported on one line with exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _add_detection_options(parser: argparse.ArgumentParser) -> None:
    defaults = Config()
    parser.add_argument("--threshold", type=float, default=defaults.threshold,
                        help="share of a paragraph's shingles another must contain to match "
                             f"(default {defaults.threshold})")
    parser.add_argument("--shingle-size", type=int, default=defaults.shingle_size,
                        help=f"words per shingle (default {defaults.shingle_size})")
    parser.add_argument("--min-words", type=int, default=defaults.min_words,
                        help=f"shorter paragraphs are kept but never matched (default {defaults.min_words})")
    parser.add_argument("--num-perm", type=int, default=defaults.num_perm, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=defaults.seed, help=argparse.SUPPRESS)


def _config(args: argparse.Namespace) -> Config:
    return Config(threshold=args.threshold, shingle_size=args.shingle_size, min_words=args.min_words,
                  num_perm=args.num_perm, seed=args.seed)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="syndidetect", description="Find republished text, paragraph by paragraph.")
    parser.add_argument("--version", action="version", version=f"syndidetect {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    scan = commands.add_parser("scan", help="compare documents with each other and report copies")
    scan.add_argument("paths", nargs="+", metavar="PATH",
                      help="files, folders (.txt, .md, .jsonl searched recursively), or - for stdin")
    scan.add_argument("--format", choices=("text", "json", "csv"), default="text")
    scan.add_argument("--fail-on-copy", action="store_true", help="exit with 1 when a copy is found")
    scan.add_argument("--show-boilerplate", action="store_true",
                      help="list the repeated template text (menus, footers) that was set aside")
    scan.add_argument("--dask", metavar="ADDRESS", default=None,
                      help="run on Dask: local, local:N (N workers) or tcp://host:port of a scheduler")
    _add_detection_options(scan)
    scan.set_defaults(run=_scan)
    register_index(commands)
    return parser


def write_report(report: Report, fmt: str, show_boilerplate: bool = False) -> None:
    if fmt == "json":
        json.dump(report.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(CSV_COLUMNS)
        writer.writerows(report.csv_rows())
    else:
        from syndidetect.cli.render import print_report

        print_report(report, show_boilerplate=show_boilerplate)


def _scan(args: argparse.Namespace) -> int:
    from syndidetect.cli.render import working

    config = _config(args)
    if args.dask is not None:
        from syndidetect.cli.dask_scan import scan_with_dask

        with working(f"comparing documents on Dask ({args.dask})"):
            report = scan_with_dask(args.paths, args.dask, config)
    else:
        documents = read_inputs(args.paths, stdin=sys.stdin.buffer)
        with working(f"comparing {len(documents)} documents"):
            report = detect(documents, config)
    write_report(report, args.format, args.show_boilerplate)
    return EXIT_COPIES if args.fail_on_copy and report.copies else EXIT_OK


EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for a command stopped with Ctrl-C


def _fail(message: str, code: int = EXIT_USAGE) -> int:
    if sys.stderr is not None:  # with stderr closed (2>&-) there is nowhere to say it
        print(f"syndidetect: error: {printable(message)}", file=sys.stderr)
    return code


class _ClosedStream(io.TextIOBase):
    """Stands for a standard stream the shell closed (``>&-``), where Python leaves None: writing
    to it is the error "closed", reported like any other output error."""

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "closed", "standard output")


def _discard_stdout() -> None:
    """Point standard output at /dev/null, so the interpreter's last flush of what the reader never
    took (a closed pipe, a full disk) neither fails nor prints a second message."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no file descriptor behind stdout (tests, closed)
        pass


def _output_failed(exc: OSError) -> str:
    where = exc.filename if isinstance(exc.filename, str) else "standard output"
    return f"{where}: cannot write ({exc.strerror or exc})"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (never raises for bad input).

    The one place where every failure becomes one line: input and usage errors (exit 2), output that
    cannot be written (exit 2; a reader that went away, as ``| head`` does, is not an error) and
    Ctrl-C (exit 130).
    """
    if sys.stdout is None:
        sys.stdout = _ClosedStream()
    try:
        args = build_parser().parse_args(argv)
        run: Callable[[argparse.Namespace], int] = args.run
        code = run(args)
        sys.stdout.flush()  # inside the try: a full disk shows here, not at interpreter exit
        return code
    except (UsageError, SyndidetectError) as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return _fail("interrupted", EXIT_INTERRUPTED)
    except BrokenPipeError:
        _discard_stdout()
        return EXIT_OK
    except OSError as exc:
        _discard_stdout()
        return _fail(_output_failed(exc))
