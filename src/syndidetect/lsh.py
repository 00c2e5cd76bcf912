"""Banded LSH over signature matrices: band layout, band keys and candidate pairs, vectorised.

Candidates come from sorting each band's keys, so there is no Python loop per paragraph. This module
is the one candidate generator: stores only keep documents and the postings of their band keys, and
both the bucket-chaining rule (:data:`MAX_BUCKET`) and the estimate filter (:func:`likely_pairs`)
live here, so every store gives the same candidates.

Chaining counts paragraph rows, not distinct documents: the limit bounds the work a bucket costs
(its row pairs are each estimated, then verified as document pairs), and a bucket that large holds
boilerplate or a widely syndicated paragraph, whose documents the report shows as one copy group.
150 documents that each hold one long shared paragraph twice make a 300-row bucket: a chain of 149
document pairs (one group of 150), not the 11,175 pairs an exhaustive check would verify. Queries
against stored documents are not chained (:func:`stored_candidates`): their cost is linear in the
bucket, and a user checking an article expects every stored document that shares its text.

Layout: about 420 lines kept as one module because it is the one candidate generator the stores and
the sentence LSH share: the band layout, the keys, the buckets (:func:`band_pairs`, which the
sentence LSH calls a few bands at a time) and the estimate filter must agree with each other. A
corpus's document pairs, where rows alike are banded once, are :mod:`syndidetect.document_candidates`'
(its ``document_pairs``); the next split would take the other document-level helpers
(``matchable_rows`` onwards) out.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from syndidetect import arrays
from syndidetect._kernels.equal_counts import add_equal_counts
from syndidetect._kernels.key_order import stable_order
from syndidetect._kernels.screen import maybe_shared
from syndidetect._kernels.threads import machine_threads
from syndidetect._types import SignatureMatrix
from syndidetect.config import Config
from syndidetect.prepared import PreparedDocument

# Buckets larger than this hold boilerplate or a widely syndicated paragraph: chaining their members
# keeps them connected without emitting a quadratic number of pairs.
MAX_BUCKET = 256
# The odd multiplier that mixes a band's rows into its key (more than two rows a band): 2**64 divided
# by the golden ratio, whose bits spread each row's value over the whole key.
BAND_MIX = np.uint64(0x9E3779B97F4A7C15)
# Candidates whose estimated containment is below this share of the threshold are dropped before
# exact verification: with 2-row bands, paragraphs sharing a few common phrases collide often, and
# their number grows with the square of the corpus. Half the threshold leaves room for the
# estimate's error (its standard deviation is about 0.03 at 128 permutations).
ESTIMATE_MARGIN = 0.5
_INTEGRATION_POINTS = 200


def _collision(s: npt.NDArray[np.float64], bands: npt.NDArray[np.float64], rows: npt.NDArray[np.float64]
               ) -> npt.NDArray[np.float64]:
    collision: npt.NDArray[np.float64] = 1.0 - (1.0 - s**rows) ** bands
    return collision


# optimal_bands of the defaults (paragraphs at containment 0.2, i.e. Jaccard 0.1111; sentences at
# SENTENCE_JACCARD 0.5; 128 permutations), written down: scoring every layout takes about 20 ms a
# call, which each command-line run paid twice. tests/test_lsh.py computes them again.
DEFAULT_LAYOUTS: dict[tuple[float, int, float], tuple[int, int]] = {
    (0.1111, 128, 0.5): (64, 2),
    (0.5, 128, 0.5): (25, 5),
}


@lru_cache(maxsize=64)
def optimal_bands(jaccard: float, num_perm: int, fn_weight: float = 0.5) -> tuple[int, int]:
    """``(bands, rows)`` minimising the weighted false positive and false negative areas, as
    datasketch's ``MinHashLSH`` chooses them (the first minimum, bands then rows ascending).

    All layouts are scored in one array operation (a loop over them cost about 35 ms a call)."""
    known = DEFAULT_LAYOUTS.get((jaccard, num_perm, fn_weight))
    return known if known is not None else scored_layout(jaccard, num_perm, fn_weight)


def scored_layout(jaccard: float, num_perm: int, fn_weight: float = 0.5) -> tuple[int, int]:
    """:func:`optimal_bands` computed, never looked up in :data:`DEFAULT_LAYOUTS`."""
    layouts = np.array([(b, r) for b in range(1, num_perm + 1) for r in range(1, num_perm // b + 1)],
                       dtype=np.float64)
    bands, rows = layouts[:, :1], layouts[:, 1:]
    below = np.linspace(0.0, jaccard, _INTEGRATION_POINTS)
    above = np.linspace(jaccard, 1.0, _INTEGRATION_POINTS)
    fp = np.trapezoid(_collision(below, bands, rows), below, axis=1)
    fn = np.trapezoid(1.0 - _collision(above, bands, rows), above, axis=1)
    best = int(np.argmin((1.0 - fn_weight) * fp + fn_weight * fn))
    return int(layouts[best, 0]), int(layouts[best, 1])


def band_layout(config: Config) -> tuple[int, int]:
    """The ``(bands, rows)`` of ``config``.

    The paragraph ``threshold`` is a containment (share of the shorter paragraph); two paragraphs of
    equal length at that containment have Jaccard ``t / (2 - t)``, the similarity LSH must catch.
    """
    if config.bands is not None:
        return config.bands, config.num_perm // config.bands
    jaccard = config.threshold / (2.0 - config.threshold)
    return optimal_bands(round(jaccard, 4), config.num_perm)


def band_key(signatures: SignatureMatrix, band: int, rows: int) -> npt.NDArray[np.uint64]:
    """The 64-bit keys of one band (exact when ``rows <= 2``, hashed above), one per row.

    One band at a time keeps memory at ``8 * n`` bytes instead of ``8 * n * bands``."""
    part = signatures[:, band * rows : (band + 1) * rows].astype(np.uint64)
    if rows == 1:
        return np.ascontiguousarray(part[:, 0])
    if rows == 2:
        return (part[:, 0] << np.uint64(32)) | part[:, 1]
    key = np.zeros(len(signatures), dtype=np.uint64)
    for r in range(rows):
        key = (key ^ part[:, r]) * BAND_MIX
        key ^= key >> np.uint64(29)
    return key


def band_keys(signatures: SignatureMatrix, bands: int, rows: int) -> npt.NDArray[np.uint64]:
    """A ``(n, bands)`` matrix of band keys (:func:`band_key` for every band), all bands at once:
    a query asks for a few documents' keys, where one call a band cost more than the arithmetic."""
    if rows == 2 and signatures.dtype == np.uint32:
        # A band's two 32-bit rows are one 64-bit number in memory: viewed as such (no copy to
        # widen them first), halves swapped where the first row is the low half: 0.44 instead of 1.06
        # ms for the 9,100 paragraphs of an ``index add`` batch (medians of 31 calls).
        pairs = np.ascontiguousarray(signatures[:, : bands * rows]).view(np.uint64)
        if sys.byteorder == "big":
            return pairs.copy()
        key = pairs << np.uint64(32)
        key |= pairs >> np.uint64(32)
        return key
    part = signatures[:, : bands * rows].reshape(len(signatures), bands, rows).astype(np.uint64)
    if rows == 1:
        return np.ascontiguousarray(part[:, :, 0])
    if rows == 2:
        return (part[:, :, 0] << np.uint64(32)) | part[:, :, 1]
    key = np.zeros((len(signatures), bands), dtype=np.uint64)
    for r in range(rows):
        key = (key ^ part[:, :, r]) * BAND_MIX
        key ^= key >> np.uint64(29)
    return key


