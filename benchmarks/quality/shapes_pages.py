"""Pages of the shapes corpus (see ``shapes.py``): a text builder that wraps paragraphs at a given
width and records the character span of every keyed piece of text, the chrome of five kinds of
site (news outlets from ``pages.py``, blogs, newsletters, forums, bare text), and templated news
about one event (for reports that share facts and quotations but no copied text).

>>> sheet = Sheet(Layout(width=20, blank=False))
>>> _ = sheet.para(("one two three four five six", "k"), " seven")
>>> sheet.text()
'one two three four\\nfive six seven\\n'
>>> sheet.spans["k"]
[(0, 27)]
"""

from __future__ import annotations

import random
import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

from benchmarks.quality.pages import (
    CITIES,
    FIRST_NAMES,
    LAST_NAMES,
    ORGS,
    Outlet,
    Span,
    date,
    make_outlets,
    most_popular,
    person,
)

Key = Hashable
Segment = str | tuple[str, Key]
NARROW = (60, 80)  # columns: e-mail and plain-text newsletters
WIDE = (170, 200)  # columns: text pasted from a wide editor or a PDF; longer than any wrap a splitter joins
_SPACE = re.compile(r"[ \t\n]+")


@dataclass(frozen=True)
class Layout:
    """How paragraphs are laid out: wrap column (None: a paragraph is one line), blank lines
    between paragraphs or not, indentation of every line and of first lines."""

    width: int | None = None
    blank: bool = True
    indent: str = ""
    first: str = ""

    @property
    def sep(self) -> str:
        return "\n\n" if self.blank else "\n"


def narrow(rng: random.Random, blank: bool | None = None) -> Layout:
    """Wrapped at 60 to 80 columns; without blank lines, paragraphs start indented (or not)."""
    blank = rng.random() < 0.5 if blank is None else blank
    first = "" if blank else rng.choice(("", "  ", "    "))
    return Layout(rng.randint(*NARROW), blank, rng.choice(("", "", " ")), first)


def wide(rng: random.Random, blank: bool = False) -> Layout:
    """Wrapped at 170 to 200 columns, by default with no blank lines (every line a paragraph)."""
    return Layout(rng.randint(*WIDE), blank)


def any_layout(rng: random.Random) -> Layout:
    """One of: one line per paragraph with or without blank lines, narrow wrap, wide wrap."""
    kind = rng.randrange(4)
    if kind < 2:
        return Layout(None, kind == 0, "", rng.choice(("", "", "\t")) if kind else "")
    return narrow(rng) if kind == 2 else wide(rng, blank=rng.random() < 0.5)


@dataclass
class Sheet:
    """Text assembled block by block. ``spans[key]`` lists the spans of the text given ``key``
    (from its first word's first character to its last word's last character, per block)."""

    layout: Layout = field(default_factory=Layout)
    parts: list[str] = field(default_factory=list)
    length: int = 0
    spans: dict[Key, list[Span]] = field(default_factory=dict)

    def _write(self, s: str) -> None:
        self.parts.append(s)
        self.length += len(s)

    def _open(self, sep: str | None) -> None:
        if self.length:
            self._write(self.layout.sep if sep is None else sep)

    def add(self, text: str, keys: tuple[Key, ...] = (), sep: str | None = None) -> Span:
        """A block written as given (chrome, lists); compatible with ``pages.Page.add``."""
        self._open(sep)
        start = self.length
        self._write(text)
        for key in keys:
            self.spans.setdefault(key, []).append((start, self.length))
        return start, self.length

    def para(self, *segments: Segment, layout: Layout | None = None, sep: str | None = None) -> Span:
        """One paragraph: its segments' words flowed together and wrapped by ``layout``."""
        lay = layout or self.layout
        self._open(sep)
        start, col = self.length, -1
        found: dict[Key, list[int]] = {}
        for segment in segments:
            text, key = (segment, None) if isinstance(segment, str) else segment
            for word in _SPACE.split(text.strip()):
                if not word:
                    continue
                if col < 0:
                    self._write(lay.indent + lay.first)
                    col = len(lay.indent + lay.first)
                elif lay.width and col + 1 + len(word) > lay.width:
                    self._write("\n" + lay.indent)
                    col = len(lay.indent)
                else:
                    self._write(" ")
                    col += 1
                found.setdefault(key, [self.length, 0])[1] = self.length + len(word)
                self._write(word)
                col += len(word)
        for key, (a, b) in found.items():
            if key is not None:
                self.spans.setdefault(key, []).append((a, b))
        return start, self.length

    def text(self) -> str:
        return "".join(self.parts) + "\n"

    def extent(self, *keys: Key) -> Span:
        """From the first character of any of ``keys`` to the last."""
        spans = [s for k in keys for s in self.spans[k]]
        return min(a for a, _ in spans), max(b for _, b in spans)


