"""A batch of texts as the compiled kernel reads it: one array of code points and row offsets.

Python does only C-level string work here: join the whole batch and convert it to code points, and
normalise (HTML entities, NFKC) the few texts the kernel flags as possibly changed by it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from syndidetect.text import compatibility_form

#: The code points of a batch.
CodePoints = npt.NDArray[np.uint32]
SEPARATOR = "\x00"  # joins the texts of a batch; never a word character
#: Code points numpy converts at once: a string dtype holds fewer than 2**29 (its item size is a C int
#: of bytes), so a larger batch is converted a piece of 2**24 code points (64 MB) at a time.
PIECE = 1 << 24
#: Code points the kernel takes in one call (64 MB of them, and as much for a sketch's raw hashes):
#: larger inputs go in batches of whole texts (``text_ranges``), so memory stays bounded however many
#: texts one call signs. 20,000 paragraphs are 8.5M code points, one batch.
BATCH_POINTS = 1 << 24


def code_points(texts: Sequence[str]) -> tuple[CodePoints, npt.NDArray[np.int64]]:
    """All texts joined into one read-only array of code points, and ``len(texts) + 1`` offsets.

    Text ``i`` is code points ``offsets[i]:offsets[i + 1]``, the ``NUL`` separator after it (not a
    word character) included but for the last text. One join, then numpy's own conversion of the
    joined text to UCS-4: exact code points (lone surrogates too), in memory numpy allocates, which
    it asks the system to back with huge pages. Encoding UTF-8 text by text cost 25 ms for 20,000
    paragraphs (67 % with a curly apostrophe), and encoding the joined text as UTF-16 left a fresh
    17 MB ``bytes`` object a call, whose first writes cost 8,300 page faults (30 ms in all, against
    17 ms here with 870 faults; measured in process, repeated calls). Nothing is normalised here:
    the kernel case-folds, and flags the few texts that HTML entities or NFKC may change, which
    :func:`normalised_rows` then normalises.
    """
    n = len(texts)
    offsets = np.zeros(n + 1, dtype=np.int64)
    if n == 0:
        return readonly(np.zeros(0, dtype=np.uint32)), offsets
    np.cumsum(np.array(list(map(len, texts)), dtype=np.int64) + 1, out=offsets[1:])
    offsets[n] -= 1  # no separator after the last text
    joined = SEPARATOR.join(texts)
    if len(joined) <= PIECE:
        return readonly(_converted(joined)), offsets
    points = np.empty(len(joined), dtype=np.uint32)
    for start in range(0, len(joined), PIECE):
        piece = joined[start : start + PIECE]
        points[start : start + len(piece)] = _converted(piece)
    return readonly(points), offsets


def text_ranges(texts: Sequence[str]) -> list[tuple[int, int]]:
    """Consecutive ``(first, last)`` ranges of ``texts``, each holding at most ``BATCH_POINTS`` code
    points with their separators; a longer text is a range by itself."""
    if sum(map(len, texts)) + len(texts) <= BATCH_POINTS:  # the usual case, without an array
        return [(0, len(texts))] if len(texts) else []
    ends = np.cumsum(np.array(list(map(len, texts)), dtype=np.int64) + 1)
    ranges, first, before = [], 0, 0
    while first < len(texts):
        last = max(first + 1, int(np.searchsorted(ends, before + BATCH_POINTS, side="right")))
        ranges.append((first, last))
        first, before = last, int(ends[last - 1])
    return ranges


def _converted(text: str) -> CodePoints:
    """The code points of ``text`` (at most ``PIECE`` of them): a 0-d array of dtype ``<U{len}``,
    which holds at least one character (``""`` gives one NUL, cut away)."""
    return np.array(text).reshape(1).view(np.uint32)[: len(text)]


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
