"""Detection over a Dask collection, the same stages as :func:`syndidetect.detect` spread over a cluster.

The pipeline has the field's usual shape, each stage a Dask DataFrame operation:

1. per input partition, :func:`~syndidetect.prepared.prepare_documents` (the same kernel call as in
   process) gives each document a global ordinal, its LSH band keys and a slim pickled copy of its
   prepared data (paragraphs and shingle hashes; no text, no signatures);
2. boilerplate: a value_counts over (document, distinct shingle) rows gives document frequencies,
   and each document gets back those of its short paragraphs, to find its boilerplate mask with
   the steps :func:`~syndidetect.boilerplate.find_boilerplate` uses;
3. the band keys are exploded to one row per (band, key, paragraph) and shuffled on (band, key), so
   every bucket lands whole in one partition, where :func:`~syndidetect.lsh.candidate_pairs` turns it
   into document pairs exactly as the in-process store does;
4. the deduplicated pairs are joined twice with the prepared data and masks (a shuffle join:
   verification happens where the paragraphs are, not on the client); ``judge_pair`` decides;
5. groups are connected components of the copy edges, the only rows collected besides the result.

:func:`detect_dask` returns a :class:`~syndidetect.report.Report` equal to the in-process one with
``sentence_candidates=False`` (small corpora): candidates come from the paragraph LSH only, the
sentence LSH for heavy rewording runs in process; :func:`detect_to_parquet` writes documents, pairs
and matches as Parquet (large ones).
Dask is imported lazily: without the ``dask`` extra only calling these functions fails.
"""

from __future__ import annotations

import dataclasses
import importlib
import pickle
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

# The boilerplate scan's per-document steps are reused as they are, so both scans agree exactly.
from syndidetect.boilerplate import (
    BOILERPLATE_SHARE,
    _frequent_share,
    _short,
    _short_hashes,
    paragraph_fingerprints,
    template_lines,
)
from syndidetect.config import Config
from syndidetect.detector import copy_groups, pair_report
from syndidetect.documents import Document
from syndidetect.errors import InputError, MissingDependencyError
from syndidetect.lsh import band_keys, band_layout, candidate_pairs, shares_likely_candidate
from syndidetect.prepared import PreparedDocument, prepare_documents
from syndidetect.report import DocumentSummary, PairReport, Report
from syndidetect.sources import (
    JSONL_SUFFIXES,
    TEXT_SUFFIXES,
    _file_documents,
    _folder_files,
    checked_text,
    unique_ids,
)
from syndidetect.verify import judge_pair

__all__ = ["ParquetResult", "detect_dask", "detect_to_parquet", "read_collection", "require_dask"]

# Global ordinals: a document is (partition << 32 | position), a paragraph row (partition << 40 | row),
# so sorting them gives the in-process order (documents in input order, paragraphs in document order),
# which the chaining of large LSH buckets depends on.
_DOC_BITS = 32
_ROW_BITS = 40
# Text files are read in batches of about this many bytes (and at most this many files) per partition.
_BATCH_BYTES = 32 * 1024 * 1024
_BATCH_FILES = 2000
PARQUET_SUFFIXES = (".parquet", ".pq")

_PAIR_COLUMNS = ("document_a", "document_b", "verdict", "kind", "source", "copy", "matched_a", "matched_b",
                 "matchable_a", "matchable_b", "kept", "report")
_MATCH_COLUMNS = ("document_a", "document_b", "verdict", "match_kind", "jaccard", "containment", "window",
                  "index_a", "start_a", "end_a", "index_b", "start_b", "end_b", "text_a", "text_b")


def _modules() -> tuple[Any, Any, Any]:
    """``(dask, dask.dataframe, pandas)``, or the pip command to run when the extra is missing."""
    try:
        import dask
        import dask.dataframe as dd
        import distributed  # noqa: F401  (the scheduler the CLI and the tests run on)

        pd = importlib.import_module("pandas")  # a dask dependency; imported by name as it has no stubs
    except ImportError:
        raise MissingDependencyError("dask", "dask") from None
    return dask, dd, pd


def require_dask() -> None:
    """Raise :class:`~syndidetect.errors.MissingDependencyError` (with the pip command) without the extra."""
    _modules()


# ---------------------------------------------------------------------------------------------- reading


