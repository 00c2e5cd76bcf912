"""Input for the Dask path: files, folders, Parquet and Dask collections as one frame of documents.

The frame has columns ``id``, ``text`` and ``date`` (strings). Only file names are listed on the
client: text and JSONL files are read on the workers in batches (:func:`file_batches`), Parquet by
Dask's own reader, and every cell is checked by the rules the in-process readers apply.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from syndidetect.distributed.deps import dask_modules
from syndidetect.documents import Document
from syndidetect.errors import InputError
from syndidetect.sources import JSONL_SUFFIXES, TEXT_SUFFIXES, checked_text, file_documents, record_files

# Text files are read in batches of about this many bytes (and at most this many files) per
# partition: tens of MB of text keep a task's working set (prepared paragraphs, signatures) at a few
# hundred MB while leaving enough partitions for the workers to share.
BATCH_BYTES = 32 * 1024 * 1024
BATCH_FILES = 2000
# A file with one of these suffixes (or a folder holding only such parts) is a Parquet table.
PARQUET_SUFFIXES = (".parquet", ".pq")


def read_files(unit: tuple[tuple[str, str], ...]) -> Any:
    """One partition of documents: text files ``(path, id)`` and JSONL files, read on a worker."""
    _, _, pd = dask_modules()
    docs = [doc for path, doc_id in unit for doc in file_documents(Path(path), doc_id)]
    return document_frame(pd, docs)


def document_frame(pd: Any, docs: Sequence[Document]) -> Any:
    """The documents as a pandas frame of the Dask path's input (``id``, ``text``, ``date``)."""
    return pd.DataFrame({
        "id": pd.Series([d.id for d in docs], dtype="string"),
        "text": pd.Series([d.text for d in docs], dtype="string"),
        "date": pd.Series([d.date for d in docs], dtype="string"),
    })


def file_batches(files: Sequence[tuple[Path, str]]) -> Iterator[tuple[tuple[str, str], ...]]:
    """Text files grouped into partitions of bounded size; a JSONL file is a partition of its own."""
    batch: list[tuple[str, str]] = []
    size = 0
    for path, doc_id in files:
        jsonl = path.suffix.lower() in JSONL_SUFFIXES
        if batch and (jsonl or size >= BATCH_BYTES or len(batch) >= BATCH_FILES):
            yield tuple(batch)
            batch, size = [], 0
        batch.append((str(path), doc_id))
        size += path.stat().st_size
        if jsonl:
            yield tuple(batch)
            batch, size = [], 0
    if batch:
        yield tuple(batch)


def parquet_part(dd: Any, path: Path) -> Any:
    """A Parquet file or folder of parts as an input frame, each part checked on its worker."""
    try:
        frame = dd.read_parquet(str(path))
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError: not Parquet, empty, cut
        reason = str(exc).strip().splitlines()[-1].rpartition("': ")[2]  # pyarrow's last cause, no preamble
        raise InputError(f"{path}: not a readable Parquet file ({reason})") from None
    missing = {"id", "text"} - set(frame.columns)
    if missing:
        raise InputError(f"{path}: Parquet input needs columns 'id' and 'text'; missing {sorted(missing)}")
    frame = frame[["id", "text", "date"]] if "date" in frame.columns else frame[["id", "text"]].assign(date=None)
    frame = frame.astype({"id": "string", "text": "string", "date": "string"})
    return frame.map_partitions(checked_rows, str(path), meta=frame._meta)


def checked_rows(frame: Any, name: str) -> Any:
    """The rows of a table part, refused naming the file when a cell breaks the input rules."""
    for column in ("id", "text"):
        nulls = frame[column].isna().to_numpy()
        if nulls.any():
            doc_id = frame["id"].iloc[int(nulls.argmax())]
            which = "" if column == "id" else f" (id {doc_id!r})"
            raise InputError(f"{name}: a row has a null {column!r}{which}")
    for doc_id, text, date in zip(frame["id"], frame["text"], frame["date"]):
        try:
            checked_text(text, f"document {doc_id!r}")
            Document(doc_id, "", date_cell(date))
        except InputError as exc:
            raise InputError(f"{name}: {exc}") from None
    return frame


