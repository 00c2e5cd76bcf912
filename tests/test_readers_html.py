"""HTML pages: the text a reader sees (main text and comments), metadata and dates, and the acceptance
case of the issue: a saved news page quoting seed 001 in full inside a reader comment is a copy of it.

The pages are generated here with varied layouts and chrome (menus, ads, related links, cookie
notices, comment widgets of several kinds); nothing is downloaded. Other reader tests import
:func:`news_page` from this module.
"""

from __future__ import annotations

import html
import json
import random
import socket
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SEEDS, assert_refused_in_one_line, truth_key
from syndidetect.cli.main import main
from syndidetect.errors import InputError, MissingDependencyError
from syndidetect.readers.html import extract_page, html_document
from syndidetect.sources import read_inputs

SEED = "001_cfa5f3a7a816170c.txt"
SEED_TEXT = (SEEDS / SEED).read_text(encoding="utf-8")
ARTICLE = [
    "The harbour authority said on Tuesday that the new ferry terminal would open next spring, two years later "
    "than first planned.",
    "Engineers found that the seabed under the northern pier was softer than the survey had shown, and the "
    "foundations had to be redesigned at considerable cost.",
    "Local businesses, which had hoped for more visitors this summer, said the delay would cost them dearly.",
    "A spokesperson for the authority said the extra cost would be covered by the national infrastructure fund.",
]
COMMENT_LAYOUTS = ("wordpress", "div-comments", "br-lines", "disqus", "unknown-widget", "blockquote")
DATE_MARKUP = ("og", "json-ld", "time", "meta-rfc2822", "none")


def seed_paragraphs() -> list[str]:
    return [p.strip() for p in SEED_TEXT.split("\n\n") if p.strip()]


def _e(text: str) -> str:
    return html.escape(text, quote=False)


def _chrome(rng: random.Random) -> dict[str, str]:
    """Navigation, ads, related links, cookie notice and footer, each in one of a few styles."""
    menu = ["Home", "World", "Business", "Sport", "Culture", "Weather", "Opinion"]
    rng.shuffle(menu)
    nav = rng.choice([
        '<nav><ul>' + "".join(f'<li><a href="/{m.lower()}">{m}</a></li>' for m in menu) + '</ul></nav>',
        '<div id="menu">' + " | ".join(f'<a href="/{m}">{m}</a>' for m in menu) + '</div>',
        '<header class="site-header"><a class="logo" href="/">The Courier</a><ul class="nav">'
        + "".join(f"<li>{m}</li>" for m in menu[:4]) + "</ul></header>",
    ])
    ad = rng.choice(['<div class="ad-slot"><span>Advertisement</span><a href="https://ads.example/c">Win a cruise '
                     'for two!</a></div>',
                     '<aside class="sponsored"><p>Sponsored: refinance your home today</p></aside>',
                     '<iframe src="https://ads.example/frame"></iframe>'])
    related = rng.choice([
        '<aside class="related"><h3>Related</h3><ul><li><a href="/a">Ferry fares rise again</a></li>'
        '<li><a href="/b">Port workers strike over pay</a></li><li><a href="/c">Storm closes harbour</a></li>'
        '</ul></aside>',
        '<div class="more-stories"><h4>Most popular</h4><ol><li>Council tax to rise</li><li>New bridge opens</li>'
        '</ol></div>',
    ])
    cookie = rng.choice(["", '<div class="cookie-banner">We use cookies. <button>Accept</button></div>'])
    footer = rng.choice(['<footer><p>© 2017 The Courier. All rights reserved.</p><a href="/terms">Terms</a></footer>',
                         '<div id="footer">Contact us | Privacy | Advertise with us</div>'])
    return {"nav": nav, "ad": ad, "related": related, "cookie": cookie, "footer": footer}


def _quoted(paragraphs: list[str], style: str) -> str:
    if style == "br-lines":
        return "<br><br>\n".join(_e(p) for p in paragraphs)
    return "".join(f"<p>{_e(p)}</p>\n" for p in paragraphs)


