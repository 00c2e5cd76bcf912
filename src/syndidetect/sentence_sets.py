"""A document's eligible sentences: their spans and content stems, split and stemmed once.

:mod:`syndidetect.sentences` compares them and :mod:`syndidetect.sentence_lsh` finds candidate pairs
with them; both read them from here (:func:`document_sentences`, memoised on a prepared document by
:func:`prepared_sentences`), or, for many documents at once, from :mod:`syndidetect.sentence_batches`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate, chain, pairwise

import numpy as np
import numpy.typing as npt

from syndidetect._kernels.sentences import sentence_bounds
from syndidetect._kernels.stem_ids import STEM_IDS, first_appearance
from syndidetect._types import Span
from syndidetect.errors import ConfigError
from syndidetect.prepared import PreparedDocument, is_menu
from syndidetect.sentence_split import MENU_CHARS, sentence_blocks, sentence_spans
from syndidetect.shingles import ascii_lower
from syndidetect.stem_vocabulary import StemVocabulary
from syndidetect.stemming import content_stems_of_spans
from syndidetect.tfidf import SentenceTerms

__all__ = ["MIN_CONTENT_WORDS", "WHOLE_SENTENCES", "DocumentSentences", "check_min_words", "document_sentences",
           "eligible_rows", "prepared_sentences"]

# Stops (. ! ?) a text holds before its sentences are found by the compiled kernel, whose call has a
# fixed cost (paragraph blocks, the text as code points, the call) where Python pays per stop (a
# pattern match and a judgement). Measured on benchmarks.corpus paragraphs (document_sentences,
# medians of 5): 4.5 stops 113 us by the kernel against 79 us in Python, 9 stops 186 against 203 us,
# 36 stops 604 against 816 us; so from 8 on.
COMPILED_STOPS = 8
# Sentences with fewer distinct content stems (headings, "Read more.", bylines) are never compared:
# two four-word sentences sharing two stems are still a coincidence often enough.
MIN_CONTENT_WORDS = 4


@dataclass(frozen=True, eq=False)
class DocumentSentences:
    """The eligible sentences of one text, in order: their spans and content stems. Build it once per
    document (:func:`document_sentences`) and compare it with many (:func:`sentence_evidence`).

    Held as arrays, not a tuple per sentence: verification keeps every compared document's sentences
    until its last pair, and tuples of spans and stems cost about 33 KB a 20-paragraph document
    (tracemalloc). The stems are ids into a :class:`StemVocabulary` that the documents split in one
    batch share (4 bytes a stem); :attr:`terms`, the document's own vocabulary for comparisons, is
    built from them on the first comparison (a document never compared, as most one-paragraph
    documents are, never pays for it). :attr:`spans` and :attr:`stems` build tuples on demand."""

    bounds: npt.NDArray[np.int64]  # (sentences, 2): each sentence's start and end in the text
    offsets: npt.NDArray[np.int64]  # sentence s holds stems offsets[s] to offsets[s + 1]
    stem_ids: npt.NDArray[np.int32]  # every sentence's stems in order, as ids of vocabulary
    vocabulary: StemVocabulary

    @classmethod
    def of(cls, spans: Sequence[Span], stems: Sequence[Sequence[str]]) -> DocumentSentences:
        """The sentences with these spans and stems (one stem list a span)."""
        bounds = np.array(spans, dtype=np.int64).reshape(len(spans), 2)
        offsets = np.array([0, *accumulate(map(len, stems))], dtype=np.int64)
        vocabulary, ids = StemVocabulary.numbering(list(chain.from_iterable(stems)))
        return cls(bounds, offsets, ids, vocabulary)

    @cached_property
    def terms(self) -> SentenceTerms:
        """The stems as term ids of the document's own vocabulary (in order of first appearance),
        built on the first comparison and reused by the next ones."""
        used, tokens = first_appearance(self.stem_ids, len(self.vocabulary), STEM_IDS.get(self.count))
        vocabulary = self.vocabulary
        return SentenceTerms(vocabulary.words, tokens, self.offsets, used.astype(np.int32), vocabulary.word_ids)

    @property
    def count(self) -> int:
        return len(self.bounds)

    @property
    def spans(self) -> tuple[Span, ...]:
        return tuple((start, end) for start, end in self.bounds.tolist())

    @property
    def stems(self) -> tuple[tuple[str, ...], ...]:
        words = self.vocabulary.words
        flat = [words[i] for i in self.stem_ids.tolist()]
        return tuple(tuple(flat[start:end]) for start, end in pairwise(self.offsets.tolist()))

    def span(self, sentence: int) -> Span:
        start, end = self.bounds[sentence].tolist()
        return start, end

    def index_of(self, start: int) -> int:
        """The sentence that starts at character ``start``."""
        return int(np.searchsorted(self.bounds[:, 0], start))

    def __eq__(self, other: object) -> bool:
        """The same spans and stems (the arrays compare by value)."""
        return isinstance(other, DocumentSentences) and self.spans == other.spans and self.stems == other.stems

    __hash__ = None  # type: ignore[assignment]  # equal by value, and mutable arrays inside

    def outside(self, ignore: Sequence[Span]) -> DocumentSentences:
        """These sentences but those inside an ``ignore`` span: ``document_sentences(text,
        ignore=ignore)`` without splitting and stemming again (a sentence's eligibility is its own)."""
        if not ignore:
            return self
        spans = self.spans
        kept = set(_outside(list(spans), ignore))
        rows = np.array([k for k, span in enumerate(spans) if span in kept], dtype=np.int64)
        starts, lengths = self.offsets[:-1][rows], np.diff(self.offsets)[rows]
        offsets = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        positions = np.arange(offsets[-1], dtype=np.int64) + np.repeat(starts - offsets[:-1], lengths)
        return DocumentSentences(self.bounds[rows], offsets, self.stem_ids[positions], self.vocabulary)


def check_min_words(min_content_words: object) -> int:
    """``min_content_words`` checked: an int of at least 1."""
    if isinstance(min_content_words, bool) or not isinstance(min_content_words, int) or min_content_words < 1:
        raise ConfigError(f"'min_content_words' must be an int >= 1; got {min_content_words!r}")
    return min_content_words


# A sentence is tested as a menu (is_menu) only when it holds one of its separators.
_MENU_CHARS = re.compile(f"[{re.escape(MENU_CHARS)}]|\\.\\.\\.")


def _outside(sentences: list[Span], ignore: Sequence[Span]) -> list[Span]:
    """The ``sentences`` not inside one of the ``ignore`` spans (or a union of overlapping ones)."""
    merged: list[Span] = []
    for start, end in sorted(ignore):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    starts = [start for start, _ in merged]
    kept = []
    for start, end in sentences:
        k = bisect.bisect_right(starts, start) - 1
        if k < 0 or merged[k][1] < end:
            kept.append((start, end))
    return kept


def document_sentences(
    text: str, min_content_words: int = MIN_CONTENT_WORDS, ignore: Sequence[Span] = ()
) -> DocumentSentences:
    """The sentences of ``text`` (:func:`sentence_spans`) with at least ``min_content_words``
    distinct content stems, except menus and sentences inside an ``ignore`` span (boilerplate
    paragraphs, say).

    >>> document_sentences("Home | World | Sport | Tech | Video\\n\\nHe sold the old farm in 2019.").stems
    (('sold', 'old', 'farm', '2019'),)
    """
    check_min_words(min_content_words)
    lowered = ascii_lower(text)  # once, for the sentence bounds and the stems
    found = None if ignore else _compiled_bounds(text, lowered is not None)
    menus: list[bool] | None = None  # whether each sentence holds a menu separator, when known
    if found is None:
        sentences = _outside(sentence_spans(text), ignore) if ignore else sentence_spans(text)
    else:
        sentences, menus = found
    stems = content_stems_of_spans(text, sentences, lowered)
    kept = eligible_rows(text, sentences, stems, menus, min_content_words)
    return DocumentSentences.of([sentences[k] for k in kept], [stems[k] for k in kept])


def eligible_rows(text: str, spans: Sequence[Span], stems: Sequence[Sequence[str]], menus: Sequence[bool] | None,
                   min_content_words: int) -> list[int]:
    """The indices of the eligible sentences among ``spans`` of ``text`` (with their ``stems``;
    ``menus``: whether each holds a menu character, when the compiled splitter told)."""
    return [k for k, (span, words) in enumerate(zip(spans, stems))
            if _eligible(text, span, len(set(words)), None if menus is None else menus[k], min_content_words)]


def _eligible(text: str, span: Span, distinct: int, menu: bool | None, min_content_words: int) -> bool:
    """Whether a sentence of ``distinct`` different content stems counts: enough of them, and not
    a menu. ``menu``: whether it holds a menu character, when the compiled splitter told (None: look)."""
    if distinct < min_content_words:
        return False
    if menu is False:
        return True
    sentence = text[span[0] : span[1]]
    return not ((menu or _MENU_CHARS.search(sentence) is not None) and is_menu(sentence))


def _compiled_bounds(text: str, english: bool) -> tuple[list[Span], list[bool]] | None:
    """The sentences of a text with enough stops to repay the compiled kernel (``COMPILED_STOPS``),
    and whether each holds a menu character; None when the text or the kernel is not ready for it
    (the caller splits in Python, the reference). ``english``: ``ascii_lower`` accepted it."""
    if text.count(".") + text.count("!") + text.count("?") < COMPILED_STOPS:
        return None
    found = sentence_bounds(text, sentence_blocks(text), english=english)
    if found is None:
        return None
    bounds, menus = found
    return [(start, end) for start, end in bounds.tolist()], menus.tolist()


WHOLE_SENTENCES = ("sentences", ())  # memo key of a prepared document's sentences, nothing ignored


def prepared_sentences(doc: PreparedDocument, ignore: tuple[Span, ...] = ()) -> DocumentSentences:
    """The eligible sentences of a prepared document outside ``ignore``, memoised on it: the sentence
    LSH and verification split and stem a document once (:meth:`DocumentSentences.outside`)."""
    whole = doc.memo(WHOLE_SENTENCES, lambda: document_sentences(doc.document.text))
    return doc.memo(("sentences", ignore), lambda: whole.outside(ignore)) if ignore else whole
