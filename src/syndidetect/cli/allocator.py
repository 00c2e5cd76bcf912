"""The C allocator of a one-shot command that writes a large index: freed memory kept for reuse.

glibc's ``malloc`` serves every block above 32 MB (its ``mmap`` threshold, at most that on 64-bit
systems) with a fresh ``mmap`` and unmaps it when freed. The kernel must clear every fresh page
before the process sees it, so each such array (numpy's sorts and merges of postings, a batch's
encoded rows) costs that clearing again, however often one of the same size was freed just before:
``perf`` put the kernel's page clearing (``clear_page_erms``) at 15 % of the CPU samples of an
``index add`` of 1M paragraphs. Without ``mmap`` (``M_MMAP_MAX`` 0) large blocks come from the heap
like small ones, and a trim threshold of 2 GiB keeps freed heap memory in the process, where the
next array reuses it without a fault: measured in the benchmarks' README. ``scan`` keeps glibc's
defaults: there the same setting cost 0.5 GB more at the peak of 1M paragraphs.
"""

from __future__ import annotations

import ctypes

from syndidetect._kernels.glibc import glibc

# mallopt's parameters, from glibc's <malloc.h>.
_M_TRIM_THRESHOLD = -1
_M_MMAP_MAX = -4
# Bytes of free memory at the heap's top before glibc gives it back: the largest int mallopt takes,
# 2 GiB less a byte, at least the size of the largest arrays an add frees.
_KEEP_FREED_BYTES = 2**31 - 1


def keep_freed_memory() -> bool:
    """Ask glibc to serve large blocks from its heap and keep what is freed; False where the C
    library is not glibc (nothing is changed there)."""
    libc = glibc()
    if libc is None:
        return False
    mallopt = libc.mallopt
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_MAX, 0)) and bool(mallopt(_M_TRIM_THRESHOLD, _KEEP_FREED_BYTES))
