"""The LSH postings of an index: band keys as a small log-structured merge tree of *runs*.

Each batch writes one run: its ``(band, key, doc)`` entries (``key`` the 64-bit band key of
``lsh.band_keys`` folded to 32 bits, ``doc`` the document's rowid), deduplicated and grouped into
buckets of about ``_BUCKET`` entries: bucket ``band << bits | key >> (32 - bits)``, one ``posting``
row ``(run, bucket, data)`` per bucket, ``data`` the bucket's ``(key, doc)`` pairs as little-endian
uint32. A lookup is one B-tree search per ``(run, bucket)``, never a scan, and a paragraph costs
about 2 rows instead of one per band (64 by default), which is what makes adding fast. Merging
runs: the newest ones are merged into one (numpy, in one transaction) while together they hold at
least as many entries as the run before them, so each run holds more than all newer ones together:
at most ``1 + log2(batches)`` runs. A writer does that when it closes, and after a batch only once
there are more than ``MAX_RUNS`` runs: merging after every batch rewrote each entry about 3.5 times
in a 100k-paragraph ``index add`` (11 batches), this writes it twice. A writer keeps the runs it
wrote in memory, so merging them reads nothing back. Entries are stored in band
then key order (runs merged by earlier releases: in bucket order only, or in buckets of another
size: both stay correct), so a merge is a stable sort of sorted runs. A lookup fetches all the
buckets it needs with one statement and filters their entries with numpy. ``run.class`` is
informative only. Removing a document leaves its entries in place: lookups only report rowids still
in ``document`` (AUTOINCREMENT never reuses one), and the next merge of their run drops them.
32-bit keys give about ``n / 2**32`` false hits a lookup (0.3 spurious candidates for a 20-paragraph
article against 1M paragraphs), which the estimate filter and exact verification discard.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from syndidetect import arrays
from syndidetect.errors import IndexWriteError

_FOLD = np.uint64(0x9E3779B97F4A7C15)
#: Entries per posting row (bucket) a run aims at (8 bytes each). Measured at 100k paragraphs: 64
#: made adding 20% cheaper in CPU (half the rows to write) but a lookup 50% dearer (27 -> 40 ms: it
#: reads one bucket a band key a run, so twice the bytes); a check is what must stay fast.
_BUCKET = 32
#: The newest runs are merged while they hold at least ``1 / _RATIO`` of the entries of the run
#: before them (see ``PostingRuns.merge``). 1 instead of 2: each entry is rewritten 3.7 times
#: instead of 5.5 over 43 batches (7.7 to 5.2 over 430), for at most one run more to search.
_RATIO = 1
#: Runs a writer lets pile up before it merges after a batch (it always merges when it closes). A
#: lookup searches every run, one bucket a band key each, so a check during a long ``index add``
#: costs up to this many times a check against one run. 24 rather than 12: the newest runs merge
#: while together they outweigh the run before them, so each merge past the limit may rewrite the
#: large old runs; at 1M paragraphs (110 batches of 4 MB) 24 made ``index add`` 89.5 -> 77.1 s
#: (medians of 2 alternated runs; each entry written 2.45 times instead of 3.3 by a simulation of
#: the policy), and left 3 runs instead of 2 (postings of one article 25 -> 32 ms). An ``index
#: add`` of 100k paragraphs (11 batches) merges once, when it closes, with either.
MAX_RUNS = 24
#: Bytes of posting data one INSERT binds (``insert_buckets``): SQLite copies a bound BLOB,
#: and refuses one over 10**9 bytes; 64 MB keeps the copy small and the packed offsets exact.
_STATEMENT_BYTES = 1 << 26
ENTRY = np.dtype([("key", "<u4"), ("doc", "<u4")])
#: Slots of the low-key-bits bitmap a lookup filters fetched entries with.
_FILTER = 1 << 20
#: Entries of the runs a writer keeps in memory (about 20 bytes each: 320 MB at most), so that
#: merging its own recent runs needs no reading back; larger runs are read from the file.
_CACHED_ENTRIES = 1 << 24
#: Posting rows a merge reads from the file at a time (about 256 bytes each at ``_BUCKET`` entries a
#: row: 16 MB), so only that many are Python objects at once.
_READ_ROWS = 1 << 16

Entries = tuple[npt.NDArray[np.int64], npt.NDArray[np.uint32], npt.NDArray[np.int64]]


def fold_keys(keys: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint32]:
    """64-bit band keys to 32-bit ones (multiply-shift keeps all input bits in play)."""
    return ((keys * _FOLD) >> np.uint64(32)).astype(np.uint32)


def composite_keys(band: npt.NDArray[np.int64], key: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint64]:
    """``band << 32 | key`` of entries: sorted by band then key, they are sorted by this number."""
    composite = band.astype(np.uint64)
    composite <<= np.uint64(32)
    composite |= key
    return composite


def bucket_bits(entries: int, bands: int) -> int:
    """Key bits a run of ``entries`` buckets on, for about ``_BUCKET`` entries a bucket."""
    return int(min(24, max(0, np.floor(np.log2(max(entries / bands / _BUCKET, 1.0))))))


def buckets(band: npt.NDArray[np.int64], key: npt.NDArray[np.uint32], bits: int) -> npt.NDArray[np.int64]:
    """Posting buckets of ``(band, key)`` entries in a run of ``bits`` bucket bits."""
    bucket = np.left_shift(band, bits, dtype=np.int64)  # one new array: a merge's runs are large
    if bits:
        bucket |= key >> np.uint32(32 - bits)
    return bucket


def run_entries(blobs: Sequence[Any], entry: np.dtype[np.void] = ENTRY,
                table: str = "posting") -> tuple[npt.NDArray[np.void], npt.NDArray[np.int64]]:
    """The ``entry`` records of a run table's ``data`` BLOBs, and how many each holds."""
    lengths = np.fromiter(map(len, blobs), dtype=np.int64, count=len(blobs))
    try:
        data = b"".join(blobs)  # vectorised checks: a merge reads millions of rows
    except TypeError:  # a text value
        data = None
    if data is None or (lengths % entry.itemsize).any() or not lengths.all():
        raise ValueError(f"{table} data that is not a list of ({', '.join(entry.names or ())}) entries")
    return np.frombuffer(data, dtype=entry), lengths // entry.itemsize


