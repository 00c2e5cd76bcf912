"""Preparation on the workers: each input partition becomes prepared documents with global ordinals.

A document's ordinal is ``partition << DOC_BITS | position`` and a matchable paragraph's row order
``partition << ROW_BITS | row``: sorting them gives the in-process order (documents in input order,
paragraphs in document order), which the chaining of large LSH buckets depends on. The ordinals
also tell which prepared partition holds a document, so the later joins with the prepared data are
partition-wise (:func:`document_divisions`): the prepared blobs never travel in a shuffle.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from syndidetect.boilerplate import short_hashes, short_paragraphs
from syndidetect.config import Config
from syndidetect.distributed.blobs import pack_prepared
from syndidetect.distributed.deps import dask_modules
from syndidetect.distributed.inputs import date_cell
from syndidetect.distributed.tasks import dask_task
from syndidetect.documents import Document
from syndidetect.prepared import PreparedDocument, prepare_documents, remember_streams
from syndidetect.report import DocumentSummary
from syndidetect.sources import unique_ids

# Bits of a partition's position in a document ordinal and in a paragraph row order: 2^32
# documents and 2^40 paragraphs per partition, 2^23 partitions, all within an int64.
DOC_BITS = 32
ROW_BITS = 40
# The columns of the report's document summaries (the client never sees the texts).
SUMMARY_COLUMNS = ["id", "paragraphs", "characters", "words", "matchable_words", "date"]
_OBJECT_COLUMNS = ("sigs", "sizes", "blob", "short")


def document_divisions(partitions: int) -> tuple[int, ...]:
    """Dask divisions of frames indexed by document ordinal, aligned with the prepared partitions."""
    return (*(k << DOC_BITS for k in range(partitions)), (partitions << DOC_BITS) - 1)


def row_divisions(partitions: int) -> tuple[int, ...]:
    """Dask divisions of frames indexed by paragraph row order, aligned with the prepared partitions."""
    return (*(k << ROW_BITS for k in range(partitions)), (partitions << ROW_BITS) - 1)


def summary_columns(pd: Any, prepared: Sequence[PreparedDocument]) -> dict[str, Any]:
    """The document summaries of the report as columns (all but ``id`` and ``paragraphs``)."""
    rows = [DocumentSummary.of(p) for p in prepared]
    counts = {c: np.array([getattr(r, c) for r in rows], dtype=np.int64)
              for c in ("characters", "words", "matchable_words")}
    return {**counts, "date": pd.Series([r.date for r in rows], dtype=object)}


@dask_task
def prepare_partition(frame: Any, config: Config, partition_info: dict[str, Any] | None = None) -> Any:
    """Prepared documents of one partition: ordinal, id, summary, the matchable
    paragraphs' signatures and shingle counts, the slim blob, and the short paragraphs' shingles
    (distinct) for the boilerplate scan."""
    _, _, pd = dask_modules()
    number = partition_info["number"] if partition_info else 0
    docs = [Document(i, t, date_cell(d)) for i, t, d in zip(frame["id"], frame["text"], frame["date"])]
    prepared = prepare_documents(docs, config)
    # The word streams, the largest part of a document's verification work, made here in batches and
    # carried in the blobs, instead of once in every partition that verifies one of its pairs.
    remember_streams(prepared, config.shingle_size)
    short = [short_hashes(p, short_paragraphs(p, config))[0] for p in prepared]
    ords = (np.int64(number) << DOC_BITS) + np.arange(len(prepared), dtype=np.int64)
    return pd.DataFrame({
        "ord": ords,
        "id": pd.Series([p.id for p in prepared], dtype="string"),
        "paragraphs": np.array([len(p.paragraphs) for p in prepared], dtype=np.int64),
        **summary_columns(pd, prepared),
        "sigs": pd.Series([np.ascontiguousarray(p.signatures[p.matchable]).tobytes() for p in prepared], dtype=object),
        "sizes": pd.Series([p.shingle_counts()[p.matchable].astype(np.int64).tobytes() for p in prepared],
                           dtype=object),
        "blob": pd.Series([pack_prepared(p, config.shingle_size) for p in prepared], dtype=object),
        "short": pd.Series([np.unique(s).tobytes() for s in short], dtype=object),
    })


def prepared_frame(frame: Any, config: Config) -> Any:
    """The prepared documents of an input frame, indexed by ordinal with known divisions."""
    _, _, pd = dask_modules()
    meta = pd.DataFrame({"ord": np.zeros(0, np.int64), "id": pd.Series([], dtype="string"),
                         "paragraphs": np.zeros(0, np.int64), **summary_columns(pd, []),
                         **{c: pd.Series([], dtype=object) for c in _OBJECT_COLUMNS}})
    prepared = frame.map_partitions(prepare_partition, config, meta=meta, enforce_metadata=False)
    # Ordinals rise within and across partitions: dask takes the divisions as given, nothing moves.
    return prepared.set_index("ord", sorted=True, divisions=document_divisions(frame.npartitions))


def checked_summaries(documents: Any) -> list[DocumentSummary]:
    """The collected summary columns as document summaries, refused as in process on a repeated id."""
    summaries = [DocumentSummary(str(i), int(n), int(c), int(w), int(m), d if isinstance(d, str) else None)
                 for i, n, c, w, m, d in zip(*(documents[c] for c in SUMMARY_COLUMNS))]
    unique_ids([Document(s.id, "") for s in summaries])  # the in-process error for a repeated id
    return summaries
