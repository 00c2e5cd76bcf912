"""Where ascending values fall among ascending boundaries, by one merge in compiled code.

Verification finds each word's text among a batch's joined texts and each gram's paragraph among
its texts' paragraphs: ``np.searchsorted`` with ``side="right"``, a binary search a value, about
57 ns a value for the 100,000-odd words of a batch (0.2 s of a 100,000-paragraph detect). Both the
values and the boundaries ascend, so one walk over both finds them all; ``np.searchsorted`` stays
the reference it is tested against, and the path taken before the kernel is compiled.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from syndidetect._kernels.jit import compile_cached
from syndidetect._kernels.lazy import CompileCost, LazyKernel


def _positions_right(boundaries: Any, values: Any, out: Any) -> None:  # pragma: no cover - compiled
    """``out[i]``: how many ``boundaries`` are at most ``values[i]`` (both ascending)."""
    j = 0
    for i in range(values.shape[0]):
        while j < boundaries.shape[0] and boundaries[j] <= values[i]:
            j += 1
        out[i] = j


def _build() -> Callable[..., None]:
    compiled: Callable[..., None] = compile_cached(_positions_right, nogil=True)
    return compiled


# Values before compiling: the merge saves about 50 ns a value and compiles in well under a second
# on a fresh install (milliseconds from numba's cache): a corpus's verification compiles it, the
# seeds and one article against an index (a few thousand words) stay on numpy.
# Into an empty cache: 0.14 s to compile (a `/tmp` script logging numba's compile events, one
# process, the seventy-second round); numba's cache lacking it, it waits for the work that repays that.
MERGE = LazyKernel(_build, after=1 << 16, cost=CompileCost(seconds=0.14, saved=50e-9))


def positions_right(boundaries: npt.NDArray[np.int64], values: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """``np.searchsorted(boundaries, values, side="right")`` for ``values`` in ascending order (as
    ``boundaries`` are), by the merge once it is compiled."""
    kernel = MERGE.get(len(values))
    if kernel is None:
        return np.searchsorted(boundaries, values, side="right").astype(np.int64, copy=False)
    out = np.empty(len(values), dtype=np.int64)
    kernel(boundaries, values, out)
    return out
