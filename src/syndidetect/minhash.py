"""MinHash signatures of texts: the signature contract of ARCHITECTURE.md.

``signatures(texts)`` equals, row for row, datasketch 2.x ``MinHash(num_perm, seed,
hashfunc=xxhash.xxh32_intdigest)`` (scheme ``affine32``) updated with the UTF-8 bytes of
:func:`syndidetect.shingles`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence, Set, Sized
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from syndidetect._kernels import reference
from syndidetect._types import SignatureMatrix
from syndidetect.config import BACKENDS
from syndidetect.errors import ArgumentError, ConfigError, InputError
from syndidetect.shingles import DEFAULT_SHINGLE_SIZE, check_shingle_size


@lru_cache(maxsize=16)
def permutations(num_perm: int, seed: int) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]:
    """The affine32 parameters ``(a, b)``, drawn exactly as datasketch 2.x draws them."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    a.setflags(write=False)
    b.setflags(write=False)
    return a, b


@dataclass(frozen=True)
class Sketches:
    """Signatures plus the exact shingle hashes they came from (sorted, unique, per row)."""

    signatures: SignatureMatrix
    hashes: npt.NDArray[np.uint32]
    offsets: npt.NDArray[np.int64]
    tokens: npt.NDArray[np.int64]  # words (tokens) per row

    def row_hashes(self, row: int) -> npt.NDArray[np.uint32]:
        return self.hashes[self.offsets[row] : self.offsets[row + 1]]

    def sizes(self) -> npt.NDArray[np.int64]:
        return np.diff(self.offsets)


def _check_params(num_perm: object, seed: object, backend: object) -> None:
    if isinstance(num_perm, bool) or not isinstance(num_perm, int) or not 1 <= num_perm <= 4096:
        raise ConfigError(f"'num_perm' must be an int in [1, 4096]; got {num_perm!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise ConfigError(f"'seed' must be an int in [0, 2**32 - 1]; got {seed!r}")
    if backend not in BACKENDS:
        raise ConfigError(f"'backend' must be one of {', '.join(BACKENDS)}; got {backend!r}")


def _check_texts(texts: Sequence[str]) -> None:
    if isinstance(texts, (str, bytes)):
        raise InputError("'texts' must be a sequence of str, not a single string")
    if isinstance(texts, (Mapping, Set)) or not (isinstance(texts, Iterable) and isinstance(texts, Sized)):
        # lists, tuples, pandas Series; a dict or a set has no row order to give the signatures
        raise ArgumentError(f"'texts' must be a sequence of str; got {type(texts).__name__}")
    if set(map(type, texts)) <= {str}:  # C-level scan; the loop below only names the culprit
        return
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise InputError(f"'texts'[{i}] must be a str; got {type(text).__name__}")


def _fast_kernel(backend: str) -> object | None:
    """The numba kernel module when the backend asks for it (or may use it), else None."""
    if backend == "numpy":
        return None
    try:
        from syndidetect._kernels import fast
    except ImportError:
        if backend == "numba":
            from syndidetect.errors import MissingDependencyError

            raise MissingDependencyError("numba", "fast") from None
        return None
    return fast


def sketch(
    texts: Sequence[str],
    num_perm: int = 128,
    seed: int = 1,
    shingle_size: int = DEFAULT_SHINGLE_SIZE,
    backend: str = "auto",
) -> Sketches:
    """Signatures and exact shingle hashes of ``texts`` in one pass."""
    _check_params(num_perm, seed, backend)
    check_shingle_size(shingle_size)
    _check_texts(texts)
    a, b = permutations(num_perm, seed)
    fast = _fast_kernel(backend)
    if fast is None:
        values, offsets, tokens = reference.shingle_hashes(texts, shingle_size)
        sigs = reference.minhash_rows(values, offsets, a, b)
        return Sketches(np.ascontiguousarray(sigs, dtype=np.uint32), values, offsets, tokens)
    return _chunked(fast, texts, a, b, shingle_size)


# The fast kernel's scratch space is four bytes per byte of text: sketching in chunks bounds it.
_CHUNK_TEXTS = 65536


def _chunked(fast: Any, texts: Sequence[str], a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32],
             shingle_size: int) -> Sketches:
    sigs = np.empty((len(texts), len(a)), dtype=np.uint32)
    tokens = np.empty(len(texts), dtype=np.int64)
    values, offsets = [], [np.zeros(1, dtype=np.int64)]
    total = 0
    for start in range(0, len(texts), _CHUNK_TEXTS):
        part = texts[start : start + _CHUNK_TEXTS]
        v, o, s, t = fast.sketch(part, a, b, shingle_size)
        sigs[start : start + len(part)], tokens[start : start + len(part)] = s, t
        values.append(v)
        offsets.append(o[1:] + total)
        total += len(v)
    hashes = np.concatenate(values) if values else np.zeros(0, dtype=np.uint32)
    return Sketches(sigs, hashes, np.concatenate(offsets), tokens)


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
    _check_params(num_perm, seed, backend)
    fast = _fast_kernel(backend)
    if fast is None:
        return sketch(texts, num_perm, seed, shingle_size, backend).signatures
    check_shingle_size(shingle_size)
    _check_texts(texts)
    a, b = permutations(num_perm, seed)
    return fast.signatures_only(texts, a, b, shingle_size)  # type: ignore[attr-defined,no-any-return]
