"""Tokens of text past ASCII from its code points, in compiled code: where each starts and ends, the
text with its tokens spaced apart, and each one's word hash.

:func:`syndidetect.token_scan.scan` finds them with numpy over the code points' classes
(:func:`syndidetect.unicode_tables.char_classes`), a dozen passes over arrays of the text's length
(about 34 ns a character of a batch of Cyrillic sentences), and word streams hashed one Python
string a token (:func:`syndidetect.wordstream.word_hashes`: 0.6 ms a 20-paragraph document with
the tokens found). One pass here finds the tokens and writes the spaced text, another hashes them.
The numpy paths stay the references the tests hold these to, and are taken until the kernels are
compiled (:data:`POINT_TOKENS`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from syndidetect._kernels.jit import compile_cached
from syndidetect._kernels.lazy import LazyKernel
from syndidetect.token_scan import TokenScan, scan
from syndidetect.unicode_tables import CHAINED, CLUSTER, MARK, WORD, char_classes
from syndidetect.wordstream import FNV_OFFSET, FNV_PRIME, HASHED_CHARS

_Spans = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.uint64]]
_SPACE = 32


def _point_tokens(points: Any, classes: Any, keep_nul: bool, starts: Any, ends: Any,
                  spaced: Any) -> tuple[int, int]:  # pragma: no cover - compiled
    """Fill ``starts`` and ``ends`` with the tokens of normalised code points ``points``, and, when
    ``spaced`` has room (twice the points), with the points, a space for each that is no token's
    (but a NUL with ``keep_nul``) and one before each token that touches the one before it. Returns
    how many tokens and spaced points there are; ``(-1, 0)`` when a point is a letter to chain.

    The token rule is :func:`~syndidetect.token_scan.scan`'s (``word+|cluster mark*``): a token is a
    run of WORD or CLUSTER characters, and another starts inside one at a CLUSTER character, and at
    a character that is no mark after a CLUSTER character and its marks. Whether the last character
    that is no mark was a CLUSTER one is carried along the text (a mark before any other character
    has none)."""
    write = spaced.shape[0] > 0
    size = points.shape[0]
    count = 0
    written = 0
    previous = False  # the character before is a token's
    after_cluster = False  # the last character that is no mark, up to the one before, is a CLUSTER one
    for i in range(size):
        point = points[i]
        kind = classes[point]
        if kind & CHAINED:
            return -1, 0
        inside = (kind & (WORD | CLUSTER)) != 0
        cluster = (kind & CLUSTER) != 0
        here_after_cluster = after_cluster if (kind & MARK) != 0 else cluster
        if inside:
            if not previous:
                starts[count] = i
                count += 1
            elif cluster or (after_cluster and not here_after_cluster):
                ends[count - 1] = i
                starts[count] = i
                count += 1
                if write:
                    spaced[written] = _SPACE
                    written += 1
        elif previous:
            ends[count - 1] = i
        if write:
            spaced[written] = point if inside or (keep_nul and point == 0) else _SPACE
            written += 1
        previous = inside
        after_cluster = here_after_cluster
    if previous:
        ends[count - 1] = size
    return count, written


def _point_hashes(points: Any, starts: Any, ends: Any, powers: Any, offset: Any, prime: Any,
                  hashes: Any) -> None:  # pragma: no cover - compiled
    """Fill ``hashes`` with the FNV-1a hash of each token ``points[starts[k]:ends[k]]``, as
    :func:`~syndidetect.wordstream.word_hashes` hashes it: over its first ``hashed`` code points,
    zeros for those a shorter word lacks, then over its length. ``powers[k]`` is ``prime ** k``
    (``hashed + 1`` of them): ``k`` zeros of padding hashed in one product."""
    hashed = powers.shape[0] - 1
    for k in range(starts.shape[0]):
        start = starts[k]
        length = ends[k] - start
        h = offset
        read = min(length, hashed)
        for p in range(read):
            h = (h ^ np.uint64(points[start + p])) * prime
        h = h * powers[hashed - read]
        hashes[k] = (h ^ np.uint64(length)) * prime


def _build() -> tuple[Callable[..., tuple[int, int]], Callable[..., None]]:
    return compile_cached(_point_tokens, nogil=True), compile_cached(_point_hashes, nogil=True)


#: ``FNV_PRIME ** k`` for ``k`` up to ``HASHED_CHARS``, wrapping mod 2**64 as the kernel's products do.
_PADDING_POWERS = np.cumprod(np.array([1] + [FNV_PRIME] * HASHED_CHARS, dtype=np.uint64))

# Texts before compiling, as for the English word kernel (``words.WORDS``): a 20-paragraph
# document's stream saves about 0.6 ms.
POINT_TOKENS = LazyKernel(_build, after=32)


def _tokens(points: npt.NDArray[np.uint32], keep_nul: bool, spaced: npt.NDArray[np.uint32],
            kernel: Callable[..., tuple[int, int]]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], int, int]:
    room = len(points) + 1  # a CLUSTER character a token: as many tokens as characters
    starts = np.empty(room, dtype=np.int64)
    ends = np.empty_like(starts)
    count, written = kernel(points, char_classes(), keep_nul, starts, ends, spaced)
    return starts, ends, count, written


def point_words(points: npt.NDArray[np.uint32], texts: int = 1) -> _Spans | None:
    """``(starts, ends, hashes)`` of the tokens of folded code points (texts that
    :func:`~syndidetect.wordstream.folded_in_place` folded, joined by spaces), as word streams find
    and hash them; None while the kernels are not compiled (``texts``: how many texts the points
    hold, counted towards compiling them) or when a point is a letter to chain (a folded text has
    none). One thread reads them all: the Python it replaces cost a hundred times as much. The
    tokens are views of buffers sized for the most tokens the points could hold."""
    kernels = POINT_TOKENS.get(texts)
    if kernels is None:
        return None
    find, hash_tokens = kernels
    starts, ends, count, _ = _tokens(points, False, np.zeros(0, dtype=np.uint32), find)
    if count < 0:
        return None
    hashes = np.empty(count, dtype=np.uint64)
    hash_tokens(points, starts[:count], ends[:count], _PADDING_POWERS, FNV_OFFSET, FNV_PRIME, hashes)
    return starts[:count], ends[:count], hashes


def scan_points(normalised: str, keep_nul: bool = False, texts: int = 1) -> TokenScan | None:
    """:func:`syndidetect.token_scan.scan` of ``normalised``, by the kernel once it is compiled
    (``texts``: how many texts ``normalised`` joins, counted towards compiling it)."""
    kernels = POINT_TOKENS.get(texts)
    if kernels is None:
        return scan(normalised, keep_nul)
    # surrogatepass: a lone surrogate (no class: a separator) survives the round trip, as in scan.
    points = np.frombuffer(normalised.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    spaced = np.empty(2 * len(points), dtype=np.uint32)
    starts, ends, count, written = _tokens(points, keep_nul, spaced, kernels[0])
    if count < 0:
        return None
    text = spaced[:written].tobytes().decode("utf-32-le", "surrogatepass")
    return TokenScan(starts[:count].copy(), ends[:count].copy(), text)