def _read_unit(unit: tuple[tuple[str, str], ...]) -> Any:
    """One partition of documents: text files ``(path, id)`` and JSONL files, read on a worker."""
    _, _, pd = _modules()
    docs = [doc for path, doc_id in unit for doc in _file_documents(Path(path), doc_id)]
    return _frame(pd, docs)


def _frame(pd: Any, docs: Sequence[Document]) -> Any:
    return pd.DataFrame({
        "id": pd.Series([d.id for d in docs], dtype="string"),
        "text": pd.Series([d.text for d in docs], dtype="string"),
        "date": pd.Series([d.date for d in docs], dtype="string"),
    })


def _batches(files: Sequence[tuple[Path, str]]) -> Iterator[tuple[tuple[str, str], ...]]:
    """Text files grouped into partitions of bounded size; a JSONL file is a partition of its own."""
    batch: list[tuple[str, str]] = []
    size = 0
    for path, doc_id in files:
        jsonl = path.suffix.lower() in JSONL_SUFFIXES
        if batch and (jsonl or size >= _BATCH_BYTES or len(batch) >= _BATCH_FILES):
            yield tuple(batch)
            batch, size = [], 0
        batch.append((str(path), doc_id))
        size += path.stat().st_size
        if jsonl:
            yield tuple(batch)
            batch, size = [], 0
    if batch:
        yield tuple(batch)


def _parquet_part(dd: Any, path: Path) -> Any:
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
    return frame.map_partitions(_checked_rows, str(path), meta=frame._meta)


def _checked_rows(frame: Any, name: str) -> Any:
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
            Document(doc_id, "", _date(date))
        except InputError as exc:
            raise InputError(f"{name}: {exc}") from None
    return frame


def _path_files(path: Path) -> list[tuple[Path, str]]:
    if path.is_dir():
        return [(f, f.relative_to(path).as_posix()) for f in _folder_files(path)]
    return [(path, path.name)]


def _is_parquet(path: Path) -> bool:
    if path.is_dir():
        return not any(_folder_files(path)) and any(path.rglob(f"*{PARQUET_SUFFIXES[0]}"))
    return path.suffix.lower() in PARQUET_SUFFIXES


def read_collection(paths: Sequence[str]) -> Any:
    """A Dask DataFrame (``id``, ``text``, ``date``) of the documents named by ``paths``.

    Files and folders are named as :func:`syndidetect.sources.read_inputs` names them (same ids, same
    order); a ``.parquet`` file or a folder of Parquet parts is read by Dask in partitions. Only file
    names are listed here: the text is read on the workers.
    """
    _, dd, pd = _modules()
    if not paths:
        raise InputError("no input given; name files, folders, .jsonl or .parquet files")
    parts: list[Any] = []
    for raw in paths:
        path = Path(raw)
        if raw == "-":
            raise InputError("-: standard input cannot be read on a Dask cluster; name files or folders")
        if not path.exists():
            raise InputError(f"{path}: no such file or directory")
        if _is_parquet(path):
            parts.append(_parquet_part(dd, path))
            continue
        files = _path_files(path)
        if not files:
            raise InputError(f"{path}: no documents found (looked for {', '.join(TEXT_SUFFIXES + JSONL_SUFFIXES)})")
        parts.append(dd.from_map(_read_unit, list(_batches(files)), meta=_frame(pd, []), enforce_metadata=False))
    return parts[0] if len(parts) == 1 else dd.concat(parts)


def _as_frame(collection: Any) -> Any:
    """A Dask DataFrame with ``id``, ``text`` and ``date`` from a DataFrame or a bag of ``(id, text)``."""
    dask, dd, pd = _modules()
    import dask.bag as db

    if isinstance(collection, db.Bag):
        bag: Any = collection  # dask's partial annotations leave its methods untyped
        frames = [dask.delayed(_bag_frame)(part) for part in bag.to_delayed()]
        return dd.from_delayed(frames, meta=_frame(pd, []), verify_meta=False)
    if not isinstance(collection, dd.DataFrame):
        raise InputError("collection must be a Dask DataFrame with 'id' and 'text' columns or a Dask bag of "
                         f"(id, text) tuples; got {type(collection).__name__}")
    missing = {"id", "text"} - set(collection.columns)
    if missing:
        raise InputError(f"collection needs columns 'id' and 'text'; missing {sorted(missing)}")
    if "date" not in collection.columns:
        collection = collection.assign(date=None)
    return collection[["id", "text", "date"]]


