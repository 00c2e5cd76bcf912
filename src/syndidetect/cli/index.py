"""``syndidetect index add|check|remove|stats``: a persistent index in one SQLite file."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import deque
from collections.abc import Iterator, Sequence
from typing import Any, cast

from syndidetect._kernels.glibc import keep_freed_memory
from syndidetect.ahead import computed_ahead
from syndidetect.cli.common import (
    EXIT_COPIES,
    EXIT_OK,
    add_detection_options,
    given_detection_options,
    progress,
    working,
    write_report,
)
from syndidetect.collector import collector_paused
from syndidetect.config import Config
from syndidetect.detector import Detector
from syndidetect.documents import Document, printable
from syndidetect.errors import IndexBusyError
from syndidetect.prepared import prepare_documents
from syndidetect.sources import read_inputs
from syndidetect.store.sqlite import DEFAULT_TIMEOUT, MAX_TIMEOUT, SQLiteStore, stored_config
from syndidetect.store.sqlite.batch import EncodedBatch
from syndidetect.store.sqlite.locking import WRITER_TURN
from syndidetect.wording import counted

# One transaction per batch: a crash loses at most the batch under way, and each commit stays short
# so readers see progress and a second writer gets its turn between batches. Characters of text a
# batch: 4 MB (about a second of work) instead of 1 MB makes a quarter of the runs to merge: `index
# add` of 100k paragraphs took 10.7-11.6 s wall instead of 13.3-15.3 s (interleaved runs), for a
# peak RSS of 0.95 GB instead of 0.72 GB.
BATCH_CHARS = 4_000_000
# Characters of text a document counts for in a batch besides its own: its work of its own (reading
# its record, its objects, its row and its rowid) as the text that takes as long. `index add` of
# 100k paragraphs took 5.5-6.3 s of CPU as 100k documents and 2.7-3.0 s as 5,000 of 20 paragraphs:
# 29 us a document more, when a character of text took 62 ns (3 runs each). So a batch is about a
# second of work whatever its documents' length: 4,300 documents of one 425-character paragraph
# (a fixed cap of 2,000 made batches of a tenth of a second, and `index add` of the 100k paragraphs
# one a document took 4.71-6.02 s, median 5.02, against 4.28-5.68 s, median 4.52, alternated, for
# 25 MB more at the peak), and at most 8,000 documents however short (a batch's own memory: about
# 2.5 KB a document of a few words, prepared and encoded).
DOCUMENT_CHARS = 500
_SHOWN_IDS = 10


def _seconds(text: str) -> float:
    """A ``--busy-timeout``: finite, not negative, at most a day (argparse names the option)."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 <= value <= MAX_TIMEOUT:  # also refuses nan, inf and what is not a number
        raise argparse.ArgumentTypeError(f"must be a number of seconds from 0 to {MAX_TIMEOUT:g}; got {text!r}")
    return value


def _db_option(parser: argparse.ArgumentParser, writes: bool) -> None:
    parser.add_argument("--db", required=True, metavar="FILE", help="the index file (SQLite), e.g. news.db")
    parser.add_argument("--busy-timeout", type=_seconds, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help="how long to wait for another writer before giving up "
                             f"(default {DEFAULT_TIMEOUT:g})" if writes else argparse.SUPPRESS)


def register(commands: Any) -> None:
    """Add the ``index`` command group to the top-level subparsers ``commands``."""
    index = commands.add_parser("index", help="keep an index in a file and check new documents against it")
    sub = index.add_subparsers(dest="index_command", required=True, metavar="{add,check,remove,stats}")
    add = sub.add_parser("add", help="add documents (an id already indexed is replaced)")
    add.add_argument("paths", nargs="+", metavar="PATH", help="files, folders, .jsonl files, or - for stdin")
    _db_option(add, writes=True)
    add_detection_options(add, None)
    add.set_defaults(run=_add)
    check = sub.add_parser("check", help="report which indexed documents the given ones copy")
    check.add_argument("paths", nargs="+", metavar="PATH", help="files, folders, .jsonl files, or - for stdin")
    _db_option(check, writes=False)
    check.add_argument("--format", choices=("text", "json", "csv"), default="text")
    check.add_argument("--fail-on-copy", action="store_true", help="exit with 1 when a copy is found")
    add_detection_options(check, None)
    check.set_defaults(run=_check)
    remove = sub.add_parser("remove", help="remove documents by id")
    remove.add_argument("ids", nargs="+", metavar="ID")
    _db_option(remove, writes=True)
    remove.set_defaults(run=_remove)
    stats = sub.add_parser("stats", help="documents, paragraphs, size and configuration of the index")
    _db_option(stats, writes=False)
    stats.add_argument("--format", choices=("text", "json"), default="text")
    stats.set_defaults(run=_stats)


