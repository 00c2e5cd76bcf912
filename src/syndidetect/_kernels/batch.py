"""A batch of texts as the compiled kernel reads it: one array of code points and row offsets.

Python does only C-level string work here: join and encode the whole batch, and normalise (HTML
entities, NFKC) the few texts the kernel flags as possibly changed by it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from syndidetect.text import compatibility_form

#: The code points of a batch: 16 bits each when they all fit, else 32.
CodePoints = npt.NDArray[np.uint16] | npt.NDArray[np.uint32]
SEPARATOR = "\x00"  # joins the texts of a batch; never a word character


def encode_batch(texts: Sequence[str]) -> tuple[bytes, int, npt.NDArray[np.int64]]:
    """All texts joined into one buffer of code points, its bytes per code point (2 or 4), and
    ``len(texts) + 1`` offsets.

    Text ``i`` is code points ``offsets[i]:offsets[i + 1]``, the ``NUL`` separator after it (not a
    word character) included but for the last text. Code points, not UTF-8: one join and one encode of the joined
    text, where UTF-8 needed an encode per text to learn each one's length in bytes (25 ms against
    12 ms for 20,000 paragraphs, 67 % of them with a curly apostrophe, measured in process). UTF-16 is
    CPython's cheap encoding of such text, and holds one unit per code point unless a code point is
    above U+FFFF or a lone surrogate (``surrogatepass`` would then pair two lone halves); for those
    batches the buffer is UTF-32. Nothing is normalised here: the kernel case-folds, and flags the few
    texts that HTML entities or NFKC may change, which :func:`normalised_rows` then normalises.
    """
    n = len(texts)
    offsets = np.zeros(n + 1, dtype=np.int64)
    if n == 0:
        return b"", 2, offsets
    np.cumsum(np.array(list(map(len, texts)), dtype=np.int64) + 1, out=offsets[1:])
    offsets[n] -= 1  # no separator after the last text
    joined = SEPARATOR.join(texts)
    try:
        data = joined.encode("utf-16-le")
    except UnicodeEncodeError:  # a lone surrogate
        data = b""
    if len(data) == 2 * len(joined):
        return data, 2, offsets
    return joined.encode("utf-32-le", "surrogatepass"), 4, offsets


def code_points(texts: Sequence[str]) -> tuple[CodePoints, npt.NDArray[np.int64]]:
    """:func:`encode_batch` as a read-only ``uint16`` or ``uint32`` array."""
    data, width, offsets = encode_batch(texts)
    dtype = np.uint16 if width == 2 else np.uint32
    return readonly(np.frombuffer(data, dtype=dtype)), offsets


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
