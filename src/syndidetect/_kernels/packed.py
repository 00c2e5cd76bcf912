"""Per-document arrays laid end to end for compiled calls over many document pairs.

A kernel that reads the documents of many pairs takes each kind of array once, concatenated, with
offsets (:class:`Packed`), and each pair as two indices into the distinct documents
(:func:`pair_members`): one call instead of one a pair.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

_Item = TypeVar("_Item")


def pair_members(firsts: Sequence[_Item], seconds: Sequence[_Item]) -> tuple[list[_Item], npt.NDArray[np.int64],
                                                                          npt.NDArray[np.int64]]:
    """The distinct objects of the pairs ``(firsts[k], seconds[k])`` (by identity, in no particular
    order) and each pair as two indices into them, for :class:`Packed` arrays of those objects. The
    objects' addresses are numbered by numpy: a dictionary a pair end cost about 2 us of Python a
    pair (1.46M candidate pairs at 1M paragraphs)."""
    objects = [*firsts, *seconds]
    addresses = np.fromiter(map(id, objects), dtype=np.int64, count=len(objects))
    _, first, numbers = np.unique(addresses, return_index=True, return_inverse=True)
    numbers = numbers.astype(np.int64, copy=False).reshape(-1)
    return [objects[k] for k in first.tolist()], numbers[: len(firsts)], numbers[len(firsts) :]


class Packed:
    """Per-document arrays laid end to end (``flat[offsets[d]:offsets[d + 1]]`` is document d's), so
    one compiled call can read the documents of many pairs."""

    def __init__(self, arrays: list[npt.NDArray[Any]], dtype: type[np.generic]) -> None:
        sizes = np.array([len(a) for a in arrays], dtype=np.int64)
        self.offsets = np.zeros(len(arrays) + 1, dtype=np.int64)
        np.cumsum(sizes, out=self.offsets[1:])
        self.flat: npt.NDArray[Any] = np.concatenate(arrays).astype(dtype, copy=False) if arrays else \
            np.zeros(0, dtype=dtype)

    @classmethod
    def of(cls, flat: npt.NDArray[Any], offsets: npt.NDArray[np.int64]) -> Packed:
        """Arrays already laid end to end: document d's are ``flat[offsets[d]:offsets[d + 1]]``."""
        packed = object.__new__(cls)
        packed.flat, packed.offsets = flat, offsets
        return packed

    @classmethod
    def sparse(cls, count: int, members: npt.NDArray[np.int64], arrays: list[npt.NDArray[Any]],
               dtype: type[np.generic]) -> Packed:
        """``count`` documents, ``arrays[i]`` that of document ``members[i]`` (ascending), every
        other document's empty: the numbering of a larger set without a list as long as it."""
        sizes = np.zeros(count, dtype=np.int64)
        sizes[members] = [len(a) for a in arrays]
        offsets = np.zeros(count + 1, dtype=np.int64)
        np.cumsum(sizes, out=offsets[1:])
        flat = np.concatenate(arrays).astype(dtype, copy=False) if arrays else np.zeros(0, dtype=dtype)
        return cls.of(flat, offsets)

    def __getitem__(self, d: int) -> npt.NDArray[Any]:
        return self.flat[self.offsets[d] : self.offsets[d + 1]]
