"""Positions of ascending values among ascending boundaries: the merge is numpy's searchsorted."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syndidetect._kernels.merge import MERGE, positions_right

_SORTED = st.lists(st.integers(-50, 50), max_size=60).map(sorted)


@settings(max_examples=300)
@given(_SORTED, _SORTED)
def test_the_merge_is_searchsorted_on_the_right(boundaries: list[int], values: list[int]) -> None:
    """Repeated boundaries and values, values before the first boundary and past the last, empty sides."""
    kernel = MERGE.compiled()
    assert kernel is not None
    b, v = np.array(boundaries, dtype=np.int64), np.array(values, dtype=np.int64)
    out = np.full(len(v), -1, dtype=np.int64)
    kernel(b, v, out)
    assert out.tolist() == np.searchsorted(b, v, side="right").tolist()


@pytest.mark.parametrize("compiled", [False, True])
def test_positions_right_on_both_paths(compiled: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.RandomState(1)
    boundaries = np.sort(rng.randint(0, 10**6, 5000)).astype(np.int64)
    values = np.sort(rng.randint(-10, 10**6 + 10, 100_000)).astype(np.int64)
    if compiled:
        monkeypatch.setattr(MERGE, "get", lambda weight=1: MERGE.compiled())
    else:
        monkeypatch.setattr(MERGE, "get", lambda weight=1: None)
    found = positions_right(boundaries, values)
    assert found.dtype == np.int64
    assert found.tolist() == np.searchsorted(boundaries, values, side="right").tolist()
