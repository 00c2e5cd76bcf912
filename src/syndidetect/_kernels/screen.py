"""The LSH screen of a large band (:func:`syndidetect.lsh._bucket_pairs`): which keys share their
low bits with another key, counted in a table of one byte a slot.

numpy's ``bincount`` counts in eight bytes a slot, and the table has four slots a key: 128 MB a
band of the sentence LSH at 1M paragraphs (3.5M sentences, 2**24 slots), fresh pages the kernel
zeroes for every band (``perf`` of the sentence LSH's first call at 200k paragraphs: page clearing
33 % of the samples, 13 points of it under ``bincount``), then a gather of eight bytes a key.
Here a slot is one byte that stops counting at two, the table 4-16 MB, and the keys are read twice
in one pass each; the positions come out ascending, as ``np.flatnonzero`` gives them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from syndidetect._kernels.jit import compile_cached
from syndidetect._kernels.lazy import CompileCost, LazyKernel

__all__ = ["SCREEN", "SLOTS_A_KEY", "maybe_shared", "shared_low_bits"]

# Slots of the screen's table a key, at least (a power of two): about 1 - e^(-1/4), a fifth, of
# the keys no other key equals still share their slot with one and go on to the sort.
SLOTS_A_KEY = 4


def _shared_low_bits(keys: Any, bits: int, out: Any) -> int:  # pragma: no cover - compiled
    """Write to ``out`` the positions of the keys whose ``bits`` low bits another key has too;
    return how many."""
    table = np.zeros(1 << bits, dtype=np.uint8)
    mask = np.uint64((1 << bits) - 1)
    for i in range(keys.shape[0]):
        slot = keys[i] & mask
        if table[slot] < 2:
            table[slot] += 1
    found = 0
    for i in range(keys.shape[0]):
        if table[keys[i] & mask] > 1:
            out[found] = i
            found += 1
    return found


def _build() -> Any:
    return compile_cached(_shared_low_bits, nogil=True)


# Keys screened in a process before compiling: 0.63-0.93 s into an empty cache, 5 ms from the cache
# in a process whose signature kernels are loaded (0.25 s in one that has loaded no kernel yet).
# numpy's screen costs about 22 ns a key (1M keys: 21-23 ms, the kernel 6 ms), so a few million keys
# repay loading it. A one-shot command on a few documents never screens at all (bands below
# lsh.SCREEN_ROWS keys are sorted whole).
# Into an empty cache: 0.29 s to compile (a `/tmp` script logging numba's compile events, one
# process, the seventy-second round); numba's cache lacking it, it waits for the work that repays that.
SCREEN = LazyKernel(_build, after=1 << 22, cost=CompileCost(seconds=0.29, saved=16e-9))


def shared_low_bits(keys: npt.NDArray[np.uint64], bits: int, kernel: Any) -> npt.NDArray[np.intp]:
    """The positions, ascending, of the ``keys`` whose ``bits`` low bits another key has too
    (``kernel``: :data:`SCREEN`'s, or None for numpy's ``bincount``)."""
    if kernel is None:
        slots = (keys & np.uint64((1 << bits) - 1)).astype(np.intp)
        return np.flatnonzero(np.bincount(slots, minlength=1 << bits)[slots] > 1)
    out = np.empty(len(keys), dtype=np.intp)
    return out[: kernel(keys, bits, out)]


def maybe_shared(keys: npt.NDArray[np.uint64]) -> npt.NDArray[np.intp]:
    """The positions, ascending, of the keys whose low bits another key has too (``SLOTS_A_KEY``
    slots a key): among them, every key that another one equals."""
    bits = (SLOTS_A_KEY * len(keys) - 1).bit_length()
    return shared_low_bits(keys, bits, SCREEN.get(len(keys)))
