"""Word streams in one compiled pass: token spans and word hashes from a text's bytes or code points.

:func:`syndidetect.wordstream.word_stream` of a text that :func:`syndidetect.shingles.ascii_lower`
turns into ASCII reads its tokens as runs of ``ASCII_TOKEN_CHARS`` and hashes each (FNV-1a over its
first characters, then its length). In numpy that meant one Python string a token and a table of
their UTF-32 code units: about 0.3 ms for a 20-paragraph document, a document verification reads.
The kernel finds the same spans and hashes on the bytes (one byte a character in ASCII); the numpy
path (:func:`syndidetect.wordstream.token_spans` and :func:`~syndidetect.wordstream.word_hashes`)
stays the reference it is tested against.

Text past ASCII that folding keeps in place (as :func:`~syndidetect.wordstream.folded_in_place`
says: most of it, accented Latin, Cyrillic, Greek, Arabic, Devanagari, Chinese) is read the same way
from its code points, folded and cut into tokens by their classes as
:func:`~syndidetect.token_scan.scan` cuts them (:func:`~syndidetect._kernels.point_tokens.words_in_place`):
folding in Python, numpy over the code points, one string a token and its UTF-32 table took about
0.6 ms a 20-paragraph document.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from syndidetect._kernels.jit import compile_cached
from syndidetect._kernels.lazy import CompileCost, LazyKernel
from syndidetect._kernels.merge import positions_right
from syndidetect._kernels.point_tokens import words_in_place
from syndidetect._kernels.threads import kernel_on_threads, threads_for
from syndidetect.shingles import ascii_lower
from syndidetect.wordstream import (
    FNV_OFFSET,
    FNV_PRIME,
    HASHED_CHARS,
    IS_TOKEN_BYTE,
    MAX_INT32_TEXT,
    MAX_NARROW_WIDTH,
    WordStream,
    gram_hashes,
    narrow_offsets,
    narrow_widths,
    word_stream,
)

_Spans = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.uint64]]


def _ascii_words(data: Any, is_token: Any, hashed: int, offset: Any, prime: Any, starts: Any, ends: Any,
                 hashes: Any) -> int:  # pragma: no cover - compiled
    """Fill ``starts``, ``ends`` and ``hashes`` with the runs of bytes flagged by ``is_token`` and
    the FNV-1a hash of each: over its first ``hashed`` bytes, zeros for the code units a shorter
    word lacks (as the UTF-32 table pads it), then over its length; return how many there are.

    Two passes, the first with no branch the data decides (a word's end, read byte by byte, was a
    mispredicted branch or two a word): 3.10-3.13 ns a byte on one thread before, 2.75-2.77 ns after,
    on the text of ``benchmarks.corpus``. The first writes each byte's position as a start and as an
    end, and moves past it only where a word starts or ends. The second hashes each word: one of
    ``SHORT_WORD`` bytes or fewer in that many steps, the bytes past its end read as the zeros of the
    padding; a longer one byte by byte. A padding unit is ``(h ^ 0) * prime``: ``k`` of them are one
    product by ``prime ** k`` (mod 2**64, as the unsigned products wrap), not a chain of ``k``
    products."""
    powers = np.empty(hashed + 1, dtype=np.uint64)
    powers[0] = 1
    for k in range(1, hashed + 1):
        powers[k] = powers[k - 1] * prime
    size = data.shape[0]
    count = 0
    closed = 0
    previous = 0
    for i in range(size):
        here = 1 if is_token[data[i]] else 0
        starts[count] = i
        count += here & (1 - previous)
        ends[closed] = i
        closed += previous & (1 - here)
        previous = here
    if previous:
        ends[closed] = size
    last = size - 1
    short = min(SHORT_WORD, hashed)
    for k in range(count):
        start = starts[k]
        length = ends[k] - start
        h = offset
        if length <= short:
            for p in range(short):
                byte = np.uint64(data[min(start + p, last)])
                if p >= length:
                    byte = np.uint64(0)
                h = (h ^ byte) * prime
            h = h * powers[hashed - short]
        else:
            for p in range(min(length, hashed)):
                h = (h ^ np.uint64(data[start + p])) * prime
            h = h * powers[hashed - min(length, hashed)]
        hashes[k] = (h ^ np.uint64(length)) * prime
    return count


# Bytes of a word hashed in a fixed number of steps, the longer ones byte by byte: eight bytes (one
# multiply each) hold 83 % of the words of benchmarks.corpus (six letters on average), and English
# words of more are rare enough that their branch is mostly predicted.
SHORT_WORD = 8


def _build() -> Callable[..., int]:
    compiled: Callable[..., int] = compile_cached(_ascii_words, nogil=True)
    return compiled


# Documents before compiling: the kernel saves ~0.25 ms a 20-paragraph document over the numpy path
# and compiles in about a second on a fresh install (milliseconds from numba's cache), so the seeds
# and one-article checks stay on numpy and corpora compile it.
# Into an empty cache: 0.33 s to compile (a `/tmp` script logging numba's compile events, one
# process, the seventy-second round); numba's cache lacking it, it waits for the work that repays that.
WORDS = LazyKernel(_build, after=32, cost=CompileCost(seconds=0.33, saved=0.25e-3))


def ascii_words(data: npt.NDArray[np.uint8], texts: int = 1, threads: int | None = None) -> _Spans | None:
    """``(starts, ends, hashes)`` of the tokens of lowered ASCII bytes, as word streams hash them;
    None while the kernel is not compiled (see WORDS; ``texts``: how many texts the bytes hold).

    Bytes of :data:`THREADED_BYTES` or more are cut in two at a byte that is no token's (a token is
    a run of token bytes, so none spans the cut) and read on two threads (``threads``: one or two;
    by default two on a machine of more than one core). The tokens are views of buffers sized for
    the most tokens the bytes could hold: callers make arrays of their own from them (a copy of
    each here was 1.3 s of a 1M-paragraph ``detect``)."""
    kernel = WORDS.get(texts)
    if kernel is None:
        return None
    cut = _cut(data) if (threads_for(len(data), THREADED_BYTES) if threads is None else threads) > 1 else 0
    parts = [data[:cut], data[cut:]] if cut else [data]
    # Room for the most tokens of each part (a token and a separator: two bytes at least), the
    # second part's after the first's: its tokens are then moved down, not joined into new arrays.
    room = [len(part) // 2 + 1 for part in parts]
    starts = np.empty(sum(room), dtype=np.int64)
    ends = np.empty_like(starts)
    hashes = np.empty(len(starts), dtype=np.uint64)

    def read(first: int, step: int) -> int:  # a kernel_on_threads share: part ``first``
        at = sum(room[:first])
        return kernel(parts[first], IS_TOKEN_BYTE, HASHED_CHARS, FNV_OFFSET, FNV_PRIME, starts[at:], ends[at:],
                      hashes[at:])

    counts = kernel_on_threads(read, (), len(parts))
    if cut:
        first, second = counts
        np.add(starts[room[0] : room[0] + second], cut, out=starts[first : first + second])
        np.add(ends[room[0] : room[0] + second], cut, out=ends[first : first + second])
        hashes[first : first + second] = hashes[room[0] : room[0] + second]
    total = sum(counts)
    return starts[:total], ends[:total], hashes[:total]


# Bytes of English text below which one thread reads them all: a second thread's start and the
# joined outputs cost more than half the reading. Measured on the text of benchmarks.corpus (minima
# of 15): 64 KB took 0.19 ms on one thread and 0.47 ms on two, 256 KB 1.08 and 0.93 ms, 8.5 MB 43 and
# 26 ms; verification's calls at 100k paragraphs read 2.2 MB each (19 calls).
THREADED_BYTES = 1 << 18


def _cut(data: npt.NDArray[np.uint8]) -> int:
    """A position at or after the middle of ``data`` whose byte is no token's (0: none; no cut)."""
    at = len(data) // 2
    while at < len(data):  # a window at a time: a separator comes within a word or two
        separators = np.flatnonzero(~IS_TOKEN_BYTE[data[at : at + 256]])
        if len(separators):
            return at + int(separators[0])
        at += 256
    return 0