def _bag_frame(items: Iterable[Any]) -> Any:
    _, _, pd = _modules()
    docs = []
    for item in items:
        if isinstance(item, Document):
            docs.append(item)
        elif isinstance(item, tuple) and len(item) == 2:
            docs.append(Document(*item))
        else:
            raise InputError(f"bag items must be Document or (id, text) tuples; got {type(item).__name__}")
    return _frame(pd, docs)


# ---------------------------------------------------------------------------------------------- stages


def _date(value: Any) -> str | None:
    """A date cell as ``Document.date``: missing (None, NaN, NA) is None, a timestamp its text."""
    _, _, pd = _modules()
    if isinstance(value, str):
        return value
    return None if value is None or pd.isna(value) else str(value)


def _slim(doc: PreparedDocument) -> bytes:
    """What verification needs, pickled: the text (once: the paragraphs refer to the same string),
    shingle hashes and signatures (for the same candidate filter as in process, see :func:`_likely`),
    without the metadata."""
    slim = dataclasses.replace(doc, document=Document(doc.id, doc.document.text, doc.document.date))
    return pickle.dumps(slim, protocol=pickle.HIGHEST_PROTOCOL)


def _likely(a: PreparedDocument, b: PreparedDocument, config: Config) -> bool:
    """The in-process store drops candidates whose estimated containment cannot reach the threshold
    before verification; this applies the same test to one candidate document pair."""
    bands, rows = band_layout(config)
    return shares_likely_candidate(a.signatures[a.matchable], a.shingle_counts()[a.matchable],
                                   b.signatures[b.matchable], b.shingle_counts()[b.matchable],
                                   bands, rows, config.threshold)


def _prepare_partition(frame: Any, config: Config, partition_info: dict[str, Any] | None = None) -> Any:
    """Prepared documents of one partition: ordinal, id, paragraph count, band keys, slim blob."""
    _, _, pd = _modules()
    number = partition_info["number"] if partition_info else 0
    docs = [Document(i, t, _date(d)) for i, t, d in zip(frame["id"], frame["text"], frame["date"])]
    prepared = prepare_documents(docs, config)
    bands, rows = band_layout(config)
    keys = [band_keys(p.signatures[p.matchable], bands, rows).tobytes() for p in prepared]
    short = [_short(p, config) for p in prepared]
    return pd.DataFrame({
        "ord": (np.int64(number) << _DOC_BITS) + np.arange(len(prepared), dtype=np.int64),
        "id": pd.Series([p.id for p in prepared], dtype="string"),
        "paragraphs": np.array([len(p.paragraphs) for p in prepared], dtype=np.int64),
        # The report's document summary (length, date): the client never sees the texts.
        **_summary_columns(pd, prepared),
        "keys": pd.Series(keys, dtype=object),
        "blob": pd.Series([_slim(p) for p in prepared], dtype=object),
        # For the boilerplate scan: the distinct shingles of the document's short paragraphs.
        "short": pd.Series([np.unique(_short_hashes(p, s)[0]).tobytes() for p, s in zip(prepared, short)],
                           dtype=object),
    })


# ---------------------------------------------------------------------------------------------- boilerplate
# In process, find_boilerplate counts in how many documents each shingle of a short paragraph occurs (in
# short paragraphs). Here the counts are a value_counts over (document, distinct short shingle) rows, and
# each document gets back the counts of its own short shingles, all that its boilerplate mask depends on.


def _explode(frame: Any, column: str, with_ord: bool) -> Any:
    _, _, pd = _modules()
    arrays = [np.frombuffer(b, dtype=np.uint32) for b in frame[column]]
    hashes = np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.uint32)
    if not with_ord:
        return pd.DataFrame({"hash": hashes})
    ords = np.repeat(frame["ord"].to_numpy(dtype=np.int64), [len(a) for a in arrays])
    return pd.DataFrame({"ord": ords, "hash": hashes})