# Keys a band holds before :func:`_bucket_pairs` screens them by their low bits first: the sort is
# most of a band's time, and most keys (a paragraph's or a sentence's band key) are held by no other
# row. Measured on random keys, a tenth of them repeated (medians of 51 calls, screened against
# sorted whole): 1,024 keys 0.164 against 0.169 ms (even), 2,048 keys 0.196 against 0.244 ms,
# 32,768 keys 1.86 against 4.12 ms.
SCREEN_ROWS = 1 << 11


def _bucket_pairs(keys: npt.NDArray[np.uint64], max_bucket: int, owners: npt.NDArray[np.int64] | None = None,
                  max_owners: int | None = None) -> npt.NDArray[np.int64]:
    """Pairs of rows sharing a key: all pairs in small buckets, a chain through large ones, none in
    buckets holding rows of more than ``max_owners`` distinct ``owners``."""
    if len(keys) >= SCREEN_ROWS:
        # Whole buckets of two keys or more, in their order: the same pairs as from all the keys.
        rows = maybe_shared(keys)
        pairs = _bucket_pairs_of(keys[rows], max_bucket, None if owners is None else owners[rows], max_owners)
        return rows[pairs].astype(np.int64, copy=False)  # intp: int64 on 64-bit platforms, no copy
    return _bucket_pairs_of(keys, max_bucket, owners, max_owners)


