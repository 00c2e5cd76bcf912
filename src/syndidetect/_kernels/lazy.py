"""Kernels compiled only once a process has enough work to repay the compile.

Each kernel has a numpy path giving the same results (tested equal). Compiling one costs seconds on
a fresh install, and even numba's warm cache costs importing numba (about 0.5 s of CPU) and loading
the compiled code, which a one-shot command with a handful of paragraphs or candidate pairs (the
seeds, one article against an index) would pay for milliseconds of gain. So a kernel is compiled
once the work requested in the process (pairs, texts) promises more.

Two counts: ``after``, the work that repays loading the kernel from numba's cache, and, when the
cache does not hold the kernel (a fresh install, an upgrade, a cache numba cannot write), the work
that repays compiling it, ``cost.seconds / cost.saved`` units. Below that count the numpy path costs
less than the compile: a first scan of a few dozen articles after an install ran 31 s, 30 of them
compiling, where its numpy paths take about a second. The rule is the ski rental's: pay the numpy
path until what it cost equals the compile, then compile. What the numpy path cost is kept across
runs (:mod:`.rent`), so a job run again and again compiles in the run where the sum reaches the
compile, and never spends more than twice what compiling at once would have cost; the compiled
kernel stays in numba's cache for the runs after.
"""

from __future__ import annotations

import atexit
import importlib.util
import sys
import threading
from collections.abc import Callable
from typing import Any, Generic, NamedTuple, TypeVar

from syndidetect._kernels.jit import held_by_numba_cache, numba_cache_folder, recording_dispatchers
from syndidetect._kernels.rent import RentPlace, add_spent, place_for, spent
from syndidetect.errors import MissingDependencyError

_F = TypeVar("_F")  # a compiled kernel, or a module of them (minhash's signature kernels)

#: Every lazy kernel made so far: each is made once, when its module is imported.
_MADE: list[LazyKernel[Any]] = []
#: The kernels on their numpy path because numba's cache lacks them: what each cost is kept at exit.
_RENTING: list[LazyKernel[Any]] = []
_EXIT_HANDLER: list[Callable[[], None]] = []  # registered with atexit, once a process


class CompileCost(NamedTuple):
    """What compiling a kernel into an empty cache costs, against what it saves a unit of work."""

    seconds: float  # wall time to compile it (with the callees it compiles) on the 2-core benchmark machine
    saved: float  # seconds the kernel saves over the numpy path a unit of the work its get() counts (1.0: the
    # work is counted in the seconds saved)

    def units(self) -> float:
        """The work whose numpy path costs what the compile does."""
        return self.seconds / self.saved


