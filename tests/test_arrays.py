"""The sorting set operations return what their numpy counterparts return."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from syndidetect import arrays

# Few distinct values (repeats, shared values) and the extremes of the type.
_VALUES = st.one_of(st.integers(0, 6), st.sampled_from([0, 2**63 - 1, 2**63, 2**64 - 1]))
_GRAMS = hnp.arrays(np.uint64, st.integers(0, 40), elements=_VALUES)
_SIGNED = hnp.arrays(np.int64, st.integers(0, 40), elements=st.integers(-3, 3) | st.sampled_from([-(2**63), 2**63 - 1]))


@given(_GRAMS | _SIGNED)
def test_distinct_is_np_unique(values: np.ndarray) -> None:
    got, expected = arrays.distinct(values), np.unique(values)
    assert got.dtype == expected.dtype and got.tolist() == expected.tolist()


@given(_GRAMS | _SIGNED)
def test_occurrences_are_the_counts_of_np_unique(values: np.ndarray) -> None:
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    assert arrays.occurrences(values).tolist() == counts[inverse.reshape(-1)].tolist()


@given(_GRAMS | _SIGNED, st.integers(0, 6))
def test_rarer_than_is_fewer_occurrences(values: np.ndarray, times: int) -> None:
    assert arrays.rarer_than(values, times).tolist() == (arrays.occurrences(values) < times).tolist()


@given(_GRAMS, _GRAMS)
def test_members_and_common_are_np_isin_and_np_intersect1d(values: np.ndarray, others: np.ndarray) -> None:
    a, b = np.unique(values), np.unique(others)
    assert arrays.members(values, b).tolist() == np.isin(values, b).tolist()
    expected = np.intersect1d(a, b, assume_unique=True)
    for got in (arrays.common(a, b), arrays.common(b, a)):
        assert got.dtype == expected.dtype and got.tolist() == expected.tolist()


@given(st.lists(st.tuples(st.integers(-50, 1000), st.integers(0, 20)), max_size=30))
def test_range_positions_are_the_ranges_end_to_end(ranges: list[tuple[int, int]]) -> None:
    firsts = np.array([f for f, _ in ranges], dtype=np.int64)
    lengths = np.array([n for _, n in ranges], dtype=np.int64)
    expected = [p for f, n in ranges for p in range(f, f + n)]
    found = arrays.range_positions(firsts, lengths)
    assert found.dtype == np.int64
    assert found.tolist() == expected


@given(hnp.arrays(np.int64, st.tuples(st.integers(0, 30), st.integers(1, 2)), elements=st.integers(0, 9)),
       st.integers(0, 5))
def test_positions_in_distinct_are_np_unique_with_its_inverse(values: np.ndarray, room: int) -> None:
    """Positions below a size (some of them unused, repeats, a 2-D array of pairs): the distinct ones
    ascending, and each value's index among them, in the values' shape."""
    found, at = arrays.positions_in_distinct(values, 10 + room)
    expected, inverse = np.unique(values, return_inverse=True)
    assert found.tolist() == expected.tolist() and found.dtype == np.int64
    assert at.tolist() == inverse.reshape(values.shape).tolist()
