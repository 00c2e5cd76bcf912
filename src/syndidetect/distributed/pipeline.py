"""The Dask pipeline end to end: :func:`detect_dask` (a report) and :func:`detect_to_parquet` (files)."""

from __future__ import annotations

import importlib
import math
import pickle
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from syndidetect.assembly import assemble_report, groups_of
from syndidetect.config import Config
from syndidetect.distributed.candidates import candidates, gathered_candidates, matchable_counts
from syndidetect.distributed.deps import dask_modules
from syndidetect.distributed.inputs import as_frame
from syndidetect.distributed.masks import boilerplate_examples, with_boilerplate
from syndidetect.distributed.prepare import SUMMARY_COLUMNS, checked_summaries, prepared_frame
from syndidetect.distributed.verification import frame_of_parts, judged, match_rows, pairs_frame
from syndidetect.errors import InputError
from syndidetect.report import PairReport, Report


def _check_config(config: Config | None) -> Config:
    config = config if config is not None else Config()
    if not isinstance(config, Config):
        raise InputError(f"'config' must be a syndidetect.Config; got {type(config).__name__}")
    return config


# The LSH runs in one task when its working set (the gathered signature cells, their matrix, and
# the LSH's keys and sorts: 0.8-0.9 times the matrix more, measured at 200k and 1M rows) stays
# within a quarter of the smallest worker's memory limit: Dask starts spilling a worker's data at
# 60% of its limit and pauses it at 80%, and the worker holds partitions of its own beside the task.
GATHERED_BYTES_PER_SIGNATURE_BYTE = 3
GATHERED_SHARE_OF_WORKER_MEMORY = 0.25


def gathering_fits(matchable: int, num_perm: int, memory_limit: float) -> bool:
    """Whether the LSH over ``matchable`` signatures of ``num_perm`` values may run in one task on
    workers with ``memory_limit`` bytes each."""
    working = GATHERED_BYTES_PER_SIGNATURE_BYTE * matchable * num_perm * 4  # uint32 values
    return working <= GATHERED_SHARE_OF_WORKER_MEMORY * memory_limit


def _workers(client: Any) -> list[dict[str, Any]] | None:
    """The cluster's workers as its scheduler describes them (``client``, else the current
    ``distributed`` client); None with Dask's local schedulers."""
    if client is None:
        try:
            distributed: Any = importlib.import_module("distributed")
            client = distributed.default_client()
        except (ImportError, ValueError):
            return None
    return list(client.scheduler_info()["workers"].values())


def _worker_memory(workers: list[dict[str, Any]] | None) -> float | None:
    """The smallest memory limit of ``workers`` in bytes; infinity with no distributed client
    (Dask's local schedulers run in this process, which the in-process path fills as much); None
    when unknown (no worker yet, or one without a limit)."""
    if workers is None:
        return math.inf
    limits = [w.get("memory_limit") or 0 for w in workers]
    return float(min(limits)) if limits and min(limits) > 0 else None


# The share of the workers' thread time that equal judging tasks may leave idle in their last wave
# before each partition's pairs are judged in several tasks: five partitions on two threads leave one
# of six thread-slots idle (17 %), three tasks' time for two and a half tasks' work. More tasks cost
# too (a document with pairs judged in two tasks is loaded and laid out in both), so small idle
# shares are left alone.
IDLE_SHARE = 0.1


def pieces_per_partition(partitions: int, threads: int) -> int:
    """The fewest judging tasks a partition for waves of tasks on ``threads`` threads to leave at
    most :data:`IDLE_SHARE` of the thread time idle (``threads`` pieces always leave none)."""
    for pieces in range(1, threads):
        tasks = partitions * pieces
        slots = math.ceil(tasks / threads) * threads
        if slots - tasks <= IDLE_SHARE * slots:
            return pieces
    return max(threads, 1)


def _threads(workers: list[dict[str, Any]] | None) -> int:
    """The threads of ``workers``; 0 when unknown (Dask's local schedulers)."""
    return sum(int(w.get("nthreads") or 0) for w in workers or [])


