"""The stable order of an LSH band's 64-bit keys, by a compiled radix sort.

Candidate pairs come from sorting each band's keys (``lsh._bucket_pairs_of``): ``np.argsort(keys,
kind="stable")``, a timsort of random numbers, then a gather of the keys in that order. A least-
significant-digit radix sort gives the same order (it is stable too) in six passes of 11 bits,
every pass's counts taken in one read, a pass skipped where every key has the same digit. Random
keys, a tenth of them repeated (medians of 9, a 2-core EPYC): 20,000 keys 0.29 against 1.05 ms,
86,000 (a 300k detect's median band after the screen) 2.41 against 5.56 ms, 237,000 6.99 against
16.93 ms; with 8-bit digits 0.35, 2.59 and 7.39 ms (11 bits keep a pass's counts, 16 KB, in the
first-level cache). The kernel allocates two arrays of the keys' size beside its outputs, as
numpy's argsort and gather do with timsort's buffer: its first form, which copied the keys and
their positions before the first pass, raised the peak of a 1M detect from 2,861 to 3,726 MB
above the corpus (memory the two threads' allocator arenas kept); this one, 2,852 MB.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from syndidetect._kernels.jit import compile_cached
from syndidetect._kernels.lazy import CompileCost, LazyKernel

#: Bits of a digit, and the passes that cover 64-bit keys with them.
DIGIT_BITS = 11
PASSES = -(-64 // DIGIT_BITS)
#: Keys of a call below which the kernel takes numba's merge sort instead: 2,000 keys took 0.03 ms
#: either way (numpy's timsort against the radix sort), whose counts alone are 6 x 2,048 numbers.
RADIX_KEYS = 4096


def _stable_order(keys: Any, order: Any, ordered: Any) -> None:  # pragma: no cover - compiled
    """``order``: the positions of ``keys`` by ascending key, equal keys by position;
    ``ordered``: the keys in that order. Besides these, two arrays of the keys' size: the first
    pass reads ``keys`` itself, and the passes alternate between the spares and the outputs so that
    the last one writes the outputs."""
    n = keys.shape[0]
    if n < RADIX_KEYS:  # numba's merge sort: stable too
        order[:] = np.argsort(keys, kind="mergesort")
        for i in range(n):
            ordered[i] = keys[order[i]]
        return
    digits = 1 << DIGIT_BITS
    mask = np.uint64(digits - 1)
    counts = np.zeros((PASSES, digits), dtype=np.int64)
    for i in range(n):
        key = keys[i]
        for p in range(PASSES):
            counts[p, (key >> np.uint64(DIGIT_BITS * p)) & mask] += 1
    moving = 0  # passes that move keys: one digit for every key leaves them where they are
    for p in range(PASSES):
        moving += counts[p].max() < n
    if moving == 0:  # every key equal
        ordered[:] = keys
        for i in range(n):
            order[i] = i
        return
    spare_keys = np.empty(n, dtype=np.uint64)
    spare_order = np.empty(n, dtype=np.int64)
    # The outputs take the last pass: the first pass writes to them when the passes are odd in number.
    to_keys, to_order = (ordered, order) if moving % 2 else (spare_keys, spare_order)
    from_keys, from_order = (spare_keys, spare_order) if moving % 2 else (ordered, order)
    first = True
    for p in range(PASSES):
        if counts[p].max() == n:
            continue
        place = np.cumsum(counts[p]) - counts[p]  # where the next key of each digit goes
        shift = np.uint64(DIGIT_BITS * p)
        for i in range(n):
            key = keys[i] if first else from_keys[i]
            digit = (key >> shift) & mask
            at = place[digit]
            to_keys[at] = key
            to_order[at] = i if first else from_order[i]
            place[digit] = at + 1
        first = False
        from_keys, to_keys = to_keys, from_keys
        from_order, to_order = to_order, from_order


def _build() -> Any:
    return compile_cached(_stable_order, nogil=True)


# Keys asked for (over all calls) before compiling: the kernel saves about 40 ns a key over numpy's
# timsort and its gather, and loads from numba's cache in milliseconds (compiles in about a second on
# a fresh install), so a small corpus or one article against an index keeps numpy's path.
# Into an empty cache: 3.1 s to compile (a `/tmp` script logging numba's compile events, one
# process, the seventy-second round); numba's cache lacking it, it waits for the work that repays that.
STABLE_ORDER = LazyKernel(_build, after=1 << 18, cost=CompileCost(seconds=3.1, saved=40e-9))


def stable_order(keys: npt.NDArray[np.uint64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint64]]:
    """``(order, keys[order])`` with ``order = np.argsort(keys, kind="stable")``: compiled once
    enough keys asked for it (whatever a call's size: ``syndidetect compile``'s small workload has
    it compiled), else by numpy. The kernel takes the keys contiguous: a strided view (a column of
    ``lsh.band_keys``' matrix) would have numba compile it again."""
    kernel = STABLE_ORDER.get(len(keys))
    if kernel is None:
        order = np.argsort(keys, kind="stable")
        return order, keys[order]
    keys = np.ascontiguousarray(keys)
    order = np.empty(len(keys), dtype=np.int64)
    ordered = np.empty(len(keys), dtype=np.uint64)
    kernel(keys, order, ordered)
    return order, ordered
