"""The numba kernel: tokenising, shingle hashing (xxh32) and MinHash minima in compiled code.

Bit-identical to :mod:`syndidetect._kernels.reference` (and so to datasketch's ``affine32``
scheme). Python does only C-level string work: join the batch into one string (``batch.py``), whose
storage the kernel reads in place (1, 2 or 4 bytes a code point, whichever CPython chose), and
normalise (HTML entities, NFKC) the few texts the kernel flags as possibly
changed by it. Where ``str_storage`` knows the interpreter's layout there is no join: the kernels
read each text of a chunk where it is (``_signature_rows_at``, ``_sketch_rows_at``), and Python's
part is the few flagged texts; the joined batch is then the other interpreters' path and the
flagged texts'.
Everything per character and per shingle runs in numba code, a batch of texts a
call, batches shared between threads (the kernels release the GIL, so one thread joins its next
batch while another's kernel runs):

* the character classes of :func:`syndidetect.unicode_tables.char_classes` (word characters,
  letters of scripts written without spaces, marks, ignorable characters);
* each text's tokens are case-folded and UTF-8 encoded into a scratch buffer, separated by one
  space, so a shingle (``k`` consecutive tokens joined by a space, as datasketch hashes it) is a
  contiguous slice that xxh32 hashes in place;
* the affine32 minima, ``min(a * fmix32(h) + b mod 2**32)``, in a loop LLVM vectorises.

Importing this module is cheap: numba itself is imported, and the kernels compiled (or loaded
from numba's on-disk cache, ``cache=True``), on the first call.

Layout: the compiled functions (hash primitives, UTF-8 encoding, the tokeniser, the minima and the
batch kernels) stay in this one module, because numba's cache is invalidated only by a change of
the file defining a cached function (see :class:`~syndidetect._kernels.jit.LazyJit`). The code
around them lives beside it: the lookup tables in ``lookup.py``, the batch encoding in ``batch.py``,
the lazy compilation in ``jit.py``, the threads in ``threads.py``. The integer constants imported from ``lookup.py`` and
``syndidetect.unicode_tables`` are frozen into the compiled code: change them together with an
edit of this file, or a cached kernel keeps the old values.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from syndidetect._kernels.batch import (
    joined,
    normalised_rows,
    readonly,
    readonly_u32,
    rows_holding_entities,
    text_chunks,
    text_lengths,
    text_ranges,
)
from syndidetect._kernels.jit import LazyJit
from syndidetect._kernels.lookup import (
    CHAINED_BIT,
    CLUSTER_BIT,
    FOLDS_BIT,
    IGNORED_BIT,
    MARK_BIT,
    STARTS_BITS,
    UNSTABLE_BIT,
    WORD_BIT,
    KernelTables,
    kernel_tables,
)
from syndidetect._kernels.str_storage import (
    ASCII_BIT,
    COMPACT_BIT,
    KIND_MASK,
    KIND_SHIFT,
    LENGTH_AT,
    STATE_AT,
    TYPE_AT,
    item_addresses,
    str_layout,
)
from syndidetect._kernels.threads import each_on_threads, kernel_threads
from syndidetect._types import SignatureMatrix
from syndidetect.unicode_tables import CUT_BELOW, CUT_HASH

# Without numba, importing this module fails at once, not at the first call (minhash.py asks
# importlib whether numba exists before it imports this module, and runs the numpy kernel if not).
if importlib.util.find_spec("numba") is None:
    raise ImportError("syndidetect._kernels.fast needs numba")

__all__ = ["signatures_only", "sketch", "warm_up"]

_Tables = KernelTables
_tables = kernel_tables  # the name benchmarks/report.py times
_MASK = 0xFFFFFFFF
# xxHash32's five primes (its specification, section "Algorithm description").
_PRIME1 = 0x9E3779B1
_PRIME2 = 0x85EBCA77
_PRIME3 = 0xC2B2AE3D
_PRIME4 = 0x27D4EB2F
_PRIME5 = 0x165667B1
_EMPTY = 0xFFFFFFFF  # a signature entry no shingle reached (datasketch's empty value)
_SPACE = 0x20  # joins the tokens of a shingle
# UTF-8 bytes one code point may take in the scratch buffer: full case folding gives at most three
# code points (Unicode's CaseFolding.txt), each at most four bytes long.
_MAX_FOLDED_BYTES = 12
# Texts sharing one scratch allocation: large enough to amortise it, small enough that the scratch
# (sized for the longest of them) stays small when paragraph lengths vary.
_CHUNK = 64
# Words of a shingle :func:`_xxh32_lanes` reads: shingles of at most 31 bytes (xxh32's steps for a
# length below 32), three tokens of about five letters (English's mean word) and some margin;
# longer shingles are hashed one by one.
_LANE_WORDS = 8
_LANE_BYTES = 4 * _LANE_WORDS - 1
# A text's shingles :func:`_shingle_hashes` copies into the lanes, at most: the lanes' scratch (8
# words, a length and a list entry a shingle: 48 KB) stays in the cache and does not grow with a
# text, as a scratch for all of a text's shingles did (one text of 14M code points, 2M words: the
# call's peak 128 MB above the process's before it). Past it a text's shingles are hashed one by one.
_LANE_BLOCK = 1024

# Every compiled function below is marked with @_jit and compiled together on the first call to a
# public function (see LazyJit: why the compiled code stays in this one module).
_LAZY = LazyJit(globals())
_jit = _LAZY.mark
carray: Any = None  # numba.carray once _LAZY.compile() has run
address_pointer: Any = None  # pointers.address_pointer, likewise
prefetch: Any = None  # pointers.prefetch, likewise
_AMPERSAND = 0x26  # starts an HTML entity (batch.ENTITY_START)
#: :meth:`str_storage.StrLayout.as_tuple`: the ``str`` type's address and where compact strings'
#: code points start.
StrLayoutTuple = tuple[int, int, int]
#: The code points of a batch, as :func:`_units` views its joined string's storage: the string's kind
#: and a view for each width (empty but for the kind's).
CodePoints = tuple[int, npt.NDArray[np.uint8], npt.NDArray[np.uint16], npt.NDArray[np.uint32]]
#: Scratch space of :func:`_shingle_hashes`: ``(words, lengths, longer)``, the words of a block of a
#: text's shingles (``_LANE_WORDS`` rows, a column a shingle; at most ``_LANE_BLOCK``), their
#: lengths in bytes, and the block's shingles longer than the lanes take.
_Lanes = tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64], npt.NDArray[np.int64]]
#: Scratch space of one text's signature (:func:`_scratch_for`): its folded bytes, token starts and
#: ends, and shingle lanes.
_Scratch = tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64], npt.NDArray[np.int64], _Lanes]


# ---------------------------------------------------------------------------------------------
# Compiled kernels. numba widens integer arithmetic to 64 bits, so every 32-bit step is masked
# or cast back with np.uint32 (LLVM narrows the arithmetic again).
# ---------------------------------------------------------------------------------------------


@_jit()
def _rotl32(x: int, r: int) -> int:
    x = x & _MASK
    return ((x << r) | (x >> (32 - r))) & _MASK


@_jit()
def _read32(buf: npt.NDArray[np.uint8], i: int) -> int:
    u = np.uint64(i)  # an unsigned index: no negative-index wraparound, so LLVM fuses one 32-bit load
    return (
        int(buf[u])
        | (int(buf[u + np.uint64(1)]) << 8)
        | (int(buf[u + np.uint64(2)]) << 16)
        | (int(buf[u + np.uint64(3)]) << 24)
    )


@_jit()
def _round(acc: int, lane: int) -> int:
    acc = (acc + lane * _PRIME2) & _MASK
    return (_rotl32(acc, 13) * _PRIME1) & _MASK


@_jit(inline=True)
def _xxh32(buf: npt.NDArray[np.uint8], start: int, end: int) -> int:
    """xxHash32 with seed 0 of ``buf[start:end]`` (``buf`` holds at least 3 bytes after ``end``).

    Inlined: called, numba passed the buffer's array on the stack every shingle, and the call
    was about a fifth of a shingle's hash (about 20 bytes, 17 ns inlined here)."""
    length = end - start
    i = start
    if length >= 16:
        v1 = (_PRIME1 + _PRIME2) & _MASK
        v2 = _PRIME2
        v3 = 0
        v4 = (0 - _PRIME1) & _MASK
        limit = end - 16
        while i <= limit:
            v1 = _round(v1, _read32(buf, i))
            v2 = _round(v2, _read32(buf, i + 4))
            v3 = _round(v3, _read32(buf, i + 8))
            v4 = _round(v4, _read32(buf, i + 12))
            i += 16
        h = (_rotl32(v1, 1) + _rotl32(v2, 7) + _rotl32(v3, 12) + _rotl32(v4, 18)) & _MASK
    else:
        h = _PRIME5
    h = (h + length) & _MASK
    # The last 0-15 bytes: up to three 4-byte steps, then up to three single bytes. Each step is
    # computed always and kept only when its bytes are there (a select, not a branch): shingle
    # lengths vary, so the loops' exits were mispredicted about twice a shingle. This reads up to 3
    # bytes past ``end``, which the caller must leave in ``buf``.
    for _ in range(3):
        take = i + 4 <= end
        step = (_rotl32((h + _read32(buf, i) * _PRIME3) & _MASK, 17) * _PRIME4) & _MASK
        h = step if take else h
        i = i + 4 if take else i
    for _ in range(3):
        take = i < end
        step = (_rotl32((h + int(buf[np.uint64(i)]) * _PRIME5) & _MASK, 11) * _PRIME1) & _MASK
        h = step if take else h
        i = i + 1 if take else i
    h ^= h >> 15
    h = (h * _PRIME2) & _MASK
    h ^= h >> 13
    h = (h * _PRIME3) & _MASK
    h ^= h >> 16
    return h


