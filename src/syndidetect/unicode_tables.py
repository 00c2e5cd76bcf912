"""Per-code-point Unicode tables of the tokeniser, read from a data file built from ``unicodedata``.

Three tables decide how text becomes tokens, both in :mod:`syndidetect.shingles` (regular
expressions) and in the compiled kernel (lookups on UTF-8 bytes):

* :func:`char_classes`: the :data:`WORD`, :data:`MARK`, :data:`CLUSTER`, :data:`CHAINED` and
  :data:`IGNORED` flags of every code point;
* :func:`case_foldings`: what ``str.casefold`` makes of each code point it changes;
* :func:`nfkc_unstable`: the code points NFKC may change a text holding them.

Computing them scans all 1.1 million code points through ``unicodedata`` (about 0.2 s of CPU, the
largest part of a one-shot command's start-up), so they ship precomputed in
``data/unicode_tables.bin`` (written by :func:`write_data_file`: ``python -c "import
syndidetect.unicode_tables as t; t.write_data_file()"``; checked against ``unicodedata`` by
``tests/test_shingles.py``). The file is keyed to the running Python's
``unicodedata.unidata_version`` and to the ranges below: under another Unicode version (a newer or
older Python) or after a change of the ranges, the key differs and the tables are computed as
before, so tokens never depend on a stale file.
"""

from __future__ import annotations

import json
import unicodedata
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from syndidetect.array_buffers import join_arrays, split_arrays
from syndidetect.text import IGNORABLE_RANGES

# Code points past these planes are unassigned or private use, except tag and variation characters.
SCANNED_RANGES = ((0, 0x40000), (0xE0000, 0xE1000))
CODE_POINTS = 0x110000  # every table has one entry per code point, U+0000..U+10FFFF

# Bit flags of :func:`char_classes`. A code point with none of them separates tokens.
WORD = 1  # letter, number or mark of a script written with spaces: runs of them are tokens
MARK = 2  # combining mark (category M*), also WORD: it continues the token before it, whatever its kind
CLUSTER = 4  # letter of a script written without spaces: starts a token (with the marks after it)
IGNORED = 8  # default ignorable (syndidetect.text.IGNORABLE_RANGES): deleted before tokenising
CHAINED = 16  # a CLUSTER of CHAINED_RANGES: the token goes on with the next one unless cuts() says

# Scripts written without spaces between words, as Unicode's line-break classes ID and CJ (Han,
# kana, Bopomofo, Yi, Tangut, Nushu, Khitan) and SA (South East Asian) name them; first and last
# code point of each range. Only their letters and non-decimal numbers are CLUSTER: marks attach,
# decimal digits (Thai ๒๕๖๗) stay runs like 2567, symbols and punctuation separate. Why one
# character is one token: see :mod:`syndidetect.shingles`.
IDEOGRAPHIC_RANGES = (
    (0x3005, 0x3007),  # ideographic iteration mark, closing mark, number zero
    (0x3021, 0x3029),  # Hangzhou numerals
    (0x3031, 0x3035),  # kana repeat marks
    (0x3038, 0x303C),  # Hangzhou numerals ten to thirty, iteration marks
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3100, 0x312F),  # Bopomofo
    (0x31A0, 0x31BF),  # Bopomofo Extended
    (0x31F0, 0x31FF),  # Katakana Phonetic Extensions
    (0x3400, 0x4DBF),  # CJK Unified Ideographs Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xA000, 0xA4CF),  # Yi
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
    (0xFF66, 0xFF9F),  # halfwidth Katakana
    (0x16FE0, 0x18D7F),  # ideographic symbols, Tangut, Khitan
    (0x1AFF0, 0x1B2FF),  # Kana Extended-B, Kana Supplement, Kana Extended-A, Small Kana, Nushu
    (0x20000, 0x3FFFF),  # CJK Unified Ideographs Extensions B to H, Compatibility Supplement
)
# South East Asian scripts, whose runs of letters :func:`cuts` chains into word-sized tokens (why:
# see :mod:`syndidetect.shingles`).
CHAINED_RANGES = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x1950, 0x19DF),  # Tai Le, New Tai Lue
    (0x1A20, 0x1AAF),  # Tai Tham
    (0xA9E0, 0xA9FF),  # Myanmar Extended-B
    (0xAA60, 0xAADF),  # Myanmar Extended-A, Tai Viet
    (0x11700, 0x1174F),  # Ahom
)
# One cut in this many pairs of letters on average: Thai words average about four letters (vowel
# signs and tone marks not counted).
CHAIN_CUT_ODDS = 4
CUT_HASH = 0x9E3779B1  # Knuth's multiplicative hash constant (2**32 / golden ratio): cuts() hashes with it
CUT_BELOW = (1 << 32) // CHAIN_CUT_ODDS  # cuts() cuts where the 32-bit hash falls below this