def _empty() -> Entries:
    empty = np.zeros(0, dtype=np.int64)
    return empty, np.zeros(0, dtype=np.uint32), empty


def entries(keys: npt.NDArray[np.uint32], owner: npt.NDArray[np.int64], documents: int) -> Entries:
    """Deduplicated ``(band, key, owner)`` entries, sorted by band, key and owner, of folded
    ``keys`` (``(rows, bands)``) whose rows belong to documents ``owner`` (``0 <= owner <
    documents``): a batch's entries before its documents have rowids (a rowid is ``rowids[owner]``,
    which keeps the order when rowids grow with the position, as AUTOINCREMENT gives them)."""
    if not len(keys):  # no matchable paragraph in the batch (a legal document): no entries
        return _empty()
    bands = keys.shape[1]
    band = np.tile(np.arange(bands, dtype=np.uint64), len(keys))
    local = np.repeat(owner.astype(np.uint64), bands)
    flat = keys.ravel().astype(np.uint64)
    band_bits = max(1, int(bands - 1).bit_length())
    local_bits = max(1, documents.bit_length())
    if 32 + band_bits + local_bits <= 64:
        packed = arrays.distinct((band << np.uint64(32 + local_bits)) | (flat << np.uint64(local_bits)) | local)
        doc = (packed & np.uint64((1 << local_bits) - 1)).astype(np.int64)
        key = ((packed >> np.uint64(local_bits)) & np.uint64(0xFFFFFFFF)).astype(np.uint32)
        return (packed >> np.uint64(32 + local_bits)).astype(np.int64), key, doc
    rows = np.unique(np.stack([band, flat, local], axis=1), axis=0)
    return rows[:, 0].astype(np.int64), rows[:, 1].astype(np.uint32), rows[:, 2].astype(np.int64)


