"""The numpy reference kernel: shingles in Python, xxh32 from the xxhash package, minima in numpy.

Slow but obviously right; the fast kernel is tested against it bit for bit.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import xxhash

from syndidetect._types import SignatureMatrix
from syndidetect.shingles import shingles_of_tokens, tokens

EMPTY = np.uint32(0xFFFFFFFF)


def fmix32(values: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    """The MurmurHash3 32-bit finalizer, as datasketch's affine32 scheme pre-mixes token hashes."""
    h = values ^ (values >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    mixed: npt.NDArray[np.uint32] = h ^ (h >> np.uint32(16))
    return mixed


def shingle_hashes(
    texts: Sequence[str], shingle_size: int
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Sorted unique xxh32 hashes of each text's shingles, concatenated, with row offsets, and the
    number of tokens of each text."""
    rows, counts = [], []
    for text in texts:
        words = tokens(text)
        counts.append(len(words))
        hashed = {xxhash.xxh32_intdigest(s.encode("utf-8")) for s in shingles_of_tokens(words, shingle_size)}
        rows.append(np.array(sorted(hashed), dtype=np.uint32))
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(r) for r in rows])
    values = np.concatenate(rows) if rows else np.zeros(0, dtype=np.uint32)
    return values.astype(np.uint32, copy=False), offsets, np.array(counts, dtype=np.int64)


def minhash_rows(
    values: npt.NDArray[np.uint32],
    offsets: npt.NDArray[np.int64],
    a: npt.NDArray[np.uint32],
    b: npt.NDArray[np.uint32],
) -> SignatureMatrix:
    """MinHash of every row of hashes: ``min(a * fmix(h) + b mod 2**32)`` per permutation."""
    out = np.full((len(offsets) - 1, len(a)), EMPTY, dtype=np.uint32)
    mixed = fmix32(values)
    for row in range(len(offsets) - 1):
        chunk = mixed[offsets[row] : offsets[row + 1]]
        if len(chunk):
            out[row] = (chunk[:, None] * a[None, :] + b[None, :]).min(axis=0)
    return out
