"""A batch kernel's items shared between two threads: the kernels are compiled ``nogil``, so the
second core works while the first does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def on_two_threads(kernel: Callable[..., None], args: tuple[Any, ...]) -> None:
    """``kernel(*args, first, 2)`` for the even items here and the odd ones in a second thread; an
    error in either is raised here (a half left undone would read as a result)."""
    import threading  # here: only batches need it

    failed: list[BaseException] = []

    def odd_items() -> None:
        try:
            kernel(*args, 1, 2)
        except BaseException as exc:  # handed to the calling thread
            failed.append(exc)

    helper = threading.Thread(target=odd_items, daemon=True)  # daemon: an interrupted caller need not wait
    helper.start()
    kernel(*args, 0, 2)
    helper.join()
    if failed:
        raise failed[0]
