"""What numba's compiles tell: the watchers of ``_kernels.jit`` and the command line's note on a terminal."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest

from syndidetect._kernels.jit import compile_cached, imported_numba, watch_compiles
from syndidetect.cli import render

_fresh = itertools.count()


def _new_kernels() -> tuple[Callable[[int], int], Callable[[int], int]]:
    """A caller and its callee, compiled without numba's cache: each first call compiles, whatever
    earlier runs of the tests left on disk (a constant of its own makes each pair new code)."""
    numba = imported_numba()
    step = next(_fresh)
    callee: Any = numba.njit(cache=False)(lambda x: x + step)

    def caller(x: int) -> int:
        return int(callee(x) * 2)

    return numba.njit(cache=False)(caller), callee


def test_a_watcher_hears_one_start_and_one_end_per_compile() -> None:
    heard: list[bool] = []
    stop = watch_compiles(heard.append)
    try:
        caller, _ = _new_kernels()
        assert caller(1) == 2 * (1 + next(_fresh) - 1)
        assert heard == [True, False]  # the callee compiles inside its caller's compile
        caller(2)
        assert heard == [True, False]  # compiled once per signature
    finally:
        stop()
    caller, _ = _new_kernels()
    caller(1)
    assert heard == [True, False]  # stopped: not told any more


def test_a_cache_load_is_no_compile(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    numba = imported_numba()
    monkeypatch.setattr(numba.config, "CACHE_DIR", str(tmp_path))

    def twice(x: int) -> int:
        return x * 2

    compile_cached(twice)(3)  # compiled, and written to the empty cache
    heard: list[bool] = []
    stop = watch_compiles(heard.append)
    try:
        assert compile_cached(twice)(4) == 8  # a new dispatcher loads it from the cache
    finally:
        stop()
    assert heard == []


def test_a_failing_watcher_does_not_fail_the_compile() -> None:
    def broken(started: bool) -> None:
        raise RuntimeError("a display that went away")

    heard: list[bool] = []
    stops = [watch_compiles(broken), watch_compiles(heard.append)]
    try:
        caller, callee = _new_kernels()
        assert caller(5) == 2 * callee(5)
    finally:
        for stop in stops:
            stop()
    assert heard == [True, False]  # the watcher after the failing one is still told


def test_the_terminal_display_notes_the_first_compile_once(monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich: stderr is a terminal
    monkeypatch.setenv("COLUMNS", "200")  # the note on one line
    with render.stages() as update:
        update("candidates", 0, 0)
        for _ in range(2):
            caller, _ = _new_kernels()
            caller(1)
    assert capsys.readouterr().err.count(render.COMPILE_NOTE) == 1
    with render.stages() as update:  # nothing compiles: nothing to say
        update("candidates", 0, 0)
    assert render.COMPILE_NOTE not in capsys.readouterr().err


@pytest.mark.parametrize("display", ["working", "progress"])
def test_the_other_displays_note_it_too(display: str, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    shown = render.working("checking") if display == "working" else render.progress(3, "indexing")
    with shown:
        caller, _ = _new_kernels()
        caller(1)
    assert render.COMPILE_NOTE in capsys.readouterr().err


def test_piped_there_is_no_note(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)
    with render.stages() as update:
        update("candidates", 0, 0)
        caller, _ = _new_kernels()
        caller(1)
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(("spent", "said"), [(0.4, False), (render.SLOWER_NOTE_SECONDS, True)])
def test_a_run_on_slower_paths_says_compile_would_help(spent: float, said: bool, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "300")  # the note on one line
    so_far = [2.0]  # seconds earlier work in the process spent: not this display's
    monkeypatch.setattr(render, "numpy_seconds_uncompiled", lambda: so_far[0])
    with render.stages() as update:
        update("verification", 0, 0)
        so_far[0] += spent
    assert (render.SLOWER_NOTE in capsys.readouterr().err) == said
