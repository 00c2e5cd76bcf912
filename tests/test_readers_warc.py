"""WARC files: every HTML response record is a document (id: target URI; date: the page's, else the
WARC-Date); the acceptance case from a WARC record; truncated and foreign files give one line."""

from __future__ import annotations

import gzip as gzip_module
import io
import uuid
from pathlib import Path

import pytest

from syndidetect.cli.main import main
from syndidetect.errors import InputError
from syndidetect.readers.problems import Problems
from syndidetect.readers.warc import warc_documents
from syndidetect.sources import read_inputs
from test_readers_html import SEED, SEED_TEXT, assert_copy_of_seed, news_page, scan_json, write

URI = "https://courier.example/2017/06/ferry"


def _record(out: io.BytesIO, uri: str, body: bytes, status: str = "200 OK", ctype: str = "text/html",
            date: str = "2017-06-07T10:00:00Z", gzip: bool = True) -> None:
    """One WARC/1.0 response record, written by hand (a gzip member of its own in a .warc.gz)."""
    http = f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body
    head = (f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {uri}\r\nWARC-Date: {date}\r\n"
            f"WARC-Record-ID: <urn:uuid:{uuid.uuid4()}>\r\nContent-Type: application/http; msgtype=response\r\n"
            f"Content-Length: {len(http)}\r\n\r\n").encode()
    record = head + http + b"\r\n\r\n"
    out.write(gzip_module.compress(record) if gzip else record)


def crawl(pages: list[tuple[str, str]], gzip: bool = True, chrome: bool = True) -> bytes:
    """A WARC file holding ``pages`` ((uri, html)) among the records a crawler also writes."""
    out = io.BytesIO()
    if chrome:
        _record(out, "https://courier.example/", b"", status="301 Moved Permanently", gzip=gzip)
        _record(out, "https://courier.example/logo.png", b"\x89PNG\r\n\x1a\n", ctype="image/png", gzip=gzip)
    for uri, page in pages:
        _record(out, uri, page.encode("utf-8"), ctype="text/html; charset=utf-8", gzip=gzip)
    if chrome:
        _record(out, "https://courier.example/404", b"<html><body><p>Not found</p></body></html>",
                status="404 Not Found", gzip=gzip)
    return out.getvalue()


@pytest.mark.parametrize("gzip", [True, False])
def test_a_warc_record_quoting_seed_001_is_a_copy_of_it(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                       gzip: bool) -> None:
    name = "crawl.warc.gz" if gzip else "crawl.warc"
    warc = write(tmp_path / "in" / name, crawl([(URI, news_page(11)), (URI + "-2", news_page(12, quoted=[]))], gzip))
    write(tmp_path / "in" / SEED, SEED_TEXT)
    report = scan_json(capsys, str(tmp_path / "in"))
    docs = read_inputs([str(warc)])
    assert [d.id for d in docs] == [URI, URI + "-2"]  # the redirect, the image and the 404 are no pages
    assert_copy_of_seed(report, URI, {SEED: SEED_TEXT, **{d.id: d.text for d in docs}})


def test_date_is_the_pages_else_the_capture_time(tmp_path: Path) -> None:
    data = crawl([(URI, news_page(13, published="2017-06-05T08:00:00-04:00")),
                  ("https://other.example/a", news_page(14, published=None))], chrome=False)
    docs = read_inputs([str(write(tmp_path / "c.warc.gz", data))])
    assert [d.date for d in docs] == ["2017-06-05T12:00:00Z", "2017-06-07T10:00:00Z"]
    assert docs[0].metadata["url"] == URI and docs[0].metadata["format"] == "warc"


def test_a_page_captured_twice_gets_the_capture_time_in_its_second_id(tmp_path: Path) -> None:
    out = io.BytesIO()
    _record(out, URI, news_page(15).encode(), date="2017-06-07T10:00:00Z")
    _record(out, URI, news_page(16).encode(), date="2017-06-08T10:00:00Z")
    docs = read_inputs([str(write(tmp_path / "c.warc.gz", out.getvalue()))])
    assert [d.id for d in docs] == [URI, f"{URI} (2017-06-08T10:00:00Z)"]


@pytest.mark.parametrize("gzip", [True, False])
def test_a_truncated_warc_gives_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], gzip: bool) -> None:
    data = crawl([(URI, news_page(17)), (URI + "-2", news_page(18))], gzip, chrome=False)
    path = write(tmp_path / ("cut.warc.gz" if gzip else "cut.warc"), data[: len(data) - 300])
    with pytest.raises(InputError, match=r"cut\.warc(\.gz)?: record 2 \(https://courier\.example/2017/06/ferry-2\): "
                                         r"truncated WARC record \(\d+ bytes missing\)"):
        read_inputs([str(path)])
    capsys.readouterr()
    assert main(["scan", str(path)]) == 2
    assert len(capsys.readouterr().err.splitlines()) == 1
    warnings: list[str] = []  # in skip mode the pages before the cut are kept
    docs = warc_documents(path, "cut.warc", Problems("skip", warnings.append))
    assert [d.id for d in docs] == [URI] and len(warnings) == 1 and "truncated" in warnings[0]


@pytest.mark.parametrize(("data", "message"), [
    (b"This is not a WARC file at all\n", r"x\.warc: not a readable WARC file"),
    (crawl([], chrome=True), r"x\.warc: no HTML response records in this WARC file"),
])
def test_files_that_are_no_usable_warc_give_one_line(tmp_path: Path, data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_inputs([str(write(tmp_path / "x.warc", data))])


def test_a_page_with_no_text_names_its_record(tmp_path: Path) -> None:
    data = crawl([(URI, "<html><body><script>app()</script></body></html>")], chrome=False)
    with pytest.raises(InputError, match=r"e\.warc: record 1 \(https://courier\.example/2017/06/ferry\): "
                                         r"no text found"):
        read_inputs([str(write(tmp_path / "e.warc", data))])


def test_a_page_too_large_or_a_response_without_target_uri(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    out = io.BytesIO()
    _record(out, "https://courier.example/a", news_page(19).encode(), gzip=False)
    path = write(tmp_path / "w.warc", out.getvalue())
    monkeypatch.setattr("syndidetect.readers.warc.MAX_FILE_BYTES", 100)
    with pytest.raises(InputError, match=r"w\.warc: record 1 \(https://courier\.example/a\): page too large "
                                         r"\(more than 100 bytes\)"):
        read_inputs([str(path)])
    monkeypatch.undo()
    path.write_bytes(out.getvalue().replace(b"WARC-Target-URI: https://courier.example/a\r\n", b""))
    with pytest.raises(InputError, match=r"w\.warc: not a readable WARC file"):  # warcio cannot parse it
        read_inputs([str(path)])
