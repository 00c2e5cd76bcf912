"""Candidate document pairs from similar sentences: MinHash/LSH over each sentence's content stems.

Heavy rewording leaves few word shingles, so paragraph LSH misses it; a reworded sentence keeps a
third to a half of its content stems, which unigram MinHash over the stem set finds. This is the
second candidate generator beside :mod:`syndidetect.lsh` (whose banding and bucket chaining it uses);
the pairs it gives are verified by :func:`syndidetect.sentences.sentence_evidence`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import numpy.typing as npt

from syndidetect import arrays
from syndidetect.errors import ConfigError, InputError
from syndidetect.lsh import ESTIMATE_MARGIN, band_keys, estimated_jaccard, keyed_pairs, optimal_bands
from syndidetect.minhash import check_params, signatures
from syndidetect.sentence_sets import MIN_CONTENT_WORDS, DocumentSentences, check_min_words, document_sentences

# Candidate sentences are those whose stem sets reach this Jaccard, as LSH estimates it: half the
# stems kept gives Jaccard 1/3 for equal sets, but one sentence of a copy that keeps more is enough
# (see sentence_candidate_pairs for the recall measured, and the price of 0.4).
SENTENCE_JACCARD = 0.5
# A sentence whose stem set occurs in more documents than this is not looked up for candidates: site
# templates ("Cookies help us deliver our services.") and widely quoted lines make every pair of the
# documents holding them a candidate. A verbatim syndicated story is found by paragraph LSH anyway.
# The same holds for an LSH bucket: one holding sentences of more documents than this is skipped, not
# chained. Such a bucket is made by a frequent stem whose hashes are low in that band's permutations:
# it is the minimum of every sentence containing it, so the sentences share that one stem (measured
# on benchmarks.corpus, whose frequent words are not stop words: buckets of up to 238 short sentences
# sharing one stem at 20k paragraphs). A copied sentence meets its partner in other bands as well.
MAX_SENTENCE_DOCUMENTS = 4
# Sentences sketched at a time. A sketch call's own working memory is about 1.6 KB a sentence
# (tracemalloc, benchmarks.corpus sentences: encoded text, token hashes, offsets) besides the 512-byte
# signatures, and sketching all colliding sentences at once took 2 GB at 1M paragraphs: chunks
# bound both at about 50 MB whatever the corpus.
SKETCH_CHUNK = 16384


def sentence_candidate_pairs(
    texts: Sequence[str],
    num_perm: int = 128,
    seed: int = 1,
    backend: str = "auto",
    *,
    min_content_words: int = MIN_CONTENT_WORDS,
    max_documents: int = MAX_SENTENCE_DOCUMENTS,
    min_collisions: int = 1,
    jaccard: float = SENTENCE_JACCARD,
) -> npt.NDArray[np.int64]:
    """Document index pairs ``(i, j)``, ``i < j``, sorted and unique, with at least ``min_collisions``
    pairs of sentences whose content-stem sets collide in banded LSH tuned to ``jaccard``
    (:data:`SENTENCE_JACCARD`).

    Each eligible sentence (at least ``min_content_words`` distinct stems, not a menu) becomes the
    string of its sorted distinct stems, sketched with unigram MinHash. A stem set found in more than
    ``max_documents`` documents is a site template or a widely quoted line and is skipped, and so is
    an LSH bucket holding sentences of more documents (see :data:`MAX_SENTENCE_DOCUMENTS`). Colliding
    sentences whose estimated Jaccard is below :data:`~syndidetect.lsh.ESTIMATE_MARGIN` times
    ``jaccard`` are dropped, as paragraph candidates are.

    By default every colliding document pair is returned, even on one sentence pair: one shared
    sentence is not a copy, but the verifier (:func:`sentence_evidence`) decides. Measured on
    ``benchmarks/quality``: light rewordings collide on many sentence pairs, heavy ones often on one
    (the shapes corpus: 41 of 48 heavy rewordings are candidates, 21 with ``min_collisions=2``), so
    ``min_collisions`` above 1 trades heavy-rewording recall for fewer candidates. ``jaccard=0.4``
    finds 46 of 48 for 2.5 times the candidates.
    """
    if isinstance(texts, (str, bytes)):
        raise InputError("'texts' must be a sequence of str, not a single string")
    check_min_words(min_content_words)
    for doc, text in enumerate(texts):
        if not isinstance(text, str):
            raise InputError(f"'texts'[{doc}] must be a str; got {type(text).__name__}")
    sentences = [document_sentences(text, min_content_words) for text in texts]
    return sentence_pairs_of(sentences, num_perm, seed, backend, max_documents=max_documents,
                             min_collisions=min_collisions, jaccard=jaccard)


def sentence_pairs_of(
    sentences: Sequence[DocumentSentences],
    num_perm: int = 128,
    seed: int = 1,
    backend: str = "auto",
    *,
    max_documents: int = MAX_SENTENCE_DOCUMENTS,
    min_collisions: int = 1,
    jaccard: float = SENTENCE_JACCARD,
) -> npt.NDArray[np.int64]:
    """:func:`sentence_candidate_pairs` of documents whose sentences are built already (by
    :func:`~syndidetect.sentences.prepared_sentences`, which verification reuses)."""
    for name, value in (("max_documents", max_documents), ("min_collisions", min_collisions)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"'{name}' must be an int >= 1; got {value!r}")
    if isinstance(jaccard, bool) or not isinstance(jaccard, (int, float)) or not 0.0 < jaccard < 1.0:
        raise ConfigError(f"'jaccard' must be a float in (0, 1); got {jaccard!r}")
    check_params(num_perm, seed, backend)  # before any work
    strings, owner = _sentence_keys(sentences, max_documents)
    if not strings:
        return np.zeros((0, 2), dtype=np.int64)
    bands, rows = optimal_bands(round(float(jaccard), 4), num_perm)
    # Only the band keys of all sentences are kept (8 bytes a band instead of 4 a permutation: 200
    # against 512 bytes a sentence by default); the few sentences in a colliding pair are sketched
    # again for the estimate (a sentence's signature depends on its string alone).
    by_band = np.empty((bands, len(strings)), dtype=np.uint64)  # row b: every sentence's key in band b
    for start, chunk in _sketched(strings, num_perm, seed, backend):
        by_band[:, start : start + len(chunk)] = band_keys(chunk, bands, rows).T
    sentence_pairs = keyed_pairs(by_band.__getitem__, bands, len(strings), owners=owner, max_owners=max_documents)
    del by_band
    colliding = arrays.distinct(sentence_pairs.ravel())
    signatures = np.empty((len(colliding), num_perm), dtype=np.uint32)
    for start, chunk in _sketched([strings[i] for i in colliding.tolist()], num_perm, seed, backend):
        signatures[start : start + len(chunk)] = chunk
    # As for paragraphs (lsh.ESTIMATE_MARGIN): a collision whose estimated Jaccard is below half the
    # target is the tail of the LSH curve, or short sentences sharing a frequent stem or two.
    estimate = estimated_jaccard(signatures, np.searchsorted(colliding, sentence_pairs))
    sentence_pairs = sentence_pairs[estimate >= ESTIMATE_MARGIN * jaccard]
    pairs = np.sort(owner[sentence_pairs], axis=1)
    n = np.int64(max(len(sentences), 1))
    keys, collisions = np.unique(pairs[:, 0] * n + pairs[:, 1], return_counts=True)
    keys = keys[collisions >= min_collisions]
    return np.stack([keys // n, keys % n], axis=1).astype(np.int64)


def _sketched(strings: Sequence[str], num_perm: int, seed: int, backend: str
              ) -> Iterator[tuple[int, npt.NDArray[np.uint32]]]:
    """``(start, signatures)`` of ``strings`` ``SKETCH_CHUNK`` at a time (each string one set of words)."""
    for start in range(0, len(strings), SKETCH_CHUNK):
        chunk = strings[start : start + SKETCH_CHUNK]
        yield start, signatures(chunk, num_perm, seed, shingle_size=1, backend=backend)


def _sentence_keys(sentences: Sequence[DocumentSentences], max_documents: int
                   ) -> tuple[list[str], npt.NDArray[np.int64]]:
    """The sorted distinct stems of each eligible sentence as one string, and its document: each
    document's distinct strings in order, those found in more than ``max_documents`` documents left
    out. Documents are counted on the strings' hashes, in arrays: a Counter of 3.5 million strings
    (1M paragraphs) took hundreds of MB. Two distinct strings of equal 64-bit hash (about 1e-6
    chances at 1M paragraphs) would only be counted together, at worst leaving out a few sentences."""
    strings: list[str] = []
    counts: list[int] = []
    for doc in sentences:
        found = sorted({" ".join(sorted(set(words))) for words in doc.stems})
        strings += found
        counts.append(len(found))
    owner = np.repeat(np.arange(len(sentences), dtype=np.int64), counts)
    hashes = np.fromiter(map(hash, strings), dtype=np.int64, count=len(strings))
    kept = np.flatnonzero(arrays.occurrences(hashes) <= max_documents)  # a string is once per document
    if len(kept) == len(strings):
        return strings, owner
    return [strings[k] for k in kept.tolist()], owner[kept]
