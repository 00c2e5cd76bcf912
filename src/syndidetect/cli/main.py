"""Argument parsing and exit codes: 0 ok, 1 copies found with --fail-on-copy, 2 usage, input or output
error, 130 interrupted."""

from __future__ import annotations

import argparse
import errno
import io
import os
import sys
from collections.abc import Callable, Sequence

from syndidetect._kernels.glibc import keep_freed_memory
from syndidetect._kernels.jit import skip_blas_probe
from syndidetect._version import __version__
from syndidetect.cli.common import (
    EXIT_COPIES,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    Parser,
    UsageError,
    add_detection_options,
    given_detection_options,
    stages,
    write_report,
)
from syndidetect.cli.compile import register as register_compile
from syndidetect.cli.extract import register as register_extract
from syndidetect.cli.index import register as register_index
from syndidetect.config import Config
from syndidetect.detector import Detector, Progress
from syndidetect.documents import printable
from syndidetect.errors import SyndidetectError
from syndidetect.readers.problems import ON_ERROR
from syndidetect.report import Report
from syndidetect.sources import read_inputs


def _top(value: str) -> int:
    if not value.strip().isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"must be an int >= 1; got {value!r}")
    return int(value)


def _share(value: str) -> float:
    try:
        share = float(value)
    except ValueError:
        share = -1.0
    if not 0 <= share <= 1:  # NaN fails this too
        raise argparse.ArgumentTypeError(f"must be a share in [0, 1] (e.g. 0.3); got {value!r}")
    return share


def _add_output_options(scan: argparse.ArgumentParser) -> None:
    scan.add_argument("--format", choices=("text", "json", "csv", "html"), default="text")
    scan.add_argument("-o", "--output", metavar="PATH", default=None,
                      help="write there instead of stdout: a folder for --format html (required), else a file")
    scan.add_argument("--copies-only", action="store_true", help="leave out related pairs (shared passages only)")
    scan.add_argument("--top", type=_top, metavar="N", default=None,
                      help="only the N pairs sharing the most (copies first, then by share of a document's words)")
    scan.add_argument("--min-share", type=_share, metavar="X", default=0.0,
                      help="only pairs where at least X (0-1) of one document's words is shared")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="syndidetect", description="Find republished text, paragraph by paragraph.")
    parser.add_argument("--version", action="version", version=f"syndidetect {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    scan = commands.add_parser("scan", help="compare documents with each other and report copies")
    scan.add_argument("paths", nargs="+", metavar="PATH",
                      help="files, folders (searched recursively: .txt, .md, .jsonl, .html, .warc[.gz], "
                           ".rss/.atom/.xml feeds, .csv, .parquet), or - for stdin")
    _add_output_options(scan)
    scan.add_argument("--fail-on-copy", action="store_true", help="exit with 1 when a copy is found")
    scan.add_argument("--show-boilerplate", action="store_true",
                      help="list the repeated template text (menus, footers) that was set aside")
    scan.add_argument("--dask", metavar="ADDRESS", default=None,
                      help="run on Dask: local, local:N (N workers) or tcp://host:port of a scheduler")
    scan.add_argument("--on-error", choices=ON_ERROR, default="fail",
                      help="a bad file or record: stop (fail, the default) or warn and leave it out (skip)")
    add_detection_options(scan, Config())
    scan.set_defaults(run=_scan)
    register_extract(commands)
    register_compile(commands)
    register_index(commands)
    return parser


def _detect(args: argparse.Namespace, stage: Progress) -> Report:
    config = Config(**given_detection_options(args))
    if args.dask is not None:
        from syndidetect.cli.dask_scan import scan_with_dask

        stage("Dask", 0, 0)
        return scan_with_dask(args.paths, args.dask, config)
    stage("reading", 0, 0)
    documents = read_inputs(args.paths, stdin=sys.stdin.buffer, on_error=args.on_error)
    stage("signatures", 0, 0)
    detector = Detector(config)
    detector.add_many(documents)
    return detector.find_copies(stage, keep_documents=False)


def _scan(args: argparse.Namespace) -> int:
    if args.format == "html" and args.output is None:  # said before the work, not after it
        raise UsageError("--format html writes a folder of pages: give it with -o DIR")
    if args.format == "html" and args.dask is not None:
        raise UsageError("--format html shows the document texts, which a Dask scan leaves on the workers; "
                         "scan without --dask")
    # A one-shot command: freed memory kept for the next arrays, as `index add` does (measured in
    # the benchmarks' README, forty-eighth round: a third to half the system time, a peak 2-3 % higher).
    keep_freed_memory()
    # Written inside the progress display unless it goes to this terminal, where the two would mix.
    to_terminal = args.output is None and sys.stdout.isatty()
    with stages() as stage:
        report = _detect(args, stage)
        shown = report.select(args.copies_only, args.top, args.min_share)
        if not to_terminal:
            write_report(shown, args.format, args.show_boilerplate, args.output, stage)
    if to_terminal:
        write_report(shown, args.format, args.show_boilerplate)
    return EXIT_COPIES if args.fail_on_copy and report.copies else EXIT_OK


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
    skip_blas_probe()  # a command runs only our kernels, none of which calls BLAS
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
