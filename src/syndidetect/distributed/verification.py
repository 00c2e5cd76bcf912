"""Verification on Dask: candidate pairs meet both documents' prepared data where it lives.

Every candidate pair is judged in the partition holding one of its documents (home); the other
document's blob and boilerplate mask (away) is sent there from its partition, once for all the
pairs judged there. ``judge_pairs`` and ``pair_report`` decide
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
from syndidetect.distributed.prepare import DOC_BITS
from syndidetect.distributed.tasks import dask_task
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


@dask_task
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


def judging_task(home: npt.NDArray[np.int64], pieces: int) -> npt.NDArray[np.int64]:
    """The judging task of pairs with these home documents: their partition's ``pieces`` tasks
    take its documents by their position in turn, so a document's pairs are judged together."""
    return (home >> DOC_BITS) * pieces + (home & ((1 << DOC_BITS) - 1)) % pieces


def outbound_blobs(part: Any, pairs: Any, partition: int, tasks: int, pieces: int) -> tuple[Any, ...]:
    """Per judging task, the ``(blob, mask)`` rows of this partition's documents that its pairs
    need there: each away document of the partition once per task judging one of its pairs
    (``pairs``: every candidate pair, ``home`` indexed by ``away``)."""
    away = pairs.index.to_numpy(dtype=np.int64)
    home = pairs["home"].to_numpy(dtype=np.int64)
    mine = (away >> DOC_BITS) == partition
    away, destination = away[mine], judging_task(home[mine], pieces)
    blobs = part[["blob", "mask"]]
    return tuple(blobs.loc[np.unique(away[destination == t])] for t in range(tasks))


@dask_task
def judge_home(part: Any, pairs: Any, inbound: list[Any], task: int, pieces: int, config: Config) -> Any:
    """:func:`judge_partition` of the pairs of judging task ``task`` (:func:`judging_task`), whose
    home documents are in this partition (``part``, ``(blob, mask)`` by ordinal), with the away
    documents' rows sent here (``inbound``)."""
    _, _, pd = dask_modules()
    mine = pairs[judging_task(pairs["home"].to_numpy(dtype=np.int64), pieces) == task]
    part = part[["blob", "mask"]]
    away = pd.concat(inbound)
    frame = mine.join(away.rename(columns={"blob": "blob_away", "mask": "mask_away"}))
    frame = frame.rename_axis("away").reset_index().set_index("home")
    frame = frame.join(part.rename(columns={"blob": "blob_home", "mask": "mask_home"}))
    return judge_partition(frame.sort_values(["home", "away"]), config)


def judged(pairs: Any, verifiable: Any, config: Config, pieces: int = 1) -> Any:
    """Pair verdicts: candidate pairs (``home`` indexed by ``away``, in one partition; see
    :func:`~syndidetect.distributed.candidates.home_and_away`) judged in the home document's
    partition of ``verifiable`` (``(blob, mask)`` by ordinal, the delayed partitions of
    :func:`~syndidetect.distributed.masks.with_boilerplate`), in ``pieces`` tasks a partition.

    The pairs are few bytes each and go whole to every partition. Each partition sends each
    judging task the blobs of its documents that pairs judged there need, once a document, not once
    a pair: at 1M paragraphs the pairs carried 17 KB blobs through a shuffle, about 1.7 GB."""
    dask, _, pd = dask_modules()
    n = len(verifiable)
    tasks = n * pieces
    (whole,) = pairs.to_delayed()
    outbound = [dask.delayed(outbound_blobs, nout=tasks, pure=True)(part, whole, k, tasks, pieces)
                for k, part in enumerate(verifiable)]
    homes = [dask.delayed(judge_home, pure=True)(verifiable[t // pieces], whole, [sent[t] for sent in outbound], t,
                                                 pieces, config)
             for t in range(tasks)]
    return frame_of_parts(homes, pairs_frame(pd, []))


def frame_of_parts(parts: list[Any], meta: Any) -> Any:
    """A Dask frame of delayed pandas partitions, its object columns (pickled reports, blobs) kept
    as Python objects: Dask would make them Arrow strings, which bytes are not."""
    dask, dd, _ = dask_modules()
    with dask.config.set({"dataframe.convert-string": False}):
        return dd.from_delayed(parts, meta=meta, verify_meta=False)
