"""Builders of the "copy" categories of the shapes corpus (see ``shapes.py``): each takes the
generator and a variant, lays out a source and a copy page and labels the pair with truth spans."""

from __future__ import annotations

import random
from collections.abc import Callable

from benchmarks.quality.shapes_generator import ShapeGenerator
from benchmarks.quality.shapes_pages import (
    QUOTE_STYLES,
    Key,
    Layout,
    Sheet,
    any_layout,
    foot,
    head,
    make_event,
    narrow,
    quotation,
    wide,
)
from benchmarks.quality.shapes_text import heavy_rewording, kept_share, kept_stems, light_revision, ocr_noise

PASSAGE_CHARS = (400, 520)  # characters of a noisy passage (~450)
PAGE_CHARS = 7000  # characters of the page a noisy passage is pasted into
OCR_EVERY = 100  # characters per OCR error
# The phrase every item of a repeated list opens with (a colon, so any sentence can follow it).
LIST_PHRASES = {"short_phrase": ("Quick tip:", "Do not forget:", "Worth checking:", "Before you start:", "Note well:"),
                "long_phrase": ("Before you change anything, remember this:", "One thing to keep in mind here:",
                                "As the manual puts it, always:", "If something goes wrong, check this first:")}


def one_paragraph(g: ShapeGenerator, variant: str) -> None:
    """A ~200-word document of one paragraph (``titled``: with a title line) inside a longer page."""
    para = " ".join(g.words(g.rng.randint(180, 230)))
    source = Sheet(g.rng.choice((Layout(), narrow(g.rng))))  # one paragraph to any splitter
    if variant == "titled":
        source.para(g.title(), layout=Layout())
    source.para((para, "p"))
    copy = g.page(g.embed([(para, "p")], g.rng.randint(2, 4), g.rng.randint(1, 3)))
    g.copy_pair("one_paragraph", variant, source, copy, ["p"], words=len(para.split()))


def wrapped_70_190(g: ShapeGenerator, variant: str) -> None:
    """One article wrapped at 60-80 columns and at 170-200 without blank lines (``reflowed``: the whole
    body one stream, paragraph breaks lost); either may be the source."""
    rng, title, body = g.rng, g.title(), g.article(g.rng.randint(5, 9))
    keys: list[Key] = list(range(len(body) + 1))
    sheets = []
    for layout in (narrow(rng), wide(rng)):
        sheet, site = Sheet(layout), g.site(*(s for s in g.sites if s.kind == "news"))
        head(sheet, site, rng, title, 0)
        if variant == "reflowed" and layout.width and layout.width > 100:
            sheet.para(*((p, k) for k, p in enumerate(body, 1)))
        else:
            for k, p in enumerate(body, 1):
                sheet.para((p, k))
        foot(sheet, site, rng)
        sheets.append(sheet)
    if rng.random() < 0.5:
        sheets.reverse()
    g.copy_pair("wrapped_70_190", variant, sheets[0], sheets[1], keys,
                widths=sum(s.layout.width or 0 for s in sheets))


def noisy_passage(g: ShapeGenerator, variant: str) -> None:
    """~450 characters of an article, one OCR error per ~100, pasted into a ~7 000-character page wrapped
    at 170-200 columns without blank lines, inside one of its paragraphs or as a paragraph of its own."""
    rng = g.rng
    passage: list[str] = []
    while not PASSAGE_CHARS[0] <= len(" ".join(passage)) <= PASSAGE_CHARS[1]:
        passage = passage + g.draw(1) if len(" ".join(passage)) < PASSAGE_CHARS[0] else []
    text = " ".join(passage)
    body = g.article(rng.randint(5, 8))
    at = rng.randint(1, len(body) - 1)
    pre, post = g.draw(rng.randint(0, 2)), g.draw(rng.randint(0, 1))
    source, home = Sheet(any_layout(rng)), g.site()
    head(source, home, rng, g.title())
    for k, p in enumerate(body):
        if k == at:
            source.para(" ".join(pre), (text, "x"), " ".join(post))
        source.para(p)
    foot(source, home, rng)
    noisy, own = ocr_noise(text, rng, OCR_EVERY), list[str]()
    while sum(len(p) for p in own) < PAGE_CHARS - len(text):
        own.append(" ".join(g.draw(rng.randint(3, 6))))
    copy, site = Sheet(wide(rng)), g.site(*(s for s in g.sites if s.kind == "news"))
    head(copy, site, rng, g.title())
    where = rng.randint(1, len(own) - 2)
    for k, p in enumerate(own):
        if k == where and variant == "own_paragraph":
            copy.para((noisy, "x"))
        if k == where and variant == "mid_paragraph":
            ss = p.split(". ")
            cut = rng.randint(1, max(1, len(ss) - 1))
            copy.para(". ".join(ss[:cut]) + ("." if cut < len(ss) else ""), (noisy, "x"), ". ".join(ss[cut:]))
        else:
            copy.para(p)
    foot(copy, site, rng)
    g.copy_pair("noisy_passage", variant, source, copy, ["x"], chars=len(text), page=copy.length)


