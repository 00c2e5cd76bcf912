"""Documents made ready for matching: paragraphs with spans, word counts and sketches."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar, cast

import numpy as np
import numpy.typing as npt

from syndidetect._kernels.threads import each_on_threads, threads_for
from syndidetect._kernels.words import stream_of, streams_of
from syndidetect._types import ParagraphNumbers, SignatureMatrix, paragraph_number_type, paragraph_numbers
from syndidetect.config import Config
from syndidetect.documents import Document, Paragraph, paragraphs_of
from syndidetect.frozen import filled
from syndidetect.minhash import sketch
from syndidetect.shingles import tokens
from syndidetect.text import paragraph_spans
from syndidetect.wordstream import WordStream

T = TypeVar("T")
# What a document holds for its shingle hashes once it let go of them (PreparedDocument.let_go_of_hashes).
_LET_GO = np.zeros(0, dtype=np.uint32)
_MISSING = object()  # what a memo holds for no key (a memoised value may be None)


# Where PreparedDocument.matchable_shingles keeps its count in the document's dictionary.
_MATCHABLE_SHINGLES = "_matchable_shingles"


@dataclass(frozen=True)
class PreparedDocument:
    """A document, its paragraphs and, per paragraph, the signature and exact shingle hashes.

    ``matchable[i]`` is False for paragraphs shorter than ``min_words`` (menus, credits): they
    stay in the document, but are never matched.
    """

    document: Document
    paragraphs: tuple[Paragraph, ...]
    matchable: npt.NDArray[np.bool_]
    signatures: SignatureMatrix
    hashes: npt.NDArray[np.uint32]
    offsets: npt.NDArray[np.int64]
    words: npt.NDArray[np.int64] | None = field(default=None, compare=False)  # tokens per paragraph

    @property
    def id(self) -> str:
        return self.document.id

    @cached_property
    def word_counts(self) -> npt.NDArray[np.int64]:
        """Words (tokens, as :func:`syndidetect.shingles.tokens` counts them) per paragraph."""
        if self.words is not None:
            return self.words
        return np.array([len(tokens(p.text)) for p in self.paragraphs], dtype=np.int64)

    @cached_property
    def hash_index(self) -> tuple[npt.NDArray[np.uint32], ParagraphNumbers]:
        """All shingle hashes sorted, with the paragraph each belongs to: built once per document,
        then searched by every pair the document is verified in (:func:`share_hash_indexes` lays
        those of a corpus's candidate pairs end to end). Paragraph numbers as :data:`ParagraphNumbers`
        (uint16 where they fit): half the bytes of the hashes, or less."""
        if self.hashes is _LET_GO:
            raise RuntimeError(f"document {self.id!r} let go of its shingle hashes before its hash index was made")
        return sorted_hash_index(self.hashes, self.shingle_counts())

    def let_go_of_hashes(self) -> None:
        """Drop the paragraphs' shingle hashes (4 bytes a shingle; 68.5 MB at 300k paragraphs),
        for a document of the caller's own that nothing reads again but through its hash index,
        which holds the same values (each paragraph's are sorted already): :meth:`paragraph_hashes`
        then reads the index. Without its hash index (none yet, or forgotten) such a document can
        never be compared again: asking for it raises. The copies made before keep the hashes."""
        self.__dict__["hashes"] = _LET_GO  # frozen: set through the dictionary, as cached_property does

    def with_matchable(self, matchable: npt.NDArray[np.bool_]) -> PreparedDocument:
        """The same document with other paragraphs set aside; the hash index is shared."""
        self.hash_index  # noqa: B018  (build it here, so every copy shares it)
        return self._copy_with(matchable=matchable)

    def without_signatures(self, empty: SignatureMatrix | None = None) -> PreparedDocument:
        """The same document without its signatures (``empty``, or a new ``(0, num_perm)`` array),
        for work that no longer needs them: verification reads the exact hashes. 512 B a paragraph
        at 128 permutations; a batch's documents share one matrix, freed when none of them holds it."""
        if empty is None:
            empty = np.zeros((0, self.signatures.shape[1]), dtype=self.signatures.dtype)
        return self._copy_with(signatures=empty)

    def _copy_with(self, **fields: Any) -> PreparedDocument:
        """This document with ``fields`` replaced, holding what it computed once (its caches and
        memo, none of which depends on ``matchable`` or ``signatures``). A copy of its dictionary, not
        ``dataclasses.replace``: 10 ms against 40 ms for 20,000 one-paragraph documents (the
        collector paused, as in ``find_copies``), whose whole detection takes about 1.4 s."""
        changed = object.__new__(PreparedDocument)
        changed.__dict__.update(self.__dict__)  # frozen: set through the dictionary, as cached_property does
        changed.__dict__.update(fields)
        if "matchable" in fields:
            changed.__dict__.pop(_MATCHABLE_SHINGLES, None)
        return changed

    def shingle_counts(self) -> npt.NDArray[np.int64]:
        return self._sizes

    def matchable_shingles(self) -> int:
        """The shingles of the matchable paragraphs, counted once per copy (a copy with other
        paragraphs matchable counts its own): verification reads it several times a pair, and a
        memo keyed by the flags' bytes cost about 2 us a read."""
        found: int | None = self.__dict__.get(_MATCHABLE_SHINGLES)
        if found is None:
            found = self.__dict__[_MATCHABLE_SHINGLES] = int((self._sizes * self.matchable).sum())
        return found

    def stream(self, n: int) -> WordStream:
        """The document's words in order with their ``n``-gram hashes (built once per document)."""
        return self.memo(("stream", n), lambda: stream_of(self.document.text, n))

    def memo(self, key: Hashable, make: Callable[[], T]) -> T:
        """``make()``, computed once per document and ``key``: per-document work that later layers
        (sentences, alignment) reuse across the pairs a document is verified in."""
        cache: dict[Hashable, Any] | None = self.__dict__.get("_memo")
        if cache is None:
            cache = self.__dict__["_memo"] = {}
        found = cache.get(key, _MISSING)  # one look-up: verification asks a dozen times a pair
        if found is _MISSING:
            found = cache[key] = make()
        return cast(T, found)

    def remember(self, key: Hashable, value: Any) -> None:
        """Hold ``value`` as what :meth:`memo` gives for ``key`` (computed for many documents at once)."""
        self.__dict__.setdefault("_memo", {})[key] = value

    def memoised(self, key: Hashable) -> bool:
        """Whether :meth:`memo` already holds ``key``."""
        return key in self.__dict__.get("_memo", {})

    def forget(self) -> None:
        """Drop what :meth:`memo` and the hash index keep (rebuilt on demand): a corpus verified pair
        by pair would otherwise hold every document's word streams at once."""
        self.__dict__.get("_memo", {}).clear()  # in place: copies from with_matchable share it
        self.__dict__.pop("hash_index", None)

    def token_paragraphs(self, n: int) -> npt.NDArray[np.int64]:
        """For each token of :meth:`stream`, the index of the paragraph holding it."""
        starts = np.array([p.start for p in self.paragraphs], dtype=np.int64)
        return np.maximum(np.searchsorted(starts, self.stream(n).starts, side="right") - 1, 0)

    @cached_property
    def _sizes(self) -> npt.NDArray[np.int64]:
        return np.diff(self.offsets)

    def paragraph_hashes(self, index: int) -> npt.NDArray[np.uint32]:
        """Paragraph ``index``'s shingle hashes, sorted (from the hash index once the document let go
        of its hashes: there they are in the same order)."""
        if self.hashes is _LET_GO:
            hashes, paragraphs = self.hash_index
            found: npt.NDArray[np.uint32] = hashes[paragraphs == index]
            return found
        return self.hashes[self.offsets[index] : self.offsets[index + 1]]


def sorted_hash_index(hashes: npt.NDArray[np.uint32], sizes: npt.NDArray[np.int64]
                      ) -> tuple[npt.NDArray[np.uint32], ParagraphNumbers]:
    """``hashes`` (the paragraphs' shingle hashes, ``sizes[i]`` of paragraph i, one after the other)
    sorted, each with its paragraph, equal hashes in paragraph order: one sort of 64-bit keys
    (hash, paragraph) instead of a stable argsort and two gathers, 16 against 39 us for a document
    of 20 paragraphs (1,200 hashes)."""
    owner = np.repeat(np.arange(len(sizes), dtype=np.uint64), sizes)
    keys = np.sort((hashes.astype(np.uint64) << np.uint64(32)) | owner)
    return (keys >> np.uint64(32)).astype(np.uint32), paragraph_numbers(keys, len(sizes))


def share_hash_indexes(docs: Sequence[PreparedDocument]) -> tuple[npt.NDArray[np.uint32], ParagraphNumbers,
                                                                   npt.NDArray[np.int64]]:
    """The hash indexes of ``docs`` laid end to end (``hashes``, ``paragraphs``, ``offsets``: document
    d's are ``[offsets[d]:offsets[d + 1]]``), each document's :attr:`~PreparedDocument.hash_index`
    now a view of its part: one copy of each index for all the compiled calls that read many
    documents, and no second one per document. Built a group of documents at a time
    (:func:`_sorted_group`), not with numpy calls per document. The paragraph numbers of all of them
    take one width (uint16 unless one has more paragraphs), so the kernels see one type."""
    offsets = np.zeros(len(docs) + 1, dtype=np.int64)
    np.cumsum([len(d.hashes) for d in docs], out=offsets[1:])
    hashes = np.empty(int(offsets[-1]), dtype=np.uint32)
    most = max((len(d.offsets) - 1 for d in docs), default=0)
    paragraphs: ParagraphNumbers = np.empty(int(offsets[-1]), dtype=paragraph_number_type(most))
    bounds = offsets.tolist()
    groups = [0]  # where each group of documents starts, then the end
    while groups[-1] < len(docs):
        first = groups[-1]
        end = int(np.searchsorted(offsets, offsets[first] + INDEX_GROUP_HASHES, side="right")) - 1
        groups.append(min(max(end, first + 1), len(docs)))  # at least one document, however long

    def build(k: int) -> None:  # group k: its own part of the arrays
        first, end = groups[k], groups[k + 1]
        hashes[bounds[first] : bounds[end]], paragraphs[bounds[first] : bounds[end]] = _sorted_group(docs[first:end])

    # On two threads: the sorts and most array work release the GIL. On one, this took about 2.2 s of
    # the verification of 1M paragraphs (py-spy's samples).
    each_on_threads(build, len(groups) - 1, threads_for(len(groups) - 1, 2))
    for doc, low, high in zip(docs, bounds, bounds[1:]):
        doc.__dict__["hash_index"] = (hashes[low:high], paragraphs[low:high])  # as cached_property stores it
    return hashes, paragraphs, offsets


# Shingle hashes of the documents whose hash indexes one sort builds (:func:`share_hash_indexes`):
# 65,536 keys of 8 bytes, 512 KB, which a core's L2 cache holds (1 MB on the 2-core benchmark
# machine), while a group of hundreds of one-paragraph documents makes the per-call costs negligible.
# Measured (10,000 one-paragraph and 1,000 20-paragraph documents, medians of 7): groups of 2**14 to
# 2**18 hashes within a sixth of each other; 2**20 and more, twice as slow for the long documents,
# whose keys then leave the cache; a sort a document, 6x slower for the one-paragraph ones.
INDEX_GROUP_HASHES = 1 << 16
# Bits of a 64-bit sort key beside the 32-bit hash, for the document's and the paragraph's numbers.
INDEX_TAG_BITS = 32


def _sorted_group(docs: Sequence[PreparedDocument]) -> tuple[npt.NDArray[np.uint32], ParagraphNumbers]:
    """The :func:`sorted_hash_index` of each of ``docs``, one after the other, by one sort of 64-bit
    keys (document, hash, paragraph) when document and paragraph numbers fit beside the 32-bit hash:
    a document's own sort is nine numpy calls, 7.6 us a one-paragraph document, more than its work."""
    counts = np.fromiter((len(d.offsets) - 1 for d in docs), dtype=np.int64, count=len(docs))
    paragraph_bits = int(max(int(counts.max(initial=0)) - 1, 0)).bit_length()
    document_bits = (len(docs) - 1).bit_length()
    if document_bits + paragraph_bits > INDEX_TAG_BITS:  # too many to pack: each document alone
        built = [sorted_hash_index(d.hashes, d.shingle_counts()) for d in docs]
        numbers: ParagraphNumbers = np.concatenate([o for _, o in built] or [np.zeros(0, np.int32)])
        return np.concatenate([h for h, _ in built] or [np.zeros(0, np.uint32)]), numbers
    sizes = np.concatenate([d.shingle_counts() for d in docs])
    firsts = np.zeros(len(docs) + 1, dtype=np.int64)
    np.cumsum(counts, out=firsts[1:])
    local = np.arange(len(sizes), dtype=np.uint64) - np.repeat(firsts[:-1], counts).astype(np.uint64)
    owner = np.repeat(np.arange(len(docs), dtype=np.uint64), counts)
    tags = (owner << np.uint64(32 + paragraph_bits)) | local  # a paragraph's key bits but its hash's
    keys = np.repeat(tags, sizes)
    keys |= np.concatenate([d.hashes for d in docs]).astype(np.uint64) << np.uint64(paragraph_bits)
    # Each paragraph's hashes are sorted already, so the keys are one ascending run a paragraph,
    # which timsort finds and merges: a one-paragraph document's run even continues the one before
    # it. The groups of 20,000 20-paragraph and of 20,000 one-paragraph documents (1.16M and 1.2M
    # hashes) took 24.6-27.1 and 10.5-10.8 ms, against 44.4-45.0 and 52.1-53.6 ms by numpy 2.4.6's
    # default sort, which ignores the runs (medians of 7, a 2-core EPYC with AVX-512).
    keys.sort(kind="stable")
    hashes = (keys >> np.uint64(paragraph_bits)).astype(np.uint32)  # the document's bits fall off
    paragraphs = paragraph_numbers(keys & np.uint64((1 << paragraph_bits) - 1), 1 << paragraph_bits)
    return hashes, paragraphs


# Items of navigation menus and breadcrumbs ("Home | World | Sport"): such lines are never content.
_SEPARATOR_ITEMS = ("|", "·", "•", "/", "»", "›", ">", "–", "-", "—", "…", "...", "*")
_SEPARATORS = frozenset(_SEPARATOR_ITEMS)
_MENU_SHARE = 0.25
# Longer paragraphs are prose, never menus: the menu test is skipped for them.
_MENU_MAX_WORDS = 40


def is_menu(text: str) -> bool:
    """A line made of short items between separators, such as a site menu.

    >>> is_menu("Politics | Tech | Home | Video | Opinion"), is_menu("A dash - in a sentence.")
    (True, False)
    """
    items = text.split()
    separators = sum(map(_SEPARATORS.__contains__, items))  # one set look-up an item, not a count a separator
    return separators >= 2 and separators >= _MENU_SHARE * len(items)


def local_offsets(offsets: npt.NDArray[np.int64], firsts: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The offsets of a batch's rows (``offsets``: row ``r`` holds ``offsets[r]`` to ``offsets[r + 1]``),
    each document's from 0, side by side: document ``d`` (rows ``firsts[d]`` to ``firsts[d + 1]``)
    takes ``result[firsts[d] + d : firsts[d + 1] + d + 1]``, a view. One subtraction for all documents
    instead of one a document, which cost more than a one-paragraph document's own work.

    >>> local_offsets(np.array([0, 2, 5, 9]), np.array([0, 1, 3])).tolist()
    [0, 2, 0, 3, 7]
    """
    if len(firsts) < 2:  # no documents
        return np.zeros(0, dtype=np.int64)
    counts = np.diff(firsts)
    local = np.insert(offsets, firsts[1:-1], offsets[firsts[1:-1]])  # a boundary ends one, starts the next
    local -= np.repeat(offsets[firsts[:-1]], counts + 1)
    return local


def remember_streams(docs: Sequence[PreparedDocument], n: int) -> None:
    """Build the :meth:`PreparedDocument.stream` of each of ``docs`` that lacks it, all at once
    (:func:`~syndidetect._kernels.words.streams_of`)."""
    todo = list({id(doc): doc for doc in docs if not doc.memoised(("stream", n))}.values())
    for doc, stream in zip(todo, streams_of([doc.document.text for doc in todo], n)):
        doc.remember(("stream", n), stream)


def split_paragraphs(document: Document) -> tuple[Paragraph, ...]:
    return paragraphs_of(document.text, paragraph_spans(document.text))


def prepare_documents(documents: Sequence[Document], config: Config) -> list[PreparedDocument]:
    """Split and sketch ``documents`` with one kernel call over all their paragraphs."""
    split = [split_paragraphs(doc) for doc in documents]
    texts = [p.text for paragraphs in split for p in paragraphs]
    sk = sketch(texts, config.num_perm, config.seed, config.shingle_size, config.backend)
    # Whole-batch arrays, each document taking its slice: a few numpy calls per document cost more
    # than its paragraphs' work when documents are single paragraphs.
    sizes = np.diff(sk.offsets)
    matchable = (sk.word_counts >= config.min_words) & (sizes > 0)
    for i in np.flatnonzero(matchable & (sk.word_counts <= _MENU_MAX_WORDS)).tolist():
        matchable[i] = not is_menu(texts[i])
    if not documents:
        return []
    counts = np.fromiter(map(len, split), dtype=np.int64, count=len(split))
    firsts = np.zeros(len(split) + 1, dtype=np.int64)
    np.cumsum(counts, out=firsts[1:])
    local = local_offsets(sk.offsets, firsts)
    bounds = sk.offsets[firsts].tolist()
    rows = firsts.tolist()
    prepared = []
    for d, (doc, paragraphs) in enumerate(zip(documents, split)):
        row, end = rows[d], rows[d + 1]
        # filled, not PreparedDocument(...): prepare_documents of 20,000 one-paragraph documents 145
        # -> 132 ms (medians of 7). word_counts and _sizes: the cached properties, already known (a
        # cached_property's first read takes a lock: 0.45 us).
        words = sk.word_counts[row:end]
        prepared.append(filled(PreparedDocument, document=doc, paragraphs=paragraphs, matchable=matchable[row:end],
                               signatures=sk.signatures[row:end], hashes=sk.hashes[bounds[d] : bounds[d + 1]],
                               offsets=local[row + d : end + d + 1], words=words, word_counts=words,
                               _sizes=sizes[row:end]))
    return prepared
