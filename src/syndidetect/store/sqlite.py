"""A persistent store: one SQLite file (WAL mode), one transaction per batch, LSH through posting runs.

Layout (format version 2):

* ``meta``: the format name, the config fingerprint and the stored verification defaults (JSON).
* ``document``: one row per document: its text once, and as BLOBs the paragraph spans, the
  matchable flags, the shingle counts and the exact shingle hashes, so a ``PreparedDocument`` is
  rebuilt without tokenising again. Signatures are *not* stored (512 bytes a paragraph at
  num_perm=128): they are recomputed from the hashes when needed.
* ``fingerprint``: ``(fp, doc)`` per matchable paragraph, its exact-repeat fingerprint
  (``boilerplate.paragraph_fingerprints``), so boilerplate counts need no document decoding.
* ``run`` and ``posting``: the LSH band keys, as a small log-structured merge tree. Each batch
  writes one *run*: its ``(band, key, doc)`` entries (``key`` the 64-bit band key of
  ``lsh.band_keys`` folded to 32 bits, ``doc`` the document's rowid), deduplicated and grouped
  into buckets of about ``_BUCKET`` entries: bucket ``band << bits | key >> (32 - bits)``, one
  ``posting`` row ``(run, bucket, data)`` per bucket, ``data`` the bucket's ``(key, doc)`` pairs as
  little-endian uint32. A lookup is one B-tree search per ``(run, bucket)``, never a scan, and a
  paragraph costs about 2 rows instead of one per band (64 by default), which is what makes adding
  fast. After each batch the newest runs are merged into one (numpy, in the same transaction)
  while together they hold at least half the entries of the run before them, so each run is more
  than twice all newer ones together: at most ``1 + log3(batches)`` runs (5 after the 500
  batches of 2000 paragraphs of the 1M benchmark, where size classes of 4 left 8). Entries are
  stored in band then key order (runs merged by earlier releases: in bucket order only, which
  stays correct), so a merge is a stable sort of sorted runs. A lookup fetches
  all the buckets it needs with one statement and filters their entries with numpy.
  ``run.class`` is informative only. Removing a
  document leaves its entries in place: lookups only report rowids still in ``document``
  (AUTOINCREMENT never reuses one), and the next merge of their run drops them.
  32-bit keys give about ``n / 2**32`` false hits a lookup (0.3 spurious candidates for a
  20-paragraph article against 1M paragraphs), which exact verification discards.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import fields
from os import PathLike
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
import numpy.typing as npt

from syndidetect._kernels.reference import fmix32
from syndidetect._types import SignatureMatrix
from syndidetect.boilerplate import paragraph_fingerprints
from syndidetect.config import Config
from syndidetect.documents import Document, Paragraph
from syndidetect.errors import ArgumentError, ConfigError, IndexFormatError, InputError, SyndidetectError
from syndidetect.lsh import MAX_BUCKET, _bucket_pairs, band_keys, band_layout
from syndidetect.minhash import permutations
from syndidetect.prepared import PreparedDocument
from syndidetect.rules import VerdictRules

FORMAT_NAME = "syndidetect-index"
FORMAT_VERSION = 2
#: Bump when text.py or shingles.py change what a paragraph or a shingle is: stored hashes and
#: band keys would no longer match freshly prepared documents.
TOKENIZER_VERSION = 2  # 2: invisible characters ignored, CJK per character, Thai-family pieces
APPLICATION_ID = 0x53594E44  # "SYND", so `file` and we can tell our databases from others
DEFAULT_TIMEOUT = 10.0
#: The longest busy timeout accepted (seconds): a day, beyond which a wait is a mistake.
MAX_TIMEOUT = 86400.0
_FOLD = np.uint64(0x9E3779B97F4A7C15)
_CACHE_SIZE = 256
#: Entries per posting row (bucket) a run aims at; the newest runs are merged while they hold at
#: least ``1 / _RATIO`` of the entries of the run before them (see ``_merge``).
_BUCKET = 32
#: Page size of new files: documents' text and hashes are BLOBs of several KB.
_PAGE_SIZE = 4096
_RATIO = 2
_ENTRY = np.dtype([("key", "<u4"), ("doc", "<u4")])
#: Slots of the low-key-bits bitmap a lookup filters fetched entries with.
_FILTER = 1 << 20
#: Parameters that decide paragraphs, hashes and band keys: they must match the index.
FINGERPRINT = ("shingle_size", "num_perm", "seed", "min_words", "bands", "rows", "tokenizer")
#: Config fields not in the fingerprint that are not stored either (bit-identical backends).
_NOT_STORED = ("shingle_size", "num_perm", "seed", "min_words", "bands", "backend")


class IndexBusyError(SyndidetectError, TimeoutError):
    """Another process held the index's write lock for longer than the busy timeout."""


class IndexWriteError(SyndidetectError, OSError):
    """The index cannot be written: read-only file or folder, full disk, I/O error."""


