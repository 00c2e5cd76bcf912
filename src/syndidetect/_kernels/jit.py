"""Compiling a kernel with numba's on-disk cache wherever the cache can live.

numba keeps compiled kernels next to the source (``__pycache__``) or in the user's cache folder. A
package installed read-only and run by a user without a writable home has neither, and numba then
refuses ``cache=True`` outright ("cannot cache function"). The kernels must still run, quietly: the
cache moves to a private folder in the system's temporary directory, and only when that is impossible
too are they compiled for this process alone.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

_F = TypeVar("_F", bound=Callable[..., Any])


def _private_cache_dir() -> str | None:
    """A folder only this user can write (so no one else can plant a compiled kernel in it), or None."""
    uid = os.getuid() if hasattr(os, "getuid") else 0
    path = Path(tempfile.gettempdir()) / f"syndidetect-numba-{uid}"
    try:
        path.mkdir(mode=0o700, exist_ok=True)
        info = path.lstat()
    except OSError:
        return None
    mine = stat.S_ISDIR(info.st_mode) and info.st_uid == uid and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    return str(path) if mine and os.access(path, os.W_OK) else None


def compile_cached(func: _F, **options: Any) -> _F:
    """``numba.njit(cache=True, **options)(func)``, with the cache moved (or dropped) when numba finds
    no writable place for it."""
    import numba

    try:
        compiled: _F = numba.njit(cache=True, **options)(func)
        return compiled
    except RuntimeError as exc:
        if "cannot cache" not in str(exc):
            raise
    private = _private_cache_dir()
    config: Any = numba.config  # its settings are set at import, so numba's stubs do not name them
    if private is not None and private != config.CACHE_DIR:
        config.CACHE_DIR = private  # read by numba's user-provided cache locator at each njit
        try:
            compiled = numba.njit(cache=True, **options)(func)
            return compiled
        except RuntimeError as exc:
            if "cannot cache" not in str(exc):
                raise
    compiled = numba.njit(cache=False, **options)(func)
    return compiled
