"""A batch of prepared documents as the index stores them, computed before the write transaction
and without the connection: the rows of the ``document`` table, the LSH postings and the paragraph
fingerprints, each entry naming its document by its position in the batch until the rows get their
rowids. Another thread may encode the next batch while the store writes this one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
import numpy.typing as npt

from syndidetect.boilerplate import fingerprints_of_hashes
from syndidetect.lsh import band_keys
from syndidetect.prepared import PreparedDocument
from syndidetect.store.sqlite import fingerprints, posting_entries


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


@dataclass(frozen=True)
class LaidOut:
    """A batch's paragraphs laid out one document after the other, so that each array is made
    once for the batch and cut per document as bytes: one numpy call per array instead of a few
    per document, which for one-paragraph documents cost more than the rest of their encoding (an
    ``index add`` of 100,000 of them, replicated with its stages timed, encoded its batches in 2.1
    of its 5.5 s, in the thread that also prepares them; now 0.8-0.9 s)."""

    documents: Sequence[PreparedDocument]
    first_paragraph: npt.NDArray[np.int64]  # document d's paragraphs: first_paragraph[d] to [d + 1]
    matchable: npt.NDArray[np.bool_]  # per paragraph
    shingles: npt.NDArray[np.int64]  # per paragraph: its shingle hashes
    hashes: bytes  # every paragraph's shingle hashes (uint32), one after the other

    @classmethod
    def of(cls, docs: Sequence[PreparedDocument]) -> LaidOut:
        sizes = np.fromiter((len(d.paragraphs) for d in docs), dtype=np.int64, count=len(docs))
        hashes = [np.ascontiguousarray(d.hashes, dtype=np.uint32) for d in docs]
        return cls(docs, _starts(sizes), _joined([d.matchable for d in docs], np.bool_),
                   _joined([d.shingle_counts() for d in docs], np.int64), _joined(hashes, np.uint32).tobytes())

    def matchable_counts(self) -> npt.NDArray[np.int64]:
        """Each document's matchable paragraphs."""
        running = _starts(self.matchable.astype(np.int64))
        counts: npt.NDArray[np.int64] = running[self.first_paragraph[1:]] - running[self.first_paragraph[:-1]]
        return counts

    def rows(self) -> list[tuple[Any, ...]]:
        """``[rows.encode(doc) for doc in documents]``, the same values."""
        docs, first = self.documents, self.first_paragraph
        spans = np.fromiter(chain.from_iterable((p.start, p.end) for d in docs for p in d.paragraphs),
                            dtype=np.uint32, count=2 * int(first[-1])).tobytes()
        # Each document's flags packed from a whole byte on, as np.packbits of its own flags would be.
        sizes = np.diff(first)
        flag_bytes = _starts((sizes + 7) // 8)
        padded = np.zeros(8 * int(flag_bytes[-1]), dtype=np.bool_)
        padded[np.repeat(8 * flag_bytes[:-1] - first[:-1], sizes) + np.arange(int(first[-1]))] = self.matchable
        flags = np.packbits(padded).tobytes()
        counts = self.shingles.astype(np.uint32).tobytes()
        hash_at = (4 * _starts(self.shingles)[first]).tolist()
        at, flag_at = first.tolist(), flag_bytes.tolist()
        return [(d.id, d.document.date, d.document.text.encode("utf-8"), at[k + 1] - at[k], matched,
                 spans[8 * at[k] : 8 * at[k + 1]], flags[flag_at[k] : flag_at[k + 1]],
                 counts[4 * at[k] : 4 * at[k + 1]], self.hashes[hash_at[k] : hash_at[k + 1]])
                for k, (d, matched) in enumerate(zip(docs, self.matchable_counts().tolist()))]

    def fingerprint_entries(self) -> fingerprints.Entries:
        """``fingerprints.fingerprint_entries(documents)``, the paragraphs hashed from the laid-out bytes."""
        ends = (4 * _starts(self.shingles)).tolist()
        prints = fingerprints_of_hashes(memoryview(self.hashes), ends, self.matchable.tolist())
        owners = np.repeat(np.arange(len(self.documents), dtype=np.int64), np.diff(self.first_paragraph))
        return fingerprints.distinct_entries(np.array(prints, dtype=np.uint64), owners)


def _starts(sizes: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Where each of consecutive parts of ``sizes`` starts, and the end of the last."""
    starts = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=starts[1:])
    return starts


def _joined(parts: list[npt.NDArray[Any]], dtype: type[Any]) -> npt.NDArray[Any]:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)


def batch_postings(docs: Sequence[PreparedDocument], bands: int, rows: int,
                   laid_out: LaidOut | None = None) -> npt.NDArray[np.uint64] | posting_entries.Entries:
    """The posting entries of ``docs``' matchable paragraphs (one band_keys call for all), each
    naming its document by its position in ``docs`` (``laid_out``: ``LaidOut.of(docs)``, when made)."""
    laid_out = LaidOut.of(docs) if laid_out is None else laid_out
    counts = laid_out.matchable_counts()
    owner = np.repeat(np.arange(len(docs), dtype=np.int64), counts)
    if not int(counts.sum()):  # no matchable paragraph in the batch (a legal document): no entries
        return np.zeros(0, dtype=np.uint64)
    keys = band_keys(np.concatenate([d.signatures for d in docs])[laid_out.matchable], bands, rows)
    bits = posting_entries.doc_bits(bands)
    if len(docs) <= 1 << bits:
        return posting_entries.packed_entries(keys, owner, bits)
    return posting_entries.entries(posting_entries.fold_keys(keys), owner, len(docs))


def encode_batch(documents: Sequence[PreparedDocument], bands: int, rows: int) -> EncodedBatch:
    """``documents`` encoded for an index of ``bands`` bands of ``rows`` rows."""
    latest = list({d.id: d for d in documents}.values())
    laid_out = LaidOut.of(latest)
    return EncodedBatch(latest, laid_out.rows(), batch_postings(latest, bands, rows, laid_out),
                        laid_out.fingerprint_entries())
