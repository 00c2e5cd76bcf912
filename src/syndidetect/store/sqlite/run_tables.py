"""What the index's run tables share: the postings' (:mod:`.runs`) and the fingerprints'
(:mod:`.fingerprints`). A run is a sorted list of entries cut into buckets of about
``POSTING_BUCKET`` or ``FINGERPRINT_BUCKET`` entries, one row ``(run, bucket, data)`` a bucket,
listed in a run table ``(run, bits, entries)``. Here: how many bucket bits a run takes, how its
rows are written and read back, the check of the run list against the rows, when a writer merges
and which runs a merge takes, which entries a merge drops, and a batch's entries with their
documents' rowids in place of positions (:func:`with_rowids`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

#: Entries per posting row (bucket) a run aims at (8 bytes each: rows of about 1 KB). A lookup
#: reads one bucket a band key a run, and SQLite's cost a row written (its cell, its key in the
#: B-tree, its share of the commit) is what a smaller bucket multiplies. 128 instead of 32: ``index
#: add`` of 1M paragraphs 36.2 -> 31.6 s (one run each, the same hour), and its statements'
#: inserts at 100k 0.60-0.65 -> 0.30-0.33 s; the lookup of one 20-paragraph article against the
#: 1M index 12.5-13.1 -> 14.1-14.6 ms in a warm process (3 alternated runs, medians of 15; 256 made
#: it 17-27 ms), and ``index check`` of it 3.6 % slower (0.268 s; 15 alternated pairs). Runs
#: written with another size stay readable: a run records its own bucket bits.
POSTING_BUCKET = 128
#: Entries per fingerprint row a run aims at (12 bytes each). A count reads one bucket a
#: fingerprint, and fingerprint runs hold one entry a paragraph instead of one a band: their rows
#: are few, so the smaller bucket costs the writer little.
FINGERPRINT_BUCKET = 32
#: Runs a writer lets pile up before it merges after a batch (it always merges when it closes). A
#: lookup searches every run, one bucket a band key each, so a check during a long ``index add``
#: costs up to this many times a check against one run. The newest runs merge while together they
#: outweigh the run before them, so each merge past the limit may rewrite the large old runs. 24
#: rather than 12 made ``index add`` of 1M paragraphs (110 batches of 4 MB) 89.5 -> 77.1 s in an
#: early round; 64 rather than 24: 19.92-20.91 -> 18.55-18.98 s (4 alternated pairs), each entry
#: written 2.0 times instead of 2.45 by a simulation of the policy (with 64, twice at any count of
#: batches up to 129; at 50, 80, 110, 150, 220 and 440 batches never more than with 24), and 2 runs
#: left instead of 3. The price is paid by a check made during such an add: 0.45-0.46 s at 43 runs
#: against 0.29-0.33 s at 13 (``index check`` of one article against the 1M paragraphs, closing
#: merges left out), where the settled index answers in 0.24 s. An
#: ``index add`` of 100k paragraphs (11 batches) merges once, when it closes, with either.
MAX_RUNS = 64
#: The newest runs are merged while they hold at least ``1 / _RATIO`` of the entries of the run
#: before them (see ``runs.PostingRuns.merge``). 1 instead of 2: each entry is rewritten 3.7 times
#: instead of 5.5 over 43 batches (7.7 to 5.2 over 430), for at most one run more to search.
_RATIO = 1
#: Bytes of bucket data one INSERT binds (``insert_rows``): SQLite copies a bound BLOB, and refuses
#: one over 10**9 bytes. 16 MB keeps the copy below glibc's largest threshold for mapping an
#: allocation of its own (32 MB), so the copies reuse the heap's memory instead of new pages that the
#: kernel must clear (0.07 ms a MB here, 2.8 ms where the virtual machine had not yet backed them).
_STATEMENT_BYTES = 1 << 24


def bucket_bits(entries: int, bands: int, per_bucket: int) -> int:
    """Key bits a run of ``entries`` buckets on, for about ``per_bucket`` entries a bucket."""
    return int(min(24, max(0, np.floor(np.log2(max(entries / bands / per_bucket, 1.0))))))


def run_entries(blobs: Sequence[Any], entry: np.dtype[np.void],
                table: str) -> tuple[npt.NDArray[np.void], npt.NDArray[np.int64]]:
    """The ``entry`` records of a run table's ``data`` BLOBs, and how many each holds."""
    lengths = np.fromiter(map(len, blobs), dtype=np.int64, count=len(blobs))
    try:
        data = b"".join(blobs)  # vectorised checks: a merge reads millions of rows
    except TypeError:  # a text value
        data = None
    if data is None or (lengths % entry.itemsize).any() or not lengths.all():
        raise ValueError(f"{table} data that is not a list of ({', '.join(entry.names or ())}) entries")
    return np.frombuffer(data, dtype=entry), lengths // entry.itemsize


