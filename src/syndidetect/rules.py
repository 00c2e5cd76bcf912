"""The verdict rules: every constant that decides a match kind, a passage or a copy, named, with
its unit and the reason for its value. ``Config.rules`` holds one :class:`VerdictRules`; the
SQLite index stores it with the other verification defaults.

Units: "grams" are word n-grams of the configured ``shingle_size`` (3 by default), "words" are
tokens as :func:`syndidetect.shingles.tokens` counts them, shares are fractions in [0, 1].
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Literal

from syndidetect.errors import ConfigError

MatchKind = Literal["verbatim", "near", "reworded"]


@dataclass(frozen=True)
class VerdictRules:
    """When shared text is a passage, and when a pair of documents is a copy.

    A pair is a copy when one of these holds on the text the two documents share:

    (a) ``min_shared`` grams or more, and in-order evidence covering ``whole_share`` of one
        document's matchable grams (a whole short document, a flattened or re-cut article);
    (b) ``min_shared`` grams or more, ``copy_share`` coverage, in ``min_places`` or more separate
        places in order (a copy with cuts; two shared quotations are two places, so a short article
        quoting twice stays related);
    (c) one stretch of ``excerpt`` grams or more, word for word but for typos (an excerpt), or one
        verbatim/near passage holding ``min_places`` whole sentence-long paragraphs of one side
        (several paragraphs in a row are republished; a quotation is a sentence or two);
    (d) ``min_similar_sentences`` or more similar sentences, in order, covering ``sentence_share``
        of the shorter document's sentences, ``sentence_run`` of them consecutive (a heavy
        rewording).

    >>> VerdictRules().min_shared
    25
    >>> VerdictRules(copy_share=2.0)
    Traceback (most recent call last):
    ...
    syndidetect.errors.ConfigError: 'rules.copy_share' must be a float in (0, 1]; got 2.0
    """

    # containment (share of the shorter side's grams found in the other) from which a match or a
    # passage is verbatim: 0.999 rather than 1 so one lost gram in a thousand (a stray soft hyphen)
    # still counts as word for word.
    verbatim_containment: float = 0.999
    # containment from which a match is "near": one edit every ~12 words (a typo or an OCR error
    # breaks n grams) keeps about 0.75 of the grams; below that words were changed on purpose.
    near_containment: float = 0.75
    # grams two paragraphs must share to match: one stock phrase ("a spokesperson for the ...
    # said") is one or two grams, so three rule it out.
    min_paragraph_shared: int = 3
    # grams a paragraph needs to count as a sentence towards a paragraph-evidence copy (headings
    # and sidebar links are shorter).
    sentence_grams: int = 8
    # a second partner of one paragraph must bring this share of new shared grams (a split
    # paragraph's halves each bring their own part, a repeated quote brings nothing new).
    novel_share: float = 0.5
    # words between two aligned runs that still belong to one passage: a changed clause or a
    # couple of sentences rewritten inside a copied stretch (about one long sentence).
    max_gap_words: int = 15
    # changed words in one place that still count as typos or OCR errors inside a stretch: OCR
    # garbles characters, so a misread stretch has the same number of words on both sides but for
    # a split or merged word (``typo_skew``); neighbouring errors make a few such words in a row.
    # An editor's rewrite adds or drops words, or changes more of them.
    typo_words: int = 5
    typo_skew: int = 1
    # times a gram may occur in one document and still count as content: a phrase repeated three
    # times or more is the document's own refrain (a list's lead-in, a sign-off), and sharing it
    # says nothing about copying.
    refrain_repeats: int = 3
    # content grams a passage needs (about a sentence): fewer are a shared phrase, not a passage.
    min_passage_grams: int = 8
    # (a)-(b): shared grams a copy needs at least: two short sentences; below it two one-sentence
    # reports of one event share phrases, not text.
    min_shared: int = 25
    # (a): share of one document's matchable grams that, in order, make it a copy by itself.
    whole_share: float = 0.5
    # (b): share of one document covered when the shared text lies in several places.
    copy_share: float = 0.3
    # (b): separate in-order places (passages or matched paragraphs) of a copy with cuts.
    min_places: int = 3
    # (c): grams of one stretch, word for word but for typo-sized edits (the grams they break
    # count), that make an excerpt a copy whatever its share: three sentences of ~20 words, longer
    # than the quotations news pages share.
    excerpt: int = 60
    # (d): similar sentences in order, and the share of the shorter document's sentences they
    # cover: one similar sentence proves nothing (same-story sentences look alike), several in the
    # source's order covering a good part of it are a reworded copy.
    min_similar_sentences: int = 3
    sentence_share: float = 0.3
    # (d): of them, this many consecutive on both sides: a rewrite follows its source sentence by
    # sentence, while two texts on one subject have similar sentences here and there.
    sentence_run: int = 3
    # direction: the source is mostly inside the copy (this share of it) ...
    source_coverage: float = 0.6
    # ... and covered by this much more than the copy is (the copy has much else around it).
    coverage_gap: float = 0.2

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.type in ("float", float):
                ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
                if not ok or not 0.0 < float(value) <= 1.0:
                    raise ConfigError(f"'rules.{f.name}' must be a float in (0, 1]; got {value!r}")
            elif isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1_000_000:
                raise ConfigError(f"'rules.{f.name}' must be an int in [1, 1000000]; got {value!r}")

    def replace(self, **changes: Any) -> VerdictRules:
        """A copy with some rules changed (and validated again)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, float | int]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> VerdictRules:
        """Rules from :meth:`to_dict` output; unknown keys (from a newer version) are refused."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigError(f"unknown verdict rules: {', '.join(unknown)}")
        return cls(**values)

    def kind(self, containment: float) -> MatchKind:
        """``verbatim``, ``near`` or ``reworded`` for a containment."""
        if containment >= self.verbatim_containment:
            return "verbatim"
        return "near" if containment >= self.near_containment else "reworded"
