"""One scan over a folder of every format: ids, the warning about files of unknown type, folders whose
files share names, --on-error skip, the extract command, and direction from dates of every source."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from conftest import SEEDS
from syndidetect.cli.main import main
from syndidetect.errors import InputError
from syndidetect.sources import read_inputs
from test_readers_feeds import rss, rss_item
from test_readers_html import SEED, SEED_TEXT, news_page, seed_paragraphs, write
from test_readers_warc import crawl

OTHER = "002_9d80eb7e5257ff50.txt"
URL = "https://x.example/page"


def mixed_folder(root: Path) -> Path:
    """One document (or a few) in every format the scan reads, and three files it does not."""
    texts = {f.name: f.read_text(encoding="utf-8") for f in sorted(SEEDS.glob("*.txt"))}
    write(root / "wire" / SEED, SEED_TEXT)
    write(root / "notes.md", texts["003_4051cc1a3433920e.txt"])
    write(root / "records.jsonl", json.dumps({"id": "rec-004", "text": texts["004_ab43671d69f11038.txt"]}) + "\n")
    write(root / "saved" / "page.html", news_page(31))
    write(root / "crawl.warc.gz", crawl([("https://crawl.example/a", news_page(32, quoted=seed_paragraphs()[:12]))]))
    write(root / "feed.rss", rss([rss_item(news_page(33, quoted=[]), link="https://feed.example/1")]))
    pd.DataFrame({"id": ["tab-002"], "text": [texts[OTHER]]}).to_parquet(root / "table.parquet")
    write(root / "table.csv", "id,text\ncsv-000," + json.dumps(texts["000_c5b587893c6a010b.txt"]) + "\n")
    for name in ("scan.pdf", "photo.png", "sitemap.xml"):
        write(root / name, b"<?xml version='1.0'?><urlset/>" if name.endswith("xml") else b"\x00\x01")
    return root


def test_one_scan_reads_every_format_and_lists_the_rest_in_one_line(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    folder = mixed_folder(tmp_path / "mixed")
    capsys.readouterr()
    assert main(["scan", str(folder), "--format", "json"]) == 0
    out, err = capsys.readouterr()
    ids = [d["id"] for d in json.loads(out)["documents"]]
    assert sorted(ids) == sorted(["wire/" + SEED, "notes.md", "rec-004", "saved/page.html", "https://crawl.example/a",
                                  "https://feed.example/1", "tab-002", "csv-000"])
    copies = {frozenset(p["documents"]) for p in json.loads(out)["pairs"] if p["verdict"] == "copy"}
    assert frozenset({"wire/" + SEED, "saved/page.html"}) in copies
    assert frozenset({"wire/" + SEED, "https://crawl.example/a"}) in copies
    assert err.count("\n") == 1 and err.startswith("syndidetect: warning: skipped 3 files of unknown type: ")
    assert all(name in err for name in ("photo.png", "scan.pdf", "sitemap.xml"))


def test_a_single_folder_keeps_its_relative_ids(tmp_path: Path) -> None:
    assert [d.id for d in read_inputs([str(SEEDS)], warn=lambda message: None)] == \
        sorted(f.name for f in SEEDS.glob("*.txt"))


def test_folders_whose_files_share_names_get_the_folder_in_every_path_id(tmp_path: Path) -> None:
    write(tmp_path / "2023" / "article.txt", "The first year's article text.")
    write(tmp_path / "2024" / "article.txt", "The second year's article text.")
    page = "<html><body><article><p>" + seed_paragraphs()[1] + "</p></article></body></html>"
    write(tmp_path / "2024" / "more.html", page)
    write(tmp_path / "wire.jsonl", '{"id": "w1", "text": "A record keeps its id."}\n')
    base = tmp_path.as_posix()
    docs = read_inputs([f"{base}/2023/", f"{base}/2024", f"{base}/wire.jsonl"])
    assert [d.id for d in docs] == [f"{base}/2023/article.txt", f"{base}/2024/article.txt", f"{base}/2024/more.html",
                                    "w1"]
    docs = read_inputs([f"{base}/2023", f"{base}/wire.jsonl"])  # no collision: ids as always
    assert [d.id for d in docs] == ["article.txt", "w1"]
    with pytest.raises(InputError, match=r"duplicate document id 'article\.txt'"):
        read_inputs([f"{base}/2023", f"{base}/2023"])


def test_on_error_skip_reports_each_bad_input_and_scans_the_rest(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "news"
    write(folder / SEED, SEED_TEXT)
    write(folder / "page.html", news_page(34))
    write(folder / "latin.txt", "café".encode("cp1252"))
    write(folder / "broken.html", "<html><body><script>x()</script></body></html>")
    write(folder / "records.jsonl", '{"id": "ok", "text": "A fine record."}\n{"id": "bad", "text": 3}\n')
    write(folder / "nocol.csv", "id,body\na,text\n")
    capsys.readouterr()
    assert main(["scan", str(folder), "--format", "json"]) == 2  # the default: stop at the first
    assert len(capsys.readouterr().err.splitlines()) == 1
    assert main(["scan", str(folder), "--format", "json", "--on-error", "skip", "--fail-on-copy"]) == 1
    out, err = capsys.readouterr()
    assert sorted(d["id"] for d in json.loads(out)["documents"]) == [SEED, "ok", "page.html"]
    lines = err.splitlines()
    assert len(lines) == 5 and all(line.startswith("syndidetect: warning: ") for line in lines)
    assert all(any(bad in line for line in lines[:4]) for bad in ("broken.html", "latin.txt", "records.jsonl:2",
                                                                  "nocol.csv"))
    assert lines[-1] == ("syndidetect: warning: skipped 3 bad files and 1 bad record; "
                         "the report covers the other 3 documents")


def test_extract_jsonl_reads_back_into_the_same_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = mixed_folder(tmp_path / "mixed")
    capsys.readouterr()
    assert main(["extract", str(folder), "--format", "jsonl"]) == 0
    extracted = write(tmp_path / "extracted.jsonl", capsys.readouterr().out)
    assert main(["scan", str(folder), "--format", "json"]) == 0
    direct = json.loads(capsys.readouterr().out)
    assert main(["scan", str(extracted), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == direct
    assert main(["extract", str(folder / "crawl.warc.gz"), "--id", "https://crawl.example/a"]) == 0
    text = capsys.readouterr().out
    assert text == read_inputs([str(folder / "crawl.warc.gz")])[0].text
    assert main(["extract", str(folder / "feed.rss"), "--id", "nope"]) == 2
    assert "no document with id 'nope' (ids: https://feed.example/1)" in capsys.readouterr().err
    assert main(["extract", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "holds 8 documents" in err and "choose one with --id ID" in err and len(err.splitlines()) == 2


@pytest.mark.parametrize(("page_date", "seed_date", "source"), [
    # The page's 08:00 at -04:00 is 12:00 UTC: after 10:00 UTC, although "08:00" < "10:00".
    ("2017-06-05T08:00:00-04:00", "2017-06-05T10:00:00Z", SEED),
    # The seed's RFC 2822 time at +0200 is 13:30 UTC: after the page.
    ("2017-06-05T08:00:00-04:00", "Mon, 05 Jun 2017 15:30:00 +0200", "page"),
    # A day only is midnight UTC, after 23:30 UTC the day before, although "2017-06-05" sorts first.
    ("2017-06-05", "2017-06-05T00:30:00+01:00", SEED),
])
def test_direction_follows_dates_from_every_source(tmp_path: Path, page_date: str, seed_date: str,
                                                   source: str) -> None:
    records = json.dumps({"id": SEED, "text": SEED_TEXT, "date": seed_date})
    inputs = {
        "page": write(tmp_path / "page.html", news_page(35, published=page_date, date_kind="og")),
        "warc": write(tmp_path / "c.warc", crawl([(URL, news_page(36, published=None))], gzip=False, chrome=False)
                      .replace(b"2017-06-07T10:00:00Z", page_date.encode())),  # no date in the page: WARC-Date
        "feed": write(tmp_path / "f.rss", rss([rss_item(news_page(37, published=None), link=URL, date=page_date)])),
    }
    seed_file = write(tmp_path / "seed.jsonl", records + "\n")
    import syndidetect as sd

    for kind, path in inputs.items():
        docs = read_inputs([str(path), str(seed_file)])
        copy_id = docs[0].id
        pair = sd.detect(docs).pairs[0]
        assert pair.verdict == "copy" and pair.direction is not None, kind
        expected = copy_id if source == "page" else SEED
        assert pair.direction.source == expected, (kind, docs[0].date, docs[1].date)


def test_reading_every_format_opens_no_connection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access while reading inputs")

    folder = mixed_folder(tmp_path / "mixed")
    for name in ("connect", "connect_ex", "sendto"):
        monkeypatch.setattr(socket.socket, name, refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert len(read_inputs([str(folder)], warn=lambda message: None)) == 8
