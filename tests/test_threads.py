"""A kernel's shares on threads: every share run once, results in order of share, errors raised."""

from __future__ import annotations

import threading

import pytest

from syndidetect._kernels.threads import (
    kernel_on_threads,
    kernel_threads,
    machine_threads,
    threads_at_most,
    threads_for,
)


def test_each_share_runs_once_and_its_result_comes_back_in_its_place() -> None:
    seen: list[tuple[int, int, str]] = []

    def kernel(scale: int, first: int, step: int) -> int:
        seen.append((first, step, threading.current_thread().name))
        return scale * (first + 1)

    assert kernel_on_threads(kernel, (10,), 2) == [10, 20]
    assert sorted((first, step) for first, step, _ in seen) == [(0, 2), (1, 2)]  # shares drawn as threads free up
    seen.clear()
    assert kernel_on_threads(kernel, (10,), 1) == [10]
    assert [(first, step) for first, step, _ in seen] == [(0, 1)]
    assert seen[0][2] == threading.current_thread().name  # one share: this thread


@pytest.mark.parametrize(("items", "cores", "expected"), [(7, 2, 1), (8, 2, 2), (1000, 1, 1), (1000, None, 1)])
def test_two_threads_only_for_enough_items_on_several_cores(items: int, cores: int | None, expected: int,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: cores)
    assert threads_for(items, 8) == expected


def test_within_threads_at_most_one_every_kernel_call_takes_one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 8)
    assert (machine_threads(), threads_for(1000, 8)) == (8, 2)
    with threads_at_most(1):
        assert (machine_threads(), threads_for(1000, 8), kernel_threads()) == (1, 1, 1)
        with threads_at_most(4):  # an inner block never widens the outer limit
            assert machine_threads() == 1
    with threads_at_most(3):
        assert (machine_threads(), threads_for(1000, 8)) == (3, 2)
        assert kernel_threads() <= 3
    assert (machine_threads(), threads_for(1000, 8)) == (8, 2)  # the limit ends with its block


def test_the_limit_binds_only_the_thread_that_set_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 8)
    seen: list[int] = []
    with threads_at_most(1):
        other = threading.Thread(target=lambda: seen.append(machine_threads()))
        other.start()
        other.join()
        seen.append(machine_threads())
    assert seen == [8, 1]


def test_the_limit_ends_when_its_block_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    with pytest.raises(ValueError), threads_at_most(1):
        raise ValueError
    assert machine_threads() == 2
