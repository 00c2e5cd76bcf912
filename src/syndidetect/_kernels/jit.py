"""Compiling kernels with numba: on first use (:class:`LazyJit`), with the on-disk cache wherever
it can live (:func:`compile_cached`); who wants to know when numba compiles is told
(:func:`watch_compiles`).

numba keeps compiled kernels next to the source (``__pycache__``) or in the user's cache folder. A
package installed read-only and run by a user without a writable home has neither, and numba then
refuses ``cache=True`` outright ("cannot cache function"). The kernels must still run, quietly: the
cache moves to a private folder in the system's temporary directory, and only when that is impossible
too are they compiled for this process alone.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import stat
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

_F = TypeVar("_F", bound=Callable[..., Any])

#: The module numba's array functions import once, when numba's compiler first loads them, only to
#: learn whether SciPy's BLAS is there: importing it brings in ``scipy.linalg``, 0.29-0.30 s of a
#: 0.65 s numba start-up here (``-X importtime``, bytecode cached). No kernel of ours calls BLAS.
_BLAS = "scipy.linalg.cython_blas"
_skip_blas_probe = [False]


def skip_blas_probe() -> None:
    """Have numba, when this process first imports it, learn that SciPy's BLAS is absent instead
    of importing it. For a process that runs only syndidetect's kernels (the command line): numba then
    computes ``np.correlate`` and ``np.convolve`` of floats with a loop instead of BLAS; ``np.dot``
    and ``np.linalg`` still import BLAS when they compile, and any later ``import scipy.linalg``
    works."""
    _skip_blas_probe[0] = True


#: LLVM's tuning feature that keeps vectorised loops in 256-bit registers on Intel's AVX-512 server
#: CPUs (LLVM's reason: those CPUs lower their clock in 512-bit code). The signature kernel's minima then do
#: eight lanes a multiply instead of sixteen: on this machine (an AVX-512 VM LLVM calls
#: ``emeraldrapids``) the minima of 5.8M hashes took 42-43 ms in 512-bit registers against 68-100 ms
#: (a ``/tmp`` script, fresh processes alternated).
_PREFER_256_BIT = "prefer-256-bit"


def _prefer_wide_vectors() -> None:
    """Let numba's compiles use 512-bit vectors on a CPU with AVX-512, unless the user configured
    numba's CPU (``NUMBA_CPU_NAME``, ``NUMBA_CPU_FEATURES``): numba's host features with
    ``-prefer-256-bit`` added. Read when numba's compiler starts, at the process's first compile
    or cache load; numba's cache keys each compiled kernel by these features, so the kernels of
    ``syndidetect compile`` are those a run loads. Elsewhere nothing changes. Called again (each
    import through :func:`imported_numba`), it finds the features set and returns; without AVX-512
    it asks LLVM for the host's features again and still changes nothing."""
    config: Any = importlib.import_module("numba.core.config")
    codegen: Any = importlib.import_module("numba.core.codegen")
    if config.CPU_NAME is not None or config.CPU_FEATURES is not None:
        return
    features: str = codegen.get_host_cpu_features()
    if "+avx512f" in features.split(","):
        config.CPU_FEATURES = f"{features},-{_PREFER_256_BIT}"


def imported_numba() -> ModuleType:
    """numba, imported (see :func:`skip_blas_probe`), with 512-bit vectors allowed on a CPU that has
    them (:func:`_prefer_wide_vectors`)."""
    if _skip_blas_probe[0] and "numba.np.arraymath" not in sys.modules and _BLAS not in sys.modules:
        sys.modules[_BLAS] = None  # type: ignore[assignment]  # import fails at once: no BLAS
        try:
            import numba.np.arraymath  # probes for BLAS once, now
        finally:
            if _BLAS in sys.modules and sys.modules[_BLAS] is None:
                del sys.modules[_BLAS]
    import numba

    _prefer_wide_vectors()
    _listen_for_compiles()
    return numba


#: Callbacks of :func:`watch_compiles`, told of each compile numba's cache could not spare.
_watchers: list[Callable[[bool], None]] = []
_listening = [False]


def watch_compiles(watcher: Callable[[bool], None]) -> Callable[[], None]:
    """Have ``watcher(True)`` called when numba starts compiling a kernel its cache does not hold
    (loading one from the cache is no compile), and ``watcher(False)`` when that compile, with the
    callees it compiles, is done; returns the function that stops it. A first run after an install
    compiles for tens of seconds (then loads in milliseconds): the command line says so rather than
    look hung. ``watcher`` runs in the compiling thread, under numba's compiler lock."""
    _watchers.append(watcher)

    def stop() -> None:
        if watcher in _watchers:
            _watchers.remove(watcher)

    return stop


