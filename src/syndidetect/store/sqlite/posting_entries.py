"""A batch's posting entries before its documents have rowids: its paragraphs' band keys folded to 32
bits, and its ``(band, key, document)`` entries deduplicated and sorted, each naming its document
by its position in the batch. Packed (:func:`packed_entries`) they are one 64-bit number each, in
the layout of :class:`~syndidetect.store.sqlite.runs.PostingRuns`, which then only puts the rowids
in place of the positions.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from syndidetect import arrays
from syndidetect._kernels.posting_sort import distinct_entries

_FOLD = np.uint64(0x9E3779B97F4A7C15)
Entries = tuple[npt.NDArray[np.int64], npt.NDArray[np.uint32], npt.NDArray[np.int64]]


def fold_keys(keys: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint32]:
    """64-bit band keys to 32-bit ones (multiply-shift keeps all input bits in play)."""
    return ((keys * _FOLD) >> np.uint64(32)).astype(np.uint32)


def _empty() -> Entries:
    empty = np.zeros(0, dtype=np.int64)
    return empty, np.zeros(0, dtype=np.uint32), empty


def doc_bits(bands: int) -> int:
    """Bits a packed entry leaves for its document: a packed entry is the band, then the 32-bit key,
    then the document (26 bits for 64 bands: 67M documents), so that sorting packed entries sorts
    them by band, key and document, in one array of 8 bytes an entry."""
    return 32 - max(1, (bands - 1).bit_length())


def packed_entries(keys: npt.NDArray[np.uint64], owner: npt.NDArray[np.int64], bits: int) -> npt.NDArray[np.uint64]:
    """The distinct entries of the 64-bit band ``keys`` (``(rows, bands)``, :func:`~syndidetect.lsh.
    band_keys`; the caller gives them up: numpy's path folds them in place) whose rows belong to
    documents ``owner`` (``0 <= owner < 2**bits``, ``bits``: :func:`doc_bits`), packed as
    :class:`~syndidetect.store.sqlite.runs.PostingRuns` packs them with ``owner`` for the rowid, and
    sorted: :func:`entries` in one array,
    built in place, which the writer stores once the rowids replace the positions, never unpacked
    and packed again. The 11 batches of an ``index add`` of 100k paragraphs: 0.151-0.168 s instead of
    0.214-0.228 s for their entries (2 alternated runs), and the writer's repacking (3-4 ms a batch)
    gone. Compiled (:func:`~syndidetect._kernels.posting_sort.distinct_entries`) once batches are
    large enough: the same array, each band sorted by radix instead of the batch by numpy."""
    compiled = distinct_entries(keys, owner, bits, _FOLD)
    if compiled is not None:
        return compiled
    keys *= _FOLD  # fold_keys, in place
    keys >>= np.uint64(32)
    keys <<= np.uint64(bits)
    keys |= owner.astype(np.uint64)[:, None]
    keys |= (np.arange(keys.shape[1], dtype=np.uint64) << np.uint64(32 + bits))[None, :]
    return arrays.distinct(keys.ravel())


def entries(keys: npt.NDArray[np.uint32], owner: npt.NDArray[np.int64], documents: int) -> Entries:
    """Deduplicated ``(band, key, owner)`` entries, sorted by band, key and owner, of folded
    ``keys`` (``(rows, bands)``) whose rows belong to documents ``owner`` (``0 <= owner <
    documents``): a batch's entries before its documents have rowids (a rowid is ``rowids[owner]``,
    which keeps the order when rowids grow with the position, as AUTOINCREMENT gives them)."""
    if not len(keys):  # no matchable paragraph in the batch (a legal document): no entries
        return _empty()
    bands = keys.shape[1]
    band = np.tile(np.arange(bands, dtype=np.uint64), len(keys))
    local = np.repeat(owner.astype(np.uint64), bands)
    flat = keys.ravel().astype(np.uint64)
    band_bits = max(1, int(bands - 1).bit_length())
    local_bits = max(1, documents.bit_length())
    if 32 + band_bits + local_bits <= 64:
        packed = arrays.distinct((band << np.uint64(32 + local_bits)) | (flat << np.uint64(local_bits)) | local)
        doc = (packed & np.uint64((1 << local_bits) - 1)).astype(np.int64)
        key = ((packed >> np.uint64(local_bits)) & np.uint64(0xFFFFFFFF)).astype(np.uint32)
        return (packed >> np.uint64(32 + local_bits)).astype(np.int64), key, doc
    rows = np.unique(np.stack([band, flat, local], axis=1), axis=0)
    return rows[:, 0].astype(np.int64), rows[:, 1].astype(np.uint32), rows[:, 2].astype(np.int64)
