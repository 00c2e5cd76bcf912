"""Taking an index's write lock so that writers take turns between batches.

SQLite's own wait for a lock backs off to one try every 100 ms. A writer whose next batch is
already prepared (``index add`` prepares it while it writes one) is back for the lock within
microseconds of its commit, so a writer waiting the SQLite way would almost never get its turn and
would fail at its busy timeout. Instead a writer tries every ``LOCK_RETRY`` seconds, and a writer
with more batches to write leaves the lock free for ``WRITER_TURN`` seconds after each commit.

Switching a new file to WAL mode needs the file to itself, and SQLite answers "busy" at once,
without its busy handler, while another process opens or creates the same file: two ``index add``
runs started together on a new index failed that way (5 of 30 paired runs) with a "waited 10 s"
that had not waited. Both statements go through ``when_free``.
"""

from __future__ import annotations

import sqlite3
import time

#: Seconds between two tries for the write lock: a fifth of ``WRITER_TURN``, so a waiting writer
#: tries about five times while the writer before it leaves the lock free.
LOCK_RETRY = 0.002
#: Seconds a writer with more batches leaves the lock free after each commit: 1.1 s over the 110
#: batches of an ``index add`` of 1M paragraphs (under 2 % of it), and the next batch is prepared
#: meanwhile, so it costs nothing when preparing is the slower half (100k paragraphs).
WRITER_TURN = 0.01


def begin_writing(con: sqlite3.Connection, timeout: float) -> None:
    """``BEGIN IMMEDIATE`` on ``con``, waiting up to ``timeout`` seconds for the write lock."""
    when_free(con, "BEGIN IMMEDIATE", timeout)


def when_free(con: sqlite3.Connection, statement: str, timeout: float) -> sqlite3.Cursor:
    """``statement`` on ``con``, tried every ``LOCK_RETRY`` seconds for ``timeout`` seconds while
    SQLite answers busy; past it, SQLite's busy error is raised. ``con``'s own busy timeout is
    ``timeout`` again after."""
    deadline = time.monotonic() + timeout
    con.execute("PRAGMA busy_timeout = 0")
    try:
        while True:
            try:
                return con.execute(statement)
            except sqlite3.OperationalError as exc:
                code = getattr(exc, "sqlite_errorname", "") or ""
                if not code.startswith("SQLITE_BUSY") or time.monotonic() >= deadline:
                    raise
            time.sleep(LOCK_RETRY)
    finally:
        con.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
