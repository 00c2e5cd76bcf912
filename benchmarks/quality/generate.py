"""A deterministic generator of labelled syndication corpora from real English prose.

Every source is a news page (menu, headline, byline, article, share line, footer). Each source has
exactly one copy, of one category and strength:

* ``verbatim``: ``plain`` (the article alone, credited) or ``embedded`` (in a page full of menus,
  "Most Popular" headlines, reader comments and footers);
* ``near_verbatim``: ``typos`` (3% of words), ``entities`` (undecoded HTML entities and ``&nbsp;``),
  ``quotes_spaces`` (straight quotes, doubled dashes, U+00A0 spaces), ``wrapped`` (plain text
  hard-wrapped at 72 columns, half of them without blank lines between paragraphs);
* ``excerpt``: 3 to 5 consecutive paragraphs, from the ``lead`` or the ``middle``, inside the copier's
  own article;
* ``reordered``: every paragraph, in shuffled order;
* ``reworded``: spun at ``light``/``medium``/``heavy`` strength (see :data:`rewrite.STRENGTHS`).

Hard negatives (category ``hard_negative``, strength ``one_quote``/``two_quotes``) are two independently
written pages on the same subject (consecutive sentences of one prose group), naming the same people,
that share one or two quoted sentences.

Truth is given as character spans into each document's text, so it does not depend on any splitter.

>>> c = make_corpus(seed=1, n_sources=12, n_negatives=2)
>>> len(c.documents), len(c.copies), len(c.negatives)
(28, 12, 2)
>>> make_corpus(seed=1, n_sources=12, n_negatives=2) == c
True
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from benchmarks.quality import rewrite
from benchmarks.quality.pages import (
    CITIES,
    Outlet,
    Page,
    Span,
    comments,
    date,
    headline,
    make_outlets,
    most_popular,
    person,
)
from benchmarks.quality.prose import sentence_groups

VARIANTS: tuple[tuple[str, str], ...] = (
    ("verbatim", "plain"), ("verbatim", "embedded"),
    ("near_verbatim", "typos"), ("near_verbatim", "entities"), ("near_verbatim", "quotes_spaces"),
    ("near_verbatim", "wrapped"),
    ("excerpt", "lead"), ("excerpt", "middle"),
    ("reordered", "shuffled"),
    ("reworded", "light"), ("reworded", "medium"), ("reworded", "heavy"),
)  # fmt: skip
CATEGORIES = ("verbatim", "near_verbatim", "excerpt", "reordered", "reworded", "hard_negative")
TYPO_RATE = 0.03


@dataclass(frozen=True)
class LabelledPair:
    """Two documents and, as ``(source span, copy span)``, the paragraphs one took from the other.

    For hard negatives the "paragraphs" are the ones sharing a quotation (they are not copies).
    """

    source: str
    copy: str
    category: str
    strength: str
    paragraphs: tuple[tuple[Span, Span], ...]


@dataclass(frozen=True)
class LabelledCorpus:
    documents: tuple[tuple[str, str], ...]  # (id, text)
    copies: tuple[LabelledPair, ...]
    negatives: tuple[LabelledPair, ...]

    def text(self, doc_id: str) -> str:
        return dict(self.documents)[doc_id]

    @property
    def pairs(self) -> tuple[LabelledPair, ...]:
        return self.copies + self.negatives


@dataclass(frozen=True)
class Article:
    headline: str
    byline: str
    body: tuple[str, ...]

    @property
    def paragraphs(self) -> tuple[str, ...]:
        """Headline (key 0) then body paragraphs (keys 1..n): the units of the truth."""
        return (self.headline, *self.body)


class Supply:
    """Sentences handed out once each, in an order that keeps subjects together."""

    def __init__(self, rng: random.Random) -> None:
        groups = list(sentence_groups())
        rng.shuffle(groups)
        self.sentences = [s for g in groups for s in g]
        self.position = 0

    def take(self, n: int) -> list[str]:
        if self.position + n > len(self.sentences):
            raise ValueError(f"the prose pool has {len(self.sentences)} sentences; the corpus asked for more: "
                             "lower n_sources or n_negatives")
        out = self.sentences[self.position : self.position + n]
        self.position += n
        return out


def _quote(sentence: str, who: str, role: str, rng: random.Random) -> str:
    body = sentence[:-1]
    style = rng.randrange(3)
    if style == 0:
        return f"“{body},” said {who}, {role}."
    if style == 1:
        return f"{who}, {role}, said: “{body}.”"
    return f"“{body},” {who} told reporters."


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.supply = Supply(self.rng)
        self.outlets = make_outlets(self.rng)
        self.headlines: list[str] = []
        self.used_ids: set[str] = set()

    def new_id(self) -> str:
        while True:
            doc_id = f"{self.rng.getrandbits(40):010x}.txt"
            if doc_id not in self.used_ids:
                self.used_ids.add(doc_id)
                return doc_id

    def paragraphs(self, count: int) -> list[str]:
        return [" ".join(self.supply.take(self.rng.choice((1, 2, 2, 3)))) for _ in range(count)]

    def article(self, quotes: list[str] | None = None, speaker: tuple[str, str] | None = None,
                city: str | None = None) -> Article:
        rng = self.rng
        body = self.paragraphs(rng.randint(6, 10))
        who, role = speaker if speaker is not None else person(rng)
        for q in quotes if quotes is not None else self.supply.take(rng.randint(1, 2)):
            body.insert(rng.randint(2, len(body)), _quote(q, who, role, rng))
        body[0] = f"{city or rng.choice(CITIES)} — {body[0]}"
        title = headline(self.supply.take(1)[0], rng)
        self.headlines.append(title)
        return Article(title, f"By {' '.join(person(rng)[0].split())} | {date(rng)}", tuple(body))

    def other_outlet(self, outlet: Outlet) -> Outlet:
        return self.rng.choice([o for o in self.outlets if o is not outlet])

    def footer(self, page: Page, outlet: Outlet) -> None:
        for line in outlet.footer(self.rng.randint(2016, 2024)):
            if self.rng.random() < 0.7:
                page.add(line)

    def source_page(self, article: Article, outlet: Outlet) -> Page:
        page = Page()
        page.add(outlet.header())
        page.add(article.headline, (0,))
        page.add(article.byline)
        for k, p in enumerate(article.body, 1):
            page.add(p, (k,))
        page.add(outlet.share)
        if self.rng.random() < 0.5 and self.headlines:
            most_popular(page, self.headlines[-40:], self.rng)
        self.footer(page, outlet)
        return page

    def embedded_page(self, paragraphs: list[tuple[str, tuple[int, ...]]], outlet: Outlet) -> Page:
        """A busy page: menu, teaser, the copied paragraphs, share line, popular list, comments, footer."""
        rng, page = self.rng, Page()
        page.add(outlet.header())
        if self.headlines and rng.random() < 0.5:
            page.add("Related: " + rng.choice(self.headlines[-40:]))
        for text, keys in paragraphs:
            page.add(text, keys)
            if len(page.spans) == 1:
                page.add(f"By {person(rng)[0]} | {date(rng)} | {rng.randint(2, 9)} min read")
        page.add(outlet.share)
        if self.headlines:
            most_popular(page, self.headlines[-40:], rng)
        comments(page, [" ".join(self.supply.take(rng.randint(1, 2))) for _ in range(rng.randint(0, 4))], rng)
        self.footer(page, outlet)
        return page


def _keyed(paragraphs: tuple[str, ...], transform: Callable[[str], str]) -> list[tuple[str, tuple[int, ...]]]:
    return [(transform(p), (k,)) for k, p in enumerate(paragraphs)]


def _wrapped_page(g: Generator, article: Article, source: Outlet) -> Page:
    """A plain-text newsletter: hard-wrapped at 72 columns, with or without blank lines between."""
    page, sep = Page(), "\n\n" if g.rng.random() < 0.5 else "\n"
    page.add(f"Fwd: {source.name} daily briefing\nFrom: newsletter@example.org")
    page.add(rewrite.hard_wrap(article.headline), (0,))
    for k, p in enumerate(article.body, 1):
        page.add(rewrite.hard_wrap(p), (k,), sep=sep)
    page.add("--\nYou are receiving this because you subscribed.\nUnsubscribe | Manage preferences")
    return page


def _excerpt_page(g: Generator, article: Article, source: Outlet, outlet: Outlet, where: str) -> Page:
    rng = g.rng
    count = rng.randint(3, 5)
    first = 1 if where == "lead" else rng.randint(2, max(2, len(article.body) - count + 1))
    own = g.article()
    page = Page()
    page.add(outlet.header())
    page.add(own.headline)
    page.add(own.byline)
    for p in own.body[: rng.randint(1, 2)]:
        page.add(p)
    page.add(f"{source.name} reports:")
    for k in range(first, min(first + count, len(article.body) + 1)):
        page.add(article.body[k - 1], (k,))
    page.add(f"Read the full story at {source.name}.")
    for p in own.body[2 : 2 + rng.randint(0, 2)]:
        page.add(p)
    g.footer(page, outlet)
    return page


def _spun(g: Generator, article: Article, strength: rewrite.Strength) -> list[tuple[str, tuple[int, ...]]]:
    rng = g.rng
    out: list[tuple[str, tuple[int, ...]]] = [(rewrite.synonymise(article.headline, strength.synonyms, rng), (0,))]
    for k, p in enumerate(article.body, 1):
        if rng.random() < strength.drop_paragraph:
            continue
        parts = rewrite.spin_sentences(p, strength, rng)
        if len(parts) > 1 and rng.random() < strength.split_paragraph:
            cut = rng.randint(1, len(parts) - 1)
            out += [(" ".join(parts[:cut]), (k,)), (" ".join(parts[cut:]), (k,))]
        else:
            out.append((" ".join(parts), (k,)))
    for p in g.paragraphs(rng.randint(1, 2)):  # paragraphs of the copier's own
        out.insert(rng.randint(2, len(out)), (p, ()))  # no source paragraph: an empty key
    return out


def copy_page(g: Generator, article: Article, source: Outlet, category: str, strength: str) -> Page:
    rng, outlet = g.rng, g.other_outlet(source)
    if category == "verbatim" and strength == "plain":
        page = Page()
        page.add(article.headline, (0,))
        page.add(f"By {source.name} staff")
        for k, p in enumerate(article.body, 1):
            page.add(p, (k,))
        page.add(f"This story was originally published by {source.name} and is republished with permission.")
        return page
    if category == "near_verbatim" and strength == "wrapped":
        return _wrapped_page(g, article, source)
    if category == "excerpt":
        return _excerpt_page(g, article, source, outlet, strength)
    transforms: dict[str, Callable[[str], str]] = {
        "typos": lambda t: rewrite.add_typos(t, TYPO_RATE, rng),
        "entities": lambda t: rewrite.html_entities(t, rng),
        "quotes_spaces": lambda t: rewrite.straight_quotes_and_nbsp(t, rng),
    }
    if category == "reworded":
        return g.embedded_page(_spun(g, article, rewrite.STRENGTHS[strength]), outlet)
    keyed = _keyed(article.paragraphs, transforms.get(strength, lambda t: t))
    if category == "reordered":
        body = keyed[1:]
        while body == keyed[1:]:
            rng.shuffle(body)
        keyed = [keyed[0], *body]
    return g.embedded_page(keyed, outlet)


def _truth(source: Page, copy: Page) -> tuple[tuple[Span, Span], ...]:
    pairs = []
    for keys, copy_span in copy.spans:
        for k in keys:
            pairs += [(src_span, copy_span) for src_span in source.span_of(k)]
    return tuple(sorted(pairs))


def _negative(g: Generator, strength: str) -> tuple[Page, Page, tuple[tuple[Span, Span], ...]]:
    """Two pages on one subject by different outlets, sharing only quotations."""
    rng = g.rng
    quotes = g.supply.take(1 if strength == "one_quote" else 2)
    speaker, city = person(rng), rng.choice(CITIES)
    first = g.article(quotes, speaker, city)
    second = g.article(quotes, speaker, city)
    outlet_a = rng.choice(g.outlets)
    page_a, page_b = g.source_page(first, outlet_a), g.source_page(second, g.other_outlet(outlet_a))
    shared = []
    for q in quotes:
        ka = next(k for k, p in enumerate(first.paragraphs) if q[:-1] in p)
        kb = next(k for k, p in enumerate(second.paragraphs) if q[:-1] in p)
        shared += [(a, b) for a in page_a.span_of(ka) for b in page_b.span_of(kb)]
    return page_a, page_b, tuple(shared)


def make_corpus(seed: int = 0, n_sources: int = 96, n_negatives: int = 32) -> LabelledCorpus:
    """A labelled corpus: ``n_sources`` sources with one copy each, spread evenly over
    :data:`VARIANTS`, and ``n_negatives`` hard-negative pairs. Deterministic for ``seed``."""
    g = Generator(seed)
    documents: list[tuple[str, str]] = []
    copies, negatives = [], []
    for n in range(n_sources):
        category, strength = VARIANTS[n % len(VARIANTS)]
        article, outlet = g.article(), g.rng.choice(g.outlets)
        source = g.source_page(article, outlet)
        copy = copy_page(g, article, outlet, category, strength)
        source_id, copy_id = g.new_id(), g.new_id()
        documents += [(source_id, source.text()), (copy_id, copy.text())]
        copies.append(LabelledPair(source_id, copy_id, category, strength, _truth(source, copy)))
    for n in range(n_negatives):
        strength = ("one_quote", "two_quotes")[n % 2]
        page_a, page_b, shared = _negative(g, strength)
        id_a, id_b = g.new_id(), g.new_id()
        documents += [(id_a, page_a.text()), (id_b, page_b.text())]
        negatives.append(LabelledPair(id_a, id_b, "hard_negative", strength, shared))
    g.rng.shuffle(documents)
    return LabelledCorpus(tuple(documents), tuple(copies), tuple(negatives))