def _matchable_rows(sizes: Any) -> int:
    return int(matchable_counts(sizes).sum())


def _examples(part: Any) -> Any:
    return part[["examples"]].dropna()


def _stages(frame: Any, config: Config, client: Any) -> tuple[Any, Any, Any]:
    """The graph: prepared documents, the boilerplate examples, and the judged pairs.

    The prepared documents are computed first and stay on the workers for the stages after, which
    read them twice (the boilerplate masks and the candidates). The candidate pairs come from one
    task holding every signature when the workers' memory allows (:func:`gathering_fits`), the
    in-process LSH itself; else from band keys shuffled on the key
    (:func:`~syndidetect.distributed.candidates.candidates`)."""
    dask, _, pd = dask_modules()
    prepared = prepared_frame(frame, config)
    prepared = client.persist(prepared) if client is not None else dask.persist(prepared)[0]
    workers = _workers(client)
    memory = _worker_memory(workers)
    gathered = memory == math.inf
    if memory is not None and not gathered:
        rows = dask.delayed(sum)([dask.delayed(_matchable_rows)(part) for part in prepared["sizes"].to_delayed()])
        gathered = gathering_fits(int(_compute(client, rows)[0]), config.num_perm, memory)
    # One set of delayed partitions feeds both the judging and the examples, so the masks are made once.
    verifiable = with_boilerplate(prepared, config).to_delayed()
    examples = frame_of_parts([dask.delayed(_examples)(part) for part in verifiable],
                              pd.DataFrame({"examples": pd.Series([], dtype=object)}))
    pairs = gathered_candidates(prepared, config) if gathered else candidates(prepared, config)
    pieces = pieces_per_partition(len(verifiable), _threads(workers))
    return prepared, examples, judged(pairs, verifiable, config, pieces)


# Partitions up to which our shuffles run as tasks, unless the user's Dask configuration names a
# method: Dask's own bound for a task shuffle in one stage (``max_branch`` in its task shuffle), where
# each row moves once, in one split and one concatenation. Above it the task shuffle takes two
# stages or more and moves every row as many times, while Dask's default on a cluster ("p2p")
# moves it once through a disk-backed service with a fixed cost per shuffle. Our rows are small (the
# largest shuffle, the LSH's, is 1.7 KB a paragraph). Measured on a two-worker LocalCluster
# (``benchmarks.dask_scaling``'s Dask side): at 100k paragraphs in 5 partitions, tasks took 12.8-16.0
# s against 16.4-18.3 s for p2p, faster in each of 3 alternated runs; at 1M in 50 partitions, tasks
# (two stages) took 132-147 s against 118 s for p2p.
TASK_SHUFFLE_PARTITIONS = 32


@contextmanager
def _our_shuffles(partitions: int) -> Iterator[None]:
    """Build and compute the graph with task shuffles when there are at most
    :data:`TASK_SHUFFLE_PARTITIONS` partitions and the user has not chosen a method (some shuffles
    fix their method when the graph is built, others when it is lowered for the scheduler)."""
    dask, _, _ = dask_modules()
    if dask.config.get("dataframe.shuffle.method", None) or partitions > TASK_SHUFFLE_PARTITIONS:
        yield
        return
    with dask.config.set({"dataframe.shuffle.method": "tasks"}):
        yield


def _compute(client: Any, *collections: Any) -> tuple[Any, ...]:
    dask, _, _ = dask_modules()
    if client is not None:
        return tuple(client.gather(client.compute(list(collections))))
    return tuple(dask.compute(*collections))


def detect_dask(collection: Any, config: Config | None = None, client: Any = None) -> Report:
    """Find copies among the documents of a Dask collection; equal to ``detect()`` on the same documents.

    ``collection`` is a Dask DataFrame with ``id`` and ``text`` columns (optional ``date``) or a Dask
    bag of ``(id, text)`` tuples; ``client`` a ``distributed.Client`` (default: Dask's current
    scheduler). The whole report comes back to the caller, so this is for corpora whose *result* fits
    in memory; :func:`detect_to_parquet` keeps it on disk.
    """
    config = _check_config(config)
    frame = as_frame(collection)
    with _our_shuffles(frame.npartitions):
        prepared, examples, pairs = _stages(frame, config, client)
        documents, examples, reports = _collected(client, prepared[SUMMARY_COLUMNS], examples, pairs["report"])
    return assemble_report(checked_summaries(documents), reports, boilerplate_examples(examples))