def path_files(path: Path) -> list[tuple[Path, str]]:
    """``(file, id)`` of the text and JSONL files a path names, ids as the in-process scan gives them."""
    if path.is_dir():
        return [(f, f.relative_to(path).as_posix()) for f in record_files(path)]
    return [(path, path.name)]


def is_parquet(path: Path) -> bool:
    """Whether ``path`` is a Parquet file, or a folder of Parquet parts (and no text or JSONL files)."""
    if path.is_dir():
        return not any(record_files(path)) and any(path.rglob(f"*{PARQUET_SUFFIXES[0]}"))
    return path.suffix.lower() in PARQUET_SUFFIXES


def read_collection(paths: Sequence[str]) -> Any:
    """A Dask DataFrame (``id``, ``text``, ``date``) of the documents named by ``paths``.

    Files and folders are named as :func:`syndidetect.sources.read_inputs` names them (same ids, same
    order); a ``.parquet`` file or a folder of Parquet parts is read by Dask in partitions. Only file
    names are listed here: the text is read on the workers.
    """
    _, dd, pd = dask_modules()
    if not paths:
        raise InputError("no input given; name files, folders, .jsonl or .parquet files")
    parts: list[Any] = []
    for raw in paths:
        path = Path(raw)
        if raw == "-":
            raise InputError("-: standard input cannot be read on a Dask cluster; name files or folders")
        if not path.exists():
            raise InputError(f"{path}: no such file or directory")
        if is_parquet(path):
            parts.append(parquet_part(dd, path))
            continue
        files = path_files(path)
        if not files:
            raise InputError(f"{path}: no documents found (looked for {', '.join(TEXT_SUFFIXES + JSONL_SUFFIXES)})")
        parts.append(dd.from_map(read_files, list(file_batches(files)), meta=document_frame(pd, []),
                                 enforce_metadata=False))
    return parts[0] if len(parts) == 1 else dd.concat(parts)


def as_frame(collection: Any) -> Any:
    """A Dask DataFrame with ``id``, ``text`` and ``date`` from a DataFrame or a bag of ``(id, text)``."""
    dask, dd, pd = dask_modules()
    import dask.bag as db

    if isinstance(collection, db.Bag):
        bag: Any = collection  # dask's partial annotations leave its methods untyped
        frames = [dask.delayed(bag_frame)(part) for part in bag.to_delayed()]
        return dd.from_delayed(frames, meta=document_frame(pd, []), verify_meta=False)
    if not isinstance(collection, dd.DataFrame):
        raise InputError("collection must be a Dask DataFrame with 'id' and 'text' columns or a Dask bag of "
                         f"(id, text) tuples; got {type(collection).__name__}")
    missing = {"id", "text"} - set(collection.columns)
    if missing:
        raise InputError(f"collection needs columns 'id' and 'text'; missing {sorted(missing)}")
    if "date" not in collection.columns:
        collection = collection.assign(date=None)
    return collection[["id", "text", "date"]]


def bag_frame(items: Iterable[Any]) -> Any:
    """One partition of a bag of documents or ``(id, text)`` tuples as an input frame."""
    _, _, pd = dask_modules()
    docs = []
    for item in items:
        if isinstance(item, Document):
            docs.append(item)
        elif isinstance(item, tuple) and len(item) == 2:
            docs.append(Document(*item))
        else:
            raise InputError(f"bag items must be Document or (id, text) tuples; got {type(item).__name__}")
    return document_frame(pd, docs)


def date_cell(value: Any) -> str | None:
    """A date cell as ``Document.date``: missing (None, NaN, NA) is None, a timestamp its text."""
    if value is None or isinstance(value, str):  # most cells: no call into pandas (a document each)
        return value
    _, _, pd = dask_modules()
    return None if pd.isna(value) else str(value)
