"""A batch kernel's items shared between threads: the kernels are compiled ``nogil``, so the other
cores work while the first does."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from itertools import chain, islice
from typing import Any, TypeVar

_T = TypeVar("_T")
_R = TypeVar("_R")  # what a kernel's share returns

#: Items each thread gets, at least, when work is cut for several threads: the last item to finish
#: leaves the others idle for at most its own time, so at most about a quarter of a thread's share.
ITEMS_PER_THREAD = 4

# The most threads a call's kernels may use, when something outside sets it (:func:`threads_at_most`):
# a Dask task, whose scheduler already runs as many tasks at once as the workers have threads.
_THREADS_ALLOWED: ContextVar[int | None] = ContextVar("syndidetect_threads_allowed", default=None)


@contextmanager
def threads_at_most(count: int) -> Iterator[None]:
    """Within this block, in this thread, kernels use at most ``count`` threads (this one
    included): :func:`threads_for`, :func:`kernel_threads` and :func:`machine_threads` say so. A
    block inside another keeps the outer limit when that is lower. Threads started here are not
    bound by it (a kernel's helpers never ask)."""
    outer = _THREADS_ALLOWED.get()
    token = _THREADS_ALLOWED.set(max(1, count if outer is None else min(count, outer)))
    try:
        yield
    finally:
        _THREADS_ALLOWED.reset(token)


def machine_threads() -> int:
    """Threads a call may share its work between: the machine's cores, or fewer within
    :func:`threads_at_most`."""
    return _allowed(os.cpu_count() or 1)


def _allowed(threads: int) -> int:
    """``threads``, or fewer within :func:`threads_at_most`."""
    limit = _THREADS_ALLOWED.get()
    return threads if limit is None else min(threads, limit)


def kernel_on_threads(kernel: Callable[..., _R], args: tuple[Any, ...], threads: int) -> list[_R]:
    """``kernel(*args, first, threads)`` for each ``first`` in ``range(threads)``, each on a thread
    (this one and helpers, :func:`each_on_threads`), the results in order of ``first``: a kernel
    whose share ``first`` is its items ``first, first + threads, ...``. An error in any share is
    raised here (a share left undone would read as a result)."""
    results: dict[int, _R] = {}

    def share(first: int) -> None:
        results[first] = kernel(*args, first, threads)

    each_on_threads(share, threads, threads)
    return [results[first] for first in range(threads)]


def threads_for(items: int, least: int) -> int:
    """Two threads for a call of ``items`` items, at least ``least`` of them (below, starting the
    second thread costs more than it saves), on a machine of more than one core; else one."""
    return 2 if items >= least and machine_threads() > 1 else 1


def each_on_threads(work: Callable[[int], None], count: int, threads: int) -> None:
    """``work(k)`` for every ``k`` in ``range(count)``, taken in order by ``threads`` threads (this
    one and helpers) as each finishes its last: items of unequal cost balance themselves.

    The first error stops every thread from taking another item and is raised here once the helpers
    have finished the items under way (a Ctrl-C while this thread waits for them is raised at once:
    the helpers are daemons, and the caller drops what they write)."""
    if threads <= 1 or count <= 1:
        for k in range(count):
            work(k)
        return
    each_item_on_threads(lambda k, _: work(k), range(count), min(threads, count))


def each_item_on_threads(work: Callable[[int, _T], None], items: Iterable[_T], threads: int) -> None:
    """``work(k, item)`` for the ``k``-th item of ``items``, as :func:`each_on_threads` does for a
    count: the threads take items in turn, each drawing the next one from ``items`` (one thread
    at a time) when it is free, so an iterator that builds its items (a batch of texts) builds them
    only as fast as they are worked on, and at most ``threads`` of them are held at once."""
    numbered: Iterator[tuple[int, _T]] = enumerate(items)
    first_two = list(islice(numbered, 2))
    if threads <= 1 or len(first_two) < 2:  # one item: this thread alone (a helper's arena stays empty)
        for k, item in chain(first_two, numbered):
            work(k, item)
        return
    numbered = chain(first_two, numbered)
    import threading  # here: only batches need it

    lock = threading.Lock()
    failed: list[BaseException] = []

    def take_items() -> None:
        while True:
            try:
                with lock:
                    if failed:
                        return
                    taken = next(numbered, None)
                if taken is None:
                    return
                work(*taken)
            except BaseException as exc:  # an item's work or the iterator's: handed to the calling thread
                with lock:
                    failed.append(exc)
                return

    helpers = [threading.Thread(target=take_items, daemon=True) for _ in range(threads - 1)]
    for helper in helpers:
        helper.start()
    take_items()
    for helper in helpers:
        helper.join()
    if failed:
        raise failed[0]


def kernel_threads() -> int:
    """Threads a batch kernel's items may share: as many as numba's parallel loops would use
    (``NUMBA_NUM_THREADS``, by default the machine's cores), or fewer within :func:`threads_at_most`.
    Read from numba's configuration: ``numba.get_num_threads`` would start its threading layer,
    which nothing here uses."""
    from syndidetect._kernels.jit import imported_numba  # here: numba is imported by then, for the kernels

    config: Any = imported_numba().config  # its settings are set at import, so numba's stubs do not name them
    return _allowed(int(config.NUMBA_NUM_THREADS))
