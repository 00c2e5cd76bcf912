"""Each Dask task's kernels on one thread.

Dask runs as many tasks at once as its workers have threads, and ``syndidetect scan --dask local``
starts one single-threaded worker per core: a task whose kernels started helper threads of their
own (two on a machine of several cores) put twice as many busy threads on the cores as there are
cores, to contend for them. Dask's nanny starts its workers with ``OMP_NUM_THREADS=1`` for the same
reason. ``benchmarks.dask_scaling``'s Dask side at 100,000 paragraphs on two cores, alternated with
the kernels free to start helpers: faster in 3 of 4 pairs (medians 12.6 -> 12.1 s), the one
slower by 1.0 s; within this machine's drift, but in the direction the reason predicts.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from syndidetect._kernels.threads import threads_at_most

_P = ParamSpec("_P")
_R = TypeVar("_R")


def on_one_thread(task: Callable[_P, _R]) -> Callable[_P, _R]:
    """``task`` with its kernels on the calling thread alone (see the module's note); the name and
    module stay ``task``'s, so Dask pickles it by reference."""

    @functools.wraps(task)
    def one_thread(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with threads_at_most(1):
            return task(*args, **kwargs)

    return one_thread
