"""A batch's packed posting entries, distinct and sorted, in one compiled pass a band.

An index writes each batch's LSH postings as entries ``band << (32 + bits) | key << bits | owner``
(``key`` the band key folded to 32 bits, ``owner`` the document's position in the batch), sorted
and deduplicated (``store.sqlite.posting_entries``). numpy sorted the batch's entries as one array:
about 30 ms for the 582k entries (9,100 paragraphs, 64 bands) of a 4 MB batch, a sixth of the time
the thread that prepares batches spends on each. The band is the entry's high bits, so a batch
sorted is its bands one after the other, each sorted; and a band's owners already grow with the
row. So each band is sorted by its 32 key bits alone, by a stable least-significant-digit radix
sort (four passes of a byte, every pass's counts taken in one read), which keeps equal keys in
owner order: the band sorted, in the cache, and its repeated entries next to each other.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from syndidetect._kernels.jit import compile_cached
from syndidetect._kernels.lazy import CompileCost, LazyKernel


def _distinct_entries(keys: Any, owner: Any, bits: int, fold: Any, out: Any) -> int:  # pragma: no cover - compiled
    """Write to ``out`` the distinct packed entries of band ``keys`` (``(rows, bands)``, 64-bit)
    whose rows belong to ``owner`` (ascending, below ``2**bits``), ascending; return how many."""
    rows, bands = keys.shape
    by_band = np.empty((bands, rows), dtype=np.uint64)  # one band's entries a row, read in order
    for i in range(rows):
        low = np.uint64(owner[i])
        for b in range(bands):
            by_band[b, i] = (np.uint64(b) << np.uint64(32 + bits)) | (((keys[i, b] * fold) >> np.uint64(32))
                                                                      << np.uint64(bits)) | low
    counts = np.zeros((4, 256), dtype=np.int64)
    spare = np.empty(rows, dtype=np.uint64)
    found = 0
    for b in range(bands):
        values = by_band[b].copy()
        counts[:] = 0
        for i in range(rows):
            key = values[i] >> np.uint64(bits)
            for p in range(4):
                counts[p, (key >> np.uint64(8 * p)) & np.uint64(255)] += 1
        scratch = spare
        for p in range(4):
            if counts[p].max() == rows:  # every key has this byte: the pass would change nothing
                continue
            place = np.cumsum(counts[p]) - counts[p]  # where the next value of each byte goes
            shift = np.uint64(bits + 8 * p)
            for i in range(rows):
                value = values[i]
                digit = (value >> shift) & np.uint64(255)
                scratch[place[digit]] = value
                place[digit] += 1
            values, scratch = scratch, values
        for i in range(rows):
            if i == 0 or values[i] != values[i - 1]:
                out[found] = values[i]
                found += 1
    return found


def _build() -> Any:
    return compile_cached(_distinct_entries, nogil=True)


# Entries (rows times bands) asked for before compiling: the kernel saves about 40 ns an entry
# (numpy's sort took 48 ns an entry of a 582k-entry batch) and loads from numba's cache in
# milliseconds (compiles in about a second on a fresh install), so an index of a few articles keeps
# numpy's path.
# Into an empty cache: 0.67 s to compile (a `/tmp` script logging numba's compile events, one
# process, the seventy-second round); numba's cache lacking it, it waits for the work that repays that.
DISTINCT_ENTRIES = LazyKernel(_build, after=1 << 17, cost=CompileCost(seconds=0.67, saved=40e-9))


def distinct_entries(keys: npt.NDArray[np.uint64], owner: npt.NDArray[np.int64], bits: int,
                     fold: np.uint64) -> npt.NDArray[np.uint64] | None:
    """The distinct packed entries of band ``keys`` (``(rows, bands)``) of rows of documents ``owner``
    (ascending, below ``2**bits``; ``fold``: the multiplier that folds a key to 32 bits), ascending;
    None before the kernel is compiled (the caller's numpy path then gives the same array)."""
    kernel = DISTINCT_ENTRIES.get(keys.size)
    if kernel is None:
        return None
    out = np.empty(keys.size, dtype=np.uint64)
    return out[: kernel(keys, owner, bits, fold, out)]