def _bucket_pairs_of(keys: npt.NDArray[np.uint64], max_bucket: int, owners: npt.NDArray[np.int64] | None,
                     max_owners: int | None) -> npt.NDArray[np.int64]:
    """:func:`_bucket_pairs` by sorting all the keys."""
    capped_owners = owners if max_owners is not None else None
    if capped_owners is None or bool(np.all(capped_owners[1:] >= capped_owners[:-1])):
        # Rows in owner order (a corpus's paragraphs or sentences are): the stable order by key is
        # then the order by key and owner.
        order, sorted_keys = stable_order(keys)
    else:
        order = np.lexsort((capped_owners, keys))
        sorted_keys = keys[order]
    same_as_next = sorted_keys[1:] == sorted_keys[:-1]
    if not same_as_next.any():
        return np.zeros((0, 2), dtype=np.int64)
    bucket_start = np.concatenate(([True], ~same_as_next))
    starts = np.flatnonzero(bucket_start)
    sizes = np.diff(np.append(starts, len(keys)))
    size_of = np.repeat(sizes, sizes)
    alive = np.flatnonzero(same_as_next)  # positions whose next neighbour shares the key
    if capped_owners is not None:
        sorted_owners = capped_owners[order]
        new_owner = bucket_start.copy()
        new_owner[1:] |= sorted_owners[1:] != sorted_owners[:-1]
        owners_of = np.repeat(np.add.reduceat(new_owner.astype(np.int64), starts), sizes)
        alive = alive[owners_of[alive] <= max_owners]
    pairs = []
    distance = 1
    while len(alive):
        pairs.append(np.stack([order[alive], order[alive + distance]], axis=1))
        distance += 1
        alive = alive[alive + distance < len(keys)]
        alive = alive[(sorted_keys[alive + distance] == sorted_keys[alive]) & (size_of[alive] <= max_bucket)]
    if not pairs:
        return np.zeros((0, 2), dtype=np.int64)
    return np.concatenate(pairs).astype(np.int64)