DATA_FILE = Path(__file__).with_name("data") / "unicode_tables.bin"


def cuts(previous: int, letter: int) -> bool:
    """Whether a run of CHAINED letters is cut between code points ``previous`` and ``letter``: a
    32-bit multiplicative hash of the pair falls in the lowest ``1 / CHAIN_CUT_ODDS`` of its range.

    >>> cuts(ord("ก"), ord("า")), cuts(ord("า"), ord("ร"))
    (True, False)
    """
    return ((previous * 31 + letter) * CUT_HASH) & 0xFFFFFFFF < CUT_BELOW


def tables_key() -> str:
    """What the tables depend on: the Unicode version of ``unicodedata`` and the ranges above."""
    ranges = repr((SCANNED_RANGES, IDEOGRAPHIC_RANGES, CHAINED_RANGES, IGNORABLE_RANGES)).encode("ascii")
    # crc32 detects an edit of the ranges (not an attack); hashlib would cost every process 8 ms.
    return f"unicode {unicodedata.unidata_version}; ranges {zlib.crc32(ranges):08x}"


# --- computing the tables from unicodedata --------------------------------------------------------


def _every_code_point() -> str:
    """``chr(0) ... chr(0x10FFFF)`` in one string (surrogates included)."""
    return np.arange(CODE_POINTS, dtype=np.uint32).tobytes().decode("utf-32-le", "surrogatepass")


def compute_char_classes() -> npt.NDArray[np.uint8]:
    """:func:`char_classes` from ``unicodedata`` (about 0.1 s)."""
    table = np.zeros(CODE_POINTS, dtype=np.uint8)
    decimal = np.zeros(CODE_POINTS, dtype=bool)
    for low, high in SCANNED_RANGES:
        # Two ASCII letters per code point ("Lu", "Mn", "Nd"): one C-level pass over the range.
        codes = "".join(map(unicodedata.category, map(chr, range(low, high)))).encode("ascii")
        major, minor = np.frombuffer(codes, dtype=np.uint8).reshape(-1, 2).T
        table[low:high] = np.where((major == ord("L")) | (major == ord("N")), WORD, 0)
        table[low:high][major == ord("M")] = WORD | MARK
        decimal[low:high] = (major == ord("N")) & (minor == ord("d"))
    for ranges, flags in ((IDEOGRAPHIC_RANGES, CLUSTER), (CHAINED_RANGES, CLUSTER | CHAINED)):
        for low, high in ranges:
            part = table[low : high + 1]
            part[(part == WORD) & ~decimal[low : high + 1]] = flags
    for low, high in IGNORABLE_RANGES:
        table[low : high + 1] = IGNORED
    return table


def compute_case_foldings() -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """:func:`case_foldings` from ``str.casefold``."""
    every = _every_code_point()
    keys: list[int] = []
    targets: list[str] = []
    block = 256
    for low in range(0, len(every), block):
        chunk = every[low : low + block]
        if chunk.casefold() != chunk:  # most blocks have no cased letters: one C call skips them
            for cp in range(low, low + block):
                target = every[cp].casefold()
                if target != every[cp]:
                    keys.append(cp)
                    targets.append(target)
    folded = np.array([ord(c) for f in targets for c in f], dtype=np.int64)
    starts = np.zeros(len(keys) + 1, dtype=np.int64)
    np.cumsum([len(f) for f in targets], out=starts[1:])
    return np.array(keys, dtype=np.int64), starts, folded


def compute_nfkc_unstable() -> npt.NDArray[np.bool_]:
    """:func:`nfkc_unstable` from ``unicodedata``."""
    every = _every_code_point()
    unstable = np.zeros(CODE_POINTS, dtype=bool)
    combining, normalize, is_normalized = unicodedata.combining, unicodedata.normalize, unicodedata.is_normalized
    block = 256
    for low, high in SCANNED_RANGES:
        unstable[low:high] = np.frombuffer(bytes(map(combining, every[low:high])), dtype=np.uint8) != 0
        for first in range(low, high, block):
            # One C call clears most blocks: a normalised block holds only code points that are their
            # own NFKC form, and an NFD block holds nothing that decomposes.
            chunk = every[first : first + block]
            if not is_normalized("NFKC", chunk):
                for cp in range(first, first + block):
                    if normalize("NFKC", every[cp]) != every[cp]:
                        unstable[cp] = True
            if not is_normalized("NFD", chunk):
                for cp in range(first, first + block):
                    parts = unicodedata.decomposition(every[cp]).split()
                    if parts and not parts[0].startswith("<"):  # canonical: may be composed back
                        unstable[[int(part, 16) for part in parts[1:]]] = True
    unstable[0x1161:0x1176] = True  # Hangul V jamo
    unstable[0x11A8:0x11C3] = True  # Hangul T jamo
    return unstable


