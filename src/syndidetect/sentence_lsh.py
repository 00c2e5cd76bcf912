"""Candidate document pairs from similar sentences: MinHash/LSH over each sentence's content stems.

Heavy rewording leaves few word shingles, so paragraph LSH misses it; a reworded sentence keeps a
third to a half of its content stems, which unigram MinHash over the stem set finds. This is the
second candidate generator beside :mod:`syndidetect.lsh` (whose banding and bucket chaining it uses);
the pairs it gives are verified by :func:`syndidetect.sentences.sentence_evidence`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
import numpy.typing as npt

from syndidetect import arrays
from syndidetect._kernels import screen
from syndidetect._kernels.band_keys import band_keys_into
from syndidetect._kernels.equal_counts import add_equal_counts
from syndidetect._kernels.stem_ids import STEM_IDS, set_identities, set_signatures
from syndidetect._kernels.stem_ids import Kernels as StemSetKernels
from syndidetect._kernels.threads import each_on_threads, kernel_threads
from syndidetect.errors import ConfigError, InputError
from syndidetect.lsh import BAND_MIX, ESTIMATE_MARGIN, DistinctPairs, band_keys, band_pairs, optimal_bands
from syndidetect.minhash import check_params, permutations
from syndidetect.sentence_batches import SentenceCorpus, SentenceRun
from syndidetect.sentence_sets import MIN_CONTENT_WORDS, DocumentSentences, check_min_words, document_sentences
from syndidetect.stem_vocabulary import StemVocabulary, remember_token_hashes

Permutations = tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]  # MinHash's (a, b)

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
# Sentences sketched at a time: their signatures take 512 bytes a sentence (128 permutations), and
# all of them at once would take 2 GB at 1M paragraphs (about 4M sentences); a chunk takes 8 MB.
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
    set of its stems, sketched with unigram MinHash (the signature of its distinct stems joined by
    spaces, from each stem's hashes, computed once a vocabulary). A stem set found in more than
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
    sentences: Sequence[DocumentSentences] | SentenceCorpus,
    num_perm: int = 128,
    seed: int = 1,
    backend: str = "auto",
    *,
    max_documents: int = MAX_SENTENCE_DOCUMENTS,
    min_collisions: int = 1,
    jaccard: float = SENTENCE_JACCARD,
) -> npt.NDArray[np.int64]:
    """:func:`sentence_candidate_pairs` of documents whose sentences are built already (by
    :func:`~syndidetect.sentences.prepared_sentences`, which verification reuses, or all at once by
    :func:`~syndidetect.sentence_batches.sentence_corpus`)."""
    for name, value in (("max_documents", max_documents), ("min_collisions", min_collisions)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"'{name}' must be an int >= 1; got {value!r}")
    if isinstance(jaccard, bool) or not isinstance(jaccard, (int, float)) or not 0.0 < jaccard < 1.0:
        raise ConfigError(f"'jaccard' must be a float in (0, 1); got {jaccard!r}")
    check_params(num_perm, seed, backend)  # before any work
    count = sentences.count if isinstance(sentences, SentenceCorpus) else sum(doc.count for doc in sentences)
    kernels = STEM_IDS.for_backend(backend, count)
    sets = _sentence_sets(sentences, max_documents, kernels)
    if not len(sets.rows):
        return np.zeros((0, 2), dtype=np.int64)
    permutations_ = permutations(num_perm, seed)
    bands, band_rows = optimal_bands(round(float(jaccard), 4), num_perm)
    owner = sets.owners[sets.rows]
    sentence_pairs = _colliding_sentences(sets, permutations_, kernels, (bands, band_rows), owner, max_documents)
    # As for paragraphs (lsh.ESTIMATE_MARGIN): a collision whose estimated Jaccard is below half the
    # target is the tail of the LSH curve, or short sentences sharing a frequent stem or two.
    estimate = _estimates(sets, sentence_pairs, permutations_, kernels)
    sentence_pairs = sentence_pairs[estimate >= ESTIMATE_MARGIN * jaccard]
    pairs = np.sort(owner[sentence_pairs], axis=1)
    n = np.int64(max(len(sentences), 1))
    keys, collisions = np.unique(pairs[:, 0] * n + pairs[:, 1], return_counts=True)
    keys = keys[collisions >= min_collisions]
    return np.stack([keys // n, keys % n], axis=1).astype(np.int64)


# Permutations the colliding sentences are sketched for at a time by _estimates: their signatures
# take 4 bytes a permutation, and at 1M paragraphs 2M of the 3.5M sentences collide, so all 128 at
# once took 1 GB; 32 take a quarter of it. Each slice reads the sentences' stems again.
ESTIMATE_PERMUTATIONS = 32


def _estimates(sets: _SentenceSets, sentence_pairs: npt.NDArray[np.int64], permutations_: Permutations,
               kernels: StemSetKernels | None) -> npt.NDArray[np.float64]:
    """:func:`~syndidetect.lsh.estimated_jaccard` of each pair of sentences (positions in
    ``sets.rows``), the equal values counted ``ESTIMATE_PERMUTATIONS`` permutations at a time: the
    same values, a quarter of the memory."""
    colliding, at = arrays.positions_in_distinct(sentence_pairs, len(sets.rows))
    rows, (a, b) = sets.rows[colliding], permutations_
    equal = np.zeros(len(sentence_pairs), dtype=np.int64)
    for first in range(0, len(a), ESTIMATE_PERMUTATIONS):
        part = slice(first, first + ESTIMATE_PERMUTATIONS)
        add_equal_counts(_signed(sets, rows, (a[part], b[part]), kernels), at, equal, _threads(kernels))
    return equal / np.float64(len(a))


# Bands whose keys are held at once by _colliding_sentences: 8 bytes a sentence a band, so all 25
# bands of the default layout took 700 MB at 1M paragraphs (3.5M sentences) and set the candidates
# stage's peak (1,703 MB above the corpus); 13, two groups, take 366 MB, and the stage's peak is
# then preparing's (the sentence LSH's own 1,246 MB). Each group signs its bands' permutations and
# reads the sentences' stems again: the LSH at 1M took 6.0-6.8 s in two groups, as in one
# (6.3-7.7 s), against 7.0-7.5 s in three and 7.8-9.9 s in five (in-process, alternated).
BANDS_AT_ONCE = 13


def _colliding_sentences(sets: _SentenceSets, permutations_: Permutations, kernels: StemSetKernels | None,
                         layout: tuple[int, int], owner: npt.NDArray[np.int64], max_documents: int,
                         ) -> npt.NDArray[np.int64]:
    """The pairs of indexed sentences (positions in ``sets.rows``) sharing a key in some band of
    ``layout`` ``(bands, rows)``, as :func:`~syndidetect.lsh.keyed_pairs` gives them. Only the band
    keys are made, not the signatures (8 bytes a band against 4 a permutation), and only
    :data:`BANDS_AT_ONCE` bands' at a time; the sentences in a colliding pair are signed again for
    the estimate (_estimates)."""
    bands, band_rows = layout
    (a, b), found = permutations_, DistinctPairs(len(sets.rows))
    for first in range(0, bands, BANDS_AT_ONCE):
        group = range(first, min(first + BANDS_AT_ONCE, bands))
        columns = slice(first * band_rows, group.stop * band_rows)
        keys = _band_keys(sets, (a[columns], b[columns]), kernels, len(group), band_rows)  # row k: band first + k
        found.add(band_pairs(keys.__getitem__, range(len(group)), len(sets.rows), owners=owner,
                             max_owners=max_documents))
        del keys
    return found.distinct()


def _band_keys(sets: _SentenceSets, permutations_: Permutations, kernels: StemSetKernels | None, bands: int,
               band_rows: int) -> npt.NDArray[np.uint64]:
    """``(bands, len(sets.rows))``: every indexed sentence's key in each band whose rows are
    ``permutations_`` (``bands * band_rows`` of them), its chunks of ``SKETCH_CHUNK`` sentences
    signed on the kernel threads."""
    by_band = np.empty((bands, len(sets.rows)), dtype=np.uint64)

    def chunk_keys(k: int) -> None:
        start = k * SKETCH_CHUNK
        chunk = sets.signatures(sets.rows[start : start + SKETCH_CHUNK], permutations_, kernels)
        band_keys_into(chunk, bands, band_rows, BAND_MIX, by_band, start, band_keys)

    each_on_threads(chunk_keys, -(-len(sets.rows) // SKETCH_CHUNK), _threads(kernels))
    return by_band


def _signed(sets: _SentenceSets, rows: npt.NDArray[np.int64], permutations_: Permutations,
            kernels: StemSetKernels | None) -> npt.NDArray[np.uint32]:
    """The signatures of sentences ``rows``, signed ``SKETCH_CHUNK`` at a time on the kernel threads."""
    signatures = np.empty((len(rows), len(permutations_[0])), dtype=np.uint32)

    def sign(k: int) -> None:
        chunk = slice(k * SKETCH_CHUNK, (k + 1) * SKETCH_CHUNK)
        signatures[chunk] = sets.signatures(rows[chunk], permutations_, kernels)

    each_on_threads(sign, -(-len(rows) // SKETCH_CHUNK), _threads(kernels))
    return signatures


def _threads(kernels: StemSetKernels | None) -> int:
    """Threads sharing the sentences' chunks: the compiled kernels release the GIL (as numpy's
    comparisons and gathers do), the numpy path for small inputs is not worth a thread."""
    return kernel_threads() if kernels is not None else 1


@dataclass(frozen=True)
class _SentenceSets:
    """Every eligible sentence of the documents as stem ids of one numbering (the documents'
    vocabularies one after the other), and the sentences the LSH indexes."""

    stems: npt.NDArray[np.integer[Any]]  # sentence s holds stems[offsets[s]:offsets[s + 1]] (int32 or int64)
    offsets: npt.NDArray[np.int64]
    owners: npt.NDArray[np.int64]  # each sentence's document
    token_hashes: tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]  # per stem, as StemVocabulary's
    rows: npt.NDArray[np.int64]  # the sentences indexed, ascending

    def signatures(self, rows: npt.NDArray[np.int64], permutations_: Permutations,
                   kernels: StemSetKernels | None) -> npt.NDArray[np.uint32]:
        return set_signatures(self.stems, self.offsets, rows, self.token_hashes, permutations_, kernels)


def _sentence_sets(sentences: Sequence[DocumentSentences] | SentenceCorpus, max_documents: int,
                   kernels: StemSetKernels | None) -> _SentenceSets:
    """The documents' sentences, and those to index: each document's distinct stem sets in order of
    first appearance, those found in more than ``max_documents`` documents left out. Sets are told
    apart by a 64-bit combination of their stems' ids (``StemVocabulary.word_ids``, equal exactly for
    equal stems); two distinct sets of one value, about 1e-6 chances at 1M paragraphs, would only be
    counted together, at worst leaving out a few sentences. A :class:`SentenceCorpus` is read a run
    of documents at a time (a batch's arrays), not a document at a time."""
    if isinstance(sentences, SentenceCorpus):
        singles, runs = sorted(sentences.singles.items()), sentences.runs
    else:
        singles, runs = list(enumerate(sentences)), []
    base: dict[int, int] = {}  # a vocabulary's id() -> where its stems start in the one numbering
    vocabularies: list[StemVocabulary] = []
    numbered = 0  # stems of the vocabularies so far
    ids: list[npt.NDArray[np.int32]] = []  # the lists below: one pass over the documents, then the runs
    part_offsets: list[npt.NDArray[np.int64]] = []
    held, shift, counts = [], [], []
    parts: Iterable[DocumentSentences | SentenceRun] = chain((doc for _, doc in singles), runs)
    for part in parts:
        at = base.get(id(part.vocabulary))
        if at is None:
            at = base[id(part.vocabulary)] = numbered
            vocabularies.append(part.vocabulary)
            numbered += len(part.vocabulary)
        ids.append(part.stem_ids)
        part_offsets.append(part.offsets)
        held.append(len(part.stem_ids))
        shift.append(at)
        counts.append(len(part.bounds))
    # Ids of one numbering: 4 bytes a stem while the numbering fits (55M stems at 1M paragraphs, 2.9M
    # ids), where 8 bytes took 220 MB more.
    width = np.dtype(np.int32 if numbered <= np.iinfo(np.int32).max else np.int64)
    stems: npt.NDArray[np.integer[Any]] = np.concatenate(ids or [np.zeros(0, dtype=np.int32)]).astype(width, copy=False)
    # Into the one numbering: a document's ids shift by where its vocabulary starts. The documents
    # of one vocabulary (a batch's) come in runs, shifted in place a run: a shift per stem, made
    # with np.repeat, was 320 MB of new memory at 1M paragraphs, slow to touch the first time.
    ends = np.cumsum(np.array(held, dtype=np.int64)).tolist()  # past each part's stems
    shifts = np.array(shift, dtype=np.int64)
    run_firsts = np.flatnonzero(np.diff(shifts, prepend=np.int64(-1))).tolist()  # shifts are >= 0
    for run_first, run_end in zip(run_firsts, [*run_firsts[1:], len(shifts)]):
        if shift[run_first]:
            stems[ends[run_first] - held[run_first] : ends[run_end - 1]] += shift[run_first]
    offsets = _joined_offsets(part_offsets, np.array(counts, dtype=np.int64))
    owners = np.concatenate([np.repeat(np.array([k for k, _ in singles], dtype=np.int64), counts[: len(singles)]),
                             *(run.owners() for run in runs)])
    # With a corpus the runs come after the documents split alone, not in the documents' order;
    # nothing below depends on it: each document's sentences stay in their order, and LSH buckets
    # order their rows by owner (lsh.keyed_pairs with owners), so the pairs are the same.
    identities = np.concatenate([v.word_ids for v in vocabularies] or [np.zeros(0, dtype=np.int64)])
    sets = set_identities(identities, stems, offsets, kernels)
    rows = indexed_rows(sets, owners, max_documents)
    return _SentenceSets(stems, offsets, owners, _joined_hashes(vocabularies), rows)


def indexed_rows(sets: npt.NDArray[np.uint64], owners: npt.NDArray[np.int64], max_documents: int
                  ) -> npt.NDArray[np.int64]:
    """Each document's first sentence of each set (``sets``: their identities), ascending, but for
    sets found in more than ``max_documents`` documents.

    Most sets occur once in a corpus, and such a sentence is indexed whatever the others: only the
    sentences whose identity's low bits recur (the LSH's screen, ``_kernels.screen``) are sorted, by
    document and set. Sorting all of them (a stable ``lexsort``, then a count of each set's
    documents) took 2 s of the sentence LSH's 20 s at 1M paragraphs (3.5M sentences)."""
    maybe = screen.maybe_shared(sets)  # holds every sentence whose set another sentence has
    keep = np.ones(len(sets), dtype=np.bool_)
    keep[maybe] = False
    maybe_sets, maybe_owners = sets[maybe], owners[maybe]
    order = np.lexsort((maybe_sets, maybe_owners))  # stable: within a set of a document, by position
    first = np.ones(len(order), dtype=np.bool_)
    ordered_sets, ordered_owners = maybe_sets[order], maybe_owners[order]
    first[1:] = (ordered_sets[1:] != ordered_sets[:-1]) | (ordered_owners[1:] != ordered_owners[:-1])
    firsts = order[first]
    firsts = firsts[arrays.occurrences(maybe_sets[firsts]) <= max_documents]  # a set is once per document
    keep[maybe[firsts]] = True
    return np.flatnonzero(keep).astype(np.int64, copy=False)


def _joined_offsets(offsets: list[npt.NDArray[np.int64]], counts: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The offsets of documents' sentences (each document's from 0) as offsets into their stems one
    document after the other: one concatenation, not a numpy call a document."""
    lengths = np.diff(np.concatenate(offsets or [np.zeros(1, dtype=np.int64)]))
    boundaries = np.cumsum(counts + 1)[:-1] - 1  # from a document's last offset to the next one's 0
    keep = np.ones(len(lengths), dtype=np.bool_)
    keep[boundaries] = False
    joined = np.zeros(int(counts.sum()) + 1, dtype=np.int64)
    np.cumsum(lengths[keep], out=joined[1:])
    return joined


def _joined_hashes(vocabularies: list[StemVocabulary]) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]:
    """The token hashes of the vocabularies' stems, one vocabulary after the other."""
    remember_token_hashes(vocabularies)
    values, starts, total = [], [np.zeros(1, dtype=np.int64)], 0
    for vocabulary in vocabularies:
        v, o = vocabulary.token_hashes
        values.append(v)
        starts.append(o[1:] + total)
        total += len(v)
    return np.concatenate(values or [np.zeros(0, dtype=np.uint32)]), np.concatenate(starts)