@_jit()
def _fmix32(h: int) -> int:
    """The MurmurHash3 finalizer: affine32's pre-mix of every token hash."""
    h = h & _MASK
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _MASK
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _MASK
    h ^= h >> 16
    return h


@_jit(inline=True)
def _put(scratch: npt.NDArray[np.uint8], out: int, cp: int) -> int:
    """UTF-8 encode ``cp`` at ``scratch[out:]``; return the new end."""
    if cp < 0x80:
        scratch[out] = cp
        return out + 1
    if cp < 0x800:
        scratch[out] = 0xC0 | (cp >> 6)
        scratch[out + 1] = 0x80 | (cp & 0x3F)
        return out + 2
    if cp < 0x10000:
        scratch[out] = 0xE0 | (cp >> 12)
        scratch[out + 1] = 0x80 | ((cp >> 6) & 0x3F)
        scratch[out + 2] = 0x80 | (cp & 0x3F)
        return out + 3
    scratch[out] = 0xF0 | (cp >> 18)
    scratch[out + 1] = 0x80 | ((cp >> 12) & 0x3F)
    scratch[out + 2] = 0x80 | ((cp >> 6) & 0x3F)
    scratch[out + 3] = 0x80 | (cp & 0x3F)
    return out + 4


@_jit()
def _cuts(previous: int, letter: int) -> bool:
    """:func:`syndidetect.unicode_tables.cuts` (code points are below 2**21, so no 64-bit overflow)."""
    return ((previous * 31 + letter) * CUT_HASH) & _MASK < CUT_BELOW


@_jit(inline=True)
def _copy_folded(cp: int, flags: int, tables: _Tables, scratch: npt.NDArray[np.uint8], out: int) -> int:
    """Append code point ``cp`` case-folded, UTF-8 encoded, to ``scratch[out:]``; return the new end.

    Inlined, as :func:`_put` and :func:`_cluster_token` are, and it unpacks the fold tables only for a
    code point that folds: called for each code point past ASCII, with the five tables as
    arguments, it cost about 29 ns more a code point than ASCII's (one thread): 20,000 paragraphs
    signed in 154 ms written in Cyrillic letters against 21 ms in Latin ones. Now 37 ms; Latin
    letters with accents 67 -> 34 ms, Devanagari 156 -> 44, Arabic 154 -> 37, Greek with half the
    texts in capitals 164 -> 78, CJK (a token a character: 5.7 times the shingles) 466 -> 371
    (medians of 9; compiling every kernel into an empty cache took 51.4 and 52.8 s against 50.8 s).
    A folding's place is read from a table by code point (``lookup._fold_indexes``), not searched."""
    if flags & FOLDS_BIT:
        _, _, fold_places, fold_starts, fold_cps = tables  # here: a code point that does not fold reads none
        k = fold_places[cp]
        for q in range(fold_starts[k], fold_starts[k + 1]):
            out = _put(scratch, out, fold_cps[q])
        return out
    return _put(scratch, out, cp)


@_jit(inline=True)
def _cluster_token(
    buf: CodePoints, i: int, end: int, tables: _Tables, scratch: npt.NDArray[np.uint8], out: int,
    check: bool,
) -> tuple[int, int]:
    """Copy the token starting at ``buf[i]``, a letter of a script written without spaces (never
    folded: checked by _tables), to ``scratch[out:]``: the letter, the marks after it, and for a
    chained letter the next chained letters up to a cut (syndidetect.unicode_tables.cuts) with their marks;
    ASCII is never a mark or a letter here. Return the new ends of both, or ``(-1, i)`` when
    ``check`` meets a code point flagged ``UNSTABLE_BIT``."""
    table = tables[1]
    cp = _code_point(buf, i)
    previous = cp if table[np.uint64(cp)] & CHAINED_BIT else -1
    out = _put(scratch, out, cp)
    i += 1
    while i < end:
        cp = _code_point(buf, i)
        if cp < 0x80:
            break
        flags = table[np.uint64(cp)]
        if check and flags & UNSTABLE_BIT:
            return -1, i
        if flags & MARK_BIT:
            out = _copy_folded(cp, flags, tables, scratch, out)
        elif flags & CHAINED_BIT and previous >= 0 and not _cuts(previous, cp):
            out = _put(scratch, out, cp)
            previous = cp
        elif not flags & IGNORED_BIT:
            break
        i += 1
    return out, i


