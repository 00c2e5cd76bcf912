"""Plain text and JSON Lines, and the input rules every format shares: how bytes become text
(:func:`decode`) and what a document's text must be (:func:`checked_text`)."""

from __future__ import annotations

import codecs
import json
import json.scanner
import reprlib
from collections.abc import Callable
from typing import Any, cast

from syndidetect.documents import Document, decoded_document
from syndidetect.errors import InputError
from syndidetect.readers.problems import Problems

__all__ = ["MAX_FILE_BYTES", "JsonInteger", "checked_text", "decode", "file_text", "nonempty_text", "parse_jsonl"]

# Bytes; a larger file is refused before it is read: the whole text of a document is held in memory
# several times over (text, paragraphs, word streams), and 256 MB of text is no news article.
MAX_FILE_BYTES = 256 * 1024 * 1024
# Byte order marks, longest first: the UTF-32-LE mark begins with the UTF-16-LE one.
BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def bom_encoding(data: bytes) -> str | None:
    """The encoding a byte order mark at the start of ``data`` names (UTF-8's excepted), or None."""
    return next((enc for bom, enc in BOMS if data.startswith(bom)), None)


def decode(data: bytes, name: str) -> str:
    """Decode a file's bytes: UTF-8 (BOM kept as U+FEFF, so offsets match ``data.decode()``),
    UTF-32 or UTF-16 with a BOM; anything else, or text holding NUL characters, is refused."""
    encoding = bom_encoding(data) or "utf-8"
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
    return nonempty_text(text, where)


def nonempty_text(text: str, where: str) -> str:
    """:func:`checked_text` of a text :func:`decode` gave, or a part of one, which holds no NUL."""
    if not text or text.isspace():  # what ``not text.strip()`` says, without copying the text
        raise InputError(f"{where}: empty document (no text)")
    return text


def file_text(data: bytes, name: str) -> str:
    """A text file's decoded, checked text: it holds no lone surrogate (:func:`~syndidetect.documents.
    decoded_document` may take it)."""
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"{name}: file too large ({len(data)} bytes; at most {MAX_FILE_BYTES})")
    return nonempty_text(decode(data, name), name)


class JsonInteger(str):
    """A JSON integer kept as its digits: ids may be numbers of any length (Python's int() refuses
    more than 4300 digits), and a number is never taken for a text or a date."""


#: One decoder for every record: ``json.loads`` with ``parse_int`` makes a new one a call.
_DECODER = json.JSONDecoder(parse_int=JsonInteger)


#: The decoder's scanner (C), as the decoder makes its own, which ``decode`` calls after skipping
#: whitespace and before checking that nothing follows.
_SCAN = json.scanner.make_scanner(cast(Any, _DECODER))


def json_object(line: str, where: str) -> dict[str, object]:
    """One JSON object, or an :class:`InputError` saying why ``line`` is none.

    A line that starts with ``{`` and ends with ``}`` (a record as JSON Lines writers write it) is
    read by the decoder's scanner alone, and taken when the object it reads ends the line: the value
    ``decode`` gives, without its two whitespace searches and the frames around them (the 100k
    one-paragraph records of ``benchmarks.test_index``: 0.18 against 0.27 s for their objects, and
    0.70-0.72 against 0.75-0.76 s for ``read_inputs``, best of 5, three alternated pairs). Anything
    else, or a scan that fails, goes to ``decode``, which says why."""
    if line.startswith("{") and line.endswith("}"):
        try:
            record, end = _SCAN(line, 0)
        except (StopIteration, ValueError, RecursionError):
            pass
        else:
            if end == len(line):
                return cast(dict[str, object], record)
    try:
        if line.startswith("\ufeff"):  # as json.loads refuses it
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", line, 0)
        record = _DECODER.decode(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: invalid JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise InputError(f"{where}: JSON nested too deeply") from None
    except ValueError as exc:  # e.g. a number the decoder cannot hold
        raise InputError(f"{where}: invalid JSON ({exc})") from None
    if not isinstance(record, dict):
        raise InputError(f"{where}: expected a JSON object with 'id' and 'text'; got {json_value(record)}")
    return record


def json_value(value: object) -> str:
    """A JSON value as its reader would name it in an error: ``the number 5``, ``null``, ``an array``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (JsonInteger, int, float)):
        return f"the number {reprlib.repr(str(value))[1:-1]}"
    if isinstance(value, str):
        return f"the string {reprlib.repr(value)}"
    return "an array" if isinstance(value, list) else "an object" if isinstance(value, dict) else type(value).__name__


def jsonl_record(line: str, where: str) -> Document:
    """The document a JSON Lines record holds (``id``, ``text``, optional ``date``)."""
    record = json_object(line, where)
    doc_id, text, date = record.get("id"), record.get("text"), record.get("date")
    if not isinstance(doc_id, str) or not doc_id:  # a JsonInteger is a str: the digits are the id
        raise InputError(f"{where}: 'id' must be a non-empty string or an integer; got {json_value(doc_id)}")
    if not isinstance(text, str) or isinstance(text, JsonInteger):
        raise InputError(f"{where}: 'text' must be a string; got {json_value(text)}")
    if date is not None and (not isinstance(date, str) or isinstance(date, JsonInteger)):
        raise InputError(f"{where}: 'date' must be a string (ISO 8601 or RFC 2822); got {json_value(date)}")
    # The line comes from decode(), which refused NUL and lone surrogates: only a \u escape can put
    # one in a string. A line without any (raw UTF-8) skips the scans of its text for them; one with
    # them (json.dumps escapes all but ASCII by default) is found at its first one and checked in
    # full: looking for \u0000 and \uD800-\uDFFF in such lines took longer than the full checks.
    make: Callable[[str, str, str | None], Document]
    if "\\u" in line:
        checked_text(text, where)
        make = Document
    else:
        nonempty_text(text, where)
        make = decoded_document
    try:
        return make(str(doc_id), text, date)
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None


def parse_jsonl(data: bytes, name: str, problems: Problems | None = None) -> list[Document]:
    """Documents from JSON Lines with ``id`` and ``text`` (and optional ``date``) fields.

    Records end at ``\\n`` only: U+2028, U+2029 and U+0085 are valid inside a JSON string. A bad
    record stops the reading, or with ``problems`` in skip mode is reported and left out.
    """
    problems = problems or Problems()
    text = decode(data, name).lstrip("\ufeff")
    docs, before = [], problems.count
    for number, line in enumerate(text.split("\n"), start=1):
        if line and not line.isspace():  # what ``line.strip()`` says, without copying the line
            try:
                docs.append(jsonl_record(line.removesuffix("\r"), f"{name}:{number}"))
            except InputError as exc:
                problems.bad_record(exc)
    if not docs and problems.count == before:
        raise InputError(f"{name}: no JSON records")
    return docs
