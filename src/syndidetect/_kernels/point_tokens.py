"""Tokens of text past ASCII from its code points, in compiled code: the code points case-folded,
where each token starts and ends, the text with its tokens spaced apart, and each one's word hash.

:func:`syndidetect.token_scan.scan` finds them with numpy over the code points' classes
(:func:`syndidetect.unicode_tables.char_classes`), a dozen passes over arrays of the text's length
(about 34 ns a character of a batch of Cyrillic sentences), and word streams hashed one Python
string a token (:func:`syndidetect.wordstream.word_hashes`: 0.6 ms a 20-paragraph document with
the tokens found). One pass here finds the tokens and writes the spaced text, another hashes them.
Case folding (``str.casefold``: 8 ns a character of Cyrillic) is done on the way, by a table of
what each code point folds to (:func:`~syndidetect._kernels.lookup.fold_table`). The numpy and
Python paths stay the references the tests hold these to, and are taken until the kernels are
compiled (:data:`POINT_TOKENS`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from syndidetect._kernels.jit import compile_cached
from syndidetect._kernels.lazy import CompileCost, LazyKernel
from syndidetect._kernels.lookup import CHAINED_BIT, IGNORED_BIT, fold_table, kernel_tables
from syndidetect.text import code_points
from syndidetect.token_scan import TokenScan, scan
from syndidetect.unicode_tables import CHAINED, CLUSTER, MARK, WORD, case_foldings, char_classes
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


def _fold_points(points: Any, folds: Any, fold_starts: Any, fold_cps: Any, out: Any) -> int:  # pragma: no cover
    """Write ``points`` case-folded into ``out`` (room for the longest folding for each) and return
    how many there are. ``folds`` (:func:`~syndidetect._kernels.lookup.fold_table`): what each code point
    below its length folds to, or ``-1 - k`` for the ``k``-th folding of several code points
    (``fold_cps[fold_starts[k]:fold_starts[k + 1]]``); the others fold to themselves."""
    written = 0
    size = folds.shape[0]
    for i in range(points.shape[0]):
        point = np.int64(points[i])
        folded = folds[point] if point < size else point
        if folded >= 0:
            out[written] = folded
            written += 1
        else:
            k = -1 - folded
            for q in range(fold_starts[k], fold_starts[k + 1]):
                out[written] = fold_cps[q]
                written += 1
    return written


def _fold_in_place(points: Any, flags: Any, folds: Any, ends: Any, moved: Any,
                   out: Any) -> None:  # pragma: no cover - compiled
    """Write ``points`` case-folded into ``out``, a code point each (``folds`` as in
    :func:`_fold_points`), where the points join texts ending at ``ends`` (ascending; one
    separator after each): a text holding a code point that folds to several, an ignorable one or a
    letter to chain (``flags``, the tokeniser's table) is ``moved`` (its characters would not keep
    their places, or it takes the general path), its code points then copied as they are but for
    those two kinds, spaces."""
    text = 0
    last = ends.shape[0] - 1
    size = folds.shape[0]
    for i in range(points.shape[0]):
        while text < last and i > ends[text]:  # the separator after a text is the text's own
            text += 1
        point = np.int64(points[i])
        if flags[point] & (IGNORED_BIT | CHAINED_BIT):
            moved[text] = True
            out[i] = _SPACE  # a moved text's tokens are not read; no letter to chain reaches the tokens
            continue
        folded = folds[point] if point < size else point
        if folded >= 0:
            out[i] = folded
        else:
            moved[text] = True
            out[i] = point


class _Kernels(NamedTuple):
    tokens: Callable[..., tuple[int, int]]
    hashes: Callable[..., None]
    fold: Callable[..., int]
    fold_in_place: Callable[..., None]


def _build() -> _Kernels:
    return _Kernels(compile_cached(_point_tokens, nogil=True), compile_cached(_point_hashes, nogil=True),
                    compile_cached(_fold_points, nogil=True), compile_cached(_fold_in_place, nogil=True))


#: ``FNV_PRIME ** k`` for ``k`` up to ``HASHED_CHARS``, wrapping mod 2**64 as the kernel's products do.
_PADDING_POWERS = np.cumprod(np.array([1] + [FNV_PRIME] * HASHED_CHARS, dtype=np.uint64))

# Texts before compiling, as for the English word kernel (``words.WORDS``): a 20-paragraph
# document's stream saves about 0.6 ms.
# Into an empty cache: 0.95 s (its four kernels) to compile (a `/tmp` script logging numba's compile events, one
# process, the seventy-second round); numba's cache lacking it, it waits for the work that repays that.
POINT_TOKENS = LazyKernel(_build, after=32, cost=CompileCost(seconds=0.95, saved=0.6e-3))


def _tokens(points: npt.NDArray[np.uint32], keep_nul: bool, spaced: npt.NDArray[np.uint32],
            kernel: Callable[..., tuple[int, int]]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], int, int]:
    room = len(points) + 1  # a CLUSTER character a token: as many tokens as characters
    starts = np.empty(room, dtype=np.int64)
    ends = np.empty_like(starts)
    count, written = kernel(points, char_classes(), keep_nul, starts, ends, spaced)
    return starts, ends, count, written


def words_in_place(texts: Sequence[str]) -> tuple[_Spans, npt.NDArray[np.bool_]] | None:
    """``(starts, ends, hashes)`` of the tokens of ``texts`` joined by spaces, case-folded, as word
    streams find and hash them, and which texts folding moves (a character folded to several, an
    ignorable character or a letter to chain: their tokens are not theirs, and they take the general
    path); None while the kernels are not compiled (``len(texts)`` counted towards compiling them).
    For texts without ``&`` in NFKC (as :func:`~syndidetect.wordstream.folded_in_place` asks); one
    thread reads them all (folding and finding the tokens of 8.6M characters of Cyrillic: 1.4 and
    3.2 ns a character). The tokens are views of buffers sized for the most tokens the text could
    hold."""
    kernels = POINT_TOKENS.get(len(texts))
    if kernels is None:
        return None
    points = code_points(" ".join(texts))
    ends = np.cumsum([len(text) + 1 for text in texts], dtype=np.int64) - 1  # each text's separator
    moved = np.zeros(len(texts), dtype=np.bool_)
    folded = np.empty_like(points)
    kernels.fold_in_place(points, kernel_tables()[1], fold_table(), ends, moved, folded)
    starts, stops, count, _ = _tokens(folded, False, np.zeros(0, dtype=np.uint32), kernels.tokens)
    hashes = np.empty(count, dtype=np.uint64)  # no letter to chain once folded in place: count >= 0
    kernels.hashes(folded, starts[:count], stops[:count], _PADDING_POWERS, FNV_OFFSET, FNV_PRIME, hashes)
    return (starts[:count], stops[:count], hashes), moved


def scan_points(normalised: str, keep_nul: bool = False, texts: int = 1, *, fold: bool = False) -> TokenScan | None:
    """:func:`syndidetect.token_scan.scan` of ``normalised`` (``fold``: of ``normalised.casefold()``,
    for text in NFKC not yet folded), by the kernels once they are compiled (``texts``: how many
    texts ``normalised`` joins, counted towards compiling them)."""
    kernels = POINT_TOKENS.get(texts)
    if kernels is None:
        return scan(normalised.casefold() if fold else normalised, keep_nul)
    points = code_points(normalised)  # a lone surrogate: no class, a separator, as in scan
    if fold:
        _, fold_starts, fold_cps = case_foldings()
        longest = int(np.diff(fold_starts).max(initial=1))  # code points a folding gives: 3 at most
        folded = np.empty(longest * len(points), dtype=np.uint32)
        points = folded[: kernels.fold(points, fold_table(), fold_starts, fold_cps, folded)]
    spaced = np.empty(2 * len(points), dtype=np.uint32)
    starts, ends, count, written = _tokens(points, keep_nul, spaced, kernels.tokens)
    if count < 0:
        return None
    text = spaced[:written].tobytes().decode("utf-32-le", "surrogatepass")
    return TokenScan(starts[:count].copy(), ends[:count].copy(), text)

