"""The small protocol every store implements, so the detector does not care where documents live.

A store keeps documents and the postings of their paragraphs' band keys; it generates no
candidates: :mod:`syndidetect.lsh` does, the same way for every store.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

from syndidetect.prepared import PreparedDocument


class Store(Protocol):
    """Prepared documents by id, and the postings of their band keys."""

    #: The band layout (``bands`` bands of ``rows`` signature rows) its postings are keyed by.
    bands: int
    rows: int

    def put(self, documents: Sequence[PreparedDocument]) -> list[str]:
        """Store ``documents`` (replacing any with the same id); returns the ids replaced."""
        ...

    def remove(self, ids: Sequence[str]) -> list[str]:
        """Forget ``ids``; returns those that were present."""
        ...

    def get(self, doc_id: str) -> PreparedDocument:
        """The stored document ``doc_id`` (KeyError when absent)."""
        ...

    def ids(self) -> list[str]:
        """Stored ids in insertion order."""
        ...

    def postings(self, keys: npt.NDArray[np.uint64]) -> list[set[str]]:
        """For each row of ``keys`` (``(n, bands)`` band keys, :func:`syndidetect.lsh.band_keys`),
        the ids of stored documents with a matchable paragraph of that key in the same band. May
        hold false hits (a store may key postings by a shorter hash), never misses one."""
        ...

    def fingerprint_counts(self, fingerprints: Sequence[int]) -> dict[int, int]:
        """How many stored documents hold a paragraph with each fingerprint
        (:func:`syndidetect.boilerplate.paragraph_fingerprints`); absent ones may be left out."""
        ...

    def stats(self) -> dict[str, int]:
        """At least ``documents`` and ``paragraphs``."""
        ...

    def close(self) -> None:
        """Release files and connections (idempotent)."""
        ...
