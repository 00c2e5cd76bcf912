"""The terminal report and progress displays (the only module that imports rich).

On a terminal changed words are coloured and struck out; piped, the report is plain text with the
changed words marked as ``[-removed-]`` and ``{+added+}`` (wdiff's notation) and headlines on one line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from syndidetect._kernels.jit import watch_compiles
from syndidetect._kernels.lazy import numpy_seconds_uncompiled
from syndidetect.cli.report_sections import (
    PLAIN_LEGEND,
    TABLE_HEADERS,
    Boilerplate,
    BoilerplateRule,
    Copy,
    Counts,
    Group,
    Related,
    RelatedRule,
    Row,
    Section,
    Shares,
    boilerplate_words,
    group_words,
    marked_texts,
    related_headline,
    report_sections,
    rewording_words,
    shared_line,
    shares_line,
    table_rows,
)
from syndidetect.report import PairReport, Report
from syndidetect.wordiff import word_spans

if TYPE_CHECKING:
    from rich.progress import TaskID

# rich.progress (about 10 ms of imports) loads only where a bar is drawn: a report written to a pipe
# or a file, the one-shot commands' usual output, never draws one.

_KIND_STYLE = {"verbatim": "bold red", "near": "red", "reworded": "magenta", "mixed": "magenta"}


def _highlighted(text: str, changed: list[bool], style: str) -> Text:
    out = Text(text)
    for (start, end), is_changed in zip(word_spans(text), changed):
        if is_changed:
            out.stylize(style, start, end)
    return out


def _cells(row: Row, plain: bool) -> tuple[Text, Text]:
    if plain or row.changed is None:
        a, b = marked_texts(row)
        return Text(a), Text(b)
    (a, b), (changed_a, changed_b) = row.texts, row.changed
    return _highlighted(a, changed_a, "red strike"), _highlighted(b, changed_b, "bold green")


def table_of(documents: tuple[str, str], rows: list[Row], plain: bool) -> Table:
    """A copy's table: paragraph numbers, kind and score, then the text of each document side by side."""
    table = Table(show_lines=True, expand=True)
    table.add_column(TABLE_HEADERS[0], justify="right", no_wrap=True)
    table.add_column(TABLE_HEADERS[1], no_wrap=True)
    table.add_column(Text(documents[0]), ratio=1)
    table.add_column(Text(documents[1]), ratio=1)
    for row in rows:
        score = Text(row.kind_and_score, style=_KIND_STYLE[row.kind])
        table.add_row(row.where, score, *_cells(row, plain))
    return table


def _copy_section(console: Console, pair: PairReport, shares: Shares) -> None:
    plain = not console.is_terminal  # piped: headlines unwrapped, changed words marked in the text
    console.rule()
    console.print(Text(pair.headline, style=_KIND_STYLE[pair.kind]), soft_wrap=plain)
    console.print(Text(shares_line(pair, shares), style="dim"), soft_wrap=plain)
    if pair.kind != "verbatim":
        legend = Text(PLAIN_LEGEND) if plain else Text.assemble(
            ("removed", "red strike"), " / ", ("added", "bold green"))
        before, after = rewording_words(pair)
        console.print(Text.assemble(before, legend, after), soft_wrap=plain)
    console.print(table_of(pair.documents, table_rows(pair), plain))


def _related_lines(console: Console, pair: PairReport, shares: Shares) -> None:
    """A related pair: its headline with the shares, then the text it shares on one line (cut to the
    terminal's width; whole in a pipe, which has no width to cut it to)."""
    plain = not console.is_terminal
    console.print(Text(related_headline(pair, shares)), soft_wrap=plain)
    shared = Text(shared_line(pair), style="italic")
    if plain:
        console.print(shared, soft_wrap=True)
    else:
        console.print(shared, no_wrap=True, overflow="ellipsis")


class ReportConsole(Console):
    """rich's Console, but a reader that went away (``| head``) raises BrokenPipeError to the CLI's one
    output-error handler instead of rich's own ``SystemExit(1)``, which would read as "copies found"."""

    def on_broken_pipe(self) -> None:
        raise BrokenPipeError


def report_console(stream: TextIO | None) -> ReportConsole:
    """A console for ``stream`` whose size and kind (terminal or not) are read once, as rich reads
    them at each print otherwise: three ``get_terminal_size`` calls and the environment's COLUMNS,
    LINES, TTY_COMPATIBLE and FORCE_COLOR each time. The report is printed at once, so a later
    resize cannot apply."""
    probe = ReportConsole(file=stream, highlight=False)
    width, height = probe.size
    return ReportConsole(file=stream, highlight=False, width=width, height=height,
                         force_terminal=probe.is_terminal)


