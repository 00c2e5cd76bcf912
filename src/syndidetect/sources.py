"""Reading inputs into documents: files, folders, JSONL records and stdin.

Every problem becomes an :class:`InputError` naming the input and what is wrong, raised before
any result is produced.
"""

from __future__ import annotations

import codecs
import errno
import json
import reprlib
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from syndidetect.documents import Document, printable
from syndidetect.errors import InputError

TEXT_SUFFIXES = (".txt", ".md")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
MAX_FILE_BYTES = 256 * 1024 * 1024
# Byte order marks, longest first: the UTF-32-LE mark begins with the UTF-16-LE one.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode(data: bytes, name: str) -> str:
    """Decode a file's bytes: UTF-8 (BOM kept as U+FEFF, so offsets match ``data.decode()``),
    UTF-32 or UTF-16 with a BOM; anything else, or text holding NUL characters, is refused."""
    encoding = next((enc for bom, enc in _BOMS if data.startswith(bom)), "utf-8")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        if encoding != "utf-8":
            raise InputError(f"{name}: invalid {encoding.upper()} ({exc.reason} at byte {exc.start})") from None
        if b"\x00" in data:
            raise InputError(f"{name}: binary file (contains NUL bytes); expected UTF-8 text") from None
        raise InputError(
            f"{name}: not valid UTF-8 (byte 0x{data[exc.start]:02X} at offset {exc.start}); "
            "convert it first, e.g. iconv -f WINDOWS-1252 -t UTF-8"
        ) from None
    if "\x00" in text:
        raise InputError(f"{name}: binary file (contains NUL bytes); expected {encoding.upper()} text")
    return text


def checked_text(text: str, where: str) -> str:
    """The rule every input format shares: a document has some text, and no NUL character."""
    if "\x00" in text:
        raise InputError(f"{where}: text contains NUL characters (binary data?)")
    if not text.strip():
        raise InputError(f"{where}: empty document (no text)")
    return text


def _file_text(data: bytes, name: str) -> str:
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"{name}: file too large ({len(data)} bytes; at most {MAX_FILE_BYTES})")
    return checked_text(decode(data, name), name)


class JsonInteger(str):
    """A JSON integer kept as its digits: ids may be numbers of any length (Python's int() refuses
    more than 4300 digits), and a number is never taken for a text or a date."""


def _json_object(line: str, where: str) -> dict[str, object]:
    try:
        record = json.loads(line, parse_int=JsonInteger)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: invalid JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise InputError(f"{where}: JSON nested too deeply") from None
    except ValueError as exc:  # e.g. a number the decoder cannot hold
        raise InputError(f"{where}: invalid JSON ({exc})") from None
    if not isinstance(record, dict):
        raise InputError(f"{where}: expected a JSON object with 'id' and 'text'; got {type(record).__name__}")
    return record


def _jsonl_record(line: str, where: str) -> Document:
    record = _json_object(line, where)
    doc_id, text, date = record.get("id"), record.get("text"), record.get("date")
    if not isinstance(doc_id, str) or not doc_id:  # a JsonInteger is a str: the digits are the id
        raise InputError(f"{where}: 'id' must be a non-empty string or an integer; got {reprlib.repr(doc_id)}")
    if not isinstance(text, str) or isinstance(text, JsonInteger):
        raise InputError(f"{where}: 'text' must be a string; got {type(text).__name__}")
    if date is not None and (not isinstance(date, str) or isinstance(date, JsonInteger)):
        raise InputError(f"{where}: 'date' must be a string (ISO 8601 or RFC 2822); got {reprlib.repr(date)}")
    checked_text(text, where)
    try:
        return Document(str(doc_id), text, date)
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None


def parse_jsonl(data: bytes, name: str) -> list[Document]:
    """Documents from JSON Lines with ``id`` and ``text`` (and optional ``date``) fields.

    Records end at ``\\n`` only: U+2028, U+2029 and U+0085 are valid inside a JSON string.
    """
    text = decode(data, name).lstrip("\ufeff")
    docs = []
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            docs.append(_jsonl_record(line.removesuffix("\r"), f"{name}:{number}"))
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
    return [Document(doc_id, _file_text(data, str(path)))]


def _folder_files(folder: Path) -> Iterator[Path]:
    wanted = TEXT_SUFFIXES + JSONL_SUFFIXES
    for path in sorted(folder.rglob("*")):
        hidden = any(part.startswith(".") for part in path.relative_to(folder).parts)
        if path.is_file() and not hidden and path.suffix.lower() in wanted:
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


def _path_documents(path: Path) -> list[Document]:
    if path.is_dir():
        docs = []
        for file in _folder_files(path):
            docs.extend(_file_documents(file, printable(file.relative_to(path).as_posix())))
        if not docs:
            raise InputError(f"{path}: no documents found (looked for {', '.join(TEXT_SUFFIXES + JSONL_SUFFIXES)})")
        return docs
    if path.is_file():
        return _file_documents(path, printable(path.name))
    raise _not_readable(path)


def read_stdin(stream: BinaryIO) -> list[Document]:
    """One document with id ``-`` (or JSONL records when the text starts with ``{``)."""
    data = stream.read()
    if data.lstrip().startswith(b"{"):
        return parse_jsonl(data, "<stdin>")
    return [Document("-", _file_text(data, "<stdin>"))]


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
