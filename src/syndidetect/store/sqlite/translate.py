"""The index's errors as one-line messages: what happened to which file, and what to do."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from syndidetect.errors import IndexBusyError, IndexFormatError, IndexWriteError, SyndidetectError

#: What decoding an index edited by hand can raise (json, numpy, int(), Config and Document
#: validation...): inside the store's error boundary each becomes one "corrupt index" IndexFormatError.
CONTENT_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError, ArithmeticError, RecursionError)
#: SQLite result codes of an index whose schema or rows were changed behind our back.
_CORRUPT_CODES = ("SQLITE_CORRUPT", "SQLITE_ERROR", "SQLITE_MISMATCH", "SQLITE_CONSTRAINT", "SQLITE_SCHEMA",
                  "SQLITE_FORMAT", "SQLITE_RANGE", "SQLITE_TOOBIG")


def what(exc: BaseException) -> str:
    """What was wrong in an index, from the error decoding it raised."""
    if isinstance(exc, (SyndidetectError, sqlite3.Error)) or type(exc) is ValueError:
        return str(exc)
    if isinstance(exc, KeyError):
        return f"missing {exc.args[0]!r}" if exc.args else "missing key"
    return f"{type(exc).__name__}: {exc}"


def translate(exc: sqlite3.Error, path: Path, timeout: float) -> SyndidetectError:
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
