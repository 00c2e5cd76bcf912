"""The posting runs a writer keeps in memory, laid end to end in one array, oldest first.

A writer keeps the packed entries of the runs it wrote, so that merging them reads nothing back
(``runs.PostingRuns.merge``). A merge takes the newest runs, which are then the array's tail: it
sorts that tail in place and keeps the merged run there. Kept as one array per run, each merge
first joined its runs into a new array of the merged size (512 MB for the 64M entries of an
``index add`` of 1M paragraphs): 2.45 s of a 35.5 s add, timed inside it, and a second copy of the
entries at the merge's peak. Writing the runs into this array's new pages costs about as much (2.5
s in the same harness): in 5 alternated pairs an add of 1M paragraphs took 25.1-31.8 s against
26.3-30.8 s (slower by 0.9-1.6 s in four pairs, faster by 5.3 s in one: within this machine's
drift), at a peak RSS 20-145 MB lower in every pair (2.19-2.25 against 2.24-2.33 GB), and wrote the
same index, row for row.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

#: Entries the array starts with (8 MB): about two batches of ``index add`` (4 MB of text each).
_FIRST_ENTRIES = 1 << 20


class KeptRuns:
    """Packed entries of runs by run id, in one array in the order the runs were added."""

    def __init__(self, most: int) -> None:
        #: Entries kept at most: a run that would pass it is not kept (a merge reads it back).
        self.most = most
        self._data = np.empty(0, dtype=np.uint64)
        self._spans: dict[int, tuple[int, int]] = {}  # run -> (start, end) in _data, oldest first
        self._end = 0

    def __contains__(self, run: int) -> bool:
        return run in self._spans

    def __len__(self) -> int:
        """Entries kept."""
        return self._end

    def clear(self) -> None:
        """Forget every run (the array stays, for the runs kept next)."""
        self._spans.clear()
        self._end = 0

    def keep(self, run: int, packed: npt.NDArray[np.uint64]) -> bool:
        """Keep ``packed`` as ``run``'s entries after those kept so far, unless that would pass
        :attr:`most`; whether it is kept. ``packed`` may be the array's own tail (what
        :meth:`take_newest` gave): numpy skips assigning an array to its own memory, so it is then
        kept where it is, not copied."""
        end = self._end + len(packed)
        if end > self.most:
            return False
        if end > len(self._data):
            # The first runs in a small array (a library's few documents), then at once all the
            # room: its pages cost only once written, and growing by steps would write every
            # entry again into new pages at each step (a fresh page costs more than the copy).
            grown = np.empty(max(end, _FIRST_ENTRIES) if not len(self._data) else self.most, dtype=np.uint64)
            grown[: self._end] = self._data[: self._end]
            self._data = grown
        self._data[self._end : end] = packed
        self._spans[run] = (self._end, end)
        self._end = end
        return True

    def take_newest(self, runs: Sequence[int]) -> npt.NDArray[np.uint64] | None:
        """The entries of ``runs``, one after the other, when they are the runs kept last, in that
        order (a merge's), as a view of the array's tail, which they no longer hold; else None
        and nothing changes."""
        if not runs or list(self._spans)[-len(runs) :] != list(runs):
            return None
        start, end = self._spans[runs[0]][0], self._end  # the runs' spans follow each other
        for run in runs:
            del self._spans[run]
        self._end = start
        return self._data[start:end]
