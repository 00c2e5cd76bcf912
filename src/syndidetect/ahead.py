"""Work on a stream of batches done one batch ahead, in a second thread, while the caller uses the
batch before: ``index add`` prepares and encodes the next batch while it writes one, so both cores
work.

Preparing a batch (splitting; the parallel MinHash kernel) and writing the one before (SQLite's
statements and commits; numpy's sorts when runs merge) both spend much of their time outside the
GIL. The caller keeps the SQLite connection (it stays in the thread that made it), so batches are
still written, and committed, one at a time and in order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

_B = TypeVar("_B")
_R = TypeVar("_R")


def computed_ahead(batches: Iterable[_B], compute: Callable[[_B], _R]) -> Iterator[tuple[_B, _R]]:
    """Each batch with ``compute(batch)``, in order; while the caller works on one, the next is
    computed in a worker thread (``batches`` itself is iterated by the caller's thread). An error
    computing a batch is raised where that batch would have been yielded. Closing the iterator
    early cancels what has not started; a batch under way finishes in the worker."""
    pool = ThreadPoolExecutor(1, thread_name_prefix="syndidetect-ahead")
    try:
        ahead: tuple[_B, Future[_R]] | None = None
        for batch in batches:
            following = (batch, pool.submit(compute, batch))
            if ahead is not None:
                yield ahead[0], ahead[1].result()
            ahead = following
        if ahead is not None:
            yield ahead[0], ahead[1].result()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
