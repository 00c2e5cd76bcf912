"""The plain text report (``cli/plain_report.py``) writes the characters rich writes with no terminal:
rich is the oracle, on random text, widths and reports, and on the characters it is trusted with."""

from __future__ import annotations

import io
import random
import re
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len, chop_cells, set_cell_size
from rich.text import Text

from syndidetect.cli import plain_report
from syndidetect.cli.plain_report import (
    MIN_WIDTH,
    ONE_CELL,
    plain_width,
    rule_text,
    section_text,
    table_text,
    wrapped,
    write_plain_report,
)
from syndidetect.cli.render import ReportConsole, print_report, print_section, table_of
from syndidetect.cli.report_sections import Row, report_sections
from syndidetect.detector import detect
from syndidetect.report import Report
from syndidetect.wordiff import word_spans

ONE = re.compile(f"[{ONE_CELL}]")
TRUSTED = [chr(c) for c in range(0x3000) if ONE.fullmatch(chr(c))]
# Text as reports hold it: words, runs of spaces, non-breaking spaces, news punctuation, other scripts,
# long words (addresses), and characters the plain report leaves to rich (wide, combining, tabs, emoji).
PIECES = ["a", "bc", "def", "Ghij", "word", "reporting", " ", " ", " ", "  ", "\xa0", "’", "“", "”", "–", "—",
          "…", "é", "Ünïcödé", "Москва", "Ελλάδα", "↔", "€5", "[-", "-]", "{+", "+}", ",", ".", "-", "/",
          "https://example.com/a/very/long/address/of/a/story", "x" * 45]
OTHERS = ["中文", "\t", "e\u0301", "😀", "\u200b", "\xad", "한국"]


def rich_output(print_it: object, width: int) -> str:
    """What a rich console with no terminal writes, ``width`` columns wide, for ``print_it(console)``."""
    buffer = io.StringIO()
    console = ReportConsole(file=buffer, highlight=False, width=width, height=25, force_terminal=False)
    print_it(console)  # type: ignore[operator]
    return buffer.getvalue()


def texts(others: bool = False, newlines: bool = False, max_pieces: int = 60) -> st.SearchStrategy[str]:
    pieces = PIECES + (OTHERS if others else []) + (["\n", "\n\n"] if newlines else [])
    return st.lists(st.sampled_from(pieces), max_size=max_pieces).map("".join)


def test_every_trusted_character_takes_one_cell_in_rich_alone_and_together() -> None:
    assert len(TRUSTED) > 1500 and "↔" in TRUSTED and "’" in TRUSTED and "\n" not in TRUSTED
    assert all(cell_len(c) == 1 for c in TRUSTED)
    rng = random.Random(5)
    for _ in range(300):
        text = "".join(rng.choices(TRUSTED, k=rng.randint(1, 60)))
        width = rng.randint(1, 20)
        assert cell_len(text) == len(text)
        assert chop_cells(text, width) == [text[k:k + width] for k in range(0, len(text), width)]
        assert set_cell_size(text, width) == text[:width].ljust(width)


def test_the_others_are_left_to_rich() -> None:
    assert not any(ONE.fullmatch(c) for text in OTHERS for c in text if c not in "e")


@given(texts(others=True), st.integers(MIN_WIDTH, 130))
@settings(max_examples=300)
def test_a_wrapped_line_breaks_where_rich_breaks_it(text: str, width: int) -> None:
    assume(ONE.sub("", text) == "")
    ours = "".join(line + "\n" for line in wrapped(text, width))
    assert ours == rich_output(lambda console: console.print(Text(text)), width)


@given(st.text(alphabet="abcdefgh ()-,é’", max_size=140), st.integers(MIN_WIDTH, 130))
@settings(max_examples=200)
def test_a_titled_rule_is_rich_s(title: str, width: int) -> None:
    assert rule_text(title, width) == rich_output(lambda console: console.rule(title), width)


def rows(draw: st.DrawFn, others: bool) -> list[Row]:
    out = []
    for _ in range(draw(st.integers(0, 4))):
        a, b = draw(texts(others, newlines=True)), draw(texts(others, newlines=True))
        kind = draw(st.sampled_from(["verbatim", "near", "reworded", "mixed"]))
        changed = None if kind == "verbatim" else (
            [draw(st.booleans()) for _ in word_spans(a)], [draw(st.booleans()) for _ in word_spans(b)])
        where = draw(st.sampled_from(["0↔0", "12↔3", "3-9↔4-17", "?↔2", "140-152↔1-3"]))
        out.append(Row(where, kind, draw(st.floats(0, 1)), (a, b), changed))
    return out


@st.composite
def tables(draw: st.DrawFn) -> tuple[tuple[str, str], list[Row], int]:
    others = draw(st.booleans())
    documents = (draw(texts(others, max_pieces=8)) or "a.txt", draw(texts(others, max_pieces=8)) or "b.txt")
    return documents, rows(draw, others), draw(st.integers(MIN_WIDTH, 160))


