"""``SQLiteStore``: documents and their postings in one SQLite file (WAL mode), one transaction per
batch; see the package docstring for the layout."""

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

from syndidetect import arrays
from syndidetect.config import Config
from syndidetect.errors import ArgumentError, IndexBusyError, IndexFormatError, IndexWriteError, InputError
from syndidetect.prepared import PreparedDocument
from syndidetect.store.sqlite import run_tables
from syndidetect.store.sqlite.batch import EncodedBatch, encode_batch
from syndidetect.store.sqlite.checkpoints import BACKSTOP_PAGES, Checkpoints
from syndidetect.store.sqlite.fingerprints import FingerprintRuns
from syndidetect.store.sqlite.format import (
    APPLICATION_ID,
    DEFAULT_TIMEOUT,
    FORMAT_NAME,
    FORMAT_VERSION,
    NOT_STORED,
    PAGE_SIZE,
    UPGRADABLE_VERSION,
    check_timeout,
    fingerprint,
    fingerprint_schema,
    schema,
    stored_configuration,
)
from syndidetect.store.sqlite.locking import begin_writing, when_free
from syndidetect.store.sqlite.posting_entries import fold_keys
from syndidetect.store.sqlite.rows import decode, insert_rows, signed
from syndidetect.store.sqlite.runs import PostingRuns
from syndidetect.store.sqlite.translate import CONTENT_ERRORS, translate, what

#: Decoded documents kept by rowid: a query verifies against the same few stored documents.
_CACHE_SIZE = 256
#: Ids per ``IN (...)`` statement, below SQLite's default limit on bound parameters.
_IDS_PER_STATEMENT = 500
#: Bytes of the file a read-only handle maps (see ``_open``): more than any index of 1M paragraphs
#: (1.3 GB); SQLite lowers it to its compile-time limit where that is smaller.
READ_MAP_BYTES = 1 << 31


