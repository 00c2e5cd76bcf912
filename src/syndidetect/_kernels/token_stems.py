"""The stems of the tokens met so far, kept across the batches of a call.

:func:`syndidetect._kernels.stem_tokens.span_stems` numbers a batch's distinct tokens in a compiled
table, and Python stemmed each of them: a substring, a look-up in the stem cache and a number, about
1.2 us a token. A batch's distinct tokens are mostly the ones the batch before it had (the
benchmark corpus's 100,000 paragraphs: 441,810 distinct tokens over their 10 batches), so here a
second table, kept from batch to batch, holds each token met (its bytes, to compare on a hit:
exact, as the batch's own table) with its stem's number, and Python stems only the tokens not met.

The kernel threads share one memo, a batch at a time under its lock (a batch's look-up, its new
tokens stemmed and learnt): with one memo a thread, every distinct token was stemmed once in each
thread (``sentence_corpus`` of 20,000 one-paragraph documents on two threads, three alternated runs:
0.48-0.52 s with a memo a thread, 0.41-0.44 s with one shared; a process's first call, whose stem
cache is cold, took 0.53-0.77 s against 0.55-0.64 s in four pairs). The lock holds only this part of
a batch, which holds the GIL for most of it anyway; the batch's sentence bounds and token numbering
still run in parallel.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from syndidetect._kernels.jit import compile_cached
from syndidetect._kernels.lazy import LazyKernel
from syndidetect.stemming import content_stem
from syndidetect.wordstream import FNV_OFFSET, FNV_PRIME

#: Tokens a memo makes room for at first; its arrays double as it fills (its table at half full).
FIRST_KNOWN = 1 << 14
#: Tokens a memo holds at most: past this it starts again empty, as the stem cache does
#: (``stemming._MAX_CACHED``): numbers and typos make a corpus's vocabulary open, and each token
#: costs about 36 bytes here (a 24-byte entry, its bytes, two or more 4-byte slots): 36 MB at most.
MAX_KNOWN = 1 << 20
_UNKNOWN = -2  # a token the memo has not met (-1: met, and not a content word)


def _fnv(data: Any, start: int, size: int, offset: Any, prime: Any) -> Any:  # pragma: no cover - compiled
    h = offset
    for j in range(start, start + size):
        h = (h ^ np.uint64(data[j])) * prime
    return h


def same_bytes(x: Any, x_start: int, y: Any, y_start: int, size: int) -> bool:  # pragma: no cover - compiled
    """Whether ``x[x_start:x_start + size]`` and ``y[y_start:y_start + size]`` hold the same bytes
    (a hit in a token table is a hit only then: FNV-1a hashes may collide)."""
    for k in range(size):  # noqa: SIM110 - numba compiles no generator for all()
        if x[x_start + k] != y[y_start + k]:
            return False
    return True


def _known(data: Any, first: Any, length: Any, offset: Any, prime: Any, bits: int, table: Any, hashes: Any,
           starts: Any, lengths: Any, arena: Any, values: Any, out: Any) -> None:  # pragma: no cover - compiled
    """``out[d]``: the value the memo holds for token ``data[first[d]:first[d] + length[d]]``, or
    ``_UNKNOWN``. Entry ``e`` of the memo is the bytes ``arena[starts[e]:starts[e] + lengths[e]]``
    of FNV-1a hash ``hashes[e]``, in slot ``h >> (64 - bits)`` of ``table`` or the next free one."""
    mask = (1 << bits) - 1
    for d in range(first.shape[0]):
        i, size = first[d], length[d]
        h = _fnv(data, i, size, offset, prime)
        slot = np.int64(h >> np.uint64(64 - bits))
        out[d] = _UNKNOWN
        while table[slot] >= 0:
            e = table[slot]
            if hashes[e] == h and lengths[e] == size and same_bytes(arena, starts[e], data, i, size):
                out[d] = values[e]
                break
            slot = (slot + 1) & mask


def _learn(data: Any, first: Any, length: Any, rows: Any, new_values: Any, offset: Any, prime: Any, bits: int,
           table: Any, hashes: Any, starts: Any, lengths: Any, arena: Any, used: int, values: Any,
           count: int) -> int:  # pragma: no cover - compiled
    """Add the tokens ``rows`` (of ``first`` and ``length``, none of them known) with their
    ``new_values`` as entries ``count``, ``count + 1``, ...; their bytes go to ``arena`` from
    ``used``. Returns the bytes then used. The caller made room for them."""
    mask = (1 << bits) - 1
    for r in range(rows.shape[0]):
        d = rows[r]
        i, size = first[d], length[d]
        e = count + r
        h = _fnv(data, i, size, offset, prime)
        hashes[e], starts[e], lengths[e], values[e] = h, used, size, new_values[r]
        for k in range(size):
            arena[used + k] = data[i + k]
        used += size
        slot = np.int64(h >> np.uint64(64 - bits))
        while table[slot] >= 0:
            slot = (slot + 1) & mask
        table[slot] = e
    return used


def _rehash(hashes: Any, count: int, bits: int, table: Any) -> None:  # pragma: no cover - compiled
    """Put entries ``0 .. count - 1`` in an empty ``table`` of ``2**bits`` slots."""
    mask = (1 << bits) - 1
    for e in range(count):
        slot = np.int64(hashes[e] >> np.uint64(64 - bits))
        while table[slot] >= 0:
            slot = (slot + 1) & mask
        table[slot] = e


@dataclass(frozen=True)
class _Kernels:
    known: Callable[..., None]
    learn: Callable[..., int]
    rehash: Callable[..., None]


def _build() -> _Kernels:
    for helper in (_fnv, same_bytes):  # numba resolves a kernel's callees among the module's globals
        globals()[helper.__name__] = compile_cached(helper, nogil=True)
    return _Kernels(compile_cached(_known, nogil=True), compile_cached(_learn, nogil=True),
                    compile_cached(_rehash, nogil=True))


# Built with the first memo: only the batches of span_stems make one, after its own kernels compiled.
MEMO_KERNELS = LazyKernel(_build, after=1)


class TokenStems:
    """A memo of the tokens met, each with its stem's number (``stems[number]``), or -1 for a token
    that is not a content word; threads may share it (:meth:`stem_ids` takes its lock)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._empty(FIRST_KNOWN)

    def _empty(self, capacity: int) -> None:
        self.bits = (2 * capacity - 1).bit_length()  # at least twice the entries: at most half full
        self.table = np.full(1 << self.bits, -1, dtype=np.int32)
        self.hashes = np.empty(capacity, dtype=np.uint64)
        self.starts = np.empty(capacity, dtype=np.int64)
        self.lengths = np.empty(capacity, dtype=np.int32)
        self.values = np.empty(capacity, dtype=np.int32)
        self.arena = np.empty(capacity * 8, dtype=np.uint8)
        self.count = self.used = 0
        self.stems: list[str] = []
        self.numbers: dict[str, int] = {}

    def stem_ids(self, data: npt.NDArray[np.uint8], gaps: str | None, first: npt.NDArray[np.int64],
                 length: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], list[str]]:
        """``stem_tokens``'s numbering of a batch's distinct tokens (``data[first[d]:first[d] +
        length[d]]``, UTF-8, in order of first sight; ``gaps``: ``data`` as a string when it is
        ASCII, None to decode each new token's bytes): each token's stem id, -1 for a token that is
        not a content word, ids in order of first sight, and the stem of each id. One thread at a
        time: the kernels read and grow the tables without the GIL."""
        with self._lock:
            return self._stem_ids(data, gaps, first, length)

    def _stem_ids(self, data: npt.NDArray[np.uint8], gaps: str | None, first: npt.NDArray[np.int64],
                  length: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], list[str]]:
        kernels = MEMO_KERNELS.compiled()
        assert kernels is not None  # span_stems asks only once its own kernels are compiled
        if self.count + len(first) > MAX_KNOWN:
            self._empty(FIRST_KNOWN)
        known = np.empty(len(first), dtype=np.int64)
        tables = (self.bits, self.table, self.hashes, self.starts, self.lengths, self.arena, self.values)
        kernels.known(data, first, length, FNV_OFFSET, FNV_PRIME, *tables, known)
        new = np.flatnonzero(known == _UNKNOWN)
        if len(new):
            at_sizes = zip(first[new].tolist(), length[new].tolist())
            # surrogatepass: a lone surrogate's three bytes decoded as the caller encoded them
            words = ([gaps[at : at + size] for at, size in at_sizes] if gaps is not None else
                     [data[at : at + size].tobytes().decode("utf-8", "surrogatepass") for at, size in at_sizes])
            numbers = np.fromiter((self._number(content_stem(word)) for word in words), dtype=np.int64,
                                  count=len(new))
            self._make_room(len(new), int(length[new].sum()))
            self.used = kernels.learn(data, first, length, new, numbers, FNV_OFFSET, FNV_PRIME, self.bits, self.table,
                                      self.hashes, self.starts, self.lengths, self.arena, self.used, self.values,
                                      self.count)
            self.count += len(new)
            known[new] = numbers
        # The batch's own numbering: its stems in order of the first token that has each.
        content = np.flatnonzero(known >= 0)
        met = known[content]
        distinct, first_token = np.unique(met, return_index=True)
        order = np.argsort(first_token)
        local = np.empty(len(distinct), dtype=np.int64)
        local[order] = np.arange(len(distinct), dtype=np.int64)
        ids = np.full(len(first), -1, dtype=np.int64)
        ids[content] = local[np.searchsorted(distinct, met)]
        return ids, list(map(self.stems.__getitem__, distinct[order].tolist()))

    def _number(self, stem: str) -> int:
        if not stem:
            return -1
        number = self.numbers.get(stem)
        if number is None:
            number = self.numbers[stem] = len(self.stems)
            # interned once here: each batch's vocabulary interns its stems (StemVocabulary.of),
            # which for an interned string is a flag test, not a look-up
            self.stems.append(sys.intern(stem))
        return number

    def _make_room(self, entries: int, size: int) -> None:
        """Grow the arrays (doubling) to hold ``entries`` more tokens of ``size`` bytes in all."""
        capacity = len(self.hashes)
        if self.count + entries > capacity:
            while self.count + entries > capacity:
                capacity *= 2
            for name in ("hashes", "starts", "lengths", "values"):
                old = getattr(self, name)
                grown = np.empty(capacity, dtype=old.dtype)
                grown[: self.count] = old[: self.count]
                setattr(self, name, grown)
            self.bits = (2 * capacity - 1).bit_length()
            self.table = np.full(1 << self.bits, -1, dtype=np.int32)
            kernels = MEMO_KERNELS.compiled()
            assert kernels is not None
            kernels.rehash(self.hashes, self.count, self.bits, self.table)
        if self.used + size > len(self.arena):
            grown_arena = np.empty(max(2 * len(self.arena), self.used + size), dtype=np.uint8)
            grown_arena[: self.used] = self.arena[: self.used]
            self.arena = grown_arena
