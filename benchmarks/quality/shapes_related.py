"""Builders of the shapes corpus (see ``shapes.py``) whose pairs are mostly "not copy": two pages
on one question, two reports of one event (long, sharing two quotations; one sentence each), and
the definition-block group (six copies of a definition block, six pages sharing only a footer)."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable

from benchmarks.quality.pages import headline
from benchmarks.quality.shapes_generator import Paragraph, ShapeGenerator
from benchmarks.quality.shapes_pages import (
    FACTS,
    QUOTE_STYLES,
    REPORTS,
    Key,
    Layout,
    Segment,
    Sheet,
    Site,
    any_layout,
    foot,
    head,
    make_event,
    quotation,
    site_footer,
    truth,
)
from benchmarks.quality.shapes_text import (
    FUNCTION_WORDS,
    kept_share,
    light_revision,
    paragraphs,
    tokens,
    trigrams,
)

DEFINITION_COPIES = 6  # documents copying one definition block (the brief's six)
FOOTER_PAGES = 6  # unrelated pages repeating the definition source's footer
ONE_THIRD = 1 / 3  # share of the shorter report's 3-grams two one-sentence reports aim to share


def definition_block(g: ShapeGenerator) -> None:
    """One source, six copies of its definition block and paragraph, six pages sharing its footer."""
    rng = g.rng
    name = f"The {rng.choice(('Open', 'Plain', 'Pocket', 'Civic', 'Little'))} Glossary"
    home = Site("plain", name, footer=site_footer(name, rng))
    lines, terms = list[str](), set[str]()
    form = rng.choice(("{t}: {s}", "{t} — {s}", "{t}. {s}", "- {t}: {s}"))
    for s in g.draw(rng.randint(6, 9), min_words=8, max_words=24):
        words = [w.strip(".,;:()’“”\"") for w in s.split()]
        nouns = [w for w in words if w.isalpha() and w.lower() not in FUNCTION_WORDS | terms
                 and not w.endswith(("ly", "ed", "ing"))] or ["Note"]
        term = max(nouns, key=len)
        terms.add(term.lower())
        lines.append(form.format(t=term[:1].upper() + term[1:], s=s))
    long = " ".join(g.words(rng.randint(90, 140)))
    keys: list[Key] = [("d", i) for i in range(len(lines))] + ["L"]
    after = rng.random() < 0.5

    def block(sheet: Sheet, blank: bool) -> None:
        if not after:
            sheet.para((long, "L"))
        for i, line in enumerate(lines):
            sheet.para((line, ("d", i)), layout=Layout(), sep="\n\n" if blank or i == 0 else "\n")
        if after:
            sheet.para((long, "L"))

    source = Sheet(Layout())
    head(source, home, rng, g.title())
    source.para(g.own(1)[0])
    block(source, False)
    for p in g.own(rng.randint(1, 2)):
        source.para(p)
    foot(source, home, rng)
    copies = []
    for _ in range(DEFINITION_COPIES):
        copy, site = Sheet(any_layout(rng)), g.site()
        head(copy, site, rng, g.title())
        for p in g.own(rng.randint(1, 2)):
            copy.para(p)
        block(copy, rng.random() < 0.5)
        for p in g.own(rng.randint(0, 2)):
            copy.para(p)
        foot(copy, site, rng)
        copies.append(copy)
    others = [g.page([(p, None) for p in g.article(rng.randint(4, 6))], home, Layout())
              for _ in range(FOOTER_PAGES)]
    src_id, copy_ids = g.publish(source), [g.publish(c) for c in copies]
    other_ids = [g.publish(o) for o in others]
    for cid, c in zip(copy_ids, copies):
        g.label(src_id, cid, "definition_block", "from_source", truth(source, c, keys))
    for (i, a), (j, b) in itertools.combinations(enumerate(copy_ids), 2):
        g.label(a, b, "definition_block", "between_copies", truth(copies[i], copies[j], keys))
    footer = [("footer", k) for k in range(len(home.footer))]
    for oid, other in zip(other_ids, others):
        g.label(src_id, oid, "shared_footer", "source_page", truth(source, other, footer))
    for (i, a), (j, b) in itertools.combinations(enumerate(other_ids), 2):
        g.label(a, b, "shared_footer", "other_pages", truth(others[i], others[j], footer))


def independent_same_topic(g: ShapeGenerator, variant: str) -> None:
    """Two ~250-word answers to one question from disjoint sentences of one prose subject; 0 to 2 of
    the first answer's sentences reappear lightly revised in the second (the truth spans)."""
    rng, similar = g.rng, ("no_similar", "one_similar", "two_similar").index(variant)
    pool = g.subject(600)
    rng.shuffle(pool)
    answer_a: list[str] = []
    while sum(len(s.split()) for s in answer_a) < 250:
        answer_a.append(pool.pop())
    answer_b: list[str] = []
    for s in _unlike(pool, answer_a):
        if sum(len(x.split()) for x in answer_b) < 250:
            answer_b.append(s)
    b_keyed: list[Segment] = list(answer_b)
    sims = rng.sample(answer_a, similar)
    for i, s in enumerate(sims):
        b_keyed.insert(rng.randint(0, len(b_keyed)), (light_revision(s, rng), ("sim", i)))
    a_keyed: list[Segment] = [(s, ("sim", sims.index(s))) if s in sims else s for s in answer_a]
    question = headline(answer_a[0], rng) + "?"
    sheets = [g.page(_chunks(keyed, rng), title=question) for keyed in (a_keyed, b_keyed)]
    a, b = g.publish(sheets[0]), g.publish(sheets[1])
    keys = [("sim", i) for i in range(similar)]
    g.label(a, b, "independent_same_topic", variant, truth(sheets[0], sheets[1], keys), similar=similar,
            shared_3grams=kept_share(" ".join(answer_b), " ".join(answer_a)))


