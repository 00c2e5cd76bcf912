"""Reading inputs into documents: files, folders, stdin, in every format the readers know.

The formats live in :mod:`syndidetect.readers` (one module each); this module finds the files,
tells their format, names the documents and applies the error policy. Every problem becomes an
:class:`InputError` naming the input and what is wrong: by default raised before any result is
produced, with ``on_error="skip"`` reported on one line and left out.

Ids: a path relative to the scanned folder, the file name for a file named directly, the record's
own id for formats that hold records (JSONL ``id``, WARC target URI, feed entry link, table ``id``).
When two inputs given together would give two documents the same id (``scan 2023/ 2024/``, each
holding ``article.txt``), every id taken from a path is the path as given instead
(``2023/article.txt``, ``2024/article.txt``); a single folder keeps its relative ids.
"""

from __future__ import annotations

import dataclasses
import errno
import stat
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from syndidetect.documents import Document, decoded_document, printable
from syndidetect.errors import InputError
from syndidetect.readers.kinds import (
    FEED_SUFFIXES,
    HTML_SUFFIXES,
    SNIFF_BYTES,
    WARC_SUFFIXES,
    is_warc,
    looks_like_feed,
)
from syndidetect.readers.plain import JsonInteger, checked_text, decode, file_text, parse_jsonl
from syndidetect.readers.problems import Problems
from syndidetect.readers.tables import CSV_SUFFIXES, PARQUET_SUFFIXES, csv_documents, parquet_documents
from syndidetect.wording import counted

__all__ = ["JSONL_SUFFIXES", "MAX_FILE_BYTES", "TEXT_SUFFIXES", "JsonInteger", "checked_text", "decode",
           "file_documents", "file_kind", "parse_jsonl", "read_file", "read_inputs", "record_files", "unique_ids"]

TEXT_SUFFIXES = (".txt", ".md")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
# Bytes; a larger file (but a WARC file, read a record at a time) is refused before it is read: the
# text of a document is held in memory several times over, and 256 MB of text is no news article.
MAX_FILE_BYTES = 256 * 1024 * 1024
# Every suffix a folder scan reads (.xml only when the file is an RSS or Atom feed).
KNOWN_SUFFIXES = (*TEXT_SUFFIXES, *JSONL_SUFFIXES, *HTML_SUFFIXES, *WARC_SUFFIXES, *FEED_SUFFIXES, ".xml",
                  *CSV_SUFFIXES, *PARQUET_SUFFIXES)
# File names shown in the one warning line about files of unknown type; the rest are counted.
UNKNOWN_SHOWN = 5


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(f"{path}: file too large ({size} bytes; at most {MAX_FILE_BYTES})")
        return path.read_bytes()
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None


def _sniff_feed(path: Path) -> bool:
    try:
        with path.open("rb") as stream:
            return looks_like_feed(stream.read(SNIFF_BYTES))
    except OSError:
        return False  # read (and reported) as text when named, listed as unknown in a folder


def file_kind(path: Path, named: bool = False) -> str | None:
    """The format of ``path``: text, jsonl, html, warc, feed, csv or parquet; None for a file of
    unknown type in a folder (a file named directly is read as text, as it always was)."""
    suffix = path.suffix.lower()
    if is_warc(path):
        return "warc"
    kinds = ((TEXT_SUFFIXES, "text"), (JSONL_SUFFIXES, "jsonl"), (HTML_SUFFIXES, "html"), (FEED_SUFFIXES, "feed"),
             (CSV_SUFFIXES, "csv"), (PARQUET_SUFFIXES, "parquet"))
    kind = next((k for suffixes, k in kinds if suffix in suffixes), None)
    if kind is None and suffix == ".xml" and _sniff_feed(path):
        kind = "feed"
    return kind if kind is not None or not named else "text"


def read_file(path: Path, doc_id: str, kind: str, problems: Problems | None = None) -> list[Document]:
    """The documents of one file of format ``kind`` (see :func:`file_kind`); ``doc_id`` names the
    document of a one-document format (text, HTML)."""
    problems = problems or Problems()
    name = str(path)
    # The HTML, feed and WARC readers (and the standard modules they bring) load on first use.
    if kind == "warc":
        from syndidetect.readers.warc import warc_documents

        return warc_documents(path, name, problems)
    if kind == "parquet":
        return parquet_documents(path, name, problems)
    data = _read_bytes(path)
    if kind == "jsonl":
        return parse_jsonl(data, name, problems)
    if kind == "feed":
        from syndidetect.readers.feeds import feed_documents

        return feed_documents(data, name, problems)
    if kind == "csv":
        return csv_documents(data, name, problems)
    if kind == "html":
        from syndidetect.readers.html import html_document

        return [html_document(data, name, doc_id)]
    return [decoded_document(doc_id, file_text(data, name))]


def file_documents(path: Path, doc_id: str) -> list[Document]:
    """The documents of one file named directly (format from its suffix, text when unknown), any
    problem raised: how a Dask worker reads the files of its partition."""
    return read_file(path, doc_id, file_kind(path, named=True) or "text")


def record_files(folder: Path) -> Iterator[Path]:
    """The text and JSONL files under ``folder``, sorted, hidden ones left out: the formats the Dask
    path reads in partitions of files (Parquet parts it leaves to Dask's own reader)."""
    wanted = TEXT_SUFFIXES + JSONL_SUFFIXES
    return (path for path in _listing(folder) if path.suffix.lower() in wanted)


