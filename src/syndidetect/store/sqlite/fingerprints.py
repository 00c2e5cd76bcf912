"""The exact paragraph fingerprints of an index, for boilerplate counts, as sorted runs.

Each batch writes one run of its ``(fp, doc)`` entries: ``fp`` a paragraph's 64-bit exact-repeat
fingerprint (``boilerplate.paragraph_fingerprints``), one entry per distinct nonzero fingerprint of
a document, sorted by fingerprint then document and grouped into buckets of about 32 entries
(:func:`.run_tables.bucket_bits`, ``run_tables.FINGERPRINT_BUCKET``): bucket ``fp >> (64 - bits)``, one ``fpbucket``
row ``(run, bucket, data)`` per bucket, ``data`` the bucket's entries as little-endian ``(uint64
fp, uint32 doc)``; ``fprun`` lists the runs. A count reads one bucket per fingerprint and run. Runs
merge as the postings' do (:func:`.run_tables.merge_start`, past ``run_tables.MAX_RUNS`` runs after
a batch and when the writer closes), dropping removed documents; until then a count skips
documents no longer stored.

Why runs and not a ``(fp, doc)`` table (format version 2): fingerprints are random, so a batch's
rows landed all over a B-tree of up to a million rows, and each commit rewrote most of its pages.
At 1M paragraphs that table's inserts and commits took 30 of the 39 s SQLite alone took to write
the index's rows (``sqlite_floor`` in ``benchmarks.test_index``); a run is written once and then
only by merges, which read and write it sequentially.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from itertools import chain
from typing import Any

import numpy as np
import numpy.typing as npt

from syndidetect import arrays
from syndidetect.boilerplate import paragraph_fingerprints
from syndidetect.prepared import PreparedDocument
from syndidetect.store.sqlite import run_tables

FP_ENTRY = np.dtype([("fp", "<u8"), ("doc", "<u4")])  # packed: 12 bytes

#: ``(fingerprints, rowids)``, sorted by fingerprint then rowid.
Entries = tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]


def fingerprint_entries(docs: Sequence[PreparedDocument]) -> Entries:
    """The entries of ``docs``, each one's distinct nonzero fingerprints, its position in ``docs``
    in place of its rowid (sorted by fingerprint then position: by rowid too, as rowids grow)."""
    prints = [paragraph_fingerprints(doc) for doc in docs]
    owners = np.repeat(np.arange(len(docs), dtype=np.int64), [len(p) for p in prints])
    return distinct_entries(np.fromiter(chain.from_iterable(prints), dtype=np.uint64, count=len(owners)), owners)


def distinct_entries(fps: npt.NDArray[np.uint64], owners: npt.NDArray[np.int64]) -> Entries:
    """Entries of paragraph fingerprints ``fps`` whose documents are ``owners`` (positions): each
    document's distinct nonzero fingerprints, sorted by fingerprint then position."""
    kept = fps != 0
    fp, owner = fps[kept], owners[kept]
    order = np.lexsort((owner, fp))
    fp, owner = fp[order], owner[order]
    first = np.ones(len(fp), dtype=np.bool_)  # the first of each (fingerprint, document)
    first[1:] = (fp[1:] != fp[:-1]) | (owner[1:] != owner[:-1])
    return fp[first], owner[first]


def _buckets(fp: npt.NDArray[np.uint64], bits: int) -> npt.NDArray[np.int64]:
    if not bits:  # a shift by 64 is not 0 in numpy
        return np.zeros(len(fp), dtype=np.int64)
    return (fp >> np.uint64(64 - bits)).astype(np.int64)


def _empty() -> Entries:
    return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)


def _decode(blobs: Sequence[Any]) -> Entries:
    """The entries of ``fpbucket`` data BLOBs, in order."""
    entries, _ = run_tables.run_entries(blobs, FP_ENTRY, "fpbucket")
    return entries["fp"].copy(), entries["doc"].astype(np.int64)


