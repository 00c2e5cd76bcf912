"""Kernels over stems held as ids of a vocabulary: a document's own numbering of its stems, and
sentences as sets of stems for the sentence LSH (each set's identity and its MinHash).

A document's sentences hold their stems as ids of a vocabulary its batch shares
(:class:`syndidetect.stem_vocabulary.StemVocabulary`). Comparing two documents needs each one's
stems numbered in order of first appearance (:class:`syndidetect.tfidf.SentenceTerms`): a dict did
that a stem at a time (0.35 ms a 20-paragraph document), :func:`first_appearance` does it in one
pass.

The sentence LSH used to join each sentence's sorted distinct stems into a string, deduplicate the
strings, and sketch them with the text kernel, which split and hashed every stem again (0.42 s of a
20,000-paragraph detect, 1.8 s of a 100,000-paragraph one, for the strings alone). Here a set's
identity combines its distinct stems' 64-bit ids (equal exactly for equal stems), and its MinHash
is the minimum of ``a * fmix32(h) + b`` over its stems' token hashes (hashed once a vocabulary),
the very values the text kernel gives the joined string.

Each kernel has a numpy reference (the same values, tested equal); they compile once a process has
asked for ``after`` sentences.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from syndidetect._kernels.jit import compile_cached
from syndidetect._kernels.lazy import CompileCost, LazyKernel
from syndidetect._kernels.reference import EMPTY, fmix32
from syndidetect._kernels.threads import ITEMS_PER_THREAD, each_on_threads, kernel_threads
from syndidetect.tfidf import first_seen

__all__ = ["STEM_IDS", "Kernels", "first_appearance", "set_identities", "set_signatures"]

_MASK = (1 << 64) - 1
_START = 0x9E3779B97F4A7C15  # the combination's start: the golden ratio's bits, as splitmix64's
_MULTIPLIER = 0xBF58476D1CE4E5B9  # splitmix64's first multiplier: every input bit moves the high bits
_SHIFT = 31


def _set_identities(identities: Any, members: Any, offsets: Any, out: Any) -> None:  # pragma: no cover - compiled
    """``out[s]``: the combination of the distinct values of ``identities[members[offsets[s]:offsets[s
    + 1]]]`` in ascending order (so equal sets give equal results)."""
    longest = 0
    for s in range(offsets.shape[0] - 1):
        longest = max(longest, offsets[s + 1] - offsets[s])
    row = np.empty(longest, dtype=np.int64)  # one buffer: np.sort of each set allocated a new array
    for s in range(offsets.shape[0] - 1):
        size = 0
        for k in range(offsets[s], offsets[s + 1]):  # insertion sort: a sentence holds a few dozen stems
            value = identities[members[k]]
            at = size
            while at > 0 and row[at - 1] > value:
                row[at] = row[at - 1]
                at -= 1
            row[at] = value
            size += 1
        h = np.uint64(_START)
        for k in range(size):
            if k > 0 and row[k] == row[k - 1]:
                continue
            h = (h ^ np.uint64(row[k])) * np.uint64(_MULTIPLIER)
            h ^= h >> np.uint64(_SHIFT)
        out[s] = h


def _set_signatures(stems: Any, offsets: Any, rows: Any, starts: Any, values: Any, a: Any, b: Any,
                    out: Any) -> None:  # pragma: no cover - compiled
    """``out[k]``: the MinHash of sentence ``rows[k]``, whose stems are ``stems[offsets[s]:offsets[s
    + 1]]``, stem ``t`` holding the token hashes ``values[starts[t]:starts[t + 1]]``."""
    num_perm = a.shape[0]
    for k in range(rows.shape[0]):
        s = rows[k]
        for p in range(num_perm):
            out[k, p] = np.uint32(0xFFFFFFFF)
        for j in range(offsets[s], offsets[s + 1]):
            t = stems[j]
            for q in range(starts[t], starts[t + 1]):
                h = np.uint32(values[q])  # fmix32, as the text kernel mixes a shingle's hash
                h ^= h >> np.uint32(16)
                h = np.uint32(h * np.uint32(0x85EBCA6B))
                h ^= h >> np.uint32(13)
                h = np.uint32(h * np.uint32(0xC2B2AE35))
                h ^= h >> np.uint32(16)
                for p in range(num_perm):
                    out[k, p] = min(out[k, p], np.uint32(a[p] * h + b[p]))


def _first_appearance(ids: Any, size: int, tokens: Any, used: Any) -> int:  # pragma: no cover - compiled
    """Number the values of ``ids`` (each in ``range(size)``) in order of first appearance:
    ``tokens[k]`` is the number of ``ids[k]``, ``used[:n]`` the values in that order; returns n."""
    number = np.full(size, -1, dtype=np.int32)
    distinct = 0
    for k in range(ids.shape[0]):
        value = ids[k]
        found = number[value]
        if found < 0:
            found = number[value] = distinct
            used[distinct] = value
            distinct += 1
        tokens[k] = found
    return distinct


@dataclass(frozen=True)
class Kernels:
    identities: Callable[..., None]
    signatures: Callable[..., None]
    first_appearance: Callable[..., int]


def _build() -> Kernels:
    return Kernels(compile_cached(_set_identities, nogil=True), compile_cached(_set_signatures, nogil=True),
                   compile_cached(_first_appearance, nogil=True))


# Sentences sketched in a process before compiling (about 2 s on a fresh cache): the numpy paths
# cost about 20 us a sentence, so a few thousand sentences repay it. The seeds and a one-article
# check stay below.
# Into an empty cache: 0.89 s (its three kernels) to compile (a `/tmp` script logging numba's compile events, one
# process, the seventy-second round); numba's cache lacking it, it waits for the work that repays that.
STEM_IDS = LazyKernel(_build, after=4096, cost=CompileCost(seconds=0.89, saved=20e-6))


# Sets from which set_identities shares them between the kernel threads (ITEMS_PER_THREAD parts a
# thread): about 20 ms of kernel time at 0.3 us a set, far more than starting a thread (0.12 ms).
THREADED_SETS = 1 << 16


# Stems from which numpy numbers a document's stems faster than a dict (when the kernel is not
# compiled): numpy's fixed cost is about 50 us on this machine, a dict's about 0.4 us a stem (measured,
# 128 stems: 64 against 51 us; 256: 96 against 131 us).
NUMPY_STEMS = 192


def first_appearance(ids: npt.NDArray[np.int32], size: int, kernels: Kernels | None
                     ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int32]]:
    """The distinct values of ``ids`` (each in ``range(size)``) in order of first appearance, and
    each value's number in that order."""
    if kernels is not None:
        tokens = np.empty(len(ids), dtype=np.int32)
        used = np.empty(len(ids), dtype=np.int64)
        found = kernels.first_appearance(ids, size, tokens, used)
        return used[:found], tokens
    if len(ids) < NUMPY_STEMS:
        values, numbers = first_seen(ids.tolist())
        return np.array(values, dtype=np.int64), numbers
    distinct, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
    order = np.argsort(first)
    rank = np.empty(len(distinct), dtype=np.int32)
    rank[order] = np.arange(len(distinct), dtype=np.int32)
    return distinct[order].astype(np.int64), rank[inverse.ravel()]


