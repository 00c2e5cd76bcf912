"""A batch of texts as the compiled kernel reads it: one joined string and row offsets.

Python does only C-level string work here: join the whole batch, and normalise (HTML entities, NFKC)
the few texts the kernel flags as possibly changed by it. The kernel reads the joined string's own
storage (CPython keeps a string in 1, 2 or 4 bytes a code point, its "kind"), so nothing is converted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from syndidetect._kernels.threads import ITEMS_PER_THREAD
from syndidetect.text import compatibility_form

SEPARATOR = "\x00"  # joins the texts of a batch; never a word character
ENTITY_START = "&"  # HTML entities start with it: html.unescape may change a text holding one
#: Code points the kernel takes in one call: larger inputs go in batches of whole texts
#: (``text_ranges``). A batch's joined string (at most 4 MB, at 4 bytes a code point) and a sketch's
#: raw hashes (4 MB) then come from memory the allocator reuses call after call and are still in the
#: cache when the kernel reads them; batches of 16M code points (32-64 MB) took fresh pages from
#: the system every call. Measured with 20,000 and 100,000 paragraphs (medians of 11 calls):
#: signatures 25.0 and 177 ms at 16M code points a batch, 22.7 and 130 ms at 1M; sketches 88 and
#: 330 ms against 49 and 244 ms; 256K to 4M were within a tenth of each other.
BATCH_POINTS = 1 << 20
#: The fewest texts worth a chunk of their own on another thread: 256 paragraphs of the benchmark
#: corpus (about 420 code points each, 108K in all) are about 0.4 ms of kernel time at 3-4 ns a code
#: point, three times what starting and joining a thread costs (0.12 ms here). Counted in texts, not
#: code points: a chunk's lengths are read by the thread that takes it, not before.
MIN_CHUNK_TEXTS = 256


def text_lengths(texts: Sequence[str]) -> npt.NDArray[np.int64]:
    """Each text's length in code points: one pass over the texts (0.9 ms for 20,000 paragraphs,
    whose string objects are scattered in memory), shared by :func:`text_ranges` and :func:`joined`."""
    return np.array(list(map(len, texts)), dtype=np.int64)


def joined(texts: Sequence[str], lengths: npt.NDArray[np.int64]) -> tuple[str, npt.NDArray[np.int64]]:
    """All texts joined into one string, and ``len(texts) + 1`` offsets (``lengths``: the texts'
    :func:`text_lengths`).

    Text ``i`` is code points ``offsets[i]:offsets[i + 1]``, the ``NUL`` separator after it (not a
    word character) included but for the last text. The kernel reads the string's storage in place,
    lone surrogates and code points above U+FFFF included: for 20,000 paragraphs (8.5M code points,
    two thirds of them with a curly apostrophe, so stored in 16-bit units) the join takes 2-3 ms, where
    numpy's conversion of it to UCS-4 took 4-7 ms more and 34 MB (measured in process, repeated
    calls). Nothing is normalised here: the kernel case-folds, and flags the few texts that HTML
    entities or NFKC may change, which :func:`normalised_rows` then normalises.
    """
    n = len(texts)
    offsets = np.zeros(n + 1, dtype=np.int64)
    if n == 0:
        return "", offsets
    np.cumsum(lengths + 1, out=offsets[1:])
    offsets[n] -= 1  # no separator after the last text
    return SEPARATOR.join(texts), offsets


def text_chunks(count: int, threads: int) -> list[tuple[int, int]]:
    """Consecutive ``(first, last)`` ranges of ``count`` texts for ``threads`` threads to take in
    turn: ``threads.ITEMS_PER_THREAD`` chunks a thread, but none of fewer than ``MIN_CHUNK_TEXTS``
    texts (one chunk for one thread). Each thread reads its chunk's lengths and cuts it into batches
    (:func:`text_ranges`) itself, so no serial pass over all the texts comes first."""
    size = count if threads <= 1 else max(MIN_CHUNK_TEXTS, -(-count // (threads * ITEMS_PER_THREAD)))
    return [(first, min(first + size, count)) for first in range(0, count, max(size, 1))]


def text_ranges(lengths: npt.NDArray[np.int64], points: int | None = None) -> list[tuple[int, int]]:
    """Consecutive ``(first, last)`` ranges of the texts of these ``lengths``, each holding at most
    ``points`` code points (``BATCH_POINTS`` by default) with their separators; a longer text is a
    range by itself."""
    points = BATCH_POINTS if points is None else points
    ends = np.cumsum(lengths + 1)
    if not len(ends) or ends[-1] <= points:  # a small call: one range
        return [(0, len(ends))] if len(ends) else []
    ranges, first, before = [], 0, 0
    while first < len(ends):
        last = max(first + 1, int(np.searchsorted(ends, before + points, side="right")))
        ranges.append((first, last))
        first, before = last, int(ends[last - 1])
    return ranges


def rows_holding_entities(text: str, offsets: npt.NDArray[np.int64]) -> npt.NDArray[np.uint8]:
    """A flag for each text of the :func:`joined` ``text`` (row ``i`` is code points
    ``offsets[i]:offsets[i + 1]``) that holds an ``&``, so that ``html.unescape`` may change it: the
    kernel leaves these to :func:`normalised_rows`. ``str.find`` scans the batch in C (a batch
    without any ``&`` costs one scan), then skips to the next text after each flagged one, so a text
    full of entities costs one step, not one per ``&``."""
    flags = np.zeros(len(offsets) - 1, dtype=np.uint8)
    at = text.find(ENTITY_START)
    while at >= 0:
        row = int(np.searchsorted(offsets, at, side="right")) - 1
        flags[row] = 1
        at = text.find(ENTITY_START, int(offsets[row + 1]))
    return flags


def normalised_rows(texts: Sequence[str], redo: npt.NDArray[np.uint8]) -> tuple[npt.NDArray[np.intp], list[str]]:
    """The rows the kernel left to Python (``redo``), and their texts in compatibility form.

    That is :func:`syndidetect.text.normalise` without its final ``casefold``, which the kernel
    does. Only texts the kernel flags (an ``&``, or a code point NFKC may change) come here:
    ``normalise`` leaves every other text as it is, but for its case and the ignorable characters,
    which the kernel skips.
    """
    rows = np.flatnonzero(redo)
    chosen = [texts[i] for i in rows.tolist()]
    if not all(isinstance(text, str) for text in chosen):  # a kernel reading texts in place leaves these here
        raise TypeError("every text must be a str")
    return rows, [compatibility_form(text) for text in chosen]


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
