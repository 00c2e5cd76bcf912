"""The posting runs a writer keeps in memory: one array, the newest runs at its tail."""

from __future__ import annotations

import numpy as np
import pytest

from syndidetect.store.sqlite.kept_runs import KeptRuns


def _entries(rng: np.random.Generator, size: int) -> np.ndarray:
    return np.sort(rng.integers(0, 1 << 63, size=size, dtype=np.uint64))


@pytest.mark.parametrize("seed", range(6))
def test_kept_runs_give_back_what_was_kept_as_a_writer_merges(seed: int) -> None:
    """Random batches, merges of the newest runs (sorted in place and kept again, or dropped when
    all their entries are removed), runs that do not fit, and clears, against a plain model: every
    run kept gives back its entries, and only the newest runs, in order, are taken."""
    rng = np.random.default_rng(seed)
    most = int(rng.integers(50, 3000))
    kept = KeptRuns(most)
    model: dict[int, np.ndarray] = {}  # the runs kept, oldest first
    next_run = 0
    for _ in range(300):
        action = rng.random()
        if action < 0.5:  # a batch's run
            entries = _entries(rng, int(rng.integers(0, 400)))
            stored = kept.keep(next_run, entries)
            assert stored == (sum(map(len, model.values())) + len(entries) <= most)
            if stored:
                model[next_run] = entries.copy()
            next_run += 1
        elif action < 0.95 and model:  # a merge of the newest runs
            runs = list(model)[int(rng.integers(len(model))):]
            if rng.random() < 0.2 and len(runs) > 1:  # not the newest ones: refused, nothing changes
                assert kept.take_newest(runs[:-1]) is None
                continue
            packed = kept.take_newest(runs)
            assert packed is not None
            expected = np.concatenate([model.pop(run) for run in runs])
            assert packed.tolist() == expected.tolist()
            packed.sort()
            if rng.random() < 0.2:  # some documents removed: a smaller array of its own
                packed = packed[rng.random(len(packed)) < 0.5].copy()
            if kept.keep(next_run, packed):
                model[next_run] = np.sort(expected) if packed.base is not None else packed.copy()
            next_run += 1
        elif action >= 0.95:
            kept.clear()
            model.clear()
        assert len(kept) == sum(map(len, model.values()))
        for run in range(next_run):
            assert (run in kept) == (run in model)
    if model:  # what is left, taken whole
        taken = kept.take_newest(list(model))
        assert taken is not None
        assert taken.tolist() == np.concatenate(list(model.values())).tolist()


def test_a_merged_tail_is_kept_where_it_is() -> None:
    """A merge's sorted tail kept again is not copied: its next merge reads the same memory."""
    kept = KeptRuns(1000)
    rng = np.random.default_rng(7)
    for run in range(3):
        assert kept.keep(run, _entries(rng, 100))
    tail = kept.take_newest([1, 2])
    assert tail is not None
    tail.sort()
    assert kept.keep(3, tail)
    again = kept.take_newest([0, 3])
    assert again is not None
    assert np.shares_memory(again, tail)
    assert len(kept) == 0


def test_runs_past_the_room_are_not_kept() -> None:
    kept = KeptRuns(150)
    rng = np.random.default_rng(1)
    assert kept.keep(0, _entries(rng, 100))
    assert not kept.keep(1, _entries(rng, 60))
    assert kept.take_newest([0, 1]) is None  # run 1 must be read back
    assert kept.take_newest([0]) is not None
