"""`index add` and `scan` ask glibc to serve large arrays from its heap and keep what is freed; the
trims (after preparing, before verification, every few batches of it, after the sentence batches) give
free pages back only in a process that does not keep them."""

from __future__ import annotations

import ctypes.util
import subprocess
import sys
from typing import Any

import pytest

from syndidetect.cli import index as index_cli

# A fresh process allocates a 128 MB array, frees it, and allocates and fills another, then reports
# the size of its heap (``[heap]`` in /proc/self/maps) and the page faults of the second array.
_PROBE = """
import sys
from typing import Any
import numpy as np
if sys.argv[1] == "keep":
    from syndidetect._kernels.glibc import keep_freed_memory
    assert keep_freed_memory()
import resource
first = np.ones(1 << 24)
del first
faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
second = np.ones(1 << 24)
faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
heap = 0
for line in open("/proc/self/maps"):
    if line.rstrip().endswith("[heap]"):
        start, end = (int(x, 16) for x in line.split()[0].split("-"))
        heap += end - start
print(heap, faults)
"""

glibc_only = pytest.mark.skipif(not sys.platform.startswith("linux") or ctypes.util.find_library("c") is None,
                                reason="mallopt's parameters are glibc's")


def _probe(mode: str) -> tuple[int, int]:
    out = subprocess.run([sys.executable, "-c", _PROBE, mode], capture_output=True, text=True, check=True).stdout
    heap, faults = out.split()
    return int(heap), int(faults)


@glibc_only
def test_large_arrays_come_from_the_heap_and_reuse_freed_pages() -> None:
    heap, faults = _probe("keep")
    assert heap >= 128 << 20  # the array lives in the heap ...
    assert faults < 1_000  # ... and the second one reuses the first one's pages: no fresh page to clear


@glibc_only
def test_by_default_glibc_maps_each_large_array_afresh() -> None:
    """The probe's control: what the setting changes."""
    heap, faults = _probe("default")
    assert heap < 128 << 20
    assert faults >= 64  # 128 MB of fresh pages: 32,768 of 4 KB, or 64 huge pages of 2 MB


class _Stop(BaseException):
    """Ends the command where the test has seen enough (no handler of the command line catches it)."""


@pytest.mark.parametrize("command", [["index", "add", "--db", "unused.db", "unused.txt"], ["scan", "unused.txt"]])
def test_a_one_shot_command_keeps_freed_memory_before_reading(monkeypatch: pytest.MonkeyPatch,
                                                              command: list[str]) -> None:
    from syndidetect.cli import main as main_module

    calls: list[str] = []

    def kept() -> bool:
        calls.append("kept")
        return True

    def read_inputs(*args: object, **kwargs: object) -> list[object]:
        calls.append("read")
        raise _Stop

    monkeypatch.setattr(index_cli, "keep_freed_memory", kept)
    monkeypatch.setattr(main_module, "keep_freed_memory", kept)
    monkeypatch.setattr(index_cli, "read_inputs", read_inputs)
    monkeypatch.setattr(main_module, "read_inputs", read_inputs)
    with pytest.raises(_Stop):
        main_module.main(command)
    assert calls == ["kept", "read"]


def test_a_bad_scan_is_refused_before_the_allocator_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    from syndidetect.cli import main as main_module

    calls: list[str] = []

    def kept() -> bool:
        calls.append("kept")
        return True

    monkeypatch.setattr(main_module, "keep_freed_memory", kept)
    assert main_module.main(["scan", "unused.txt", "--format", "html"]) == 2  # html needs -o
    assert calls == []


class _FakeFunction:
    """A C function of the fake library: its ctypes attributes may be set, its calls are recorded."""

    def __init__(self, name: str, calls: list[tuple[str, tuple[int, ...]]]) -> None:
        self.name, self.calls = name, calls

    def __call__(self, *args: int) -> int:
        self.calls.append((self.name, args))
        return 1


class _FakeLibc:
    """Stands for glibc: records what is asked of it, changes nothing in this process."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[int, ...]]] = []
        self.mallopt = _FakeFunction("mallopt", self.calls)

    def malloc_trim(self, pad: int) -> int:
        self.calls.append(("malloc_trim", (pad,)))
        return 1


def test_free_pages_go_back_unless_the_process_keeps_freed_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    from syndidetect._kernels import glibc

    libc = _FakeLibc()
    monkeypatch.setattr(glibc, "glibc", lambda: libc)
    monkeypatch.setattr(glibc, "_kept", [])
    glibc.give_back_freed_memory()
    assert libc.calls == [("malloc_trim", (0,))] and not glibc.freed_memory_kept()
    libc.calls.clear()
    assert glibc.keep_freed_memory() and glibc.freed_memory_kept()
    assert [name for name, _ in libc.calls] == ["mallopt", "mallopt"]
    libc.calls.clear()
    glibc.give_back_freed_memory()  # the pages would only be faulted in again
    assert libc.calls == []


def test_nothing_is_kept_or_trimmed_without_glibc(monkeypatch: pytest.MonkeyPatch) -> None:
    from syndidetect._kernels import glibc

    monkeypatch.setattr(glibc, "glibc", lambda: None)
    monkeypatch.setattr(glibc, "_kept", [])
    assert not glibc.keep_freed_memory() and not glibc.freed_memory_kept()
    glibc.give_back_freed_memory()  # no C library to ask: nothing happens, nothing fails


def test_finding_copies_gives_back_what_preparing_freed_before_the_candidates(monkeypatch: pytest.MonkeyPatch) -> None:
    """Preparing's temporaries lie freed among the documents in glibc's heap: find_copies asks for
    their pages back (through the function that keeps them where the process keeps freed memory) as
    its candidates stage begins, before any candidate is looked for."""
    from syndidetect import Detector
    from syndidetect.boilerplate import find_boilerplate

    events: list[str] = []
    monkeypatch.setattr("syndidetect.detector.give_back_freed_memory", lambda: events.append("trim"))
    monkeypatch.setattr("syndidetect.detector.find_boilerplate", _recording(find_boilerplate, events))
    detector = Detector()
    detector.add_many([("a", "One shared sentence about the harbour budget and its long debate. " * 3),
                       ("b", "One shared sentence about the harbour budget and its long debate. " * 3)])
    report = detector.find_copies(lambda stage, done, total: events.append(stage) if not done else None)
    assert len(report.pairs) == 1
    assert events[:3] == ["candidates", "trim", "boilerplate"]


def _recording(function: Any, events: list[str]) -> Any:
    def recorded(*args: Any, **kwargs: Any) -> Any:
        events.append("boilerplate")
        return function(*args, **kwargs)
    return recorded