def flattened(g: ShapeGenerator, variant: str) -> None:
    """An article on one line (``one_line``: the title too; ``body_line``: the title above it)."""
    title, body = g.title(), g.article(g.rng.randint(5, 9))
    source = g.page([(p, k) for k, p in enumerate(body, 1)], title=title, title_key=0)
    copy, site = Sheet(Layout()), g.site()
    keyed = [(p, k) for k, p in enumerate(body, 1)]
    head(copy, site, g.rng, None if variant == "one_line" else title, 0)
    copy.para(*([(title, 0)] if variant == "one_line" else []), *keyed)
    foot(copy, site, g.rng)
    g.copy_pair("flattened", variant, source, copy, list(range(len(body) + 1)))


def two_blocks(g: ShapeGenerator, variant: str) -> None:
    """An article's paragraphs merged into two blocks: two long lines, or two blocks wrapped at 60-80."""
    rng, title, body = g.rng, g.title(), g.article(g.rng.randint(6, 9))
    source = g.page([(p, k) for k, p in enumerate(body, 1)], title=title, title_key=0)
    cut = rng.randint(2, len(body) - 2)
    layout = Layout() if variant == "lines" else Layout(rng.randint(60, 80), blank=True)
    copy, site = Sheet(layout), g.site()
    head(copy, site, rng, title, 0)
    keyed = [(p, k) for k, p in enumerate(body, 1)]
    copy.para(*keyed[:cut])
    copy.para(*keyed[cut:])
    foot(copy, site, rng)
    g.copy_pair("two_blocks", variant, source, copy, list(range(len(body) + 1)))


def revision(g: ShapeGenerator, category: str, variant: str) -> None:
    """An article from prose source ``variant`` rewritten paragraph by paragraph (``light_revision`` or
    ``heavy_rewording``, see ``shapes_text``) with some of the copier's own text around it."""
    rewrite: Callable[[str, random.Random], str] = light_revision if category == "light_revision" \
        else heavy_rewording
    body = g.article(g.rng.randint(5, 8), source=variant)
    title = g.title()
    source = g.page([(p, k) for k, p in enumerate(body, 1)], title=title, title_key=0)
    spun = [rewrite(p, g.rng) for p in body]
    keyed: list[tuple[str, Key | None]] = [(p, k) for k, p in enumerate(spun, 1)]
    copy = g.page(g.embed(keyed, g.rng.randint(0, 1), g.rng.randint(0, 2)),
                  title=rewrite(title + ".", g.rng)[:-1], title_key=0)
    g.copy_pair(category, variant, source, copy, list(range(len(body) + 1)),
                kept_3grams=kept_share(" ".join(body), " ".join(spun)),
                kept_stems=kept_stems(" ".join(body), " ".join(spun)))


def lead_excerpt(g: ShapeGenerator, variant: str) -> None:
    """The first four paragraphs (under 30 % of a long source) inside the copier's own article."""
    sizes = (1,) if variant == "short_paragraphs" else (2, 3, 4)
    body = g.article(12, sizes)
    while len(" ".join(body[:4])) >= 0.3 * len(" ".join(body)):
        body += g.article(2, sizes)
    home = g.site()
    source = g.page([(p, k) for k, p in enumerate(body, 1)], home)
    name = home.name or "the original publisher"
    lead: list[tuple[str, Key | None]] = [(f"{name} reports:", None), *((p, k) for k, p in enumerate(body[:4], 1)),
                                          (f"Read the full story at {name}.", None)]
    copy = g.page(g.embed(lead, g.rng.randint(1, 3), g.rng.randint(1, 3)))
    g.copy_pair("lead_excerpt", variant, source, copy, [1, 2, 3, 4],
                share=len(" ".join(body[:4])) / len(" ".join(body)))