def set_identities(identities: npt.NDArray[np.int64], members: npt.NDArray[np.integer[Any]],
                   offsets: npt.NDArray[np.int64], kernels: Kernels | None) -> npt.NDArray[np.uint64]:
    """Per set ``s`` (the values ``identities[members[offsets[s]:offsets[s + 1]]]``), a 64-bit
    combination of its distinct values, equal for equal sets (``kernels``: compiled, or None for
    numpy's). The values are looked up here, a set at a time: gathered for all sets at once they
    took 8 bytes a member (440 MB at 1M paragraphs, 55M stems)."""
    out = np.empty(len(offsets) - 1, dtype=np.uint64)
    if kernels is not None:
        threads = kernel_threads() if len(out) >= THREADED_SETS else 1
        parts = threads * ITEMS_PER_THREAD if threads > 1 else 1
        bounds = np.linspace(0, len(out), parts + 1).astype(np.int64).tolist()

        def part(k: int) -> None:  # sets bounds[k]..bounds[k + 1], their members where offsets say
            first, end = bounds[k], bounds[k + 1]
            kernels.identities(identities, members, offsets[first : end + 1], out[first:end])

        each_on_threads(part, len(bounds) - 1, threads)
        return out
    bounds = offsets.tolist()
    for s in range(len(out)):
        h = _START
        for value in np.unique(identities[members[bounds[s] : bounds[s + 1]]]).tolist():
            h = ((h ^ (value & _MASK)) * _MULTIPLIER) & _MASK
            h ^= h >> _SHIFT
        out[s] = h
    return out


def set_signatures(stems: npt.NDArray[np.integer[Any]], offsets: npt.NDArray[np.int64], rows: npt.NDArray[np.int64],
                   token_hashes: tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]],
                   permutations: tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]],
                   kernels: Kernels | None) -> npt.NDArray[np.uint32]:
    """The MinHash of each set ``rows[k]`` (its stems ``stems[offsets[s]:offsets[s + 1]]``; stem
    ``t``'s token hashes are ``values[starts[t]:starts[t + 1]]`` of ``token_hashes``), with the
    affine ``permutations`` ``(a, b)``."""
    values, starts = token_hashes
    a, b = permutations
    out = np.empty((len(rows), len(a)), dtype=np.uint32)
    if kernels is not None:
        kernels.signatures(stems, offsets, rows, starts, values, a, b, out)
        return out
    out.fill(EMPTY)
    for start in range(0, len(rows), _NUMPY_ROWS):
        part = rows[start : start + _NUMPY_ROWS]
        stem_at, row_of_stem = _ranges(offsets[part], offsets[part + 1])
        held = stems[stem_at]
        value_at, stem_of_value = _ranges(starts[held], starts[held + 1])
        if not len(value_at):
            continue
        row_of_value = row_of_stem[stem_of_value]  # ascending: rows, then their stems, in order
        minima = (fmix32(values[value_at])[:, None] * a[None, :] + b[None, :])
        firsts = np.flatnonzero(np.r_[True, row_of_value[1:] != row_of_value[:-1]])
        out[start + row_of_value[firsts]] = np.minimum.reduceat(minima, firsts, axis=0)
    return out


# Rows the numpy path signs at a time: its (values, permutations) matrix takes 4 bytes an entry,
# about 5 MB for 1,024 sentences of 10 stems and 128 permutations.
_NUMPY_ROWS = 1024


def _ranges(starts: npt.NDArray[np.int64], ends: npt.NDArray[np.int64]
            ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Every position of the ranges ``starts[k]:ends[k]`` one range after the other, and the range
    ``k`` of each."""
    lengths = ends - starts
    owner = np.repeat(np.arange(len(starts), dtype=np.int64), lengths)
    before = np.cumsum(lengths) - lengths
    return np.arange(int(lengths.sum()), dtype=np.int64) - before[owner] + starts[owner], owner