class PostingRuns:
    """The ``run`` and ``posting`` tables of one connection; every method runs inside the caller's
    transaction. ``live``: the rowids of the documents still stored (a merge drops the others)."""

    def __init__(self, con: sqlite3.Connection, bands: int, path: Path,
                 live: Callable[[], npt.NDArray[np.int64]]) -> None:
        self._con, self.bands, self._path, self._live = con, bands, path, live
        # Runs this connection wrote, by run id: valid while no other connection commits (SQLite's
        # data_version then changes) and forgotten when a transaction rolls back.
        self._cache: dict[int, Entries] = {}
        self._version: int | None = None
        #: Whether this connection added runs since it was opened (its owner merges them on closing).
        self.pending = False

    def forget(self) -> None:
        """Drop the runs kept in memory (the caller's transaction rolled back)."""
        self._cache.clear()
        self._version = None

    def add(self, band: npt.NDArray[np.int64], key: npt.NDArray[np.uint32], doc: npt.NDArray[np.int64]) -> None:
        """Store ``(band, key, doc)`` entries, sorted by band then key (:func:`entries`), as one
        new run, then merge the newest runs as ``merge`` says."""
        version = self._con.execute("PRAGMA data_version").fetchone()[0]
        if version != self._version:  # another connection committed: its runs may differ
            self.forget()
            self._version = version
        self._store(band, key, doc)
        self.pending = True
        self.merge(MAX_RUNS)

    def runs(self) -> list[tuple[int, int, int]]:
        """``(run, bits, entries)`` of every run, oldest first (:func:`checked_runs`)."""
        return checked_runs(self._con, "run", "posting")

    def read(self, runs: Sequence[tuple[int, int, int]]) -> Entries:
        """All ``(band, key, doc)`` entries of ``(run, bits, entries)`` runs.

        Written into arrays of the runs' total size, ``_READ_ROWS`` posting rows at a time: a merge
        reads runs of tens of millions of entries, whose rows as Python objects, joined and then
        concatenated, took three times the arrays' memory."""
        total = sum(count for _, _, count in runs)
        band, doc = np.empty(total, dtype=np.int64), np.empty(total, dtype=np.int64)
        key = np.empty(total, dtype=np.uint32)
        at = 0
        cursor = self._con.cursor()
        cursor.row_factory = None  # plain tuples: a merge reads hundreds of thousands of rows
        for run, bits, count in runs:
            cursor.execute("SELECT bucket, data FROM posting WHERE run = ? ORDER BY bucket", (run,))
            found = 0
            while rows := cursor.fetchmany(_READ_ROWS):
                bucket, blobs = zip(*rows)
                data, lengths = run_entries(blobs)
                if found + len(data) <= count:  # else only counted, for the message
                    end = at + len(data)
                    band[at:end] = np.repeat(np.fromiter(bucket, dtype=np.int64, count=len(bucket)) >> bits, lengths)
                    key[at:end], doc[at:end] = data["key"], data["doc"]
                    at = end
                found += len(data)
            if found != count:  # a posting row deleted or added by hand
                raise ValueError(f"run {run} holds {found} entries, its run row says {count}")
        return band, key, doc

    def _entries(self, runs: Sequence[tuple[int, int, int]]) -> Entries:
        """The entries of ``runs`` (oldest first), from memory when this connection wrote them."""
        if not all(run in self._cache for run, _, _ in runs):
            self.forget()  # read them all: merges take the newest runs, so the older ones are large
            return self.read(runs)
        parts = [self._cache.pop(run) for run, _, _ in runs]
        return tuple(np.concatenate(arrays) for arrays in zip(*parts))  # type: ignore[return-value]

    def merge(self, spare: int = 0) -> None:
        """Merge the newest runs while together they hold at least ``1 / _RATIO`` of the entries of
        the run before them, dropping removed documents: each run then holds more than ``_RATIO``
        times the entries of all newer ones, so there are about ``log(n) / log(_RATIO + 1)`` runs.
        ``spare``: merge only while there are more runs than that (0: always)."""
        while True:
            runs = self.runs()
            if len(runs) <= spare:
                return
            start = merge_start([count for _, _, count in runs])
            if start is None:
                return
            merged = runs[start:]
            band, key, doc = self._entries(merged)
            for run, _, _ in merged:
                self._con.execute("DELETE FROM posting WHERE run = ?", (run,))
                self._con.execute("DELETE FROM run WHERE run = ?", (run,))
            keep = alive(doc, self._live())
            # Runs are sorted by band then key: a stable sort (timsort) merges them in O(n log runs).
            # The largest merges hold tens of millions of entries: each array goes as soon as the
            # next one is made (the band lives on in ``composite``).
            composite = composite_keys(band, key)
            del band
            order = np.argsort(composite, kind="stable")
            order = order[keep[order]]
            del keep
            composite = composite[order]
            key = key[order]
            doc = doc[order]
            del order
            self._store_sorted(composite, key, doc)  # the newest run id

    def _store(self, band: npt.NDArray[np.int64], key: npt.NDArray[np.uint32], doc: npt.NDArray[np.int64]) -> None:
        """Entries, sorted by band then key, as one run of buckets (none when there are none)."""
        self._store_sorted(composite_keys(band, key), key, doc, band)

    def _store_sorted(self, composite: npt.NDArray[np.uint64], key: npt.NDArray[np.uint32],
                      doc: npt.NDArray[np.int64], band: npt.NDArray[np.int64] | None = None) -> None:
        """:meth:`_store` of entries given as ``band << 32 | key`` (sorted) and ``key``, ``doc``;
        ``band`` when the caller has it (else it is computed if the run is kept in memory)."""
        if not len(key):
            return
        if int(doc.max()) >= 1 << 32:
            raise IndexWriteError(f"{self._path}: more than 2**32 documents were ever added; rebuild the index")
        bits = bucket_bits(len(key), self.bands)
        # buckets(band, key, bits), without a band array: band << bits | key >> (32 - bits)
        bucket = (composite >> np.uint64(32 - bits)).view(np.int64)
        data = np.empty(len(key), dtype=ENTRY)
        data["key"], data["doc"] = key, doc
        cursor = self._con.execute("INSERT INTO run (bits, entries, class) VALUES (?, ?, ?)",
                                   (bits, len(key), len(key).bit_length()))  # class: informative
        run = int(cursor.lastrowid or 0)
        if len(key) + sum(len(k) for _, k, _ in self._cache.values()) <= _CACHED_ENTRIES:
            kept = band if band is not None else (composite >> np.uint64(32)).view(np.int64)
            self._cache[run] = (kept, key, doc)
        insert_buckets(self._con, "posting", run, bucket, data)

    def lookup(self, keys: npt.NDArray[np.uint32]) -> list[set[int]]:
        """For each row of folded ``keys`` (``(n, bands)``), the rowids of the entries holding one of
        its keys in the same band (removed documents included: the caller keeps the live ones)."""
        hits: list[set[int]] = [set() for _ in range(len(keys))]
        owner = np.repeat(np.arange(len(keys), dtype=np.int64), self.bands)
        qkey = keys.ravel()
        qband = np.tile(np.arange(self.bands, dtype=np.int64), len(keys))
        qcomposite = composite_keys(qband, qkey)
        runs = self.runs()
        if not len(qkey) or not runs:
            return hits
        wanted = arrays.distinct(np.concatenate([(np.int64(run) << 40) | buckets(qband, qkey, bits)
                                           for run, bits, _ in runs]))
        bits_of = np.zeros(max(run for run, _, _ in runs) + 1, dtype=np.int64)
        for run, bits, _ in runs:
            bits_of[run] = bits
        wanted_band = (wanted & ((1 << 40) - 1)) >> bits_of[wanted >> 40]
        cursor = self._con.cursor()
        cursor.row_factory = None  # plain tuples: thousands of rows
        rows = cursor.execute(  # q.key: the position in wanted
            "SELECT q.key, p.data FROM json_each(?) q JOIN posting p "
            "ON p.run = q.value >> 40 AND p.bucket = q.value & 1099511627775",
            (json.dumps(wanted.tolist()),)).fetchall()
        if rows:
            _match(rows, wanted_band, qcomposite, owner, hits)
        return hits


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


