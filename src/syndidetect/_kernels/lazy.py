"""Kernels compiled only once a process has enough work to repay the compile.

Each kernel has a numpy path giving the same results (tested equal). Compiling one costs seconds on
a fresh install, and even numba's warm cache costs importing numba (about 0.5 s of CPU) and loading
the compiled code, which a one-shot command with a handful of paragraphs or candidate pairs (the
seeds, one article against an index) would pay for milliseconds of gain. So a kernel is compiled
once the work requested in the process (pairs, texts) promises more.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from syndidetect.errors import MissingDependencyError

_F = TypeVar("_F")  # a compiled kernel, or a module of them (minhash's signature kernels)

#: Every lazy kernel made so far: each is made once, when its module is imported.
_MADE: list[LazyKernel[Any]] = []


class LazyKernel(Generic[_F]):
    """``build()`` (which compiles a kernel) once :meth:`get` has been asked for ``after`` units
    of work (requests, or the weights given), and its result from then on; None before, and always
    when numba is absent."""

    def __init__(self, build: Callable[[], _F], after: int) -> None:
        self._build = build
        self._after = after
        self._requests = 0
        self._kernel: _F | None = None
        self._missing = False  # numba is not installed
        self._lock = threading.Lock()
        _MADE.append(self)

    def get(self, weight: int = 1) -> _F | None:
        """The kernel, once the requests so far (each counting ``weight``) reach ``after``."""
        if self._kernel is not None or self._missing:
            return self._kernel
        self._requests += weight  # a lost update between threads only delays the compile
        return self.compiled() if self._requests >= self._after else None

    def compiled(self) -> _F | None:
        """The compiled kernel now, whatever the count (None without numba)."""
        with self._lock:
            self._missing = importlib.util.find_spec("numba") is None
            if self._kernel is None and not self._missing:
                self._kernel = self._build()
        return self._kernel

    def for_backend(self, backend: str, weight: int) -> _F | None:
        """The kernel a ``backend`` setting asks for: None for ``numpy`` (the numpy path), for
        ``auto`` :meth:`get` (``weight`` counted), for ``numba`` the compiled kernel, refusing to
        run without numba."""
        if backend == "numpy":
            return None
        if backend == "auto":
            return self.get(weight)
        kernel = self.compiled()
        if kernel is None:  # numba is a core dependency: only a broken install lacks it
            raise MissingDependencyError("numba", None)
        return kernel


def take_every_kernel() -> int:
    """Build now every lazy kernel of the modules imported so far, whatever the work asked of it (each
    one's numba dispatcher, which compiles, or loads from numba's cache, at its first call); returns
    how many there are."""
    for kernel in list(_MADE):
        kernel.compiled()
    return len(_MADE)