def collage(g: ShapeGenerator, variant: str) -> None:
    """Three sentences of 25 to 40 words from the start, middle and end of a source, in order, in
    another page: in one paragraph (with one own sentence) or in three, between own paragraphs."""
    rng, picked = g.rng, g.draw(3, min_words=25, max_words=40)
    body = g.article(rng.randint(10, 14))
    places = (0, len(body) // 2, len(body) - 1)
    source, home = Sheet(any_layout(rng)), g.site()
    head(source, home, rng, g.title())
    for k, p in enumerate(body):
        if k in places:
            s, parts = places.index(k), p.split(". ")
            cut = rng.randint(0, len(parts))
            before, after = ". ".join(parts[:cut]), ". ".join(parts[cut:])
            source.para(before + ("." if before and not before.endswith(".") else ""), (picked[s], ("s", s)),
                        after)
        else:
            source.para(p)
    foot(source, home, rng)
    keyed: list[tuple[str, Key | None]] = [(s, ("s", i)) for i, s in enumerate(picked)]
    copy, site = Sheet(any_layout(rng)), g.site()
    head(copy, site, rng, g.title())
    for p in g.own(rng.randint(1, 2)):
        copy.para(p)
    if variant == "one_paragraph":
        mixed = [keyed[0], (g.own(1, (1,))[0], None), keyed[1], keyed[2]]
        copy.para(*(t if k is None else (t, k) for t, k in mixed))
    else:
        for (t, key), own in zip(keyed, g.own(3)):
            copy.para((t, key))
            copy.para(own)
    foot(copy, site, rng)
    g.copy_pair("collage", variant, source, copy, [("s", i) for i in range(3)],
                words=min(len(s.split()) for s in picked))


def repeated_list(g: ShapeGenerator, variant: str) -> None:
    """A list of eight items all opening with one phrase (2-4 or 5-7 words), copied into another page
    (bullets may change to numbers); truth per item, one passage expected."""
    rng = g.rng
    phrase, bullet = rng.choice(LIST_PHRASES[variant]), rng.choice(("-", "*", "•", "#"))
    items = [f"{phrase} {s}" for s in g.draw(8, min_words=6, max_words=18)]

    def write(sheet: Sheet, numbered: bool) -> None:
        for i, item in enumerate(items):
            mark = f"{i + 1}." if numbered else bullet
            sheet.para(mark, (item, ("i", i)), layout=Layout(), sep=None if i == 0 else "\n")

    sheets = []
    for _ in range(2):
        sheet, site = Sheet(any_layout(rng)), g.site()
        head(sheet, site, rng, g.title())
        for p in g.own(rng.randint(1, 2)):
            sheet.para(p)
        write(sheet, rng.random() < 0.3)
        for p in g.own(rng.randint(1, 2)):
            sheet.para(p)
        foot(sheet, site, rng)
        sheets.append(sheet)
    g.copy_pair("repeated_list", variant, sheets[0], sheets[1], [("i", i) for i in range(8)])


def repeated_quotation(g: ShapeGenerator, variant: str) -> None:
    """An article body with a quotation, copied whole; the copier's own text (before or after it)
    quotes the same words again with another attribution."""
    rng, event = g.rng, make_event(g.rng)
    quote = g.draw(1, min_words=15, max_words=35)[0]
    styles = rng.sample(QUOTE_STYLES, 2)
    body = g.article(rng.randint(4, 7))
    body.insert(rng.randint(1, len(body)), quotation(quote, event, styles[0]))
    source = g.page([(p, k) for k, p in enumerate(body, 1)])
    mine = [(p, None) for p in g.own(rng.randint(1, 2))]
    mine.insert(rng.randint(0, len(mine)), (quotation(quote, event, styles[1]), None))
    keyed = [(p, k) for k, p in enumerate(body, 1)]
    copy = g.page([*mine, *keyed] if variant == "quote_before" else [*keyed, *mine])
    g.copy_pair("repeated_quotation", variant, source, copy, list(range(1, len(body) + 1)))


def _revision(category: str) -> Callable[[ShapeGenerator, str], None]:
    return lambda g, variant: revision(g, category, variant)


# category -> builder(generator, variant)
BUILDERS: dict[str, Callable[[ShapeGenerator, str], None]] = {
    "one_paragraph": one_paragraph,
    "wrapped_70_190": wrapped_70_190,
    "noisy_passage": noisy_passage,
    "flattened": flattened,
    "two_blocks": two_blocks,
    "light_revision": _revision("light_revision"),
    "heavy_rewording": _revision("heavy_rewording"),
    "lead_excerpt": lead_excerpt,
    "collage": collage,
    "repeated_list": repeated_list,
    "repeated_quotation": repeated_quotation,
}
