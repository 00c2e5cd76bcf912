"""Which reader a file needs, told from its name or its first bytes, without importing any reader:
a command that reads text files (``index check article.txt``) loads no HTML, feed or WARC code."""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["FEED_SUFFIXES", "HTML_SUFFIXES", "SNIFF_BYTES", "WARC_SUFFIXES", "is_warc", "looks_like_feed"]

HTML_SUFFIXES = (".html", ".htm", ".xhtml")
WARC_SUFFIXES = (".warc", ".warc.gz")
FEED_SUFFIXES = (".rss", ".atom")
# Bytes read to tell a feed from other XML: the root element follows at most a declaration, a few
# comments, a stylesheet instruction and a doctype.
SNIFF_BYTES = 4096
_PROLOGUE = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>)", re.DOTALL | re.IGNORECASE)
_ROOT = re.compile(r"\s*<(?:[\w.-]+:)?(rss|feed|RDF)[\s>/]")


def looks_like_feed(data: bytes) -> bool:
    """Whether the XML in ``data`` has an RSS (``<rss>``, RSS 1.0 ``<rdf:RDF>``) or Atom root."""
    head = data[:SNIFF_BYTES]
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            head = head[2:].decode(codec, "ignore").encode("utf-8")
    text = head.decode("latin-1").lstrip("\ufeff").removeprefix("ï»¿")  # the UTF-8 BOM read as Latin-1
    position = 0
    while (prologue := _PROLOGUE.match(text, position)) is not None and prologue.end() > position:
        position = prologue.end()
    return _ROOT.match(text, position) is not None


def is_warc(path: Path) -> bool:
    return path.name.lower().endswith(WARC_SUFFIXES)