def _collected(client: Any, summaries: Any, examples: Any, reports: Any) -> tuple[Any, Any, list[PairReport]]:
    """The documents' summaries, the boilerplate examples and the unpickled pair reports.

    With a ``distributed`` client given, each partition's reports are unpickled as soon as it is
    judged, while the workers judge the others: unpickled all at once, the 9,887 reports of 100k
    paragraphs (21 MB) kept the client 0.51-0.57 s after the last task, 0.35-0.36 s now (three runs
    each). Without one, Dask's own choice of scheduler computes everything, as ``dask.compute``."""
    if client is None:
        documents, blobs, examples = _compute(None, summaries, reports, examples)
        return documents, examples, [pickle.loads(blob) for blob in blobs]
    distributed: Any = importlib.import_module("distributed")
    small = client.compute([summaries, examples])  # the same graph's keys: shared with the reports'
    loaded: list[PairReport] = []
    for done in distributed.as_completed(distributed.futures_of(client.persist(reports))):
        loaded.extend(pickle.loads(blob) for blob in done.result())
    documents, examples = client.gather(small)
    return documents, examples, loaded


@dataclass(frozen=True)
class ParquetResult:
    """What :func:`detect_to_parquet` wrote under ``path``: ``documents/``, ``pairs/``, ``matches/``
    (Parquet datasets), ``groups.parquet`` (``document``, ``group``) and ``boilerplate.parquet``
    (``text``, ``documents``)."""

    path: Path
    documents: int
    pairs: int
    copies: int
    groups: tuple[tuple[str, ...], ...]
    boilerplate: tuple[tuple[str, int], ...]


def detect_to_parquet(collection: Any, path: str | Path, config: Config | None = None,
                      client: Any = None) -> ParquetResult:
    """Like :func:`detect_dask`, but write the result as Parquet and collect only the copy edges."""
    config = _check_config(config)
    out = Path(path)
    frame = as_frame(collection)
    with _our_shuffles(frame.npartitions):
        return _write_parquet(frame, out, config, client)


def _write_parquet(frame: Any, out: Path, config: Config, client: Any) -> ParquetResult:
    _, _, pd = dask_modules()
    prepared, examples, pairs = _stages(frame, config, client)
    matches = pairs.map_partitions(match_rows, meta=match_rows(pairs_frame(pd, [])), enforce_metadata=False)
    documents = prepared[["id", "paragraphs"]].reset_index(drop=True)
    writes = (documents.to_parquet(str(out / "documents"), write_index=False, compute=False),
              pairs.drop(columns=["report"]).to_parquet(str(out / "pairs"), write_index=False, compute=False),
              matches.to_parquet(str(out / "matches"), write_index=False, compute=False))
    copies = pairs[pairs["verdict"] == "copy"][["document_a", "document_b"]]
    counts = (prepared["id"].count(), pairs["verdict"].count())
    small = (copies, examples)  # copy edges and boilerplate examples: few rows
    _, _, _, edges, examples, n_docs, n_pairs = _compute(client, *writes, *small, *counts)
    groups = groups_of((str(a), str(b)) for a, b in zip(edges["document_a"], edges["document_b"]))
    pd.DataFrame({"document": [d for g in groups for d in g],
                  "group": [k for k, g in enumerate(groups) for _ in g]}).to_parquet(out / "groups.parquet")
    boilerplate = boilerplate_examples(examples)
    pd.DataFrame(boilerplate, columns=["text", "documents"]).to_parquet(out / "boilerplate.parquet")
    return ParquetResult(out, int(n_docs), int(n_pairs), len(edges), groups, boilerplate)