class LazyKernel(Generic[_F]):
    """``build()`` (which makes a kernel's numba dispatchers; they compile, or load from numba's
    cache, at their first call) once :meth:`get` has been asked for ``after`` units of work
    (requests, or the weights given), or ``cost.units()`` when numba's cache does not hold the kernel;
    its result from then on; None before, and always when numba is absent."""

    def __init__(self, build: Callable[[], _F], after: int, cost: CompileCost | None = None) -> None:
        self._build = build
        self._after = after
        self._cost = cost
        self._cold_after: float = cost.units() if cost is not None else 0  # in the work's units
        self._rent: RentPlace | None = None  # where what the numpy path cost is kept across runs
        self._kept = 0.0  # seconds of this process's numpy spend already added there
        self._requests = 0
        self._work = 0.0  # the cold count's units so far: the weights, or the work given with them
        self._kernel: _F | None = None
        self._built: _F | None = None  # the build's result, made once
        self._made: list[Any] = []  # the dispatchers the build made (jit.recording_dispatchers)
        self._held: bool | None = None  # whether numba's cache holds it, once asked
        self._missing = False  # numba is not installed
        self._lock = threading.Lock()
        _MADE.append(self)

    def get(self, weight: int = 1, work: Callable[[], float] | None = None) -> _F | None:
        """The kernel, once the requests so far (each counting ``weight``) reach ``after``, or, when
        numba's cache lacks it, once the work so far reaches the cold count (``work()``: the
        request's work in the units of ``cost.saved``, asked only while the kernel is not taken;
        None: the weight)."""
        if self._kernel is not None or self._missing:
            return self._kernel
        self._requests += weight  # a lost update between threads only delays the compile
        self._work += weight if work is None else work()
        if self._requests < self._after:
            return None
        if self._work < self._cold_after and not self._held_by_cache():
            return None
        return self.compiled()

    def _held_by_cache(self) -> bool:
        """Whether numba's cache holds the kernel (asked once: its dispatchers are made to ask)."""
        with self._lock:
            if self._held is None:
                self._missing = importlib.util.find_spec("numba") is None
                if self._missing:
                    return False
                self._make()
                self._held = held_by_numba_cache([*self._made, self._built])
                if not self._held:
                    self._start_renting()
            return self._held

    def _start_renting(self) -> None:
        """Count this process's numpy path from what earlier runs spent on it, and keep its own
        spend at exit (numba's cache lacks the kernel)."""
        folder = numba_cache_folder([*self._made, self._built])
        module = sys.modules.get(self._build.__module__)
        source = getattr(module, "__file__", None)
        if self._cost is None or folder is None or source is None:
            return  # nothing to weigh, or no cache to keep the spend beside (it compiles every run)
        self._rent = place_for(folder, self.name, source)
        if self._rent is None:
            return
        left = max(self._cost.seconds - spent(self._rent), 0.0)
        self._cold_after = left / self._cost.saved
        if not _EXIT_HANDLER:
            _EXIT_HANDLER.append(keep_what_numpy_paths_cost)
            atexit.register(keep_what_numpy_paths_cost)
        _RENTING.append(self)

    @property
    def name(self) -> str:
        """The kernel's build function as ``module.qualified_name`` (its spend's file is named so)."""
        return f"{self._build.__module__}.{self._build.__qualname__}"

    @property
    def cost(self) -> CompileCost | None:
        """What compiling the kernel costs against what it saves a unit of its work (None: not weighed)."""
        return self._cost

    def numpy_seconds(self) -> float:
        """What this process's numpy path cost while numba's cache lacked the kernel (estimated:
        the work counted times the seconds the kernel saves a unit); 0 once compiled."""
        if self._cost is None or self._kernel is not None or self._held is not False:
            return 0.0
        return self._work * self._cost.saved

    def keep_spend(self) -> None:
        """Add this process's numpy spend since the last call to the runs' sum (:mod:`.rent`)."""
        seconds = self.numpy_seconds() - self._kept
        if self._rent is not None and seconds > 0:
            add_spent(self._rent, seconds)
            self._kept += seconds

    def _make(self) -> _F:
        """The build's result, made once (with the lock held), the dispatchers it made recorded:
        its own, not those of another kernel it made (:meth:`made`), whose place in numba's cache
        says nothing of its own. Counted as its own, the sentence bound's build, which makes the
        scores kernel, was taken as cached once the scores were: a job run again compiled the bound
        (8.4 s) in the run after the scores compiled, its numpy path having cost 0.7 s."""
        if self._built is None:
            with recording_dispatchers() as made:
                self._built = self._build()
            others = {id(dispatcher) for kernel in _MADE if kernel is not self for dispatcher in kernel._made}
            self._made = [dispatcher for dispatcher in made if id(dispatcher) not in others]
        return self._built

    def made(self) -> _F | None:
        """The kernel's dispatchers, made now if need be but not handed out to :meth:`get` (None
        without numba): for another kernel's build whose kernel calls them."""
        with self._lock:
            if self._kernel is None and importlib.util.find_spec("numba") is not None:
                return self._make()
        return self._kernel

    def compiled(self) -> _F | None:
        """The compiled kernel now, whatever the count (None without numba)."""
        with self._lock:
            self._missing = importlib.util.find_spec("numba") is None
            if self._kernel is None and not self._missing:
                self._kernel = self._make()
        return self._kernel

    def for_backend(self, backend: str, weight: int, work: Callable[[], float] | None = None) -> _F | None:
        """The kernel a ``backend`` setting asks for: None for ``numpy`` (the numpy path), for
        ``auto`` :meth:`get` (``weight`` and ``work`` counted), for ``numba`` the compiled kernel,
        refusing to run without numba."""
        if backend == "numpy":
            return None
        if backend == "auto":
            return self.get(weight, work)
        kernel = self.compiled()
        if kernel is None:  # numba is a core dependency: only a broken install lacks it
            raise MissingDependencyError("numba", None)
        return kernel


def made_kernels() -> list[LazyKernel[Any]]:
    """Every lazy kernel of the modules imported so far."""
    return list(_MADE)


def numpy_seconds_uncompiled() -> float:
    """What the numpy paths of kernels numba's cache lacks have cost this process so far (estimated:
    each kernel's work counted times what it saves a unit), the kernels compiled since left out."""
    return sum(kernel.numpy_seconds() for kernel in _RENTING)


def keep_what_numpy_paths_cost() -> None:
    """At exit: each kernel's numpy spend added to what earlier runs spent (:mod:`.rent`)."""
    for kernel in _RENTING:
        kernel.keep_spend()


def take_every_kernel() -> int:
    """Build now every lazy kernel of the modules imported so far, whatever the work asked of it (each
    one's numba dispatcher, which compiles, or loads from numba's cache, at its first call); returns
    how many there are."""
    for kernel in list(_MADE):
        kernel.compiled()
    return len(_MADE)
