"""One-dimensional arrays laid end to end in one bytes buffer, read back as views of it.

A layout (each array's dtype and length) goes beside the bytes. Making the buffer is one join, and
reading it copies nothing, where pickling each array pays a reconstruction an array: the Dask path's
document blobs and the tokeniser's table file are read this way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

Layout = list[tuple[str, int]]  # per array: dtype (numpy's ``dtype.str``, byte order included), length


def join_arrays(arrays: Sequence[npt.NDArray[Any]]) -> tuple[Layout, bytes]:
    """``(layout, buffer)`` of one-dimensional ``arrays``, for :func:`split_arrays`.

    >>> join_arrays([np.array([1, 2], dtype=np.int32), np.array([True])])
    ([('<i4', 2), ('|b1', 1)], b'\\x01\\x00\\x00\\x00\\x02\\x00\\x00\\x00\\x01')
    """
    if any(a.ndim != 1 for a in arrays):
        raise ValueError("join_arrays takes one-dimensional arrays")
    return [(a.dtype.str, len(a)) for a in arrays], b"".join(np.ascontiguousarray(a).tobytes() for a in arrays)


def split_arrays(layout: Iterable[tuple[str, int]], buffer: bytes) -> list[npt.NDArray[Any]]:
    """The arrays :func:`join_arrays` joined, as read-only views of ``buffer``; ValueError when the
    buffer does not hold exactly what the layout names."""
    arrays, at = [], 0
    for dtype, length in layout:
        array = np.frombuffer(buffer, dtype=dtype, count=length, offset=at)
        arrays.append(array)
        at += array.nbytes
    if at != len(buffer):
        raise ValueError(f"{len(buffer) - at} bytes past the arrays the layout names")
    return arrays
