"""The shapes corpus: labelled document pairs in the shapes of real reuse that ``generate.py`` lacks.

Each category (:data:`CATEGORIES`) is a set of pairs with an expected verdict (``"copy"``, or
``"not copy"``: related or nothing) and truth spans, half-open ``[start, end)`` into each document's
text, of the copied text as ``(source span, copy span)`` (for "not copy" pairs: of the text they
share, for information). Everything is drawn at random from three prose sources (pydoc topics,
stdlib docstrings, IDLE's help; ``shapes_text.py``), five kinds of site chrome and varied layouts
(one line per paragraph, wrapped at 60-80 or 170-200 columns, blank lines or not, indented first
lines; ``shapes_pages.py``). Nothing is tuned to a detector: lengths and rates follow the brief,
and the generator measures its own output (``ShapePair.notes``: 3-grams and stems kept, overlap...).

Two pages share only what their shape puts there: a sentence sharing two 3-grams with the text
already drawn for its pair, or half its 3-grams with anything drawn for the corpus, is skipped
(the stdlib documents ``rotate`` and ``shift`` in near-identical words); the two pages of a pair are
on different sites; "Most Popular" lists show earlier pairs' headlines only.

Modules: ``shapes_generator.py`` (types, :data:`CATEGORIES`, the generator), ``shapes_copies.py`` and
``shapes_related.py`` (the builders), ``shapes_text.py`` and ``shapes_thesaurus.py`` (prose, rewriter,
OCR noise), ``shapes_pages.py`` (layout with spans, site chrome, event news);
``evaluate_shapes.py`` scores a detector on the corpus and holds the CI floors.

Copies: ``one_paragraph`` (a ~200-word one-paragraph document copied whole into a longer page),
``wrapped_70_190`` (one article wrapped at ~70 and at ~190 columns, the latter without blank lines),
``noisy_passage`` (~450 characters with one OCR error per ~100, pasted into a ~7 000-character page
wrapped at ~190 columns), ``flattened`` (article on one line), ``two_blocks``, ``light_revision``
(about half the 3-grams kept), ``heavy_rewording`` (at most 15 % kept, about half the content stems),
``lead_excerpt`` (four lead paragraphs, under 30 % of the source), ``collage`` (three sentences of
25 to 40 words each from the start, middle and end of a source: ~75+ words, a real collage, not a
stock phrase), ``definition_block`` (definition lines under 30 words each plus their long
neighbouring paragraph, copied by six documents: pairs from the source and between the copies),
``repeated_list`` (eight items opening with one phrase), ``repeated_quotation`` (the copier's own
text quotes the copied article's quotation again).

Not copies: ``independent_same_topic`` (two ~250-word answers to one question from one prose subject,
0 to 2 similar sentences), ``two_quotations`` (two ~500-word reports of one event sharing two
~30-word quotations), ``one_sentence_reports`` (one event in one sentence each, about a third of
the 3-grams shared), ``shared_footer`` (a site footer in the definition source and six unrelated
pages of its site).

>>> c = make_shapes(seed=1, per_category=1)
>>> make_shapes(seed=1, per_category=1) == c
True
>>> sorted({p.category for p in c.pairs}) == sorted(CATEGORIES)
True
"""

from __future__ import annotations

from benchmarks.quality.shapes_copies import BUILDERS as COPY_BUILDERS
from benchmarks.quality.shapes_generator import (
    CATEGORIES,
    COPY,
    NOT_COPY,
    ShapeCorpus,
    ShapeGenerator,
    ShapePair,
)
from benchmarks.quality.shapes_related import BUILDERS as RELATED_BUILDERS
from benchmarks.quality.shapes_related import DEFINITION_COPIES, definition_block

__all__ = ["CATEGORIES", "COPY", "NOT_COPY", "ShapeCorpus", "ShapePair", "make_shapes"]


def make_shapes(seed: int = 0, per_category: int = 6) -> ShapeCorpus:
    """The shapes corpus: ``per_category`` pairs of every category, its variants in turn
    (``definition_block`` and ``shared_footer``: one group of six copies and six footer pages per
    six pairs asked, at least one). Deterministic for ``seed`` on a given Python installation."""
    g = ShapeGenerator(seed)
    builders = {**COPY_BUILDERS, **RELATED_BUILDERS}
    for category, (_, variants) in CATEGORIES.items():
        if category == "shared_footer":  # built with definition_block
            continue
        if category == "definition_block":
            for _ in range(max(1, round(per_category / DEFINITION_COPIES))):
                g.fresh()
                definition_block(g)
            continue
        for n in range(per_category):
            g.fresh()
            builders[category](g, variants[n % len(variants)])
    g.rng.shuffle(g.documents)
    return ShapeCorpus(tuple(g.documents), tuple(g.pairs))
