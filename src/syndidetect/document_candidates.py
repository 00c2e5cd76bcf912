"""Candidate document pairs of a corpus's paragraphs, with rows that are alike banded once.

A story republished word for word on ``K`` sites puts each of its paragraphs in a bucket of ``K``
rows in every band: ``K (K - 1) / 2`` row pairs a paragraph, found again in each of the 64 bands.
Three 20-paragraph stories on 200 sites gave 76M row pairs for 1.2M distinct ones, and finding them
took 12.9 s of a 37 s detection. Rows alike in every column (signature and shingle count) fall in
the same bucket of every band and have the same estimates, so one of them, the group's
*representative*, stands for all: the bands are sorted over the representatives, a bucket weighed by
the rows it stands for, and a pair of representatives becomes the pairs of their documents once.

The pairs are those of :func:`~syndidetect.lsh.candidate_pairs` over all the rows, chaining
included: a bucket of more than ``max_bucket`` rows (weights summed) is chained through its rows in
order, and a group's own pairs are all listed when some band puts it in a bucket of at most
``max_bucket`` rows, else chained. Grouping is skipped where it cannot pay
(:func:`identical_rows`), and the rows go through :func:`~syndidetect.lsh.candidate_pairs` as before.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from syndidetect import arrays
from syndidetect._kernels.key_order import stable_order
from syndidetect._kernels.screen import maybe_shared
from syndidetect._kernels.threads import each_on_threads, machine_threads
from syndidetect._types import SignatureMatrix
from syndidetect.lsh import (
    MAX_BUCKET,
    SCREEN_ROWS,
    THREADED_ROWS,
    DistinctPairs,
    band_key,
    candidate_pairs,
    likely_pairs,
    matchable_rows,
)
from syndidetect.prepared import PreparedDocument

Ints = npt.NDArray[np.int64]
_NEVER = 2**62  # more rows than any bucket holds


@dataclass(frozen=True)
class IdenticalRows:
    """Rows grouped by identity: ``representatives[k]`` (ascending) stands for the rows
    ``members[starts[k] : starts[k + 1]]`` (ascending, itself first), every row in one group."""

    representatives: Ints
    members: Ints
    starts: Ints

    @property
    def weights(self) -> Ints:
        """The rows each representative stands for."""
        return np.diff(self.starts)


def document_pairs(
    docs: Sequence[PreparedDocument], bands: int, rows: int, threshold: float | None,
    max_bucket: int = MAX_BUCKET,
) -> Ints:
    """Positions ``(i, j)``, ``i < j``, unique and sorted, of the documents among ``docs`` with a
    paragraph pair sharing a band key (buckets over ``max_bucket`` rows chained) whose estimated
    containment could reach ``threshold`` (None: no estimate filter)."""
    sigs, owners, sizes = matchable_rows(docs)
    return owner_pairs(sigs, owners, sizes, len(docs), bands, rows, threshold, max_bucket)


def owner_pairs(
    sigs: SignatureMatrix, owners: Ints, sizes: Ints, documents: int, bands: int, rows: int,
    threshold: float | None, max_bucket: int = MAX_BUCKET, *, grouped: bool | None = None,
) -> Ints:
    """:func:`document_pairs` of the rows of :func:`~syndidetect.lsh.matchable_rows` (``owners``:
    the document of each row, numbered from 0 below ``documents``, rows in document order).
    ``grouped``: band rows that are alike once (True), never (False), or when it pays (None)."""
    if len(sigs) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    groups = None
    if grouped is not False:
        groups = identical_rows(sigs, sizes, band_key(sigs, 0, rows), max_bucket, always=bool(grouped))
    if groups is None:
        pairs = candidate_pairs(sigs, bands, rows, owners, max_bucket)
        if threshold is not None:
            pairs = likely_pairs(sigs, sizes, pairs, threshold)
        found = owners[pairs]
    else:
        found = _grouped_owner_pairs(sigs, owners, sizes, groups, bands, rows, threshold, max_bucket)
    ordered = np.sort(found, axis=1).astype(np.int64)
    ordered = ordered[ordered[:, 0] != ordered[:, 1]]
    n = np.int64(documents)  # positions below n: one int64 key a pair, in the order of its rows
    keys = arrays.distinct(ordered[:, 0] * n + ordered[:, 1])
    return np.stack((keys // n, keys % n), axis=1)


def identical_rows(sigs: SignatureMatrix, sizes: Ints, first_keys: npt.NDArray[np.uint64],
                   max_bucket: int = MAX_BUCKET, *, always: bool = False) -> IdenticalRows | None:
    """The rows of ``sigs`` grouped by identity (signature and ``sizes``), or None when the buckets
    of their first band's keys (``first_keys``), where all rows alike meet, give no more pairs than
    there are rows (all pairs of a bucket of at most ``max_bucket`` rows, a chain through a larger
    one; ``always``: group them anyway): a band then finds fewer pairs than it sorts keys, and
    grouping would cost more than it saves."""
    n = len(sigs)
    shared = maybe_shared(first_keys) if n >= SCREEN_ROWS else np.arange(n)
    order, ordered = stable_order(first_keys[shared])
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1]))) if len(ordered) else order
    counts = np.diff(np.append(starts, len(ordered)))
    emitted = np.where(counts <= max_bucket, counts * (counts - 1) // 2, counts - 1)
    if not always and int(emitted.sum()) <= n:
        return None
    rows = shared[order][np.repeat(counts > 1, counts)]  # rows sharing the first band's key
    represented = np.arange(n, dtype=np.int64)
    mixed = _row_hashes(sigs[rows], sizes[rows])
    while len(rows):
        by_hash = np.argsort(mixed, kind="stable")  # rows ascending within a hash, as they came
        rows, mixed = rows[by_hash], mixed[by_hash]
        first = np.flatnonzero(np.concatenate(([True], mixed[1:] != mixed[:-1])))
        leader = rows[np.repeat(first, np.diff(np.append(first, len(rows))))]
        # Rows alike by hash are checked alike in full; those that are not meet again without the
        # leader they are not alike (a hash shared by different rows: never seen, but possible).
        alike = np.all(sigs[rows] == sigs[leader], axis=1) & (sizes[rows] == sizes[leader])
        represented[rows[alike]] = leader[alike]
        rows, mixed = rows[~alike], mixed[~alike]
    representatives = np.flatnonzero(represented == np.arange(n))
    rank = np.searchsorted(representatives, represented)
    members = np.argsort(rank, kind="stable").astype(np.int64)
    starts_of = np.zeros(len(representatives) + 1, dtype=np.int64)
    np.cumsum(np.bincount(rank, minlength=len(representatives)), out=starts_of[1:])
    return IdenticalRows(representatives.astype(np.int64), members, starts_of)


def _row_hashes(sigs: SignatureMatrix, sizes: Ints) -> npt.NDArray[np.uint64]:
    """A 64-bit hash of each row and its size (rows alike hash alike; others almost never do,
    and :func:`identical_rows` checks)."""
    columns = np.column_stack([sigs, sizes.astype(sigs.dtype)])
    return band_key(columns, 0, columns.shape[1])  # one band of every column: lsh's mix


@dataclass
class _Buckets:
    """What the bands of the representatives found, gathered band by band."""

    pairs: DistinctPairs  # representatives sharing a light bucket (at most max_bucket rows)
    lightest: Ints  # the rows of the lightest bucket of two representatives or more each was in
    crowded: Ints  # the bands that put each representative in a bucket with another one
    heavy: list[Ints]  # the representatives of each heavy bucket (more than max_bucket rows), two or more

    def alone_somewhere(self, bands: int) -> npt.NDArray[np.bool_]:
        """Whether some band put each representative in a bucket of its own."""
        return self.crowded < bands


def _grouped_owner_pairs(sigs: SignatureMatrix, owners: Ints, sizes: Ints, groups: IdenticalRows, bands: int,
                         rows: int, threshold: float | None, max_bucket: int) -> Ints:
    """The owner pairs (repeats and pairs inside a document included) of the row pairs that
    :func:`~syndidetect.lsh.candidate_pairs` and the estimate filter give, from ``groups``."""
    reps, weights, members, starts = groups.representatives, groups.weights, groups.members, groups.starts
    rep_sigs, rep_sizes = sigs[reps], sizes[reps]
    found = _Buckets(DistinctPairs(len(reps)), np.full(len(reps), _NEVER, dtype=np.int64),
                     np.zeros(len(reps), dtype=np.int64), [])
    lock = threading.Lock()

    def one_band(band: int) -> None:  # numpy's sorts and the kernels release the GIL: all cores
        _weighted_buckets(band_key(rep_sigs, band, rows), weights, max_bucket, found, lock)

    each_on_threads(one_band, bands, machine_threads() if len(reps) >= THREADED_ROWS else 1)

    def likely(chosen_sigs: SignatureMatrix, chosen_sizes: Ints, pairs: Ints) -> Ints:
        return pairs if threshold is None else likely_pairs(chosen_sigs, chosen_sizes, pairs, threshold)

    # Representatives that shared a light bucket: every member of one with every member of the other.
    rep_pairs = likely(rep_sigs, rep_sizes, found.pairs.distinct())
    across = _member_products(rep_pairs[:, 0], rep_pairs[:, 1], weights, starts, members, within=False)
    # A group's own rows: all pairs when some band put it in a light bucket (alone, its own rows).
    alone = found.alone_somewhere(bands)
    lightest = np.where(alone, np.minimum(found.lightest, weights), found.lightest)
    whole = np.flatnonzero((weights > 1) & (lightest <= max_bucket))
    whole = likely(rep_sigs, rep_sizes, np.stack([whole, whole], axis=1))[:, 0]
    inside = _member_products(whole, whole, weights, starts, members, within=True)
    # Heavy buckets, chained through their rows in order; a group alone in one is its own chain.
    chains = [members[starts[r] : starts[r + 1]] for r in np.flatnonzero((weights > max_bucket) & alone).tolist()]
    chains += [np.sort(np.concatenate([members[starts[r] : starts[r + 1]] for r in bucket.tolist()]))
               for bucket in found.heavy]
    links = [np.stack([chain[:-1], chain[1:]], axis=1) for chain in chains]
    linked = np.concatenate(links) if links else np.zeros((0, 2), dtype=np.int64)
    linked = likely(sigs, sizes, linked[owners[linked[:, 0]] != owners[linked[:, 1]]])
    return np.concatenate([owners[across], owners[inside], owners[linked]])


def _weighted_buckets(keys: npt.NDArray[np.uint64], weights: Ints, max_bucket: int, found: _Buckets,
                      lock: threading.Lock) -> None:
    """Add to ``found`` (holding ``lock``) what one band's ``keys`` of the representatives give: the
    pairs of light buckets, each representative's bucket weight, the heavy buckets of two
    representatives or more."""
    shared = maybe_shared(keys) if len(keys) >= SCREEN_ROWS else np.arange(len(keys))
    order, ordered = stable_order(keys[shared])
    if len(order) < 2:
        return
    order = shared[order].astype(np.int64)
    same_as_next = ordered[1:] == ordered[:-1]
    starts = np.flatnonzero(np.concatenate(([True], ~same_as_next)))
    counts = np.diff(np.append(starts, len(order)))
    bucket_weights = np.add.reduceat(weights[order], starts)
    crowded = np.repeat(counts > 1, counts)
    crowd = order[crowded]  # in a bucket with another representative
    weight_of = np.repeat(bucket_weights, counts)[crowded]
    light = np.repeat(bucket_weights <= max_bucket, counts)
    alive = np.flatnonzero(same_as_next & light[:-1])
    pairs, distance = [], 1
    while len(alive):
        pairs.append(np.stack([order[alive], order[alive + distance]], axis=1))
        distance += 1
        alive = alive[alive + distance < len(order)]
        alive = alive[ordered[alive + distance] == ordered[alive]]
    heavy = np.flatnonzero((bucket_weights > max_bucket) & (counts > 1))
    with lock:
        found.pairs.add(pairs)
        found.crowded[crowd] += 1
        found.lightest[crowd] = np.minimum(found.lightest[crowd], weight_of)
        found.heavy += [order[starts[b] : starts[b] + counts[b]] for b in heavy.tolist()]


def _member_products(left: Ints, right: Ints, weights: Ints, starts: Ints, members: Ints, *, within: bool) -> Ints:
    """Row pairs: every member of ``left[k]`` with every member of ``right[k]``; ``within`` (the
    same representative on both sides): each pair of two different members once."""
    count = weights[left] * weights[right]
    pair = np.repeat(np.arange(len(left)), count)
    place = np.arange(int(count.sum()), dtype=np.int64) - np.repeat(np.cumsum(count) - count, count)
    width = weights[right][pair]
    i, j = place // width, place % width
    if within:
        keep = i < j
        pair, i, j = pair[keep], i[keep], j[keep]
    return np.stack([members[starts[left][pair] + i], members[starts[right][pair] + j]], axis=1)
