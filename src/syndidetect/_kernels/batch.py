"""A batch of texts as the compiled kernel reads it: one UTF-8 buffer and row offsets.

Python does only C-level string work here: encode the whole batch, and normalise (HTML entities,
NFKC) the few texts the kernel flags as possibly changed by it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from syndidetect.text import compatibility_form

SEPARATOR = "\x00"  # joins ASCII texts in the batch buffer; never a word character


def encode_batch(texts: Sequence[str]) -> tuple[bytes, npt.NDArray[np.int64]]:
    """All texts UTF-8 encoded (surrogates passed through) in one buffer, and ``len(texts) + 1``
    offsets.

    Text ``i`` is ``buffer[offsets[i]:offsets[i + 1]]``, possibly followed by a ``NUL`` separator,
    which is not a word character. Nothing is normalised here: the kernel case-folds, and flags the
    few texts that HTML entities or NFKC may change, which :func:`normalised_rows` then normalises
    (checking every text in Python, ``unicodedata.normalize`` included, cost as much as encoding).
    """
    n = len(texts)
    if n == 0:
        return b"", np.zeros(1, dtype=np.int64)
    # str.isascii is O(1) in CPython: checking each text first avoids building a wide (UCS-2)
    # joined string for batches that need the per-text path anyway.
    if all(map(str.isascii, texts)):  # one join, and encoding is a memcpy
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=n) + 1, out=offsets[1:])
        offsets[n] -= 1  # no separator after the last text
        return SEPARATOR.join(texts).encode("ascii"), offsets
    parts = [t.encode("utf-8", "surrogatepass") for t in texts]
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, parts), dtype=np.int64, count=n), out=offsets[1:])
    return b"".join(parts), offsets


def byte_buffer(texts: Sequence[str]) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]:
    """:func:`encode_batch` as a read-only ``uint8`` array (one numba specialisation)."""
    data, offsets = encode_batch(texts)
    buf = np.frombuffer(data, dtype=np.uint8) if data else np.zeros(1, dtype=np.uint8)[:0]
    return readonly(buf), offsets


def normalised_rows(texts: Sequence[str], redo: npt.NDArray[np.uint8]) -> tuple[npt.NDArray[np.intp], list[str]]:
    """The rows the kernel left to Python (``redo``), and their texts in compatibility form.

    That is :func:`syndidetect.text.normalise` without its final ``casefold``, which the kernel
    does. Only texts the kernel flags (an ``&``, or a code point NFKC may change) come here:
    ``normalise`` leaves every other text as it is, but for its case and the ignorable characters,
    which the kernel skips.
    """
    rows = np.flatnonzero(redo)
    return rows, [compatibility_form(texts[i]) for i in rows.tolist()]


def readonly_u32(x: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    """A C-contiguous, read-only uint32 copy: one dtype/layout per argument keeps numba to a single
    compiled (and cached) specialisation."""
    out = np.ascontiguousarray(x, dtype=np.uint32)
    if out.flags.writeable:
        out = out.copy()
        out.setflags(write=False)
    return out


def readonly(x: npt.NDArray[Any]) -> npt.NDArray[Any]:
    x.setflags(write=False)
    return x
