"""The sentences of many documents at once, for the sentence LSH and verification.

One document at a time, a document's sentences (:func:`syndidetect.sentence_sets.prepared_sentences`)
pay a kernel call's fixed cost and build their own arrays; with one-paragraph documents that was most
of the work. Here English documents are joined in batches, each split, stemmed and judged in one
pass, on the kernel threads (one batch's kernels run while another's Python part holds the GIL), and
kept as the batch's arrays (:class:`SentenceRun`), which the sentence LSH reads as they are; a
document's own :class:`~syndidetect.sentence_sets.DocumentSentences` is built only for the
documents verification reads (:meth:`SentenceCorpus.remember`). The per-document path stays the
reference the batches are tested against.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate, chain

import numpy as np
import numpy.typing as npt

from syndidetect._kernels.glibc import give_back_freed_memory
from syndidetect._kernels.sentences import SENTENCES, python_only, sentence_bounds
from syndidetect._kernels.stem_tokens import span_stems
from syndidetect._kernels.threads import each_item_on_threads, kernel_threads
from syndidetect._kernels.token_stems import TokenStems
from syndidetect._types import Span
from syndidetect.frozen import filled
from syndidetect.prepared import PreparedDocument, is_menu, local_offsets
from syndidetect.sentence_sets import (
    MIN_CONTENT_WORDS,
    WHOLE_SENTENCES,
    DocumentSentences,
    eligible_rows,
    prepared_sentences,
)
from syndidetect.sentence_split import sentence_blocks
from syndidetect.shingles import ascii_lower
from syndidetect.stem_vocabulary import StemVocabulary
from syndidetect.stemming import content_stems_of_spans
from syndidetect.unicode_stems import unicode_span_stems

__all__ = ["BATCH_CHARS", "UNICODE_BATCH_CHARS", "SentenceCorpus", "SentenceRun", "many_prepared_sentences",
           "sentence_corpus"]

# Characters of English text split by one kernel call of :func:`many_prepared_sentences` (read as
# 4-byte code points: a 16 MB buffer). Any size of a few paragraphs or more repays the call's fixed
# cost; this bounds the buffer's memory, not the time.
BATCH_CHARS = 1 << 22
# Characters of a batch of text past ASCII. Split and stemmed, such a batch peaks at about 29 bytes
# a character (tracemalloc, a million characters of accented text: 28 MB for its code points,
# classes, spaced copy, UTF-8 bytes and strings), where an English batch holds 4 (its code points):
# a quarter of BATCH_CHARS keeps the two kinds' batches alike in memory.
UNICODE_BATCH_CHARS = 1 << 20


def many_prepared_sentences(docs: Sequence[PreparedDocument], memo: TokenStems | None = None
                            ) -> list[DocumentSentences]:
    """``[prepared_sentences(doc) for doc in docs]``, with the English documents split in batches
    (:func:`sentence_corpus`, ``memo`` its tokens met), each document's sentences memoised on it."""
    return sentence_corpus(docs, memo).remember(range(len(docs)))


@dataclass(frozen=True, eq=False)
class SentenceRun:
    """The eligible sentences of the documents one batch split, as the batch's arrays: document ``d``
    of the batch (the corpus's document ``positions[d]``) holds sentences ``firsts[d]`` to
    ``firsts[d + 1]``; sentence ``s`` spans ``bounds[s]`` of its document's text and holds the stems
    ``stem_ids[offsets[s]:offsets[s + 1]]``, ids of ``vocabulary``."""

    positions: npt.NDArray[np.int64]
    firsts: npt.NDArray[np.int64]
    bounds: npt.NDArray[np.int64]
    offsets: npt.NDArray[np.int64]
    stem_ids: npt.NDArray[np.int32]
    vocabulary: StemVocabulary

    def owners(self) -> npt.NDArray[np.int64]:
        """Each sentence's document, as its position in the corpus."""
        return np.repeat(self.positions, np.diff(self.firsts))

    def documents(self, batch_rows: Sequence[int]) -> list[DocumentSentences]:
        """The :class:`DocumentSentences` of the batch's documents ``batch_rows``: views of the arrays."""
        firsts = self.firsts.tolist()
        offsets = local_offsets(self.offsets, self.firsts)  # document d's: a view, as below
        stem_starts = self.offsets[self.firsts].tolist()
        made = []
        for d in batch_rows:
            first, last = firsts[d], firsts[d + 1]
            made.append(filled(DocumentSentences, bounds=self.bounds[first:last],
                               offsets=offsets[first + d : last + d + 1],
                               stem_ids=self.stem_ids[stem_starts[d] : stem_starts[d + 1]], vocabulary=self.vocabulary))
        return made


