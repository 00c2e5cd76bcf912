"""WARC files (``.warc``, ``.warc.gz``): every HTML response record is a document.

Id: the record's target URI (a URI captured again later in the same file gets its capture time
appended: ``https://site/a (2024-01-09T10:00:00Z)``); date: the page's publication date, else the
WARC-Date of the capture. The HTML goes through :func:`syndidetect.readers.html.extract_page`.
Read with warcio (see pyproject.toml for why not fastwarc), streamed record by record.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from syndidetect.dates import canonical_date
from syndidetect.documents import Document
from syndidetect.errors import InputError
from syndidetect.readers.html import extract_page, html_source
from syndidetect.readers.kinds import is_warc
from syndidetect.readers.optional import require
from syndidetect.readers.plain import MAX_FILE_BYTES
from syndidetect.readers.problems import Problems

__all__ = ["HTML_TYPES", "is_warc", "warc_documents"]

# Content types of an HTML page (the media type before any ";charset=" parameter).
HTML_TYPES = ("text/html", "application/xhtml+xml")


def _content_type(record: Any) -> tuple[str, str | None]:
    """The payload's media type and declared charset, from the HTTP header."""
    value = record.http_headers.get_header("Content-Type") or "" if record.http_headers else ""
    media, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset" and val.strip():
            charset = val.strip().strip("\"'")
    return media.strip().lower(), charset


def _is_page(record: Any) -> bool:
    """An HTML response with a 2xx status: redirects and error pages hold no article."""
    if record.rec_type != "response" or record.http_headers is None:
        return False
    status = record.http_headers.get_statuscode() or ""
    return status.startswith("2") and _content_type(record)[0] in HTML_TYPES


def _payload(record: Any, where: str) -> bytes:
    data: bytes = record.content_stream().read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"{where}: page too large (more than {MAX_FILE_BYTES} bytes)")
    if getattr(record.raw_stream, "limit", 0) > 0:  # fewer bytes than the record's Content-Length
        raise InputError(f"{where}: truncated WARC record ({record.raw_stream.limit} bytes missing)")
    return data


def _document(record: Any, where: str, doc_id: str) -> Document:
    data = _payload(record, where)
    uri = record.rec_headers.get_header("WARC-Target-URI")
    page = extract_page(html_source(data, where, _content_type(record)[1]), where, url=uri)
    captured = record.rec_headers.get_header("WARC-Date")
    metadata = {**page.metadata, "format": "warc", "url": uri, "captured": captured or ""}
    try:
        return Document(doc_id, page.text, page.date or captured, metadata)
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None


def _records(stream: BinaryIO, name: str) -> Iterator[tuple[int, Any]]:
    warcio = require("warcio.archiveiterator")
    failed = require("warcio.exceptions").ArchiveLoadFailed
    number = 0
    try:
        for number, record in enumerate(warcio.ArchiveIterator(stream), start=1):
            if record.rec_type is None or record.rec_headers is None:
                raise InputError(f"{name}: record {number}: truncated or not a WARC record")
            if not str(record.format).startswith("warc"):  # warcio also reads ARC, and text that looks like it
                raise InputError(f"{name}: not a readable WARC file (record {number} has no WARC/1.x header)")
            yield number, record
    except InputError:
        raise
    except (failed, OSError, EOFError, zlib.error, ValueError, AttributeError) as exc:  # warcio's ways to fail
        reason = " ".join(str(exc).split())[:100] or type(exc).__name__  # warcio quotes the whole bad line
        where = f"record {number + 1}" if number else "not a readable WARC file"
        raise InputError(f"{name}: {where} ({reason})") from None


def _capture_id(uri: str, record: Any, seen: set[str]) -> str:
    """The target URI; for a later capture of the same URI, with its capture time appended."""
    if uri not in seen:
        return uri
    captured = record.rec_headers.get_header("WARC-Date") or ""
    try:
        return f"{uri} ({canonical_date(captured)})"
    except ValueError:
        return f"{uri} ({captured})"


def warc_documents(path: Path, name: str, problems: Problems | None = None) -> list[Document]:
    """The HTML pages of the WARC file at ``path``, each a document. A file cut short ends the
    reading there: an error, or in skip mode a warning after the pages read so far."""
    problems = problems or Problems()
    docs: list[Document] = []
    seen: set[str] = set()
    before = problems.count
    try:
        with path.open("rb") as stream, problems.record():
            for number, record in _records(stream, name):
                if _is_page(record):
                    with problems.record():
                        docs.append(_page_document(record, f"{name}: record {number}", seen))
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror or exc})") from None
    if not docs and problems.count == before:
        raise InputError(f"{name}: no HTML response records in this WARC file")
    return docs


def _page_document(record: Any, where: str, seen: set[str]) -> Document:
    # warcio reads no HTTP response without a target URI, so a page always has one; the record id
    # stands in should another reader version let one through.
    uri = record.rec_headers.get_header("WARC-Target-URI") or record.rec_headers.get_header("WARC-Record-ID")
    doc = _document(record, f"{where} ({uri})", _capture_id(uri, record, seen))
    seen.add(uri)
    return doc
