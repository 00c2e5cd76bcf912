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
from syndidetect.report import Match, PairReport, Passage, Report
from syndidetect.wordiff import changed_words, word_spans
from syndidetect.wording import counted

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


def marked(text: str, changed: list[bool], opening: str, closing: str) -> str:
    """``text`` with each run of changed words on a line wrapped as ``opening ... closing``.

    >>> marked("one two three four", [False, True, True, False], "[-", "-]")
    'one [-two three-] four'
    """
    out: list[str] = []
    cursor, run_end = 0, -1
    for (start, end), is_changed in zip(word_spans(text), changed):
        if not is_changed:
            run_end = -1
            continue
        gap = text[cursor:start]
        if run_end >= 0 and gap.isspace() and "\n" not in gap:
            out[-1] = out[-1][: -len(closing)] + gap + text[start:end] + closing
        else:
            out.append(gap + opening + text[start:end] + closing)
        cursor = run_end = end
    return "".join(out) + text[cursor:]


def _cells(kind: str, a: str, b: str, plain: bool = False) -> tuple[Text, Text]:
    if kind == "verbatim":
        return Text(a), Text(b)
    changed_a, changed_b = changed_words(a, b)
    if plain:
        return Text(marked(a, changed_a, "[-", "-]")), Text(marked(b, changed_b, "{+", "+}"))
    return _highlighted(a, changed_a, "red strike"), _highlighted(b, changed_b, "bold green")


def _match_cells(match: Match, plain: bool) -> tuple[Text, Text]:
    a, b = (p.text for p in match.paragraphs)
    return _cells(match.kind, a, b, plain)


def _passages_tell_more(pair: PairReport) -> bool:
    """Passages, not paragraph pairs, when the two layouts differ: a paragraph matched by several
    (a flattened, merged or re-wrapped copy) or text shared across paragraph boundaries only."""
    if not pair.passages:
        return False
    if not pair.matches:
        return True
    per_a = [m.paragraphs[0].index for m in pair.matches]
    per_b = [m.paragraphs[1].index for m in pair.matches]
    return len(set(per_a)) < len(per_a) or len(set(per_b)) < len(per_b)


def _empty_table(pair: PairReport) -> Table:
    """Paragraph numbers, kind and score, then the text of each document side by side."""
    table = Table(show_lines=True, expand=True)
    table.add_column("¶", justify="right", no_wrap=True)
    table.add_column("kind / score", no_wrap=True)
    table.add_column(Text(pair.documents[0]), ratio=1)
    table.add_column(Text(pair.documents[1]), ratio=1)
    return table


def _passage_table(pair: PairReport, plain: bool) -> Table:
    table = _empty_table(pair)
    for p in pair.passages:
        score = Text(f"{p.kind}\n{p.containment:.2f}", style=_KIND_STYLE[p.kind])
        table.add_row(_paragraph_range(p), score, *_cells(p.kind, p.spans[0].text, p.spans[1].text, plain))
    return table


def _paragraph_range(passage: Passage) -> str:
    def one(indexes: tuple[int, ...]) -> str:
        if not indexes:
            return "?"
        return str(indexes[0]) if len(indexes) == 1 else f"{indexes[0]}-{indexes[-1]}"
    return f"{one(passage.paragraphs[0])}↔{one(passage.paragraphs[1])}"


def _pair_table(pair: PairReport, plain: bool) -> Table:
    table = _empty_table(pair)
    for m in pair.matches:
        pa, pb = m.paragraphs
        score = Text(f"{m.kind}\n{m.containment:.2f}", style=_KIND_STYLE[m.kind])
        table.add_row(f"{pa.index}↔{pb.index}", score, *_match_cells(m, plain))
    return table


