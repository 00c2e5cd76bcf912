"""The C library when it is glibc, whose allocator the process tunes (``cli.allocator``) or trims
(``threads.give_back_freed_memory``); None elsewhere (musl's ``mallopt``, for one, does nothing)."""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def glibc() -> Any:
    """The loaded glibc, or None on another system or C library."""
    if not sys.platform.startswith("linux"):
        return None
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
    except OSError:
        return None
    return libc if hasattr(libc, "gnu_get_libc_version") else None
