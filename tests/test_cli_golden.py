"""The terminal report, byte for byte, at a fixed width: piped (plain text, no width to cut to) and on
a colour terminal (ANSI styles, long lines cut to the width). A change to the report's layout shows
here as a diff; when the change is meant, rewrite the files with ``SYNDIDETECT_UPDATE_GOLDEN=1``
and read the diff before committing it."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from syndidetect.cli.plain_report import write_plain_report
from syndidetect.cli.render import print_report
from syndidetect.detector import detect
from syndidetect.report import Report

GOLDEN = Path(__file__).parent / "golden"
WIDTH = 100  # columns: wide enough for the headlines, narrow enough that related lines are cut


@pytest.fixture(scope="module")
def seeds_report(seeds_dir: Path) -> Report:
    documents = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(seeds_dir.glob("*.txt"))]
    return detect(documents)


def rendered(report: Report, monkeypatch: pytest.MonkeyPatch, terminal: bool) -> str:
    """What ``print_report`` writes, with the environment rich reads its width and colours from."""
    for name in ("NO_COLOR", "FORCE_COLOR", "COLORTERM", "TERM", "COLUMNS", "LINES", "TTY_COMPATIBLE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", str(WIDTH))
    if terminal:
        monkeypatch.setenv("FORCE_COLOR", "1")
        monkeypatch.setenv("TERM", "xterm")  # 8 standard colours: the fewest codes to read in a diff
    stream = io.StringIO()
    print_report(report, stream, show_boilerplate=True)
    return stream.getvalue()


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("SYNDIDETECT_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8", newline="")
    assert text == path.read_bytes().decode("utf-8")


@pytest.mark.parametrize("terminal", [False, True], ids=["piped", "terminal"])
def test_terminal_report_of_the_seeds_matches_the_golden_file(
    seeds_report: Report, monkeypatch: pytest.MonkeyPatch, terminal: bool
) -> None:
    text = rendered(seeds_report, monkeypatch, terminal)
    assert ("\x1b[" in text) == terminal  # styles on a terminal only
    check_golden(f"seeds_{'terminal' if terminal else 'piped'}_{WIDTH}.txt", text)


def test_the_plain_report_of_the_seeds_matches_the_piped_golden_file(seeds_report: Report) -> None:
    stream = io.StringIO()  # what `syndidetect scan seeds/ > file` writes: no rich
    write_plain_report(seeds_report, stream, WIDTH, show_boilerplate=True)
    assert stream.getvalue() == (GOLDEN / f"seeds_piped_{WIDTH}.txt").read_bytes().decode("utf-8")


def test_a_narrower_terminal_cuts_lines_to_its_width(seeds_report: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    monkeypatch.setenv("FORCE_COLOR", "1")
    stream = io.StringIO()
    print_report(seeds_report, stream)
    plain = [line for line in stream.getvalue().splitlines() if "\x1b" not in line]
    assert plain and all(len(line) <= 60 for line in plain)
