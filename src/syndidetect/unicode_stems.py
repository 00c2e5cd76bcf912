"""Content stems of a batch's sentences of text past ASCII, numbered at once.

English sentences are stemmed by a kernel over their bytes
(:func:`syndidetect._kernels.stem_tokens.span_stems`). Text past ASCII needs normalising (NFKC,
case folding, entities) and Unicode tokens: a sentence at a time that was a regular expression, a
normalisation and a list of stems each (about 10 us a sentence). Here a batch's sentences are
joined with NULs, normalised and tokenised at once (:func:`syndidetect.shingles.tokens_of_each`'s
way, the tokens found by :func:`syndidetect._kernels.point_tokens.scan_points`), and the compiled
token table numbers their tokens from the UTF-8 bytes, as it numbers English ones: each distinct
token is stemmed once (before the table is compiled, dicts number them).
:func:`syndidetect.stemming.content_stems_of_spans` stays the reference.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from syndidetect._kernels.point_tokens import scan_points
from syndidetect._kernels.stem_tokens import SpanStems, byte_span_stems, distinct_counts
from syndidetect._kernels.token_stems import TokenStems
from syndidetect.shingles import JOIN, compatible_joined
from syndidetect.stemming import content_stem
from syndidetect.tfidf import first_seen

__all__ = ["unicode_span_stems"]


def unicode_span_stems(text: str, bounds: npt.NDArray[np.int64], texts: int = 1,
                       memo: TokenStems | None = None) -> SpanStems | None:
    """The content stems of the spans ``bounds`` (``(n, 2)`` starts and ends) of ``text`` (which
    joins ``texts`` texts, counted towards compiling the kernels): span ``s``'s stems are
    ``content_stems_of_spans(text, spans, None)[s]``. None when the text holds letters to chain or
    a NUL (the caller stems each span alone). ``memo``: the tokens met in earlier batches, English
    or not (a token is its UTF-8 bytes in both)."""
    pieces = [text[start:end] for start, end in bounds.tolist()]
    compatible = compatible_joined(pieces)  # case-folded by the kernel as it finds the tokens
    found = None if compatible is None else scan_points(compatible, keep_nul=True, texts=texts, fold=True)
    if found is None:
        return None
    # The spaced text as UTF-8 (a token's bytes are never a space or a NUL), the spans between NULs:
    # the token table numbers its tokens as it numbers English ones.
    data = np.frombuffer(found.spaced.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    nuls = np.flatnonzero(data == 0)
    spans = np.empty((len(pieces), 2), dtype=np.int64)
    spans[:, 0] = np.concatenate(([0], nuls + 1))
    spans[:, 1] = np.concatenate((nuls, [len(data)]))
    numbered = byte_span_stems(data, spans, texts, memo)
    return _stems_of_words(found.spaced, len(pieces)) if numbered is None else numbered


def _stems_of_words(spaced: str, count: int) -> SpanStems:
    """The content stems of the ``count`` texts that ``spaced`` holds between NULs, tokens apart
    (:attr:`syndidetect.token_scan.TokenScan.spaced`), numbered with dicts and numpy: the path
    while the token table is not compiled."""
    parts = spaced.split(JOIN) if count else []
    stems = [list(filter(None, map(content_stem, part.split()))) for part in parts]  # "": no content word
    vocabulary, ids = first_seen([stem for part in stems for stem in part])
    offsets = np.zeros(count + 1, dtype=np.int64)
    np.cumsum([len(part) for part in stems], out=offsets[1:])
    ids64 = ids.astype(np.int64)
    return SpanStems(ids64, offsets, distinct_counts(ids64, offsets, len(vocabulary)), vocabulary)
