"""The compiled shared-shingle count against its numpy reference."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from syndidetect._kernels.overlap import shared_counts_numpy, shared_counts_sorted


def side(rng: np.random.RandomState, paragraphs: int) -> tuple[np.ndarray, np.ndarray]:
    rows = [np.unique(rng.randint(0, 40, rng.randint(0, 12))).astype(np.uint32) for _ in range(paragraphs)]
    hashes = np.concatenate(rows) if rows else np.zeros(0, dtype=np.uint32)
    owner = np.repeat(np.arange(paragraphs), [len(r) for r in rows]).astype(np.int64)
    order = np.argsort(hashes, kind="stable")
    return hashes[order], owner[order]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(0, 8), st.integers(0, 8))
def test_merge_join_equals_searchsorted(seed: int, na: int, nb: int) -> None:
    rng = np.random.RandomState(seed)
    ha, pa = side(rng, na)
    hb, pb = side(rng, nb)
    expected = shared_counts_numpy(ha, pa, hb, pb, na, nb)
    np.testing.assert_array_equal(shared_counts_sorted(ha, pa, hb, pb, na, nb), expected)
    brute = np.array([[len(set(ha[pa == i]) & set(hb[pb == j])) for j in range(nb)] for i in range(na)])
    np.testing.assert_array_equal(expected.reshape(na, nb), brute.reshape(na, nb))
