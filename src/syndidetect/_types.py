"""Type aliases shared across layers."""

from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

#: A (n, num_perm) matrix of MinHash values, one row per paragraph.
SignatureMatrix: TypeAlias = npt.NDArray[np.uint32]
#: Half-open character offsets into a document's decoded text.
Span: TypeAlias = tuple[int, int]
#: Each shingle's paragraph in a document's hash index (its number in the document): uint16 while
#: the paragraphs' numbers fit (:data:`MAX_NARROW_PARAGRAPHS`), else int32. Verification holds the
#: indexes of every document of a candidate pair at once: 2 bytes a shingle less; a 1M-paragraph
#: detect's peak fell by 67-125 MB.
ParagraphNumbers: TypeAlias = npt.NDArray[np.integer[Any]]
MAX_NARROW_PARAGRAPHS = 1 << 16  # paragraphs: a document of more numbers them as int32


def paragraph_number_type(paragraphs: int) -> type[np.uint16] | type[np.int32]:
    """The dtype of the paragraph numbers of a document (or documents) of ``paragraphs`` at most."""
    return np.uint16 if paragraphs <= MAX_NARROW_PARAGRAPHS else np.int32


def paragraph_numbers(values: npt.NDArray[Any], paragraphs: int) -> ParagraphNumbers:
    """``values`` (paragraph numbers below ``paragraphs``) as :data:`ParagraphNumbers`."""
    numbers: ParagraphNumbers = values.astype(paragraph_number_type(paragraphs))
    return numbers
