"""The small protocol every store implements, so the detector does not care where documents live."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from syndidetect.prepared import PreparedDocument


class Store(Protocol):
    """Prepared documents by id, with LSH lookups over their paragraph signatures."""

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

    def candidate_pairs(self) -> list[tuple[str, str]]:
        """Stored document pairs with at least one paragraph pair sharing a band key."""
        ...

    def candidates_for(self, queries: Sequence[PreparedDocument]) -> dict[str, list[str]]:
        """For each query document, the stored documents sharing a band key with it."""
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