def _comments(layout: str, quoted: list[str], rng: random.Random) -> str:
    body = _quoted(quoted, layout)
    small = rng.choice(["Typical.", "Thanks for sharing this.", "Who wrote this?"])
    if layout == "wordpress":
        return ('<section id="comments"><h3>2 Responses</h3><ol class="commentlist">'
                f'<li class="comment"><div class="comment-author">mark_t</div><div class="comment-body"><p>{small}</p>'
                '</div></li><li class="comment"><div class="comment-author">watcher</div><div class="comment-body">'
                f'<p>Saw this earlier today:</p>{body}</div></li></ol></section>')
    if layout == "div-comments":
        return (f'<div class="comments"><h2>Reader comments</h2><div class="comment"><p class="by">anna</p>{body}'
                f'</div><div class="comment"><p class="by">tom</p><p>{small}</p></div></div>')
    if layout == "br-lines":
        return (f'<div class="comments-area"><div class="comment" id="c-1"><b>kay</b><div class="comment-content">'
                f'{body}</div></div><div class="comment"><b>lee</b><div class="comment-content">{small}</div></div>'
                '</div>')
    if layout == "disqus":
        return (f'<div id="disqus_thread"><div class="post"><div class="post-body"><span class="author">anon</span>'
                f'<div class="post-message">{body}</div></div></div></div>')
    if layout == "unknown-widget":
        return (f'<div class="talk-zone"><div class="reply-card"><span class="who">reader42</span>'
                f'<div class="reply-text">{body}</div></div><div class="reply-card"><p>{small}</p></div></div>')
    return (f'<section class="user-comments"><article class="note"><p>Copied for those without a subscription:</p>'
            f'<blockquote>{body}</blockquote></article></section>')


def _date_markup(kind: str, when: str) -> tuple[str, str]:
    """(markup in <head>, markup in the article) that state the publication time ``when`` (ISO 8601)."""
    if kind == "og":
        return f'<meta property="article:published_time" content="{when}">', ""
    if kind == "json-ld":
        data = {"@context": "https://schema.org", "@graph": [{"@type": "NewsArticle", "headline": "x",
                                                                "datePublished": when}]}
        return f'<script type="application/ld+json">{json.dumps(data)}</script>', ""
    if kind == "time":
        return "", f'<time itemprop="datePublished" datetime="{when}">on the day</time>'
    if kind == "meta-rfc2822":
        from datetime import datetime
        from email.utils import format_datetime

        return f'<meta name="date" content="{format_datetime(datetime.fromisoformat(when))}">', ""
    return "", ""