def _lookup_per_doc(frame: Any) -> Any:
    """``(ord, hashes, counts)``: one row per document, its short shingles' document counts (sorted)."""
    _, _, pd = _modules()
    frame = frame.sort_values(["ord", "hash"], kind="stable")
    ords = frame["ord"].to_numpy(dtype=np.int64)
    if not len(ords):
        return pd.DataFrame({"ord": ords, "hashes": pd.Series([], dtype=object), "counts": pd.Series([], dtype=object)})
    starts = np.flatnonzero(np.concatenate(([True], ords[1:] != ords[:-1])))
    hashes = np.split(frame["hash"].to_numpy(dtype=np.uint32), starts[1:])
    counts = np.split(frame["count"].to_numpy(dtype=np.int64), starts[1:])
    return pd.DataFrame({"ord": ords[starts], "hashes": pd.Series([h.tobytes() for h in hashes], dtype=object),
                         "counts": pd.Series([c.tobytes() for c in counts], dtype=object)})


def _doc_boilerplate(doc: PreparedDocument, hashes: bytes, counts: bytes, ordinal: int,
                     config: Config) -> tuple[npt.NDArray[np.bool_] | None, list[tuple[int, int, int, str, int]]]:
    """The document's boilerplate mask and its examples ``(fingerprint, ord, paragraph, text, documents)``,
    as ``find_boilerplate`` finds them; ``hashes`` (sorted) and ``counts`` are its short shingles' counts."""
    table, df = np.frombuffer(hashes, dtype=np.uint32), np.frombuffer(counts, dtype=np.int64)
    short = _short(doc, config)
    share, most = _frequent_share(doc, short, table, df, config.boilerplate_docs)
    flagged = template_lines(short & (share >= BOILERPLATE_SHARE), doc.matchable)
    if not flagged.any():
        return None, []
    fingerprints = paragraph_fingerprints(doc)
    return flagged, [(fingerprints[i], ordinal, int(i), doc.paragraphs[i].text, int(most[i]))
                     for i in np.flatnonzero(flagged)]


def _mask_partition(frame: Any, config: Config) -> Any:
    """``(ord, blob, mask, examples)`` per document: the prepared blob with its boilerplate mask."""
    _, _, pd = _modules()
    masks: list[bytes | None] = []
    examples: list[bytes | None] = []
    for ordinal, blob, hashes, counts in zip(frame["ord"], frame["blob"], frame["hashes"], frame["counts"]):
        found: tuple[Any, list[Any]] = (None, [])
        if isinstance(hashes, bytes) and hashes:
            found = _doc_boilerplate(pickle.loads(blob), hashes, counts, int(ordinal), config)
        masks.append(None if found[0] is None else pickle.dumps(found[0]))
        examples.append(pickle.dumps(found[1]) if found[1] else None)
    return pd.DataFrame({"ord": frame["ord"].to_numpy(dtype=np.int64), "blob": frame["blob"].astype(object),
                         "mask": pd.Series(masks, dtype=object), "examples": pd.Series(examples, dtype=object)})


def _with_boilerplate(prepared: Any, config: Config) -> Any:
    """The prepared blobs joined with their boilerplate masks (shuffles on shingle, then on document)."""
    _, _, pd = _modules()
    n = prepared.npartitions
    hash_meta = pd.DataFrame({"hash": np.zeros(0, np.uint32)})
    query_meta = pd.DataFrame({"ord": np.zeros(0, np.int64), "hash": np.zeros(0, np.uint32)})
    rows = prepared[["short"]].map_partitions(_explode, "short", False, meta=hash_meta, enforce_metadata=False)
    frequency = rows["hash"].value_counts(split_out=n).reset_index()
    query = prepared[["ord", "short"]].map_partitions(_explode, "short", True, meta=query_meta,
                                                       enforce_metadata=False)
    query = query.merge(frequency, on="hash").shuffle(on="ord", npartitions=n)
    lookup_meta = pd.DataFrame({"ord": np.zeros(0, np.int64), "hashes": pd.Series([], dtype=object),
                                "counts": pd.Series([], dtype=object)})
    lookup = query.map_partitions(_lookup_per_doc, meta=lookup_meta, enforce_metadata=False)
    joined = prepared[["ord", "blob"]].merge(lookup, on="ord", how="left")
    meta = pd.DataFrame({"ord": np.zeros(0, np.int64), **{c: pd.Series([], dtype=object)
                                                           for c in ("blob", "mask", "examples")}})
    return joined.map_partitions(_mask_partition, config, meta=meta, enforce_metadata=False)


