"""Verification on Dask: candidate pairs meet both documents' prepared data where it lives.

Each pair goes to the partition holding one of its documents (away) and takes that document's blob
and boilerplate mask (a partition-wise join), then to the partition holding the other (home), where
it is judged; only the pairs (with one blob) travel. ``judge_pairs`` and ``pair_report`` decide
and report as in process; the pair reports come back pickled, with the columns of the Parquet
output beside them.
"""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import numpy.typing as npt

from syndidetect.assembly import pair_report
from syndidetect.config import Config
from syndidetect.distributed.blobs import unpack_prepared
from syndidetect.distributed.deps import dask_modules
from syndidetect.distributed.prepare import document_divisions
from syndidetect.prepared import PreparedDocument
from syndidetect.report import PairReport
from syndidetect.verify_batch import judge_pairs

PAIR_COLUMNS = ("document_a", "document_b", "verdict", "kind", "source", "copy", "matched_a", "matched_b",
                "matchable_a", "matchable_b", "kept", "report")
MATCH_COLUMNS = ("document_a", "document_b", "verdict", "match_kind", "jaccard", "containment", "window",
                 "index_a", "start_a", "end_a", "index_b", "start_b", "end_b", "text_a", "text_b")


def _ignore(done: int) -> None:
    """Progress of one partition's verification: nobody watches it on a worker."""


def judge_partition(frame: Any, config: Config) -> Any:
    """Verdicts of the candidate pairs of one partition, by the in-process batch verification
    (:func:`~syndidetect.verify_batch.judge_pairs`); blobs are unpickled once per document, so its
    per-document work is shared by the document's pairs here."""
    _, _, pd = dask_modules()
    cache: dict[int, PreparedDocument] = {}
    masks: dict[str, npt.NDArray[np.bool_]] = {}

    def load(ordinal: int, blob: bytes, mask: Any) -> PreparedDocument:
        if ordinal not in cache:
            doc = cache[ordinal] = unpack_prepared(blob)
            if isinstance(mask, bytes):
                masks[doc.id] = pickle.loads(mask)
        return cache[ordinal]

    pairs = []
    for row in zip(frame["away"], frame["blob_away"], frame["mask_away"], frame.index, frame["blob_home"],
                   frame["mask_home"]):
        a, b = load(int(row[0]), row[1], row[2]), load(int(row[3]), row[4], row[5])
        pairs.append((a, b, False) if a.id < b.id else (b, a, False))  # in process, ids in sorted order
    verdicts = judge_pairs(pairs, config, masks, _ignore)
    return pairs_frame(pd, [pair_record(pair_report(a, b, v, config.shingle_size)) for a, b, v in verdicts])


def pair_record(pair: PairReport) -> tuple[Any, ...]:
    """A pair report as a row of :data:`PAIR_COLUMNS` (the report itself pickled in the last)."""
    source, copy = (pair.direction.source, pair.direction.copy) if pair.direction else (None, None)
    return (*pair.documents, pair.verdict, pair.kind, source, copy, *pair.matched, *pair.matchable,
            pair.kept, pickle.dumps(pair, protocol=pickle.HIGHEST_PROTOCOL))


def pairs_frame(pd: Any, records: list[tuple[Any, ...]]) -> Any:
    """Rows of :func:`pair_record` as a typed frame (the Parquet output's ``pairs`` schema)."""
    frame = pd.DataFrame.from_records(records, columns=list(PAIR_COLUMNS))
    strings = ["document_a", "document_b", "verdict", "kind", "source", "copy"]
    ints = ["matched_a", "matched_b", "matchable_a", "matchable_b"]
    frame = frame.astype({**dict.fromkeys(strings, "string"), **dict.fromkeys(ints, "int64"), "kept": "float64"})
    return frame.astype({"report": object})


def match_rows(frame: Any) -> Any:
    """One row per matched paragraph pair, from the pickled pair reports of one partition."""
    _, _, pd = dask_modules()
    rows = []
    for blob in frame["report"]:
        pair: PairReport = pickle.loads(blob)
        for m in pair.matches:
            pa, pb = m.paragraphs
            rows.append((*pair.documents, pair.verdict, m.kind, m.jaccard, m.containment, m.window,
                         pa.index, pa.start, pa.end, pb.index, pb.start, pb.end, pa.text, pb.text))
    out = pd.DataFrame.from_records(rows, columns=list(MATCH_COLUMNS))
    strings = ["document_a", "document_b", "verdict", "match_kind", "text_a", "text_b"]
    ints = ["index_a", "start_a", "end_a", "index_b", "start_b", "end_b"]
    return out.astype({**dict.fromkeys(strings, "string"), **dict.fromkeys(ints, "int64"),
                       "jaccard": "float64", "containment": "float64", "window": "bool"})


def judged(pairs: Any, verifiable: Any, config: Config) -> Any:
    """Pair verdicts: candidate pairs (``home`` indexed by ``away``, aligned with ``verifiable``; see
    :func:`~syndidetect.distributed.candidates.home_and_away`) joined with both documents' blob and
    mask (the frame of :func:`~syndidetect.distributed.masks.with_boilerplate`), judged in the home
    document's partition."""
    _, _, pd = dask_modules()
    divisions = document_divisions(verifiable.npartitions)
    blobs = verifiable[["blob", "mask"]]
    pairs = pairs.join(blobs.rename(columns={"blob": "blob_away", "mask": "mask_away"}))
    pairs = pairs.reset_index().set_index("home", divisions=divisions)
    pairs = pairs.join(blobs.rename(columns={"blob": "blob_home", "mask": "mask_home"}))
    return pairs.map_partitions(judge_partition, config, meta=pairs_frame(pd, []), enforce_metadata=False,
                                clear_divisions=True)
