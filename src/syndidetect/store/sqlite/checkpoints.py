"""A writer's WAL checkpoints, run in a second thread so that its commits do not wait for them.

In WAL mode a commit appends the transaction's pages to the ``-wal`` file, and a checkpoint copies
them into the index file and syncs it. SQLite checkpoints in the committing connection once the WAL
holds ``wal_autocheckpoint`` pages (1000 by default: 64 MB at our page size): an ``index add`` of 1M
paragraphs spent about 5 s of its commits there, in the thread that writes the batches. A writer
here hands its checkpoints to a thread with a connection of its own, woken after each of its
commits: the commits of that ``index add`` took 1.6-1.9 s instead of 5.0-5.2 s, and the whole add
22.0 s instead of 23.1 s in one alternated pair (the checkpoints' copying now competes with
preparing the next batch, which became the slower half); at 100k paragraphs, where preparing is
the slower half, no change (2.54 against 2.63 s, medians of 8 alternated runs). A PASSIVE
checkpoint blocks neither the writer nor readers, and only copies committed pages, so what a crash
can lose is unchanged.

The writer keeps SQLite's own checkpoint, at ``BACKSTOP_PAGES``, in case the thread falls behind
(the WAL file stays bounded), and closes its connection after the thread's: the last connection to
close checkpoints what is left and removes the WAL file, as before.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading

#: WAL pages (64 KB each) past which the writer checkpoints in its own thread after all: four times
#: SQLite's default, so it only does when the checkpoint thread is behind by about 4 batches.
BACKSTOP_PAGES = 4000


class Checkpoints:
    """Checkpoints of the index at ``uri`` in a daemon thread, started on the first :meth:`nudge`."""

    def __init__(self, uri: str, timeout: float) -> None:
        self._uri, self._timeout = uri, timeout
        self._wanted = threading.Event()
        self._closing = False
        self._thread: threading.Thread | None = None

    def nudge(self) -> None:
        """A commit happened: checkpoint soon (commits made meanwhile share one checkpoint)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="syndidetect-checkpoints", daemon=True)
            self._thread.start()
        self._wanted.set()

    def close(self) -> None:
        """Stop the thread after the checkpoint under way, if any (idempotent)."""
        self._closing = True
        self._wanted.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        try:
            con = sqlite3.connect(self._uri, uri=True, timeout=self._timeout, isolation_level=None)
        except sqlite3.Error:
            return  # the writer's own checkpoints still run
        try:
            while True:
                self._wanted.wait()
                self._wanted.clear()
                if self._closing:
                    return
                # Busy (another process's checkpoint under way) or a full disk: the writer's backstop copes.
                with contextlib.suppress(sqlite3.Error):
                    con.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            con.close()
