"""MinHash signatures of texts: the signature contract of ARCHITECTURE.md.

``signatures(texts)`` equals, row for row, datasketch 2.x ``MinHash(num_perm, seed,
hashfunc=xxhash.xxh32_intdigest)`` (scheme ``affine32``) updated with the UTF-8 bytes of
:func:`syndidetect.shingles`.

Two kernels compute them, bit for bit alike (tested on random and adversarial text): the numba
kernel for corpora, the numpy reference for the first :data:`FAST_KERNEL_AFTER_TEXTS` texts of a
process, which a one-shot command on a few documents never passes (no numba import, no compile).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping, Sequence, Set, Sized
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from syndidetect._kernels import reference
from syndidetect._kernels.lazy import CompileCost, LazyKernel
from syndidetect._types import SignatureMatrix
from syndidetect.config import BACKENDS, NUM_PERM_BOUNDS, SEED_BOUNDS, check_int
from syndidetect.errors import ArgumentError, ConfigError, InputError
from syndidetect.shingles import DEFAULT_SHINGLE_SIZE, check_shingle_size

_R = TypeVar("_R")

_MT_WORDS = 624  # MT19937's state: 624 32-bit words


def _mt19937_draws(seed: int, count: int) -> list[int]:
    """The first ``count`` 32-bit outputs of ``numpy.random.RandomState(seed)``'s MT19937.

    Python's ``random`` runs the same generator; only the seeding differs, so the state numpy's
    legacy seeding (``init_genrand``) builds is set directly. This spares importing
    ``numpy.random`` (60 ms of CPU, a fifth of a one-shot ``index check``); the tests compare the
    parameters with numpy's for many seeds.
    """
    state = [seed]
    for i in range(1, _MT_WORDS):
        state.append((1812433253 * (state[-1] ^ (state[-1] >> 30)) + i) & 0xFFFFFFFF)
    gen = random.Random()
    gen.setstate((3, (*state, _MT_WORDS), None))  # position 624: the next draw regenerates the state
    return [gen.getrandbits(32) for _ in range(count)]


@lru_cache(maxsize=16)
def permutations(num_perm: int, seed: int) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]:
    """The affine32 parameters ``(a, b)``, drawn exactly as datasketch 2.x draws them:
    ``gen = RandomState(seed)``, ``a = gen.randint(0, 2**31, num_perm, uint32) * 2 + 1``, then
    ``b = gen.randint(0, 2**32, num_perm, uint32)``. numpy's bounded uint32 draw masks one 32-bit
    output to the range's bit width and rejects values past it: neither range rejects any."""
    draws = np.array(_mt19937_draws(seed, 2 * num_perm), dtype=np.uint32)
    a = (draws[:num_perm] & np.uint32(0x7FFFFFFF)) * np.uint32(2) + np.uint32(1)
    b = draws[num_perm:].copy()
    a.setflags(write=False)
    b.setflags(write=False)
    return a, b


@dataclass(frozen=True)
class Sketches:
    """Signatures plus the exact shingle hashes they came from (sorted, unique, per row)."""

    signatures: SignatureMatrix
    hashes: npt.NDArray[np.uint32]
    offsets: npt.NDArray[np.int64]
    word_counts: npt.NDArray[np.int64]  # words per row, as shingles.tokens reads them (PreparedDocument.word_counts)

    def row_hashes(self, row: int) -> npt.NDArray[np.uint32]:
        return self.hashes[self.offsets[row] : self.offsets[row + 1]]

    def sizes(self) -> npt.NDArray[np.int64]:
        return np.diff(self.offsets)


def check_params(num_perm: object, seed: object, backend: object) -> None:
    """Refuse a ``num_perm``, ``seed`` or ``backend`` that :func:`sketch` would not accept."""
    check_int("num_perm", num_perm, *NUM_PERM_BOUNDS)
    check_int("seed", seed, *SEED_BOUNDS)
    if backend not in BACKENDS:
        raise ConfigError(f"'backend' must be one of {', '.join(BACKENDS)}; got {backend!r}")


def _check_sequence(texts: Sequence[str]) -> None:
    if isinstance(texts, (str, bytes)):
        raise InputError("'texts' must be a sequence of str, not a single string")
    if isinstance(texts, (Mapping, Set)) or not (isinstance(texts, Iterable) and isinstance(texts, Sized)):
        # lists, tuples, pandas Series; a dict or a set has no row order to give the signatures
        raise ArgumentError(f"'texts' must be a sequence of str; got {type(texts).__name__}")


def _check_items(texts: Sequence[str]) -> None:
    """An InputError naming the first text that is not a str, if any."""
    if set(map(type, texts)) <= {str}:  # C-level scan; the loop below only names the culprit
        return
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise InputError(f"'texts'[{i}] must be a str; got {type(text).__name__}")


def _compiled(run: Callable[[], _R], texts: Sequence[str]) -> _R:
    """``run()`` of a compiled kernel, which checks no text's type up front: a pass over every
    text object before the work (20 ms for 100,000 paragraphs, whose objects are scattered in
    memory) would run alone, where the kernel's threads read each chunk's texts anyway, and joining
    them raises TypeError for any that is not a str. That is then named here."""
    try:
        return run()
    except TypeError:
        _check_items(texts)
        raise


