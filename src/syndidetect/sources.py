"""Reading inputs into documents: files, folders, JSONL records and stdin.

Every problem becomes an :class:`InputError` naming the input and what is wrong, raised before
any result is produced.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from syndidetect.documents import Document
from syndidetect.errors import InputError

TEXT_SUFFIXES = (".txt", ".md")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
MAX_FILE_BYTES = 256 * 1024 * 1024
_SNIFF_BYTES = 8192
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def decode(data: bytes, name: str) -> str:
    """Decode a file's bytes: UTF-8 (BOM kept as U+FEFF, so offsets match ``data.decode()``),
    UTF-16 with a BOM; anything else is refused with the reason."""
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(f"{name}: invalid UTF-16 ({exc.reason} at byte {exc.start})") from None
    if b"\x00" in data[:_SNIFF_BYTES]:
        raise InputError(f"{name}: binary file (contains NUL bytes); expected UTF-8 text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name}: not valid UTF-8 (byte 0x{data[exc.start]:02X} at offset {exc.start}); "
            "convert it first, e.g. iconv -f WINDOWS-1252 -t UTF-8"
        ) from None


def _checked_text(data: bytes, name: str) -> str:
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"{name}: file too large ({len(data)} bytes; at most {MAX_FILE_BYTES})")
    text = decode(data, name)
    if not text.strip():
        raise InputError(f"{name}: empty document (no text)")
    return text


def _jsonl_record(line: str, where: str) -> Document:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: invalid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(record, dict):
        raise InputError(f"{where}: expected a JSON object with 'id' and 'text'; got {type(record).__name__}")
    doc_id, text, date = record.get("id"), record.get("text"), record.get("date")
    if isinstance(doc_id, int) and not isinstance(doc_id, bool):
        doc_id = str(doc_id)
    if not isinstance(doc_id, str) or not doc_id:
        raise InputError(f"{where}: 'id' must be a non-empty string; got {doc_id!r}")
    if not isinstance(text, str):
        raise InputError(f"{where}: 'text' must be a string; got {type(text).__name__}")
    if date is not None and not isinstance(date, str):
        raise InputError(f"{where}: 'date' must be an ISO 8601 string; got {date!r}")
    return Document(doc_id, text, date)


def parse_jsonl(data: bytes, name: str) -> list[Document]:
    """Documents from JSON Lines with ``id`` and ``text`` (and optional ``date``) fields."""
    text = decode(data, name).lstrip("\ufeff")
    docs = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            docs.append(_jsonl_record(line, f"{name}:{number}"))
    if not docs:
        raise InputError(f"{name}: no JSON records")
    return docs


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


def _file_documents(path: Path, doc_id: str) -> list[Document]:
    data = _read_bytes(path)
    if path.suffix.lower() in JSONL_SUFFIXES:
        return parse_jsonl(data, str(path))
    return [Document(doc_id, _checked_text(data, str(path)))]


def _folder_files(folder: Path) -> Iterator[Path]:
    wanted = TEXT_SUFFIXES + JSONL_SUFFIXES
    for path in sorted(folder.rglob("*")):
        hidden = any(part.startswith(".") for part in path.relative_to(folder).parts)
        if path.is_file() and not hidden and path.suffix.lower() in wanted:
            yield path


def _path_documents(path: Path) -> list[Document]:
    if path.is_dir():
        docs = []
        for file in _folder_files(path):
            docs.extend(_file_documents(file, file.relative_to(path).as_posix()))
        if not docs:
            raise InputError(f"{path}: no documents found (looked for {', '.join(TEXT_SUFFIXES + JSONL_SUFFIXES)})")
        return docs
    if path.is_file():
        return _file_documents(path, path.name)
    raise InputError(f"{path}: no such file or directory")


def read_stdin(stream: BinaryIO) -> list[Document]:
    """One document with id ``-`` (or JSONL records when the text starts with ``{``)."""
    data = stream.read()
    if data.lstrip().startswith(b"{"):
        return parse_jsonl(data, "<stdin>")
    return [Document("-", _checked_text(data, "<stdin>"))]


def read_inputs(paths: Sequence[str], stdin: BinaryIO | None = None) -> list[Document]:
    """All documents named by ``paths`` (files, folders searched recursively, ``-`` for stdin).

    Ids are paths relative to a scanned folder, file names for files named directly, the
    ``id`` field for JSONL records. Two documents with the same id are an error.
    """
    if not paths:
        raise InputError("no input given; name files, folders, .jsonl files or - for stdin")
    docs: list[Document] = []
    for raw in paths:
        if raw == "-":
            if stdin is None:
                raise InputError("-: standard input is not available")
            docs.extend(read_stdin(stdin))
        else:
            docs.extend(_path_documents(Path(raw)))
    return unique_ids(docs)


def unique_ids(docs: list[Document]) -> list[Document]:
    """``docs`` unchanged, after checking that no id repeats."""
    seen: set[str] = set()
    for doc in docs:
        if doc.id in seen:
            raise InputError(f"duplicate document id {doc.id!r}; every input must have its own id")
        seen.add(doc.id)
    return docs
