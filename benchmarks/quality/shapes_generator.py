"""The machinery of the shapes corpus (``shapes.py``): its data types, the category table, and
:class:`ShapeGenerator`, which draws prose without accidental overlap, picks sites and lays out
pages; the category builders are in ``shapes_copies.py`` and ``shapes_related.py``."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from benchmarks.quality.pages import Span, headline
from benchmarks.quality.shapes_pages import (
    Key,
    Layout,
    Segment,
    Sheet,
    Site,
    any_layout,
    foot,
    head,
    make_sites,
    truth,
)
from benchmarks.quality.shapes_text import SOURCES, Prose, trigrams

COPY, NOT_COPY = "copy", "not copy"
# A paragraph of a page: one text and its key (None: not tracked), or a list of segments.
Paragraph = tuple[str, Key | None] | list[Segment]
# category -> (expected verdict, variants); the order is the table's.
CATEGORIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "one_paragraph": (COPY, ("bare", "titled")),
    "wrapped_70_190": (COPY, ("per_paragraph", "reflowed")),
    "noisy_passage": (COPY, ("mid_paragraph", "own_paragraph")),
    "flattened": (COPY, ("one_line", "body_line")),
    "two_blocks": (COPY, ("lines", "wrapped")),
    "light_revision": (COPY, SOURCES),
    "heavy_rewording": (COPY, SOURCES),
    "independent_same_topic": (NOT_COPY, ("no_similar", "one_similar", "two_similar")),
    "two_quotations": (NOT_COPY, ("same_style", "restyled")),
    "one_sentence_reports": (NOT_COPY, ("bare", "page")),
    "lead_excerpt": (COPY, ("short_paragraphs", "long_paragraphs")),
    "collage": (COPY, ("one_paragraph", "interleaved")),
    "definition_block": (COPY, ("from_source", "between_copies")),
    "shared_footer": (NOT_COPY, ("source_page", "other_pages")),
    "repeated_list": (COPY, ("short_phrase", "long_phrase")),
    "repeated_quotation": (COPY, ("quote_before", "quote_after")),
}
NEAR_DUPLICATE = 0.5  # share of a sentence's 3-grams already drawn that makes it a near-duplicate


@dataclass(frozen=True)
class ShapePair:
    """Two documents, the category and variant of their pair, its expected verdict and truth spans."""

    source: str
    copy: str
    category: str
    variant: str
    expected: str
    truth: tuple[tuple[Span, Span], ...]
    notes: tuple[tuple[str, float], ...] = ()  # measures of the generated text, e.g. 3-grams kept


@dataclass(frozen=True)
class ShapeCorpus:
    documents: tuple[tuple[str, str], ...]  # (id, text)
    pairs: tuple[ShapePair, ...]

    def text(self, doc_id: str) -> str:
        return dict(self.documents)[doc_id]


class ShapeGenerator:
    """Builds the pairs of every category from one random stream."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.prose = Prose(self.rng)
        self.sites = make_sites(self.rng)
        self.documents: list[tuple[str, str]] = []
        self.pairs: list[ShapePair] = []
        self.site_headlines: dict[str, list[str]] = {}  # site name -> headlines of its pages
        self.context: set[tuple[str, ...]] = set()  # 3-grams drawn for the current pair
        self.drawn: set[tuple[str, ...]] = set()  # 3-grams drawn for the whole corpus
        self.pair_sites: list[Site] = []  # sites already used by the current pair
        self.popular: dict[str, list[str]] = {}  # site -> its earlier pairs' headlines ("Most Popular")

    def fresh(self) -> None:
        """Start a new pair (or group of documents): forget the text and sites used so far. A site's
        "Most Popular" list shows its own pages of earlier pairs only (a copy listing its source's
        headline, or two outlets listing the same stories, would be another shape)."""
        self.context = set()
        self.pair_sites = []
        self.popular = {name: titles[-30:] for name, titles in self.site_headlines.items()}

    def draw(self, n: int, source: str | None = None, min_words: int = 0, max_words: int = 99) -> list[str]:
        """``n`` sentences of ``min_words`` to ``max_words`` words, consecutive in one source, none
        sharing two word 3-grams with the text drawn since :meth:`fresh` (the stdlib repeats itself:
        ``rotate`` and ``shift`` are documented in near-identical sentences, and two pages of one pair
        must share only what the shape puts there)."""
        out = self.prose.take(n, source, lambda s: min_words <= len(s.split()) <= max_words
                              and len(trigrams(s) & self.context) < 2 and self.novel(s))
        for s in out:
            self.context |= trigrams(s)
            self.drawn |= trigrams(s)
        return out

    def novel(self, sentence: str) -> bool:
        """Not a near-duplicate of a sentence drawn anywhere in the corpus before (half its 3-grams
        and at least three of them seen): pages of different pairs share only chrome."""
        grams = trigrams(sentence)
        seen = len(grams & self.drawn)
        return seen < 3 or seen < NEAR_DUPLICATE * len(grams)

    def subject(self, min_words: int) -> list[str]:
        """Up to 90 sentences of one subject (a pydoc topic or stdlib module) less near-duplicates,
        at least ``min_words`` words in all (subjects falling short are skipped)."""
        for _ in range(50):
            out = [s for s in self.prose.topic(min_words // 20, ("topics", "docstrings"), 90) if self.novel(s)]
            if sum(len(s.split()) for s in out) >= min_words:
                for s in out:
                    self.drawn |= trigrams(s)
                return out
        raise ValueError(f"no prose subject has {min_words} words left: lower per_category")

    def words(self, target: int) -> list[str]:
        """Consecutive sentences of one source adding up to at least ``target`` words."""
        source, out = self.prose.pick_source(target // 5), list[str]()
        while sum(len(s.split()) for s in out) < target:
            out += self.draw(1, source)
        return out

    def site(self, *avoid: Site) -> Site:
        """A site of another kind than ``avoid`` and not yet used by this pair (a copy is elsewhere)."""
        options = [s for s in self.sites if s not in avoid and s not in self.pair_sites]
        site = self.rng.choice(options or [s for s in self.sites if s not in avoid])
        self.pair_sites.append(site)
        return site

    def publish(self, sheet: Sheet) -> str:
        """Add the sheet's text to the corpus under a new random id; returns the id."""
        doc_id = f"{self.rng.getrandbits(40):010x}.txt"
        self.documents.append((doc_id, sheet.text()))
        return doc_id

    def label(self, a: str, b: str, category: str, variant: str, spans: tuple[tuple[Span, Span], ...],
              **notes: float) -> None:
        """Record a labelled pair (expected verdict from :data:`CATEGORIES`) with generator measures."""
        expected = CATEGORIES[category][0]
        self.pairs.append(ShapePair(a, b, category, variant, expected, spans, tuple(sorted(notes.items()))))

    def title(self) -> str:
        """A new headline, made from a sentence."""
        return headline(self.draw(1)[0], self.rng)

    def own(self, count: int, sizes: tuple[int, ...] = (1, 2, 3)) -> list[str]:
        """``count`` paragraphs of a page's own text."""
        source = self.prose.pick_source(3 * count)
        return [" ".join(self.draw(self.rng.choice(sizes), source)) for _ in range(count)]

    def article(self, count: int, sizes: tuple[int, ...] = (1, 2, 2, 3), source: str | None = None) -> list[str]:
        """``count`` paragraphs of ``sizes`` sentences from one prose source: the text that gets copied."""
        source = source or self.prose.pick_source(3 * count)
        return [" ".join(self.draw(self.rng.choice(sizes), source)) for _ in range(count)]

    def page(self, body: Sequence[Paragraph], site: Site | None = None, layout: Layout | None = None,
             title: str | None = None, title_key: Key | None = None) -> Sheet:
        """A page of ``site``: chrome, title, the body paragraphs (keyed or not), chrome."""
        sheet = Sheet(layout or any_layout(self.rng))
        site = site or self.site()
        title = title if title is not None else self.title()
        self.site_headlines.setdefault(site.name, []).append(title)
        head(sheet, site, self.rng, title, title_key)
        for item in body:
            if isinstance(item, list):
                sheet.para(*item)
            else:
                sheet.para(item[0] if item[1] is None else (item[0], item[1]))
        foot(sheet, site, self.rng, self.popular.get(site.name, []))
        return sheet

    def embed(self, keyed: list[tuple[str, Key | None]], before: int, after: int) -> list[tuple[str, Key | None]]:
        """``keyed`` paragraphs between ``before`` and ``after`` paragraphs of the page's own text."""
        return [*((p, None) for p in self.own(before)), *keyed, *((p, None) for p in self.own(after))]

    def copy_pair(self, category: str, variant: str, source: Sheet, copy: Sheet, keys: list[Key],
                  **notes: float) -> None:
        """Publish a source and its copy and label them with the spans of ``keys`` in both."""
        a, b = self.publish(source), self.publish(copy)
        self.label(a, b, category, variant, truth(source, copy, keys), **notes)