@_jit()
def _tokenise(
    buf: CodePoints,
    start: int,
    end: int,
    tables: _Tables,
    scratch: npt.NDArray[np.uint8],
    tok_start: npt.NDArray[np.int64],
    tok_end: npt.NDArray[np.int64],
    check: bool,
) -> int:
    """Case-fold ``buf[start:end]`` and copy its tokens into ``scratch``, one space apart; return
    their count.

    Token ``t`` is ``scratch[tok_start[t]:tok_end[t]]``, so the shingle of tokens ``t..u`` is the
    contiguous slice ``scratch[tok_start[t]:tok_end[u]]``. Case folding is ``str.casefold`` one
    code point at a time (it has no context rules), and the class tests apply to folded code points,
    exactly as the reference tokenises ``normalise(text)``; :func:`_tables` checks that folding never
    changes a code point's class, so the tests can look at the unfolded one. Ignorable characters
    are skipped wherever they are, which is what deleting them first does.

    One loop with an ``inside`` state. An ASCII character (most of most texts) takes no branch
    beyond that test: it writes its folded byte, or a space, at ``out`` and moves on only when it is
    a word character or the first separator after one, so tokens end up one space apart without a
    test per character; a branch on "word or separator" mispredicts at every token's edges, and
    took 13 ms of a 21 ms signature call (20,000 paragraphs) where the branch-free form's floor is
    6 ms. Token ends are set after the loop: a token ends one byte before the next one starts.
    ``tok_start`` holds one entry more than there are tokens (written for every character).
    The last token ends where the copy ends, or one byte before when a separator followed it (tokens
    are one space apart), so no variable follows token ends per character either: the loop's
    state is then few enough to stay in registers (tokenising alone: 3.9 -> 3.2 ns a code point, the
    medians of 21 alternated calls with the ``&`` test below, which moved to :func:`_signature_rows`'
    callers). Indices are cast to unsigned so numba emits no negative-index wraparound.

    With ``check``, return -1 when the text holds a code point flagged ``UNSTABLE_BIT``: with an
    ``&`` (which the callers look for before, with ``str.find``) the only texts that ``html.unescape``
    and NFKC may change, which the caller normalises in Python and tokenises again without ``check``.
    """
    ascii_map, table = tables[0], tables[1]
    count = 0
    out = 0
    inside = False  # the last character read belongs to a word token
    i = start
    while i < end:
        cp = _code_point(buf, i)
        if cp < 0x80:
            folded = ascii_map[cp]
            word = folded != 0
            tok_start[np.uint64(count)] = out
            count += word and not inside
            scratch[np.uint64(out)] = folded if word else _SPACE
            out += word or inside
            inside = word
            i += 1
            continue
        flags = table[np.uint64(cp)]
        if check and flags & UNSTABLE_BIT:
            return -1
        if inside:
            if flags & WORD_BIT:
                out = _copy_folded(cp, flags, tables, scratch, out)
                i += 1
                continue
            if flags & IGNORED_BIT:
                i += 1
                continue
            # A separator, or a letter of a script written without spaces, ends the token.
            scratch[np.uint64(out)] = _SPACE
            out += 1
            inside = False
        if not flags & STARTS_BITS:  # a separator or an ignorable character between tokens
            i += 1
            continue
        tok_start[np.uint64(count)] = out
        count += 1
        if flags & CLUSTER_BIT:
            out, i = _cluster_token(buf, i, end, tables, scratch, out, check)
            if out < 0:
                return -1
            scratch[np.uint64(out)] = _SPACE
            out += 1
        else:
            out = _copy_folded(cp, flags, tables, scratch, out)
            inside = True
            i += 1
    for t in range(count - 1):
        tok_end[np.uint64(t)] = tok_start[np.uint64(t + 1)] - 1
    if count > 0:
        tok_end[np.uint64(count - 1)] = out if inside else out - 1
    return count


@_jit(inline=True)
def _lane_rotl(x: np.uint32, r: int) -> np.uint32:
    return np.uint32((x << np.uint32(r)) | (x >> np.uint32(32 - r)))


@_jit(inline=True)
def _lane_step(h: np.uint32, word: np.uint32, prime: int, rotation: int, then: int) -> np.uint32:
    """``rotl(h + word * prime, rotation) * then`` in 32 bits (a step of xxh32, a lane of
    :func:`_xxh32_lanes`)."""
    return np.uint32(_lane_rotl(np.uint32(h + np.uint32(word * np.uint32(prime))), rotation) * np.uint32(then))


