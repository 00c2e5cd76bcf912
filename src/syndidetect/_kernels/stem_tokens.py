"""Content stems of a batch of English sentences, each distinct token stemmed once.

:func:`syndidetect.stemming.content_stems_of_spans` splits every sentence and looks every token up
in the stem cache: Python work a token (a split, a lookup and a filter, 0.27 us a token measured
on 300,000). Splitting and stemming the sentences of 100,000 paragraphs took 6.6-7.2 s that way,
2.7-3.4 s with this kernel. For text that :func:`syndidetect.shingles.ascii_lower`
turned into ASCII, the kernel walks the sentences' bytes once and numbers their distinct tokens in
a hash table (keyed by a short token's own bytes, a long one's FNV-1a hash with its bytes compared
on a hit, so the numbering is exact); Python then stems
only the distinct tokens not met in earlier batches (:mod:`~syndidetect._kernels.token_stems`),
and numpy maps the numbers to stem ids. A second kernel counts each
sentence's distinct stems (what decides whether it is eligible). The per-sentence function stays
the reference the result is tested against.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from syndidetect._kernels.jit import compile_cached
from syndidetect._kernels.lazy import CompileCost, LazyKernel
from syndidetect._kernels.token_stems import TokenStems, same_bytes
from syndidetect.arrays import range_positions
from syndidetect.shingles import token_gaps
from syndidetect.wordstream import FNV_OFFSET, FNV_PRIME

#: The byte ``shingles.token_gaps`` puts between tokens (ASCII text holds only it and token bytes).
_GAP = 32
#: Distinct tokens the first token table of a batch makes room for: about twice a batch's
#: (27,000 in a 4M-character batch of the benchmark corpus); a batch with more is numbered again in
#: a table four times as large. Fixed tables: a table grown inside the kernel made it three times
#: slower (60 against 22 ms for 2.1M characters).
_FIRST_DISTINCT = 1 << 16
#: Bytes of a token its packed key holds (a uint64); a longer token is keyed by its hash.
_PACKED_BYTES = 8
#: The top bit, set in a hashed key: a packed key of ASCII bytes never has it.
_HASHED = np.uint64(1 << 63)
#: Fibonacci hashing's multiplier (2**64 over the golden ratio): a key's high product bits pick its
#: slot, so keys that differ in any byte spread over the table.
_SPREAD = np.uint64(0x9E3779B97F4A7C15)


def _number_tokens(data: Any, starts: Any, ends: Any, offset: Any, prime: Any, bits: int, token_of: Any,
                   span_ends: Any, first: Any, length: Any) -> int:  # pragma: no cover - compiled
    """Number the distinct tokens of ``data[starts[s]:ends[s]]`` for every span ``s`` (tokens:
    runs of bytes other than ``_GAP``, cut at the span's ends as ``str.split`` of the slice cuts
    them) in order of first sight, in a table of ``2**bits`` slots: ``token_of[t]`` is the number
    of the ``t``-th token, the tokens of span ``s`` end at ``span_ends[s]``, token ``d`` first
    occurs at ``first[d]`` and is ``length[d]`` bytes long. Returns how many distinct tokens there
    are, or -1 when they would fill more than half the table (``first``'s length).

    A slot holds a token's key beside its number, so a look-up reads one slot. The key of a token
    of at most :data:`_PACKED_BYTES` bytes is its bytes themselves, packed (ASCII token bytes are
    never 0, so no two tokens pack alike and none packs to 0, the empty slot): equal keys are equal
    tokens, no bytes compared. A longer token's key is its FNV-1a hash with the top bit set (packed
    ASCII never has it), and its bytes are compared on a hit. The table of hashes and numbers this
    replaced read three arrays and the text on every hit, each a cache miss in a 4 MB batch: the
    numbering took 46-48 ms of a 4.3M-character batch, 31-34 ms now (medians of 15, one thread)."""
    slots = 1 << bits
    keys = np.zeros(slots, dtype=np.uint64)
    numbers = np.empty(slots, dtype=np.int32)
    shift = np.uint64(64 - bits)
    distinct = 0
    count = 0
    for s in range(starts.shape[0]):
        i, end = starts[s], ends[s]
        while i < end:
            if data[i] == _GAP:
                i += 1
                continue
            j = i
            key = np.uint64(0)
            while j < end and data[j] != _GAP and j - i < _PACKED_BYTES:
                key |= np.uint64(data[j]) << np.uint64(8 * (j - i))
                j += 1
            if j < end and data[j] != _GAP:  # longer than a packed key holds: its hash
                while j < end and data[j] != _GAP:
                    j += 1
                h = offset
                for k in range(i, j):
                    h = (h ^ np.uint64(data[k])) * prime
                key = h | _HASHED
            size = j - i
            slot = np.int64((key * _SPREAD) >> shift)
            while True:
                stored = keys[slot]
                if stored == 0:  # a new token
                    if distinct == first.shape[0]:
                        return -1
                    first[distinct], length[distinct] = i, size
                    keys[slot] = key
                    numbers[slot] = distinct
                    d = np.int64(distinct)
                    distinct += 1
                    break
                if stored == key:
                    d = np.int64(numbers[slot])
                    if key < _HASHED or (length[d] == size and same_bytes(data, first[d], data, i, size)):
                        break
                slot = (slot + 1) & (slots - 1)
            token_of[count] = d
            count += 1
            i = j
        span_ends[s] = count
    return distinct


def _distinct_counts(ids: Any, offsets: Any, vocabulary: int, out: Any) -> None:  # pragma: no cover - compiled
    """``out[s]``: how many distinct values ``ids[offsets[s]:offsets[s + 1]]`` holds (each in
    ``range(vocabulary)``)."""
    seen = np.full(vocabulary, -1, dtype=np.int64)  # the last span each value was seen in
    for s in range(offsets.shape[0] - 1):
        found = 0
        for k in range(offsets[s], offsets[s + 1]):
            value = ids[k]
            if seen[value] != s:
                seen[value] = s
                found += 1
        out[s] = found


@dataclass(frozen=True)
class _Kernels:
    number_tokens: Callable[..., Any]
    distinct_counts: Callable[..., None]


def _build() -> _Kernels:
    globals()["same_bytes"] = compile_cached(same_bytes, nogil=True)  # the kernel's callee, by its global
    return _Kernels(compile_cached(_number_tokens, nogil=True), compile_cached(_distinct_counts, nogil=True))


# Texts before compiling: only batches of documents ask (sentence_batches.many_prepared_sentences, which
# the sentence kernel's own threshold already keeps from the seeds and one-article checks).
# Into an empty cache: 1.14 s (its two kernels) to compile (a `/tmp` script logging numba's compile events, one
# process, the seventy-second round); numba's cache lacking it, it waits for the work that repays that.
STEM_TOKENS = LazyKernel(_build, after=32, cost=CompileCost(seconds=1.14, saved=0.8e-3))


@dataclass(frozen=True)
class SpanStems:
    """The content stems of spans, as ids: span ``s`` holds ``ids[offsets[s]:offsets[s + 1]]``,
    ``vocabulary[i]`` the stem of id ``i``, ``distinct[s]`` how many different stems span ``s``
    holds."""

    ids: npt.NDArray[np.int64]
    offsets: npt.NDArray[np.int64]
    distinct: npt.NDArray[np.int64]
    vocabulary: list[str]

    def stem_ids(self, spans: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int64]]:
        """The stem ids of ``spans`` (indices), one span after the other, and how many each holds."""
        firsts, lasts = self.offsets[spans], self.offsets[spans + 1]
        lengths = lasts - firsts
        return self.ids[range_positions(firsts, lengths)].astype(np.int32), lengths


def span_stems(lowered: str, bounds: npt.NDArray[np.int64], texts: int = 1,
               memo: TokenStems | None = None) -> SpanStems | None:
    """The content stems of the spans ``bounds`` (``(n, 2)`` starts and ends) of text that
    ``shingles.ascii_lower`` gave: span ``s``'s stems are
    ``content_stems_of_spans(text, spans, lowered)[s]``. None while the kernel is not compiled
    (``texts``: how many texts the text joins, counted towards compiling it). ``memo``: the
    tokens met in earlier batches, which are not stemmed again (None: a memo of
    this call alone)."""
    gaps = token_gaps(lowered)
    data = np.frombuffer(gaps.encode("ascii"), dtype=np.uint8)
    return byte_span_stems(data, bounds, texts, memo, gaps)


def byte_span_stems(data: npt.NDArray[np.uint8], bounds: npt.NDArray[np.int64], texts: int = 1,
                    memo: TokenStems | None = None, gaps: str | None = None) -> SpanStems | None:
    """The content stems of the spans ``bounds`` of ``data``, UTF-8 whose tokens are its runs of
    bytes other than a space (``_GAP``; a NUL never in a token), each token a normalised word: as
    :func:`span_stems`. ``gaps``: ``data`` as a string, when it is ASCII (None: each new token's
    bytes are decoded). The kernel's packed keys of tokens past ASCII may have the top bit set, as
    hashed keys do: their bytes are then compared on a hit, so the numbering stays exact."""
    kernels = STEM_TOKENS.get(texts)
    if kernels is None:
        return None
    starts = np.ascontiguousarray(bounds[:, 0], dtype=np.int64)
    ends = np.ascontiguousarray(bounds[:, 1], dtype=np.int64)
    # A token and a gap are two bytes at least: a span of n bytes holds at most (n + 1) // 2 tokens.
    bound = max(int((np.maximum(ends - starts + 1, 0) // 2).sum()), 1)  # reversed spans hold none
    token_of = np.empty(bound, dtype=np.int64)
    span_ends = np.empty(len(starts), dtype=np.int64)
    bits = max(4, int(2 * min(bound, _FIRST_DISTINCT) - 1).bit_length())  # at most half full
    while True:
        first, length = np.empty(1 << (bits - 1), dtype=np.int64), np.empty(1 << (bits - 1), dtype=np.int64)
        distinct = kernels.number_tokens(data, starts, ends, FNV_OFFSET, FNV_PRIME, bits, token_of, span_ends,
                                         first, length)
        if distinct >= 0:
            break
        bits += 2
    memo = TokenStems() if memo is None else memo
    stem_of_token, vocabulary = memo.stem_ids(data, gaps, first[:distinct], length[:distinct])
    tokens = stem_of_token[token_of[: int(span_ends[-1]) if len(span_ends) else 0]]
    content = tokens >= 0
    counted = np.zeros(len(tokens) + 1, dtype=np.int64)
    np.cumsum(content, out=counted[1:])
    offsets = np.zeros(len(starts) + 1, dtype=np.int64)
    offsets[1:] = counted[span_ends]
    ids = tokens[content]
    counts = np.empty(len(starts), dtype=np.int64)
    kernels.distinct_counts(ids, offsets, max(len(vocabulary), 1), counts)
    return SpanStems(ids, offsets, counts, vocabulary)

def distinct_counts(ids: npt.NDArray[np.int64], offsets: npt.NDArray[np.int64], vocabulary: int,
                    texts: int = 1) -> npt.NDArray[np.int64]:
    """How many distinct values each span ``ids[offsets[s]:offsets[s + 1]]`` holds, each value in
    ``range(vocabulary)``: by the kernel once it is compiled (``texts`` counted towards it), by
    sorting the pairs of span and value before."""
    spans = len(offsets) - 1
    kernels = STEM_TOKENS.get(texts)
    if kernels is not None:
        counts = np.empty(spans, dtype=np.int64)
        kernels.distinct_counts(ids, offsets, max(vocabulary, 1), counts)
        return counts
    owners = np.repeat(np.arange(spans, dtype=np.int64), np.diff(offsets))
    pairs = np.unique(owners * max(vocabulary, 1) + ids)
    return np.bincount(pairs // max(vocabulary, 1), minlength=spans).astype(np.int64)
