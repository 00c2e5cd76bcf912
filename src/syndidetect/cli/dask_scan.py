"""``syndidetect scan --dask ADDRESS``: the scan on a Dask cluster, local or remote.

``local`` starts a LocalCluster with one single-threaded worker process per core, ``local:N`` with N;
``tcp://host:port`` (or ``tls://``) connects to a running scheduler, e.g. one started by dask-jobqueue
or the Dask Kubernetes operator. The report is the one the in-process scan gives.
"""

from __future__ import annotations

import importlib
import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from syndidetect.config import Config
from syndidetect.distributed import WORKER_PRELOAD, detect_dask, read_collection, require_dask
from syndidetect.errors import ConfigError, InputError
from syndidetect.report import Report

_LOCAL = re.compile(r"local(?::(\d+))?")
_REMOTE = re.compile(r"(tcp|tls)://(\[[0-9A-Fa-f:]+\]|[^\s/:\[\]]+):\d{1,5}")
_MAX_LOCAL_WORKERS = 1024
_CONNECT_TIMEOUT = "30s"
_USAGE = "'--dask' must be local, local:N (N workers, 1 to 1024) or tcp://host:port"


def parse_address(address: str) -> tuple[str, int | None]:
    """``("local", workers)`` (None: one per core) or ``(scheduler address, None)``.

    >>> parse_address("local:2"), parse_address("tcp://10.0.0.5:8786")
    (('local', 2), ('tcp://10.0.0.5:8786', None))
    """
    local = _LOCAL.fullmatch(address)
    if local:
        if local.group(1) is None:
            return "local", None
        workers = int(local.group(1))
        if 1 <= workers <= _MAX_LOCAL_WORKERS:
            return "local", workers
    elif _REMOTE.fullmatch(address):
        return address, None
    raise ConfigError(f"{_USAGE}; got {address!r}")


@contextmanager
def dask_client(address: str) -> Iterator[Any]:
    """A ``distributed.Client`` for ``address``, and its LocalCluster when it is local; both closed after."""
    target, workers = parse_address(address)
    require_dask()
    # By name: distributed is only partly annotated, and its untyped constructors trip mypy --strict.
    distributed: Any = importlib.import_module("distributed")
    Client, LocalCluster = distributed.Client, distributed.LocalCluster

    if target == "local":
        # Processes, one thread each: the kernels hold the GIL in places, and a worker's memory limit
        # (total memory / workers) is then the bound of one process. Logs would drown a terminal report,
        # and a task that fails (an unreadable file) reaches the client as its own one-line error.
        with LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                          dashboard_address=":0", silence_logs=logging.CRITICAL,
                          preload=list(WORKER_PRELOAD)) as cluster, Client(cluster) as client:
            yield client
        return
    try:
        client = Client(target, timeout=_CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        raise ConfigError(f"cannot reach the Dask scheduler at {target}: {exc}") from None
    with client:
        yield client


def scan_with_dask(paths: list[str], address: str, config: Config) -> Report:
    """The report of ``syndidetect scan PATH...`` computed on the Dask cluster at ``address``."""
    parse_address(address)  # a bad address is reported before any input is listed
    collection = read_collection(paths)
    with dask_client(address) as client:
        report = detect_dask(collection, config, client)
    if not report.documents:  # the in-process scan's rule, known here only once the tables are read
        raise InputError(f"{', '.join(paths)}: no documents found")
    return report
