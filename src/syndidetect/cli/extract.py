"""``syndidetect extract PATH...``: the text the detector sees in each input.

For a saved page, a WARC record or a feed entry that is the extracted text, which the spans of a
report index: ``text == extracted[start:end]``. The text is written exactly as the document holds
it (no newline added); ``--format jsonl`` writes every document as a JSON line that ``scan`` reads
back (``id``, ``text``, ``date``, ``metadata``).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from syndidetect.cli.common import EXIT_OK
from syndidetect.documents import Document
from syndidetect.errors import InputError
from syndidetect.readers.problems import ON_ERROR
from syndidetect.sources import read_inputs

# Ids listed in the message that asks for --id; the others are counted.
IDS_SHOWN = 5


def register(commands: Any) -> None:
    """Add the ``extract`` command to the top-level subparsers ``commands``."""
    extract = commands.add_parser("extract", help="print the text the detector sees in a file (HTML, WARC, feed...)")
    extract.add_argument("paths", nargs="+", metavar="PATH", help="files or folders, as for scan, or - for stdin")
    extract.add_argument("--id", dest="doc_id", metavar="ID", default=None,
                         help="the document to print when the input holds several (a WARC record's URI...)")
    extract.add_argument("--format", choices=("text", "jsonl"), default="text",
                         help="text: one document's text exactly; jsonl: every document with its id, date and "
                              "metadata, one JSON object a line")
    extract.add_argument("--on-error", choices=ON_ERROR, default="fail",
                         help="a bad file or record: stop (fail) or warn and leave it out (skip)")
    extract.set_defaults(run=run)


def _ids(docs: list[Document]) -> str:
    shown = ", ".join(d.id for d in docs[:IDS_SHOWN])
    return shown + (f", … ({len(docs) - IDS_SHOWN} more)" if len(docs) > IDS_SHOWN else "")


def _chosen(docs: list[Document], doc_id: str | None, fmt: str, where: str) -> list[Document]:
    if doc_id is not None:
        docs = [d for d in docs if d.id == doc_id] or _no_such(docs, doc_id, where)
    if fmt == "text" and len(docs) > 1:
        raise InputError(f"{where}: holds {len(docs)} documents ({_ids(docs)}); choose one with --id ID "
                         "or print them all with --format jsonl")
    return docs


def _no_such(docs: list[Document], doc_id: str, where: str) -> list[Document]:
    raise InputError(f"{where}: no document with id {doc_id!r} (ids: {_ids(docs)})")


def record(doc: Document) -> dict[str, object]:
    """A document as the JSON line ``--format jsonl`` writes."""
    out: dict[str, object] = {"id": doc.id, "text": doc.text}
    if doc.date is not None:
        out["date"] = doc.date
    if doc.metadata:
        out["metadata"] = doc.metadata
    return out


def run(args: argparse.Namespace) -> int:
    docs = read_inputs(args.paths, stdin=sys.stdin.buffer, on_error=args.on_error)
    chosen = _chosen(docs, args.doc_id, args.format, " ".join(args.paths))
    if args.format == "text":
        sys.stdout.write(chosen[0].text)
    else:
        for doc in chosen:
            sys.stdout.write(json.dumps(record(doc), ensure_ascii=False) + "\n")
    return EXIT_OK