def _copy_section(console: Console, pair: PairReport, shares: tuple[float, float]) -> None:
    plain = not console.is_terminal  # piped: headlines unwrapped, changed words marked in the text
    console.rule()
    console.print(Text(pair.headline, style=_KIND_STYLE[pair.kind]), soft_wrap=plain)
    a, b = pair.documents
    console.print(Text(f"shared: {shares[0]:.0%} of {a}'s words, {shares[1]:.0%} of {b}'s", style="dim"),
                  soft_wrap=plain)
    if pair.kind != "verbatim":
        legend = Text("[-removed-] / {+added+}") if plain else Text.assemble(
            ("removed", "red strike"), " / ", ("added", "bold green"))
        console.print(Text.assemble(f"rewording: {pair.kept:.0%} of the matched shingles kept (changed words: ",
                                    legend, ")"), soft_wrap=plain)
    console.print(_passage_table(pair, plain) if _passages_tell_more(pair) else _pair_table(pair, plain))


def shared_text(pair: PairReport) -> str:
    """The longest text a pair shares (a passage, else a matched paragraph), on one line."""
    texts = [p.spans[0].text for p in pair.passages] + [m.paragraphs[0].text for m in pair.matches]
    return " ".join(max(texts, key=len, default="").split())


def _related_lines(console: Console, pair: PairReport, shares: tuple[float, float]) -> None:
    """A related pair: its headline with the shares, then the text it shares on one line (cut to the
    terminal's width; whole in a pipe, which has no width to cut it to)."""
    plain = not console.is_terminal
    console.print(Text(f"  {pair.headline} ({shares[0]:.0%} / {shares[1]:.0%} of their words)"), soft_wrap=plain)
    shared = Text(f"      “{shared_text(pair)}”", style="italic")
    if plain:
        console.print(shared, soft_wrap=True)
    else:
        console.print(shared, no_wrap=True, overflow="ellipsis")


class ReportConsole(Console):
    """rich's Console, but a reader that went away (``| head``) raises BrokenPipeError to the CLI's one
    output-error handler instead of rich's own ``SystemExit(1)``, which would read as "copies found"."""

    def on_broken_pipe(self) -> None:
        raise BrokenPipeError


def _boilerplate_section(console: Console, report: Report) -> None:
    console.rule(f"boilerplate ({counted(len(report.boilerplate), 'text')} repeated across documents, never matched)")
    for text, documents in report.boilerplate:
        console.print(Text.assemble((f"  {documents:>5} documents", "dim"), "  " + " ".join(text.split())[:100]))


def print_report(report: Report, stream: TextIO | None = None, show_boilerplate: bool = False) -> None:
    """Copies in full (headline, then the paragraph pairs), related pairs one line each, and
    the boilerplate set aside when asked."""
    console = ReportConsole(file=stream, highlight=False)
    report = report.ranked()
    shares = {documents: share for documents, (_, share) in report.pair_shares().items()}
    copies = report.copies
    console.print(f"[bold]{counted(len(report.documents), 'document')}, {counted(len(copies), 'copy', 'copies')}, "
                  f"{counted(len(report.pairs) - len(copies), 'related pair')}[/]")
    for pair in copies:
        _copy_section(console, pair, shares[pair.documents])
    related = [p for p in report.pairs if p.verdict != "copy"]
    if related:
        console.rule("related (shared passages, not copies)")
        for pair in related:
            _related_lines(console, pair, shares[pair.documents])
    for group in report.groups:
        console.print(Text.assemble(("copy group:", "bold"), " " + ", ".join(group)))
    if show_boilerplate:
        _boilerplate_section(console, report)
    elif report.boilerplate:
        set_aside = counted(len(report.boilerplate), "boilerplate text")
        console.print(f"[dim]{set_aside} set aside (--show-boilerplate lists them)[/]")


#: Said once on a terminal when numba compiles a kernel its cache lacks: the stage under way then
#: waits for it (about a minute in all on a fresh install here), which would otherwise look hung.
COMPILE_NOTE = "compiling the fast kernels (once per install; later runs load them)"


@contextmanager
def _compile_noted(console: Console) -> Iterator[None]:
    """While inside, :data:`COMPILE_NOTE` on ``console`` (above a live display) at the first compile."""
    told = [False]

    def note(started: bool) -> None:
        if started and not told[0]:
            told[0] = True
            console.print(Text(COMPILE_NOTE, style="dim"))

    stop = watch_compiles(note)
    try:
        yield
    finally:
        stop()


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
