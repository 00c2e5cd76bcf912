"""The cyclic collector is off while the detector works, and as it was afterwards."""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Iterator

import pytest

import syndidetect as sd
from syndidetect.collector import collector_paused


@pytest.fixture(params=[True, False], ids=["enabled", "disabled"])
def collector_state(request: pytest.FixtureRequest) -> Iterator[bool]:
    enabled: bool = request.param
    before = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    yield enabled
    (gc.enable if before else gc.disable)()


def test_paused_inside_and_restored_after(collector_state: bool) -> None:
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # nested: still off, and the outer block decides
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled() is collector_state


def test_blocks_of_two_threads_keep_it_off_until_the_last_ends(collector_state: bool) -> None:
    """Two tasks of a Dask worker of two threads: the first to end must not turn the collector back
    on under the other."""
    entered, first_done, second_may_end = threading.Event(), threading.Event(), threading.Event()
    inside: list[bool] = []

    def second() -> None:
        with collector_paused():
            entered.set()
            first_done.wait(5)
            inside.append(gc.isenabled())
            second_may_end.wait(5)

    thread = threading.Thread(target=second)
    with collector_paused():
        thread.start()
        assert entered.wait(5)
    first_done.set()  # the first block has ended; the second still runs
    assert not gc.isenabled()
    second_may_end.set()
    thread.join(5)
    assert inside == [False]
    assert gc.isenabled() is collector_state


@pytest.mark.parametrize("collector_state", [True], ids=["enabled"], indirect=True)
def test_a_block_ending_while_another_runs_collects_young_cycles(collector_state: bool) -> None:
    """Tasks of a worker of several threads may overlap for a whole job: the cycles a block leaves
    must not wait for a moment with no block running."""
    entered, first_done, second_may_end = threading.Event(), threading.Event(), threading.Event()

    class Node:
        pass

    def second() -> None:
        with collector_paused():
            entered.set()
            first_done.wait(5)
            second_may_end.wait(5)

    thread = threading.Thread(target=second)
    thread.start()
    with collector_paused():
        assert entered.wait(5)
        node = Node()
        node.self = node  # type: ignore[attr-defined]
        gone = weakref.ref(node)
        del node
    first_done.set()
    try:
        assert gone() is None  # collected when the first block ended
        assert not gc.isenabled()  # while the second still runs
    finally:
        second_may_end.set()
        thread.join(5)
    assert gc.isenabled()


def test_restored_after_an_exception(collector_state: bool) -> None:
    with pytest.raises(KeyError), collector_paused():
        raise KeyError("x")
    assert gc.isenabled() is collector_state


def test_detector_works_with_the_collector_off(collector_state: bool) -> None:
    text = "Seven words make a paragraph long enough here, said the reporter on Monday."
    seen: list[bool] = []
    detector = sd.Detector()
    detector.add_many([("a", text), ("b", text)])
    report = detector.find_copies(lambda stage, done, total: seen.append(gc.isenabled()))
    assert seen and not any(seen)
    assert [p.documents for p in report.pairs] == [("a", "b")]
    assert gc.isenabled() is collector_state


@pytest.mark.parametrize("collector_state", [True], ids=["enabled"], indirect=True)
def test_what_a_block_keeps_is_not_walked_by_the_next_young_collection(collector_state: bool) -> None:
    """The containers a block leaves alive go to the oldest generation when the collector comes
    back on: otherwise the first young collection after the block would walk them all (tens of
    milliseconds a detect of 20k paragraphs, more with more)."""
    with collector_paused():
        kept = [[i] for i in range(50_000)]
    gc.collect(0)  # a young collection: it would move them to the middle generation
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert all(id(item) in oldest for item in kept[::997])
    cycle: list[object] = []
    cycle.append(cycle)
    del cycle
    assert gc.collect() >= 1  # the collector still finds cycles


@pytest.mark.parametrize("collector_state", [True], ids=["enabled"], indirect=True)
def test_objects_frozen_before_a_block_stay_frozen(collector_state: bool) -> None:
    """The command line freezes what its imports made: a block must not thaw it."""
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with collector_paused():
            kept = [[i] for i in range(1_000)]
        assert gc.get_freeze_count() == frozen and kept
    finally:
        gc.unfreeze()