def compute_all() -> dict[str, npt.NDArray[Any]]:
    """Every table, as the data file stores them (the NFKC flags packed to bits)."""
    keys, starts, folded = compute_case_foldings()
    return {
        "classes": compute_char_classes(),
        "fold_keys": keys,
        "fold_starts": starts,
        "fold_cps": folded,
        "unstable_bits": np.packbits(compute_nfkc_unstable()),
    }


# The data file: one line of JSON (the key, and each array's name, dtype and length), then the
# arrays' bytes one after the other, zlib-compressed (about 15 kB: long runs of one class). Not
# numpy's .npz: reading one imports zipfile, and with it shutil and lzma (10 ms a process).


def write_data_file(path: Path = DATA_FILE, tables: dict[str, npt.NDArray[Any]] | None = None,
                    key: str | None = None) -> None:
    """Store the tables (default: :func:`compute_all`) under ``key`` (default: :func:`tables_key`)
    for :func:`read_data_file`."""
    tables = compute_all() if tables is None else tables
    layout, data = join_arrays(list(tables.values()))
    arrays = [[name, dtype, length] for name, (dtype, length) in zip(tables, layout)]
    header = {"key": tables_key() if key is None else key, "arrays": arrays}
    body = zlib.compress(data, 9)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(json.dumps(header).encode("ascii") + b"\n" + body)


def read_data_file(path: Path = DATA_FILE) -> tuple[str, dict[str, npt.NDArray[Any]]]:
    """``(key, tables)`` of a file :func:`write_data_file` wrote."""
    head, _, body = path.read_bytes().partition(b"\n")
    header = json.loads(head)
    data = zlib.decompress(body)
    try:
        arrays = split_arrays(((dtype, length) for _, dtype, length in header["arrays"]), data)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None
    return str(header["key"]), {name: a for (name, _, _), a in zip(header["arrays"], arrays)}


# --- reading them ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _stored() -> dict[str, npt.NDArray[Any]] | None:
    """The data file's tables when it holds this Python's tables (same key), else None."""
    try:
        key, tables = read_data_file(DATA_FILE)
    except (OSError, KeyError, TypeError, ValueError, zlib.error):  # missing or damaged: compute instead
        return None
    return tables if key == tables_key() else None


@lru_cache(maxsize=1)
def char_classes() -> npt.NDArray[np.uint8]:
    """``table[cp]``: the :data:`WORD`, :data:`MARK`, :data:`CLUSTER`, :data:`CHAINED` and
    :data:`IGNORED` flags of code point ``cp``."""
    stored = _stored()
    table = compute_char_classes() if stored is None else stored["classes"].astype(np.uint8)
    table.setflags(write=False)
    return table


@lru_cache(maxsize=1)
def class_runs() -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8]]:
    """``(starts, flags)``: :func:`char_classes` as runs; code points ``starts[i]`` to
    ``starts[i + 1] - 1`` all have ``flags[i]`` (``starts`` ends with :data:`CODE_POINTS`)."""
    table = char_classes()
    changes = np.flatnonzero(table[1:] != table[:-1]) + 1
    starts = np.concatenate(([0], changes, [CODE_POINTS])).astype(np.int64)
    return starts, table[starts[:-1]]


@lru_cache(maxsize=1)
def case_foldings() -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """``(keys, starts, folded)``: the code points ``str.casefold`` changes, sorted; the folding of
    ``keys[k]`` is the code points ``folded[starts[k]:starts[k + 1]]``."""
    stored = _stored()
    if stored is None:
        return compute_case_foldings()
    return tuple(stored[name].astype(np.int64) for name in ("fold_keys", "fold_starts", "fold_cps"))  # type: ignore[return-value]


@lru_cache(maxsize=1)
def nfkc_unstable() -> npt.NDArray[np.bool_]:
    """``unstable[cp]`` unless NFKC leaves every text made only of such "stable" code points as it is.

    A code point is stable when it is its own NFKC form, its canonical combining class is 0 (so
    nothing reorders) and it is never the second part of a canonical composition (so nothing
    composes: that covers NFKC_QC=Maybe; Hangul vowel and trailing jamo compose algorithmically).
    Such a text is NFKC by the Unicode quick-check rule. Code points outside ``SCANNED_RANGES`` are
    unassigned or private use, hence stable.
    """
    stored = _stored()
    if stored is None:
        return compute_nfkc_unstable()
    bits: npt.NDArray[np.uint8] = stored["unstable_bits"]
    return np.unpackbits(bits, count=CODE_POINTS).astype(bool)

