"""Where CPython keeps a list's items and a string's code points, so that a compiled kernel can read
a batch's texts in place, without the GIL, instead of Python joining them first.

Joining a batch (and reading its texts' lengths for the offsets) held the GIL for a sixth of each
kernel thread's time (:func:`syndidetect.signatures`, 100,000 paragraphs: 17-19 ms of 97-104 ms a
thread). The layout read here is CPython's (PEP 393 strings; a list's item array); it is checked
once, on strings of every kind, against what Python itself says of them, and
:func:`str_layout` is None on an interpreter that lays them out otherwise (PyPy, a free-threaded
build, a future change): the kernels then join the texts as before.
"""

from __future__ import annotations

import ctypes
import sys
import sysconfig
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["ASCII_BIT", "COMPACT_BIT", "KIND_MASK", "KIND_SHIFT", "LENGTH_AT", "STATE_AT", "TYPE_AT", "StrLayout",
           "item_addresses", "str_layout"]

_WORD = 8  # bytes of a pointer and of Py_ssize_t: the layout is checked on 64-bit builds only
# An object's header: its reference count, then its type; a variable-size one's item count next.
TYPE_AT = 8
LENGTH_AT = 16  # a str's length in code points (after the header)
STATE_AT = 32  # a str's state bits (after its cached hash): interned (2), kind (3), compact, ascii
_ITEMS_AT = 24  # a tuple's items, or a list's pointer to them (after the variable-size header)
#: The state bits: the kind (PEP 393: 1, 2 or 4 bytes a code point) and two flags.
KIND_SHIFT, KIND_MASK, COMPACT_BIT, ASCII_BIT = 2, 7, 1 << 5, 1 << 6


@dataclass(frozen=True)
class StrLayout:
    """What a kernel needs to read an exact ``str`` in place: the address of the ``str`` type (a
    subclass or any other object is left to Python), and where the code points of a compact ASCII
    string and of another compact string start, in bytes from the object's address."""

    str_type: int
    ascii_data: int
    compact_data: int

    def as_tuple(self) -> tuple[int, int, int]:
        return self.str_type, self.ascii_data, self.compact_data


def _read(address: int, ctype: type[ctypes.c_uint64] | type[ctypes.c_uint32]) -> int:
    return int(ctype.from_address(address).value)


def _kind_bytes(text: str, kind: int) -> bytes:
    return text.encode({1: "latin-1", 2: "utf-16-le", 4: "utf-32-le"}[kind], "surrogatepass")


def _reads_right(layout: StrLayout, text: str, kind: int) -> bool:
    """Whether ``layout`` reads ``text`` (whose kind Python's own encoders give) as Python holds it."""
    address = id(text)
    state = _read(address + STATE_AT, ctypes.c_uint32)
    ascii = bool(state & ASCII_BIT)
    data = address + (layout.ascii_data if ascii else layout.compact_data)
    return bool(
        _read(address + TYPE_AT, ctypes.c_uint64) == layout.str_type
        and _read(address + LENGTH_AT, ctypes.c_uint64) == len(text)
        and (state >> KIND_SHIFT) & KIND_MASK == kind
        and bool(state & COMPACT_BIT)
        and ascii == text.isascii()
        and ctypes.string_at(data, len(text) * kind) == _kind_bytes(text, kind)
    )


def _items_read_right(items: list[Any] | tuple[Any, ...]) -> bool:
    got: list[int] = item_addresses(items).tolist()
    return got == [id(item) for item in items]


@lru_cache(maxsize=1)
def str_layout() -> StrLayout | None:
    """The layout of this interpreter's strings and lists, or None when it is not the one checked
    (then nothing is read in place)."""
    if (
        sys.implementation.name != "cpython"
        or sysconfig.get_config_var("Py_GIL_DISABLED")
        or ctypes.sizeof(ctypes.c_void_p) != _WORD
        or sys.byteorder != "little"
    ):
        return None
    # An empty ASCII string is its header and a NUL; a one-character Latin-1 one, the longer header
    # of a non-ASCII string, its character and a NUL.
    layout = StrLayout(id(str), sys.getsizeof("") - 1, sys.getsizeof("\xe9") - 2)
    samples = [("", 1), ("plain words", 1), ("caf\xe9 cr\xe8me", 1), ("\u2019s \u0416\u0438\u0437\u043d\u044c", 2),
               ("emoji \U0001f600 \ud800", 4), ("".join(["x"] * 3) + "\u20ac", 2)]
    if not all(_reads_right(layout, text, kind) for text, kind in samples):
        return None
    texts = [text for text, _ in samples]
    if not (_items_read_right(texts) and _items_read_right(tuple(texts))):
        return None
    return layout


def item_addresses(items: list[Any] | tuple[Any, ...]) -> npt.NDArray[np.uint64]:
    """The addresses of ``items``' objects, as a view of the list's (or tuple's) own item array:
    valid while ``items`` is neither changed nor freed, so the caller passes a list no one else
    holds (a fresh slice) or a tuple."""
    if type(items) not in (list, tuple):
        raise TypeError(f"item_addresses needs a list or a tuple; got {type(items).__name__}")
    if not items:
        return np.zeros(0, dtype=np.uint64)
    first = id(items) + _ITEMS_AT if type(items) is tuple else _read(id(items) + _ITEMS_AT, ctypes.c_uint64)
    array = (ctypes.c_uint64 * len(items)).from_address(first)
    return np.frombuffer(memoryview(array), np.uint64)
