"""How each task of the Dask graph runs: its kernels on its own thread, the cyclic collector paused,
what its numpy paths cost kept.

**Kernels on one thread.** Dask runs as many tasks at once as its workers have threads, and
``syndidetect scan --dask local`` starts one single-threaded worker per core: a task whose kernels
started helper threads of their own (two on a machine of several cores) put twice as many busy
threads on the cores as there are cores, to contend for them. Dask's nanny starts its workers with
``OMP_NUM_THREADS=1`` for the same reason. ``benchmarks.dask_scaling``'s Dask side at 100,000
paragraphs on two cores, alternated with the kernels free to start helpers: faster in 3 of 4 pairs
(medians 12.6 -> 12.1 s), the one slower by 1.0 s; within this machine's drift, but in the
direction the reason predicts.

**The collector paused** (:func:`~syndidetect.collector.collector_paused`), as the in-process
detector pauses it: a task makes and keeps many small containers (the documents it loads, their
paragraphs, the pairs' passages), and in a worker, which also holds Dask's own objects, each
collection walked them. Alternated three times at 100,000 paragraphs, the Dask side took 6.0-6.4 s
against 7.4-7.6 s (``benchmarks.dask_scaling``); with Dask's synchronous scheduler, one task's
passages (``verify_batch.aligned_together``) took 0.34 s against 1.03 s.

**What the numpy paths cost, kept after each task** (:func:`~syndidetect._kernels.lazy.
keep_what_numpy_paths_cost`). A kernel numba's cache lacks runs its numpy path until that has cost
what compiling would, counting what earlier runs spent (:mod:`syndidetect._kernels.rent`), which a
process adds at exit. A worker Dask closes runs its exit handlers (``scan --dask local``: checked),
but one that is killed (a signal, its nanny's memory limit) runs none, and its spend was lost. A
task adds only what is new since the last one, and nothing when no kernel is waiting (a warm
cache): a loop over an empty list.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from syndidetect._kernels.lazy import keep_what_numpy_paths_cost
from syndidetect._kernels.threads import threads_at_most
from syndidetect.collector import collector_paused

_P = ParamSpec("_P")
_R = TypeVar("_R")


def dask_task(task: Callable[_P, _R]) -> Callable[_P, _R]:
    """``task`` as the Dask graph runs it (see the module's note); the name and module stay
    ``task``'s, so Dask pickles it by reference."""

    @functools.wraps(task)
    def as_task(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            with threads_at_most(1), collector_paused():
                return task(*args, **kwargs)
        finally:
            keep_what_numpy_paths_cost()

    return as_task
