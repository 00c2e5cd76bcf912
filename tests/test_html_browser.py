"""The seeds' HTML report in a real browser: headless Chromium (Debian's ``chromium``) driven through
the DevTools protocol over a pipe (``--remote-debugging-pipe``: JSON messages ending in NUL on file
descriptors 3 and 4), so no driver package and no network port are needed.

It counts the marks per side of the 001/000 pair page through the DOM, clicks one with a real
mouse event, checks that its partner is highlighted and scrolled into view, checks the phone
layout, and takes a screenshot into the test's temporary folder: a test run never writes into the
repository. ``SYNDIDETECT_SCREENSHOT=docs/report.png python -m pytest tests/test_html_browser.py``
also copies it there, to renew the screenshot the README shows.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from syndidetect.detector import detect
from syndidetect.sources import read_inputs

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--remote-debugging-pipe"]
TIMEOUT = 60  # seconds without a message from chromium: a hang becomes a failure
COPY_PAIR = ("000_c5b587893c6a010b.txt", "001_cfa5f3a7a816170c.txt")

if CHROMIUM is None:
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed: .ci/run installs it (apt-get install chromium)", pytrace=False)
    pytestmark = pytest.mark.skip(reason="chromium is not installed (apt-get install chromium); CI runs this test")


class Browser:
    """A page in headless Chromium, driven by DevTools protocol messages on a pipe."""

    def __init__(self, user_data_dir: Path) -> None:
        assert CHROMIUM is not None
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def child_fds() -> None:  # the protocol's fixed descriptors: 3 reads commands, 4 writes replies
            high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_browser_r, from_browser_w)]
            os.dup2(high[0], 3)  # via copies above 10, so neither pipe end is overwritten first
            os.dup2(high[1], 4)

        self.process = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={user_data_dir}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=child_fds, pass_fds=(3, 4))  # kept open: set by child_fds, which runs before the close
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.send("Page.enable", session=True)

    def _message(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            if not select.select([self._from_browser], [], [], TIMEOUT)[0]:
                raise TimeoutError(f"chromium sent nothing for {TIMEOUT} s")
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def send(self, method: str, session: bool = False, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        command: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            command["sessionId"] = self.session
        os.write(self._to_browser, json.dumps(command).encode() + b"\0")
        while True:
            message = self._message()
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message["result"]
                return result
            self.events.append(message)

    def wait_for(self, event: str) -> None:
        while not any(e.get("method") == event for e in self.events):
            self.events.append(self._message())
        self.events.clear()

    def open(self, url: str, width: int, height: int, mobile: bool = False) -> None:
        self.send("Emulation.setDeviceMetricsOverride", session=True, width=width, height=height,
                  deviceScaleFactor=1, mobile=mobile)
        for address in ("about:blank", url):  # from a blank page, so a new #fragment loads the page anew
            self.events.clear()
            self.send("Page.navigate", session=True, url=address)
            self.wait_for("Page.loadEventFired")

    def js(self, expression: str) -> Any:
        reply = self.send("Runtime.evaluate", session=True, expression=expression, returnByValue=True)
        if "exceptionDetails" in reply:
            raise RuntimeError(f"{expression}: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def click(self, x: float, y: float) -> None:
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", session=True, type=kind, x=x, y=y, button="left", clickCount=1)

    def screenshot(self, path: Path) -> None:
        data = self.send("Page.captureScreenshot", session=True, format="png")["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except RuntimeError:
            pass  # it closed the pipe while answering
        finally:
            self.process.wait(timeout=30)
            os.close(self._to_browser)
            os.close(self._from_browser)


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html")
    detect(read_inputs([str(ROOT / "seeds")])).to_html(out)
    return out


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    b = Browser(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield b
    finally:
        b.close()


def _copy_page(report_dir: Path) -> Path:
    for page in sorted((report_dir / "pairs").glob("*.html")):
        text = page.read_text(encoding="utf-8")
        if all(doc in text for doc in COPY_PAIR) and "republishes 16 of 25" in text:
            return page
    raise AssertionError("no page for the 000/001 copy")


MARKS_PER_SIDE = "[...document.querySelectorAll('.doc')].map(d => d.querySelectorAll('mark').length)"
MARK_TEXTS_MATCH_SPANS = """[...document.querySelectorAll('mark')].every(m =>
    Number(m.dataset.end) - Number(m.dataset.start) === m.textContent.length)"""


def _png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG image (its IHDR chunk, right after the 8-byte signature)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_copy_page_has_16_marks_per_side_and_click_reveals_the_partner(browser: Browser, report_dir: Path,
                                                                       tmp_path: Path) -> None:
    browser.open(_copy_page(report_dir).as_uri(), 1280, 860)
    assert browser.js(MARKS_PER_SIDE) == [16, 16]
    assert browser.js(MARK_TEXTS_MATCH_SPANS) is True
    assert browser.js("document.querySelectorAll('script').length") == 1  # ours: the texts ran nothing
    # The copy sits far down the right column: passage 5 on the left is visible, its partner not yet.
    left = browser.js("""(() => { const m = document.querySelector('.left mark[data-passage="5"]');
        m.scrollIntoView({block: 'center'}); const r = m.getBoundingClientRect();
        return [r.left + 8, r.top + r.height / 2]; })()""")
    partner_top = "document.querySelector('.right mark[data-passage=\"5\"]').getBoundingClientRect().top"
    assert browser.js(partner_top) > 860
    browser.click(*left)
    active = browser.js("[...document.querySelectorAll('mark.active')].map(m => "
                        "m.closest('.doc').classList.contains('left') ? 'left' : 'right')")
    assert sorted(active) == ["left", "right"]
    assert 0 <= browser.js(partner_top) < 860  # scrolled into view
    assert browser.js("location.hash") == "#p5"
    shot = tmp_path / "report.png"
    browser.screenshot(shot)
    assert _png_size(shot.read_bytes()) == (1280, 860)  # the page as the viewport shows it
    if wanted := os.environ.get("SYNDIDETECT_SCREENSHOT"):  # renewing the README's screenshot
        shutil.copyfile(shot, ROOT / wanted)


def test_address_selects_a_passage_and_the_phone_layout_fits(browser: Browser, report_dir: Path) -> None:
    browser.open(_copy_page(report_dir).as_uri() + "#p16", 390, 844, mobile=True)
    assert browser.js("[...document.querySelectorAll('mark.active')].map(m => m.dataset.passage)") == ["16", "16"]
    assert browser.js("document.documentElement.scrollWidth <= window.innerWidth") is True  # no sideways scroll
    columns = browser.js("[...document.querySelectorAll('.doc')].map(d => Math.round(d.getBoundingClientRect().left))")
    assert columns == [0, 0]  # stacked, one above the other
    browser.open((report_dir / "index.html").as_uri(), 390, 844, mobile=True)
    assert browser.js("document.documentElement.scrollWidth <= window.innerWidth") is True
    cells = "[...document.querySelectorAll('.story td[data-label]')]"
    assert browser.js(f"{cells}.length") == 10
    assert browser.js(f"{cells}.every(td => getComputedStyle(td).display === 'block' && "
                      "getComputedStyle(td, '::before').content.includes(td.dataset.label))") is True  # rows as cards


def test_index_lists_the_reused_story(browser: Browser, report_dir: Path) -> None:
    browser.open((report_dir / "index.html").as_uri(), 1280, 860)
    stories = browser.js("[...document.querySelectorAll('.story')].map(s => s.innerText)")
    assert "001_cfa5f3a7a816170c.txt" in stories[0] and "reused by 1 document: 000_c5b587893c6a010b.txt" in stories[0]
    assert "001_cfa5f3a7a816170c.txt → 000_c5b587893c6a010b.txt" in stories[0]
    assert "002_9d80eb7e5257ff50.txt / 004_ab43671d69f11038.txt" in stories[1] and "reworded" in stories[1]
    assert browser.js("document.querySelectorAll('link, img, [src]').length") == 0  # nothing fetched
