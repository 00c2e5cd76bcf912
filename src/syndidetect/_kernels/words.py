"""Word streams of English text in one compiled pass: token spans and word hashes from its bytes.

:func:`syndidetect.wordstream.word_stream` of a text that :func:`syndidetect.shingles.ascii_lower`
turns into ASCII reads its tokens as runs of ``ASCII_TOKEN_CHARS`` and hashes each (FNV-1a over its
first characters, then its length). In numpy that meant one Python string a token and a table of
their UTF-32 code units: about 0.3 ms for a 20-paragraph document, a document verification reads.
The kernel finds the same spans and hashes on the bytes (one byte a character in ASCII); the numpy
path (:func:`syndidetect.wordstream.token_spans` and :func:`~syndidetect.wordstream.word_hashes`)
stays the reference it is tested against.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from syndidetect._kernels.jit import compile_cached
from syndidetect._kernels.lazy import LazyKernel
from syndidetect._kernels.merge import positions_right
from syndidetect.shingles import ascii_lower
from syndidetect.wordstream import (
    FNV_OFFSET,
    FNV_PRIME,
    HASHED_CHARS,
    IS_TOKEN_BYTE,
    MAX_INT32_TEXT,
    WordStream,
    gram_hashes,
    narrow_offsets,
    word_stream,
)

_Spans = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.uint64]]


def _ascii_words(data: Any, is_token: Any, hashed: int, offset: Any, prime: Any, starts: Any, ends: Any,
                 hashes: Any) -> int:  # pragma: no cover - compiled
    """Fill ``starts``, ``ends`` and ``hashes`` with the runs of bytes flagged by ``is_token`` and
    the FNV-1a hash of each: over its first ``hashed`` bytes, zeros for the code units a shorter
    word lacks (as the UTF-32 table pads it), then over its length; return how many there are."""
    count = 0
    i = 0
    size = data.shape[0]
    while i < size:
        if not is_token[data[i]]:
            i += 1
            continue
        j = i
        h = offset
        while j < size and is_token[data[j]]:
            if j - i < hashed:
                h = (h ^ np.uint64(data[j])) * prime
            j += 1
        for _ in range(hashed - min(j - i, hashed)):
            h = h * prime  # (h ^ 0) * prime: a padding code unit
        starts[count] = i
        ends[count] = j
        hashes[count] = (h ^ np.uint64(j - i)) * prime
        count += 1
        i = j
    return count


def _build() -> Callable[..., int]:
    compiled: Callable[..., int] = compile_cached(_ascii_words, nogil=True)
    return compiled


# Documents before compiling: the kernel saves ~0.25 ms a 20-paragraph document over the numpy path
# and compiles in about a second on a fresh install (milliseconds from numba's cache), so the seeds
# and one-article checks stay on numpy and corpora compile it.
WORDS = LazyKernel(_build, after=32)


def ascii_words(data: npt.NDArray[np.uint8], texts: int = 1) -> _Spans | None:
    """``(starts, ends, hashes)`` of the tokens of lowered ASCII bytes, as word streams hash them;
    None while the kernel is not compiled (see WORDS; ``texts``: how many texts the bytes hold).

    They are views of buffers sized for the most tokens the bytes could hold: callers make arrays
    of their own from them (a copy of each here was 1.3 s of a 1M-paragraph ``detect``)."""
    kernel = WORDS.get(texts)
    if kernel is None:
        return None
    starts = np.empty(len(data) // 2 + 1, dtype=np.int64)  # a token and a separator: two bytes at least
    ends = np.empty_like(starts)
    hashes = np.empty(len(starts), dtype=np.uint64)
    count = kernel(data, IS_TOKEN_BYTE, HASHED_CHARS, FNV_OFFSET, FNV_PRIME, starts, ends, hashes)
    return starts[:count], ends[:count], hashes[:count]


def stream_of(text: str, n: int) -> WordStream:
    """:func:`syndidetect.wordstream.word_stream` of ``text``, by the kernel for English text once
    it is compiled."""
    lowered = ascii_lower(text)
    found = None if lowered is None else ascii_words(np.frombuffer(lowered.encode("ascii"), dtype=np.uint8))
    if found is None:
        return word_stream(text, n)
    starts, ends, hashes = found
    # A stream owns its arrays: narrow_offsets returns a text over 2 GB's offsets as they are.
    return WordStream(narrow_offsets(starts.copy(), len(text)), narrow_offsets(ends.copy(), len(text)),
                      gram_hashes(hashes, n), n)


def streams_of(texts: Sequence[str], n: int) -> list[WordStream]:
    """``[stream_of(text, n) for text in texts]``, the English texts in one kernel call, joined by
    spaces: a call and its arrays cost more than a one-paragraph text's tokens (56 us of the 190 us
    of numpy work a one-paragraph document's verification side took). Each stream owns its arrays,
    as :func:`stream_of`'s do: verification forgets a document's streams after its last pair."""
    lowered = [ascii_lower(text) for text in texts]
    english = [k for k, low in enumerate(lowered) if low is not None and len(texts[k]) <= MAX_INT32_TEXT]
    joined = " ".join(cast(str, lowered[k]) for k in english)
    found = ascii_words(np.frombuffer(joined.encode("ascii"), dtype=np.uint8), len(english)) if english else None
    if found is None:
        return [stream_of(text, n) for text in texts]
    starts, ends, hashes = found
    at = np.zeros(len(english) + 1, dtype=np.int64)
    np.cumsum([len(texts[k]) + 1 for k in english], out=at[1:])  # where each text starts, then past the end
    owner = positions_right(at[1:], starts)  # the tokens' starts ascend through the joined texts
    firsts = np.searchsorted(owner, np.arange(len(english) + 1)).tolist()
    starts -= at[owner]
    ends -= at[owner]
    local_starts, local_ends = starts.astype(np.int32), ends.astype(np.int32)  # offsets of short texts
    grams = gram_hashes(hashes, n)  # a gram reads its n tokens only: those inside one text are its own
    streams: dict[int, WordStream] = {}
    for k, first, last in zip(english, firsts, firsts[1:]):
        streams[k] = WordStream(local_starts[first:last].copy(), local_ends[first:last].copy(),
                                grams[first : max(last - n + 1, first)].copy(), n)
    return [streams[k] if k in streams else stream_of(text, n) for k, text in enumerate(texts)]