def _config(args: argparse.Namespace) -> Config | None:
    """None (the index's configuration) unless options were given: then the index's (or the
    default one for a new index) with those options changed, checked against the index on open."""
    given = given_detection_options(args)
    if not given:
        return None
    return (stored_config(args.db) or Config()).replace(**given)


def _batches(documents: deque[Document]) -> Iterator[list[Document]]:
    """The documents in batches of ``BATCH_CHARS`` characters, a document counting its text and
    ``DOCUMENT_CHARS``, taken out of ``documents``: once written, a batch is held by nothing (its
    texts are most of an add's memory), and what is allocated next reuses its memory."""
    batch: list[Document] = []
    size = 0
    while documents:
        doc = documents.popleft()
        batch.append(doc)
        size += len(doc.text) + DOCUMENT_CHARS
        if size >= BATCH_CHARS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _some(ids: Sequence[str]) -> str:
    shown = ", ".join(map(printable, ids[:_SHOWN_IDS]))
    return shown + (f" and {len(ids) - _SHOWN_IDS} more" if len(ids) > _SHOWN_IDS else "")


def _add(args: argparse.Namespace) -> int:
    keep_freed_memory()
    documents = deque(read_inputs(args.paths, stdin=sys.stdin.buffer))
    total = len(documents)
    replaced: list[str] = []
    done = 0
    with Detector.open(args.db, _config(args), timeout=args.busy_timeout) as det:
        store = cast(SQLiteStore, det.store)  # what Detector.open makes

        def encoded(batch: list[Document]) -> EncodedBatch:
            return store.encode(prepare_documents(batch, det.config))

        # No user string in the bar: it is markup. The next batches are prepared while one is written.
        with progress(total, "indexing") as advance, collector_paused():
            committed = -WRITER_TURN  # when our last batch was committed (time.monotonic)
            for batch, encoded_batch in computed_ahead(_batches(documents), encoded):
                # A writer waiting for the lock gets it before our next batch: the lock stays free
                # WRITER_TURN seconds after each commit, the wait for this batch included: at 1M
                # paragraphs this thread waited 3.0-3.8 s in all for batches (the first one's 0.6 s
                # included), more than the 0.7-0.9 s of pauses that came on top of it.
                time.sleep(max(0.0, committed + WRITER_TURN - time.monotonic()))
                try:
                    replaced += store.put_encoded(encoded_batch)
                except IndexBusyError as exc:
                    if not done:
                        raise
                    # Earlier batches are committed; adding them again replaces each with itself.
                    raise IndexBusyError(f"{exc}; {done} of {counted(total, 'document')} are in the "
                                         "index: run the same command again to add the rest") from None
                committed = time.monotonic()
                done += len(batch)
                advance(len(batch))
        stats = det.stats()
        with working("merging the index's postings"):  # closing merges the runs this add wrote
            det.close()
    print(f"added {counted(total, 'document')} to {printable(args.db)} "
          f"(now {counted(stats['documents'], 'document')}, {counted(stats['paragraphs'], 'paragraph')})")
    if replaced:
        print(f"replaced {counted(len(replaced), 'document')} already in the index: {_some(replaced)}")
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    documents = read_inputs(args.paths, stdin=sys.stdin.buffer)
    message = f"checking {counted(len(documents), 'document')} against {printable(args.db)}"
    with Detector.open(args.db, _config(args), create=False, readonly=True, timeout=args.busy_timeout) as det, \
            working(message):
        report = det.query(documents)
    write_report(report, args.format)
    return EXIT_COPIES if args.fail_on_copy and report.copies else EXIT_OK


def _remove(args: argparse.Namespace) -> int:
    with Detector.open(args.db, create=False, timeout=args.busy_timeout) as det:
        removed = det.remove(args.ids)
    missing = [i for i in dict.fromkeys(args.ids) if i not in set(removed)]
    print(f"removed {counted(len(removed), 'document')} from {printable(args.db)}"
          + (f": {_some(removed)}" if removed else ""))
    if missing:
        print(f"not in the index: {_some(missing)}")
    return EXIT_OK


def _stats(args: argparse.Namespace) -> int:
    store = SQLiteStore(args.db, create=False, readonly=True, timeout=args.busy_timeout)
    with Detector(store.config, store) as det:
        stats = det.stats()
    config = {k: v for k, v in stats.pop("config").__dict__.items() if k != "backend"}
    config["rules"] = config["rules"].to_dict()
    stats["config"] = {**config, "bands": store.bands, "rows": store.rows}
    if args.format == "json":
        json.dump(stats, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return EXIT_OK
    for key, value in stats.items():
        if key != "config":
            print(f"{key}: {value}")
    print("config: " + ", ".join(f"{k}={v}" for k, v in stats["config"].items()))
    return EXIT_OK