@_jit()
def _xxh32_lanes(words: npt.NDArray[np.uint32], lengths: npt.NDArray[np.int64], n: int,
                 out: npt.NDArray[np.uint32], at: int) -> None:
    """xxHash32 with seed 0 of ``n`` shingles of at most ``_LANE_BYTES`` bytes into ``out[at:]``:
    shingle ``s`` is ``lengths[s]`` bytes, read as ``words[q, s]`` (bytes ``4q..4q+3``, little-endian;
    bytes past its length may hold anything).

    :func:`_xxh32` hashes one shingle at a time, a chain of dependent multiplies whose steps and
    exits vary with the length: about 12 ns a shingle. Here every shingle takes the same steps, each
    kept or dropped by a select on its length, over words laid out shingle by shingle, so LLVM
    vectorises the loop across shingles (eight a ``ymm`` register): about 2 ns a shingle. The steps
    are xxh32's for a length below 32: at most one 16-byte stripe, then at most three 4-byte words
    from the stripe's end (or the start), then at most three bytes, which all lie in the word after
    those, since every step before moves by 4 bytes. The arithmetic is typed ``uint32`` throughout:
    in numba's 64-bit integers LLVM kept 64-bit lanes (``vpmullq``), 6 ns a shingle. The steps are
    this loop's own (:func:`_lane_step`), beside :func:`_xxh32`'s: that function written with them
    ran as fast but compiled 1.5-3 s longer into an empty cache (14.4-14.7 s against 11.7-12.9 s
    for the signature kernels, alternated), numba inlining them at each of its ten steps."""
    w0, w1, w2, w3 = words[0], words[1], words[2], words[3]
    w4, w5, w6, w7 = words[4], words[5], words[6], words[7]
    byte = np.uint32(0xFF)
    for s in range(n):
        length = lengths[s]
        striped = length >= 16
        v1 = _lane_step(np.uint32((_PRIME1 + _PRIME2) & _MASK), w0[s], _PRIME2, 13, _PRIME1)
        v2 = _lane_step(np.uint32(_PRIME2), w1[s], _PRIME2, 13, _PRIME1)
        v3 = _lane_step(np.uint32(0), w2[s], _PRIME2, 13, _PRIME1)
        v4 = _lane_step(np.uint32((0 - _PRIME1) & _MASK), w3[s], _PRIME2, 13, _PRIME1)
        stripe = np.uint32(_lane_rotl(v1, 1) + _lane_rotl(v2, 7) + _lane_rotl(v3, 12) + _lane_rotl(v4, 18))
        h = np.uint32((stripe if striped else np.uint32(_PRIME5)) + np.uint32(length))
        t0 = w4[s] if striped else w0[s]
        t1 = w5[s] if striped else w1[s]
        t2 = w6[s] if striped else w2[s]
        t3 = w7[s] if striped else w3[s]
        rest = length - 16 if striped else length
        full = rest >> 2  # 4-byte words after the stripe
        h = _lane_step(h, t0, _PRIME3, 17, _PRIME4) if full >= 1 else h
        h = _lane_step(h, t1, _PRIME3, 17, _PRIME4) if full >= 2 else h
        h = _lane_step(h, t2, _PRIME3, 17, _PRIME4) if full >= 3 else h
        last = t0 if full == 0 else (t1 if full == 1 else (t2 if full == 2 else t3))
        single = rest & 3  # bytes after those words
        h = _lane_step(h, last & byte, _PRIME5, 11, _PRIME1) if single >= 1 else h
        h = _lane_step(h, (last >> np.uint32(8)) & byte, _PRIME5, 11, _PRIME1) if single >= 2 else h
        h = _lane_step(h, (last >> np.uint32(16)) & byte, _PRIME5, 11, _PRIME1) if single >= 3 else h
        h ^= h >> np.uint32(15)
        h = np.uint32(h * np.uint32(_PRIME2))
        h ^= h >> np.uint32(13)
        h = np.uint32(h * np.uint32(_PRIME3))
        h ^= h >> np.uint32(16)
        out[at + s] = h


@_jit()
def _shingle_hashes(
    scratch: npt.NDArray[np.uint8],
    tok_start: npt.NDArray[np.int64],
    tok_end: npt.NDArray[np.int64],
    count: int,
    shingle_size: int,
    lanes: _Lanes,
    out: npt.NDArray[np.uint32],
    at: int,
) -> int:
    """Write the xxh32 of every shingle to ``out[at:]``; return how many were written.

    A text's first ``_LANE_BLOCK`` shingles of up to ``_LANE_BYTES`` bytes (96.5 % of the benchmark
    corpus's) are hashed together by :func:`_xxh32_lanes`, from their words copied into ``lanes``;
    the longer ones then one by one by :func:`_xxh32`, from a list the copying loop appends to
    without a branch. A second pass over all the shingles testing each length mispredicts in most
    texts: tokenising and hashing 20,000 paragraphs (41k longer shingles) took 21.9-22.8 ms with it,
    21.7-21.8 ms with the list (medians of 9, three alternated runs). A text's shingles past the
    block (a paragraph of some 5,000 characters) are hashed one by one too: a loop over blocks of
    lanes cost the usual text, one block, about 1.5 ms in those 21.7 (three alternated runs)."""
    if count == 0:
        return 0
    if count <= shingle_size:
        out[at] = _xxh32(scratch, tok_start[0], tok_end[count - 1])
        return 1
    n = count - shingle_size + 1
    words, lengths, longer = lanes
    m = min(n, _LANE_BLOCK)
    found = 0
    for t in range(m):
        start = tok_start[t]
        length = tok_end[t + shingle_size - 1] - start
        lengths[t] = length
        longer[found] = t
        found += length > _LANE_BYTES
        for q in range(_LANE_WORDS):
            words[q, t] = _read32(scratch, start + 4 * q)
    _xxh32_lanes(words, lengths, m, out, at)
    for k in range(found):
        t = longer[k]
        out[at + t] = _xxh32(scratch, tok_start[t], tok_end[t + shingle_size - 1])
    for t in range(m, n):  # past the lanes' block (a text of over 1,024 shingles, rare): one by one
        out[at + t] = _xxh32(scratch, tok_start[t], tok_end[t + shingle_size - 1])
    return n


@_jit()
def _min_into(
    hashes: npt.NDArray[np.uint32],
    start: int,
    end: int,
    a: npt.NDArray[np.uint32],
    b: npt.NDArray[np.uint32],
    sig: npt.NDArray[np.uint32],
) -> None:
    """``sig = min(sig, a * fmix32(h) + b)`` over ``hashes[start:end]``.

    Four hashes per pass over the permutations: the inner loop vectorises (vpmulld, vpminud) and
    loads and stores ``sig`` a quarter as often as a one-hash loop does.
    """
    num_perm = a.shape[0]
    j = start
    while j + 4 <= end:
        h0 = np.uint32(_fmix32(hashes[j]))
        h1 = np.uint32(_fmix32(hashes[j + 1]))
        h2 = np.uint32(_fmix32(hashes[j + 2]))
        h3 = np.uint32(_fmix32(hashes[j + 3]))
        for p in range(num_perm):
            ap = a[p]
            bp = b[p]
            v0 = min(np.uint32(ap * h0 + bp), np.uint32(ap * h1 + bp))
            v1 = min(np.uint32(ap * h2 + bp), np.uint32(ap * h3 + bp))
            sig[p] = min(sig[p], min(v0, v1))
        j += 4
    while j < end:
        h = np.uint32(_fmix32(hashes[j]))
        for p in range(num_perm):
            sig[p] = min(sig[p], np.uint32(a[p] * h + b[p]))
        j += 1


@_jit()
def _max_span(offsets: npt.NDArray[np.int64], first: int, last: int) -> int:
    longest = 1
    for i in range(first, last):
        longest = max(longest, offsets[i + 1] - offsets[i])
    return longest


@_jit()
def _chunk_scratch(
    offsets: npt.NDArray[np.int64], chunk: int
) -> tuple[int, int, int, npt.NDArray[np.uint8], npt.NDArray[np.int64], npt.NDArray[np.int64], _Lanes]:
    """Rows ``first..last`` of chunk ``chunk``, the longest text's length in code points, and scratch
    space sized for it (:func:`_scratch_for`): one allocation per chunk, not per text."""
    first = chunk * _CHUNK
    last = min(offsets.shape[0] - 1, first + _CHUNK)
    longest = _max_span(offsets, first, last)
    scratch, tok_start, tok_end, lanes = _scratch_for(longest)
    return first, last, longest, scratch, tok_start, tok_end, lanes


