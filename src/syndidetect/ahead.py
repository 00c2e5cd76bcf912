"""Work on a stream of batches done ahead, in a second thread, while the caller uses the batches
before: ``index add`` prepares and encodes the next batches while it writes one, so both cores
work. Verification uses it too (:func:`computed_ahead` for the screen's first merge joins, and
:class:`Background` for each batch's compiled sentence bound), as its Python leaves a core idle.

Preparing a batch (splitting; the parallel MinHash kernel) and writing the one before (SQLite's
statements and commits; numpy's sorts when runs merge) both spend much of their time outside the
GIL. The caller keeps the SQLite connection (it stays in the thread that made it), so batches are
still written, and committed, one at a time and in order.

One worker thread computes the batches in order, one at a time (numba's parallel kernels must not be
entered from two threads at once), up to ``BATCHES_AHEAD`` batches ahead of the one the caller
holds. The writer's batches take uneven times (a merge of runs after some of them), so with one
batch ahead the worker sat idle through a merge and the writer waited for it after.
The worker is a daemon thread: a command stopped by Ctrl-C or an error exits at once instead of
waiting for the batch under way (a ``ThreadPoolExecutor`` is joined at exit: with numba's cache
empty, that was its whole compile, 15 s). numba writes its cache files atomically, so a compile cut
short leaves no broken file.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

_B = TypeVar("_B")
_R = TypeVar("_R")

#: Batches computed ahead of the one the caller holds.
BATCHES_AHEAD = 2


class _Ahead(Generic[_B, _R]):
    """A batch handed to the worker, and what computing it gave (or raised), once ``done`` is set."""

    def __init__(self, batch: _B) -> None:
        self.batch = batch
        self.result: _R | None = None
        self.error: BaseException | None = None
        self.cancelled = False  # the caller left early: not computed
        self.done = threading.Event()


class _Worker(Generic[_B, _R]):
    """A daemon thread computing the batches handed to it, in order, until told to stop."""

    def __init__(self, compute: Callable[[_B], _R]) -> None:
        self._compute = compute
        self._todo: queue.SimpleQueue[_Ahead[_B, _R] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="syndidetect-ahead", daemon=True)
        self._thread.start()

    def hand(self, batch: _B) -> _Ahead[_B, _R]:
        item: _Ahead[_B, _R] = _Ahead(batch)
        self._todo.put(item)
        return item

    def stop(self) -> None:
        """No more batches: the thread ends after the ones handed to it (nothing waits for it)."""
        self._todo.put(None)

    def _run(self) -> None:
        failed = False
        while (item := self._todo.get()) is not None:
            if not (failed or item.cancelled):  # after an error the caller stops: no batch after it is computed
                try:
                    item.result = self._compute(item.batch)
                except BaseException as exc:  # handed to the caller's thread, raised there
                    item.error, failed = exc, True
            item.done.set()
            del item  # what was computed is the caller's alone


def computed_ahead(batches: Iterable[_B], compute: Callable[[_B], _R]) -> Iterator[tuple[_B, _R]]:
    """Each batch with ``compute(batch)``, in order; while the caller works on one, the next ones
    (``BATCHES_AHEAD``) are computed in a second thread (``batches`` itself is iterated by the
    caller's thread). An error computing a batch is raised where that batch would have been
    yielded. Closing the iterator early leaves at most the batches handed over to finish, in a
    thread nothing waits for."""
    worker: _Worker[_B, _R] = _Worker(compute)
    handed: deque[_Ahead[_B, _R]] = deque()
    try:
        for batch in batches:
            handed.append(worker.hand(batch))
            if len(handed) > BATCHES_AHEAD:
                yield _taken(handed.popleft())
        while handed:
            yield _taken(handed.popleft())
    finally:
        for item in handed:  # left early: the batches not yet begun are not computed
            item.cancelled = True
        worker.stop()


class Background(Generic[_R]):
    """Jobs run one after the other in a daemon thread, each one's result taken when wanted
    (:meth:`run`, then the returned function): a compiled call that holds no GIL runs there while
    the caller's thread goes on in Python. :meth:`close` when no more jobs come (those handed over
    still run, nothing waits for them)."""

    def __init__(self) -> None:
        self._worker: _Worker[Callable[[], _R], _R] = _Worker(lambda job: job())

    def run(self, job: Callable[[], _R]) -> Callable[[], _R]:
        """Hand ``job`` over; the function returned waits for its result (raising what it raised)."""
        item = self._worker.hand(job)
        return lambda: _taken(item)[1]

    def close(self) -> None:
        self._worker.stop()


def _taken(item: _Ahead[_B, _R]) -> tuple[_B, _R]:
    item.done.wait()
    if item.error is not None:
        raise item.error
    return item.batch, item.result  # type: ignore[return-value]  # set when no error was raised
