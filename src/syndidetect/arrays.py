"""Set operations on the integer arrays of one document or one pair (a few thousand word n-grams),
by sorting.

numpy 2's ``np.unique`` hashes integer arrays first and sorts after: on the 1,600 grams of a
20-paragraph article it takes 121 us where a sort and one comparison take 17 us, and
``np.intersect1d`` and ``np.isin`` of unsorted input pay for it too (285 and 207 us against 28
us for a search in the sorted side). Verification asks for these a few times a document and a pair.
Each function returns what its numpy counterpart returns (checked by property tests).
:func:`range_positions` lays ranges of an array's positions end to end, for gathering them.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import numpy.typing as npt

Int = TypeVar("Int", bound=np.integer)


def distinct(values: npt.NDArray[Int]) -> npt.NDArray[Int]:
    """The distinct values of a 1-D array, ascending: ``np.unique(values)``."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    first = np.empty(len(ordered), dtype=np.bool_)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return ordered[first]


def positions_in_distinct(values: npt.NDArray[np.int64], size: int) -> tuple[npt.NDArray[np.int64],
                                                                           npt.NDArray[np.int64]]:
    """``np.unique(values, return_inverse=True)`` of values in ``range(size)`` (positions into an
    array of ``size``): a flag and a rank per position instead of sorting, and each value's rank
    read from the ranks, not searched for (4M pairs of 3.5M sentences: 1.1 s against 8.9 s)."""
    flags = np.zeros(size, dtype=np.bool_)
    flags[values.ravel()] = True
    found = np.flatnonzero(flags).astype(np.int64, copy=False)
    rank = np.empty(size, dtype=np.int64)
    rank[found] = np.arange(len(found), dtype=np.int64)
    return found, rank[values]


def occurrences(values: npt.NDArray[Int]) -> npt.NDArray[np.int64]:
    """Per element, how many elements of ``values`` equal it (``counts[inverse]`` of ``np.unique``)."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    first = np.ones(len(ordered), dtype=np.bool_)
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    group = np.cumsum(first) - 1  # per sorted element, the number of its distinct value
    sizes = np.diff(np.append(np.flatnonzero(first), len(ordered)))
    counts = np.empty(len(values), dtype=np.int64)
    counts[order] = sizes[group]
    return counts


def rarer_than(values: npt.NDArray[Int], times: int) -> npt.NDArray[np.bool_]:
    """Per element, whether fewer than ``times`` elements of ``values`` equal it:
    ``occurrences(values) < times`` in a sort and a comparison when no value reaches ``times``, the
    usual case (a document's grams rarely repeat), instead of the counting's ten numpy calls."""
    ordered = np.sort(values)
    skip = max(times - 1, 0)
    # From k on, ``times`` equal values: ordered[k] == ordered[k + times - 1]
    reached = ordered[skip:] == ordered[: max(len(ordered) - skip, 0)]
    if not reached.any():
        return np.ones(len(values), dtype=np.bool_)
    rare: npt.NDArray[np.bool_] = ~members(values, distinct(ordered[skip:][reached]))
    return rare


def members(values: npt.NDArray[Int], sorted_set: npt.NDArray[Int]) -> npt.NDArray[np.bool_]:
    """Per element of ``values``, whether it is in ``sorted_set`` (ascending, distinct):
    ``np.isin(values, sorted_set)``."""
    if not len(sorted_set):
        return np.zeros(len(values), dtype=np.bool_)
    at = np.searchsorted(sorted_set, values)
    at[at == len(sorted_set)] = 0
    found: npt.NDArray[np.bool_] = sorted_set[at] == values
    return found


def common(a: npt.NDArray[Int], b: npt.NDArray[Int]) -> npt.NDArray[Int]:
    """The values in both ascending, distinct arrays, ascending: ``np.intersect1d(a, b,
    assume_unique=True)``.

    Sides of similar sizes (two documents' grams) are merged: a stable sort of the two sides end to
    end is timsort, which finds the two ascending runs and merges them in one pass, and a common
    value is then next to itself (1,600 grams a side: 23 us against 56 us searching). A side shorter
    than ``SEARCH_RATIO`` times the other is searched for in it (its searches cost a few steps of
    the longer side's logarithm each, less than passing over the longer side)."""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) * SEARCH_RATIO < len(long):
        return short[members(short, long)]
    both = np.concatenate((short, long))
    both.sort(kind="stable")
    found: npt.NDArray[Int] = both[:-1][both[1:] == both[:-1]]
    return found


# Sizes (longer / shorter) from which the shorter side of :func:`common` is searched for in the
# longer one rather than merged with it: a binary search costs about log2(longer) steps of a merge's
# one, so from about 16 times the merge passes over more than it saves. Measured (random distinct
# uint64, medians of 2,000 calls): 100 against 1,600 values 14 us searching, 12 merging; 100 against
# 3,200, 13 and 15; 1,000 against 20,000, 65 and 63.
SEARCH_RATIO = 16


def range_positions(firsts: npt.NDArray[np.int64], lengths: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The positions ``firsts[k] .. firsts[k] + lengths[k] - 1`` of each range in turn, end to end:
    ``np.concatenate([np.arange(f, f + n) for f, n in zip(firsts, lengths)])`` in a few whole-array
    calls (gathering the hashes of chosen paragraphs, or the ids of chosen spans)."""
    firsts, lengths = np.asarray(firsts, dtype=np.int64), np.asarray(lengths, dtype=np.int64)
    before = np.cumsum(lengths) - lengths  # where each range starts among the positions
    positions: npt.NDArray[np.int64] = np.arange(int(lengths.sum()), dtype=np.int64)
    positions += np.repeat(firsts - before, lengths)
    return positions
