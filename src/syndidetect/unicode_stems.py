"""Content stems of a batch's sentences of text past ASCII, numbered at once.

English sentences are stemmed by a kernel over their bytes (:func:`syndidetect._kernels.stem_tokens.span_stems`).
Text past ASCII needs normalising (NFKC, case folding, entities) and Unicode tokens: a sentence at
a time that was a regular expression, a normalisation and a list of stems each (about 10 us a
sentence). Here a batch's sentences are joined with NULs, normalised and tokenised at once
(:func:`syndidetect.shingles.tokens_of_each`'s way), each distinct token is stemmed once, and numpy
numbers the rest. :func:`syndidetect.stemming.content_stems_of_spans` stays the reference.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from syndidetect._kernels.stem_tokens import SpanStems, distinct_counts
from syndidetect.shingles import JOIN
from syndidetect.stemming import content_stem
from syndidetect.text import normalise
from syndidetect.token_scan import scan

__all__ = ["unicode_span_stems"]


def unicode_span_stems(text: str, bounds: npt.NDArray[np.int64], texts: int = 1) -> SpanStems | None:
    """The content stems of the spans ``bounds`` (``(n, 2)`` starts and ends) of ``text`` (which
    joins ``texts`` texts, counted towards compiling the kernel that counts distinct stems): span
    ``s``'s stems are ``content_stems_of_spans(text, spans, None)[s]``. None when the text holds
    letters to chain or a NUL (the caller stems each span alone)."""
    pieces = [text[start:end] for start, end in bounds.tolist()]
    joined = JOIN.join(pieces)
    if joined.count(JOIN) != max(len(pieces) - 1, 0):
        return None
    normalised = normalise(joined)
    found = scan(normalised)
    if found is None:
        return None
    words = found.spaced.split()
    points = np.frombuffer(normalised.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    owners = np.searchsorted(np.flatnonzero(points == 0), found.starts)  # a token's span: the NULs before it
    distinct = list(dict.fromkeys(words))
    token_ids = np.fromiter(map(dict(zip(distinct, range(len(distinct)))).__getitem__, words), dtype=np.int64,
                            count=len(words))
    stems = list(map(content_stem, distinct))  # "" for a token that is no content word
    vocabulary = list(dict.fromkeys(stem for stem in stems if stem))  # in order of first appearance
    stem_ids = dict(zip(vocabulary, range(len(vocabulary))))
    stem_of_token = np.fromiter((stem_ids.get(stem, -1) for stem in stems), dtype=np.int64, count=len(stems))
    tokens = stem_of_token[token_ids]
    content = tokens >= 0
    ids, spans = tokens[content], owners[content]
    offsets = np.zeros(len(pieces) + 1, dtype=np.int64)
    np.cumsum(np.bincount(spans, minlength=len(pieces)), out=offsets[1:])
    return SpanStems(ids, offsets, distinct_counts(ids, offsets, len(vocabulary), texts), vocabulary)