def print_section(console: Console, section: Section) -> None:
    """One section of the report (``report_sections``) as rich prints it."""
    if isinstance(section, Copy):
        _copy_section(console, section.pair, section.shares)
    elif isinstance(section, Related):
        _related_lines(console, section.pair, section.shares)
    elif isinstance(section, (RelatedRule, BoilerplateRule)):
        console.rule(section.title)
    elif isinstance(section, Counts):
        console.print(f"[bold]{section.text}[/]")
    elif isinstance(section, Group):
        label, members = group_words(section)
        console.print(Text.assemble((label, "bold"), members))
    elif isinstance(section, Boilerplate):
        count, text = boilerplate_words(section)
        console.print(Text.assemble((count, "dim"), text))
    else:
        console.print(f"[dim]{section.text}[/]")


def print_report(report: Report, stream: TextIO | None = None, show_boilerplate: bool = False) -> None:
    """Copies in full (headline, then the paragraph pairs), related pairs one line each, and
    the boilerplate set aside (listed when asked)."""
    console = report_console(stream)
    for section in report_sections(report, show_boilerplate):
        print_section(console, section)


#: Said once on a terminal when numba compiles a kernel its cache lacks: the stage under way then
#: waits for it (about a minute in all on a fresh install here), which would otherwise look hung.
COMPILE_NOTE = "compiling the fast kernels (once per install; later runs load them)"


#: Said once on a terminal after work whose kernels numba's cache lacks ran on their numpy paths
#: for long enough to notice (:data:`SLOWER_NOTE_SECONDS`): they compile only once that work repays
#: the compile (``_kernels.lazy``), which the user can pay at once instead.
SLOWER_NOTE = ("some fast kernels are not compiled yet and this run used slower paths; "
               "`syndidetect compile` compiles them all once (about a minute)")
#: Seconds of numpy paths (the kernels' own estimate) past which :data:`SLOWER_NOTE` is said: a
#: second is about what a user notices in a command's time; below it the note would be noise.
SLOWER_NOTE_SECONDS = 1.0


@contextmanager
def _compile_noted(console: Console) -> Iterator[None]:
    """While inside, :data:`COMPILE_NOTE` on ``console`` (above a live display) at the first compile;
    at the end, :data:`SLOWER_NOTE` when the work inside ran slower paths long enough."""
    told = [False]
    before = numpy_seconds_uncompiled()

    def note(started: bool) -> None:
        if started and not told[0]:
            told[0] = True
            console.print(Text(COMPILE_NOTE, style="dim"))

    stop = watch_compiles(note)
    try:
        yield
    finally:
        stop()
    if numpy_seconds_uncompiled() - before >= SLOWER_NOTE_SECONDS:
        console.print(Text(SLOWER_NOTE, style="dim"))


@contextmanager
def working(message: str) -> Iterator[None]:
    """A spinner on a terminal, nothing when stderr is piped."""
    console = Console(stderr=True)
    if not console.is_terminal:
        yield
        return
    with console.status(Text(message)), _compile_noted(console):  # a path or an address is text, never markup
        yield


@contextmanager
def progress(total: int, description: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on a terminal (stderr); yields ``advance(n)``. Nothing when piped."""
    console = Console(stderr=True)
    if not console.is_terminal:
        yield lambda n: None
        return
    from rich.progress import MofNCompleteColumn, Progress

    with Progress(*Progress.get_default_columns(), MofNCompleteColumn(), console=console, transient=True) as bar, \
            _compile_noted(console):
        task = bar.add_task(escape(description), total=total)  # the column reads markup: a path is text
        yield lambda n: bar.advance(task, n)


Stage = Callable[[str, int, int], None]  # (stage, done, total); total 0 when not known


@contextmanager
def stages() -> Iterator[Stage]:
    """A staged progress display on a terminal (stderr): one line per stage (reading, signatures,
    candidates, verification, writing), the current one with its bar; nothing when piped.

    stdout is never redirected into it: a report written to a pipe or a file must stay whole.
    """
    console = Console(stderr=True)
    if not console.is_terminal:
        yield lambda stage, done, total: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.description:<13}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True, redirect_stdout=False, redirect_stderr=False) as bar, \
            _compile_noted(console):
        tasks: dict[str, TaskID] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                for task in tasks.values():  # the stages before it are finished
                    finished = max(1, int(bar.tasks[task].total or 0))
                    bar.update(task, total=finished, completed=finished)
                tasks[stage] = bar.add_task(stage, total=None)
            bar.update(tasks[stage], completed=done, total=total or None)

        yield update
