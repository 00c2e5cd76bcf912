"""A kernel's shares on threads: every share run once, results in order of share, errors raised."""

from __future__ import annotations

import threading

import pytest

from syndidetect._kernels.threads import kernel_on_threads, threads_for


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
