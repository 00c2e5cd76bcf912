"""A page's publication date from its markup: meta tags, JSON-LD and ``<time>`` elements, read as
instants with their time and zone (the extractor's own date finder keeps the day only)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from syndidetect.dates import canonical_date

__all__ = ["published"]

# <meta> names and properties that carry the publication date, most specific first (Open Graph,
# schema.org microdata, Dublin Core, Parse.ly, Sailthru and the plain names news sites use).
META_KEYS = ("article:published_time", "og:article:published_time", "og:published_time", "datepublished",
             "parsely-pub-date", "sailthru.date", "dcterms.issued", "dc.date.issued", "dcterms.created",
             "dc.date.created", "dc.date", "date", "pubdate", "publishdate", "publish-date", "publish_date",
             "publication_date", "citation_publication_date", "article.published", "originalpublicationdate")
# JSON-LD can nest deeply; the date of the page's article is near the top.
JSON_LD_DEPTH = 6


def _meta(root: Any) -> Iterator[str]:
    found: dict[str, str] = {}
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        content = meta.get("content")
        if key in META_KEYS and content and key not in found:
            found[key] = content
    yield from (found[key] for key in META_KEYS if key in found)


def _json_ld_dates(value: Any, depth: int = 0) -> Iterator[str]:
    if depth > JSON_LD_DEPTH:
        return
    if isinstance(value, dict):
        if isinstance(value.get("datePublished"), str):
            yield value["datePublished"]
        for child in value.values():
            yield from _json_ld_dates(child, depth + 1)
    elif isinstance(value, list):
        for child in value:
            yield from _json_ld_dates(child, depth + 1)


def _json_ld(root: Any) -> Iterator[str]:
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() == "application/ld+json" and script.text:
            try:
                yield from _json_ld_dates(json.loads(script.text))
            except (ValueError, RecursionError):  # a broken block is the page's problem, not ours
                continue


def _time(root: Any) -> Iterator[str]:
    """``<time datetime>`` marked as the publication time (a comment's own <time> is not)."""
    for time in root.iter("time"):
        stamp = time.get("datetime")
        marked = (time.get("itemprop") or "").lower() == "datepublished" or time.get("pubdate") is not None
        if stamp and (marked or "published" in (time.get("class") or "").lower()):
            yield stamp


def published(root: Any) -> tuple[str, str] | None:
    """``(canonical UTC instant, the text found)`` of the first date in the page's markup that
    :func:`syndidetect.dates.parse_date` reads, or None."""
    for found in (*_meta(root), *_json_ld(root), *_time(root)):
        try:
            return canonical_date(found.strip()), found.strip()
        except ValueError:
            continue
    return None
