"""What the text report says, section by section, for its two renderers: rich's on a terminal
(``render.py``) and the plain one for a pipe or a file (``plain_report.py``). Each says the same
sections in this order with the words made here; only the look (colours, wrapping) is theirs.
Imports no rich."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from syndidetect.report import Match, PairReport, Passage, Report
from syndidetect.wordiff import changed_words, word_spans
from syndidetect.wording import counted

Shares = tuple[float, float]  # the share of each document's words found in the other


class Counts(NamedTuple):
    """The first line: how many documents, copies and related pairs."""

    text: str


class Copy(NamedTuple):
    """A copy in full: a rule, its headline and shares, then its paragraph pairs or passages."""

    pair: PairReport
    shares: Shares


class RelatedRule(NamedTuple):
    """The rule above the related pairs."""

    title: str


class Related(NamedTuple):
    """A related pair on two lines: its headline, then the text it shares."""

    pair: PairReport
    shares: Shares


class Group(NamedTuple):
    """A copy group: documents holding the same text."""

    members: tuple[str, ...]


class BoilerplateRule(NamedTuple):
    """The rule above the boilerplate texts (``--show-boilerplate``)."""

    title: str


class Boilerplate(NamedTuple):
    """One boilerplate text and how many documents hold it."""

    text: str
    documents: int


class SetAside(NamedTuple):
    """How many boilerplate texts were set aside, when they are not listed."""

    text: str


Section = Counts | Copy | RelatedRule | Related | Group | BoilerplateRule | Boilerplate | SetAside

RELATED_TITLE = "related (shared passages, not copies)"


def report_sections(report: Report, show_boilerplate: bool = False) -> Iterator[Section]:
    """The report's sections in print order: copies in full (by the larger share first), related
    pairs, copy groups, and the boilerplate set aside (listed when asked)."""
    report = report.ranked()
    shares = {documents: share for documents, (_, share) in report.pair_shares().items()}
    copies = report.copies
    yield Counts(f"{counted(len(report.documents), 'document')}, {counted(len(copies), 'copy', 'copies')}, "
                 f"{counted(len(report.pairs) - len(copies), 'related pair')}")
    for pair in copies:
        yield Copy(pair, shares[pair.documents])
    related = [p for p in report.pairs if p.verdict != "copy"]
    if related:
        yield RelatedRule(RELATED_TITLE)
        for pair in related:
            yield Related(pair, shares[pair.documents])
    for group in report.groups:
        yield Group(group)
    if show_boilerplate:
        yield BoilerplateRule(f"boilerplate ({counted(len(report.boilerplate), 'text')} repeated across documents, "
                              "never matched)")
        for text, documents in report.boilerplate:
            yield Boilerplate(text, documents)
    elif report.boilerplate:
        yield SetAside(f"{counted(len(report.boilerplate), 'boilerplate text')} set aside "
                       "(--show-boilerplate lists them)")


def shares_line(pair: PairReport, shares: Shares) -> str:
    a, b = pair.documents
    return f"shared: {shares[0]:.0%} of {a}'s words, {shares[1]:.0%} of {b}'s"


def rewording_words(pair: PairReport) -> tuple[str, str]:
    """The words around the legend of a copy's rewording line (which a verbatim copy has not)."""
    return f"rewording: {pair.kept:.0%} of the matched shingles kept (changed words: ", ")"


PLAIN_LEGEND = "[-removed-] / {+added+}"  # wdiff's notation, which a pipe shows in the texts


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


def related_headline(pair: PairReport, shares: Shares) -> str:
    return f"  {pair.headline} ({shares[0]:.0%} / {shares[1]:.0%} of their words)"


def shared_text(pair: PairReport) -> str:
    """The longest text a pair shares (a passage, else a matched paragraph), on one line."""
    texts = [p.spans[0].text for p in pair.passages] + [m.paragraphs[0].text for m in pair.matches]
    return " ".join(max(texts, key=len, default="").split())


def shared_line(pair: PairReport) -> str:
    return f"      “{shared_text(pair)}”"


def group_words(group: Group) -> tuple[str, str]:
    """A copy group's label and the list after it."""
    return "copy group:", " " + ", ".join(group.members)


def boilerplate_words(item: Boilerplate) -> tuple[str, str]:
    """A boilerplate text's count of documents and the text on one line, cut to 100 characters."""
    return f"  {item.documents:>5} documents", "  " + " ".join(item.text.split())[:100]


def passages_tell_more(pair: PairReport) -> bool:
    """Passages, not paragraph pairs, when the two layouts differ: a paragraph matched by several
    (a flattened, merged or re-wrapped copy) or text shared across paragraph boundaries only."""
    if not pair.passages:
        return False
    if not pair.matches:
        return True
    per_a = [m.paragraphs[0].index for m in pair.matches]
    per_b = [m.paragraphs[1].index for m in pair.matches]
    return len(set(per_a)) < len(per_a) or len(set(per_b)) < len(per_b)


class Row(NamedTuple):
    """A row of a copy's table: where (paragraph numbers), kind and score, then each side's text
    with its changed words (None for verbatim text, which has none)."""

    where: str
    kind: str
    score: float
    texts: tuple[str, str]
    changed: tuple[list[bool], list[bool]] | None

    @property
    def kind_and_score(self) -> str:
        """The second column's cell: the kind, and the score below it."""
        return f"{self.kind}\n{self.score:.2f}"


def marked_texts(row: Row) -> tuple[str, str]:
    """A row's two texts as a pipe shows them: changed words marked ``[-removed-]`` on the left and
    ``{+added+}`` on the right."""
    a, b = row.texts
    if row.changed is None:
        return a, b
    return marked(a, row.changed[0], "[-", "-]"), marked(b, row.changed[1], "{+", "+}")


def paragraph_range(passage: Passage) -> str:
    def one(indexes: tuple[int, ...]) -> str:
        if not indexes:
            return "?"
        return str(indexes[0]) if len(indexes) == 1 else f"{indexes[0]}-{indexes[-1]}"
    return f"{one(passage.paragraphs[0])}↔{one(passage.paragraphs[1])}"


def _row(where: str, kind: str, score: float, a: str, b: str) -> Row:
    return Row(where, kind, score, (a, b), None if kind == "verbatim" else changed_words(a, b))


def _match_row(match: Match) -> Row:
    pa, pb = match.paragraphs
    return _row(f"{pa.index}↔{pb.index}", match.kind, match.containment, pa.text, pb.text)


def table_rows(pair: PairReport) -> list[Row]:
    """A copy's table: its passages when they tell more than its paragraph pairs, else those."""
    if passages_tell_more(pair):
        return [_row(paragraph_range(p), p.kind, p.containment, p.spans[0].text, p.spans[1].text)
                for p in pair.passages]
    return [_match_row(m) for m in pair.matches]


TABLE_HEADERS = ("¶", "kind / score")  # then the two documents' ids
