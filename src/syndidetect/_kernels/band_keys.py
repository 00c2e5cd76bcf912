"""The sentence LSH's band keys in one compiled pass, written where the bands are kept.

:func:`syndidetect.lsh.band_keys` computes a band's key from its rows with numpy: a temporary array
of every key for each of the ``rows`` mixing steps, then a transposed copy into the
``(bands, sentences)`` array the sentence LSH keeps (one band a row, for its sort). For the sentence
LSH's 25 bands of 5 rows that was about 11.6 ms a chunk of 16,384 sentences (214 chunks at 1M
paragraphs); this kernel takes 2.8 ms, with the same arithmetic on the same unsigned 64-bit values
(products wrap as numpy's do), so the keys are equal.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from syndidetect._kernels.jit import compile_cached
from syndidetect._kernels.lazy import CompileCost, LazyKernel


def _band_keys_into(signatures: Any, bands: int, rows: int, mix: Any, out: Any,
                    start: int) -> None:  # pragma: no cover - compiled
    """``out[b, start + i]``: the key of band ``b`` of row ``i`` of ``signatures``, as
    :func:`syndidetect.lsh.band_key` mixes it for more than two rows a band."""
    shift = np.uint64(29)
    for i in range(signatures.shape[0]):
        for b in range(bands):
            key = np.uint64(0)
            for r in range(rows):
                key = (key ^ np.uint64(signatures[i, b * rows + r])) * mix
                key ^= key >> shift
            out[b, start + i] = key


def _build() -> Any:
    return compile_cached(_band_keys_into, nogil=True)


# Signature rows keyed before compiling: the kernel saves about 0.55 us a sentence of 25 bands, and
# loading it from numba's cache costs milliseconds (compiling it, about a second on a fresh
# install), so a corpus of a few thousand paragraphs keeps numpy's path.
# Into an empty cache: 0.16 s to compile (a `/tmp` script logging numba's compile events, one
# process, the seventy-second round); numba's cache lacking it, it waits for the work that repays that.
BAND_KEYS = LazyKernel(_build, after=1 << 16, cost=CompileCost(seconds=0.16, saved=0.55e-6))


def band_keys_into(signatures: npt.NDArray[np.uint32], bands: int, rows: int, mix: np.uint64,
                   out: npt.NDArray[np.uint64], start: int, numpy_keys: Any) -> None:
    """Write the band keys of ``signatures`` to columns ``start, ...`` of ``out`` (``(bands, n)``):
    compiled for bands of more than two rows once enough rows asked for it; else ``numpy_keys``
    (:func:`syndidetect.lsh.band_keys`, whose keys of one or two rows are the rows themselves)."""
    kernel = BAND_KEYS.get(len(signatures)) if rows > 2 else None
    if kernel is None:
        out[:, start : start + len(signatures)] = numpy_keys(signatures, bands, rows).T
        return
    kernel(signatures, bands, rows, mix, out, start)
