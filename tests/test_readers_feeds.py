"""RSS and Atom feeds: one document per entry (id: link or guid; date: published), the entry's HTML
through the page extractor; a feed with no entries or broken XML gives one line."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from conftest import assert_refused_in_one_line
from syndidetect.sources import read_inputs
from test_readers_html import SEED, SEED_TEXT, assert_copy_of_seed, news_page, scan_json, seed_paragraphs, write

LINK = "https://courier.example/ferry"


def rss(items: list[str], title: str = "The Courier") -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:content='
            f'"http://purl.org/rss/1.0/modules/content/"><channel><title>{title}</title>'
            f'<link>https://courier.example/</link>{"".join(items)}</channel></rss>')


def rss_item(body: str, link: str | None = LINK, guid: str | None = None, date: str | None = None,
             cdata: bool = True) -> str:
    parts = ["<title>Ferry</title>"]
    parts += [f"<link>{link}</link>"] if link else []
    parts += [f'<guid isPermaLink="false">{guid}</guid>'] if guid else []
    parts += [f"<pubDate>{date}</pubDate>"] if date else []
    content = f"<![CDATA[{body}]]>" if cdata else html.escape(body)
    return f"<item>{''.join(parts)}<description>Short teaser.</description><content:encoded>{content}" \
           "</content:encoded></item>"


def atom(entries: list[str]) -> str:
    return ('<?xml version="1.0" encoding="utf-8"?>\n<!-- generated --><feed xmlns="http://www.w3.org/2005/Atom">'
            f'<title>Wire</title><id>urn:wire</id><updated>2017-06-09T00:00:00Z</updated>{"".join(entries)}</feed>')


def atom_entry(body: str, entry_id: str, published: str | None, link: str | None = None) -> str:
    parts = [f"<id>{entry_id}</id><title>Entry</title><updated>2017-06-09T00:00:00Z</updated>"]
    parts += [f"<published>{published}</published>"] if published else []
    parts += [f'<link rel="alternate" href="{link}"/>'] if link else []
    return f'<entry>{"".join(parts)}<content type="html">{html.escape(body)}</content></entry>'


@pytest.mark.parametrize(("suffix", "cdata"), [(".rss", True), (".xml", False)])
def test_a_feed_entry_holding_the_page_is_a_copy_of_seed_001(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                             suffix: str, cdata: bool) -> None:
    feed = rss([rss_item(news_page(21, quoted=[]), link=LINK + "-0", date="Sun, 04 Jun 2017 09:00:00 GMT"),
                rss_item(news_page(22), date="Mon, 05 Jun 2017 08:00:00 -0400", cdata=cdata)])
    path = write(tmp_path / "in" / f"courier{suffix}", feed)
    write(tmp_path / "in" / SEED, SEED_TEXT)
    report = scan_json(capsys, str(tmp_path / "in"))
    docs = read_inputs([str(path)])
    assert [d.id for d in docs] == [LINK + "-0", LINK]
    assert docs[1].date == "2017-06-05T12:00:00Z" and docs[1].metadata["site"] == "The Courier"
    assert_copy_of_seed(report, LINK, {SEED: SEED_TEXT, **{d.id: d.text for d in docs}})


def test_atom_entries_ids_dates_and_plain_fragments(tmp_path: Path) -> None:
    fragment = "<p>" + "</p><p>".join(seed_paragraphs()[1:3]) + "</p>"
    feed = atom([atom_entry(fragment, "urn:wire:1", "2017-06-05T14:00:00+02:00"),
                 atom_entry("<p>A short item of news.</p>", "urn:wire:2", None, link="https://wire.example/2")])
    docs = read_inputs([str(write(tmp_path / "wire.atom", feed))])
    assert [d.id for d in docs] == ["urn:wire:1", "https://wire.example/2"]
    assert docs[0].date == "2017-06-05T12:00:00Z"  # published, as an instant
    assert docs[1].date == "2017-06-09T00:00:00Z"  # no published: updated
    assert docs[0].text.split("\n\n") == [" ".join(p.split()) for p in seed_paragraphs()[1:3]]
    assert docs[1].text == "A short item of news."  # too short for an article: the fragment's text


@pytest.mark.parametrize(("name", "data", "message"), [
    ("empty.rss", rss([]), r"empty\.rss: the feed has no entries"),
    ("page.rss", "<html><body><p>Not a feed</p></body></html>", r"page\.rss: not an RSS or Atom feed"),
    ("nolink.rss", rss([rss_item("<p>Text of the entry here.</p>", link=None)]),
     r"nolink\.rss: entry 1: entry has neither a link nor a guid/id"),
    ("blank.atom", atom(["<entry><id>urn:e:1</id><title>E</title><updated>2017-06-09T00:00:00Z</updated></entry>"]),
     r"blank\.atom: entry 1 \(urn:e:1\): empty entry \(no content or summary\)"),
])
def test_bad_feeds_give_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, data: str,
                                 message: str) -> None:
    path = write(tmp_path / name, data)
    assert_refused_in_one_line(path, message, capsys)


def test_broken_xml_is_read_as_far_as_it_goes_with_a_warning(tmp_path: Path) -> None:
    feed = rss([rss_item("<p>The first entry's text, complete.</p>", link=LINK + "-1"),
                rss_item("<p>The second.</p>", link=LINK + "-2")])
    warnings: list[str] = []
    docs = read_inputs([str(write(tmp_path / "cut.rss", feed[:-40]))], warn=warnings.append)
    assert [d.id for d in docs][:1] == [LINK + "-1"]
    assert len(warnings) == 1 and "cut.rss: not well-formed XML" in warnings[0]


def test_xml_that_is_not_a_feed_is_a_file_of_unknown_type_in_a_folder(tmp_path: Path) -> None:
    write(tmp_path / "f" / "sitemap.xml", '<?xml version="1.0"?><urlset><url><loc>x</loc></url></urlset>')
    write(tmp_path / "f" / "feed.xml", atom([atom_entry("<p>Some entry text.</p>", "urn:x:1", None)]))
    warnings: list[str] = []
    docs = read_inputs([str(tmp_path / "f")], warn=warnings.append)
    assert [d.id for d in docs] == ["urn:x:1"]
    assert len(warnings) == 1 and "sitemap.xml" in warnings[0] and "unknown type" in warnings[0]