def insert_buckets(con: sqlite3.Connection, table: str, run: int, bucket: npt.NDArray[np.int64],
                   data: npt.NDArray[np.void]) -> None:
    """Rows ``(run, b, entries)`` of ``table``, one per bucket ``b``: a run's ``data`` (its entries,
    sorted by ``bucket``, the bucket of each) as BLOBs of little-endian entries. SQLite cuts the
    rows out of one bound BLOB a statement, their offsets and lengths given as a JSON object by
    bucket: ``executemany`` with a Python tuple and a BLOB binding a row cost 2-3 times as much."""
    first_of = np.flatnonzero(np.concatenate(([True], bucket[1:] != bucket[:-1])))
    bucket = bucket[first_of]
    starts = first_of * data.itemsize
    ends = np.append(first_of[1:], len(data)) * data.itemsize
    raw = data.view(np.uint8).data  # slices of it are bound as BLOBs without a copy
    first = 0
    while first < len(bucket):
        # The rows whose data spans at most _STATEMENT_BYTES (at least one row).
        last = max(first + 1, int(np.searchsorted(ends, starts[first] + _STATEMENT_BYTES, "right")))
        lengths = ends[first:last] - starts[first:last]
        shift = int(lengths.max()).bit_length()  # offset << shift | length: offsets < 2**26
        packed = ((starts[first:last] - starts[first]) << shift) | lengths
        con.execute(
            f"INSERT INTO {table} SELECT ?1, CAST(j.key AS INTEGER), "
            "substr(?2, (j.value >> ?4) + 1, j.value & ((1 << ?4) - 1)) FROM json_each(?3) j",
            (run, raw[starts[first] : ends[last - 1]],
             json.dumps(dict(zip(bucket[first:last].tolist(), packed.tolist()))), shift))
        first = last


