"""Our signatures as datasketch objects and back: use datasketch's LSH, LSH Forest, LSH Ensemble
and Redis/Cassandra storage with signatures made here (they are datasketch ``affine32`` values)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from syndidetect._types import SignatureMatrix
from syndidetect.config import SEED_BOUNDS, check_int
from syndidetect.errors import InputError, MissingDependencyError

_SCHEME = "affine32"


def _datasketch() -> Any:
    try:
        import datasketch
    except ImportError:  # pragma: no cover - datasketch is a core dependency
        raise MissingDependencyError("datasketch", None) from None
    return datasketch


def to_datasketch(signatures: SignatureMatrix, seed: int = 1) -> list[Any]:
    """One ``datasketch.LeanMinHash`` per row of ``signatures`` (made with ``seed``).

    >>> import syndidetect as sd
    >>> lean = sd.to_datasketch(sd.signatures(["the cat sat on the mat"], num_perm=16))
    >>> lean[0].scheme, len(lean[0].hashvalues)
    ('affine32', 16)
    """
    matrix = np.asarray(signatures)
    if matrix.ndim != 2 or matrix.dtype != np.uint32:
        raise InputError(f"'signatures' must be a 2-d uint32 array; got {matrix.dtype} with shape {matrix.shape}")
    check_int("seed", seed, *SEED_BOUNDS)
    lean = _datasketch().LeanMinHash
    return [lean(seed=seed, hashvalues=row, scheme=_SCHEME) for row in matrix]


def from_datasketch(minhashes: Iterable[Any]) -> SignatureMatrix:
    """The ``(n, num_perm)`` uint32 matrix of datasketch MinHash or LeanMinHash objects
    (``affine32`` scheme, one ``num_perm``)."""
    items: Sequence[Any] = list(minhashes)
    for i, m in enumerate(items):
        if getattr(m, "scheme", None) != _SCHEME:
            raise InputError(f"minhashes[{i}] must use the {_SCHEME!r} scheme; got {getattr(m, 'scheme', None)!r}")
    widths = {len(m.hashvalues) for m in items}
    if len(widths) > 1:
        raise InputError(f"minhashes must all have the same num_perm; got {sorted(widths)}")
    if not items:
        return np.zeros((0, 0), dtype=np.uint32)
    return np.ascontiguousarray(np.stack([np.asarray(m.hashvalues, dtype=np.uint32) for m in items]))
