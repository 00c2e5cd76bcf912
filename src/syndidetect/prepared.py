"""Documents made ready for matching: paragraphs with spans, word counts and sketches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from syndidetect._types import SignatureMatrix
from syndidetect.config import Config
from syndidetect.documents import Document, Paragraph
from syndidetect.minhash import sketch
from syndidetect.text import paragraph_spans


@dataclass(frozen=True)
class PreparedDocument:
    """A document, its paragraphs and, per paragraph, the signature and exact shingle hashes.

    ``matchable[i]`` is False for paragraphs shorter than ``min_words`` (menus, credits): they
    stay in the document, but are never matched.
    """

    document: Document
    paragraphs: tuple[Paragraph, ...]
    matchable: npt.NDArray[np.bool_]
    signatures: SignatureMatrix
    hashes: npt.NDArray[np.uint32]
    offsets: npt.NDArray[np.int64]

    @property
    def id(self) -> str:
        return self.document.id

    def shingle_counts(self) -> npt.NDArray[np.int64]:
        return np.diff(self.offsets)

    def paragraph_hashes(self, index: int) -> npt.NDArray[np.uint32]:
        return self.hashes[self.offsets[index] : self.offsets[index + 1]]


# Items of navigation menus and breadcrumbs ("Home | World | Sport"): such lines are never content.
_MENU_SEPARATORS = frozenset("|·•/»›>–-")
_MENU_SHARE = 0.25


def word_count(text: str) -> int:
    """Whitespace-separated items that hold a letter or digit (so "|" and "—" do not count)."""
    return sum(any(c.isalnum() for c in item) for item in text.split())


def is_menu(text: str) -> bool:
    """A line made of short items between separators, such as a site menu."""
    items = text.split()
    separators = sum(item in _MENU_SEPARATORS for item in items)
    return bool(items) and separators >= _MENU_SHARE * len(items)


def split_paragraphs(document: Document) -> tuple[Paragraph, ...]:
    text = document.text
    return tuple(Paragraph(i, s, e, text[s:e]) for i, (s, e) in enumerate(paragraph_spans(text)))


def prepare_documents(documents: Sequence[Document], config: Config) -> list[PreparedDocument]:
    """Split and sketch ``documents`` with one kernel call over all their paragraphs."""
    split = [split_paragraphs(doc) for doc in documents]
    texts = [p.text for paragraphs in split for p in paragraphs]
    sk = sketch(texts, config.num_perm, config.seed, config.shingle_size, config.backend)
    prepared, row = [], 0
    for doc, paragraphs in zip(documents, split):
        end = row + len(paragraphs)
        offsets = sk.offsets[row : end + 1]
        content = np.array(
            [word_count(p.text) >= config.min_words and not is_menu(p.text) for p in paragraphs], dtype=bool
        )
        matchable = content & (np.diff(offsets) > 0)
        hashes = sk.hashes[offsets[0] : offsets[-1]]
        prepared.append(
            PreparedDocument(doc, paragraphs, matchable, sk.signatures[row:end], hashes, offsets - offsets[0])
        )
        row = end
    return prepared