def stream_of(text: str, n: int) -> WordStream:
    """:func:`syndidetect.wordstream.word_stream` of ``text``, by the kernels once they are compiled."""
    lowered = ascii_lower(text)
    if lowered is None:
        return streams_of([text], n)[0]
    found = ascii_words(np.frombuffer(lowered.encode("ascii"), dtype=np.uint8))
    if found is None:
        return word_stream(text, n)
    starts, ends, hashes = found
    # A stream owns its arrays: narrow_offsets returns a text over 2 GB's offsets as they are.
    return WordStream(narrow_offsets(starts.copy(), len(text)), narrow_offsets(ends, len(text)),
                      gram_hashes(hashes, n), n)


def streams_of(texts: Sequence[str], n: int) -> list[WordStream]:
    """``[stream_of(text, n) for text in texts]``, the English texts in one kernel call and the others
    in NFKC without ``&`` in another (those that folding keeps in place, most of them), each kind
    joined by spaces: a call and its arrays cost more than a one-paragraph text's tokens (56 us of
    the 190 us of numpy work a one-paragraph document's verification side took). Each stream owns its
    arrays, as :func:`stream_of`'s do: verification forgets a document's streams after its last pair."""
    lowered = [ascii_lower(text) for text in texts]
    english = [k for k, low in enumerate(lowered) if low is not None and len(texts[k]) <= MAX_INT32_TEXT]
    others = [k for k, text in enumerate(texts) if lowered[k] is None and len(text) <= MAX_INT32_TEXT
              and "&" not in text and unicodedata.is_normalized("NFKC", text)]
    streams: dict[int, WordStream] = {}
    if english:
        joined = " ".join(cast(str, lowered[k]) for k in english)
        found = ascii_words(np.frombuffer(joined.encode("ascii"), dtype=np.uint8), len(english))
        if found is not None:
            streams.update(_each_text(english, [len(texts[k]) for k in english], found, n))
    folded = words_in_place([texts[k] for k in others]) if others else None
    if folded is not None:  # a text folded in place: its offsets are its folded text's
        found, moved = folded
        streams.update((k, stream) for (k, stream), gone in zip(
            _each_text(others, [len(texts[k]) for k in others], found, n).items(), moved.tolist()) if not gone)
    return [streams[k] if k in streams else word_stream(text, n) for k, text in enumerate(texts)]


