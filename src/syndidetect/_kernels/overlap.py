"""Shared-shingle counts between the paragraphs of two documents: a merge join in numba.

Verification calls this once per candidate document pair; numpy's searchsorted version (kept in
:func:`shared_counts_numpy` as the reference) spends most of its time on call overhead and
binary searches that a single merge over two sorted arrays does not need.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from syndidetect._kernels.jit import compile_cached

_Counts = npt.NDArray[np.int64]


def shared_counts_numpy(
    ha: npt.NDArray[np.uint32], pa: npt.NDArray[np.int64], hb: npt.NDArray[np.uint32], pb: npt.NDArray[np.int64],
    na: int, nb: int,
) -> _Counts:
    """``m[i, j]``: how many hashes owned by paragraph i in ``(ha, pa)`` are owned by j in
    ``(hb, pb)``; ``hb`` sorted, each paragraph's hashes unique."""
    low = np.searchsorted(hb, ha, "left")
    count = np.searchsorted(hb, ha, "right") - low
    total = int(count.sum())
    first = np.repeat(np.cumsum(count) - count, count)
    positions = np.repeat(low, count) + (np.arange(total) - first)
    flat = np.repeat(pa, count) * nb + pb[positions]
    return np.bincount(flat, minlength=na * nb).reshape(na, nb)


def _merge_join(ha: Any, pa: Any, hb: Any, pb: Any, out: Any) -> None:  # pragma: no cover - compiled
    """Both hash arrays sorted: walk them together; a run of equal hashes pairs every owner on
    one side with every owner on the other."""
    i = 0
    j = 0
    while i < ha.shape[0] and j < hb.shape[0]:
        if ha[i] < hb[j]:
            i += 1
        elif ha[i] > hb[j]:
            j += 1
        else:
            value = ha[i]
            i_end = i
            while i_end < ha.shape[0] and ha[i_end] == value:
                i_end += 1
            j_end = j
            while j_end < hb.shape[0] and hb[j_end] == value:
                j_end += 1
            for x in range(i, i_end):
                for y in range(j, j_end):
                    out[pa[x], pb[y]] += 1
            i = i_end
            j = j_end


@lru_cache(maxsize=1)
def _compiled() -> Callable[..., None] | None:
    try:
        import numba  # noqa: F401  (present: compile; absent: the numpy path)
    except ImportError:
        return None
    compiled: Callable[..., None] = compile_cached(_merge_join, nogil=True)
    return compiled


def shared_counts_sorted(
    ha: npt.NDArray[np.uint32], pa: npt.NDArray[np.int64], hb: npt.NDArray[np.uint32], pb: npt.NDArray[np.int64],
    na: int, nb: int,
) -> _Counts:
    """As :func:`shared_counts_numpy`, with ``ha`` sorted too (compiled when numba is present)."""
    kernel = _compiled()
    if kernel is None:
        return shared_counts_numpy(ha, pa, hb, pb, na, nb)
    out = np.zeros((na, nb), dtype=np.int64)
    kernel(ha, pa, hb, pb, out)
    return out