class SentenceCorpus:
    """The eligible sentences of a corpus's documents (:func:`sentence_corpus`): the runs its batches
    split, and ``singles``, by position, the documents whose sentences were known already or were
    split alone. The sentence LSH reads the runs' arrays as they are; a document's own
    :class:`DocumentSentences` is built and memoised only when :meth:`remember` asks for it. With
    one-paragraph documents those objects cost more than their sentences' work, and most documents
    of a corpus are never verified."""

    def __init__(self, docs: Sequence[PreparedDocument], runs: list[SentenceRun],
                 singles: dict[int, DocumentSentences]) -> None:
        self.docs, self.runs, self.singles = docs, runs, singles

    def __len__(self) -> int:
        return len(self.docs)

    @property
    def count(self) -> int:
        """Sentences in all."""
        return sum(len(run.bounds) for run in self.runs) + sum(s.count for s in self.singles.values())

    def remember(self, positions: Iterable[int]) -> list[DocumentSentences]:
        """The sentences of the documents at ``positions``, in that order, memoised on each document
        (:func:`prepared_sentences` then finds them)."""
        wanted = list(positions)
        found: list[DocumentSentences | None] = [self.singles.get(k) for k in wanted]
        missing = [i for i, sentences in enumerate(found) if sentences is None]
        if missing:  # the singles are memoised already (prepared_sentences)
            run_of = np.full(len(self.docs), -1, dtype=np.int64)  # each document's run, and its row there
            row_of = np.zeros(len(self.docs), dtype=np.int64)
            for r, run in enumerate(self.runs):
                run_of[run.positions] = r
                row_of[run.positions] = np.arange(len(run.positions), dtype=np.int64)
            at = np.array([wanted[i] for i in missing], dtype=np.int64)
            runs, rows = run_of[at], row_of[at]
            for r in np.unique(runs).tolist():
                picked = np.flatnonzero(runs == r)
                for i, sentences in zip(picked.tolist(), self.runs[r].documents(rows[picked].tolist())):
                    found[missing[i]] = sentences
                    self.docs[wanted[missing[i]]].remember(WHOLE_SENTENCES, sentences)
        made = [sentences for sentences in found if sentences is not None]
        assert len(made) == len(wanted)  # every document is in a run or a single
        return made


def sentence_corpus(docs: Sequence[PreparedDocument], memo: TokenStems | None = None) -> SentenceCorpus:
    """The sentences of ``docs``, the English ones split in batches; ``memo``: the tokens met by
    earlier calls, each with its stem (default: none), which this call's new tokens join.

    One document at a time, the compiled sentence bounds pay only from ``COMPILED_STOPS`` stops (a
    call's fixed cost), stems are looked up a call per document, and each document builds its own
    arrays: with one-paragraph documents that overhead was most of the work. Here the documents
    that ``ascii_lower`` accepts are joined, BATCH_CHARS at a time, and split, stemmed and judged
    in one pass; so are the others, UNICODE_BATCH_CHARS at a time, but those with characters the
    sentence kernel leaves to Python (``python_only``). Those, and all until the kernel is
    compiled, go one by one, as do documents whose sentences are memoised already (kept as they
    are).
    """
    singles = {k: prepared_sentences(doc) for k, doc in enumerate(docs) if doc.memoised(WHOLE_SENTENCES)}
    todo = [k for k in range(len(docs)) if k not in singles]
    alone: list[int] = []  # not split in a batch
    split: dict[int, tuple[SentenceRun | None, list[int]]] = {}

    if memo is None:
        memo = TokenStems()  # the tokens met in earlier batches, shared by the threads

    def split_batch(index: int, batch: list[tuple[int, PreparedDocument, str | None]]) -> None:
        split[index] = _split(batch, memo), [k for k, _, _ in batch]

    if todo and SENTENCES.get(len(todo)) is not None:
        # A batch's kernels (its sentence bounds, its tokens numbered) run without the GIL: on the
        # kernel threads one batch's kernels run while another's Python part (its text lowered and
        # joined, its new tokens stemmed) holds it.
        threads = kernel_threads()
        each_item_on_threads(split_batch, _batches(docs, todo, alone), threads)
        if threads > 1 and len(split) > 1:
            give_back_freed_memory()  # what the batches freed in the other threads' arenas
    else:
        alone = todo
    runs = []
    for index in range(len(split)):  # in the order of the batches
        run, positions = split[index]
        if run is None:  # the kernel failed to build: split alone
            alone += positions
        else:
            runs.append(run)
    singles.update((k, prepared_sentences(docs[k])) for k in alone)
    return SentenceCorpus(docs, runs, singles)