def estimated_jaccard(signatures: SignatureMatrix, pairs: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    """MinHash estimate of each pair's Jaccard similarity: the share of equal signature values."""
    equal = np.zeros(len(pairs), dtype=np.int64)
    add_equal_counts(signatures, pairs, equal)
    out: npt.NDArray[np.float64] = equal / np.float64(signatures.shape[1])
    return out


def estimated_containment(
    signatures: SignatureMatrix, sizes: npt.NDArray[np.int64], pairs: npt.NDArray[np.int64],
) -> npt.NDArray[np.float64]:
    """MinHash estimate of each pair's containment (shared shingles over the smaller set), from
    the Jaccard estimate and the exact set sizes: ``|A & B| = J (|A| + |B|) / (1 + J)``."""
    jaccard = estimated_jaccard(signatures, pairs)
    i, j = pairs[:, 0], pairs[:, 1]
    shared = jaccard * (sizes[i] + sizes[j]) / (1.0 + jaccard)
    out: npt.NDArray[np.float64] = shared / np.maximum(np.minimum(sizes[i], sizes[j]), 1)
    return out


def likely_pairs(
    signatures: SignatureMatrix, sizes: npt.NDArray[np.int64], pairs: npt.NDArray[np.int64], threshold: float
) -> npt.NDArray[np.int64]:
    """The candidate ``pairs`` whose estimated containment could reach ``threshold``."""
    if not len(pairs):
        return pairs
    return pairs[estimated_containment(signatures, sizes, pairs) >= ESTIMATE_MARGIN * threshold]


def shares_likely_candidate(
    sig_a: SignatureMatrix, sizes_a: npt.NDArray[np.int64], sig_b: SignatureMatrix, sizes_b: npt.NDArray[np.int64],
    bands: int, rows: int, threshold: float,
) -> bool:
    """Whether two documents' paragraphs (their signatures and shingle counts) hold a pair that
    shares a band key and passes :func:`likely_pairs`: the per-document-pair form of the filter
    :func:`document_pairs` applies to all candidates at once (queries and the Dask path use it)."""
    if not len(sig_a) or not len(sig_b):
        return False
    keys_a, keys_b = band_keys(sig_a, bands, rows), band_keys(sig_b, bands, rows)
    i, j = np.nonzero((keys_a[:, None, :] == keys_b[None, :, :]).any(axis=2))
    if not len(i):
        return False
    sigs = np.concatenate([sig_a, sig_b])
    sizes = np.concatenate([sizes_a, sizes_b])
    pairs = np.stack([i, j + len(sig_a)], axis=1).astype(np.int64)
    return len(likely_pairs(sigs, sizes, pairs, threshold)) > 0


def candidate_pairs(
    signatures: SignatureMatrix,
    bands: int,
    rows: int,
    owners: npt.NDArray[np.int64] | None = None,
    max_bucket: int = MAX_BUCKET,
    max_owners: int | None = None,
) -> npt.NDArray[np.int64]:
    """Unique row pairs ``(i, j)``, ``i < j``, sharing at least one band key, sorted.

    With ``owners`` (the document of each row), pairs inside one document are dropped, and with
    ``max_owners`` too, buckets holding rows of more owners than that give no pairs at all.

    >>> sigs = np.array([[1, 2], [1, 2], [3, 4]], dtype=np.uint32)
    >>> candidate_pairs(sigs, bands=2, rows=1).tolist()
    [[0, 1]]
    """
    return keyed_pairs(lambda band: band_key(signatures, band, rows), bands, len(signatures), owners, max_bucket,
                       max_owners)


# Rows below which keyed_pairs sorts the bands in this thread: a band of 1,000 keys takes 0.05 ms
# (_bucket_pairs, measured), less than handing it to a thread and, in a one-shot command, importing
# concurrent.futures (~8 ms); a band of 10,000 takes 0.8 ms, where a second core starts to pay.
THREADED_ROWS = 10_000


def keyed_pairs(
    keys_of: Callable[[int], npt.NDArray[np.uint64]],
    bands: int,
    n: int,
    owners: npt.NDArray[np.int64] | None = None,
    max_bucket: int = MAX_BUCKET,
    max_owners: int | None = None,
) -> npt.NDArray[np.int64]:
    """:func:`candidate_pairs` of ``n`` rows whose keys in band ``b`` are ``keys_of(b)``: for
    callers that keep band keys instead of signatures (4 bytes a permutation against 8 a band)."""
    found = DistinctPairs(n)
    step = max(1, machine_threads())  # a few bands at a time: one for each thread band_pairs starts
    for first in range(0, bands, step):
        found.add(band_pairs(keys_of, range(first, min(first + step, bands)), n, owners, max_bucket, max_owners))
    return found.distinct()


# Row pairs held, repeats included, before the repeats are dropped (2^24 pairs, 256 MB as int64).
# Rows alike in every band give each pair once a band: 200 copies of a wire story, each paragraph
# in a bucket of 200 rows, gave 19,900 pairs a paragraph in each of 64 bands, 76M pairs (3.6 GB as
# the three arrays that made them distinct) for 1.2M distinct ones. A corpus without such clusters
# holds far fewer, and its pairs are made distinct once, as before. (A corpus's paragraph rows alike
# in every column are now banded once, document_candidates; sentences, and rows alike in some bands
# only, still repeat their pairs.)
HELD_PAIRS = 1 << 24


class DistinctPairs:
    """Row pairs gathered a few bands at a time (rows below ``n``), their repeats dropped whenever
    more than :data:`HELD_PAIRS` are held; :meth:`distinct` gives :func:`distinct_row_pairs` of all."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.held: list[npt.NDArray[np.int64]] = []
        self.count = 0

    def add(self, found: Sequence[npt.NDArray[np.int64]]) -> None:
        self.held += found
        self.count += sum(len(pairs) for pairs in found)
        if self.count > HELD_PAIRS:
            self.held = [distinct_row_pairs(self.held, self.n)]
            self.count = len(self.held[0])

    def distinct(self) -> npt.NDArray[np.int64]:
        return distinct_row_pairs(self.held, self.n)


def band_pairs(
    keys_of: Callable[[int], npt.NDArray[np.uint64]],
    bands: Sequence[int],
    n: int,
    owners: npt.NDArray[np.int64] | None = None,
    max_bucket: int = MAX_BUCKET,
    max_owners: int | None = None,
) -> list[npt.NDArray[np.int64]]:
    """The row pairs each of ``bands`` gives (:func:`keyed_pairs` before :func:`distinct_row_pairs`),
    for a caller that makes the keys of a few bands at a time: one array a band, repeats included."""
    def one_band(band: int) -> npt.NDArray[np.int64]:
        pairs = _bucket_pairs(keys_of(band), max_bucket, owners, max_owners)
        if owners is not None:  # drop pairs inside one document early: less to concatenate
            pairs = pairs[owners[pairs[:, 0]] != owners[pairs[:, 1]]]
        return pairs

    threads = min(len(bands), machine_threads())
    if n < THREADED_ROWS or threads <= 1:
        return [one_band(band) for band in bands]
    from concurrent.futures import ThreadPoolExecutor  # here: its import (logging) costs ~8 ms

    with ThreadPoolExecutor(max_workers=threads) as pool:  # numpy's sorts release the GIL: all cores
        return list(pool.map(one_band, bands))


def distinct_row_pairs(found: Sequence[npt.NDArray[np.int64]], n: int) -> npt.NDArray[np.int64]:
    """The distinct pairs of ``found`` (arrays of row pairs, rows below ``n``), each as ``(i, j)``,
    ``i < j``, sorted."""
    pairs = np.concatenate(found) if found else np.zeros((0, 2), dtype=np.int64)
    pairs = np.sort(pairs, axis=1)
    if not len(pairs):
        return pairs.reshape(0, 2)
    width = np.int64(n)
    flat = arrays.distinct(pairs[:, 0] * width + pairs[:, 1])
    return np.stack([flat // width, flat % width], axis=1)


def matchable_rows(
    docs: Sequence[PreparedDocument],
) -> tuple[SignatureMatrix, npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Signatures of all matchable paragraphs of ``docs``, with the position of their document
    and their number of shingles."""
    if not docs:
        return np.zeros((0, 0), dtype=np.uint32), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    # Whole-corpus arrays, not numpy calls per document (10 us a document: 0.2 s of 20,000
    # one-paragraph documents); the signatures are gathered a group of documents at a time, so at
    # most GATHER_ROWS rows are copied twice.
    matchable = np.concatenate([d.matchable for d in docs])
    paragraphs = np.fromiter(map(len, (d.matchable for d in docs)), dtype=np.int64, count=len(docs))
    running = np.zeros(len(matchable) + 1, dtype=np.int64)
    np.cumsum(matchable, out=running[1:])
    firsts = np.zeros(len(docs) + 1, dtype=np.int64)
    np.cumsum(paragraphs, out=firsts[1:])
    counts = np.diff(running[firsts])
    sigs = np.empty((int(running[-1]), docs[0].signatures.shape[1]), dtype=np.uint32)
    start = 0
    for group in _groups(firsts, GATHER_ROWS):
        rows = matchable[firsts[group.start] : firsts[group.stop]]
        found = int(rows.sum())
        sigs[start : start + found] = np.concatenate([docs[k].signatures for k in group])[rows]
        start += found
    owners = np.repeat(np.arange(len(docs), dtype=np.int64), counts)
    sizes = np.concatenate([d.shingle_counts() for d in docs])[matchable]
    return sigs, owners, sizes


# Signature rows gathered at a time by matchable_rows (8 MB with 128 permutations).
GATHER_ROWS = 1 << 14


def _groups(firsts: npt.NDArray[np.int64], rows: int) -> Iterator[range]:
    """Consecutive documents (``firsts``: each one's first row, then the total) of about ``rows`` rows."""
    start, n = 0, len(firsts) - 1
    while start < n:
        stop = max(int(np.searchsorted(firsts, firsts[start] + rows, side="right")) - 1, start + 1)
        yield range(start, min(stop, n))
        start = min(stop, n)


def stored_candidates(
    queries: Sequence[PreparedDocument], postings: Callable[[npt.NDArray[np.uint64]], list[set[str]]],
    bands: int, rows: int,
) -> list[list[str]]:
    """For each query, the sorted ids that ``postings`` (a store's) gives for the band keys of its
    matchable paragraphs: stored documents sharing a band key with it, perhaps with false hits,
    which :func:`likely_match` and verification discard. Not chained: see the module docstring."""
    sigs, owners, _ = matchable_rows(queries)
    found: list[set[str]] = [set() for _ in queries]
    if len(sigs):
        for owner, hits in zip(owners.tolist(), postings(band_keys(sigs, bands, rows))):
            found[owner] |= hits
    return [sorted(ids) for ids in found]


def likely_match(a: PreparedDocument, b: PreparedDocument, bands: int, rows: int, threshold: float) -> bool:
    """Whether documents ``a`` and ``b`` hold a paragraph pair sharing a band key whose estimated
    containment could reach ``threshold``: the filter of :func:`document_pairs` for one pair."""
    return shares_likely_candidate(a.signatures[a.matchable], a.shingle_counts()[a.matchable],
                                   b.signatures[b.matchable], b.shingle_counts()[b.matchable],
                                   bands, rows, threshold)