@given(tables())
@settings(max_examples=300)
def test_a_copy_s_table_is_drawn_as_rich_draws_it(table: tuple[tuple[str, str], list[Row], int]) -> None:
    documents, table_rows, width = table
    ours = table_text(documents, table_rows, width)
    one_cell = all(ONE.sub("", text) == "" for text in (*documents, *(t for r in table_rows for t in r.texts)))
    if one_cell and width >= 60:
        assert ours is not None  # drawn here, not left to rich
    if ours is not None:
        assert ours == rich_output(lambda console: console.print(table_of(documents, table_rows, True)), width)
    else:
        assert not one_cell or width < 60


def varied(seeds: list[tuple[str, str]], rng: random.Random) -> list[tuple[str, str]]:
    """The seed articles and copies of their paragraphs with other characters, runs of spaces and long
    words put in, some cut, some merged: copies, related pairs and passages of every layout."""
    out = list(seeds)
    for k in range(rng.randint(1, 4)):
        name, text = rng.choice(seeds)
        paragraphs = text.split("\n\n")
        kept = paragraphs[rng.randint(0, len(paragraphs) // 2):][: rng.randint(2, 12)]
        edited = []
        for paragraph in kept:
            words = paragraph.split(" ")
            for _ in range(rng.randint(0, 3)):
                words.insert(rng.randint(0, len(words)), rng.choice(PIECES + OTHERS * (k % 2)))
            edited.append(" ".join(words))
        joined = "\n\n".join(edited) if rng.random() < 0.7 else " ".join(edited)
        out.append((f"{rng.choice(['copy', 'Ünï', 'копия', 'long' * 12])}-{k}-{name}", joined))
    return out


@pytest.fixture(scope="module")
def seeds(seeds_dir: Path) -> list[tuple[str, str]]:
    return [(p.name, p.read_text(encoding="utf-8")) for p in sorted(seeds_dir.glob("*.txt"))]


@pytest.mark.parametrize("seed", range(12))
def test_a_whole_report_reads_as_rich_prints_it(seeds: list[tuple[str, str]], seed: int,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    report: Report = detect(varied(seeds, rng))
    assert report.copies
    for width in (rng.randint(MIN_WIDTH, 70), rng.randint(71, 180), rng.randint(10, MIN_WIDTH - 1)):
        for show_boilerplate in (False, True):
            ours = io.StringIO()
            write_plain_report(report, ours, width, show_boilerplate)
            monkeypatch.setenv("COLUMNS", str(width))
            theirs = io.StringIO()
            print_report(report, theirs, show_boilerplate)
            assert ours.getvalue() == theirs.getvalue()


def test_most_sections_of_a_report_are_drawn_here(seeds: list[tuple[str, str]]) -> None:
    sections = list(report_sections(detect(seeds), show_boilerplate=True))
    assert all(section_text(s, 100) is not None for s in sections)
    assert all(section_text(s, MIN_WIDTH - 1) is None for s in sections)  # narrow: rich's own rules


def test_a_section_rich_must_draw_still_reads_as_rich_prints_it(seeds: list[tuple[str, str]]) -> None:
    wide = [(name, text.replace("the ", "the 中文 ", 3)) for name, text in seeds]
    sections = list(report_sections(detect(wide)))
    left = [s for s in sections if section_text(s, 100) is None]
    assert left  # the copies whose text holds wide characters
    ours = io.StringIO()
    write_plain_report(detect(wide), ours, 100)
    assert ours.getvalue() == "".join(rich_output(lambda console, s=s: print_section(console, s), 100)
                                      for s in sections)


ENVIRONMENTS = [{}, {"COLUMNS": "57"}, {"COLUMNS": "abc"}, {"FORCE_COLOR": ""}, {"FORCE_COLOR": "1"},
                {"TTY_COMPATIBLE": "0", "FORCE_COLOR": "1"}, {"TTY_COMPATIBLE": "1"}, {"COLUMNS": "0"}]


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_plain_report_is_chosen_where_rich_finds_no_terminal(environment: dict[str, str],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("COLUMNS", "LINES", "FORCE_COLOR", "TTY_COMPATIBLE", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    stream = io.StringIO()
    console = ReportConsole(file=stream)
    assert plain_width(stream) == (None if console.is_terminal else console.width)


def test_a_stream_that_does_not_encode_utf_is_left_to_rich(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    latin = io.TextIOWrapper(io.BytesIO(), encoding="latin-1")
    assert plain_width(latin) is None  # rich draws its ASCII box there
    assert plain_width(io.TextIOWrapper(io.BytesIO(), encoding="utf-8")) is not None
    assert plain_report.MIN_WIDTH == MIN_WIDTH
