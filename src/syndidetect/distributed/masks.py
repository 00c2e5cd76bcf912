"""The boilerplate scan on Dask: the same masks :func:`~syndidetect.boilerplate.find_boilerplate` finds.

In process, the scan counts in how many documents each shingle of a short paragraph occurs. Here
(document, distinct short shingle) rows are shuffled on the shingle and counted where each
shingle's rows meet, then sent back to their documents' partitions, so each document gets the
counts of its own short shingles, all that its mask depends on, where it is held;
:func:`~syndidetect.boilerplate.boilerplate_lines` then decides as in process.
"""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import numpy.typing as npt

from syndidetect.arrays import occurrences
from syndidetect.boilerplate import boilerplate_lines, short_paragraphs
from syndidetect.config import Config
from syndidetect.distributed.blobs import unpack_prepared
from syndidetect.distributed.deps import dask_modules
from syndidetect.distributed.prepare import document_divisions
from syndidetect.distributed.tasks import dask_task
from syndidetect.prepared import PreparedDocument

# An example of a boilerplate paragraph: (fingerprint, document ordinal, paragraph, text, documents).
Example = tuple[int, int, int, str, int]


def short_shingle_rows(frame: Any) -> Any:
    """One row per (document, distinct short shingle): ``ord`` and ``hash``."""
    _, _, pd = dask_modules()
    arrays = [np.frombuffer(b, dtype=np.uint32) for b in frame["short"]]
    hashes = np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.uint32)
    ords = np.repeat(frame.index.to_numpy(dtype=np.int64), [len(a) for a in arrays])
    return pd.DataFrame({"ord": ords, "hash": hashes})


def with_document_counts(frame: Any) -> Any:
    """The rows of one partition shuffled on ``hash`` (all the rows of a shingle are here), each with
    ``count``, the number of documents holding its shingle: its rows, one a document."""
    _, _, pd = dask_modules()
    hashes = frame["hash"].to_numpy(dtype=np.uint32)
    return pd.DataFrame({"ord": frame["ord"].to_numpy(dtype=np.int64), "hash": hashes, "count": occurrences(hashes)})


def counts_per_document(frame: Any) -> Any:
    """``(hashes, counts)`` indexed by ordinal: one row per document, its short shingles (sorted) and
    the number of documents holding each."""
    _, _, pd = dask_modules()
    ords = frame.index.to_numpy(dtype=np.int64)
    order = np.lexsort((frame["hash"].to_numpy(), ords))
    ords = ords[order]
    index = pd.Index(np.zeros(0, np.int64), name="ord")
    if not len(ords):
        return pd.DataFrame({"hashes": pd.Series([], dtype=object), "counts": pd.Series([], dtype=object)},
                            index=index)
    starts = np.flatnonzero(np.concatenate(([True], ords[1:] != ords[:-1])))
    hashes = np.split(frame["hash"].to_numpy(dtype=np.uint32)[order], starts[1:])
    counts = np.split(frame["count"].to_numpy(dtype=np.int64)[order], starts[1:])
    index = pd.Index(ords[starts], name="ord")
    return pd.DataFrame({"hashes": pd.Series([h.tobytes() for h in hashes], dtype=object, index=index),
                         "counts": pd.Series([c.tobytes() for c in counts], dtype=object, index=index)})


def document_mask(doc: PreparedDocument, hashes: bytes, counts: bytes, ordinal: int,
                  config: Config) -> tuple[npt.NDArray[np.bool_] | None, list[Example]]:
    """The document's boilerplate mask and its examples; ``hashes`` (sorted) and ``counts`` are its
    short shingles' document counts."""
    table, df = np.frombuffer(hashes, dtype=np.uint32), np.frombuffer(counts, dtype=np.int64)
    flagged, found = boilerplate_lines(doc, short_paragraphs(doc, config), table, df, config)
    return flagged, [(fp, ordinal, i, b.text, b.documents) for fp, i, b in found]


def frequent_shingles(counts: bytes, config: Config) -> bool:
    """Whether some of a document's short shingles (``counts``: the documents holding each, as
    :func:`counts_per_document` gives them) are in ``boilerplate_docs`` documents or more."""
    return bool(len(counts)) and int(np.frombuffer(counts, dtype=np.int64).max()) >= config.boilerplate_docs


@dask_task
def mask_partition(frame: Any, config: Config) -> Any:
    """``(blob, mask, examples)`` per document, indexed by ordinal: the blob with its mask."""
    _, _, pd = dask_modules()
    masks: list[bytes | None] = []
    examples: list[bytes | None] = []
    for ordinal, blob, hashes, counts in zip(frame.index, frame["blob"], frame["hashes"], frame["counts"]):
        found: tuple[Any, list[Example]] = (None, [])
        # A short paragraph is boilerplate only if some of its shingles are in boilerplate_docs
        # documents or more: a document with no such shingle has no mask, and is not unpacked to
        # be told so (in process, find_boilerplate skips it too, with the others whose short
        # paragraphs hold too few such shingles, which only the document's paragraphs tell).
        if isinstance(hashes, bytes) and hashes and frequent_shingles(counts, config):
            found = document_mask(unpack_prepared(blob), hashes, counts, int(ordinal), config)
        masks.append(None if found[0] is None else pickle.dumps(found[0]))
        examples.append(pickle.dumps(found[1]) if found[1] else None)
    index = frame.index  # a column built from a list must carry it: pandas aligns on the index
    return pd.DataFrame({"blob": frame["blob"].astype(object), "mask": pd.Series(masks, dtype=object, index=index),
                         "examples": pd.Series(examples, dtype=object, index=index)})


def with_boilerplate(prepared: Any, config: Config) -> Any:
    """``(blob, mask, examples)`` aligned with ``prepared``: two shuffles of small rows (to the
    shingle's partition, and back to the document's); the blobs stay where they are."""
    _, _, pd = dask_modules()
    n = prepared.npartitions
    query_meta = pd.DataFrame({"ord": np.zeros(0, np.int64), "hash": np.zeros(0, np.uint32)})
    counted_meta = query_meta.assign(count=np.zeros(0, np.int64))
    rows = prepared[["short"]].map_partitions(short_shingle_rows, meta=query_meta, enforce_metadata=False,
                                              clear_divisions=True)
    counted = rows.shuffle(on="hash", npartitions=n).map_partitions(with_document_counts, meta=counted_meta,
                                                                     enforce_metadata=False)
    query = counted.set_index("ord", divisions=document_divisions(n))
    lookup_meta = pd.DataFrame({"hashes": pd.Series([], dtype=object), "counts": pd.Series([], dtype=object)},
                               index=pd.Index(np.zeros(0, np.int64), name="ord"))
    lookup = query.map_partitions(counts_per_document, meta=lookup_meta, enforce_metadata=False)
    joined = prepared[["blob"]].join(lookup, how="left")
    meta = pd.DataFrame({c: pd.Series([], dtype=object) for c in ("blob", "mask", "examples")},
                        index=pd.Index(np.zeros(0, np.int64), name="ord"))
    return joined.map_partitions(mask_partition, config, meta=meta, enforce_metadata=False)


def boilerplate_examples(frame: Any) -> tuple[tuple[str, int], ...]:
    """``Report.boilerplate``: per fingerprint, the example of the first document (in input order)."""
    first: dict[int, tuple[int, int, str, int]] = {}
    for blob in frame["examples"]:
        for fp, ordinal, index, text, documents in pickle.loads(blob):
            if fp not in first or (ordinal, index) < first[fp][:2]:
                first[fp] = (ordinal, index, text, documents)
    return tuple(sorted((text, documents) for _, _, text, documents in first.values()))