def truth(source: Sheet, copy: Sheet, keys: Sequence[Key]) -> tuple[tuple[Span, Span], ...]:
    """``(source span, copy span)`` of every key placed in both sheets."""
    return tuple((s, c) for k in keys for s in source.spans.get(k, ()) for c in copy.spans.get(k, ()))


# --- sites ------------------------------------------------------------------------------------------

_BLOG_WORDS = ("Notes", "Margins", "Field", "Workbench", "Letters", "Ledger", "Sketches", "Digest", "Corner")
_BLOG_OWNERS = ("Ada", "Ruth", "Felix", "Ines", "Jonas", "Mira", "Otto", "Vera")
_TAGS = ("python", "howto", "reference", "notes", "tools", "reading", "archive", "weekly", "tips", "docs")
_BOARDS = ("General discussion", "Help and support", "Show and tell", "Off topic", "Announcements")
_SIGNATURES = ("Sent from my phone, please excuse the brevity.", "Opinions are my own.",
               "If it ain’t broke, measure it anyway.", "Keep calm and read the manual.")


@dataclass(frozen=True)
class Site:
    """Where a page appears: ``kind`` in news, blog, newsletter, forum, plain."""

    kind: str
    name: str
    outlet: Outlet | None = None
    footer: tuple[str, ...] = ()


def make_sites(rng: random.Random) -> list[Site]:
    """Ten news outlets (``pages.make_outlets``), four blogs, three newsletters, three forums, bare."""
    sites = [Site("news", o.name, o) for o in make_outlets(rng)]
    for owner, word in zip(rng.sample(_BLOG_OWNERS, 4), rng.sample(_BLOG_WORDS, 4)):
        sites.append(Site("blog", f"{owner}’s {word}"))
    for n in rng.sample(("The Morning Brief", "Weekly Digest", "Inbox Review", "Five Things", "The Long Read"), 3):
        sites.append(Site("newsletter", n))
    for n in rng.sample(("DevTalk", "AskTheCommunity", "Stack of Notes", "The Help Desk", "OpenBoard"), 3):
        sites.append(Site("forum", n))
    return [*sites, Site("plain", "")]


def _handle(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES).lower()}_{rng.choice(LAST_NAMES).lower()}{rng.randint(1, 99)}"


def head(sheet: Sheet, site: Site, rng: random.Random, title: str | None, title_key: Key | None = None) -> None:
    """Chrome above the text and the title (keyed if ``title_key``)."""
    # Used only when there is a title.
    titled: Segment = "" if title is None else title if title_key is None else (title, title_key)
    if site.kind == "news" and site.outlet is not None:
        sheet.add(site.outlet.header())
        if title is not None:
            sheet.para(titled, layout=Layout())
        sheet.add(f"By {person(rng)[0]} | {date(rng)}")
    elif site.kind == "blog":
        sheet.add(f"{site.name}\nThoughts, links and longer notes")
        if title is not None:
            sheet.para(titled, layout=Layout())
        sheet.add(f"Posted on {date(rng)} by {_handle(rng)}")
    elif site.kind == "newsletter":
        sheet.add(f"From: {site.name} <editor@{site.name.lower().replace(' ', '')}.example>\nDate: {date(rng)}")
        if title is not None:
            sheet.para("Subject:", titled, layout=Layout())
    elif site.kind == "forum":
        sheet.add(f"{site.name} › {rng.choice(_BOARDS)}")
        if title is not None:
            sheet.para(titled, layout=Layout())
        sheet.add(f"{_handle(rng)} wrote on {date(rng)}:")
    else:
        if site.name:
            sheet.add(site.name)
        if title is not None:
            sheet.para(titled, layout=Layout())


def foot(sheet: Sheet, site: Site, rng: random.Random, headlines: Sequence[str] = ()) -> None:
    """Chrome below the text: share lines, lists of other stories, comments, footers."""
    if site.kind == "news" and site.outlet is not None:
        sheet.add(site.outlet.share)
        if headlines and rng.random() < 0.5:
            most_popular(sheet, list(headlines), rng)  # type: ignore[arg-type]
        for line in site.outlet.footer(rng.randint(2016, 2024)):
            if rng.random() < 0.7:
                sheet.add(line)
    elif site.kind == "blog":
        sheet.add("Tags: " + ", ".join(rng.sample(_TAGS, 3)))
        sheet.add(rng.choice(("Leave a reply", f"{rng.randint(2, 40)} comments", "Comments are closed.")))
        if headlines:
            sheet.add("Recent posts\n" + "\n".join(rng.sample(list(headlines), min(3, len(headlines)))))
    elif site.kind == "newsletter":
        sheet.add("--\nYou are receiving this because you subscribed.\nUnsubscribe | Manage preferences")
    elif site.kind == "forum":
        sheet.add(f"Reply · Quote · Report · {rng.randint(0, 30)} likes")
        sheet.add("--\n" + rng.choice(_SIGNATURES))
    for k, line in enumerate(site.footer):
        sheet.add(line, (("footer", k),))