@_jit()
def _scratch_for(longest: int) -> _Scratch:
    """Scratch space for texts of at most ``longest`` code points: folded bytes, token starts and
    ends, shingle lanes."""
    # Each code point: its folded bytes, or one space between tokens; then the bytes _xxh32 (3) and
    # _shingle_hashes (4 * _LANE_WORDS - 1) may read past a shingle's end or start.
    scratch = np.empty((_MAX_FOLDED_BYTES + 1) * longest + 4 * _LANE_WORDS, dtype=np.uint8)
    block = min(longest, _LANE_BLOCK)
    lanes = (
        np.empty((_LANE_WORDS, block), dtype=np.uint32), np.empty(block, dtype=np.int64),
        np.empty(block, dtype=np.int64),
    )
    # _tokenise writes one token start more than there are tokens.
    tok_start = np.empty(longest + 1, dtype=np.int64)
    return scratch, tok_start, np.empty(longest, dtype=np.int64), lanes


@_jit()
def _units(text: str) -> CodePoints:
    """``text``'s storage read in place (valid while ``text`` lives, which the caller's argument
    guarantees): its kind (PEP 393: 1, 2 or 4 bytes a code point) and a view for each width, empty
    but for the kind's.

    One compiled kernel reads all three through :func:`_code_point`'s branch on the kind, which
    costs nothing measurable (20,000 paragraphs, 4 alternated runs: 27.1-28.0 ms against 27.4-28.1
    ms with a kernel compiled for each width), where a kernel for each width took 6 s more of
    compiling, into an empty cache, for each further width a corpus met."""
    kind = text._kind  # type: ignore[attr-defined]  # numba's view of the string
    n = len(text)
    return (
        kind,
        carray(text._data, n if kind == 1 else 0, np.uint8),  # type: ignore[attr-defined]
        carray(text._data, n if kind == 2 else 0, np.uint16),  # type: ignore[attr-defined]
        carray(text._data, n if kind == 4 else 0, np.uint32),  # type: ignore[attr-defined]
    )


@_jit()
def _code_point(buf: CodePoints, i: int) -> int:
    """Code point ``i`` of the string :func:`_units` viewed."""
    kind = buf[0]
    if kind == 1:
        return int(buf[1][np.uint64(i)])
    if kind == 2:
        return int(buf[2][np.uint64(i)])
    return int(buf[3][np.uint64(i)])


@_jit()
def _sketch_rows(
    text: str,
    offsets: npt.NDArray[np.int64],
    tables: _Tables,
    a: npt.NDArray[np.uint32],
    b: npt.NDArray[np.uint32],
    shingle_size: int,
    raw: npt.NDArray[np.uint32],
    counts: npt.NDArray[np.int64],
    tokens: npt.NDArray[np.int64],
    sigs: npt.NDArray[np.uint32],
    redo: npt.NDArray[np.uint8],
    check: bool,
) -> None:
    """Per text of the joined ``text`` (its storage read in place): shingle hashes into
    ``raw[offsets[i]:]`` (a text has at most one shingle per code point), sorted and deduplicated in
    place (``counts[i]`` kept), its token count and its signature row. A text already flagged in
    ``redo`` (it holds an ``&``) is skipped; with ``check``, so is a text that needs Python's
    normalisation, and ``redo[i]`` is set."""
    buf = _units(text)
    n = offsets.shape[0] - 1
    chunks = (n + _CHUNK - 1) // _CHUNK
    for c in range(chunks):
        first, last, _, scratch, tok_start, tok_end, lanes = _chunk_scratch(offsets, c)
        for i in range(first, last):
            sigs[i, :] = _EMPTY  # the caller's rows are uninitialised (see signatures_only)
            if redo[i]:
                continue
            count = _tokenise(buf, offsets[i], offsets[i + 1], tables, scratch, tok_start, tok_end, check)
            if count < 0:
                redo[i] = 1
                continue
            found = _shingle_hashes(scratch, tok_start, tok_end, count, shingle_size, lanes, raw, offsets[i])
            unique = _sorted_unique(raw, offsets[i], found)
            _min_into(raw, offsets[i], offsets[i] + unique, a, b, sigs[i])
            tokens[i], counts[i] = count, unique


@_jit()
def _sorted_unique(raw: npt.NDArray[np.uint32], at: int, found: int) -> int:
    """Sort ``raw[at : at + found]`` and move its distinct values to its front; return how many."""
    row = raw[at : at + found]
    row.sort()
    unique = 0
    for j in range(found):
        if j == 0 or row[j] != row[unique - 1]:
            row[unique] = row[j]
            unique += 1
    return unique


@_jit()
def _gather(
    raw: npt.NDArray[np.uint32],
    starts: npt.NDArray[np.int64],
    rows: npt.NDArray[np.int64],
    out_offsets: npt.NDArray[np.int64],
    values: npt.NDArray[np.uint32],
) -> None:
    """Pack unique hashes into the dense ``values``: those of output row ``rows[k]`` start at
    ``raw[starts[k]]``.

    Serial: a memory-bound copy gains little from a second parallel launch."""
    for k in range(rows.shape[0]):
        src = starts[k]
        dst = out_offsets[rows[k]]
        for j in range(out_offsets[rows[k] + 1] - dst):
            values[dst + j] = raw[src + j]


@_jit()
def _signature_rows(
    text: str,
    offsets: npt.NDArray[np.int64],
    tables: _Tables,
    a: npt.NDArray[np.uint32],
    b: npt.NDArray[np.uint32],
    shingle_size: int,
    sigs: npt.NDArray[np.uint32],
    redo: npt.NDArray[np.uint8],
    check: bool,
) -> None:
    """Signatures only: shingle hashes go to a per-chunk scratch row, never sorted or kept
    (repeated shingles cannot change a minimum). The rest as in :func:`_sketch_rows`."""
    buf = _units(text)
    n = offsets.shape[0] - 1
    chunks = (n + _CHUNK - 1) // _CHUNK
    for c in range(chunks):
        first, last, longest, scratch, tok_start, tok_end, lanes = _chunk_scratch(offsets, c)
        hashes = np.empty(longest, dtype=np.uint32)
        for i in range(first, last):
            sigs[i, :] = _EMPTY  # the caller's rows are uninitialised (see signatures_only)
            if redo[i]:
                continue
            count = _tokenise(buf, offsets[i], offsets[i + 1], tables, scratch, tok_start, tok_end, check)
            if count < 0:
                redo[i] = 1
                continue
            found = _shingle_hashes(scratch, tok_start, tok_end, count, shingle_size, lanes, hashes, 0)
            _min_into(hashes, 0, found, a, b, sigs[i])


