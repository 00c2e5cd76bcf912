"""Candidate pairs alike in all that verification reads: a story republished word for word, judged once.

Three 20-paragraph stories republished on 200 sites each make 59,700 pairs of copies, each judged on
its own at about 0.3 ms (18.9 s of a 37 s detection), though all the pairs of one story's copies
are the same two texts. A pair's verdict depends on its two documents only through their texts,
their dates, their boilerplate masks and whether the sentence LSH found the pair (verification never
reads an id), so two pairs alike in those, in the same order, have the same verdict: the first is
judged and the others take its verdict.

Finding them costs one pass of numpy over the candidate documents' shingle hashes (a fingerprint a
document: its number of hashes and their sum), and Python only for the documents whose fingerprints
meet, which are then compared in full.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import numpy as np
import numpy.typing as npt

from syndidetect._kernels.packed import Packed
from syndidetect.prepared import PreparedDocument

Ints = npt.NDArray[np.int64]
Masks = Mapping[str, npt.NDArray[np.bool_]]


def alike_documents(docs: Sequence[PreparedDocument], hashes: Packed, masks: Masks) -> Ints | None:
    """For each of ``docs``, the first of them alike in text, date and boilerplate mask (``masks``,
    by id), itself for most; None when no two are alike. ``hashes``: each document's shingle
    hashes (laid end to end, in any order), whose count and sum rule out most documents at once."""
    sizes = np.diff(hashes.offsets)
    sums = np.zeros(len(docs), dtype=np.uint64)
    filled = np.flatnonzero(sizes)
    if len(filled):
        # summed in 64 bits as they are read: a widened copy of a million paragraphs' hashes is 0.5 GB
        sums[filled] = np.add.reduceat(hashes.flat, hashes.offsets[filled], dtype=np.uint64)
    # One 64-bit number a document: its sum of hashes and its count, mixed (alike documents meet).
    prints = sums * np.uint64(0x9E3779B97F4A7C15) ^ sizes.astype(np.uint64)
    order = np.argsort(prints, kind="stable")
    ordered = prints[order]
    meets = np.zeros(len(docs), dtype=np.bool_)
    meets[1:] = ordered[1:] == ordered[:-1]
    meets[:-1] |= meets[1:]
    if not meets.any():
        return None
    first = np.arange(len(docs), dtype=np.int64)
    seen: dict[tuple[str, datetime | None, bytes | None], int] = {}
    for d in order[meets].tolist():  # ascending within a fingerprint: the first alike is the lowest
        doc = docs[d]
        mask = masks.get(doc.id)
        key = (doc.document.text, doc.document.instant, None if mask is None else mask.tobytes())
        first[d] = seen.setdefault(key, d)
    return None if bool(np.all(first == np.arange(len(docs)))) else first


def first_alike_pairs(alike: Ints, left: Ints, right: Ints, found: npt.NDArray[np.bool_]) -> Ints:
    """For each pair ``(left[k], right[k])`` (documents numbered as ``alike``'s) that the sentence
    LSH found or not (``found[k]``), the position of the first pair alike: of documents alike, in
    the same order, found alike; ``k`` itself for most."""
    count = np.int64(len(alike))
    keys = (alike[left] * count + alike[right]) * 2 + found.astype(np.int64)
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1]))) if len(keys) else order
    first = np.empty(len(keys), dtype=np.int64)
    first[order] = np.repeat(order[starts], np.diff(np.append(starts, len(keys))))
    return first
