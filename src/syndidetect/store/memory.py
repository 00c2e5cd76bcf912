"""The in-memory store used by ``detect``: a dict of documents, postings by sorting band keys."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from syndidetect.boilerplate import paragraph_fingerprints
from syndidetect.lsh import band_keys, matchable_rows
from syndidetect.prepared import PreparedDocument


class _Postings:
    """Band keys of a snapshot of the stored documents, sorted band by band for binary search."""

    def __init__(self, docs: Sequence[PreparedDocument], bands: int, rows: int) -> None:
        sigs, owners, _ = matchable_rows(docs)
        keys = band_keys(sigs, bands, rows) if len(sigs) else np.zeros((0, bands), dtype=np.uint64)
        self.order = np.argsort(keys, axis=0, kind="stable")
        self.sorted = np.take_along_axis(keys, self.order, axis=0)
        self.owners, self.ids = owners, [d.id for d in docs]

    def lookup(self, keys: npt.NDArray[np.uint64]) -> list[set[str]]:
        found: list[set[str]] = [set() for _ in range(len(keys))]
        for band in range(keys.shape[1]):
            column = self.sorted[:, band]
            lo = np.searchsorted(column, keys[:, band], "left")
            hi = np.searchsorted(column, keys[:, band], "right")
            for row in np.flatnonzero(hi > lo).tolist():
                owners = self.owners[self.order[lo[row] : hi[row], band]]
                found[row].update(self.ids[o] for o in owners.tolist())
        return found


class MemoryStore:
    """Documents in a dict; postings built from all signatures when first asked after a change."""

    def __init__(self, bands: int, rows: int) -> None:
        self._docs: dict[str, PreparedDocument] = {}
        self.bands, self.rows = bands, rows
        self._postings: _Postings | None = None

    def put(self, documents: Sequence[PreparedDocument]) -> list[str]:
        replaced = [d.id for d in documents if d.id in self._docs]
        for doc in documents:
            self._docs.pop(doc.id, None)
            self._docs[doc.id] = doc
        self._postings = None
        return replaced

    def remove(self, ids: Sequence[str]) -> list[str]:
        self._postings = None
        return [i for i in ids if self._docs.pop(i, None) is not None]

    def get(self, doc_id: str) -> PreparedDocument:
        return self._docs[doc_id]

    def ids(self) -> list[str]:
        return list(self._docs)

    def postings(self, keys: npt.NDArray[np.uint64]) -> list[set[str]]:
        if self._postings is None:
            self._postings = _Postings(list(self._docs.values()), self.bands, self.rows)
        return self._postings.lookup(keys)

    def fingerprint_counts(self, fingerprints: Sequence[int]) -> dict[int, int]:
        wanted = set(fingerprints)
        counts: dict[int, int] = {}
        for doc in self._docs.values():
            for fp in wanted.intersection(paragraph_fingerprints(doc)):
                counts[fp] = counts.get(fp, 0) + 1
        return counts

    def stats(self) -> dict[str, int]:
        docs = self._docs.values()
        return {"documents": len(self._docs), "paragraphs": sum(len(d.paragraphs) for d in docs)}

    def close(self) -> None:
        """Nothing to release: the documents live as long as the store."""
