"""A persistent store: one SQLite file (WAL mode), one transaction per batch, LSH through posting runs.

Layout (format version 3; version 2 files are read, and upgraded by their next writer):

* ``meta``: the format name, the config fingerprint and the stored verification defaults (JSON)
  (:mod:`.format`, which also holds the schema).
* ``document``: one row per document: its text once, and as BLOBs the paragraph spans, the
  matchable flags, the shingle counts and the exact shingle hashes, so a ``PreparedDocument`` is
  rebuilt without tokenising again (:mod:`.rows`). Signatures are *not* stored (512 bytes a
  paragraph at num_perm=128): they are recomputed from the hashes when needed.
* ``fprun`` and ``fpbucket``: each document's distinct exact-repeat paragraph fingerprints
  (``boilerplate.paragraph_fingerprints``) in sorted runs (:mod:`.fingerprints`), so boilerplate
  counts need no document decoding (version 2: a ``fingerprint (fp, doc)`` table).
* ``run`` and ``posting``: the LSH band keys, as a small log-structured merge tree (:mod:`.runs`).

:mod:`.translate` turns SQLite's errors into one-line ones; :mod:`.store` is the store itself.
"""

from syndidetect.errors import IndexBusyError, IndexWriteError
from syndidetect.store.sqlite.format import DEFAULT_TIMEOUT, FORMAT_VERSION, MAX_TIMEOUT, check_timeout
from syndidetect.store.sqlite.rows import signatures_from_hashes
from syndidetect.store.sqlite.store import SQLiteStore, stored_config

__all__ = ["DEFAULT_TIMEOUT", "FORMAT_VERSION", "MAX_TIMEOUT", "IndexBusyError", "IndexWriteError", "SQLiteStore",
           "check_timeout", "signatures_from_hashes", "stored_config"]