def _examples(frame: Any) -> tuple[tuple[str, int], ...]:
    """``Report.boilerplate``: per fingerprint, the example of the first document (in input order)."""
    first: dict[int, tuple[int, int, str, int]] = {}
    for blob in frame["examples"]:
        for fp, ordinal, index, text, documents in pickle.loads(blob):
            if fp not in first or (ordinal, index) < first[fp][:2]:
                first[fp] = (ordinal, index, text, documents)
    return tuple(sorted((text, documents) for _, _, text, documents in first.values()))


def _band_rows(frame: Any, bands: int) -> Any:
    """One row per (matchable paragraph, band): band, key, global row order and document ordinal."""
    _, _, pd = _modules()
    keys = [np.frombuffer(k, dtype=np.uint64).reshape(-1, bands) for k in frame["keys"]]
    counts = np.array([len(k) for k in keys], dtype=np.int64)
    ords = frame["ord"].to_numpy(dtype=np.int64)
    flat = np.concatenate(keys) if keys else np.zeros((0, bands), dtype=np.uint64)
    partition = (ords[0] >> _DOC_BITS) << _ROW_BITS if len(ords) else 0
    order = partition + np.arange(len(flat), dtype=np.int64)
    return pd.DataFrame({
        "band": np.tile(np.arange(bands, dtype=np.int16), len(flat)),
        "key": flat.reshape(-1),
        "order": np.repeat(order, bands),
        "doc": np.repeat(np.repeat(ords, counts), bands),
    })


def _bucket_pairs(frame: Any) -> Any:
    """Document pairs of the buckets in one shuffled partition (each bucket is whole here).

    The uint64 key is split into two uint32 "rows" of a one-band signature, so ``candidate_pairs``
    sees exactly the buckets the in-process store sees, in the same row order.
    """
    _, _, pd = _modules()
    found = [np.zeros((0, 2), dtype=np.int64)]
    for _, group in frame.groupby("band", sort=False):
        group = group.sort_values("order", kind="stable")
        keys = group["key"].to_numpy(dtype=np.uint64)
        sig = np.stack([(keys >> np.uint64(32)).astype(np.uint32), keys.astype(np.uint32)], axis=1)
        owners = group["doc"].to_numpy(dtype=np.int64)
        found.append(owners[candidate_pairs(sig, 1, 2, owners)])
    pairs = np.unique(np.sort(np.concatenate(found), axis=1), axis=0)
    return pd.DataFrame({"a": pairs[:, 0], "b": pairs[:, 1]})


def _judge_partition(frame: Any, config: Config) -> Any:
    """Verdicts of the candidate pairs of one partition; blobs are unpickled once per document."""
    _, _, pd = _modules()
    cache: dict[int, PreparedDocument] = {}

    def load(ordinal: int, blob: bytes) -> PreparedDocument:
        if ordinal not in cache:
            cache[ordinal] = pickle.loads(blob)
        return cache[ordinal]

    records = []
    for row in zip(frame["a"], frame["blob_a"], frame["mask_a"], frame["b"], frame["blob_b"], frame["mask_b"]):
        a, mask_a = load(int(row[0]), row[1]), _mask(row[2])
        b, mask_b = load(int(row[3]), row[4]), _mask(row[5])
        if b.id < a.id:  # in process, pairs are judged with their ids in sorted order
            (a, mask_a), (b, mask_b) = (b, mask_b), (a, mask_a)
        if not _likely(a, b, config):
            continue
        verdict = judge_pair(a, b, config, (mask_a, mask_b))
        if verdict is not None:
            records.append(_pair_record(pair_report(a, b, verdict, config.shingle_size)))
    return _pairs_frame(pd, records)


def _mask(blob: Any) -> npt.NDArray[np.bool_] | None:
    return pickle.loads(blob) if isinstance(blob, bytes) else None


def _pair_record(pair: PairReport) -> tuple[Any, ...]:
    source, copy = (pair.direction.source, pair.direction.copy) if pair.direction else (None, None)
    return (*pair.documents, pair.verdict, pair.kind, source, copy, *pair.matched, *pair.matchable,
            pair.kept, pickle.dumps(pair, protocol=pickle.HIGHEST_PROTOCOL))


def _pairs_frame(pd: Any, records: list[tuple[Any, ...]]) -> Any:
    frame = pd.DataFrame.from_records(records, columns=list(_PAIR_COLUMNS))
    strings = ["document_a", "document_b", "verdict", "kind", "source", "copy"]
    ints = ["matched_a", "matched_b", "matchable_a", "matchable_b"]
    frame = frame.astype({**dict.fromkeys(strings, "string"), **dict.fromkeys(ints, "int64"), "kept": "float64"})
    return frame.astype({"report": object})