@_jit()
def _length_at(address: np.uint64, layout: StrLayoutTuple) -> int:
    """The length in code points of the exact ``str`` at ``address`` (see ``str_storage``), or -1
    when the object there is of another type (a subclass included) or not a compact string."""
    # The type first, read within any object's header: only a str's own fields are read past it.
    if carray(address_pointer(address + np.uint64(TYPE_AT)), 1, np.int64)[0] != layout[0]:
        return -1
    state = carray(address_pointer(address + np.uint64(STATE_AT)), 1, np.uint32)[0]
    if not state & COMPACT_BIT:
        return -1
    return int(carray(address_pointer(address + np.uint64(LENGTH_AT)), 1, np.int64)[0])


@_jit()
def _lengths_at(
    addresses: npt.NDArray[np.uint64], layout: StrLayoutTuple, lengths: npt.NDArray[np.int64],
    sizes: npt.NDArray[np.int64],
) -> None:
    """:func:`_length_at` of each text at ``addresses`` into ``lengths``, and the bytes its object
    spans to its last code point into ``sizes`` (0 for a text left to Python)."""
    for i in range(addresses.shape[0]):
        length = _length_at(addresses[i], layout)
        lengths[i] = length
        sizes[i] = 0
        if length >= 0:
            state = carray(address_pointer(addresses[i] + np.uint64(STATE_AT)), 1, np.uint32)[0]
            kind = (state >> KIND_SHIFT) & KIND_MASK
            sizes[i] = (layout[1] if state & ASCII_BIT else layout[2]) + length * kind


@_jit()
def _sketch_rows_at(
    addresses: npt.NDArray[np.uint64], lengths: npt.NDArray[np.int64], sizes: npt.NDArray[np.int64],
    spans: npt.NDArray[np.int64], layout: StrLayoutTuple, tables: _Tables, a: npt.NDArray[np.uint32],
    b: npt.NDArray[np.uint32], shingle_size: int, raw: npt.NDArray[np.uint32], counts: npt.NDArray[np.int64],
    tokens: npt.NDArray[np.int64], sigs: npt.NDArray[np.uint32], redo: npt.NDArray[np.uint8],
) -> None:
    """:func:`_sketch_rows` of the texts at ``addresses`` (of :func:`_lengths_at`'s ``lengths`` and
    ``sizes``), each read in place, text ``i``'s shingle hashes at ``raw[spans[i]:]``; a text flagged
    in ``redo``, or flagged there as in :func:`_signature_rows_at`, is left for the caller."""
    n = addresses.shape[0]
    for first in range(0, n, _CHUNK):
        last = min(n, first + _CHUNK)
        scratch, tok_start, tok_end, lanes = _scratch_for(max(1, lengths[first:last].max()))
        for i in range(first, last):
            sigs[i, :] = _EMPTY  # the caller's rows are uninitialised (see signatures_only)
            if redo[i]:
                continue
            if i + 1 < n:
                _prefetch_text(addresses[i + 1], sizes[i + 1])
            buf = _units_at(addresses[i], layout, lengths[i])
            count = -1 if _holds_entity_start(buf) else _tokenise(buf, 0, lengths[i], tables, scratch, tok_start,
                                                                   tok_end, True)
            if count < 0:
                redo[i] = 1
                continue
            found = _shingle_hashes(scratch, tok_start, tok_end, count, shingle_size, lanes, raw, spans[i])
            unique = _sorted_unique(raw, spans[i], found)
            _min_into(raw, spans[i], spans[i] + unique, a, b, sigs[i])
            tokens[i], counts[i] = count, unique


@_jit()
def _units_at(address: np.uint64, layout: StrLayoutTuple, length: int) -> CodePoints:
    """:func:`_units` of the string at ``address`` of ``length`` code points (:func:`_length_at`)."""
    state = carray(address_pointer(address + np.uint64(STATE_AT)), 1, np.uint32)[0]
    kind = np.int32((state >> KIND_SHIFT) & KIND_MASK)
    data = address_pointer(address + np.uint64(layout[1] if state & ASCII_BIT else layout[2]))
    return (  # type: ignore[return-value]  # the kind an int32, as numba's string holds it (_units)
        kind,
        carray(data, length if kind == 1 else 0, np.uint8),
        carray(data, length if kind == 2 else 0, np.uint16),
        carray(data, length if kind == 4 else 0, np.uint32),
    )


@_jit()
def _prefetch_text(address: np.uint64, size: int) -> None:
    """Bring a text's object (``size`` bytes, :func:`_lengths_at`) into the cache while the text
    before it is hashed."""
    end = address + np.uint64(size)
    while address < end:
        prefetch(address)
        address += np.uint64(64)


@_jit()
def _holds_entity_start(buf: CodePoints) -> bool:
    """Whether the text holds an ``&`` (see :func:`batch.rows_holding_entities`): counted by loops
    without an early exit or a branch, which LLVM vectorises."""
    return _count_of(buf[1], _AMPERSAND) + _count_of(buf[2], _AMPERSAND) + _count_of(buf[3], _AMPERSAND) > 0


@_jit()
def _count_of(units: npt.NDArray[Any], unit: int) -> int:
    count = 0
    for j in range(units.shape[0]):
        count += units[j] == unit
    return count


@_jit()
def _signature_rows_at(
    addresses: npt.NDArray[np.uint64], lengths: npt.NDArray[np.int64], sizes: npt.NDArray[np.int64],
    layout: StrLayoutTuple, tables: _Tables, a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32],
    shingle_size: int, sigs: npt.NDArray[np.uint32], redo: npt.NDArray[np.uint8],
) -> None:
    """:func:`_signature_rows` of the texts at ``addresses`` (of :func:`_lengths_at`'s ``lengths``
    and ``sizes``), each read in place: no join, so no GIL. A text flagged in ``redo`` (not an exact
    compact ``str``), holding an ``&`` or needing Python's normalisation is left for the caller,
    flagged in ``redo``.

    Each text's three steps (:func:`_tokenise`, :func:`_shingle_hashes`, :func:`_min_into`) are
    called from this loop, as in every row kernel here, not through one function of a text's
    steps: with that function (and the one joining the first two) inlined into this loop, the
    signatures of 100,000 paragraphs took 153.6-186.5 ms against 120.2-153.0 ms now
    (``benchmarks.signatures_once 100000``, five alternated pairs; the median pair's ratio 0.80); a
    loop calling the steps, compiled in a ``/tmp`` script, tokenised and hashed the same texts as
    fast as this one does now."""
    n = addresses.shape[0]
    for first in range(0, n, _CHUNK):
        last = min(n, first + _CHUNK)
        longest = max(1, lengths[first:last].max())
        scratch, tok_start, tok_end, lanes = _scratch_for(longest)
        hashes = np.empty(longest, dtype=np.uint32)
        for i in range(first, last):
            sigs[i, :] = _EMPTY  # the caller's rows are uninitialised (see signatures_only)
            if redo[i]:
                continue
            if i + 1 < n:
                _prefetch_text(addresses[i + 1], sizes[i + 1])
            buf = _units_at(addresses[i], layout, lengths[i])
            count = -1 if _holds_entity_start(buf) else _tokenise(buf, 0, lengths[i], tables, scratch, tok_start,
                                                                   tok_end, True)
            if count < 0:
                redo[i] = 1
                continue
            found = _shingle_hashes(scratch, tok_start, tok_end, count, shingle_size, lanes, hashes, 0)
            _min_into(hashes, 0, found, a, b, sigs[i])