def news_page(seed: int = 0, layout: str | None = None, quoted: list[str] | None = None,
              published: str | None = "2017-06-05T08:00:00-04:00", date_kind: str | None = None) -> str:
    """A saved news page (chrome around an article, a comment section); ``quoted`` (default: seed 001's
    paragraphs) is pasted whole into one reader comment."""
    rng = random.Random(seed)
    layout = layout or rng.choice(COMMENT_LAYOUTS)
    date_kind = date_kind or rng.choice(DATE_MARKUP[:-1])
    head_date, body_date = _date_markup(date_kind, published) if published else ("", "")
    chrome = _chrome(rng)
    article = "".join(f"<p>{_e(p)}</p>" for p in ARTICLE[: rng.randint(2, len(ARTICLE))])
    comments = _comments(layout, seed_paragraphs() if quoted is None else quoted, rng)
    wrapper = rng.choice(["main", "div"])
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Ferry terminal delayed | The '
            f'Courier</title>{head_date}<meta property="og:site_name" content="The Courier">'
            '<link rel="canonical" href="https://courier.example/ferry"><style>.ad-slot{display:block}</style>'
            f'<script>window.analytics = {{"id": {seed}}};</script></head><body>{chrome["cookie"]}{chrome["nav"]}'
            f'{chrome["ad"]}<{wrapper} class="content"><article><h1>Ferry terminal delayed by two years</h1>'
            f'<p class="byline">By Sam Doe {body_date}</p>{article}</article>{chrome["related"]}{comments}'
            f'</{wrapper}>{chrome["footer"]}</body></html>')


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def scan_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    capsys.readouterr()
    code = main(["scan", *args, "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    report: dict[str, Any] = json.loads(out)
    return report


def assert_copy_of_seed(report: dict[str, Any], copy_id: str, texts: dict[str, str]) -> None:
    """The page is reported as a verbatim copy of seed 001, every paragraph pair joins a 001 paragraph
    to the same words on the page, every paragraph truth.json lists is matched, and every span is the
    extracted text at its offsets."""
    pairs = [p for p in report["pairs"] if set(p["documents"]) == {SEED, copy_id}]
    assert len(pairs) == 1 and pairs[0]["verdict"] == "copy", report["pairs"]
    matched = set()
    for match in pairs[0]["matches"]:
        refs = {ref["document"]: ref for ref in match["paragraphs"]}
        assert truth_key(refs[SEED]["text"]) == truth_key(refs[copy_id]["text"])
        matched.add(truth_key(refs[SEED]["text"]))
        for ref in match["paragraphs"]:
            assert texts[ref["document"]][ref["start"]:ref["end"]] == ref["text"]
    for passage in pairs[0]["passages"]:
        for span in passage["spans"]:
            assert texts[span["document"]][span["start"]:span["end"]] == span["text"]
    truth = json.loads((SEEDS / "truth.json").read_text(encoding="utf-8"))
    wanted = {a for a, _ in next(c for c in truth["copies"] if c["source"] == SEED)["paragraphs"]}  # keys already
    assert wanted <= matched


@pytest.mark.parametrize("layout", COMMENT_LAYOUTS)
@pytest.mark.parametrize("seed", [1, 2])
def test_a_page_quoting_seed_001_in_a_comment_is_a_copy_of_it(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                              layout: str, seed: int) -> None:
    write(tmp_path / "news" / SEED, SEED_TEXT)
    write(tmp_path / "news" / "saved" / "ferry.html", news_page(seed, layout))
    report = scan_json(capsys, str(tmp_path / "news"))
    texts = {d.id: d.text for d in read_inputs([str(tmp_path / "news")])}
    assert "<p>" not in texts["saved/ferry.html"] and "Advertisement" not in texts["saved/ferry.html"]
    assert_copy_of_seed(report, "saved/ferry.html", texts)


def test_extract_prints_the_text_the_spans_index(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = write(tmp_path / "page.html", news_page(3, "wordpress"))
    seed = write(tmp_path / SEED, SEED_TEXT)
    capsys.readouterr()
    assert main(["extract", str(page)]) == 0
    extracted = capsys.readouterr().out
    assert extracted == read_inputs([str(page)])[0].text
    assert extracted.startswith("Ferry terminal delayed by two years\n\n")
    report = scan_json(capsys, str(page), str(seed))
    assert_copy_of_seed(report, "page.html", {"page.html": extracted, SEED: SEED_TEXT})


def test_main_text_comments_and_metadata(tmp_path: Path) -> None:
    doc = html_document(news_page(4, "div-comments", date_kind="og").encode(), "p.html", "p.html")
    paragraphs = doc.text.split("\n\n")
    assert ARTICLE[0] in paragraphs and "Saw this earlier today:" not in paragraphs
    assert seed_paragraphs()[1] in paragraphs  # from the comment, a paragraph of its own
    assert not any(word in doc.text for word in ("Win a cruise", "window.analytics", "display:block", "Privacy"))
    assert doc.metadata["site"] == "The Courier" and doc.metadata["url"] == "https://courier.example/ferry"
    assert doc.metadata["title"] == "Ferry terminal delayed by two years"
    assert doc.date == "2017-06-05T12:00:00Z"  # 08:00 at -04:00, as an instant


@pytest.mark.parametrize(("kind", "expected"), [("og", "2017-06-05T12:00:00Z"), ("json-ld", "2017-06-05T12:00:00Z"),
                                                ("time", "2017-06-05T12:00:00Z"),
                                                ("meta-rfc2822", "2017-06-05T12:00:00Z"), ("none", None)])
def test_publication_dates_from_the_markup(kind: str, expected: str | None) -> None:
    page = extract_page(news_page(5, "wordpress", date_kind=kind), "p.html")
    assert page.date == expected


def test_charset_declared_by_the_page_is_used(tmp_path: Path) -> None:
    page = ('<html><head><meta charset="windows-1252"><title>t</title></head><body><article><p>Caf\u00e9 owners in '
            'the old town said the new parking rules, which start in May, would keep customers away from the '
            'square.</p></article></body></html>')
    doc = read_inputs([str(write(tmp_path / "cp.html", page.encode("cp1252")))])[0]
    assert "Café owners" in doc.text


@pytest.mark.parametrize(("data", "message"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", r"broken\.html: binary file \(contains NUL bytes\)"),
    (b"<html><head><script>var a = 1;</script></head><body><nav><a href='/'></a></nav></body></html>",
     r"broken\.html: no text found in the HTML page"),
    (b"", r"broken\.html: empty document"),
    (b'<html><head><meta charset="x-unknown-9"></head><body><p>text</p></body></html>',
     r"broken\.html: the page declares an unknown charset 'x-unknown-9'"),
    (b"<html><body><p>caf\xe9</p></body></html>", r"broken\.html: not valid UTF-8 \(byte 0xE9"),
    (b'<html><head><meta charset="shift_jis"></head><body><p>\x81\x39</p></body></html>',
     r"broken\.html: not valid shift_jis as the page declares \(byte 0x81 at offset 54\)"),
    (b"<!-- nothing but a comment -->", r"broken\.html: not an HTML page \(Document is empty\)"),
])
def test_broken_html_gives_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes,
                                          message: str) -> None:
    path = write(tmp_path / "broken.html", data)
    assert_refused_in_one_line(path, message, capsys)


def test_a_page_cut_short_is_read_as_far_as_it_goes(tmp_path: Path) -> None:
    page = news_page(6, "wordpress")
    cut = page[: page.index(ARTICLE[1][:30]) + 10]  # inside the second paragraph, tags left open
    doc = read_inputs([str(write(tmp_path / "cut.html", cut))])[0]
    assert ARTICLE[0] in doc.text and "Saw this earlier" not in doc.text


def test_reading_pages_opens_no_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access while reading a page")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    page = news_page(7, "disqus").replace("</head>", '<link rel="stylesheet" href="https://cdn.example/s.css">'
                                          '<img src="https://img.example/a.jpg"></head>')
    text = extract_page(page, "p.html", url="https://courier.example/ferry").text
    assert " ".join(seed_paragraphs()[2].split()) in " ".join(text.split())


def test_missing_extractor_names_the_pip_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "trafilatura", None)  # as if not installed: import raises ImportError
    with pytest.raises(MissingDependencyError, match=r"'trafilatura' is not installed; install it with: "
                                                     r"pip install 'syndidetect\[web\]'"):
        extract_page(news_page(8), "p.html")


MARKUP = st.lists(st.one_of(st.sampled_from(["<p>", "</p>", "<div class='comment'>", "</div>", "<br>", "<script>",
                                             "</script>", "<!--", "-->", "<meta charset='utf-16'>", "<html>", "<body",
                                             "&nbsp;", "&#0;", "<time datetime='2024-13-45' pubdate>", "<![CDATA[",
                                             "<?xml version='1.0' encoding='latin-1'?>", "\x00", "\ufeff"]),
                          st.text(max_size=40)), max_size=30).map("".join)


@settings(max_examples=60)
@given(markup=MARKUP, encoding=st.sampled_from(["utf-8", "utf-16", "latin-1"]))
def test_any_markup_gives_a_document_or_one_input_error(markup: str, encoding: str) -> None:
    data = markup.encode(encoding, "surrogatepass" if encoding.startswith("utf") else "replace")
    try:
        doc = html_document(data, "fuzz.html", "fuzz.html")
    except InputError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("fuzz.html: ")
    else:
        assert doc.text.strip() and "\x00" not in doc.text
