"""Tables of documents: CSV and Parquet files, pandas DataFrames and pyarrow Tables with ``id`` and
``text`` columns (optional ``date``, ``url``); one document per row.

CSV is read with the standard library (every cell a string, so ``007`` stays ``007``); Parquet
with pyarrow (the ``parquet`` extra), a row group at a time.
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import reprlib
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from syndidetect.dates import canonical_date
from syndidetect.documents import Document
from syndidetect.errors import InputError
from syndidetect.readers.optional import require
from syndidetect.readers.plain import checked_text, decode
from syndidetect.readers.problems import Problems

__all__ = ["COLUMNS", "csv_documents", "is_table", "parquet_documents", "table_documents"]

CSV_SUFFIXES = (".csv",)
PARQUET_SUFFIXES = (".parquet", ".pq")
COLUMNS = ("id", "text", "date", "url")
REQUIRED = ("id", "text")
# Characters; the csv module refuses a longer cell. Python's default (131,072) is shorter than a long
# article, so a reading raises it to the size of the whole file, which no cell can exceed.
CSV_DEFAULT_FIELD_LIMIT = 131_072


def _missing(value: Any) -> bool:
    """None, NaN, pandas NA / NaT: a cell with no value."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return type(value).__name__ in ("NAType", "NaTType")


def _row_document(cells: dict[str, Any], where: str) -> Document:
    doc_id, text, when, url = (cells.get(c) for c in COLUMNS)
    if _missing(doc_id) or isinstance(doc_id, (bool, float)) or not str(doc_id).strip():
        raise InputError(f"{where}: 'id' must be a non-empty string or an integer; got {reprlib.repr(doc_id)}")
    doc_id = str(doc_id)
    if _missing(text):
        raise InputError(f"{where} (id {doc_id!r}): 'text' is missing")
    if not isinstance(text, str):
        raise InputError(f"{where} (id {doc_id!r}): 'text' must be a string; got {reprlib.repr(text)}")
    checked_text(text, f"{where} (id {doc_id!r})")
    if _missing(when) or (isinstance(when, str) and not when.strip()):
        when = None
    elif isinstance(when, date):  # a timestamp column (pandas Timestamp, pyarrow timestamp, date)
        try:
            when = canonical_date(when)
        except ValueError as exc:
            raise InputError(f"{where} (id {doc_id!r}): {exc}") from None
    elif not isinstance(when, str):
        raise InputError(f"{where} (id {doc_id!r}): 'date' must be a string or a timestamp; got {reprlib.repr(when)}")
    metadata = {"url": url} if isinstance(url, str) and url else {}
    try:
        return Document(doc_id, text, when, metadata)
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None


def _check_columns(found: Sequence[str], name: str, kind: str) -> None:
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        raise InputError(f"{name}: {kind} input needs columns 'id' and 'text'; missing {missing} "
                         f"(columns found: {', '.join(map(str, found)) or 'none'})")


def _rows(rows: Iterable[tuple[str, dict[str, Any]]], problems: Problems) -> list[Document]:
    docs = []
    for where, cells in rows:
        with problems.record():
            docs.append(_row_document(cells, where))
    return docs


@contextlib.contextmanager
def _field_limit(limit: int) -> Iterator[None]:
    previous = csv.field_size_limit(max(limit, CSV_DEFAULT_FIELD_LIMIT))
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def csv_documents(data: bytes, name: str, problems: Problems | None = None) -> list[Document]:
    """The rows of a CSV file with a header naming ``id`` and ``text`` (optional ``date``, ``url``)."""
    problems = problems or Problems()
    before = problems.count
    text = checked_text(decode(data, name), name).lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)  # strict: a quote never closed is an error
    try:
        with _field_limit(len(text)):
            header = next(reader, None) or []
            _check_columns(header, name, "CSV")
            columns = {c: header.index(c) for c in COLUMNS if c in header}

            def rows() -> Iterator[tuple[str, dict[str, Any]]]:
                for row in reader:
                    if any(cell.strip() for cell in row):
                        yield f"{name}:{reader.line_num}", {c: row[i] if i < len(row) else None
                                                            for c, i in columns.items()}

            docs = _rows(rows(), problems)
    except csv.Error as exc:
        raise InputError(f"{name}:{reader.line_num}: malformed CSV ({exc})") from None
    if not docs and problems.count == before:
        raise InputError(f"{name}: no rows")
    return docs


def parquet_documents(path: Path, name: str, problems: Problems | None = None) -> list[Document]:
    """The rows of a Parquet file with ``id`` and ``text`` columns (optional ``date``, ``url``)."""
    problems = problems or Problems()
    before = problems.count
    parquet = require("pyarrow.parquet")
    try:
        table = parquet.ParquetFile(path)
        columns = [c for c in COLUMNS if c in table.schema_arrow.names]
        _check_columns(table.schema_arrow.names, name, "Parquet")
        docs: list[Document] = []
        for group in range(table.num_row_groups):
            batch = table.read_row_group(group, columns=columns)
            offset = sum(table.metadata.row_group(g).num_rows for g in range(group))
            docs += _rows(_column_rows(batch.to_pydict(), name, offset), problems)
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError: not Parquet, cut short
        reason = " ".join(str(exc).split())[:200]
        raise InputError(f"{name}: not a readable Parquet file ({reason})") from None
    if not docs and problems.count == before:
        raise InputError(f"{name}: no rows")
    return docs


def _column_rows(columns: dict[str, list[Any]], name: str, offset: int = 0) -> Iterator[tuple[str, dict[str, Any]]]:
    size = len(next(iter(columns.values()), []))
    for row in range(size):
        yield f"{name}: row {offset + row + 1}", {c: values[row] for c, values in columns.items()}


def is_table(value: object) -> bool:
    """Whether ``value`` is a pandas DataFrame or a pyarrow Table / RecordBatch (by duck type, so
    neither package is imported to find out)."""
    module = type(value).__module__.partition(".")[0]
    return module in ("pandas", "pyarrow") and (hasattr(value, "column_names") or hasattr(value, "columns"))


def table_documents(table: Any, name: str = "table") -> list[Document]:
    """The rows of a pandas DataFrame or a pyarrow Table with ``id`` and ``text`` columns."""
    names = [str(c) for c in (table.column_names if hasattr(table, "column_names") else table.columns)]
    _check_columns(names, name, type(table).__name__)
    present = [c for c in COLUMNS if c in names]
    if hasattr(table, "column_names"):
        columns = {c: table.column(c).to_pylist() for c in present}
    else:
        columns = {c: table[c].tolist() for c in present}
    return _rows(_column_rows(columns, name), Problems())
