"""The ``syndidetect`` command's entry point: Ctrl-C while the command line loads exits like Ctrl-C later.

Loading :mod:`syndidetect.cli.main` (numpy, the detector, the readers) takes a few tenths of a second,
before :func:`~syndidetect.cli.main.main` can catch anything; a Ctrl-C then would print Python's
traceback. This module imports nothing heavy (the package's names load on first use), so it catches
that Ctrl-C and exits 130 with one line.

It also sets up what a one-shot process should: OpenBLAS with one thread, the objects the import
makes (numpy's, the command line's: they live as long as the process) out of the cyclic collector's
sight, and an exit that does not free, one by one, everything the command made.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys

EXIT_INTERRUPTED = 130  # as syndidetect.cli.common, which this module must not import (it is heavy)

# OpenBLAS, loaded by numpy's import, starts a thread per core unless told otherwise: about 15 ms of
# every one-shot command (median of 10 alternated `index check` runs: 0.612 -> 0.598 s). The only
# matrix product of ours (``tfidf.weighted_dot``: one document's sentences by another's, on their
# shared terms) is small, where OpenBLAS would use one thread anyway. A value the user set is kept.
BLAS_THREADS = "1"


#: The module whose exit handler keeps what the kernels' numpy paths cost (``_kernels.rent``).
_LAZY_KERNELS = "syndidetect._kernels.lazy"


def _exit_at_once(code: int) -> None:
    """End the process with ``code`` once the interpreter starts exiting, after the standard streams
    are flushed: its objects are not freed one by one, nor its modules torn down, which took 0.19-0.20
    s after an ``index add`` of 100k paragraphs (its documents, their texts, numba's compiler). Our
    files and the index are closed by then (``with`` blocks); a Dask cluster's own exit handlers are
    left to run, and the lazy kernels' is called first."""
    if "distributed" in sys.modules:
        return
    lazy = sys.modules.get(_LAZY_KERNELS)
    if lazy is not None:  # its exit handler would not run: what the numpy paths cost is kept now
        lazy.keep_what_numpy_paths_cost()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # main() already reported what stdout could not take
            pass
    os._exit(code)


def run() -> int:
    """Import the command line and run it; exit 130 with one line on Ctrl-C during the import."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", BLAS_THREADS)
    # Every full collection, the one at exit included, would walk the import's objects again; frozen,
    # they are never walked (they are freed by reference counting as before). Measured on `index
    # check` of one article against 1M paragraphs, 9 alternated runs: 0.554 -> 0.508 s (text),
    # 0.443 -> 0.403 s (JSON). The collector is off during the import, which makes only such objects.
    gc.disable()
    try:
        from syndidetect.cli.main import main
    except KeyboardInterrupt:
        if sys.stderr is not None:
            print("syndidetect: error: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        gc.freeze()
        gc.enable()
    code = main()
    # Registered last, so it runs first: after the interpreter has waited for our threads.
    atexit.register(_exit_at_once, code)
    return code
