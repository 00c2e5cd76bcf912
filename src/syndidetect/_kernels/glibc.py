"""The C library when it is glibc, and what the process asks of its allocator: that freed memory be
kept for reuse (the one-shot commands that write an index or scan a corpus), or given back (after
the sentence batches, unless it is kept). None and nothing elsewhere (musl's ``mallopt``, for one,
does nothing).

glibc's ``malloc`` serves every block above 32 MB (its ``mmap`` threshold, at most that on 64-bit
systems) with a fresh ``mmap`` and unmaps it when freed. The kernel must clear every fresh page
before the process sees it, so each such array (numpy's sorts and merges of postings, a batch's
encoded rows, the sentence LSH's band keys) costs that clearing again, however often one of the
same size was freed just before: ``perf`` put the kernel's page clearing (``clear_page_erms``) at
15 % of the CPU samples of an ``index add`` of 1M paragraphs. On a virtual machine that hands
freed pages back to its host (a balloon with free page reporting, as on the benchmarks' machine) a
page the process touches again after that costs far more: a fresh process filled a new 700 MB
array in 2.3-2.8 s, and mostly in 0.08-0.15 s when it came right after one freed. (That array was
in huge pages, which numpy asks for arrays of 4 MB or more: in small pages the fill took 0.28-0.30 s,
``python -m benchmarks.fresh_memory``, but a whole detection was no faster in small pages.) Without ``mmap``
(``M_MMAP_MAX`` 0) large blocks come from the heap like small ones, and a trim threshold of 2 GiB
keeps freed heap memory in the process, where the next array reuses it without a fault: measured
in the benchmarks' README.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from typing import Any

# mallopt's parameters, from glibc's <malloc.h>.
_M_TRIM_THRESHOLD = -1
_M_MMAP_MAX = -4
# Bytes of free memory at the heap's top before glibc gives it back: the largest int mallopt takes,
# 2 GiB less a byte, at least the size of the largest arrays an add or a scan frees.
_KEEP_FREED_BYTES = 2**31 - 1
# Whether this process asked glibc to keep freed memory (a list: set once, read by the trims).
_kept: list[bool] = []


@lru_cache(maxsize=1)
def glibc() -> Any:
    """The loaded glibc, or None on another system or C library."""
    import ctypes.util  # here: importing this module (the sentence batches do) costs no ctypes

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


def keep_freed_memory() -> bool:
    """Ask glibc to serve large blocks from its heap and keep what is freed, for the rest of the
    process: for a one-shot command, which ends soon after. False where the C library is not glibc
    (nothing is changed there)."""
    import ctypes

    libc = glibc()
    if libc is None:
        return False
    mallopt = libc.mallopt
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    kept = bool(mallopt(_M_MMAP_MAX, 0)) and bool(mallopt(_M_TRIM_THRESHOLD, _KEEP_FREED_BYTES))
    if kept:
        _kept.append(True)
    return kept


def freed_memory_kept() -> bool:
    """Whether :func:`keep_freed_memory` took effect in this process."""
    return bool(_kept)


def give_back_freed_memory() -> None:
    """Return the whole free pages inside the C heap to the system (glibc's ``malloc_trim``; nothing
    elsewhere), unless the process keeps freed memory. glibc gives each thread that allocates its
    own arena, and keeps what is freed there unless it lies at the arena's top: after the sentence
    batches of 1M paragraphs split on two threads, the process held about 200 MB more than on one
    (``benchmarks.scaling``, resident after the candidates stage). A process that keeps freed memory
    (:func:`keep_freed_memory`) would only fault those pages in again: measured in the benchmarks'
    README's forty-eighth round."""
    libc = glibc()
    if libc is not None and not freed_memory_kept():
        libc.malloc_trim(0)