def checked_runs(con: sqlite3.Connection, run_table: str, row_table: str) -> list[tuple[int, int, int]]:
    """``(run, bits, entries)`` of every run listed in ``run_table``, oldest first, checked against
    the rows of ``row_table`` (one B-tree search a run: rows whose run is not listed would be
    silently ignored)."""
    runs = [(r, b, e) for r, b, e in con.execute(f"SELECT run, bits, entries FROM {run_table} ORDER BY run")]
    for run, bits, count in runs:
        if (not all(type(v) is int for v in (run, bits, count)) or not 0 < run < 1 << 23
                or not 0 <= bits <= 24 or count < 0):  # run << 40 | bucket must fit 63 bits
            raise ValueError(f"{run_table} row ({run!r}, {bits!r}, {count!r}) is not a run")
    row_runs, after = [], -1
    while (row := con.execute(f"SELECT run FROM {row_table} WHERE run > ? ORDER BY run LIMIT 1",
                              (after,)).fetchone()) is not None:
        after = row[0]
        row_runs.append(after)
    if row_runs != [run for run, _, count in runs if count]:
        raise ValueError(f"{row_table} rows belong to runs {row_runs}, the {run_table} table lists "
                         f"{[run for run, _, _ in runs]}")
    return runs


def alive(doc: npt.NDArray[np.int64], live: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """Which entries of documents ``doc`` belong to documents still stored (rowids ``live``)."""
    mask = np.zeros(max(int(doc.max(initial=0)), int(live.max(initial=0))) + 1, dtype=np.bool_)
    mask[live] = True
    return mask[doc]


def merge_start(entries: Sequence[int]) -> int | None:
    """Where the merge of runs holding ``entries`` (oldest first) starts: the newest runs are
    merged while together they hold at least ``1 / _RATIO`` of the entries of the run before them;
    None when no two runs are merged."""
    start, newer = len(entries) - 1, 0
    for i in range(len(entries) - 1, 0, -1):
        newer += entries[i]
        if newer * _RATIO >= entries[i - 1]:
            start = i - 1
    return start if start < len(entries) - 1 else None


def bucket_starts(values: npt.NDArray[np.uint64], shift: np.uint64 | int,
                  step: int = 1 << 62) -> npt.NDArray[np.int64]:
    """Where each bucket of sorted ``values`` starts, a value's bucket being ``value >> shift``,
    found ``step`` values at a time (in one array made once: a merge's runs are large)."""
    starts = [np.zeros(min(len(values), 1), dtype=np.int64)]
    bucket = np.empty(min(len(values), step + 1), dtype=np.uint64)
    for start in range(0, len(values) - 1, step):
        part = values[start : start + step + 1]  # one value more: the step's last change
        np.right_shift(part, np.uint64(shift), out=bucket[: len(part)])
        starts.append(np.flatnonzero(bucket[1 : len(part)] != bucket[: len(part) - 1]) + (start + 1))
    return np.concatenate(starts)


def insert_buckets(con: sqlite3.Connection, table: str, run: int, bucket: npt.NDArray[np.int64],
                   data: npt.NDArray[np.void]) -> None:
    """Rows ``(run, b, entries)`` of ``table``, one per bucket ``b``: a run's ``data`` (its entries,
    sorted by ``bucket``, the bucket of each) as BLOBs of little-endian entries (:func:`insert_rows`)."""
    first_of = bucket_starts(bucket.view(np.uint64), 0)  # buckets are not negative
    raw = data.view(np.uint8).data  # slices of it are bound as BLOBs without a copy
    size = data.itemsize
    insert_rows(con, table, run, bucket[first_of], first_of, len(data),
                lambda start, end: raw[start * size : end * size], size)


def insert_rows(con: sqlite3.Connection, table: str, run: int, bucket: npt.NDArray[np.int64],
                first_of: npt.NDArray[np.int64], count: int, entries: Callable[[int, int], Any],
                size: int) -> None:
    """Rows ``(run, bucket[k], data)`` of ``table``: row ``k`` holds entries ``first_of[k]`` up to
    the next row's first (``count`` entries of ``size`` bytes in all), their bytes given by
    ``entries(first, end)`` for the entries of one statement at a time (valid until the next call).

    SQLite cuts the rows out of one bound BLOB a statement, their offsets and lengths given as a
    JSON array indexed by bucket from the statement's first (``executemany`` with a Python tuple and
    a BLOB binding a row cost 2-3 times as much). A bucket without entries is -1 in the array and
    makes no row: a run's buckets are nearly all full (:func:`bucket_bits` aims at ``per_bucket``
    entries each), so the array is no longer than the run has buckets. Python writes a JSON array of
    numbers about 5 times as fast as an object keyed by bucket (200k buckets: 19 against 90 ms)."""
    starts, ends = first_of, np.append(first_of[1:], count)  # in entries
    first = 0
    while first < len(bucket):
        # The rows whose data spans at most _STATEMENT_BYTES (at least one row).
        last = max(first + 1, int(np.searchsorted(ends, starts[first] + _STATEMENT_BYTES // size, "right")))
        lengths = (ends[first:last] - starts[first:last]) * size  # bytes, as the offsets below
        shift = int(lengths.max()).bit_length()  # offset << shift | length: offsets < 2**26
        by_bucket = np.full(int(bucket[last - 1] - bucket[first]) + 1, -1, dtype=np.int64)
        offsets = (starts[first:last] - starts[first]) * size
        by_bucket[bucket[first:last] - bucket[first]] = (offsets << shift) | lengths
        con.execute(
            f"INSERT INTO {table} SELECT ?1, ?5 + j.key, "
            "substr(?2, (j.value >> ?4) + 1, j.value & ((1 << ?4) - 1)) FROM json_each(?3) j WHERE j.value >= 0",
            (run, entries(int(starts[first]), int(ends[last - 1])), json.dumps(by_bucket.tolist()), shift,
             int(bucket[first])))
        first = last


def rowids_grow(rowids: npt.NDArray[np.int64]) -> bool:
    """Whether a batch's rowids grow with the position, as AUTOINCREMENT gives them (each row a
    larger one than any before): then entries sorted by position stay sorted with rowids."""
    return bool(np.all(rowids[1:] > rowids[:-1]))


def with_rowids(entries: tuple[npt.NDArray[Any], ...], rowids: npt.NDArray[np.int64]) -> tuple[npt.NDArray[Any], ...]:
    """Entries whose last array holds positions in the batch, with the rowids at those positions
    instead, sorted again when the rowids do not grow (:func:`rowids_grow`)."""
    *values, position = entries
    doc = rowids[position]
    if not rowids_grow(rowids):
        order = np.lexsort((doc, *reversed(values)))
        return (*(v[order] for v in values), doc[order])
    return (*values, doc)