def _positional(texts: Sequence[str]) -> Sequence[str]:
    """``texts`` as a list or tuple: the kernels slice and index them by position, which a pandas
    Series with its own index does by label."""
    return texts if isinstance(texts, (list, tuple)) else list(texts)


def _load_fast() -> ModuleType:
    from syndidetect._kernels import fast

    fast.make_kernels()
    return fast


# The compiled kernel pays off only past this many texts in a process (counted over calls, so a
# Detector fed one document at a time gets there too). Below it the numpy reference kernel (same
# bits, tested) cost about 0.3 ms a 430-character paragraph when this count was set (48 us in the
# seventy-second round, the count left as it was), so 4096 texts cost about 1.2 s of
# CPU: what importing numba and loading the kernels from its warm cache costs (1.2-1.7 s), while
# compiling them into an empty cache costs 10-15 s. A one-shot command on a few documents (the
# seeds, one article against an index) so never imports numba; a corpus compiles at once.
FAST_KERNEL_AFTER_TEXTS = 4096
# Into an empty cache the first signatures compile in 11.9 s (the kernel with its callees, a `/tmp`
# script logging numba's compile events, the seventy-second round). Numba's cache lacking them, the
# numpy kernel signs texts until it has cost that: its work is counted in its own seconds, which
# the compiled kernel spares nine tenths of (paragraphs: 48 us against 3-4 us; words: 7 us against
# 0.3 us).
_FAST = LazyKernel(_load_fast, after=FAST_KERNEL_AFTER_TEXTS, cost=CompileCost(seconds=11.9, saved=0.9))
# The numpy kernel's seconds a text and a character, fitted on 4,000 paragraphs of the benchmark
# corpus (428 characters on average, 128 permutations: 48 us each) and on 23,102 single words (the
# sentence rule's token hashes, one permutation: 7 us each; the seventy-second round): a text's
# fixed cost dominates short texts, its characters long ones.
NUMPY_TEXT_SECONDS = 6.3e-6
NUMPY_CHARACTER_SECONDS = 0.097e-6


def _numpy_seconds(texts: Sequence[str]) -> Callable[[], float]:
    """What the numpy kernel would take for ``texts`` (their sizes read only when asked)."""

    def seconds() -> float:
        try:
            characters = sum(map(len, texts))
        except TypeError:  # an item that is not a text: refused where the texts are read
            characters = 0
        return NUMPY_TEXT_SECONDS * len(texts) + NUMPY_CHARACTER_SECONDS * characters

    return seconds


def _fast_kernel(backend: str, texts: Sequence[str]) -> ModuleType | None:
    """The compiled kernel module when the backend asks for it (or when ``auto`` finds the work
    worth it, see :data:`FAST_KERNEL_AFTER_TEXTS`), else None: the numpy reference kernel."""
    return _FAST.for_backend(backend, len(texts), _numpy_seconds(texts))


def sketch(
    texts: Sequence[str],
    num_perm: int = 128,
    seed: int = 1,
    shingle_size: int = DEFAULT_SHINGLE_SIZE,
    backend: str = "auto",
) -> Sketches:
    """Signatures and exact shingle hashes of ``texts`` in one pass."""
    check_params(num_perm, seed, backend)
    check_shingle_size(shingle_size)
    _check_sequence(texts)
    texts = _positional(texts)
    a, b = permutations(num_perm, seed)
    fast = _fast_kernel(backend, texts)
    if fast is None:
        _check_items(texts)
        values, offsets, tokens = reference.shingle_hashes(texts, shingle_size)
        sigs = reference.minhash_rows(values, offsets, a, b)
        return Sketches(np.ascontiguousarray(sigs, dtype=np.uint32), values, offsets, tokens)
    values, offsets, sigs, tokens = _compiled(lambda: fast.sketch(texts, a, b, shingle_size), texts)
    return Sketches(sigs, values, offsets, tokens)


def signatures(
    texts: Sequence[str],
    num_perm: int = 128,
    seed: int = 1,
    shingle_size: int = DEFAULT_SHINGLE_SIZE,
    backend: str = "auto",
) -> SignatureMatrix:
    """MinHash signatures, a C-contiguous ``uint32`` array of shape ``(len(texts), num_perm)``.

    >>> sigs = signatures(["the cat sat on the mat", ""], num_perm=4)
    >>> sigs.shape, sigs.dtype.name, hex(int(sigs[1, 0]))
    ((2, 4), 'uint32', '0xffffffff')
    """
    check_params(num_perm, seed, backend)
    check_shingle_size(shingle_size)
    _check_sequence(texts)
    texts = _positional(texts)
    fast = _fast_kernel(backend, texts)
    if fast is None:
        return sketch(texts, num_perm, seed, shingle_size, "numpy").signatures
    a, b = permutations(num_perm, seed)
    signatures_only: Callable[..., SignatureMatrix] = fast.signatures_only
    return _compiled(lambda: signatures_only(texts, a, b, shingle_size), texts)