def _batches(docs: Sequence[PreparedDocument], todo: list[int],
             alone: list[int]) -> Iterator[list[tuple[int, PreparedDocument, str | None]]]:
    """The documents ``todo`` (positions in ``docs``) as batches of ``(position, document, its
    ascii_lower text)``, each of about ``BATCH_CHARS`` characters, and of ``(position, document,
    None)`` for text past ASCII, ``UNICODE_BATCH_CHARS``; the positions of the documents the sentence
    kernel leaves to Python are added to ``alone`` as they are met."""
    english: list[tuple[int, PreparedDocument, str | None]] = []
    other: list[tuple[int, PreparedDocument, str | None]] = []
    english_size = other_size = 0
    for k in todo:
        doc = docs[k]
        text = doc.document.text
        lowered = ascii_lower(text)
        if lowered is not None:
            english.append((k, doc, lowered))
            english_size += len(lowered)
            if english_size >= BATCH_CHARS:
                yield english
                english, english_size = [], 0
        elif python_only(text):
            alone.append(k)
        else:
            other.append((k, doc, None))
            other_size += len(text)
            if other_size >= UNICODE_BATCH_CHARS:
                yield other
                other, other_size = [], 0
    yield from (batch for batch in (english, other) if batch)


def _split(batch: list[tuple[int, PreparedDocument, str | None]], memo: TokenStems) -> SentenceRun | None:
    """The run of a batch of ``(position, document, its ascii_lower text)``, or of ``(position,
    document, None)`` for text past ASCII; None should the kernel have failed to build or have left
    the text to Python. ``memo``: the stems of the tokens met in earlier batches."""
    texts = [doc.document.text for _, doc, _ in batch]
    starts = list(accumulate(map(len, texts), initial=0))
    text = "".join(texts)
    lowered = None if batch[0][2] is None else "".join(low for _, _, low in batch if low is not None)
    blocks = [(start + at, end + at) for (_, doc, _), at in zip(batch, starts) for start, end in _blocks(doc)]
    found = sentence_bounds(text, blocks, len(batch), english=lowered is not None)
    if found is None:  # a failed build (the caller compiled it), or a character left to Python
        return None
    bounds, menus = found
    vocabulary, every, counts, rows = _eligible_stems(text, lowered, bounds, menus, len(batch), memo)
    at = np.array(starts, dtype=np.int64)
    owners = np.searchsorted(at[1:], bounds[rows, 0], side="right")  # sentences never cross documents
    counted = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(counts, out=counted[1:])
    return SentenceRun(np.array([k for k, _, _ in batch], dtype=np.int64),
                       np.searchsorted(owners, np.arange(len(batch) + 1)), bounds[rows] - at[owners, None],
                       counted, every, vocabulary)


def _eligible_stems(text: str, lowered: str | None, bounds: npt.NDArray[np.int64], menus: npt.NDArray[np.bool_],
                    texts: int, memo: TokenStems) -> tuple[StemVocabulary, npt.NDArray[np.int32],
                                                           npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The stems of the eligible sentences among ``bounds`` (``menus``: whether each holds a menu
    character) of a batch's joined ``text`` (``lowered``: its ``ascii_lower``, None for text past
    ASCII): their vocabulary, their ids one sentence after the other, how many each holds, and which
    sentences they are; stemmed by the compiled token table when it is ready (English), or all at
    once (:func:`unicode_span_stems`: text past ASCII without letters to chain)."""
    found = (unicode_span_stems(text, bounds, texts, memo) if lowered is None
             else span_stems(lowered, bounds, texts, memo))
    if found is None:
        spans = bounds.tolist()
        stems = content_stems_of_spans(text, spans, lowered)
        kept = eligible_rows(text, spans, stems, menus.tolist(), MIN_CONTENT_WORDS)
        vocabulary, every = StemVocabulary.numbering(list(chain.from_iterable(stems[k] for k in kept)))
        counts = np.fromiter((len(stems[k]) for k in kept), dtype=np.int64, count=len(kept))
        return vocabulary, every, counts, np.array(kept, dtype=np.int64)
    # _eligible, a sentence at a time only where it holds a menu character
    eligible = found.distinct >= MIN_CONTENT_WORDS
    with_menu = np.flatnonzero(eligible & menus)
    for k, (start, end) in zip(with_menu.tolist(), bounds[with_menu].tolist()):
        eligible[k] = not is_menu(text[start:end])
    rows = np.flatnonzero(eligible)
    every, counts = found.stem_ids(rows)
    return StemVocabulary.of(found.vocabulary), every, counts, rows


def _blocks(doc: PreparedDocument) -> list[Span]:
    """:func:`sentence_blocks` of a prepared document (its one paragraph, when it has one)."""
    if len(doc.paragraphs) == 1:
        paragraph = doc.paragraphs[0]
        return [(paragraph.start, paragraph.end)]
    return sentence_blocks(doc.document.text, ((p.start, p.end) for p in doc.paragraphs))
