"""`index add` asks glibc to serve large arrays from its heap and keep what is freed."""

from __future__ import annotations

import ctypes.util
import subprocess
import sys

import pytest

from syndidetect.cli import index as index_cli

# A fresh process allocates a 128 MB array, frees it, and allocates and fills another, then reports
# the size of its heap (``[heap]`` in /proc/self/maps) and the page faults of the second array.
_PROBE = """
import sys
import numpy as np
if sys.argv[1] == "keep":
    from syndidetect.cli.allocator import keep_freed_memory
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


def test_index_add_keeps_freed_memory_before_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    from syndidetect.cli import allocator
    from syndidetect.cli.main import main

    calls: list[str] = []

    def kept() -> bool:
        calls.append("kept")
        return True

    def read_inputs(*args: object, **kwargs: object) -> list[object]:
        calls.append("read")
        raise _Stop

    monkeypatch.setattr(allocator, "keep_freed_memory", kept)
    monkeypatch.setattr(index_cli, "read_inputs", read_inputs)
    with pytest.raises(_Stop):
        main(["index", "add", "--db", "unused.db", "unused.txt"])
    assert calls == ["kept", "read"]