def _match(rows: list[Any], wanted_band: npt.NDArray[np.int64], qcomposite: npt.NDArray[np.uint64],
           owner: npt.NDArray[np.int64], hits: list[set[int]]) -> None:
    """Add to ``hits[q]`` the documents of posting ``rows`` (position in ``wanted_band``, data)
    whose entries have the band and key of one of query row ``q``'s (``qcomposite``: band << 32 |
    key)."""
    positions, blobs = zip(*rows)
    data, lengths = run_entries(blobs)
    # A bitmap of the queries' low key bits first: it leaves about one entry in a thousand
    # besides the hits, so only those pay for the band and the binary search.
    low = np.zeros(_FILTER, dtype=np.bool_)
    low[qcomposite & np.uint64(_FILTER - 1)] = True
    found = np.flatnonzero(low[data["key"] & np.uint32(_FILTER - 1)])
    if not len(found):
        return
    ends = np.cumsum(lengths)
    band = wanted_band[np.fromiter(positions, dtype=np.int64, count=len(positions))]
    composite = composite_keys(band[np.searchsorted(ends, found, "right")], data["key"][found])
    order = np.argsort(qcomposite, kind="stable")
    sorted_q, sorted_owner = qcomposite[order], owner[order]
    lo = np.searchsorted(sorted_q, composite)
    same = sorted_q[np.minimum(lo, len(sorted_q) - 1)] == composite
    found, composite, lo = found[same], composite[same], lo[same]
    counts = np.searchsorted(sorted_q, composite, "right") - lo
    starts = np.repeat(lo - np.cumsum(counts) + counts, counts)
    where = sorted_owner[starts + np.arange(int(counts.sum()))]
    docs = np.repeat(data["doc"][found].astype(np.int64), counts)
    for position, doc in set(zip(where.tolist(), docs.tolist())):
        hits[position].add(doc)
