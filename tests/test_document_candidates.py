"""Candidate document pairs with rows that are alike banded once, against the rows banded one by one."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syndidetect import document_candidates
from syndidetect.document_candidates import identical_rows, owner_pairs
from syndidetect.lsh import SCREEN_ROWS, band_key


def repeated_rows(seed: int, n: int, kinds: int, columns: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """``n`` signature rows drawn from ``kinds`` rows of few values (so bands collide across kinds
    too), a share ``noise`` of them with one column changed; and their sizes (alike for a kind, some
    kinds alike but for their size)."""
    rng = np.random.default_rng(seed)
    base = rng.integers(0, int(rng.integers(2, 6)), size=(kinds, columns)).astype(np.uint32)
    pick = rng.integers(0, kinds, size=n)
    sigs = base[pick]
    changed = rng.random(n) < noise
    sigs[changed, rng.integers(0, columns)] = rng.integers(0, 4, size=int(changed.sum())).astype(np.uint32)
    sizes = rng.integers(1, 4, size=kinds)[pick].astype(np.int64)
    return sigs, sizes


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 2**31), st.integers(2, 70), st.integers(1, 12), st.sampled_from([(4, 1), (2, 2), (3, 2)]),
       st.integers(1, 12), st.sampled_from([None, 0.2, 0.9]), st.floats(0.0, 0.5))
def test_grouped_rows_give_the_pairs_of_all_rows(seed: int, n: int, kinds: int, layout: tuple[int, int],
                                                 max_bucket: int, threshold: float | None, noise: float) -> None:
    bands, rows = layout
    sigs, sizes = repeated_rows(seed, n, kinds, bands * rows, noise)
    rng = np.random.default_rng(seed + 1)
    documents = int(rng.integers(1, n + 1))
    owners = np.sort(rng.integers(0, documents, size=n)).astype(np.int64)  # a document's rows together
    expected = owner_pairs(sigs, owners, sizes, documents, bands, rows, threshold, max_bucket, grouped=False)
    found = owner_pairs(sigs, owners, sizes, documents, bands, rows, threshold, max_bucket, grouped=True)
    assert found.tolist() == expected.tolist()


@settings(max_examples=6, deadline=None)
@given(st.integers(0, 2**31), st.integers(2, 40), st.integers(2, 300))
def test_grouped_rows_past_the_screen_give_the_pairs_of_all_rows(seed: int, share: int, max_bucket: int) -> None:
    # More rows than lsh.SCREEN_ROWS: each band is screened by its keys' low bits before the sort.
    n = SCREEN_ROWS + 1500
    sigs, sizes = repeated_rows(seed, n, n // share, 8, 0.3)
    sigs = sigs * np.uint32(7919) + np.uint32(seed % 1000)  # values spread over the keys' low bits
    owners = np.sort(np.random.default_rng(seed).integers(0, n // 3, size=n)).astype(np.int64)
    expected = owner_pairs(sigs, owners, sizes, n // 3, 4, 2, 0.2, max_bucket, grouped=False)
    found = owner_pairs(sigs, owners, sizes, n // 3, 4, 2, 0.2, max_bucket, grouped=True)
    assert found.tolist() == expected.tolist()


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**31), st.integers(1, 80), st.integers(1, 10), st.floats(0.0, 0.6), st.integers(0, 3))
def test_identical_rows_groups_every_row_with_exactly_the_rows_alike(seed: int, n: int, kinds: int,
                                                                    noise: float, hash_bits: int) -> None:
    sigs, sizes = repeated_rows(seed, n, kinds, 4, noise)
    # The rows' hashes cut to a few bits (none: all alike): different rows that share a hash stay apart.
    hashes = document_candidates._row_hashes
    cut = np.uint64((1 << hash_bits) - 1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(document_candidates, "_row_hashes", lambda rows, sizes: hashes(rows, sizes) & cut)
        groups = identical_rows(sigs, sizes, band_key(sigs, 0, 2), always=True)
    assert groups is not None
    assert sorted(groups.members.tolist()) == list(range(n))
    keys = [(tuple(row), size) for row, size in zip(sigs.tolist(), sizes.tolist())]
    for k, representative in enumerate(groups.representatives.tolist()):
        members = groups.members[groups.starts[k] : groups.starts[k + 1]].tolist()
        assert members[0] == representative and members == sorted(members)
        assert members == [row for row in range(n) if keys[row] == keys[representative]]


def test_rows_that_repeat_little_are_not_grouped_and_many_copies_are() -> None:
    rng = np.random.default_rng(5)
    sigs = rng.integers(0, 2**32, size=(500, 8), dtype=np.uint64).astype(np.uint32)
    sizes = np.full(500, 30, dtype=np.int64)
    sigs[1] = sigs[0]  # one copy: one pair a band, fewer than the rows
    assert identical_rows(sigs, sizes, band_key(sigs, 0, 2)) is None
    sigs[100:140] = sigs[2]  # a paragraph on 41 sites: 820 pairs a band, more than the 500 rows
    groups = identical_rows(sigs, sizes, band_key(sigs, 0, 2))
    assert groups is not None
    assert groups.weights.max() == 41 and len(groups.representatives) == 500 - 41 + 1 - 1
    sigs[100:140] = rng.integers(0, 2**32, size=(40, 8), dtype=np.uint64).astype(np.uint32)
    sigs[200:499] = sigs[3]  # a paragraph on 300 pages: a chain of 299 pairs, under the 500 rows
    assert identical_rows(sigs, sizes, band_key(sigs, 0, 2), max_bucket=256) is None
