"""The in-memory store used by ``detect``: a dict of documents, LSH by sorting band keys."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from syndidetect._types import SignatureMatrix
from syndidetect.boilerplate import paragraph_fingerprints
from syndidetect.lsh import candidate_pairs, likely_pairs
from syndidetect.prepared import PreparedDocument


def matchable_rows(
    docs: Sequence[PreparedDocument],
) -> tuple[SignatureMatrix, npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Signatures of all matchable paragraphs of ``docs``, with the position of their document
    and their number of shingles."""
    if not docs:
        return np.zeros((0, 0), dtype=np.uint32), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    counts = [int(d.matchable.sum()) for d in docs]
    sigs = np.empty((sum(counts), docs[0].signatures.shape[1]), dtype=np.uint32)
    at = 0
    for doc, count in zip(docs, counts):  # filled in place: no second copy of all signatures
        sigs[at : at + count] = doc.signatures[doc.matchable]
        at += count
    owners = np.repeat(np.arange(len(docs)), counts)
    sizes = np.concatenate([d.shingle_counts()[d.matchable] for d in docs])
    return sigs, owners, sizes


class MemoryStore:
    """Documents in a dict; candidate pairs recomputed from all signatures when asked."""

    def __init__(self, bands: int, rows: int, threshold: float | None = None) -> None:
        """``threshold``: drop candidates whose estimated containment cannot reach it."""
        self._docs: dict[str, PreparedDocument] = {}
        self._bands, self._rows, self._threshold = bands, rows, threshold

    def put(self, documents: Sequence[PreparedDocument]) -> list[str]:
        replaced = [d.id for d in documents if d.id in self._docs]
        for doc in documents:
            self._docs.pop(doc.id, None)
            self._docs[doc.id] = doc
        return replaced

    def remove(self, ids: Sequence[str]) -> list[str]:
        return [i for i in ids if self._docs.pop(i, None) is not None]

    def get(self, doc_id: str) -> PreparedDocument:
        return self._docs[doc_id]

    def ids(self) -> list[str]:
        return list(self._docs)

    def _document_pairs(self, docs: Sequence[PreparedDocument]) -> npt.NDArray[np.int64]:
        sigs, owners, sizes = matchable_rows(docs)
        if len(sigs) < 2:
            return np.zeros((0, 2), dtype=np.int64)
        rows = candidate_pairs(sigs, self._bands, self._rows, owners)
        if self._threshold is not None:
            rows = likely_pairs(sigs, sizes, rows, self._threshold)
        return np.unique(np.sort(owners[rows], axis=1), axis=0)

    def candidate_pairs(self) -> list[tuple[str, str]]:
        docs = list(self._docs.values())
        return [(docs[i].id, docs[j].id) for i, j in self._document_pairs(docs).tolist()]

    def candidates_for(self, queries: Sequence[PreparedDocument]) -> dict[str, list[str]]:
        stored = list(self._docs.values())
        found: dict[str, list[str]] = {q.id: [] for q in queries}
        for i, j in self._document_pairs([*stored, *queries]).tolist():
            if i < len(stored) <= j:
                found[queries[j - len(stored)].id].append(stored[i].id)
        return found

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
