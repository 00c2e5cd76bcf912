"""Dask and pandas, imported on first use: without the ``dask`` extra only calling the Dask path fails."""

from __future__ import annotations

import importlib
from typing import Any

from syndidetect.errors import MissingDependencyError

# Modules a worker imports before it connects to the scheduler (a Dask worker "preload"), not on
# its first task: a task's message unpickled on the worker's event loop while its task thread
# imports the same package raced in CPython's import machinery. A worker the nanny restarted during a
# run died of it in CI ("KeyError: 'dask.dataframe'" from _find_and_load_unlocked while unpickling),
# leaving one worker of two. Every task needs them, so a worker pays nothing more.
WORKER_PRELOAD = ("dask.dataframe", "syndidetect.distributed.pipeline")


def dask_modules() -> tuple[Any, Any, Any]:
    """``(dask, dask.dataframe, pandas)``, or the pip command to run when the extra is missing."""
    try:
        import dask
        import dask.dataframe as dd
        import distributed  # noqa: F401  (the scheduler the CLI and the tests run on)

        pd = importlib.import_module("pandas")  # a dask dependency; imported by name as it has no stubs
    except ImportError:
        raise MissingDependencyError("dask", "dask") from None
    return dask, dd, pd


def require_dask() -> None:
    """Raise :class:`~syndidetect.errors.MissingDependencyError` (with the pip command) without the extra."""
    dask_modules()
