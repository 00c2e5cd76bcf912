"""Python's cyclic garbage collector paused around bulk work.

Detection keeps millions of small containers alive until it ends (a list of stems a sentence, a
Paragraph a paragraph). Every collection of the oldest generation walks all of them again, although
they are freed by reference counting and form no cycles: with the collector on, ``sd.detect`` of
100k paragraphs took 48.8 s wall, with it off 37.6 s, and both runs' collections found 10 objects
in cycles (``python -m benchmarks.scaling`` style run, see ``benchmarks/README.md``).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic collector off, and turn it back on after if it was on.

    Nested or concurrent blocks are safe: a block that finds the collector already off leaves it
    alone, so at worst a block runs with the collector on. Reference counting still frees all
    acyclic garbage at once; cycles made inside the block wait for the next collection after it.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
