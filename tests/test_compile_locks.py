"""Compiles taking turns between processes (``jit.lock_compiles``, used by ``syndidetect compile``):
a kernel two processes call is compiled by one of them, and the other loads it from numba's cache."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from syndidetect.warmup import _helper_compiles

ROOT = Path(__file__).resolve().parent.parent

# A process that compiles one kernel of its own module (numba caches functions of files only),
# taking turns through the lock folder argv[1]; prints its compiles.
_COMPILE_ONE = """
import sys
from syndidetect._kernels.jit import compile_cached, lock_compiles, watch_compiles
import sums
compiles = [0]
watch_compiles(lambda started: compiles.__setitem__(0, compiles[0] + started))
lock_compiles(sys.argv[1])
kernel = compile_cached(sums.total)
assert kernel(41) == sum(range(41))
print(compiles[0])
"""


def _started(folder: Path, locks: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(folder / "cache"),
           "PYTHONPATH": os.pathsep.join([str(folder), str(ROOT / "src")])}
    return subprocess.Popen([sys.executable, "-c", _COMPILE_ONE, str(locks)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_processes_taking_turns_compile_a_kernel_once(tmp_path: Path) -> None:
    (tmp_path / "sums.py").write_text(textwrap.dedent("""
        def total(n):
            s = 0
            for k in range(n):
                s += k
            return s
    """), encoding="utf-8")
    locks = tmp_path / "locks"
    locks.mkdir()
    # Both processes start while the kernel's lock is held here, so both reach the kernel before
    # either compiles it (without the locks both would compile it): released, one compiles it
    # holding the lock, the other then loads it.
    with open(locks / "sums.total.lock", "a+b") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        processes = [_started(tmp_path, locks) for _ in range(2)]
        for process, seconds in zip(processes, (3, 0.1)):  # each waits at the lock (or has failed)
            with pytest.raises(subprocess.TimeoutExpired):
                process.wait(timeout=seconds)
    outputs = [p.communicate(timeout=300) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], [err for _, err in outputs]
    compiles = sorted(int(out) for out, _ in outputs)
    assert compiles == [0, 1]


def test_the_helper_s_compiles_are_its_last_line_when_it_succeeded() -> None:
    ok = subprocess.Popen([sys.executable, "-c", "print('loading'); print(7)"], stdout=subprocess.PIPE, text=True)
    failed = subprocess.Popen([sys.executable, "-c", "print(7); raise SystemExit(1)"], stdout=subprocess.PIPE,
                              text=True)
    assert (_helper_compiles(ok), _helper_compiles(failed), _helper_compiles(None)) == (7, 0, 0)
