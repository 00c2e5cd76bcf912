"""Verification kernels compiled only once a process has enough pairs to repay the compile.

Each verification kernel has a numpy path giving the same results (tested equal). Compiling one
costs seconds on a fresh install (numba's cache then loads it in milliseconds), which a one-shot
command with a handful of candidate pairs (the seeds, one article against an index) would pay for
microseconds of gain. So a kernel is compiled on its ``after``-th request in the process, when the
pairs already seen promise more.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

_F = TypeVar("_F", bound=Callable[..., object])


class LazyKernel(Generic[_F]):
    """``build()`` (which compiles a kernel) on the ``after``-th :meth:`get`, and its result from
    then on; None before, and always when numba is absent."""

    def __init__(self, build: Callable[[], _F], after: int) -> None:
        self._build = build
        self._after = after
        self._requests = 0
        self._kernel: _F | None = None
        self._missing = False  # numba is not installed
        self._lock = threading.Lock()

    def get(self) -> _F | None:
        if self._kernel is not None or self._missing:
            return self._kernel
        self._requests += 1  # a lost update between threads only delays the compile
        return self.compiled() if self._requests >= self._after else None

    def compiled(self) -> _F | None:
        """The compiled kernel now, whatever the count (None without numba)."""
        with self._lock:
            self._missing = importlib.util.find_spec("numba") is None
            if self._kernel is None and not self._missing:
                self._kernel = self._build()
        return self._kernel
