"""RSS and Atom feeds (``.rss``, ``.atom``, and ``.xml`` files that are feeds): one document per entry.

Id: the entry's link, else its guid / Atom id; date: its publication date (else its update date,
else the date in its page's markup); text: the entry's content (else its summary), HTML going
through the page extractor (:func:`syndidetect.readers.html.extract_page`). Parsed with feedparser
from bytes, so it never fetches anything.
"""

from __future__ import annotations

import calendar
import io
from datetime import datetime, timezone
from typing import Any

from syndidetect.dates import canonical_date
from syndidetect.documents import Document
from syndidetect.errors import InputError
from syndidetect.readers.html import extract_page
from syndidetect.readers.kinds import FEED_SUFFIXES, looks_like_feed
from syndidetect.readers.optional import require
from syndidetect.readers.plain import checked_text
from syndidetect.readers.problems import Problems

__all__ = ["FEED_SUFFIXES", "feed_documents", "looks_like_feed"]

_HTML_TYPES = ("text/html", "application/xhtml+xml", "html", "xhtml")


def _entry_date(entry: Any) -> str | None:
    for key in ("published", "updated"):
        raw, parsed = entry.get(key), entry.get(f"{key}_parsed")
        if isinstance(raw, str) and raw.strip():
            try:
                return canonical_date(raw)
            except ValueError:
                if parsed is not None:  # a format feedparser knows and we do not: its UTC reading
                    return canonical_date(datetime.fromtimestamp(calendar.timegm(parsed), timezone.utc))
    return None


def _entry_body(entry: Any) -> tuple[str, bool]:
    """The entry's fullest text and whether it is HTML."""
    contents = [c for c in entry.get("content", []) if isinstance(c.get("value"), str) and c["value"].strip()]
    if contents:
        best = max(contents, key=lambda c: len(c["value"]))
        return best["value"], str(best.get("type", "text/html")).lower() in _HTML_TYPES
    summary = entry.get("summary")
    if isinstance(summary, str) and summary.strip():
        kind = str(entry.get("summary_detail", {}).get("type", "text/html")).lower()
        return summary, kind in _HTML_TYPES
    return "", False


def _entry_document(entry: Any, where: str, site: str | None) -> Document:
    doc_id = entry.get("link") or entry.get("id")
    if not isinstance(doc_id, str) or not doc_id.strip():
        raise InputError(f"{where}: entry has neither a link nor a guid/id")
    where = f"{where} ({doc_id})"
    body, is_html = _entry_body(entry)
    if not body.strip():
        raise InputError(f"{where}: empty entry (no content or summary)")
    page = extract_page(body, where, url=doc_id, whole_if_empty=True) if is_html else None
    text = page.text if page is not None else checked_text(body, where)
    metadata = {**(page.metadata if page else {}), "format": "feed", "url": entry.get("link") or "",
                "title": entry.get("title") or (page.metadata.get("title", "") if page else ""), "site": site or ""}
    try:
        return Document(doc_id.strip(), text, _entry_date(entry) or (page.date if page else None),
                        {k: v for k, v in metadata.items() if isinstance(v, str) and v})
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None


def _problem(parsed: Any) -> str | None:
    exc = parsed.get("bozo_exception")
    if not parsed.get("bozo") or exc is None or "SAX" not in type(exc).__name__:
        return None
    line = getattr(exc, "getLineNumber", lambda: None)()
    return f"{exc.getMessage() if hasattr(exc, 'getMessage') else exc}" + (f" at line {line}" if line else "")


def feed_documents(data: bytes, name: str, problems: Problems | None = None) -> list[Document]:
    """The entries of the RSS or Atom feed in ``data``, each a document. XML that is not well formed
    is read as far as feedparser recovers it, with a warning."""
    problems = problems or Problems()
    feedparser = require("feedparser")
    parsed = feedparser.parse(io.BytesIO(data), sanitize_html=False, resolve_relative_uris=False)
    if not parsed.get("version") and not parsed.entries:
        raise InputError(f"{name}: not an RSS or Atom feed")
    if not parsed.entries:
        raise InputError(f"{name}: the feed has no entries")
    if (problem := _problem(parsed)) is not None:
        problems.warn(f"{name}: not well-formed XML ({problem}); read the {len(parsed.entries)} entries recovered")
    site = parsed.feed.get("title")
    docs = []
    for number, entry in enumerate(parsed.entries, start=1):
        with problems.record():
            docs.append(_entry_document(entry, f"{name}: entry {number}", site))
    return docs
