"""Documents made ready for matching: paragraphs with spans, word counts and sketches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

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

    @cached_property
    def word_counts(self) -> npt.NDArray[np.int64]:
        """Words per paragraph (:func:`word_count`)."""
        return np.array([word_count(p.text) for p in self.paragraphs], dtype=np.int64)

    def shingle_counts(self) -> npt.NDArray[np.int64]:
        return np.diff(self.offsets)

    def paragraph_hashes(self, index: int) -> npt.NDArray[np.uint32]:
        return self.hashes[self.offsets[index] : self.offsets[index + 1]]


# Items of navigation menus and breadcrumbs ("Home | World | Sport"): such lines are never content.
_SEPARATOR_ITEMS = ("|", "·", "•", "/", "»", "›", ">", "–", "-", "—", "…", "...", "*")
_MENU_SHARE = 0.25


def _items(text: str) -> tuple[int, int]:
    """Whitespace-separated items and how many of them are lone separators (C-level counting)."""
    items = text.split()
    return len(items), sum(items.count(sep) for sep in _SEPARATOR_ITEMS)


def word_count(text: str) -> int:
    """Whitespace-separated items, not counting lone separators ("|", "—", "-")."""
    items, separators = _items(text)
    return items - separators


def is_menu(text: str) -> bool:
    """A line made of short items between separators, such as a site menu."""
    items, separators = _items(text)
    return separators >= 2 and separators >= _MENU_SHARE * items


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
