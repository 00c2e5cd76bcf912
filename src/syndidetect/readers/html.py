"""HTML pages → the text a reader sees: main text and reader comments (trafilatura), the prose it
left out (:mod:`syndidetect.readers.pagetext`), and title, URL, site and publication date.

The document's text is the extracted text, blocks separated by blank lines so that the paragraph
splitter sees the page's paragraphs; reported spans index it, and ``syndidetect extract FILE``
prints it. Nothing here touches the network: trafilatura is given a parsed tree, never a URL.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from syndidetect.dates import canonical_date
from syndidetect.documents import Document
from syndidetect.errors import InputError
from syndidetect.readers.htmldates import published
from syndidetect.readers.kinds import HTML_SUFFIXES
from syndidetect.readers.optional import require
from syndidetect.readers.pagetext import breaks_to_paragraphs, left_out, page_blocks
from syndidetect.readers.plain import bom_encoding, checked_text, decode

__all__ = ["HTML_SUFFIXES", "Page", "extract_page", "html_document", "html_source"]

# Bytes at the start of a page searched for <meta charset>: the HTML standard's prescan reads 1024;
# pages saved by browsers put a long <head> first, so we look a little further.
CHARSET_PRESCAN_BYTES = 4096
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# Characters lxml's tree refuses in text (C0 controls but tab and line ends; the non-characters U+FFFE/F):
# a page shows them as nothing, so they become spaces.
_NOT_XML = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# The HTML standard reads these labels as windows-1252, a superset that browsers use for them.
_AS_WINDOWS_1252 = frozenset({"iso-8859-1", "iso8859-1", "latin1", "latin-1", "us-ascii", "ascii"})
# Passed to trafilatura's date finder (htmldate): markup only, no guessing from the URL or the text
# (a comment's date is not the page's); our own reading of the markup comes first anyway.
_DATE_PARAMS = {"extensive_search": False, "original_date": True}


@dataclass(frozen=True)
class Page:
    """What a page gives: the text a reader sees, its publication instant, and its metadata."""

    text: str
    date: str | None
    metadata: dict[str, str] = field(default_factory=dict)


def _charset(data: bytes, declared: str | None) -> str | None:
    if declared is None:
        found = _META_CHARSET.search(data[:CHARSET_PRESCAN_BYTES])
        declared = found.group(1).decode("ascii") if found else None
    if declared is None:
        return None
    label = declared.strip().lower()
    return "cp1252" if label in _AS_WINDOWS_1252 else label


def html_source(data: bytes, name: str, charset: str | None = None) -> str:
    """The page's HTML as text: a byte order mark first, else ``charset`` (from an HTTP header), else
    the page's ``<meta charset>``, else the rules of every text input (UTF-8)."""
    encoding = None if bom_encoding(data) or data.startswith(codecs.BOM_UTF8) else _charset(data, charset)
    if encoding is None or encoding in ("utf-8", "utf8"):
        return checked_text(decode(data, name), name)
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise InputError(f"{name}: the page declares an unknown charset {encoding!r}") from None
    try:
        return checked_text(data.decode(encoding), name)
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not valid {encoding} as the page declares (byte 0x{data[exc.start]:02X} "
                         f"at offset {exc.start})") from None


def _parse(source: str, name: str) -> Any:
    html = require("lxml.html")
    parser = html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)
    try:  # lxml refuses text that still declares a byte encoding
        cleaned = _NOT_XML.sub(" ", _XML_DECLARATION.sub("", source, count=1))
        return html.document_fromstring(cleaned, parser=parser)
    except (ValueError, require("lxml.etree").ParserError) as exc:
        raise InputError(f"{name}: not an HTML page ({exc})") from None


def _pieces(element: Any) -> Iterator[str]:
    """An extracted element's text, ``<lb/>`` as a line break."""
    if element.text:
        yield element.text
    for child in element:
        if child.tag == "lb":
            yield "\n"
        else:
            yield from _pieces(child)
        if child.tail:
            yield child.tail


def _block(element: Any) -> str:
    lines = (" ".join(line.split()) for line in "".join(_pieces(element)).split("\n"))
    return "\n".join(line for line in lines if line)


def _blocks(body: Any) -> list[str]:
    """Paragraphs of trafilatura's output tree: one per heading, paragraph, quote, list item, row."""
    if body is None:
        return []
    out: list[str] = []
    for element in body:
        parts = element.findall(".//item") if element.tag == "list" else element.findall(".//row")
        out.extend(_block(p) for p in (parts if element.tag in ("list", "table") and parts else [element]))
    return [b for b in out if b]


def _metadata(result: Any, tree: Any, found: tuple[str, str] | None) -> dict[str, str]:
    title = getattr(result, "title", None) or " ".join(tree.findtext(".//title", default="").split())
    values = {"format": "html", "title": title, "url": getattr(result, "url", None),
              "site": getattr(result, "sitename", None), "author": getattr(result, "author", None),
              "published": found[1] if found else getattr(result, "date", None)}
    return {key: value for key, value in values.items() if isinstance(value, str) and value}


def _page_date(found: tuple[str, str] | None, result: Any) -> str | None:
    if found is not None:
        return found[0]
    day = getattr(result, "date", None)
    try:
        return canonical_date(day) if isinstance(day, str) else None
    except ValueError:
        return None


def extract_page(source: str, name: str, url: str | None = None, whole_if_empty: bool = False) -> Page:
    """The text a reader sees in ``source`` (HTML), its date and metadata; ``whole_if_empty``: all the
    text of the markup when the extractor finds no article in it (a feed entry's own HTML)."""
    tree = _parse(source, name)
    breaks_to_paragraphs(tree)
    blocks, found = page_blocks(tree), published(tree)
    trafilatura = require("trafilatura")
    try:
        result = trafilatura.bare_extraction(tree, url=url, include_comments=True, with_metadata=True,
                                             include_tables=True, date_extraction_params=dict(_DATE_PARAMS))
    except Exception as exc:  # a third-party heuristic on hostile markup: whatever fails, one line naming the page
        raise InputError(f"{name}: the text extractor failed on this page ({type(exc).__name__}: {exc})") from None
    extracted = [*_blocks(getattr(result, "body", None)), *_blocks(getattr(result, "commentsbody", None))]
    extracted += left_out(blocks, "\n".join(extracted))
    if not extracted and whole_if_empty:
        extracted = blocks
    text = "\n\n".join(extracted)
    if not text.strip():
        raise InputError(f"{name}: no text found in the HTML page (only markup, scripts or navigation)")
    return Page(checked_text(text, name), _page_date(found, result), _metadata(result, tree, found))


def html_document(data: bytes, name: str, doc_id: str) -> Document:
    """The document an HTML file holds: its extracted text, publication date and metadata."""
    page = extract_page(html_source(data, name), name)
    return Document(doc_id, page.text, page.date, page.metadata)
