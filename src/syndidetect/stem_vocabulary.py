"""Numbered stems, shared by the documents whose sentences were stemmed together.

A document's sentences hold their stems as ids into a :class:`StemVocabulary` (4 bytes a stem, where
a tuple of strings held an 8-byte reference a stem): the batch path of
:func:`syndidetect.sentence_batches.many_prepared_sentences` numbers a batch's distinct stems once, and
its documents share that numbering. Verification numbers each compared document's own stems from the
ids (:func:`syndidetect._kernels.stem_ids.first_appearance`) and the sentence LSH reads each stem's
hashes from here, computed once a vocabulary, instead of joining and hashing every sentence's stems
again.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt
from xxhash import xxh32_intdigest

from syndidetect.minhash import sketch
from syndidetect.shingles import tokens
from syndidetect.tfidf import first_seen

__all__ = ["StemVocabulary", "remember_token_hashes"]

# Stems below which a vocabulary hashes its stems in Python (about 1 us a stem with the check) rather
# than through minhash.sketch: what the compiled kernel, which takes over from 4,096 texts, does in
# milliseconds, the numpy one would do in about 16 us a stem.
PYTHON_HASHED = 4096


@dataclass(frozen=True, eq=False)
class StemVocabulary:
    """Stems numbered from 0; equal by identity (documents compare their ids only when they share
    one vocabulary)."""

    words: tuple[str, ...]  # interned: equal stems of two vocabularies are one object

    @classmethod
    def of(cls, words: Sequence[str]) -> StemVocabulary:
        """The vocabulary of these distinct stems, in this order."""
        return cls(tuple(map(sys.intern, words)))

    @classmethod
    def numbering(cls, flat: Sequence[str]) -> tuple[StemVocabulary, npt.NDArray[np.int32]]:
        """A vocabulary of the stems of ``flat`` (in order of first appearance) and each one's id."""
        words, ids = first_seen(flat)
        return cls.of(words), ids

    def __len__(self) -> int:
        return len(self.words)

    @cached_property
    def word_ids(self) -> npt.NDArray[np.int64]:
        """Each stem's ``id()``: equal exactly for equal stems of any vocabularies while they are alive,
        as they are interned (:meth:`syndidetect.tfidf.SentenceTerms.word_ids`, the sentence LSH's set
        identities), once a vocabulary."""
        return np.fromiter(map(id, self.words), dtype=np.int64, count=len(self.words))

    @cached_property
    def token_hashes(self) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]:
        """Each stem's token hashes as :func:`syndidetect.minhash.sketch` reads the stem as a text of
        one-word shingles: stem ``i`` holds ``values[offsets[i]:offsets[i + 1]]`` (one value for
        almost every stem; a stem is a token, and the tokeniser keeps it whole). A set of stems joined
        by spaces has the union of its stems' hashes as its shingle hashes, so its MinHash is the
        minimum over those."""
        words = self.words
        if len(words) < PYTHON_HASHED and tokens(" ".join(words)) == list(words):
            # Each stem is one token as it stands (the tokeniser cuts at every space): its hash is
            # xxh32 of its UTF-8 bytes. Here the numpy kernel would tokenise each stem alone (about
            # 16 us a stem, 15 ms for the seeds' vocabularies).
            values = np.fromiter((xxh32_intdigest(w.encode("utf-8")) for w in words), dtype=np.uint32,
                                 count=len(words))
            return values, np.arange(len(words) + 1, dtype=np.int64)
        found = sketch(words, num_perm=1, shingle_size=1)
        return found.hashes, found.offsets


def remember_token_hashes(vocabularies: Sequence[StemVocabulary]) -> None:
    """Compute the :attr:`StemVocabulary.token_hashes` of the vocabularies that lack them in one
    :func:`~syndidetect.minhash.sketch` call over all their stems, when they hold ``PYTHON_HASHED``
    stems or more in all (the same values: each stem is a text of one-word shingles). Documents
    whose sentences were split one by one (text past ASCII) each have a vocabulary of their own,
    whose stems were hashed a vocabulary at a time in Python, after a tokenising check of the
    whole vocabulary."""
    todo = [v for v in {id(v): v for v in vocabularies}.values() if "token_hashes" not in v.__dict__]
    words = [word for vocabulary in todo for word in vocabulary.words]
    if len(todo) < 2 or len(words) < PYTHON_HASHED:
        return
    found = sketch(words, num_perm=1, shingle_size=1)
    first = 0
    for vocabulary in todo:
        last = first + len(vocabulary.words)
        start, end = int(found.offsets[first]), int(found.offsets[last])
        # frozen: set through the dictionary, as cached_property does
        vocabulary.__dict__["token_hashes"] = (found.hashes[start:end].copy(), found.offsets[first : last + 1] - start)
        first = last
