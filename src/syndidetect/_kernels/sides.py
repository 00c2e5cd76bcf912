"""The verification sides of many documents in one compiled call: per gram whether it counts as
content, the running counts of those flags, the distinct content grams and all distinct grams.

Per document that was a dozen numpy calls (a sort to find the grams a document repeats, a cumsum,
a sort and a comparison for the distinct ones, masks and gathers): about 90 us of call overhead for a
one-paragraph document, whose grams are a few dozen. The kernel walks each document's grams (the
documents of a batch one after the other) and Python only slices its output. The numpy path
(:func:`sides_numpy`) is the reference it is tested against, and runs before the kernel pays.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from syndidetect import arrays
from syndidetect._kernels.jit import compile_cached
from syndidetect._kernels.lazy import CompileCost, LazyKernel
from syndidetect._kernels.threads import kernel_on_threads, threads_for

#: ``(counted, running, content, found, every, distinct, ranks)``: per gram whether it counts; per
#: document its running counts, side by side (document d's at ``offsets[d] + d`` to ``offsets[d + 1]
#: + d + 1``); its distinct content grams from ``offsets[d]``, ``found[d]`` of them; all its distinct
#: grams from ``offsets[d]`` in ``every``, ``distinct[d]`` of them (what alignment reads of each
#: side); and per gram its place among its document's distinct grams (``every[offsets[d] +
#: ranks[k]] == grams[k]``: the stream holds its grams so, :meth:`~syndidetect.wordstream.WordStream.rank_by`).
Sides = tuple[npt.NDArray[np.bool_], npt.NDArray[np.int32], npt.NDArray[np.uint64], npt.NDArray[np.int64],
              npt.NDArray[np.uint64], npt.NDArray[np.int64], npt.NDArray[np.uint32]]


# Grams of a document from which its order comes from a radix sort rather than numba's argsort (a
# quicksort): measured on random 64-bit values, 100 grams cost about the same both ways, 200 grams
# 4.2 against 7.7 us, a 20-paragraph document's 1,160 grams 19.4 against 57.2 us.
RADIX_FROM = 128


def _radix_order(values: Any) -> Any:  # pragma: no cover - compiled
    """The positions of ``values`` (uint64) in ascending order of value, equal values in their
    order: a least-significant-digit radix sort a byte a pass, every pass's counts taken in one
    read, and a pass skipped where every value has the same byte there."""
    n = values.shape[0]
    counts = np.zeros((8, 256), dtype=np.int64)
    for i in range(n):
        value = values[i]
        for p in range(8):
            counts[p, (value >> np.uint64(8 * p)) & np.uint64(255)] += 1
    keys = values.copy()
    order = np.arange(n)
    spare_keys = np.empty_like(keys)
    spare_order = np.empty_like(order)
    for p in range(8):
        if counts[p].max() == n:
            continue
        total = 0
        for b in range(256):  # each byte's first place
            count = counts[p, b]
            counts[p, b] = total
            total += count
        shift = np.uint64(8 * p)
        for i in range(n):
            b = (keys[i] >> shift) & np.uint64(255)
            at = counts[p, b]
            counts[p, b] = at + 1
            spare_keys[at] = keys[i]
            spare_order[at] = order[i]
        keys, spare_keys = spare_keys, keys
        order, spare_order = spare_order, order
    return order


def _ascending(values: Any) -> Any:  # pragma: no cover - compiled
    """Positions of ``values`` in ascending order of value (equal values in any order)."""
    if values.shape[0] >= RADIX_FROM:
        return _radix_order(values)
    return np.argsort(values)


def _sides(grams: Any, offsets: Any, allowed: Any, refrain: int, counted: Any, running: Any, content: Any,
           found: Any, every: Any, distinct: Any, ranks: Any, first: int, step: int,
           ) -> None:  # pragma: no cover - compiled
    """For each document ``d = first, first + step, ...`` (its grams ``grams[offsets[d]:offsets[d +
    1]]``; each document's outputs lie apart from the others', so two threads may take turns): a gram counts when
    ``allowed`` (its first word's paragraph counts) and its value occurs fewer than ``refrain`` times
    in the document; the running counts of those flags; the distinct values of the counted grams,
    ascending; each gram's place among the distinct values.

    One sort a document (:func:`_ascending`): its runs of equal values give each value's
    occurrences (flagged at the grams' own positions) and, in ascending order, the distinct values
    that some allowed gram of a rare value holds, and all the distinct values (one sort for both:
    alignment reads them too). A sort plus two binary searches a gram and a second sort took three
    times as long. Only flags that count are written: ``counted`` arrives zeroed (:func:`_outputs`).
    """
    for d in range(first, offsets.shape[0] - 1, step):
        start = offsets[d]
        end = offsets[d + 1]
        order = _ascending(grams[start:end])
        unique = 0
        values = 0
        first = 0
        size = end - start
        while first < size:
            value = grams[start + order[first]]
            last = first + 1
            while last < size and grams[start + order[last]] == value:
                last += 1
            every[start + values] = value
            for i in range(first, last):
                ranks[start + order[i]] = values
            values += 1
            if last - first < refrain:
                held = False
                for i in range(first, last):
                    k = start + order[i]
                    if allowed[k]:
                        counted[k] = True
                        held = True
                if held:
                    content[start + unique] = value
                    unique += 1
            first = last
        found[d] = unique
        distinct[d] = values
        total = 0
        running[start + d] = 0
        for k in range(start, end):
            if counted[k]:
                total += 1
            running[k + d + 1] = total


def _build() -> Callable[..., None]:
    # Not numba's parallel loop: it gave the same wall time and 4 % more CPU on 20-paragraph
    # documents (4 alternated runs of benchmarks.peers --ours 20000: CPU 5.23-5.94 s against 5.02-5.72 s).
    for helper in (_radix_order, _ascending):  # numba resolves the kernel's callees among the globals
        globals()[helper.__name__] = compile_cached(helper, nogil=True)
    compiled: Callable[..., None] = compile_cached(_sides, nogil=True)
    return compiled


# Documents before compiling: the kernel saves ~80 us a one-paragraph document over the numpy path
# and compiles in a second or two on a fresh install (then loads from numba's cache), so one article
# checked against an index stays on numpy and corpora compile it.
# Into an empty cache: 3.1 s to compile (a `/tmp` script logging numba's compile events, one
# process, the seventy-second round); numba's cache lacking it, it waits for the work that repays that.
# Timed again in the seventy-second round (a `/tmp` script: the same detection of `benchmarks.peers`'
# 20,000 paragraphs, 20 a document, with every kernel's numpy path, then compiled): 0.40 ms a document
# (46 us one paragraph a document).
SIDES = LazyKernel(_build, after=64, cost=CompileCost(seconds=3.1, saved=0.40e-3))
# Documents of a call below which one thread does all: a second thread costs about 0.1 ms to start,
# a 20-paragraph document about 20 us (the 19 calls of a 100,000-paragraph detect: 0.41-0.45 s on one
# thread, 0.24-0.27 s on two, documents taken in turn).
THREADED_DOCUMENTS = 64


def _outputs(grams: int, documents: int) -> Sides:
    """Zeroed output arrays of :func:`sides` for ``grams`` grams of ``documents`` documents."""
    return (np.zeros(grams, dtype=np.bool_), np.zeros(grams + documents, dtype=np.int32),
            np.zeros(grams, dtype=np.uint64), np.zeros(documents, dtype=np.int64),
            np.zeros(grams, dtype=np.uint64), np.zeros(documents, dtype=np.int64), np.zeros(grams, dtype=np.uint32))


def sides_numpy(grams: npt.NDArray[np.uint64], offsets: npt.NDArray[np.int64], allowed: npt.NDArray[np.bool_],
                refrain: int) -> Sides:
    """The kernel's output computed one document at a time with numpy (the reference)."""
    documents = len(offsets) - 1
    counted, running, content, found, every, distinct_count, ranks = _outputs(len(grams), documents)
    for d in range(documents):
        start, end = int(offsets[d]), int(offsets[d + 1])
        flags = allowed[start:end] & arrays.rarer_than(grams[start:end], refrain)
        counted[start:end] = flags
        np.cumsum(flags, out=running[start + d + 1 : end + d + 1])
        distinct = arrays.distinct(grams[start:end][flags])
        content[start : start + len(distinct)] = distinct
        found[d] = len(distinct)
        values = arrays.distinct(grams[start:end])
        every[start : start + len(values)] = values
        distinct_count[d] = len(values)
        ranks[start:end] = np.searchsorted(values, grams[start:end])
    return counted, running, content, found, every, distinct_count, ranks


def sides(grams: npt.NDArray[np.uint64], offsets: npt.NDArray[np.int64], allowed: npt.NDArray[np.bool_],
          refrain: int) -> Sides:
    """:func:`sides_numpy`, by the kernel once enough documents asked for it (see SIDES)."""
    documents = len(offsets) - 1
    kernel = SIDES.get(documents)
    if kernel is None:
        return sides_numpy(grams, offsets, allowed, refrain)
    outputs = _outputs(len(grams), documents)
    kernel_on_threads(kernel, (grams, offsets, allowed, refrain, *outputs), threads_for(documents, THREADED_DOCUMENTS))
    return outputs