def _match_rows(frame: Any) -> Any:
    """One row per matched paragraph pair, from the pickled pair reports of one partition."""
    _, _, pd = _modules()
    rows = []
    for blob in frame["report"]:
        pair: PairReport = pickle.loads(blob)
        for m in pair.matches:
            pa, pb = m.paragraphs
            rows.append((*pair.documents, pair.verdict, m.kind, m.jaccard, m.containment, m.window,
                         pa.index, pa.start, pa.end, pb.index, pb.start, pb.end, pa.text, pb.text))
    out = pd.DataFrame.from_records(rows, columns=list(_MATCH_COLUMNS))
    strings = ["document_a", "document_b", "verdict", "match_kind", "text_a", "text_b"]
    ints = ["index_a", "start_a", "end_a", "index_b", "start_b", "end_b"]
    return out.astype({**dict.fromkeys(strings, "string"), **dict.fromkeys(ints, "int64"),
                       "jaccard": "float64", "containment": "float64", "window": "bool"})


# ---------------------------------------------------------------------------------------------- graph


def _check_config(config: Config | None) -> Config:
    config = config if config is not None else Config()
    if not isinstance(config, Config):
        raise InputError(f"'config' must be a syndidetect.Config; got {type(config).__name__}")
    return config


def _prepared(frame: Any, config: Config) -> Any:
    _, _, pd = _modules()
    meta = pd.DataFrame({"ord": np.zeros(0, np.int64), "id": pd.Series([], dtype="string"),
                         "paragraphs": np.zeros(0, np.int64), **_summary_columns(pd, []),
                         **{c: pd.Series([], dtype=object) for c in ("keys", "blob", "short")}})
    return frame.map_partitions(_prepare_partition, config, meta=meta, enforce_metadata=False)


def _candidates(prepared: Any, config: Config) -> Any:
    """Deduplicated candidate document pairs ``(a, b)`` by ordinal, via a shuffle on band keys."""
    _, _, pd = _modules()
    bands, _ = band_layout(config)
    row_meta = pd.DataFrame({"band": np.zeros(0, np.int16), "key": np.zeros(0, np.uint64),
                             "order": np.zeros(0, np.int64), "doc": np.zeros(0, np.int64)})
    pair_meta = pd.DataFrame({"a": np.zeros(0, np.int64), "b": np.zeros(0, np.int64)})
    rows = prepared[["ord", "keys"]].map_partitions(_band_rows, bands, meta=row_meta, enforce_metadata=False)
    shuffled = rows.shuffle(on=["band", "key"], npartitions=prepared.npartitions)
    pairs = shuffled.map_partitions(_bucket_pairs, meta=pair_meta, enforce_metadata=False)
    return pairs.drop_duplicates(split_out=prepared.npartitions)


def _judged(prepared: Any, verifiable: Any, config: Config) -> Any:
    """Pair verdicts: candidates joined with both documents' prepared data, judged on the workers."""
    _, _, pd = _modules()
    blobs = verifiable[["ord", "blob", "mask"]]
    pairs = _candidates(prepared, config)
    pairs = pairs.merge(blobs.rename(columns={"ord": "a", "blob": "blob_a", "mask": "mask_a"}), on="a")
    pairs = pairs.merge(blobs.rename(columns={"ord": "b", "blob": "blob_b", "mask": "mask_b"}), on="b")
    return pairs.map_partitions(_judge_partition, config, meta=_pairs_frame(pd, []), enforce_metadata=False)


def _compute(client: Any, *collections: Any) -> tuple[Any, ...]:
    dask, _, _ = _modules()
    if client is not None:
        return tuple(client.gather(client.compute(list(collections))))
    return tuple(dask.compute(*collections))


_SUMMARY_COLUMNS = ["id", "paragraphs", "characters", "words", "matchable_words", "date"]


def _summary_columns(pd: Any, prepared: Sequence[PreparedDocument]) -> dict[str, Any]:
    rows = [DocumentSummary.of(p) for p in prepared]
    counts = {c: np.array([getattr(r, c) for r in rows], dtype=np.int64)
              for c in ("characters", "words", "matchable_words")}
    return {**counts, "date": pd.Series([r.date for r in rows], dtype=object)}