class SQLiteStore:
    """Prepared documents in an SQLite file; see the package docstring for the layout.

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
        self._checkpoints: Checkpoints | None = None  # a writer's, once it has opened the file
        self._con = self._connect(create and not readonly)
        self._fingerprints = FingerprintRuns(self._con, self._live)
        #: A version-2 file opened read-only: its fingerprints are a table (writers upgrade it).
        self._legacy_fingerprints = False
        try:
            with self._errors():
                self.config, self.bands, self.rows = self._open(config)
        except BaseException:
            if self._checkpoints is not None:
                self._checkpoints.close()
            self._con.close()
            raise
        self._postings = PostingRuns(self._con, self.bands, self.path, self._live)

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
            raise translate(exc, self.path, self.timeout) from None
        con.row_factory = sqlite3.Row
        if not self.readonly:
            self._checkpoints = Checkpoints(uri, self.timeout)
        return con

    def _open(self, config: Config | None) -> tuple[Config, int, int]:
        # Whose file it is comes first and only reads: a file that is not ours (another
        # application's database) is refused before anything, WAL mode included, is written to it.
        version = self._version()
        if not self.readonly:
            # Only takes effect on a new file (before WAL mode and the first table).
            self._con.execute(f"PRAGMA page_size={PAGE_SIZE}")
            # WAL: readers never block the writer nor each other; NORMAL sync is crash-safe in WAL
            # (a power cut may lose the last commits, never the file's consistency). The switch
            # answers busy without waiting while another process opens the new file: see locking.
            when_free(self._con, "PRAGMA journal_mode=WAL", self.timeout)
            self._con.execute("PRAGMA synchronous=NORMAL")
            self._con.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")  # see checkpoints
            # A statement's journal (the pages it changes, kept until it ends, for a rollback of
            # that statement alone) spills to a temporary file past 64 KB, one of our pages: in
            # memory, the 1M `index add` wrote 5.57 GB instead of 7.36 GB (bytes given to write()).
            self._con.execute("PRAGMA temp_store=MEMORY")
        self._con.execute("PRAGMA cache_size=-65536")
        if self.readonly:
            # A check reads a few thousand posting pages scattered over the file once: mapped, they
            # are read without a system call and a copy each (postings of one article against 1M
            # paragraphs: 0.124 -> 0.086 s in a fresh process, medians of 8). Read-only handles only:
            # an I/O error on a mapped page is a signal, not an exception, and a writer's merges would
            # map and unmap runs it rewrites. SQLite caps the size at its build's limit (2 GB here).
            self._con.execute(f"PRAGMA mmap_size={READ_MAP_BYTES}")
        if version == 0 and not self.readonly:
            self._create(config if config is not None else Config())
        elif version == UPGRADABLE_VERSION and self.readonly:
            self._legacy_fingerprints = True  # read as it is; its next writer upgrades it
        elif version == UPGRADABLE_VERSION:
            self._upgrade()
        return self._load(config)

    def _version(self) -> int:
        # One statement, one snapshot: read one by one, another process's creation could commit
        # between the reads (version 0 read before it, its application id after: "format version 0").
        version, app, tables = (int(value) for value in self._con.execute(
            "SELECT (SELECT user_version FROM pragma_user_version), (SELECT application_id FROM pragma_application_id),"
            " (SELECT count(*) FROM sqlite_master)").fetchone())
        if version == 0 and app == 0:
            if tables:
                raise IndexFormatError(f"{self.path}: not a syndidetect index (an SQLite database "
                                       "with other tables)")
            return 0
        if app != APPLICATION_ID:
            raise IndexFormatError(f"{self.path}: not a syndidetect index (application id {app:#x})")
        if version not in (FORMAT_VERSION, UPGRADABLE_VERSION):
            raise IndexFormatError(f"{self.path}: index format version {version} is not supported; "
                                   f"this syndidetect reads versions {UPGRADABLE_VERSION} and {FORMAT_VERSION}")
        return version

    def _create(self, config: Config) -> None:
        fp = fingerprint(config)
        # Verification parameters (threshold, verdict rules, boilerplate...) are stored as defaults.
        defaults: dict[str, Any] = {f.name: getattr(config, f.name) for f in fields(Config)
                                    if f.name not in NOT_STORED}
        defaults["rules"] = config.rules.to_dict()
        defaults["bands_option"] = config.bands
        with self._transaction():
            if self._version() != 0:  # another process created it while we waited for the lock
                return
            for statement in schema():
                self._con.execute(statement)
            meta = {"format": FORMAT_NAME, "fingerprint": json.dumps(fp), "defaults": json.dumps(defaults)}
            self._con.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
            self._con.execute(f"PRAGMA application_id={APPLICATION_ID}")
            self._con.execute(f"PRAGMA user_version={FORMAT_VERSION}")

    def _upgrade(self) -> None:
        """Format version 2 to 3 in one transaction: the ``fingerprint`` table becomes one
        fingerprint run (readers see either the old file or the new one)."""
        with self._transaction():
            if self._version() != UPGRADABLE_VERSION:  # another writer upgraded it while we waited
                return
            rows = self._con.execute("SELECT fp, doc FROM fingerprint").fetchall()
            fp = np.array([row[0] for row in rows], dtype=np.int64).view(np.uint64)
            doc = np.array([row[1] for row in rows], dtype=np.int64)
            order = np.lexsort((doc, fp))
            for statement in [*fingerprint_schema(), "DROP TABLE fingerprint"]:
                self._con.execute(statement)
            self._fingerprints.add(fp[order], doc[order])
            self._con.execute(f"PRAGMA user_version={FORMAT_VERSION}")

    def _load(self, config: Config | None) -> tuple[Config, int, int]:
        if self._version() == 0:
            raise IndexFormatError(f"{self.path}: empty file, not a syndidetect index")
        meta = dict(self._con.execute("SELECT key, value FROM meta").fetchall())
        return stored_configuration(meta, config, self.path)

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
            raise translate(exc, self.path, self.timeout) from None
        except CONTENT_ERRORS as exc:
            raise IndexFormatError(f"{self.path}: corrupt index ({what(exc)})") from None

    @contextmanager
    def _transaction(self, mode: str = "IMMEDIATE") -> Iterator[None]:
        """One transaction; IMMEDIATE takes the write lock first, so waiting for another writer
        happens under the busy timeout instead of failing at the first write."""
        if mode == "IMMEDIATE":
            begin_writing(self._con, self.timeout)
        else:
            self._con.execute(f"BEGIN {mode}")
        try:
            yield
            self._con.execute("COMMIT")
            if self._checkpoints is not None and mode == "IMMEDIATE":
                self._checkpoints.nudge()
        except BaseException:
            if self._con.in_transaction:
                self._con.rollback()
            postings: PostingRuns | None = getattr(self, "_postings", None)  # None while opening
            if postings is not None:
                postings.forget()  # it may hold runs of the transaction rolled back
            raise

    def _write(self) -> Any:
        if self.readonly:
            raise IndexWriteError(f"{self.path}: the index was opened read-only")
        self._cache.clear()
        return self._transaction("IMMEDIATE")

    def _legacy(self) -> bool:
        """Whether this read-only handle reads fingerprints from a version-2 table, inside the
        caller's transaction (a writer may have upgraded the file since it was opened)."""
        if self._legacy_fingerprints and self._version() == FORMAT_VERSION:
            self._legacy_fingerprints = False
        return self._legacy_fingerprints

    def _live(self) -> npt.NDArray[np.int64]:
        """Rowids of the stored documents."""
        return np.array([r[0] for r in self._con.execute("SELECT doc FROM document")], dtype=np.int64)

    def _delete(self, ids: Sequence[str]) -> list[str]:
        """Delete documents inside the current transaction (their postings and fingerprints go at
        the next merge of their runs)."""
        found = []
        for start in range(0, len(ids), _IDS_PER_STATEMENT):
            chunk = list(ids[start : start + _IDS_PER_STATEMENT])
            found += self._con.execute(
                f"SELECT * FROM document WHERE id IN ({','.join('?' * len(chunk))})", chunk).fetchall()
        if not found:
            return []
        self._con.executemany("DELETE FROM document WHERE doc = ?", [(row["doc"],) for row in found])
        present = {row["id"] for row in found}
        return [i for i in dict.fromkeys(ids) if i in present]

    def _names(self, docs: set[int]) -> dict[int, str]:
        """Names of document rowids; rowids of removed documents are simply missing."""
        if not docs:
            return {}
        rows = self._con.execute("SELECT doc, id FROM document WHERE doc IN (SELECT value FROM json_each(?))",
                                 (json.dumps(sorted(docs)),))
        return {int(doc): str(name) for doc, name in rows}

    # -- the Store protocol ----------------------------------------------------------------------

    def put(self, documents: Sequence[PreparedDocument]) -> list[str]:
        return self.put_encoded(self.encode(documents))

    def encode(self, documents: Sequence[PreparedDocument]) -> EncodedBatch:
        """``documents`` as :meth:`put_encoded` writes them. It uses no connection, so another
        thread may encode the next batch while this store writes one (``index add`` does)."""
        return encode_batch(documents, self.bands, self.rows)

    def put_encoded(self, batch: EncodedBatch) -> list[str]:
        """Store an encoded batch in one transaction (replacing documents with the same ids);
        returns the ids replaced."""
        with self._errors(), self._write():
            replaced = self._delete([d.id for d in batch.documents])
            stored = insert_rows(self._con, batch.rows)
            self._postings.add_batch(batch.postings, stored)
            self._fingerprints.add(*run_tables.with_rowids(batch.fingerprints, stored))
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
                cached = self._cache[row["doc"]] = decode(row, self.config)
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

    def postings(self, keys: npt.NDArray[np.uint64]) -> list[set[str]]:
        """Documents whose entries hold each row's band keys, folded to 32 bits (false hits: about
        ``n / 2**32`` a lookup, see :mod:`syndidetect.store.sqlite.runs`)."""
        folded = fold_keys(keys.astype(np.uint64)).reshape(len(keys), self.bands)
        with self._errors(), self._transaction("DEFERRED"):  # one snapshot: a writer may be merging runs
            hits = self._postings.lookup(folded)
            names = self._names(set().union(*hits))
        return [{names[d] for d in h if d in names} for h in hits]

    def fingerprint_counts(self, fingerprints: Sequence[int]) -> dict[int, int]:
        wanted = np.array(sorted(set(fingerprints)), dtype=np.uint64)
        with self._errors(), self._transaction("DEFERRED"):  # one snapshot: a writer may be merging runs
            if self._legacy():
                rows = self._con.execute(
                    "SELECT fp, count(*) FROM fingerprint WHERE fp IN (SELECT value FROM json_each(?)) GROUP BY fp",
                    (json.dumps(signed(wanted.tolist())),)).fetchall()
                return {fp % (1 << 64): int(count) for fp, count in rows}
            fp, doc = self._fingerprints.lookup(wanted)
            live = self._names(set(doc.tolist()))  # removed documents are missing
        held = fp[arrays.members(doc, np.array(sorted(live), dtype=doc.dtype))]
        values, counts = np.unique(held, return_counts=True)
        return dict(zip(values.tolist(), counts.tolist()))

    def stats(self) -> dict[str, int]:
        with self._errors(), self._transaction("DEFERRED"):  # one snapshot: a writer may be merging runs
            self._postings.runs()  # cheap (a search a run) and catches a run or posting table edited by hand
            if not self._legacy():
                self._fingerprints.runs()
            docs, paragraphs, matchable = self._con.execute(
                "SELECT count(*), coalesce(sum(paragraphs), 0), coalesce(sum(matchable), 0) FROM document"
            ).fetchone()
            pages = self._con.execute("PRAGMA page_count").fetchone()[0]
            page_size = self._con.execute("PRAGMA page_size").fetchone()[0]
            return {"documents": int(docs), "paragraphs": int(paragraphs), "matchable_paragraphs": int(matchable),
                    "bytes": int(pages) * int(page_size),
                    "format_version": UPGRADABLE_VERSION if self._legacy_fingerprints else FORMAT_VERSION}

    def close(self, merge: bool = True) -> None:
        """Merge the posting and fingerprint runs this writer added (unless ``merge`` is False: the next writer
        will), then close the connection (idempotent); the last one out checkpoints the WAL into the
        file. Another writer holding the lock longer than the timeout only skips the merge."""
        try:
            if merge and (self._postings.pending or self._fingerprints.pending):
                with self._errors(), self._write():
                    self._postings.merge()
                    self._fingerprints.merge()
        except IndexBusyError:
            pass  # everything added is committed; the runs only wait for the next merge
        finally:
            self._postings.pending = self._fingerprints.pending = False
            if self._checkpoints is not None:
                self._checkpoints.close()  # first: the last connection out checkpoints and removes the WAL
            self._con.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        self.close(merge=kind is None)  # leaving on an error (Ctrl-C included): no more work


def stored_config(path: str | PathLike[str]) -> Config | None:
    """The configuration an existing index was built with, or None when ``path`` does not exist."""
    if not Path(path).exists():
        return None
    with SQLiteStore(path, create=False, readonly=True) as store:
        return store.config