#: What decoding an index edited by hand can raise (json, numpy, int(), Config and Document
#: validation...): inside ``SQLiteStore._errors`` each becomes one "corrupt index" IndexFormatError.
_CONTENT_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError, ArithmeticError, RecursionError)
#: SQLite result codes of an index whose schema or rows were changed behind our back.
_CORRUPT_CODES = ("SQLITE_CORRUPT", "SQLITE_ERROR", "SQLITE_MISMATCH", "SQLITE_CONSTRAINT", "SQLITE_SCHEMA",
                  "SQLITE_FORMAT", "SQLITE_RANGE", "SQLITE_TOOBIG")


def check_timeout(value: object) -> float:
    """``value`` as a busy timeout in seconds: a finite number in [0, MAX_TIMEOUT]."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ArgumentError(f"'timeout' must be a number of seconds; got {type(value).__name__}")
    if not 0 <= value <= MAX_TIMEOUT:  # also refuses nan
        raise ConfigError(f"'timeout' must be a number of seconds in [0, {MAX_TIMEOUT:g}]; got {value!r}")
    return float(value)


def fold_keys(keys: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint32]:
    """64-bit band keys to 32-bit ones (multiply-shift keeps all input bits in play)."""
    return ((keys * _FOLD) >> np.uint64(32)).astype(np.uint32)


def bucket_bits(entries: int, bands: int) -> int:
    """Key bits a run of ``entries`` buckets on, for about ``_BUCKET`` entries a bucket."""
    return int(min(24, max(0, np.floor(np.log2(max(entries / bands / _BUCKET, 1.0))))))


def buckets(band: npt.NDArray[np.int64], key: npt.NDArray[np.uint32], bits: int) -> npt.NDArray[np.int64]:
    """Posting buckets of ``(band, key)`` entries in a run of ``bits`` bucket bits."""
    high = (key.astype(np.int64) >> (32 - bits)) if bits else np.zeros(len(key), dtype=np.int64)
    return (band.astype(np.int64) << bits) | high


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


def fingerprint(config: Config, layout: tuple[int, int] | None = None) -> dict[str, int]:
    bands, rows = layout if layout is not None else band_layout(config)
    return {"shingle_size": config.shingle_size, "num_perm": config.num_perm, "seed": config.seed,
            "min_words": config.min_words, "bands": bands, "rows": rows, "tokenizer": TOKENIZER_VERSION}


def _mismatch(stored: dict[str, int], config: Config) -> list[str]:
    # Without explicit bands the layout follows the threshold, which may differ (it only changes
    # verification): the index's layout is then used as it is.
    layout = None if config.bands is not None else (stored["bands"], stored["rows"])
    wanted = fingerprint(config, layout)
    return [f"{k} is {stored[k]} in the index but {wanted[k]} was asked" for k in FINGERPRINT
            if stored.get(k) != wanted[k]]


# -- one row of the document table ---------------------------------------------------------------

def _encode(doc: PreparedDocument) -> tuple[Any, ...]:
    spans = np.array([(p.start, p.end) for p in doc.paragraphs], dtype=np.uint32).reshape(-1, 2)
    counts = doc.shingle_counts().astype(np.uint32)
    return (doc.id, doc.document.date, doc.document.text, len(doc.paragraphs), int(doc.matchable.sum()),
            spans.tobytes(), np.packbits(doc.matchable).tobytes(), counts.tobytes(),
            np.ascontiguousarray(doc.hashes, dtype=np.uint32).tobytes())


def _blob(row: sqlite3.Row, column: str, size: int) -> bytes:
    """A BLOB column of a document row, checked to hold ``size`` bytes."""
    value = row[column]
    if not isinstance(value, bytes) or len(value) != size:
        length = f"{len(value)} bytes" if isinstance(value, bytes) else type(value).__name__
        raise ValueError(f"document {row['id']!r}: {column} holds {length}, expected {size} bytes")
    return value


def _decode(row: sqlite3.Row, config: Config) -> PreparedDocument:
    """A stored row as a PreparedDocument. A row whose parts do not fit together (edited by hand)
    raises ValueError saying which part, which ``SQLiteStore._errors`` reports as a corrupt index."""
    n, text = row["paragraphs"], row["text"]
    if not isinstance(n, int) or n < 0 or not isinstance(text, str):
        raise ValueError(f"document {row['id']!r}: paragraphs {n!r}, text of type {type(text).__name__}")
    spans = np.frombuffer(_blob(row, "spans", 8 * n), dtype=np.uint32).reshape(n, 2)
    if n and not ((spans[:, 0] <= spans[:, 1]).all() and int(spans.max()) <= len(text)):
        raise ValueError(f"document {row['id']!r}: paragraph spans outside its text")
    paragraphs = tuple(Paragraph(i, s, e, text) for i, (s, e) in enumerate(spans.tolist()))
    matchable = np.unpackbits(np.frombuffer(_blob(row, "flags", (n + 7) // 8), dtype=np.uint8), count=n).astype(bool)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.frombuffer(_blob(row, "counts", 4 * n), dtype=np.uint32), out=offsets[1:])
    hashes = np.frombuffer(_blob(row, "hashes", 4 * int(offsets[-1])), dtype=np.uint32).copy()
    sigs = signatures_from_hashes(hashes, offsets, config.num_perm, config.seed)
    return PreparedDocument(Document(row["id"], text, row["date"]), paragraphs, matchable, sigs, hashes, offsets)


def _meta_object(meta: dict[str, Any], key: str) -> dict[str, Any]:
    """The JSON object stored in meta row ``key``."""
    try:
        value = json.loads(meta[key])
    except (KeyError, TypeError, ValueError, RecursionError):
        value = None
    if not isinstance(value, dict):
        raise ValueError(f"meta {key!r} is missing or not a JSON object")
    return value


def _stored_rules(values: dict[str, Any]) -> VerdictRules:
    """The verdict rules stored in an index; rules this version does not know are refused (a newer
    index), rules it knows but the file lacks keep their defaults (an older one)."""
    try:
        return VerdictRules.from_dict(values)
    except (ConfigError, TypeError) as exc:
        raise ValueError(f"stored verdict rules: {exc}") from None


def _what(exc: BaseException) -> str:
    """What was wrong in an index, from the error decoding it raised."""
    if isinstance(exc, (SyndidetectError, sqlite3.Error)) or type(exc) is ValueError:
        return str(exc)
    if isinstance(exc, KeyError):
        return f"missing {exc.args[0]!r}" if exc.args else "missing key"
    return f"{type(exc).__name__}: {exc}"


def _posting_entries(blobs: Sequence[Any]) -> tuple[npt.NDArray[np.void], npt.NDArray[np.int64]]:
    """The ``(key, doc)`` entries of posting ``data`` BLOBs, and how many each holds."""
    lengths = np.fromiter(map(len, blobs), dtype=np.int64, count=len(blobs))
    try:
        data = b"".join(blobs)  # vectorised checks: a merge reads millions of rows
    except TypeError:  # a text value
        data = None
    if data is None or (lengths % _ENTRY.itemsize).any() or not lengths.all():
        raise ValueError("posting data that is not a list of (key, doc) entries")
    return np.frombuffer(data, dtype=_ENTRY), lengths // _ENTRY.itemsize


def _signed(values: Sequence[int]) -> list[int]:
    """Unsigned 64-bit integers as SQLite's signed ones."""
    return [v - (1 << 64) if v >= 1 << 63 else v for v in values]


