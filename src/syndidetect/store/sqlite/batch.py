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
from syndidetect.store.sqlite import fingerprints, posting_entries
from syndidetect.store.sqlite.rows import encode


@dataclass(frozen=True)
class EncodedBatch:
    """What :meth:`SQLiteStore.put_encoded` writes in one transaction."""

    #: The documents, the last of each id (a repeated id: the last one wins).
    documents: list[PreparedDocument]
    #: Their ``document`` rows (``rows.COLUMNS``), in the same order.
    rows: list[tuple[Any, ...]]
    #: Posting entries naming documents by position, sorted: packed (:func:`posting_entries.packed_entries`),
    #: or ``(band, key, position)`` (:func:`posting_entries.entries`) when positions do not fit a packed entry.
    postings: npt.NDArray[np.uint64] | posting_entries.Entries
    #: ``(fingerprint, position)`` entries, sorted (:func:`fingerprints.fingerprint_entries`).
    fingerprints: fingerprints.Entries


def batch_postings(docs: Sequence[PreparedDocument], bands: int,
                   rows: int) -> npt.NDArray[np.uint64] | posting_entries.Entries:
    """The posting entries of ``docs``' matchable paragraphs (one band_keys call for all), each
    naming its document by its position in ``docs``."""
    counts = [int(d.matchable.sum()) for d in docs]
    owner = np.repeat(np.arange(len(docs), dtype=np.int64), counts)
    if not sum(counts):  # no matchable paragraph in the batch (a legal document): no entries
        return np.zeros(0, dtype=np.uint64)
    keys = band_keys(np.concatenate([d.signatures[d.matchable] for d in docs]), bands, rows)
    bits = posting_entries.doc_bits(bands)
    if len(docs) <= 1 << bits:
        return posting_entries.packed_entries(keys, owner, bits)
    return posting_entries.entries(posting_entries.fold_keys(keys), owner, len(docs))


def encode_batch(documents: Sequence[PreparedDocument], bands: int, rows: int) -> EncodedBatch:
    """``documents`` encoded for an index of ``bands`` bands of ``rows`` rows."""
    latest = list({d.id: d for d in documents}.values())
    return EncodedBatch(latest, [encode(d) for d in latest], batch_postings(latest, bands, rows),
                        fingerprints.fingerprint_entries(latest))
