"""Python's cyclic garbage collector paused around bulk work.

Detection keeps millions of small containers alive until it ends (a tuple of stems a sentence, a
Paragraph a paragraph). Every collection of the oldest generation walks all of them again, although
reference counting frees them and they form no cycles: timed with ``gc.callbacks``, ``sd.detect`` of
100k paragraphs (``benchmarks.scaling``'s corpus) spent 1.66 s of 47.6 s in 2,172 collections, 7 of
them full, which found 10 objects in cycles; at 1M paragraphs 20.2 s of 671.6 s (17 full ones). A
full collection's cost grows with everything alive.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class _Pauses:
    """The blocks running now, across threads: the collector comes back on when the last of them
    ends, if the first found it on (a Dask worker of several threads runs several tasks at once)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.restore = False


_PAUSES = _Pauses()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic collector off, and turn it back on after if it was on.

    Nested or concurrent blocks are safe: the collector stays off until the last block running
    ends, and comes back on then if it was on when the first began; a block that ends while others
    run collects the young generations once. Reference counting still frees all acyclic garbage at
    once; cycles made inside the blocks wait for the next collection after them.

    Before turning it on, everything tracked moves to the oldest generation (``gc.freeze`` then
    ``gc.unfreeze``: two list splices, no walk). Otherwise all the block made and kept would still be
    young, and the first young collection after the block would walk it: 38-48 ms of a ``detect``
    of 20k one-paragraph documents, 0.15 s of one of 100k paragraphs (timed with ``gc.callbacks``).
    Objects of the caller's that were young move too: a cycle among them is found at the next full
    collection rather than a young one. Not done when objects are frozen already (the command line
    freezes what its imports made, so that no full collection walks them): ``gc.unfreeze`` would
    thaw them too.
    """
    with _PAUSES.lock:
        if not _PAUSES.running:
            _PAUSES.restore = gc.isenabled()
            gc.disable()
        _PAUSES.running += 1
    try:
        yield
    finally:
        with _PAUSES.lock:
            _PAUSES.running -= 1
            others, restore = _PAUSES.running, _PAUSES.restore
            if not others and restore:
                if not gc.get_freeze_count():  # else someone froze objects for good (the command line)
                    gc.freeze()
                    gc.unfreeze()
                gc.enable()
        if others and restore:
            # Blocks of other threads still run, and a worker's tasks may overlap for the whole
            # job: the young generations are collected now, once a block, so that cycles made
            # meanwhile do not wait for a moment with none running (outside the lock: a finalizer
            # may open a block).
            gc.collect(1)
