"""One row of the ``document`` table: a PreparedDocument as columns and BLOBs, and back, without
tokenising again."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from syndidetect._kernels.reference import fmix32
from syndidetect._types import SignatureMatrix
from syndidetect.config import Config
from syndidetect.documents import Document, paragraphs_of
from syndidetect.minhash import permutations
from syndidetect.prepared import PreparedDocument

#: The columns ``encode`` gives, in its order.
COLUMNS = "id, date, text, paragraphs, matchable, spans, flags, counts, hashes"
#: The values of one ``encode``d row in :func:`insert_rows`: the text's UTF-8 bytes become TEXT
#: again, as a ``str`` would have been stored (the same bytes, ``typeof`` text).
_VALUES = "(?, ?, CAST(? AS TEXT), ?, ?, ?, ?, ?, ?)"
#: Rows an INSERT stores: their values within 999, SQLite's oldest limit on bound parameters.
ROWS_PER_STATEMENT = 999 // len(COLUMNS.split(","))


def insert_rows(con: sqlite3.Connection, rows: Sequence[tuple[Any, ...]]) -> npt.NDArray[np.int64]:
    """Insert ``encode``d ``rows``, many a statement, inside the caller's write transaction; returns
    their rowids in their order.

    A statement a row (or ``executemany``, which steps one a row) takes the GIL back after each
    row, while ``index add`` prepares the next batch in another thread: an ``index add`` of 100k
    one-paragraph documents (a ``/tmp`` replica timing its stages, two alternated pairs) wrote its
    batches in 1.93 and 2.00 s against 2.21 and 2.60 s with a row a statement. The table's
    AUTOINCREMENT gives a new row a rowid above any the table ever held, so the new rows are those
    above the largest rowid before (the transaction's writer is the only one), in the order they
    were inserted. When as many as were inserted hold consecutive rowids, these are the rowids, in
    the rows' order, without reading the ids back: the rows of 100k one-paragraph documents, in the
    24 batches of an ``index add``, went in in 0.58-0.61 s against 0.66-0.70 s with a dictionary of
    the ids read back (a ``/tmp`` replica, five alternated runs).
    """
    before = int(con.execute("SELECT coalesce(max(doc), 0) FROM document").fetchone()[0])
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        chunk = rows[start : start + ROWS_PER_STATEMENT]
        statement = f"INSERT INTO document ({COLUMNS}) VALUES " + ", ".join([_VALUES] * len(chunk))
        con.execute(statement, [value for row in chunk for value in row])
    count, first, last = (int(value or 0) for value in con.execute(
        "SELECT count(*), min(doc), max(doc) FROM document WHERE doc > ?", (before,)).fetchone())
    if count != len(rows) or (count and last - first + 1 != count):
        raise sqlite3.DatabaseError(f"{len(rows)} documents inserted, {count} new rows found "
                                    f"with rowids {first} to {last}")
    return np.arange(first, first + count, dtype=np.int64)


def encode(doc: PreparedDocument) -> tuple[Any, ...]:
    """The ``COLUMNS`` values of ``doc``, its text as UTF-8 bytes, which :func:`insert_rows` stores as
    TEXT. Bound as a ``str``, a text that is not ASCII is encoded by the sqlite3 module, which keeps
    that UTF-8 copy inside the ``str`` for the string's life: a second copy of each such text an
    ``index add`` reads, in new memory, made by the thread that writes (1M paragraphs of generated
    text, 70 % of them not ASCII: peak RSS 2.23-2.37 -> 1.88-1.97 GB, 3 alternated pairs). Encoded
    here, in the thread that prepares the next batch, the bytes go with the batch. One document's
    row: a batch's rows are made at once (:meth:`~syndidetect.store.sqlite.batch.LaidOut.rows`,
    held to this one by the tests)."""
    spans = np.array([(p.start, p.end) for p in doc.paragraphs], dtype=np.uint32).reshape(-1, 2)
    counts = doc.shingle_counts().astype(np.uint32)
    text = doc.document.text.encode("utf-8")  # never fails: a Document holds no lone surrogate
    return (doc.id, doc.document.date, text, len(doc.paragraphs), int(doc.matchable.sum()), spans.tobytes(),
            np.packbits(doc.matchable).tobytes(), counts.tobytes(),
            np.ascontiguousarray(doc.hashes, dtype=np.uint32).tobytes())


def _blob(row: sqlite3.Row, column: str, size: int) -> bytes:
    """A BLOB column of a document row, checked to hold ``size`` bytes."""
    value = row[column]
    if not isinstance(value, bytes) or len(value) != size:
        length = f"{len(value)} bytes" if isinstance(value, bytes) else type(value).__name__
        raise ValueError(f"document {row['id']!r}: {column} holds {length}, expected {size} bytes")
    return value


def signatures_from_hashes(
    hashes: npt.NDArray[np.uint32], offsets: npt.NDArray[np.int64], num_perm: int, seed: int
) -> SignatureMatrix:
    """The MinHash rows of stored shingle hashes, equal to what ``minhash.sketch`` gave."""
    a, b = permutations(num_perm, seed)
    out = np.full((len(offsets) - 1, num_perm), 0xFFFFFFFF, dtype=np.uint32)
    nonempty = np.diff(offsets) > 0
    if nonempty.any():
        values = fmix32(hashes)[:, None] * a[None, :] + b[None, :]
        out[nonempty] = np.minimum.reduceat(values, offsets[:-1][nonempty], axis=0)
    return out


def decode(row: sqlite3.Row, config: Config) -> PreparedDocument:
    """A stored row as a PreparedDocument. A row whose parts do not fit together (edited by hand)
    raises ValueError saying which part, which the store reports as a corrupt index."""
    n, text = row["paragraphs"], row["text"]
    if not isinstance(n, int) or n < 0 or not isinstance(text, str):
        raise ValueError(f"document {row['id']!r}: paragraphs {n!r}, text of type {type(text).__name__}")
    spans = np.frombuffer(_blob(row, "spans", 8 * n), dtype=np.uint32).reshape(n, 2)
    if n and not ((spans[:, 0] <= spans[:, 1]).all() and int(spans.max()) <= len(text)):
        raise ValueError(f"document {row['id']!r}: paragraph spans outside its text")
    paragraphs = paragraphs_of(text, spans.tolist())
    matchable = np.unpackbits(np.frombuffer(_blob(row, "flags", (n + 7) // 8), dtype=np.uint8), count=n).astype(bool)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.frombuffer(_blob(row, "counts", 4 * n), dtype=np.uint32), out=offsets[1:])
    hashes = np.frombuffer(_blob(row, "hashes", 4 * int(offsets[-1])), dtype=np.uint32).copy()
    sigs = signatures_from_hashes(hashes, offsets, config.num_perm, config.seed)
    return PreparedDocument(Document(row["id"], text, row["date"]), paragraphs, matchable, sigs, hashes, offsets)


def signed(values: Sequence[int]) -> list[int]:
    """Unsigned 64-bit integers as SQLite's signed ones."""
    return [v - (1 << 64) if v >= 1 << 63 else v for v in values]

