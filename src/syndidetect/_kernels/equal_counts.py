"""How many MinHash values two rows share, for many pairs of rows in one compiled pass.

The LSH's estimate filters (:func:`syndidetect.lsh.estimated_jaccard` for paragraph candidates, the
sentence LSH's ``_estimates``) gathered both rows of a chunk of pairs into new arrays, compared them
into a third and summed it: three passes over memory a pair, and temporaries of a megabyte or more
a chunk. The kernel reads each pair's two rows once and adds up their equal values; the counts are
integers, so they are numpy's exactly. Its share of the pairs is a contiguous range a thread, so two
threads never write next to each other.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from syndidetect._kernels.jit import compile_cached
from syndidetect._kernels.lazy import CompileCost, LazyKernel
from syndidetect._kernels.threads import each_on_threads, kernel_on_threads, threads_for


def _add_equal(signatures: Any, at: Any, counts: Any, first: int, step: int) -> None:  # pragma: no cover - compiled
    """``counts[k] +=`` the values rows ``at[k, 0]`` and ``at[k, 1]`` of ``signatures`` share, for
    the ``first``-th of ``step`` contiguous ranges of the pairs."""
    pairs = at.shape[0]
    for k in range(first * pairs // step, (first + 1) * pairs // step):
        x = at[k, 0]
        y = at[k, 1]
        same = 0
        for p in range(signatures.shape[1]):
            same += signatures[x, p] == signatures[y, p]
        counts[k] += same


def _build() -> Any:
    return compile_cached(_add_equal, nogil=True)


# Pairs before compiling: numpy's gathers cost about 0.1 us a pair of 32 values more than the kernel,
# which loads from numba's cache in milliseconds (compiles in about a second on a fresh install), so
# a query of one article (a few candidate pairs) keeps numpy's path.
# Into an empty cache: 0.17 s to compile (a `/tmp` script logging numba's compile events, one
# process, the seventy-second round); numba's cache lacking it, it waits for the work that repays that.
EQUAL_COUNTS = LazyKernel(_build, after=1 << 16, cost=CompileCost(seconds=0.17, saved=0.1e-6))
# Pairs of a call below which one thread does all: a second thread costs about 0.1 ms to start.
THREADED_PAIRS = 4096
# Pairs numpy compares at a time (before the kernel is compiled): both rows of a pair are gathered,
# 1 KB a pair with 128 values, so a chunk holds 16 MB whatever the number of pairs.
NUMPY_CHUNK = 16384


def add_equal_counts(signatures: npt.NDArray[np.uint32], at: npt.NDArray[np.int64], counts: npt.NDArray[np.int64],
                     threads: int | None = None) -> None:
    """Add to ``counts[k]`` how many values rows ``at[k]`` (a pair of row positions) of ``signatures``
    share: compiled once enough pairs asked for it, else numpy's comparisons a chunk of pairs at a
    time (which release the GIL); on up to ``threads`` threads (by default two for enough pairs on
    several cores, one else)."""
    enough = threads_for(len(at), THREADED_PAIRS)  # two only for enough pairs, on several cores
    most = enough if threads is None else threads
    kernel = EQUAL_COUNTS.get(len(at))
    if kernel is not None:
        kernel_on_threads(kernel, (signatures, at, counts), min(most, enough))
        return

    def count(k: int) -> None:
        chunk = slice(k * NUMPY_CHUNK, (k + 1) * NUMPY_CHUNK)
        counts[chunk] += (signatures[at[chunk, 0]] == signatures[at[chunk, 1]]).sum(axis=1)

    each_on_threads(count, -(-len(at) // NUMPY_CHUNK), most)
