"""A batch of prepared documents as the index stores them, computed before the write transaction
and without the connection: the rows of the ``document`` table, the LSH postings and the paragraph
fingerprints, each entry naming its document by its position in the batch until the rows get their
rowids. Another thread may encode the next batch while the store writes this one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from syndidetect.lsh import band_keys
from syndidetect.prepared import PreparedDocument
from syndidetect.store.sqlite import fingerprints, runs
from syndidetect.store.sqlite.rows import encode


@dataclass(frozen=True)
class EncodedBatch:
    """What :meth:`SQLiteStore.put_encoded` writes in one transaction."""

    #: The documents, the last of each id (a repeated id: the last one wins).
    documents: list[PreparedDocument]
    #: Their ``document`` rows (``rows.COLUMNS``), in the same order.
    rows: list[tuple[Any, ...]]
    #: ``(band, key, position)`` posting entries, sorted (:func:`runs.entries`).
    postings: runs.Entries
    #: ``(fingerprint, position)`` entries, sorted (:func:`fingerprints.fingerprint_entries`).
    fingerprints: fingerprints.Entries


def folded_keys(docs: Sequence[PreparedDocument], bands: int, rows: int) -> tuple[npt.NDArray[np.uint32],
                                                                                  npt.NDArray[np.int64]]:
    """Folded band keys ``(matchable paragraphs, bands)`` of ``docs`` (one band_keys call for
    all), and the position in ``docs`` of each row's document."""
    counts = [int(d.matchable.sum()) for d in docs]
    owner = np.repeat(np.arange(len(docs), dtype=np.int64), counts)
    if not sum(counts):
        return np.zeros((0, bands), dtype=np.uint32), owner
    sigs = np.concatenate([d.signatures[d.matchable] for d in docs])
    return runs.fold_keys(band_keys(sigs, bands, rows)), owner


def encode_batch(documents: Sequence[PreparedDocument], bands: int, rows: int) -> EncodedBatch:
    """``documents`` encoded for an index of ``bands`` bands of ``rows`` rows."""
    latest = list({d.id: d for d in documents}.values())
    keys, owner = folded_keys(latest, bands, rows)
    return EncodedBatch(latest, [encode(d) for d in latest], runs.entries(keys, owner, len(latest)),
                        fingerprints.fingerprint_entries(latest))


def with_rowids(entries: tuple[npt.NDArray[Any], ...], rowids: npt.NDArray[np.int64]) -> tuple[npt.NDArray[Any], ...]:
    """Entries whose last array holds positions in the batch, with the rowids at those positions
    instead. Sorted entries stay sorted: rowids grow with the position (AUTOINCREMENT gives each
    row a larger one than any before), which is checked, and the entries sorted again if not."""
    *values, position = entries
    doc = rowids[position]
    if len(rowids) > 1 and not bool(np.all(rowids[1:] > rowids[:-1])):
        order = np.lexsort((doc, *reversed(values)))
        return (*(v[order] for v in values), doc[order])
    return (*values, doc)
