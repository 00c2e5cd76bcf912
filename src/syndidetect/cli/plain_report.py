"""The text report for a pipe or a file, written without rich: the characters rich writes there.

rich lays out a report at about 1 us a character in Python (its tables measure, wrap, crop and pad
each cell through layers of objects): 2.6 s of a 20,000-paragraph scan's 6.7 s, and with its import
0.090 s of a piped ``index check`` (0.007 s here; ``benchmarks/HISTORY.md``, thirty-eighth round).
Here each section of ``report_sections`` is laid out by rich's own rules, reduced to text whose every
character takes one terminal cell: word wrapping (``rich._wrap.divide_line``, ``Text.wrap``), cell
padding and justification, the table's column widths (``Table._calculate_column_widths`` for its
columns: two sized to their content, two sharing the rest) and box, and rules. A section holding
another character (wide or zero-width, a control character, a tab), or too narrow a width for those
rules, is printed by rich itself into a buffer (the same section alone prints the same characters):
``tests/test_plain_report.py`` checks that every section reads as rich would write it, on random text.

On a terminal (colours), on Windows, in a notebook or to a stream that does not encode UTF, rich
prints the whole report (``render.py``).
"""

from __future__ import annotations

import io
import itertools
import os
import re
import sys
from collections.abc import Iterable
from typing import TextIO

from syndidetect.cli import report_sections as said
from syndidetect.cli.report_sections import Row, Section
from syndidetect.report import PairReport, Report

__all__ = ["MIN_WIDTH", "ONE_CELL", "plain_width", "rule_text", "section_text", "table_text", "wrapped",
           "write_plain_report"]

#: Characters one terminal cell wide that never join their neighbours, by rich's measure: its own
#: single-cell ranges (``rich.cells._SINGLE_CELL_UNICODE_RANGES``: Latin, Greek and most Cyrillic,
#: box drawing, Braille) and the punctuation, letters and arrows of news text beside them (dashes,
#: curly quotes, bullets, the ellipsis, currency signs, letterlike symbols such as the trade mark,
#: arrows such as the report's own ↔). A test checks each against rich's cell table.
ONE_CELL = ("\x20-\x7e\xa0-\xac\xae-\u02ff\u0370-\u0482\u048a-\u052f\u2010-\u2027\u2030-\u205e"
            "\u20a0-\u20c0\u2100-\u214f\u2190-\u21ff\u2500-\u25fc\u2800-\u28ff")
_ONE_LINE = re.compile(f"[{ONE_CELL}]*")
_LINES = re.compile(f"[{ONE_CELL}\n]*")  # a table cell's text may hold line breaks

#: Columns below which rich prints the report: its rules for a narrow width (tables whose columns
#: do not fit collapse them; a word is folded a few characters a line) are not reproduced here, and
#: no terminal or COLUMNS setting in use is this narrow.
MIN_WIDTH = 40

_WORD = re.compile(r"\s*\S+\s*")  # rich's "word": with the white space around it (rich._wrap)
_TRAILING_SPACE = re.compile(r"\s+$")
_ELLIPSIS = "…"
# rich.box.HEAVY_HEAD, a table's default: each border's left end, line, divider and right end
_BOX: dict[str, tuple[str, str, str, str]] = {
    "top": ("┏", "━", "┳", "┓"), "head": ("┃", " ", "┃", "┃"), "head_row": ("┡", "━", "╇", "┩"),
    "body": ("│", " ", "│", "│"), "row": ("├", "─", "┼", "┤"), "bottom": ("└", "─", "┴", "┘"),
}
_RULE = "─"
_PADDING = 2  # a table cell's blank columns: one each side (rich's default padding, (0, 1))
_EDGES = 5  # a four-column table's vertical lines: two edges and three dividers


def plain_width(stream: TextIO) -> int | None:
    """The width rich's console gives ``stream`` when it finds no terminal there, or None when it
    finds one, or where what rich finds is not told here (Windows' consoles, notebooks and IDLE, a
    stream that does not encode UTF: rich then uses an ASCII box)."""
    if sys.platform == "win32" or "IPython" in sys.modules or "idlelib" in sys.modules:
        return None
    if not (getattr(stream, "encoding", None) or "utf-8").lower().startswith("utf"):
        return None
    environ = os.environ
    compatible = environ.get("TTY_COMPATIBLE", "")
    if compatible == "1":
        return None
    if compatible != "0":  # as rich.console.Console.is_terminal decides
        force_color = environ.get("FORCE_COLOR")
        if force_color is not None:
            if force_color != "":
                return None
        else:
            isatty = getattr(stream, "isatty", None)
            try:
                if isatty is not None and isatty():
                    return None
            except ValueError:  # a closed stream: rich takes it for no terminal
                pass
    columns = environ.get("COLUMNS")  # as Console.__init__ and Console.size read the width
    if columns is not None and columns.isdigit():
        return int(columns)
    width = 0
    for descriptor in (0, 1, 2):  # a terminal on any standard stream sets it, as in rich
        try:
            width = os.get_terminal_size(descriptor)[0]
        except (AttributeError, ValueError, OSError):
            continue
        break
    return width or 80