def _fingerprint_rows(doc: PreparedDocument, rowid: int) -> list[tuple[int, int]]:
    return [(fp, rowid) for fp in _signed(sorted({fp for fp in paragraph_fingerprints(doc) if fp}))]


def _schema() -> list[str]:
    tables = [
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
        # AUTOINCREMENT: a rowid is never reused, so a reader's band hit on a just-replaced
        # document can never be attributed to another document.
        "CREATE TABLE document (doc INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, "
        "date TEXT, text TEXT NOT NULL, paragraphs INTEGER NOT NULL, matchable INTEGER NOT NULL, "
        "spans BLOB NOT NULL, flags BLOB NOT NULL, counts BLOB NOT NULL, hashes BLOB NOT NULL)",
    ]
    tables.append("CREATE TABLE fingerprint (fp INTEGER NOT NULL, doc INTEGER NOT NULL, "
                  "PRIMARY KEY (fp, doc)) WITHOUT ROWID")
    tables.append("CREATE TABLE run (run INTEGER PRIMARY KEY, bits INTEGER NOT NULL, "
                  "entries INTEGER NOT NULL, class INTEGER NOT NULL)")
    tables.append("CREATE TABLE posting (run INTEGER NOT NULL, bucket INTEGER NOT NULL, data BLOB NOT NULL, "
                  "PRIMARY KEY (run, bucket)) WITHOUT ROWID")
    return tables


# -- errors --------------------------------------------------------------------------------------