def _listen_for_compiles() -> None:
    """Forward numba's ``numba:compile`` events (its event API, ``numba.core.event``) to the
    watchers, once per process. numba sends them only for a compile, never for a cache load; nested
    ones (a kernel's callees) come inside their caller's, in the one thread that holds the lock."""
    if _listening[0]:
        return
    _listening[0] = True
    try:
        event: Any = importlib.import_module("numba.core.event")
    except ImportError:  # a numba without the event API: the compiles go untold
        return
    depth = [0]

    def on_start(_self: object, _event: object) -> None:
        depth[0] += 1
        if depth[0] == 1:
            _tell(True)

    def on_end(_self: object, _event: object) -> None:
        depth[0] -= 1
        if depth[0] == 0:
            _tell(False)

    listener = type("CompileWatch", (event.Listener,), {"on_start": on_start, "on_end": on_end})
    event.register("numba:compile", listener())


def _tell(started: bool) -> None:
    for watcher in list(_watchers):
        with contextlib.suppress(Exception):  # a note about a compile must never fail the compile
            watcher(started)


def _private_cache_dir() -> str | None:
    """A folder only this user can write (so no one else can plant a compiled kernel in it), or None."""
    import tempfile  # here, not at the top: it costs every import of the package ~10 ms, used only here

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
    no writable place for it, its compiles taking turns with other processes' while
    :func:`lock_compiles` says so."""
    numba = imported_numba()

    try:
        compiled: _F = numba.njit(cache=True, **options)(func)
        return _made(_taking_turns(compiled, func))
    except RuntimeError as exc:
        if "cannot cache" not in str(exc):
            raise
    private = _private_cache_dir()
    config: Any = numba.config  # its settings are set at import, so numba's stubs do not name them
    if private is not None and private != config.CACHE_DIR:
        config.CACHE_DIR = private  # read by numba's user-provided cache locator at each njit
        try:
            compiled = numba.njit(cache=True, **options)(func)
            return _made(_taking_turns(compiled, func))
        except RuntimeError as exc:
            if "cannot cache" not in str(exc):
                raise
    _uncached.append(func.__qualname__)
    compiled = numba.njit(cache=False, **options)(func)
    return _made(compiled)


class _Recorders(threading.local):
    """The lists :func:`recording_dispatchers` fills in this thread, innermost last."""

    def __init__(self) -> None:
        self.lists: list[list[Any]] = []


_recorders = _Recorders()


def _made(dispatcher: _F) -> _F:
    for made in _recorders.lists:
        made.append(dispatcher)
    return dispatcher


@contextlib.contextmanager
def recording_dispatchers() -> Iterator[list[Any]]:
    """A list of the dispatchers :func:`compile_cached` makes in this thread until the block ends,
    for :func:`held_by_numba_cache`."""
    made: list[Any] = []
    _recorders.lists.append(made)
    try:
        yield made
    finally:
        _recorders.lists.pop()  # this block's list: the blocks nest, innermost last


def _dispatchers(kernels: list[Any]) -> list[Any]:
    """The numba dispatchers among ``kernels`` and the items of tuples among them."""
    numba = imported_numba()
    return [k for item in kernels for k in (item if isinstance(item, tuple) else (item,))
            if isinstance(k, numba.core.dispatcher.Dispatcher)]


def held_by_numba_cache(kernels: list[Any]) -> bool:
    """Whether numba's on-disk cache holds compiled code of any numba dispatcher among ``kernels``
    (and the items of tuples among them; other objects are passed over) for its source file as it
    is now and for this CPU, so that a call loads it in milliseconds instead of compiling for
    seconds. True when there is no dispatcher (nothing to compile); a dispatcher numba may not cache
    compiles in every process and is never held.

    numba has no public question for this: its cache's index file is read as numba reads it before
    a compile (``_load_index``: empty when missing, from another numba, or stamped with another
    version of the source file), and its keys' CPU part compared with this process's. If numba's
    internals are not as expected, the answer is True: the kernel is then taken as it always was."""
    found = _dispatchers(kernels)
    if not found:
        return True
    for dispatcher in found:
        index = getattr(dispatcher._cache, "_cache_file", None)  # None: numba's NullCache, no cache
        if index is None:
            continue
        try:
            overloads = index._load_index()
            cpu = dispatcher.targetctx.codegen().magic_tuple()
            if any(key[1] == cpu for key in overloads):
                return True
        except Exception:  # numba's internals moved: take the kernel as before
            return True
    return False


def numba_cache_folder(kernels: list[Any]) -> str | None:
    """The folder numba keeps the first dispatcher among ``kernels`` in that it caches on disk; None
    if there is none (or numba's internals are not as expected)."""
    for dispatcher in _dispatchers(kernels):
        folder = getattr(getattr(dispatcher._cache, "_cache_file", None), "_cache_path", None)
        if isinstance(folder, str):
            return folder
    return None


#: The folder of the kernels' lock files while :func:`lock_compiles` has this process's compiles
#: take turns with another's; None otherwise.
_lock_folder: list[str | None] = [None]


def lock_compiles(folder: str | None) -> None:
    """From now on, each kernel compiles (or loads from numba's cache) holding an exclusive lock on
    its own file in ``folder`` (None: no more locks): ``syndidetect compile`` fills the cache from
    two processes, and one waits while the other compiles a kernel both call, then loads it instead
    of compiling it again. numba's cache holds a kernel's compiled types in one index file, which
    two processes saving at once would each write without the other's entry. POSIX only (``fcntl``)."""
    _lock_folder[0] = folder


def _taking_turns(dispatcher: _F, func: Callable[..., Any]) -> _F:
    """``dispatcher`` (numba's, of ``func``), whose compiles take the kernel's lock while
    :func:`lock_compiles` asks for it. numba compiles through the dispatcher's ``compile`` attribute,
    and a kernel's callees inside their caller's compile: a process takes the locks in the order of
    the calls, which never go round in a circle, so two processes never wait for each other. The
    process's own compiler lock comes first: a thread waiting for a kernel's file lock then never
    holds a lock another of the process's compiles needs."""
    compile_now = dispatcher.compile  # type: ignore[attr-defined]
    name = f"{func.__module__}.{func.__qualname__}.lock"

    def compile_taking_turns(signature: Any) -> Any:
        folder = _lock_folder[0]
        if folder is None:
            return compile_now(signature)
        import fcntl  # here: POSIX only, asked for by syndidetect compile alone

        from numba.core.compiler_lock import global_compiler_lock

        with global_compiler_lock, open(os.path.join(folder, name), "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            return compile_now(signature)

    dispatcher.compile = compile_taking_turns  # type: ignore[attr-defined]
    return dispatcher


#: Kernels compiled for their process alone: numba found no place to write its cache.
_uncached: list[str] = []


def uncached_kernels() -> list[str]:
    """The kernels made so far that numba compiles for this process alone, having found no writable
    place for its cache (none, normally)."""
    return list(_uncached)


class LazyJit:
    """Kernels of one module compiled together on first use, so importing the module stays cheap.

    The kernels are plain Python functions marked with :meth:`mark`; :meth:`compile` imports numba
    and rebinds each marked name in the module's namespace to its numba dispatcher, in definition
    order, so a kernel resolves its callees (module globals) to dispatchers when numba compiles it.
    ``prange`` in that namespace is ``range`` until then (the marked functions still run, slowly, as
    Python: the tests call them so), and ``carray`` (``numba.carray``, a kernel's view of memory it is
    handed by pointer) is bound only then.

    The kernels that call one another must live in the one module this registry rebinds: numba's
    on-disk cache is invalidated only by a change of the file that defines a cached function, so a
    kernel calling into another module would keep a stale compiled copy of its callee after an edit.
    """

    def __init__(self, namespace: dict[str, Any]) -> None:
        self._namespace = namespace
        self._marked: list[tuple[str, bool, bool]] = []
        self._lock = threading.Lock()
        self.compiled = False
        namespace["prange"] = range

    def mark(self, parallel: bool = False, inline: bool = False) -> Callable[[_F], _F]:
        """Decorator: compile this function with the others (``parallel``: numba's ``prange``;
        ``inline``: numba inlines it into its callers, which it otherwise calls, arguments passed on
        the stack, even when it is a few instructions long)."""

        def register(func: _F) -> _F:
            self._marked.append((func.__name__, parallel, inline))
            return func

        return register

    def compile(self) -> None:
        """Compile (or load from numba's cache) every marked function, once per process."""
        if self.compiled:
            return
        with self._lock:
            if self.compiled:
                return
            numba = imported_numba()
            self._namespace["prange"] = numba.prange
            self._namespace["carray"] = numba.carray
            from syndidetect._kernels.pointers import address_pointer, prefetch  # imports numba

            self._namespace["address_pointer"] = address_pointer
            self._namespace["prefetch"] = prefetch
            for name, parallel, inline in self._marked:
                self._namespace[name] = compile_cached(
                    self._namespace[name], nogil=True, parallel=parallel, error_model="numpy",
                    **({"inline": "always"} if inline else {}),
                )
            self.compiled = True