def _each_text(chosen: list[int], lengths: list[int], found: _Spans, n: int) -> dict[int, WordStream]:
    """The stream of each text ``chosen[j]`` (of ``lengths[j]`` characters) from the tokens ``found``
    in those texts joined by one character: offsets into its own text, its own grams."""
    starts, ends, hashes = found
    at = np.zeros(len(chosen) + 1, dtype=np.int64)
    np.cumsum([length + 1 for length in lengths], out=at[1:])  # where each text starts, then past the end
    owner = positions_right(at[1:], starts)  # the tokens' starts ascend through the joined texts
    firsts = np.searchsorted(owner, np.arange(len(chosen) + 1)).tolist()
    starts -= at[owner]
    ends -= at[owner]
    local_starts = starts.astype(np.int32)  # offsets of short texts
    widths = ends.astype(np.int32)
    widths -= local_starts
    # A byte a token's width for all the texts when every token fits one (words do), else each
    # text's own (narrow_widths), so one long token does not widen the other texts' widths.
    bytes_wide = widths.astype(np.uint8) if len(widths) == 0 or int(widths.max()) <= MAX_NARROW_WIDTH else None
    grams = gram_hashes(hashes, n)  # a gram reads its n tokens only: those inside one text are its own
    streams: dict[int, WordStream] = {}
    for k, first, last in zip(chosen, firsts, firsts[1:]):
        own = bytes_wide[first:last].copy() if bytes_wide is not None else narrow_widths(widths[first:last])
        streams[k] = WordStream.of_widths(local_starts[first:last].copy(), own,
                                          grams[first : max(last - n + 1, first)].copy(), n)
    return streams
