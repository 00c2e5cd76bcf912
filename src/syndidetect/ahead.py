"""Work on a stream of batches done one batch ahead, in a second thread, while the caller uses the
batch before: ``index add`` prepares and encodes the next batch while it writes one, so both cores
work.

Preparing a batch (splitting; the parallel MinHash kernel) and writing the one before (SQLite's
statements and commits; numpy's sorts when runs merge) both spend much of their time outside the
GIL. The caller keeps the SQLite connection (it stays in the thread that made it), so batches are
still written, and committed, one at a time and in order.

Each batch is computed in a daemon thread, started once the batch before it is done: one batch is
computed at a time (numba's parallel kernels must not be entered from two threads at once), and a
command stopped by Ctrl-C or an error exits at once instead of waiting for the batch under way (a
``ThreadPoolExecutor`` is joined at exit: with numba's cache empty, that was its whole compile, 15
s). numba writes its cache files atomically, so a compile cut short leaves no broken file.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

_B = TypeVar("_B")
_R = TypeVar("_R")


class _Computing(Generic[_B, _R]):
    """``compute(batch)`` running in a daemon thread."""

    def __init__(self, compute: Callable[[_B], _R], batch: _B) -> None:
        self.batch = batch
        self._result: _R | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(compute,), name="syndidetect-ahead", daemon=True)
        self._thread.start()

    def _run(self, compute: Callable[[_B], _R]) -> None:
        try:
            self._result = compute(self.batch)
        except BaseException as exc:  # handed to the caller's thread, raised there
            self._error = exc

    def result(self) -> _R:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result  # type: ignore[return-value]  # set when no error was raised


def computed_ahead(batches: Iterable[_B], compute: Callable[[_B], _R]) -> Iterator[tuple[_B, _R]]:
    """Each batch with ``compute(batch)``, in order; while the caller works on one, the next is
    computed in a second thread (``batches`` itself is iterated by the caller's thread). An error
    computing a batch is raised where that batch would have been yielded. Closing the iterator early
    leaves at most the batch under way to finish, in a thread nothing waits for."""
    ahead: _Computing[_B, _R] | None = None
    for batch in batches:
        if ahead is None:
            ahead = _Computing(compute, batch)
            continue
        done = ahead.batch, ahead.result()
        ahead = _Computing(compute, batch)  # only once the one before is done
        yield done
        del done  # the caller is done with it: holding it until the next yield kept two batches
    if ahead is not None:
        yield ahead.batch, ahead.result()