def _listing(folder: Path) -> Iterator[Path]:
    """The files under ``folder``, sorted, hidden files and folders (``.git``) left out."""
    for path in sorted(folder.rglob("*")):
        hidden = any(part.startswith(".") for part in path.relative_to(folder).parts)
        if path.is_file() and not hidden:
            yield path


def _not_readable(path: Path) -> InputError:
    """Why ``path`` is neither a folder nor a regular file, in words."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        broken = path.is_symlink()
        return InputError(f"{path}: {'broken symbolic link' if broken else 'no such file or directory'}")
    except OSError as exc:  # ELOOP, EACCES on a parent folder, a name too long
        reason = "symbolic link loop" if exc.errno == errno.ELOOP else exc.strerror
        return InputError(f"{path}: cannot read ({reason})")
    kinds = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))
    kind = next((words for test, words in kinds if test(mode)), "not a regular file")
    return InputError(f"{path}: {kind}, not a file or folder; pipe it to - (standard input) instead")


@dataclasses.dataclass
class _Reading:
    """Documents read so far, with the id each path-named one gets when ids collide."""

    problems: Problems
    docs: list[Document] = dataclasses.field(default_factory=list)
    qualified: list[str | None] = dataclasses.field(default_factory=list)
    unknown: list[str] = dataclasses.field(default_factory=list)

    def add(self, path: Path, doc_id: str, kind: str, qualified: str) -> None:
        start = len(self.docs)
        with self.problems.file():
            self.docs.extend(read_file(path, doc_id, kind, self.problems))
        one_per_file = kind in ("text", "html")
        self.qualified.extend([qualified if one_per_file else None] * (len(self.docs) - start))


def _read_path(raw: str, reading: _Reading) -> None:
    path, given = Path(raw), printable(Path(raw).as_posix())
    if path.is_dir():
        count = len(reading.docs) + reading.problems.count
        for file in _listing(path):
            rel = printable(file.relative_to(path).as_posix())
            kind = file_kind(file)
            if kind is None:
                reading.unknown.append(f"{given}/{rel}")
            else:
                reading.add(file, rel, kind, f"{given}/{rel}")
        if len(reading.docs) + reading.problems.count == count:
            raise InputError(f"{path}: no documents found (looked for {', '.join(KNOWN_SUFFIXES)})")
    elif path.is_file():
        reading.add(path, printable(path.name), file_kind(path, named=True) or "text", given)
    else:
        raise _not_readable(path)


def read_stdin(stream: BinaryIO) -> list[Document]:
    """One document with id ``-`` (or JSONL records when the text starts with ``{``)."""
    data = stream.read()
    if data.lstrip().startswith(b"{"):
        return parse_jsonl(data, "<stdin>")
    return [decoded_document("-", file_text(data, "<stdin>"))]


def _unknown_line(names: list[str]) -> str:
    shown = ", ".join(names[:UNKNOWN_SHOWN]) + (f", … ({len(names) - UNKNOWN_SHOWN} more)"
                                                if len(names) > UNKNOWN_SHOWN else "")
    return (f"skipped {counted(len(names), 'file')} of unknown type: {shown} "
            f"(read: {', '.join(KNOWN_SUFFIXES)})")


def read_inputs(paths: Sequence[str], stdin: BinaryIO | None = None, on_error: str = "fail",
                warn: Callable[[str], None] | None = None) -> list[Document]:
    """All documents named by ``paths`` (files, folders searched recursively, ``-`` for stdin).

    ``on_error``: ``"fail"`` raises the first :class:`InputError`; ``"skip"`` reports each bad file
    or record through ``warn`` (default: one ``syndidetect: warning:`` line on stderr), leaves it out
    and ends with a summary line. Files of unknown type in folders are listed in one warning line.
    """
    if not paths:
        raise InputError("no input given; name files, folders, .jsonl files or - for stdin")
    reading = _Reading(Problems(on_error, warn))
    for raw in paths:
        if raw == "-":
            if stdin is None:
                raise InputError("-: standard input is not available")
            with reading.problems.file():
                docs = read_stdin(stdin)
                reading.docs.extend(docs)
                reading.qualified.extend([None] * len(docs))
        else:
            with reading.problems.file():
                _read_path(raw, reading)
    if reading.unknown:
        reading.problems.warn(_unknown_line(reading.unknown))
    if (summary := reading.problems.summary(len(reading.docs))) is not None:
        reading.problems.warn(summary)
    if not reading.docs:
        raise InputError("no documents left to read: every input was skipped")
    return unique_ids(_requalified(reading.docs, reading.qualified))


def _requalified(docs: list[Document], qualified: list[str | None]) -> list[Document]:
    """``docs``, with path-named ids replaced by the paths as given when that ends a collision."""
    counts = Counter(doc.id for doc in docs)
    if all(n == 1 for n in counts.values()):
        return docs
    renamed = [doc if q is None else dataclasses.replace(doc, id=q) for doc, q in zip(docs, qualified)]
    return renamed if len({d.id for d in renamed}) == len(renamed) else docs


def unique_ids(docs: list[Document]) -> list[Document]:
    """``docs`` unchanged, after checking that no id repeats."""
    seen: set[str] = set()
    for doc in docs:
        if doc.id in seen:
            raise InputError(f"duplicate document id {doc.id!r}; every input must have its own id")
        seen.add(doc.id)
    return docs
