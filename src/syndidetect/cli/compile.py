"""``syndidetect compile``: fill numba's cache with every kernel now (``syndidetect.warmup``), for an
image or a deployment to pay the first run's compiles (about a minute) when it is built."""

from __future__ import annotations

import argparse
from typing import Any

from syndidetect._kernels.jit import uncached_kernels
from syndidetect.cli.common import EXIT_OK, working
from syndidetect.wording import counted


def register(commands: Any) -> None:
    """Add the ``compile`` command to the top-level subparsers ``commands``."""
    command = commands.add_parser(
        "compile", help="compile the fast kernels into numba's cache now (for an image or a fresh install)",
        description="Compile every fast kernel into numba's cache now, so that later runs load them instead of "
                    "compiling them in the middle of their work (about a minute after an install). numba keys "
                    "its cache by the CPU: run this on the kind of machine that will run syndidetect. "
                    "NUMBA_CACHE_DIR chooses where the cache goes.")
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from syndidetect.warmup import compile_kernels  # here: its imports (tempfile...) are no part of a scan

    # The display's own note says when numba compiles (about a minute on a fresh install).
    with working("loading the fast kernels from numba's cache"):
        done = compile_kernels()
    uncached = uncached_kernels()
    if uncached:
        print(f"numba found no writable place for its cache here: {counted(len(uncached), 'kernel')} will compile "
              "again in each process (set NUMBA_CACHE_DIR to a writable folder)")
    elif done.compiles:
        them = "it" if done.compiles == 1 else "them"
        print(f"compiled {counted(done.compiles, 'kernel')} in {done.seconds:.1f} s; later runs load {them} from "
              "numba's cache")
    else:
        print(f"nothing to compile: numba's cache holds every kernel (checked in {done.seconds:.1f} s)")
    return EXIT_OK
