"""The HTML report: an index page and a page per pair, written from the JSON report and the texts.

Templates are jinja2 package data (``syndidetect/templates``) with autoescape on: every document id
and text is escaped, so a document holding ``<script>`` shows it as text. CSS and JS are inlined
in each page, so the folder works offline and can be mailed or archived as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import jinja2

from syndidetect._version import __version__
from syndidetect.html.contract import ReportDict
from syndidetect.html.pages import BoilerplateSpans, pair_links, pair_page, percent, reuse_entries
from syndidetect.wording import counted

__all__ = ["write_html"]

StageProgress = Callable[[str, int, int], None]  # (stage, done, total)


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("syndidetect", "templates"),
        autoescape=True,  # every user string is escaped, in text and in attributes
        undefined=jinja2.StrictUndefined,  # a misspelt field fails the tests instead of printing nothing
        keep_trailing_newline=True,
    )
    environment.filters["counted"] = counted  # {{ n|counted("copy", "copies") }}: "1 copy", "2 copies"
    return environment


def write_html(report: ReportDict, texts: Mapping[str, str], out: Path,
               progress: StageProgress | None = None) -> Path:
    """Write ``index.html`` and ``pairs/NNNN.html`` (one per pair, in the report's order) under
    ``out``; returns the index page's path."""
    env = _environment()
    documents = {d["id"]: d for d in report["documents"]}
    links = pair_links(report)
    boilerplate = BoilerplateSpans(texts, frozenset(" ".join(b["text"].split()) for b in report["boilerplate"]))
    (out / "pairs").mkdir(parents=True, exist_ok=True)
    common = {"version": __version__, "percent": percent}
    pair_template = env.get_template("pair.html")
    for done, link in enumerate(links, start=1):
        page = pair_page(link, documents, texts, boilerplate)
        (out / link.href).write_text(pair_template.render(page=page, root="../", **common), encoding="utf-8")
        if progress is not None:
            progress("writing", done, len(links))
    index = out / "index.html"
    copies = [link for link in links if link.pair["verdict"] == "copy"]
    related = [link for link in links if link.pair["verdict"] != "copy"]
    index.write_text(env.get_template("index.html").render(
        report=report, entries=reuse_entries(links, documents), copies=copies, related=related,
        root="", **common), encoding="utf-8")
    return index