def _checked_summaries(documents: Any) -> list[DocumentSummary]:
    summaries = [DocumentSummary(str(i), int(n), int(c), int(w), int(m), d if isinstance(d, str) else None)
                 for i, n, c, w, m, d in zip(*(documents[c] for c in _SUMMARY_COLUMNS))]
    unique_ids([Document(s.id, "") for s in summaries])  # the in-process error for a repeated id
    return summaries


def detect_dask(collection: Any, config: Config | None = None, client: Any = None) -> Report:
    """Find copies among the documents of a Dask collection; equal to ``detect()`` on the same documents.

    ``collection`` is a Dask DataFrame with ``id`` and ``text`` columns (optional ``date``) or a Dask
    bag of ``(id, text)`` tuples; ``client`` a ``distributed.Client`` (default: Dask's current
    scheduler). The whole report comes back to the caller, so this is for corpora whose *result* fits
    in memory; :func:`detect_to_parquet` keeps it on disk.
    """
    config = _check_config(config)
    prepared = _prepared(_as_frame(collection), config)
    verifiable = _with_boilerplate(prepared, config)
    examples = verifiable[["examples"]].dropna()
    judged = _judged(prepared, verifiable, config)["report"]
    documents, judged, examples = _compute(client, prepared[_SUMMARY_COLUMNS], judged, examples)
    summaries = _checked_summaries(documents)
    pairs = [pickle.loads(blob) for blob in judged]
    pairs.sort(key=lambda p: (p.verdict != "copy", p.documents))  # as Detector.find_copies orders them
    return Report(tuple(summaries), tuple(pairs), copy_groups(pairs), _examples(examples))


@dataclass(frozen=True)
class ParquetResult:
    """What :func:`detect_to_parquet` wrote under ``path``: ``documents/``, ``pairs/``, ``matches/``
    (Parquet datasets), ``groups.parquet`` (``document``, ``group``) and ``boilerplate.parquet``
    (``text``, ``documents``)."""

    path: Path
    documents: int
    pairs: int
    copies: int
    groups: tuple[tuple[str, ...], ...]
    boilerplate: tuple[tuple[str, int], ...]


def detect_to_parquet(collection: Any, path: str | Path, config: Config | None = None,
                      client: Any = None) -> ParquetResult:
    """Like :func:`detect_dask`, but write the result as Parquet and collect only the copy edges."""
    _, _, pd = _modules()
    config = _check_config(config)
    out = Path(path)
    prepared = _prepared(_as_frame(collection), config)
    verifiable = _with_boilerplate(prepared, config)
    judged = _judged(prepared, verifiable, config)
    matches = judged.map_partitions(_match_rows, meta=_match_rows(_pairs_frame(pd, [])), enforce_metadata=False)
    writes = (prepared[["id", "paragraphs"]].to_parquet(str(out / "documents"), write_index=False, compute=False),
              judged.drop(columns=["report"]).to_parquet(str(out / "pairs"), write_index=False, compute=False),
              matches.to_parquet(str(out / "matches"), write_index=False, compute=False))
    copies = judged[judged["verdict"] == "copy"][["document_a", "document_b"]]
    counts = (prepared["id"].count(), judged["verdict"].count())
    small = (copies, verifiable[["examples"]].dropna())  # copy edges and boilerplate examples: few rows
    _, _, _, edges, examples, n_docs, n_pairs = _compute(client, *writes, *small, *counts)
    groups = copy_groups([_edge(a, b) for a, b in zip(edges["document_a"], edges["document_b"])])
    pd.DataFrame({"document": [d for g in groups for d in g],
                  "group": [k for k, g in enumerate(groups) for _ in g]}).to_parquet(out / "groups.parquet")
    boilerplate = _examples(examples)
    pd.DataFrame(boilerplate, columns=["text", "documents"]).to_parquet(out / "boilerplate.parquet")
    return ParquetResult(out, int(n_docs), int(n_pairs), len(edges), groups, boilerplate)


def _edge(a: str, b: str) -> PairReport:
    """A copy edge in the shape ``_groups`` reads (it looks at ``documents`` and ``verdict`` only)."""
    return PairReport((str(a), str(b)), "copy", "", None, (), (0, 0), (0, 0), 0.0)
