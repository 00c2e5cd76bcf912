"""A prepared document as the Dask path's verification reads it, in bytes: its arrays in one buffer.

A document is loaded in every partition that verifies one of its pairs. Pickling the
:class:`~syndidetect.prepared.PreparedDocument` itself rebuilds each paragraph, the word stream and
eight arrays through pickle's machinery; here the arrays are views of one buffer and the paragraphs
come from their spans. On 3,840 documents of 10 paragraphs a load took 26-61 µs against 107-154 µs
(three rounds), and making the bytes 32 µs against 71 µs. The signatures are left out (the
candidate filter has used them; verification compares exact shingles), and so is the document's
metadata.
"""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import numpy.typing as npt

from syndidetect.array_buffers import join_arrays, split_arrays
from syndidetect.documents import Document, paragraphs_of
from syndidetect.prepared import PreparedDocument
from syndidetect.wordstream import WordStream


def pack_prepared(doc: PreparedDocument, n: int) -> bytes:
    """``doc`` with its ``n``-gram word stream (built if missing), for :func:`unpack_prepared`."""
    stream = doc.stream(n)
    spans = np.array([p.start for p in doc.paragraphs] + [p.end for p in doc.paragraphs], dtype=np.int64)
    arrays: list[npt.NDArray[Any]] = [spans, doc.offsets, doc.hashes, stream.grams, stream.starts, stream.widths,
                                      doc.matchable]
    if doc.words is not None:
        arrays.append(doc.words)
    layout, buffer = join_arrays(arrays)
    document = Document(doc.id, doc.document.text, doc.document.date) if doc.document.metadata else doc.document
    # A bytearray, which unpickles as one: the arrays read from it are writable, as a prepared document's
    # are in process. numba compiles a kernel again for read-only arrays (the Dask path's only
    # compile of its own, ``overlap._merge_join``, was that), which `syndidetect compile` never made.
    return pickle.dumps(((document, n, doc.signatures.shape[1], layout), bytearray(buffer)),
                        protocol=pickle.HIGHEST_PROTOCOL)


def unpack_prepared(blob: bytes) -> PreparedDocument:
    """The document :func:`pack_prepared` packed, its word stream remembered."""
    (document, n, num_perm, layout), buffer = pickle.loads(blob)
    spans, offsets, hashes, grams, token_starts, token_widths, matchable, *words = split_arrays(layout, buffer)
    bounds, text = spans.tolist(), document.text
    starts_ends = zip(bounds[: len(matchable)], bounds[len(matchable) :])
    paragraphs = paragraphs_of(text, starts_ends)
    doc = PreparedDocument(document, paragraphs, matchable, np.zeros((0, num_perm), dtype=np.uint32), hashes, offsets,
                           words[0] if words else None)
    doc.remember(("stream", n), WordStream.of_widths(token_starts, token_widths, grams, n))
    return doc
