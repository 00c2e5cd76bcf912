"""A prepared document as the Dask path's verification reads it, in bytes: its arrays in one buffer.

A document is loaded in every partition that verifies one of its pairs. Pickling the
:class:`~syndidetect.prepared.PreparedDocument` itself rebuilds each paragraph, the word stream and
eight arrays through pickle's machinery; here the arrays are views of one buffer and the paragraphs
come from their spans. On 3,840 documents of 10 paragraphs a load took 26-61 µs against 107-154 µs
(three rounds), and making the bytes 32 µs against 71 µs. The signatures are left out (the candidate filter has
used them; verification compares exact shingles), and so is the document's metadata.
"""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import numpy.typing as npt

from syndidetect.documents import Document, Paragraph
from syndidetect.prepared import PreparedDocument
from syndidetect.wordstream import WordStream


def pack_prepared(doc: PreparedDocument, n: int) -> bytes:
    """``doc`` with its ``n``-gram word stream (built if missing), for :func:`unpack_prepared`."""
    stream = doc.stream(n)
    spans = np.array([p.start for p in doc.paragraphs] + [p.end for p in doc.paragraphs], dtype=np.int64)
    arrays: list[npt.NDArray[Any]] = [spans, np.asarray(doc.offsets, dtype=np.int64), doc.hashes, stream.grams,
                                      stream.starts, stream.ends, doc.matchable]
    if doc.words is not None:
        arrays.append(np.asarray(doc.words, dtype=np.int64))
    document = Document(doc.id, doc.document.text, doc.document.date) if doc.document.metadata else doc.document
    head = (document, len(doc.paragraphs), len(doc.hashes),
            len(stream.grams), len(stream.starts), stream.starts.dtype.str, n, doc.words is not None,
            doc.signatures.shape[1])
    return pickle.dumps((head, b"".join(np.ascontiguousarray(a).tobytes() for a in arrays)),
                        protocol=pickle.HIGHEST_PROTOCOL)


class _Reader:
    """Consecutive arrays of one buffer, as read-only views."""

    def __init__(self, buffer: bytes) -> None:
        self.buffer, self.at = buffer, 0

    def take(self, dtype: Any, count: int) -> npt.NDArray[Any]:
        array = np.frombuffer(self.buffer, dtype=dtype, count=count, offset=self.at)
        self.at += array.nbytes
        return array


def unpack_prepared(blob: bytes) -> PreparedDocument:
    """The document :func:`pack_prepared` packed, its word stream remembered."""
    head, buffer = pickle.loads(blob)
    document, paragraphs, hashes, grams, tokens, offsets_dtype, n, has_words, num_perm = head
    read = _Reader(buffer)
    spans = read.take(np.int64, 2 * paragraphs).tolist()
    offsets = read.take(np.int64, paragraphs + 1)
    shingles = read.take(np.uint32, hashes)
    gram_hashes = read.take(np.uint64, grams)
    stream = WordStream(read.take(offsets_dtype, tokens), read.take(offsets_dtype, tokens), gram_hashes, n)
    matchable = read.take(np.bool_, paragraphs)
    words = read.take(np.int64, paragraphs) if has_words else None
    text = document.text
    split = tuple(Paragraph(i, start, end, text)
                  for i, (start, end) in enumerate(zip(spans[:paragraphs], spans[paragraphs:])))
    doc = PreparedDocument(document, split, matchable, np.zeros((0, num_perm), dtype=np.uint32), shingles, offsets,
                           words)
    doc.remember(("stream", n), stream)
    return doc