def write_plain_report(report: Report, stream: TextIO, width: int, show_boilerplate: bool = False) -> None:
    """The report as rich would print it to ``stream`` (no terminal there), ``width`` columns wide."""
    for section in said.report_sections(report, show_boilerplate):
        text = section_text(section, width)
        stream.write(text if text is not None else _printed_by_rich(section, width))


def _printed_by_rich(section: Section, width: int) -> str:
    from syndidetect.cli.render import ReportConsole, print_section  # rich, for this section only

    buffer = io.StringIO()
    print_section(ReportConsole(file=buffer, highlight=False, width=width, height=25, force_terminal=False),
                  section)
    return buffer.getvalue()


def _one_line(*texts: str) -> bool:
    return all(_ONE_LINE.fullmatch(text) for text in texts)


def section_text(section: Section, width: int) -> str | None:
    """``section`` as rich prints it with no terminal, ``width`` columns wide; None when its text
    holds a character outside :data:`ONE_CELL` or the width is below :data:`MIN_WIDTH`."""
    if width < MIN_WIDTH:
        return None
    if isinstance(section, said.Copy):
        return _copy_text(section.pair, section.shares, width)
    if isinstance(section, said.Related):
        headline, shared = said.related_headline(section.pair, section.shares), said.shared_line(section.pair)
        return f"{headline}\n{shared}\n" if _one_line(headline, shared) else None
    if isinstance(section, (said.RelatedRule, said.BoilerplateRule)):
        return rule_text(section.title, width) if _one_line(section.title) else None
    if isinstance(section, said.Group):
        text = "".join(said.group_words(section))
    elif isinstance(section, said.Boilerplate):
        text = "".join(said.boilerplate_words(section))
    else:  # the counts, or the boilerplate set aside
        text = section.text
    return "".join(line + "\n" for line in wrapped(text, width)) if _one_line(text) else None


def _copy_text(pair: PairReport, shares: tuple[float, float], width: int) -> str | None:
    lines = [pair.headline, said.shares_line(pair, shares)]
    if pair.kind != "verbatim":
        before, after = said.rewording_words(pair)
        lines.append(before + said.PLAIN_LEGEND + after)
    if not _one_line(*lines):
        return None
    table = table_text(pair.documents, said.table_rows(pair), width)
    if table is None:
        return None
    return _RULE * width + "\n" + "".join(line + "\n" for line in lines) + table


# -- rich's word wrapping, for characters one cell wide ----------------------------------------------


def _divide_line(text: str, width: int, fold: bool) -> list[int]:
    """Where rich breaks a line of ``text`` to fit ``width`` (``rich._wrap.divide_line``): before the
    word that does not fit; a word longer than a line is cut ``width`` characters a line (``fold``)
    or left whole on its own line."""
    breaks: list[int] = []
    offset = 0
    for match in _WORD.finditer(text):  # each match ends where the next begins, as rich's loop
        start, word = match.start(), match.group()
        length = len(word.rstrip())
        if width - offset >= length:
            offset += len(word)
        elif length > width:
            if fold:
                pieces = [word[k:k + width] for k in range(0, len(word), width)]
                for piece in pieces[:-1]:
                    if start:
                        breaks.append(start)
                    start += len(piece)
                if start:
                    breaks.append(start)
                offset = len(pieces[-1])
            else:
                if start:
                    breaks.append(start)
                offset = len(word)
        elif offset and start:
            breaks.append(start)
            offset = len(word)
    return breaks


def _truncated(line: str, width: int, overflow: str) -> str:
    if len(line) <= width:
        return line
    return line[: width - 1] + _ELLIPSIS if overflow == "ellipsis" else line[:width]


def wrapped(text: str, width: int, justify: str = "default", overflow: str = "fold",
             no_wrap: bool = False) -> list[str]:
    """The lines of ``text`` as rich's ``Text.wrap`` makes them (justify "default", "left" or
    "right"; overflow "fold" or "ellipsis")."""
    out: list[str] = []
    for line in text.split("\n"):
        if no_wrap:
            pieces = [line]
        else:
            bounds = [0, *_divide_line(line, width, overflow == "fold"), len(line)]
            pieces = [line[start:end] for start, end in itertools.pairwise(bounds)]
            pieces = [_end_stripped(piece, width) for piece in pieces]
        if justify == "left":
            pieces = [_truncated(piece, width, overflow).ljust(width) for piece in pieces]
        elif justify == "right":
            pieces = [_truncated(piece.rstrip(), width, overflow).rjust(width) for piece in pieces]
        out.extend(_truncated(piece, width, overflow) for piece in pieces)
    return out