# ---------------------------------------------------------------------------------------------
# Drivers: Python calls into the compiled kernels (C-level string work only, in batch.py).
# ---------------------------------------------------------------------------------------------


Lengths = npt.NDArray[np.int64]
#: A chunk of the texts as :func:`_each_chunk` hands it over: a list or a tuple no other code holds.
Chunk = list[str] | tuple[str, ...]
Permutations = tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]


def _prepare(a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32]) -> Permutations:
    """The kernels compiled and their tables built, and the permutations as the kernels take them:
    once a call, not a batch."""
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError("'a' and 'b' must be 1-d arrays of the same length")
    _LAZY.compile()
    _tables()  # built here, once, not by two threads at once
    return readonly_u32(a), readonly_u32(b)


Sketch = tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64], SignatureMatrix, npt.NDArray[np.int64]]


def sketch(
    texts: Sequence[str], a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32], shingle_size: int
) -> Sketch:
    """``(values, offsets, sigs, tokens)``: each text's sorted unique shingle hashes (concatenated,
    row ``i`` is ``values[offsets[i]:offsets[i + 1]]``), the ``(len(texts), len(a))`` signatures and
    each text's number of tokens.

    In batches of whole texts on the kernel threads (:func:`_each_batch`), each writing its rows of
    the signatures and token counts in place: a batch's raw shingle hashes take four bytes a code
    point, so batches bound the memory. A text that is not a ``str`` raises ``TypeError`` (the
    caller names it)."""
    a, b = _prepare(a, b)
    sigs = np.empty((len(texts), len(a)), dtype=np.uint32)  # rows filled by the kernels
    tokens = np.zeros(len(texts), dtype=np.int64)
    found: dict[int, tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]] = {}  # by the batch's first row

    layout = str_layout()
    if layout is not None:
        where = layout.as_tuple()

        def one_chunk(first: int, part: Chunk) -> None:
            addresses, lengths, sizes = _read_heads(part, where)
            for start, end in text_ranges(np.maximum(lengths, 0)):
                rows = slice(first + start, first + end)
                found[first + start] = _batch_sketch_in_place(
                    part[start:end], addresses[start:end], lengths[start:end], sizes[start:end], where, a, b,
                    shingle_size, sigs[rows], tokens[rows],
                )

        _each_chunk(texts, one_chunk)
    else:

        def one_batch(first: int, part: Sequence[str], lengths: Lengths) -> None:
            rows = slice(first, first + len(part))
            found[first] = _batch_sketch(part, lengths, a, b, shingle_size, sigs[rows], tokens[rows])

        _each_batch(texts, one_batch)
    batches = [found[first] for first in sorted(found)] or [_NO_HASHES]
    offsets, total = [np.zeros(1, dtype=np.int64)], 0
    for v, o in batches:
        offsets.append(o[1:] + total)
        total += len(v)
    hashes = batches[0][0] if len(batches) == 1 else np.concatenate([np.zeros(0, dtype=np.uint32),
                                                                     *(v for v, _ in batches)])
    return hashes, np.concatenate(offsets), sigs, tokens


_NO_HASHES = (np.zeros(0, dtype=np.uint32), np.zeros(1, dtype=np.int64))


def _each_batch(texts: Sequence[str], work: Callable[[int, Sequence[str], Lengths], None]) -> None:
    """``work(first row, texts, lengths)`` for each batch of ``texts``: chunks of texts
    (``batch.text_chunks``) taken in turn by the kernel threads, as many as numba's parallel loops
    would use (``NUMBA_NUM_THREADS``, by default the cores; ``threads.kernel_threads``), each cut into
    batches of whole texts (``batch.text_ranges``). Each thread reads its own chunk's lengths and
    joins its own batches (with the GIL) while another's kernel runs (without it)."""
    threads = kernel_threads()
    chunks = text_chunks(len(texts), threads)

    def one_chunk(k: int) -> None:
        first, last = chunks[k]
        part = texts[first:last]
        lengths = text_lengths(part)
        for start, end in text_ranges(lengths):
            work(first + start, part[start:end], lengths[start:end])

    each_on_threads(one_chunk, len(chunks), threads)


def _batch_sketch(
    texts: Sequence[str], lengths: Lengths, a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32], shingle_size: int,
    sigs: npt.NDArray[np.uint32], tokens: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]:
    """One batch's ``(values, offsets)``; its signatures and token counts go to ``sigs`` and
    ``tokens`` (its rows of the call's arrays)."""
    text, spans = joined(texts, lengths)
    raw = np.empty(max(len(text), 1), dtype=np.uint32)
    counts = np.zeros(len(texts), dtype=np.int64)
    redo = rows_holding_entities(text, spans)
    _sketch_rows(text, spans, _tables(), a, b, shingle_size, raw, counts, tokens, sigs, redo, True)
    return _sketch_rest(texts, redo, raw, spans, counts, a, b, shingle_size, sigs, tokens)


def _batch_sketch_in_place(
    texts: Sequence[str], addresses: npt.NDArray[np.uint64], lengths: Lengths, sizes: Lengths, layout: StrLayoutTuple,
    a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32], shingle_size: int, sigs: npt.NDArray[np.uint32],
    tokens: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]:
    """:func:`_batch_sketch` of texts read where they are (``addresses``, of ``lengths`` or -1 for
    a text Python does): each text's raw hashes start where it would in the joined batch."""
    spans = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.maximum(lengths, 0) + 1, out=spans[1:])
    raw = np.empty(int(spans[-1]), dtype=np.uint32)
    counts = np.zeros(len(texts), dtype=np.int64)
    redo = (lengths < 0).astype(np.uint8)
    _sketch_rows_at(addresses, lengths, sizes, spans, layout, _tables(), a, b, shingle_size, raw, counts, tokens, sigs,
                    redo)
    return _sketch_rest(texts, redo, raw, spans, counts, a, b, shingle_size, sigs, tokens)