def two_quotations(g: ShapeGenerator, variant: str) -> None:
    """Two ~500-word reports of one event (other lead, facts and background) sharing two ~30-word
    quotations, attributed differently (``restyled``: straight quotes in the second)."""
    rng, event = g.rng, make_event(g.rng)
    quotes = g.draw(2, min_words=26, max_words=34)
    background = _unlike(g.subject(820), quotes)
    backgrounds = [background[0::2], _unlike(background[1::2], background[0::2])]
    leads, facts, styles = rng.sample(REPORTS, 2), rng.sample(FACTS, 4), rng.sample(QUOTE_STYLES, 4)
    sheets = []
    for r in range(2):
        paras = paragraphs(backgrounds[r], rng, (1, 2, 3))
        quoted = [quotation(q, event, styles[2 * r + i]) for i, q in enumerate(quotes)]
        if variant == "restyled" and r:
            quoted = [q.replace("“", '"').replace("”", '"') for q in quoted]
        body: list[tuple[str, Key | None]] = [(event.fill(leads[r]), None), *((p, None) for p in paras)]
        body.insert(rng.randint(1, 3), (quoted[0], ("q", 0)))
        body.insert(rng.randint(len(body) - 3, len(body)), (facts[2 * r] + " " + facts[2 * r + 1], None))
        body.insert(rng.randint(len(body) - 2, len(body)), (quoted[1], ("q", 1)))
        while sum(len(t.split()) for t, _ in body) > 540 and len(body) > 6:
            body.pop(next(i for i in range(len(body) - 1, 0, -1) if body[i][1] is None))
        title = event.fill(rng.choice(("{Org} backs {project}", "{city} to get {project}", "Funds for {project}")))
        sheets.append(g.page(body, g.site(*(s for s in g.sites if s.kind != "news")), title=title))
    a, b = g.publish(sheets[0]), g.publish(sheets[1])
    g.label(a, b, "two_quotations", variant, truth(sheets[0], sheets[1], [("q", 0), ("q", 1)]),
            words=min(len(tokens(s.text())) for s in sheets))


def one_sentence_reports(g: ShapeGenerator, variant: str) -> None:
    """One event told in one sentence by two templates that share about a third of their 3-grams,
    bare or in a page."""
    rng, event = g.rng, make_event(g.rng)
    options = [(x, y) for x, y in itertools.permutations(REPORTS, 2)]
    rng.shuffle(options)
    best = min(options, key=lambda xy: abs(_overlap(event.fill(xy[0]), event.fill(xy[1])) - ONE_THIRD))
    sheets = []
    for template in best:
        if variant == "bare":
            sheet = Sheet(Layout())
            sheet.para(event.fill(template))
        else:
            site = g.site(*(s for s in g.sites if s.kind != "news"))
            title = rng.choice(("In brief", "News in brief", "Briefly", "Today"))
            sheet = g.page([(event.fill(template), None)], site, title=title)
        sheets.append(sheet)
    a, b = g.publish(sheets[0]), g.publish(sheets[1])
    g.label(a, b, "one_sentence_reports", variant, (),
            shared_3grams=_overlap(event.fill(best[0]), event.fill(best[1])))


def _unlike(sentences: list[str], other: list[str]) -> list[str]:
    """``sentences`` without those sharing two or more word 3-grams with ``other`` (the prose has
    near-duplicate sentences, real reuse inside the stdlib, that would share more than a shape says)."""
    grams = trigrams(" ".join(other))
    return [s for s in sentences if len(trigrams(s) & grams) < 2]


def _overlap(a: str, b: str) -> float:
    """Share of the shorter text's 3-grams the two texts share."""
    ga, gb = trigrams(a), trigrams(b)
    return len(ga & gb) / min(len(ga), len(gb))


def _chunks(items: list[Segment], rng: random.Random) -> list[Paragraph]:
    """Sentences grouped into paragraphs of two to four."""
    out: list[Paragraph] = []
    at = 0
    while at < len(items):
        k = rng.choice((2, 3, 4))
        out.append(items[at : at + k])
        at += k
    return out


# category -> builder(generator, variant); definition_block (and shared_footer) are built as a group
BUILDERS: dict[str, Callable[[ShapeGenerator, str], None]] = {
    "independent_same_topic": independent_same_topic,
    "two_quotations": two_quotations,
    "one_sentence_reports": one_sentence_reports,
}