def _translate(exc: sqlite3.Error, path: Path, timeout: float) -> SyndidetectError:
    """A one-line error saying what happened to the index and what to do."""
    code = getattr(exc, "sqlite_errorname", None) or ""
    if code.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return IndexBusyError(f"{path}: the index is locked by another writer (waited {timeout:g} s); "
                              "try again when it has finished")
    if code.startswith("SQLITE_READONLY"):
        return IndexWriteError(f"{path}: cannot write the index: it is read-only "
                               "(check the permissions of the file and its folder)")
    if code.startswith("SQLITE_FULL"):
        return IndexWriteError(f"{path}: cannot write the index: the disk is full; "
                               "the index keeps its last complete batch")
    if code.startswith("SQLITE_NOTADB"):
        return IndexFormatError(f"{path}: corrupt index (not an SQLite database: not a syndidetect index, "
                                "or a damaged one)")
    if code.startswith("SQLITE_CANTOPEN"):
        return IndexWriteError(f"{path}: cannot open the index ({exc}); its folder must exist and be "
                               "writable (a reader also needs it for the WAL files)")
    # No code on an OperationalError: a stored value SQLite returns but Python cannot decode.
    if code.startswith(_CORRUPT_CODES) or (not code and isinstance(exc, sqlite3.OperationalError)):
        return IndexFormatError(f"{path}: corrupt index ({exc})")
    return IndexWriteError(f"{path}: index error ({exc})")