def _end_stripped(piece: str, width: int) -> str:
    """rich's ``Text.rstrip_end``: trailing white space past ``width`` goes."""
    excess = len(piece) - width
    if excess <= 0:
        return piece
    space = _TRAILING_SPACE.search(piece)
    return piece if space is None else piece[: len(piece) - min(len(space.group()), excess)]


# -- rich's table, as the report draws it ---------------------------------------------------------------


class _Column:
    """A column's rules for its cells: justification, wrapping, and the width it is given."""

    def __init__(self, justify: str, no_wrap: bool) -> None:
        self.justify, self.no_wrap = justify, no_wrap

    def lines(self, text: str, width: int) -> list[str]:
        """A cell's lines, padded to the column's ``width`` (one blank column each side)."""
        inner = width - _PADDING
        return [f" {line} " for line in wrapped(text, inner, self.justify, "ellipsis", self.no_wrap)]


_COLUMNS = (_Column("right", True), _Column("left", True), _Column("left", False), _Column("left", False))


def _cells(row: Row) -> tuple[str, str, str, str]:
    return (row.where, row.kind_and_score, *said.marked_texts(row))


def _widths(headers: tuple[str, ...], rows: list[tuple[str, str, str, str]], width: int) -> list[int] | None:
    """The four columns' widths, padding included (``Table._calculate_column_widths`` when the two
    sized to their content leave each of the others its minimum): None when they do not."""
    room = width - _EDGES
    fixed = [min(room, _PADDING + max(max(map(len, cell.splitlines()), default=0)
                                      for cell in (headers[k], *(row[k] for row in rows))))
             for k in (0, 1)]
    flexible = room - sum(fixed)
    if flexible < 2 * (1 + _PADDING):  # rich's minimum for a column that shares the rest
        return None
    first = -(-flexible // 2)  # rich.ratio_distribute of two equal ratios: the first rounds up
    return [*fixed, first, flexible - first]


def table_text(documents: tuple[str, str], rows: list[Row], width: int) -> str | None:
    """A copy's table as rich draws it (``render.table_of``) ``width`` columns wide, or None when a
    text in it holds a character outside :data:`ONE_CELL` or its columns need rich's narrow rules."""
    headers = (*said.TABLE_HEADERS, *documents)
    cells = [_cells(row) for row in rows]
    if not (_one_line(*headers) and all(_one_line(row[0]) and all(map(_LINES.fullmatch, row[1:]))
                                         for row in cells)):
        return None
    widths = _widths(headers, cells, width)
    if widths is None:
        return None
    out = [_border("top", widths), *_row_lines(headers, widths, "head", bottom=True), _border("head_row", widths)]
    for k, row in enumerate(cells):
        if k:
            out.append(_border("row", widths))
        out.extend(_row_lines(row, widths, "body", bottom=False))
    out.append(_border("bottom", widths))
    return "".join(line + "\n" for line in out)


def _border(kind: str, widths: Iterable[int]) -> str:
    left, line, divider, right = _BOX[kind]
    return left + divider.join(line * w for w in widths) + right


def _row_lines(texts: Iterable[str], widths: list[int], kind: str, bottom: bool) -> list[str]:
    """A row's lines: each cell's lines, blank lines below them (above them for the header row,
    which rich aligns to the bottom) to the tallest cell's height."""
    cells = [column.lines(text, w) for column, text, w in zip(_COLUMNS, texts, widths)]
    height = max(map(len, cells))
    shaped = [[" " * w] * (height - len(c)) + c if bottom else c + [" " * w] * (height - len(c))
              for c, w in zip(cells, widths)]
    left, _, divider, right = _BOX[kind]
    return [left + divider.join(lines) + right for lines in zip(*shaped)]


def rule_text(title: str, width: int) -> str:
    """``Console.rule(title)``: the title centred between lines, cut with an ellipsis to fit."""
    if not title:
        return _RULE * width + "\n"
    title = _truncated(title.replace("\n", " "), width - 4, "ellipsis")
    side = (width - len(title)) // 2
    left = (_RULE * (side + 1))[: side - 1]  # rich's crop of its line, a slice (even at side 0)
    right = (_RULE * (side + 1))[: width - len(left) - len(title)]
    line = f"{left} {title} {right}"
    return line[:width].ljust(width) + "\n"
