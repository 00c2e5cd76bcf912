"""The terminal report (the only module that imports rich)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console
from rich.progress import MofNCompleteColumn, Progress
from rich.table import Table
from rich.text import Text

from syndidetect.report import Match, PairReport, Passage, Report
from syndidetect.wordiff import changed_words, word_spans

_KIND_STYLE = {"verbatim": "bold red", "near": "red", "reworded": "magenta", "mixed": "magenta"}


def _highlighted(text: str, changed: list[bool], style: str) -> Text:
    out = Text(text)
    for (start, end), is_changed in zip(word_spans(text), changed):
        if is_changed:
            out.stylize(style, start, end)
    return out


def _cells(kind: str, a: str, b: str) -> tuple[Text, Text]:
    if kind == "verbatim":
        return Text(a), Text(b)
    changed_a, changed_b = changed_words(a, b)
    return _highlighted(a, changed_a, "red strike"), _highlighted(b, changed_b, "bold green")


def _match_cells(match: Match) -> tuple[Text, Text]:
    a, b = (p.text for p in match.paragraphs)
    return _cells(match.kind, a, b)


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


def _passage_table(pair: PairReport) -> Table:
    table = _empty_table(pair)
    for p in pair.passages:
        score = Text(f"{p.kind}\n{p.containment:.2f}", style=_KIND_STYLE[p.kind])
        table.add_row(_paragraph_range(p), score, *_cells(p.kind, p.spans[0].text, p.spans[1].text))
    return table


def _paragraph_range(passage: Passage) -> str:
    def one(indexes: tuple[int, ...]) -> str:
        if not indexes:
            return "?"
        return str(indexes[0]) if len(indexes) == 1 else f"{indexes[0]}-{indexes[-1]}"
    return f"{one(passage.paragraphs[0])}↔{one(passage.paragraphs[1])}"


def _pair_table(pair: PairReport) -> Table:
    table = _empty_table(pair)
    for m in pair.matches:
        pa, pb = m.paragraphs
        score = Text(f"{m.kind}\n{m.containment:.2f}", style=_KIND_STYLE[m.kind])
        table.add_row(f"{pa.index}↔{pb.index}", score, *_match_cells(m))
    return table


def _copy_section(console: Console, pair: PairReport) -> None:
    console.rule()
    console.print(Text(pair.headline, style=_KIND_STYLE[pair.kind]))
    if pair.kind != "verbatim":
        console.print(f"rewording: {pair.kept:.0%} of the matched shingles kept "
                      "(changed words: [red strike]removed[/] / [bold green]added[/])")
    console.print(_passage_table(pair) if _passages_tell_more(pair) else _pair_table(pair))


class ReportConsole(Console):
    """rich's Console, but a reader that went away (``| head``) raises BrokenPipeError to the CLI's one
    output-error handler instead of rich's own ``SystemExit(1)``, which would read as "copies found"."""

    def on_broken_pipe(self) -> None:
        raise BrokenPipeError


def _boilerplate_section(console: Console, report: Report) -> None:
    console.rule(f"boilerplate ({len(report.boilerplate)} texts repeated across documents, never matched)")
    for text, documents in report.boilerplate:
        console.print(Text.assemble((f"  {documents:>5} documents", "dim"), "  " + " ".join(text.split())[:100]))


def print_report(report: Report, stream: TextIO | None = None, show_boilerplate: bool = False) -> None:
    """Copies in full (headline, then the paragraph pairs), related pairs one line each, and
    the boilerplate set aside when asked."""
    console = ReportConsole(file=stream, highlight=False)
    copies = report.copies
    console.print(f"[bold]{len(report.documents)} documents, {len(copies)} copies, "
                  f"{len(report.pairs) - len(copies)} related pairs[/]")
    for pair in copies:
        _copy_section(console, pair)
    related = [p for p in report.pairs if p.verdict != "copy"]
    if related:
        console.rule("related (shared passages, not copies)")
        for pair in related:
            console.print(Text(f"  {pair.headline}"))
    for group in report.groups:
        console.print(Text.assemble(("copy group:", "bold"), " " + ", ".join(group)))
    if show_boilerplate:
        _boilerplate_section(console, report)
    elif report.boilerplate:
        console.print(f"[dim]{len(report.boilerplate)} boilerplate texts set aside (--show-boilerplate lists them)[/]")


@contextmanager
def working(message: str) -> Iterator[None]:
    """A spinner on a terminal, nothing when stderr is piped."""
    console = Console(stderr=True)
    if not console.is_terminal:
        yield
        return
    with console.status(Text(message)):  # a path or an address is text, never markup
        yield


@contextmanager
def progress(total: int, description: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on a terminal (stderr); yields ``advance(n)``. Nothing when piped."""
    console = Console(stderr=True)
    if not console.is_terminal:
        yield lambda n: None
        return
    with Progress(*Progress.get_default_columns(), MofNCompleteColumn(), console=console, transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)