def _sketch_rest(
    texts: Sequence[str], redo: npt.NDArray[np.uint8], raw: npt.NDArray[np.uint32], spans: npt.NDArray[np.int64],
    counts: npt.NDArray[np.int64], a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32], shingle_size: int,
    sigs: npt.NDArray[np.uint32], tokens: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]:
    """The texts a batch's kernel left (``redo``) normalised and sketched, then the batch's unique
    hashes packed from ``raw`` (text ``i``'s at ``spans[i]``) into ``(values, offsets)``."""
    n = len(texts)
    rows, folded = normalised_rows(texts, redo)
    if len(rows):
        sub_text, sub_spans = joined(folded, text_lengths(folded))
        sub_raw = np.empty(max(len(sub_text), 1), dtype=np.uint32)
        sub_counts = np.zeros(len(rows), dtype=np.int64)
        sub_tokens = np.zeros(len(rows), dtype=np.int64)
        sub_sigs = np.empty((len(rows), len(a)), dtype=np.uint32)
        unused = np.zeros(len(rows), dtype=np.uint8)
        sub_args = (sub_raw, sub_counts, sub_tokens, sub_sigs, unused, False)
        _sketch_rows(sub_text, sub_spans, _tables(), a, b, shingle_size, *sub_args)
        counts[rows], tokens[rows], sigs[rows] = sub_counts, sub_tokens, sub_sigs
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    values = np.empty(int(offsets[-1]), dtype=np.uint32)
    kept = np.flatnonzero(redo == 0) if len(rows) else np.arange(n, dtype=np.intp)
    _gather(raw, spans[kept], kept, offsets, values)
    if len(rows):
        _gather(sub_raw, sub_spans[:-1], rows, offsets, values)
    return values, offsets


def signatures_only(
    texts: Sequence[str], a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32], shingle_size: int
) -> SignatureMatrix:
    """The signatures of :func:`sketch` without collecting the shingle hashes (faster), in chunks
    taken in turn by the kernel threads, each chunk writing its rows in place: its texts read where
    they are (:func:`_chunk_signatures_in_place`) where this interpreter's layout is known
    (``str_storage``), else joined in batches as in :func:`sketch`.

    The matrix is allocated uninitialised and each kernel fills its own rows first: ``np.full``
    of 100k rows (51 MB) took 5 ms, serial, before the kernel threads started."""
    a, b = _prepare(a, b)
    sigs = np.empty((len(texts), len(a)), dtype=np.uint32)  # rows filled by the kernels
    layout = str_layout()
    if layout is not None:
        where = layout.as_tuple()

        def one_chunk(first: int, part: Chunk) -> None:
            _chunk_signatures_in_place(part, where, a, b, shingle_size, sigs[first : first + len(part)])

        _each_chunk(texts, one_chunk)
        return sigs

    def one_batch(first: int, part: Sequence[str], lengths: Lengths) -> None:
        _batch_signatures(part, lengths, a, b, shingle_size, sigs[first : first + len(part)])

    _each_batch(texts, one_batch)
    return sigs


def _each_chunk(texts: Sequence[str], work: Callable[[int, Chunk], None]) -> None:
    """``work(first row, texts)`` for each chunk of ``texts`` (``batch.text_chunks``), taken in turn
    by the kernel threads. Each chunk is a fresh list (or a tuple) that no other code holds, so its
    items stay put and alive while a kernel reads them without the GIL."""
    threads = kernel_threads()
    chunks = text_chunks(len(texts), threads)

    def one_chunk(k: int) -> None:
        first, last = chunks[k]
        part = texts[first:last]
        work(first, part if type(part) in (list, tuple) else list(part))  # type: ignore[arg-type]

    each_on_threads(one_chunk, len(chunks), threads)


def _read_heads(texts: Chunk, layout: StrLayoutTuple) -> tuple[npt.NDArray[np.uint64], Lengths, Lengths]:
    """A chunk's item addresses (a view of its own item array), and each text's length and size in
    bytes (:func:`_lengths_at`; -1 and 0 for a text Python does)."""
    addresses = item_addresses(texts)
    lengths = np.empty(len(texts), dtype=np.int64)
    sizes = np.empty(len(texts), dtype=np.int64)
    _lengths_at(addresses, layout, lengths, sizes)
    return addresses, lengths, sizes


def _chunk_signatures_in_place(
    texts: Chunk, layout: StrLayoutTuple, a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32],
    shingle_size: int, sigs: npt.NDArray[np.uint32],
) -> None:
    """One chunk's signatures, written to ``sigs``: the kernel reads each text where it is, and the
    texts it leaves (see :func:`_signature_rows_at`) are done by :func:`_normalised_signatures`."""
    addresses, lengths, sizes = _read_heads(texts, layout)
    redo = (lengths < 0).astype(np.uint8)
    _signature_rows_at(addresses, lengths, sizes, layout, _tables(), a, b, shingle_size, sigs, redo)
    _normalised_signatures(texts, redo, a, b, shingle_size, sigs)


def _batch_signatures(
    texts: Sequence[str], lengths: Lengths, a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32], shingle_size: int,
    sigs: npt.NDArray[np.uint32],
) -> None:
    """One batch's signatures, written to ``sigs`` (its rows of the call's matrix)."""
    text, spans = joined(texts, lengths)
    redo = rows_holding_entities(text, spans)
    _signature_rows(text, spans, _tables(), a, b, shingle_size, sigs, redo, True)
    _normalised_signatures(texts, redo, a, b, shingle_size, sigs)


def _normalised_signatures(
    texts: Sequence[str], redo: npt.NDArray[np.uint8], a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32],
    shingle_size: int, sigs: npt.NDArray[np.uint32],
) -> None:
    """The signatures of the texts flagged in ``redo``, normalised in Python first (a text that is
    not a ``str`` raises ``TypeError``), written to their rows of ``sigs``."""
    rows, folded = normalised_rows(texts, redo)
    if len(rows):
        sub_text, sub_spans = joined(folded, text_lengths(folded))
        sub_sigs = np.empty((len(rows), len(a)), dtype=np.uint32)
        unused = np.zeros(len(rows), dtype=np.uint8)
        _signature_rows(sub_text, sub_spans, _tables(), a, b, shingle_size, sub_sigs, unused, False)
        sigs[rows] = sub_sigs


def make_kernels() -> None:
    """Make the kernels' numba dispatchers now (they compile, or load from numba's cache, at their
    first call): :data:`syndidetect.minhash` asks numba's cache about them before the first call."""
    _LAZY.compile()


def warm_up() -> None:
    """Compile (or load from numba's cache) every kernel now, e.g. before timing."""
    one = readonly(np.ones(1, dtype=np.uint32))
    # Each with a text read again in Python: both kernels of each.
    sketch(["warm up", "&amp; a text read again in Python"], one, one, 1)
    signatures_only(["warm up", "&amp; a text read again in Python"], one, one, 1)