class FingerprintRuns:
    """The ``fprun`` and ``fpbucket`` tables of one connection; every method runs inside the
    caller's transaction. ``live``: the rowids of the documents still stored."""

    def __init__(self, con: sqlite3.Connection, live: Callable[[], npt.NDArray[np.int64]]) -> None:
        self._con, self._live = con, live
        #: Whether this connection added runs since it was opened (its owner merges them on closing).
        self.pending = False

    def runs(self) -> list[tuple[int, int, int]]:
        """``(run, bits, entries)`` of every run, oldest first (:func:`.run_tables.checked_runs`)."""
        return run_tables.checked_runs(self._con, "fprun", "fpbucket")

    def add(self, fp: npt.NDArray[np.uint64], doc: npt.NDArray[np.int64]) -> None:
        """Store entries sorted by fingerprint then rowid as one new run, then merge past
        ``run_tables.MAX_RUNS`` runs."""
        self._store(fp, doc)
        self.pending = True
        self.merge(run_tables.MAX_RUNS)  # read when called: one knob for both kinds of runs

    def merge(self, spare: int = 0) -> None:
        """Merge the newest runs as :func:`.run_tables.merge_start` says, dropping removed documents;
        ``spare``: only while there are more runs than that (0: always)."""
        while True:
            runs = self.runs()
            start = run_tables.merge_start([count for _, _, count in runs]) if len(runs) > spare else None
            if start is None:
                return
            merged = runs[start:]
            fp, doc = self.read(merged)
            for run, _, _ in merged:
                self._con.execute("DELETE FROM fpbucket WHERE run = ?", (run,))
                self._con.execute("DELETE FROM fprun WHERE run = ?", (run,))
            # Each run is sorted, and a rowid is in one run only, older runs holding smaller rowids:
            # a stable sort by fingerprint keeps each fingerprint's rowids in order.
            order = np.argsort(fp, kind="stable")
            order = order[run_tables.alive(doc, self._live())[order]]
            self._store(fp[order], doc[order])

    def read(self, runs: Sequence[tuple[int, int, int]]) -> Entries:
        """All entries of ``(run, bits, entries)`` runs, run after run."""
        parts = []
        for run, _, count in runs:
            blobs = [row[0] for row in self._con.execute(
                "SELECT data FROM fpbucket WHERE run = ? ORDER BY bucket", (run,))]
            parts.append(_decode(blobs))
            if len(parts[-1][0]) != count:  # a row deleted or added by hand
                raise ValueError(f"fingerprint run {run} holds {len(parts[-1][0])} entries, its row says {count}")
        if not parts:
            return _empty()
        return np.concatenate([fp for fp, _ in parts]), np.concatenate([doc for _, doc in parts])

    def _store(self, fp: npt.NDArray[np.uint64], doc: npt.NDArray[np.int64]) -> None:
        """Entries sorted by fingerprint as one run (none when there are none)."""
        if not len(fp):
            return
        bits = run_tables.bucket_bits(len(fp), 1, run_tables.FINGERPRINT_BUCKET)
        data = np.empty(len(fp), dtype=FP_ENTRY)
        data["fp"], data["doc"] = fp, doc  # rowids < 2**32: PostingRuns refuses more first
        cursor = self._con.execute("INSERT INTO fprun (bits, entries) VALUES (?, ?)", (bits, len(fp)))
        run_tables.insert_buckets(self._con, "fpbucket", int(cursor.lastrowid or 0), _buckets(fp, bits), data)

    def lookup(self, wanted: npt.NDArray[np.uint64]) -> Entries:
        """The entries holding one of the ``wanted`` fingerprints (ascending, distinct), removed
        documents included (the caller keeps the live ones)."""
        runs = self.runs()
        if not len(wanted) or not runs:
            return _empty()
        # arrays, not np.unique and np.isin: those import numpy.ma (about 19 ms of a one-shot check)
        keys = arrays.distinct(np.concatenate([(np.int64(run) << 40) | _buckets(wanted, bits)
                                               for run, bits, _ in runs]))
        cursor = self._con.cursor()
        cursor.row_factory = None
        rows = cursor.execute("SELECT p.data FROM json_each(?) q JOIN fpbucket p "
                              "ON p.run = q.value >> 40 AND p.bucket = q.value & 1099511627775",
                              (json.dumps(keys.tolist()),)).fetchall()
        if not rows:
            return _empty()
        fp, doc = _decode([row[0] for row in rows])
        found = arrays.members(fp, wanted)
        return fp[found], doc[found]