class SQLiteStore:
    """Prepared documents in an SQLite file; see the module docstring for the layout.

    ``config`` None opens an existing index with its own configuration (a new one gets
    ``Config()``); a given config must agree with the index on everything in ``FINGERPRINT``.
    """

    def __init__(self, path: str | PathLike[str], config: Config | None = None, *, create: bool = True,
                 readonly: bool = False, timeout: float = DEFAULT_TIMEOUT) -> None:
        if not isinstance(path, (str, PathLike)) or not isinstance(os.fspath(path), str):
            raise ArgumentError(f"'path' must be a str or an os.PathLike of str; got {type(path).__name__}")
        if config is not None and not isinstance(config, Config):
            raise ArgumentError(f"'config' must be a syndidetect.Config or None; got {type(config).__name__}")
        self.path, self.timeout, self.readonly = Path(path), check_timeout(timeout), readonly
        self._cache: OrderedDict[int, PreparedDocument] = OrderedDict()
        self._con = self._connect(create and not readonly)
        try:
            with self._errors():
                self.config, self.bands, self.rows = self._open(config)
        except BaseException:
            self._con.close()
            raise

    # -- opening ---------------------------------------------------------------------------------

    def _connect(self, create: bool) -> sqlite3.Connection:
        if self.path.is_dir():
            raise InputError(f"{self.path}: is a directory; expected an index file such as news.db")
        if not create and not self.path.exists():
            raise InputError(f"{self.path}: no such index; create it with: syndidetect index add --db "
                             f"{self.path} PATH...")
        mode = "ro" if self.readonly else "rwc" if create else "rw"
        uri = f"file:{quote(os.fsencode(self.path.absolute()))}?mode={mode}"  # fsencode: any file name
        try:
            con = sqlite3.connect(uri, uri=True, timeout=self.timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise _translate(exc, self.path, self.timeout) from None
        con.row_factory = sqlite3.Row
        return con

    def _open(self, config: Config | None) -> tuple[Config, int, int]:
        # Whose file it is comes first and only reads: a file that is not ours (another
        # application's database) is refused before anything, WAL mode included, is written to it.
        version = self._version()
        if not self.readonly:
            # Only takes effect on a new file (before WAL mode and the first table).
            self._con.execute(f"PRAGMA page_size={_PAGE_SIZE}")
            # WAL: readers never block the writer nor each other; NORMAL sync is crash-safe in WAL
            # (a power cut may lose the last commits, never the file's consistency).
            self._con.execute("PRAGMA journal_mode=WAL")
            self._con.execute("PRAGMA synchronous=NORMAL")
        self._con.execute("PRAGMA cache_size=-65536")
        if version == 0 and not self.readonly:
            self._create(config if config is not None else Config())
        return self._load(config)

    def _version(self) -> int:
        version = int(self._con.execute("PRAGMA user_version").fetchone()[0])
        app = int(self._con.execute("PRAGMA application_id").fetchone()[0])
        if version == 0 and app == 0:
            tables = self._con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables:
                raise IndexFormatError(f"{self.path}: not a syndidetect index (an SQLite database "
                                       "with other tables)")
            return 0
        if app != APPLICATION_ID:
            raise IndexFormatError(f"{self.path}: not a syndidetect index (application id {app:#x})")
        if version != FORMAT_VERSION:
            raise IndexFormatError(f"{self.path}: index format version {version} is not supported; "
                                   f"this syndidetect reads version {FORMAT_VERSION}")
        return version

    def _create(self, config: Config) -> None:
        fp = fingerprint(config)
        # Verification parameters (threshold, verdict rules, boilerplate...) are stored as defaults.
        defaults: dict[str, Any] = {f.name: getattr(config, f.name) for f in fields(Config)
                                    if f.name not in _NOT_STORED}
        defaults["rules"] = config.rules.to_dict()
        defaults["bands_option"] = config.bands
        with self._transaction():
            if self._version() != 0:  # another process created it while we waited for the lock
                return
            for statement in _schema():
                self._con.execute(statement)
            meta = {"format": FORMAT_NAME, "fingerprint": json.dumps(fp), "defaults": json.dumps(defaults)}
            self._con.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
            self._con.execute(f"PRAGMA application_id={APPLICATION_ID}")
            self._con.execute(f"PRAGMA user_version={FORMAT_VERSION}")

    def _load(self, config: Config | None) -> tuple[Config, int, int]:
        if self._version() == 0:
            raise IndexFormatError(f"{self.path}: empty file, not a syndidetect index")
        meta = dict(self._con.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("format") != FORMAT_NAME:  # our application id and version: ours, but edited
            raise ValueError(f"format {meta.get('format')!r} in meta, expected {FORMAT_NAME!r}")
        stored, defaults = _meta_object(meta, "fingerprint"), _meta_object(meta, "defaults")
        if stored.get("tokenizer") != TOKENIZER_VERSION:
            raise IndexFormatError(f"{self.path}: built with tokenizer version {stored.get('tokenizer')}, "
                                   f"this syndidetect uses {TOKENIZER_VERSION}; rebuild the index")
        wrong = [k for k in FINGERPRINT if type(stored.get(k)) is not int]
        if wrong:
            raise ValueError(f"meta 'fingerprint' lacks an integer {', '.join(wrong)}")
        bands, rows = stored["bands"], stored["rows"]
        if not (bands >= 1 and rows >= 1 and bands * rows <= stored["num_perm"]):
            raise ValueError(f"{bands} bands of {rows} rows in meta 'fingerprint' do not fit "
                             f"num_perm {stored['num_perm']}")
        if config is None:
            known = {f.name for f in fields(Config)}  # an older index may lack newer parameters
            if isinstance(defaults.get("rules"), dict):
                defaults["rules"] = _stored_rules(defaults["rules"])
            config = Config(shingle_size=stored["shingle_size"], num_perm=stored["num_perm"],
                            seed=stored["seed"], min_words=stored["min_words"], bands=defaults["bands_option"],
                            **{k: v for k, v in defaults.items() if k in known and k not in _NOT_STORED})
        differences = _mismatch(stored, config)
        if differences:
            raise IndexFormatError(f"{self.path}: the index was built with another configuration: "
                                   f"{'; '.join(differences)} (leave these options out to use the index's)")
        return config, int(stored["bands"]), int(stored["rows"])

    # -- plumbing --------------------------------------------------------------------------------

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """The store's one error boundary, around everything that touches the file: SQLite errors
        become one-line errors naming it, and whatever decoding content edited by hand raises
        (json, numpy, a stored Config or Document that does not validate...) "corrupt index"."""
        try:
            yield
        except (IndexFormatError, IndexWriteError, IndexBusyError):
            raise  # already says what happened to this index
        except sqlite3.Error as exc:
            raise _translate(exc, self.path, self.timeout) from None
        except _CONTENT_ERRORS as exc:
            raise IndexFormatError(f"{self.path}: corrupt index ({_what(exc)})") from None

    @contextmanager
    def _transaction(self, mode: str = "IMMEDIATE") -> Iterator[None]:
        """One transaction; IMMEDIATE takes the write lock first, so waiting for another writer
        happens under the busy timeout instead of failing at the first write."""
        self._con.execute(f"BEGIN {mode}")
        try:
            yield
            self._con.execute("COMMIT")
        except BaseException:
            if self._con.in_transaction:
                self._con.rollback()
            raise

    def _write(self) -> Any:
        if self.readonly:
            raise IndexWriteError(f"{self.path}: the index was opened read-only")
        self._cache.clear()
        return self._transaction("IMMEDIATE")

    def _folded(self, docs: Sequence[PreparedDocument]) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]:
        """Folded band keys ``(matchable paragraphs, bands)`` of ``docs`` (one band_keys call for
        all), and the position in ``docs`` of each row's document."""
        counts = [int(d.matchable.sum()) for d in docs]
        owner = np.repeat(np.arange(len(docs), dtype=np.int64), counts)
        if not sum(counts):
            return np.zeros((0, self.bands), dtype=np.uint32), owner
        sigs = np.concatenate([d.signatures[d.matchable] for d in docs])
        return fold_keys(band_keys(sigs, self.bands, self.rows)), owner

    def _entries(self, rowids: npt.NDArray[np.int64], keys: npt.NDArray[np.uint32],
                 owner: npt.NDArray[np.int64]) -> tuple[
            npt.NDArray[np.int64], npt.NDArray[np.uint32], npt.NDArray[np.int64]]:
        """Deduplicated ``(band, key, doc)`` entries, sorted by band then key, of folded ``keys``
        whose rows belong to documents ``rowids[owner]``."""
        if not len(keys):  # no matchable paragraph in the batch (a legal document): no entries
            empty = np.zeros(0, dtype=np.int64)
            return empty, np.zeros(0, dtype=np.uint32), empty
        band = np.tile(np.arange(self.bands, dtype=np.uint64), len(keys))
        local = np.repeat(owner.astype(np.uint64), self.bands)
        flat = keys.ravel().astype(np.uint64)
        band_bits = max(1, int(self.bands - 1).bit_length())
        local_bits = max(1, len(rowids).bit_length())
        if 32 + band_bits + local_bits <= 64:
            packed = np.sort((band << np.uint64(32 + local_bits)) | (flat << np.uint64(local_bits)) | local)
            packed = packed[np.concatenate(([True], packed[1:] != packed[:-1]))]  # np.unique hashes: slow
            doc = rowids[(packed & np.uint64((1 << local_bits) - 1)).astype(np.int64)]
            key = ((packed >> np.uint64(local_bits)) & np.uint64(0xFFFFFFFF)).astype(np.uint32)
            return (packed >> np.uint64(32 + local_bits)).astype(np.int64), key, doc
        rows = np.unique(np.stack([band, flat, local], axis=1), axis=0)
        return rows[:, 0].astype(np.int64), rows[:, 1].astype(np.uint32), rowids[rows[:, 2].astype(np.int64)]

    def _write_run(self, band: npt.NDArray[np.int64], key: npt.NDArray[np.uint32],
                   doc: npt.NDArray[np.int64]) -> None:
        """Store entries as one new run, then merge the newest runs as ``_merge`` says."""
        self._store_run(band, key, doc)
        self._merge()

    def _read_runs(self, runs: Sequence[tuple[int, int, int]]) -> tuple[
            npt.NDArray[np.int64], npt.NDArray[np.uint32], npt.NDArray[np.int64]]:
        """All ``(band, key, doc)`` entries of ``(run, bits, entries)`` runs."""
        bands, chunks = [], []
        for run, bits, entries in runs:
            rows = self._con.execute("SELECT bucket, data FROM posting WHERE run = ? ORDER BY bucket",
                                     (run,)).fetchall()
            bucket, blobs = zip(*rows) if rows else ((), ())
            data, lengths = _posting_entries(blobs)
            if len(data) != entries:  # a posting row deleted or added by hand
                raise ValueError(f"run {run} holds {len(data)} entries, its run row says {entries}")
            bands.append(np.repeat(np.fromiter(bucket, dtype=np.int64, count=len(bucket)) >> bits, lengths))
            chunks.append(data)
        if not chunks:
            empty = np.zeros(0, dtype=np.int64)
            return empty, np.zeros(0, dtype=np.uint32), empty
        data = np.concatenate(chunks)
        return np.concatenate(bands), data["key"].copy(), data["doc"].astype(np.int64)

    def _live(self, doc: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
        """Which entries belong to documents still in the index."""
        rows = self._con.execute("SELECT doc FROM document").fetchall()
        alive = np.zeros(max(int(doc.max(initial=0)), max((r[0] for r in rows), default=0)) + 1, dtype=np.bool_)
        alive[np.array([r[0] for r in rows], dtype=np.int64)] = True
        return alive[doc]

    def _merge(self) -> None:
        """Merge the newest runs while together they hold at least ``1 / _RATIO`` of the entries of
        the run before them, dropping removed documents: each run then holds more than ``_RATIO``
        times the entries of all newer ones, so there are about ``log(n) / log(_RATIO + 1)`` runs."""
        while True:
            runs = self._runs()
            start, newer = len(runs) - 1, 0
            for i in range(len(runs) - 1, 0, -1):
                newer += runs[i][2]
                if newer * _RATIO >= runs[i - 1][2]:
                    start = i - 1
            if start >= len(runs) - 1:
                return
            merged = runs[start:]
            band, key, doc = self._read_runs(merged)
            for run, _, _ in merged:
                self._con.execute("DELETE FROM posting WHERE run = ?", (run,))
                self._con.execute("DELETE FROM run WHERE run = ?", (run,))
            keep = self._live(doc)
            # Runs are sorted by band then key: a stable sort (timsort) merges them in O(n log runs).
            order = np.argsort((band.astype(np.uint64) << np.uint64(32)) | key, kind="stable")
            order = order[keep[order]]
            self._store_run(band[order], key[order], doc[order])  # the newest run id

    def _store_run(self, band: npt.NDArray[np.int64], key: npt.NDArray[np.uint32],
                   doc: npt.NDArray[np.int64]) -> None:
        """Entries, sorted by band then key, as one run of buckets (none when there are none)."""
        if not len(key):
            return
        if int(doc.max()) >= 1 << 32:
            raise IndexWriteError(f"{self.path}: more than 2**32 documents were ever added; rebuild the index")
        bits = bucket_bits(len(key), self.bands)
        bucket = buckets(band, key, bits)
        data = np.empty(len(key), dtype=_ENTRY)
        data["key"], data["doc"] = key, doc
        raw = data.tobytes()
        starts = np.flatnonzero(np.concatenate(([True], bucket[1:] != bucket[:-1])))
        ends = np.append(starts[1:], len(bucket))
        cursor = self._con.execute("INSERT INTO run (bits, entries, class) VALUES (?, ?, ?)",
                                   (bits, len(key), len(key).bit_length()))  # class: informative
        run = int(cursor.lastrowid or 0)
        size = _ENTRY.itemsize
        self._con.executemany("INSERT INTO posting VALUES (?, ?, ?)",
                              [(run, b, raw[s * size : e * size]) for b, s, e in
                               zip(bucket[starts].tolist(), starts.tolist(), ends.tolist())])

    def _delete(self, ids: Sequence[str]) -> list[str]:
        """Delete documents inside the current transaction (their postings go at the next merge)."""
        found = []
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            found += self._con.execute(
                f"SELECT * FROM document WHERE id IN ({','.join('?' * len(chunk))})", chunk).fetchall()
        if not found:
            return []
        decoded = [(int(row["doc"]), _decode(row, self.config)) for row in found]
        self._con.executemany("DELETE FROM fingerprint WHERE fp = ? AND doc = ?",
                              [fp for doc, prepared in decoded for fp in _fingerprint_rows(prepared, doc)])
        self._con.executemany("DELETE FROM document WHERE doc = ?", [(doc,) for doc, _ in decoded])
        present = {row["id"] for row in found}
        return [i for i in dict.fromkeys(ids) if i in present]

    # -- the Store protocol ----------------------------------------------------------------------

    def put(self, documents: Sequence[PreparedDocument]) -> list[str]:
        latest = list({d.id: d for d in documents}.values())  # a repeated id: the last one wins
        rows = [_encode(d) for d in latest]
        keys, owner = self._folded(latest)
        with self._errors(), self._write():
            replaced = self._delete([d.id for d in latest])
            rowids = []
            for row in rows:
                cursor = self._con.execute("INSERT INTO document (id, date, text, paragraphs, matchable, "
                                           "spans, flags, counts, hashes) VALUES (?,?,?,?,?,?,?,?,?)", row)
                rowids.append(int(cursor.lastrowid or 0))
            self._con.executemany("INSERT OR IGNORE INTO fingerprint VALUES (?, ?)",
                                  [fp for d, doc in zip(latest, rowids) for fp in _fingerprint_rows(d, doc)])
            self._write_run(*self._entries(np.array(rowids, dtype=np.int64), keys, owner))
        return replaced

    def remove(self, ids: Sequence[str]) -> list[str]:
        with self._errors(), self._write():
            return self._delete(list(ids))

    def get(self, doc_id: str) -> PreparedDocument:
        with self._errors():
            row = self._con.execute("SELECT * FROM document WHERE id = ?", (doc_id,)).fetchone()
            if row is None:
                cached = None
            elif (cached := self._cache.get(row["doc"])) is None:
                cached = self._cache[row["doc"]] = _decode(row, self.config)
                if len(self._cache) > _CACHE_SIZE:
                    self._cache.popitem(last=False)
        if cached is None:  # outside the boundary: an absent id is the caller's KeyError
            raise KeyError(doc_id)
        return cached

    def ids(self) -> list[str]:
        with self._errors():
            ids = [r[0] for r in self._con.execute("SELECT id FROM document ORDER BY doc")]
            if not all(isinstance(i, str) for i in ids):
                raise ValueError("a document id that is not text")
        return ids

    def _names(self, docs: set[int]) -> dict[int, str]:
        """Names of document rowids; rowids of removed documents are simply missing."""
        if not docs:
            return {}
        rows = self._con.execute("SELECT doc, id FROM document WHERE doc IN (SELECT value FROM json_each(?))",
                                 (json.dumps(sorted(docs)),))
        return {int(doc): str(name) for doc, name in rows}

    def _runs(self) -> list[tuple[int, int, int]]:
        """``(run, bits, entries)`` of every run, oldest first, checked against the posting table
        (one B-tree search a run: posting rows whose run row is gone would be silently ignored)."""
        runs = [(r, b, e) for r, b, e in self._con.execute("SELECT run, bits, entries FROM run ORDER BY run")]
        for run, bits, entries in runs:
            if (not all(type(v) is int for v in (run, bits, entries)) or not 0 < run < 1 << 23
                    or not 0 <= bits <= 24 or entries < 0):  # run << 40 | bucket must fit 63 bits
                raise ValueError(f"run row ({run!r}, {bits!r}, {entries!r}) is not a run")
        posting_runs, after = [], -1
        while (row := self._con.execute("SELECT run FROM posting WHERE run > ? ORDER BY run LIMIT 1",
                                        (after,)).fetchone()) is not None:
            after = row[0]
            posting_runs.append(after)
        if posting_runs != [run for run, _, entries in runs if entries]:
            raise ValueError(f"posting rows belong to runs {posting_runs}, the run table lists "
                             f"{[run for run, _, _ in runs]}")
        return runs

    def candidate_pairs(self) -> list[tuple[str, str]]:
        """Pairs sharing a band key; buckets over MAX_BUCKET are chained instead, as in
        lsh.candidate_pairs (boilerplate would give a quadratic number of pairs)."""
        with self._errors(), self._transaction("DEFERRED"):  # one snapshot for all runs
            band, key, doc = self._read_runs(self._runs())
            keep = self._live(doc)
            band, key, doc = band[keep], key[keep], doc[keep]
            order = np.lexsort((doc, key, band))  # by band key, then by document
            composite = (band[order].astype(np.uint64) << np.uint64(32)) | key[order].astype(np.uint64)
            found = _bucket_pairs(composite, MAX_BUCKET)
            docs = doc[order]
            pairs = {(int(a), int(b)) for a, b in np.sort(docs[found], axis=1).tolist() if a != b}
            names = self._names({d for pair in pairs for d in pair})
        return sorted((names[a], names[b]) for a, b in pairs if a in names and b in names)

    def candidates_for(self, queries: Sequence[PreparedDocument]) -> dict[str, list[str]]:
        folded, rows_owner = self._folded(queries)
        hits: list[set[int]] = [set() for _ in queries]
        owner = np.repeat(rows_owner, self.bands)
        qkey = folded.ravel()
        qband = np.tile(np.arange(self.bands, dtype=np.int64), len(qkey) // self.bands)
        qcomposite = (qband.astype(np.uint64) << np.uint64(32)) | qkey.astype(np.uint64)
        with self._errors(), self._transaction("DEFERRED"):
            runs = self._runs()
            if len(qkey) and runs:
                wanted = np.unique(np.concatenate([(np.int64(run) << 40) | buckets(qband, qkey, bits)
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
                    self._match(rows, wanted_band, qcomposite, owner, hits)
            names = self._names(set().union(*hits))
        return {q.id: [names[d] for d in sorted(h) if d in names] for q, h in zip(queries, hits)}

    @staticmethod
    def _match(rows: list[Any], wanted_band: npt.NDArray[np.int64], qcomposite: npt.NDArray[np.uint64],
               owner: npt.NDArray[np.int64], hits: list[set[int]]) -> None:
        """Add to ``hits[q]`` the documents of posting ``rows`` (position in ``wanted_band``, data)
        whose entries have the band and key of one of query ``q``'s (``qcomposite``: band << 32 |
        key)."""
        positions, blobs = zip(*rows)
        data, lengths = _posting_entries(blobs)
        # A bitmap of the queries' low key bits first: it leaves about one entry in a thousand
        # besides the hits, so only those pay for the band and the binary search.
        low = np.zeros(_FILTER, dtype=np.bool_)
        low[qcomposite & np.uint64(_FILTER - 1)] = True
        found = np.flatnonzero(low[data["key"] & np.uint32(_FILTER - 1)])
        if not len(found):
            return
        ends = np.cumsum(lengths)
        band = wanted_band[np.fromiter(positions, dtype=np.int64, count=len(positions))]
        band = band[np.searchsorted(ends, found, "right")].astype(np.uint64)
        composite = (band << np.uint64(32)) | data["key"][found].astype(np.uint64)
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

    def fingerprint_counts(self, fingerprints: Sequence[int]) -> dict[int, int]:
        wanted = sorted(set(fingerprints))
        sql = ("SELECT fp, count(*) FROM fingerprint WHERE fp IN (SELECT value FROM json_each(?)) "
               "GROUP BY fp")
        with self._errors():
            rows = self._con.execute(sql, (json.dumps(_signed(wanted)),)).fetchall()
        return {fp % (1 << 64): int(count) for fp, count in rows}

    def stats(self) -> dict[str, int]:
        with self._errors(), self._transaction("DEFERRED"):  # one snapshot: a writer may be merging runs
            self._runs()  # cheap (a search a run) and catches a run or posting table edited by hand
            docs, paragraphs, matchable = self._con.execute(
                "SELECT count(*), coalesce(sum(paragraphs), 0), coalesce(sum(matchable), 0) FROM document"
            ).fetchone()
            pages = self._con.execute("PRAGMA page_count").fetchone()[0]
            page_size = self._con.execute("PRAGMA page_size").fetchone()[0]
            return {"documents": int(docs), "paragraphs": int(paragraphs), "matchable_paragraphs": int(matchable),
                    "bytes": int(pages) * int(page_size), "format_version": FORMAT_VERSION}

    def close(self) -> None:
        """Close the connection (idempotent); the last one out checkpoints the WAL into the file."""
        self._con.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def stored_config(path: str | PathLike[str]) -> Config | None:
    """The configuration an existing index was built with, or None when ``path`` does not exist."""
    if not Path(path).exists():
        return None
    with SQLiteStore(path, create=False, readonly=True) as store:
        return store.config