_FOOTER_LINES = (
    "{name} is written by volunteers and checked by our editors before anything is published.",
    "Found a mistake? Write to corrections@{domain} and we will put it right within a week.",
    "Text is available under a Creative Commons Attribution licence; additional terms may apply.",
    "Our glossary is updated every month with terms suggested by readers and teachers.",
    "{name} receives no advertising money and is funded by its members and two small grants.",
    "© {year} {name} · About · Contact · Privacy",
)


def site_footer(name: str, rng: random.Random) -> tuple[str, ...]:
    """Four to six footer lines of a reference site (each under 30 words)."""
    domain = name.lower().replace(" ", "") + ".example"
    lines = [*rng.sample(_FOOTER_LINES[:-1], rng.randint(3, 5)), _FOOTER_LINES[-1]]
    return tuple(line.format(name=name, domain=domain, year=rng.randint(2016, 2024)) for line in lines)


# --- news about one event ---------------------------------------------------------------------------

_PROJECTS = ("a new ferry terminal", "the northern ring road", "a flood barrier on the river", "free school meals",
             "a public data portal", "a hospital extension", "a tram line to the airport", "a solar farm",
             "the dredging of the harbour", "a library renovation", "cheaper night buses", "a heat-pump subsidy")
_VERBS = ("approved", "earmarked", "released", "pledged", "set aside")
_CURRENCIES = ("euros", "dollars", "pounds", "francs")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


@dataclass(frozen=True)
class Event:
    """One piece of news: who announced what, where and when."""

    who: str
    role: str
    org: str
    city: str
    day: str
    amount: str
    project: str
    verb: str

    @property
    def surname(self) -> str:
        return self.who.split()[-1]

    def fill(self, template: str) -> str:
        org_cap = self.org[0].upper() + self.org[1:]
        text = template.format(who=self.who, role=self.role, org=self.org, Org=org_cap, city=self.city,
                               day=self.day, amount=self.amount, Amount=self.amount[0].upper() + self.amount[1:],
                               project=self.project, verb=self.verb, surname=self.surname)
        return text[0].upper() + text[1:]


def make_event(rng: random.Random) -> Event:
    who, role = person(rng)
    return Event(who, role, rng.choice(ORGS), rng.choice(CITIES).title(), rng.choice(_DAYS),
                 f"{rng.randint(3, 95)} million {rng.choice(_CURRENCIES)}", rng.choice(_PROJECTS), rng.choice(_VERBS))


REPORTS = (
    "{Org} {verb} {amount} for {project} in {city} on {day}, {who}, {role}, said.",
    "{who}, {role}, said on {day} that {org} had {verb} {amount} for {project} in {city}.",
    "Plans for {project} in {city} moved ahead on {day} after {org} {verb} {amount}, according to {who}.",
    "On {day}, {org} {verb} {amount} to pay for {project}, {who} confirmed in {city}.",
    "{Amount} has been {verb} for {project} in {city}, {org} said on {day}.",
    "In {city}, {org} {verb} {amount} for {project} on {day}, a move {who} described as long overdue.",
    "{who} welcomed the decision by {org} on {day} to commit {amount} to {project} in {city}.",
    "{Org} said on {day} it would spend {amount} on {project}, which {surname} called a turning point for {city}.",
    "Money for {project} is finally on its way to {city}: {org} {verb} {amount} on {day}, {surname} said.",
)
FACTS = (
    "The money will come from reserves built up over the last three years.",
    "Work is expected to start before the end of next year, officials said.",
    "Opposition members said the plan had been rushed through without a proper consultation.",
    "A similar proposal was rejected four years ago after costs rose sharply.",
    "The decision still needs the approval of the regional government.",
    "Local businesses have long complained about delays on the project.",
    "An independent review will report on progress every six months.",
    "Residents will be invited to a series of public meetings in the spring.",
)
QUOTE_STYLES = (
    "“{q},” said {who}, {role}.",
    "{who}, {role}, said: “{q}.”",
    "“{q},” {surname} told reporters.",
    "As {surname} put it: “{q}.”",
    "“{q},” {surname} added.",
    "In a statement, {surname} said: “{q}.”",
)


def quotation(sentence: str, event: Event, style: str) -> str:
    """``sentence`` quoted and attributed to the event's speaker in ``style``."""
    return style.replace("{q}", sentence[:-1]).format(who=event.who, role=event.role, surname=event.surname)
