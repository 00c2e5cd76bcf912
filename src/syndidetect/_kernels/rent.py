"""What a kernel's numpy path has cost while numba's cache lacked the kernel, kept across runs.

:mod:`.lazy` compiles a kernel the cache lacks once its numpy path has cost what the compile would
(the ski rental's rule). Counted in one process only, a user who runs the same middling job again
and again would pay the numpy path every time and never compile: each run stops short of the
count. So each process adds what it spent to a small file beside numba's cache of the kernel, and
the next process starts from that sum. The file is stamped with the kernel's source file (its
modification time and size, as numba stamps its cache): an upgrade starts from nothing, as numba's
cache does. Two processes ending at once may lose one's addition: the compile then comes a run
later, nothing worse. A file that cannot be read or written counts as nothing spent.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import NamedTuple


class RentPlace(NamedTuple):
    """Where a kernel's spend is kept, and the stamp of the source it belongs to."""

    path: Path
    stamp: tuple[float, int]  # the kernel's source file: modification time (s) and size (bytes)


def place_for(cache_folder: str, kernel_name: str, source: str) -> RentPlace | None:
    """The place of ``kernel_name``'s spend in numba's ``cache_folder`` for that kernel, stamped with
    its ``source`` file; None if the source cannot be read."""
    try:
        info = os.stat(source)
    except OSError:
        return None
    return RentPlace(Path(cache_folder) / f"syndidetect-rent-{kernel_name}.json", (info.st_mtime, info.st_size))


def spent(place: RentPlace) -> float:
    """Seconds the kernel's numpy path has cost in earlier runs of this source (0 if unknown)."""
    try:
        kept = json.loads(place.path.read_text("utf-8"))
        if tuple(kept["stamp"]) == place.stamp:
            return max(float(kept["seconds"]), 0.0)
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return 0.0


def add_spent(place: RentPlace, seconds: float) -> None:
    """Add ``seconds`` to the kept spend, the file replaced whole (never left half written)."""
    import tempfile  # here, not at the top: it costs every import of the package ~10 ms (see jit)

    text = json.dumps({"stamp": list(place.stamp), "seconds": spent(place) + seconds})
    with contextlib.suppress(OSError):
        handle, temporary = tempfile.mkstemp(dir=place.path.parent, prefix=".rent-")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(temporary, place.path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
