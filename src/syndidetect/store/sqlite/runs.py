"""The LSH postings of an index: band keys as a small log-structured merge tree of *runs*.

Each batch writes one run: its ``(band, key, doc)`` entries (``key`` the 64-bit band key of
``lsh.band_keys`` folded to 32 bits, ``doc`` the document's rowid), deduplicated and grouped into
buckets of about 128 entries (``run_tables.POSTING_BUCKET``): bucket ``band << bits | key >> (32 - bits)``,
one ``posting`` row ``(run, bucket, data)`` per bucket, ``data`` the bucket's ``(key, doc)`` pairs
as little-endian uint32. A lookup is one B-tree search per ``(run, bucket)``, never a scan, and two
paragraphs cost about one row instead of one per band (64 by default), which is what makes adding
fast. Merging runs: the newest ones are merged into one (numpy, in one transaction) while together
they hold at least as many entries as the run before them, so each run holds more than all newer
ones together: at most ``1 + log2(batches)`` runs. A writer does that when it closes, and after a
batch only once there are more than ``run_tables.MAX_RUNS`` runs: merging after every batch
rewrote each entry about 3.5 times in a 100k-paragraph ``index add`` (11 batches), this writes it
twice. A writer keeps the runs it wrote in memory, so merging them reads nothing back. Entries are stored in band, key
and rowid order (runs merged by earlier releases: in bucket order only, or in buckets of another
size: both stay correct); a merge packs each entry into one 64-bit number in that order and sorts
them (any sort: equal numbers are the same entry), or, for rowids too large to pack, sorts the entries by band and
key. A lookup fetches all the buckets it needs with one statement and filters their entries with
numpy. ``run.class`` is informative only. Removing a document leaves its entries in place: lookups
only report rowids still in ``document`` (AUTOINCREMENT never reuses one), and the next merge of
their run drops them. 32-bit keys give about ``n / 2**32`` false hits a lookup (0.3 spurious
candidates for a 20-paragraph article against 1M paragraphs), which the estimate filter and exact
verification discard.
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
from syndidetect.store.sqlite import run_tables
from syndidetect.store.sqlite.kept_runs import KeptRuns
from syndidetect.store.sqlite.posting_entries import Entries, doc_bits

ENTRY = np.dtype([("key", "<u4"), ("doc", "<u4")])
#: Slots of the low-key-bits bitmap a lookup filters fetched entries with.
_FILTER = 1 << 20
#: Entries of the runs a writer keeps in memory (packed, 8 bytes each: 512 MB at most), so that
#: merging the runs it wrote needs no reading back; larger runs are read from the file. 2**26 holds
#: the 64.0M entries of an ``index add`` of 1M paragraphs (64 bands), which then reads back nothing:
#: merges 10.5-16.4 -> 7.7-8.9 s, of which reading 3.0-5.0 s at 2**24 (2 alternated pairs).
_CACHED_ENTRIES = 1 << 26
#: Entries a posting run is turned into rows at a time (16 MB of packed entries). Arrays of a step's
#: size are made once and used again, and fall below glibc's largest threshold for mapping an
#: allocation of its own (32 MB), so the heap reuses them: whole-run arrays of a merge's tens of
#: millions of entries were new pages each, which the kernel clears before use: a fifth of the CPU
#: time of an ``index add`` of 1M paragraphs (``perf``), and its merges 11.0-12.3 -> 6.8-7.6 s.
_STEP = 1 << 21
#: Posting rows a merge reads from the file at a time (about 1 KB each at 128 entries a
#: row: 16 MB), so only that many are Python objects at once.
_READ_ROWS = 1 << 14

def composite_keys(band: npt.NDArray[np.int64], key: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint64]:
    """``band << 32 | key`` of entries: sorted by band then key, they are sorted by this number."""
    composite = band.astype(np.uint64)
    composite <<= np.uint64(32)
    composite |= key
    return composite


def buckets(band: npt.NDArray[np.int64], key: npt.NDArray[np.uint32], bits: int) -> npt.NDArray[np.int64]:
    """Posting buckets of ``(band, key)`` entries in a run of ``bits`` bucket bits."""
    bucket = np.left_shift(band, bits, dtype=np.int64)  # one new array: a merge's runs are large
    if bits:
        bucket |= key >> np.uint32(32 - bits)
    return bucket


class PostingRuns:
    """The ``run`` and ``posting`` tables of one connection; every method runs inside the caller's
    transaction. ``live``: the rowids of the documents still stored (a merge drops the others)."""

    def __init__(self, con: sqlite3.Connection, bands: int, path: Path,
                 live: Callable[[], npt.NDArray[np.int64]]) -> None:
        self._con, self.bands, self._path, self._live = con, bands, path, live
        # Runs this connection wrote, by run id, packed, end to end in one array: valid while no
        # other connection commits (SQLite's data_version then changes) and forgotten when a
        # transaction rolls back.
        self._kept = KeptRuns(_CACHED_ENTRIES)
        # A packed entry's document is its rowid (doc_bits), which is what a merge needs, in one
        # array (8 bytes an entry instead of 20).
        self._doc_bits = doc_bits(bands)
        self._version: int | None = None
        #: Whether this connection added runs since it was opened (its owner merges them on closing).
        self.pending = False

    def forget(self) -> None:
        """Drop the runs kept in memory (the caller's transaction rolled back)."""
        self._kept.clear()
        self._version = None

    def add(self, band: npt.NDArray[np.int64], key: npt.NDArray[np.uint32], doc: npt.NDArray[np.int64]) -> None:
        """Store ``(band, key, doc)`` entries, sorted by band then key (:func:`~syndidetect.store.
        sqlite.posting_entries.entries`), as one new run, then merge the newest runs as ``merge`` says."""
        self._add_run(lambda: self._store(band, key, doc))

    def add_batch(self, entries: npt.NDArray[np.uint64] | Entries, rowids: npt.NDArray[np.int64]) -> None:
        """:meth:`add` of a batch's entries whose documents are positions in the batch, packed or not
        (:mod:`~syndidetect.store.sqlite.posting_entries`), ``rowids[position]`` their rowids."""
        if isinstance(entries, np.ndarray):
            packed = self._with_rowids(entries, rowids)
            if packed is not None:
                self._add_run(lambda: self._store_packed(packed))
                return
            mask = np.uint64((1 << self._doc_bits) - 1)
            entries = ((entries >> np.uint64(32 + self._doc_bits)).astype(np.int64),
                       ((entries >> np.uint64(self._doc_bits)) & np.uint64(0xFFFFFFFF)).astype(np.uint32),
                       (entries & mask).astype(np.int64))
        self.add(*run_tables.with_rowids(entries, rowids))

    def _with_rowids(self, packed: npt.NDArray[np.uint64],
                     rowids: npt.NDArray[np.int64]) -> npt.NDArray[np.uint64] | None:
        """Packed entries of positions with the rowids at those positions instead, still sorted; None
        when a rowid does not fit a packed entry or the rowids do not grow with the position."""
        if not len(rowids):
            return packed
        if int(rowids[-1]) >= 1 << self._doc_bits or not run_tables.rowids_grow(rowids):
            return None
        if int(rowids[-1] - rowids[0]) == len(rowids) - 1:
            # Consecutive (AUTOINCREMENT in one transaction): the first rowid added to each position,
            # which cannot carry into the key as the largest rowid fits.
            return packed + np.uint64(rowids[0])
        mask = np.uint64((1 << self._doc_bits) - 1)
        at: npt.NDArray[np.uint64] = rowids.view(np.uint64)[packed & mask]
        return (packed & ~mask) | at

    def _add_run(self, store: Callable[[], None]) -> None:
        """``store()`` one new run (in runs read afresh if another connection committed), then merge
        the newest runs past ``run_tables.MAX_RUNS``."""
        version = self._con.execute("PRAGMA data_version").fetchone()[0]
        if version != self._version:  # another connection committed: its runs may differ
            self.forget()
            self._version = version
        store()
        self.pending = True
        self.merge(run_tables.MAX_RUNS)  # read when called: tests lower it

    def runs(self) -> list[tuple[int, int, int]]:
        """``(run, bits, entries)`` of every run, oldest first (:func:`checked_runs`)."""
        return run_tables.checked_runs(self._con, "run", "posting")

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
                data, lengths = run_tables.run_entries(blobs, ENTRY, "posting")
                if found + len(data) <= count:  # else only counted, for the message
                    end = at + len(data)
                    band[at:end] = np.repeat(np.fromiter(bucket, dtype=np.int64, count=len(bucket)) >> bits, lengths)
                    key[at:end], doc[at:end] = data["key"], data["doc"]
                    at = end
                found += len(data)
            if found != count:  # a posting row deleted or added by hand
                raise ValueError(f"run {run} holds {found} entries, its run row says {count}")
        return band, key, doc

    def _pack(self, band: npt.NDArray[np.int64], key: npt.NDArray[np.uint32], doc: npt.NDArray[np.int64],
              owned: bool = False) -> npt.NDArray[np.uint64] | None:
        """Entries packed into one number each (see ``_doc_bits``), or None when a document's rowid
        does not fit (more than 2**26 documents ever added, with 64 bands). ``owned``: ``band`` is
        the caller's to lose, and is packed in place (a merge reading back 50M entries saves a
        copy of 400 MB)."""
        if len(doc) and int(doc.max()) >= 1 << self._doc_bits:
            return None
        packed = band.view(np.uint64) if owned else band.astype(np.uint64)  # bands and rowids are >= 0
        packed <<= np.uint64(32)
        packed |= key
        packed <<= np.uint64(self._doc_bits)
        packed |= doc.view(np.uint64)
        return packed

    def merge(self, spare: int = 0) -> None:
        """Merge the newest runs while together they hold at least ``1 / ratio`` of the entries of the
        run before them (``ratio``: ``run_tables._RATIO``), dropping removed documents: each run then
        holds more than ``ratio`` times the entries of all newer ones, so there are about ``log(n) /
        log(ratio + 1)`` runs. ``spare``: merge only while there are more runs than that (0: always)."""
        while True:
            runs = self.runs()
            if len(runs) <= spare:
                return
            start = run_tables.merge_start([count for _, _, count in runs])
            if start is None:
                return
            merged = runs[start:]
            read: Entries | None = None  # the entries as read from the file, when not all in memory
            # the newest runs kept in memory, sorted below where they lie
            packed: npt.NDArray[np.uint64] | None = self._kept.take_newest([run for run, _, _ in merged])
            if packed is None:
                self.forget()  # read them all: merges take the newest runs, so the older ones are large
                read = self.read(merged)
                packed = self._pack(*read, owned=True)
            for run, _, _ in merged:
                self._con.execute("DELETE FROM posting WHERE run = ?", (run,))
                self._con.execute("DELETE FROM run WHERE run = ?", (run,))
            if packed is None:
                assert read is not None  # only entries read back can hold rowids too large to pack
                self._merge_unpacked(*read)
                continue
            del read
            # Packed entries are numbers, equal only when they are the same entry, so every sort gives
            # the same array. The runs lie end to end, each sorted: timsort (``kind="stable"``) finds
            # them and merges them in O(n log runs). numpy 2.4.6's default sort ignores them, and on
            # this 2-core EPYC (AVX-512) it took as long on them as on random numbers: 6.4M entries
            # in 11 runs (a 100k add's closing merge) 0.42 s against 0.087 s; 46 runs of 582k 2.01
            # against 0.57 s; 64 runs 3.21 against 0.88 s; 24 runs of 2.7M 6.16 against 1.16 s (best
            # of 2). Earlier numpy releases' vector sort was 2.5x faster than timsort on such a machine.
            packed.sort(kind="stable")
            self._store_packed(self._live_entries(packed))

    def _merge_unpacked(self, band: npt.NDArray[np.int64], key: npt.NDArray[np.uint32],
                        doc: npt.NDArray[np.int64]) -> None:
        """:meth:`merge`'s sort and store of entries whose rowids do not fit a packed entry."""
        keep = run_tables.alive(doc, self._live())
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
        """Entries, sorted by band, key and document, as one run of buckets (none when there are none)."""
        packed = self._pack(band, key, doc)
        if packed is None:
            self._store_sorted(composite_keys(band, key), key, doc)
        else:
            self._store_packed(packed)

    def _live_entries(self, packed: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
        """``packed`` without the entries of removed documents (``packed`` itself when there are
        none), looked at ``_STEP`` entries at a time (see there)."""
        live = self._live()
        kept: list[npt.NDArray[np.uint64]] = []
        rowids = np.empty(min(len(packed), _STEP), dtype=np.uint64)
        for start in range(0, len(packed), _STEP):
            part = packed[start : start + _STEP]
            np.bitwise_and(part, np.uint64((1 << self._doc_bits) - 1), out=rowids[: len(part)])
            keep = run_tables.alive(rowids[: len(part)].view(np.int64), live)
            if not kept and keep.all():
                continue  # every entry so far is live: nothing to copy yet
            if not kept:
                kept.append(packed[:start])
            kept.append(part[keep])
        return np.concatenate(kept) if kept else packed

    def _store_packed(self, packed: npt.NDArray[np.uint64]) -> None:
        """:meth:`_store` of packed entries (sorted), kept in memory while the cache has room.

        A merge's run holds tens of millions of entries: its buckets are found ``_STEP`` entries at a
        time, and its rows' bytes made a statement's at a time, in arrays used again for each step
        (:class:`_RowBytes`)."""
        if not len(packed):
            return
        bits = run_tables.bucket_bits(len(packed), self.bands, run_tables.POSTING_BUCKET)
        # buckets(band, key, bits): band << bits | key >> (32 - bits), the packed entry's high bits
        shift = np.uint64(self._doc_bits + 32 - bits)
        first_of = run_tables.bucket_starts(packed, shift, _STEP)
        bucket = (packed[first_of] >> shift).view(np.int64)
        run = self._new_run(bits, len(packed))
        self._kept.keep(run, packed)
        run_tables.insert_rows(self._con, "posting", run, bucket, first_of, len(packed),
                               _RowBytes(packed, self._doc_bits), ENTRY.itemsize)

    def _store_sorted(self, composite: npt.NDArray[np.uint64], key: npt.NDArray[np.uint32],
                      doc: npt.NDArray[np.int64]) -> None:
        """:meth:`_store` of entries given as ``band << 32 | key`` (sorted) and ``key``, ``doc``,
        whose rowids do not fit a packed entry (never kept in memory: a merge reads them back)."""
        if not len(key):
            return
        if int(doc.max()) >= 1 << 32:
            raise IndexWriteError(f"{self._path}: more than 2**32 documents were ever added; rebuild the index")
        bits = run_tables.bucket_bits(len(key), self.bands, run_tables.POSTING_BUCKET)
        # buckets(band, key, bits), without a band array: band << bits | key >> (32 - bits)
        bucket = (composite >> np.uint64(32 - bits)).view(np.int64)
        data = np.empty(len(key), dtype=ENTRY)
        data["key"], data["doc"] = key, doc
        run_tables.insert_buckets(self._con, "posting", self._new_run(bits, len(key)), bucket, data)

    def _new_run(self, bits: int, entries: int) -> int:
        """A new ``run`` row (its id: the newest) for a run of ``entries`` entries on ``bits`` bits."""
        cursor = self._con.execute("INSERT INTO run (bits, entries, class) VALUES (?, ?, ?)",
                                   (bits, entries, entries.bit_length()))  # class: informative
        return int(cursor.lastrowid or 0)

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


class _RowBytes:
    """The bytes of sorted packed entries as posting rows hold them (``ENTRY``: ``doc << 32 | key``,
    little-endian), a statement's entries at a time (:func:`run_tables.insert_rows`), in one array
    used again for each."""

    def __init__(self, packed: npt.NDArray[np.uint64], doc_bits: int) -> None:
        self._packed, self._doc_bits = packed, doc_bits
        self._data = self._key = np.empty(0, dtype=np.uint64)

    def __call__(self, first: int, end: int) -> memoryview:
        if len(self._data) < end - first:
            self._data, self._key = np.empty(end - first, dtype=np.uint64), np.empty(end - first, dtype=np.uint64)
        part, data, key = self._packed[first:end], self._data[: end - first], self._key[: end - first]
        np.bitwise_and(part, np.uint64((1 << self._doc_bits) - 1), out=data)
        data <<= np.uint64(32)
        np.right_shift(part, np.uint64(self._doc_bits), out=key)
        key &= np.uint64(0xFFFFFFFF)
        data |= key
        return data.astype("<u8", copy=False).view(np.uint8).data


def _match(rows: list[Any], wanted_band: npt.NDArray[np.int64], qcomposite: npt.NDArray[np.uint64],
           owner: npt.NDArray[np.int64], hits: list[set[int]]) -> None:
    """Add to ``hits[q]`` the documents of posting ``rows`` (position in ``wanted_band``, data)
    whose entries have the band and key of one of query row ``q``'s (``qcomposite``: band << 32 |
    key)."""
    positions, blobs = zip(*rows)
    data, lengths = run_tables.run_entries(blobs, ENTRY, "posting")
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
    where = sorted_owner[arrays.range_positions(lo, counts)]
    docs = np.repeat(data["doc"][found].astype(np.int64), counts)
    for position, doc in set(zip(where.tolist(), docs.tolist())):
        hits[position].add(doc)
