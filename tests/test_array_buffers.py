"""Arrays in one buffer: what is joined is split back, exactly, and a wrong buffer is refused."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from syndidetect.array_buffers import join_arrays, split_arrays


def test_arrays_of_any_dtype_and_length_come_back_equal_as_views() -> None:
    rng = np.random.RandomState(2)
    arrays: list[npt.NDArray[Any]] = [
        rng.randint(0, 2**31, 7).astype(np.uint64), np.zeros(0, dtype=np.int32), rng.rand(3) > 0.5,
        rng.randint(-5, 5, 11).astype(">i8"), rng.randint(0, 2**32, 5, dtype=np.uint64).astype(np.uint32)]
    layout, buffer = join_arrays(arrays)
    back = split_arrays(layout, buffer)
    assert [(a.dtype, a.tolist()) for a in back] == [(a.dtype, a.tolist()) for a in arrays]
    assert all(not a.flags.writeable for a in back)  # views of the bytes, not copies


def test_a_buffer_that_does_not_match_its_layout_is_refused() -> None:
    layout, buffer = join_arrays([np.arange(4, dtype=np.int64)])
    with pytest.raises(ValueError, match="8 bytes past"):
        split_arrays(layout, buffer + bytes(8))
    with pytest.raises(ValueError):
        split_arrays(layout, buffer[:-8])
    with pytest.raises(ValueError, match="one-dimensional"):
        join_arrays([np.zeros((2, 2))])
