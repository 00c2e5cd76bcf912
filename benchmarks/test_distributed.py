"""On demand: detection on a LocalCluster(2) against in-process ``detect()``, wall time and peak memory.

Run with ``SYNDIDETECT_BENCH_DASK=1 pytest benchmarks/test_distributed.py -s`` (``SYNDIDETECT_BENCH_DASK_N``
paragraphs, default 1,000,000, grouped 10 to a document; deterministic, from ``benchmarks.corpus``);
``python -m benchmarks.dask_scaling`` gives wall and CPU ratios from in-memory frames.
The in-process run happens in a child process, so each side's peak RSS is its own.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from distributed import Client, LocalCluster

import syndidetect as sd
from benchmarks.corpus import make_corpus
from syndidetect.distributed import WORKER_PRELOAD, detect_dask, read_collection

pytestmark = [
    # See tests/test_distributed.py: the cluster's sockets and pipes are closed by the collector.
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
]

N_PARAGRAPHS = int(os.environ.get("SYNDIDETECT_BENCH_DASK_N", "1000000"))
PER_DOCUMENT = 10
PARTITION_DOCUMENTS = 2000  # 20,000 paragraphs a partition: a few hundred MB of working set per task
# The Dask path's candidates come from the paragraph LSH only: the in-process run is asked for the same.
CONFIG = sd.Config(sentence_candidates=False)

_IN_PROCESS = """
import json, pickle, resource, sys, time
import syndidetect as sd
docs = pickle.load(open(sys.argv[1], "rb"))
start = time.perf_counter()
report = sd.detect(docs, sd.Config(sentence_candidates=False))
wall = time.perf_counter() - start
json.dump({"wall": wall, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
           "report": report.to_dict()}, open(sys.argv[2], "w"))
"""


def documents(n_paragraphs: int) -> pd.DataFrame:
    texts = make_corpus(n_paragraphs, seed=0).texts
    groups = range(0, len(texts), PER_DOCUMENT)
    return pd.DataFrame({"id": [f"doc{k // PER_DOCUMENT:07d}" for k in groups],
                         "text": ["\n\n".join(texts[k : k + PER_DOCUMENT]) for k in groups]})


def write_parts(frame: pd.DataFrame, folder: Path) -> Path:
    """The corpus as Parquet parts, read in partitions by the workers (as a crawl would be)."""
    folder.mkdir()
    for k, start in enumerate(range(0, len(frame), PARTITION_DOCUMENTS)):
        frame.iloc[start : start + PARTITION_DOCUMENTS].to_parquet(folder / f"part-{k:05d}.parquet")
    return folder


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def in_process(frame: pd.DataFrame, tmp: Path) -> dict[str, Any]:
    import pickle

    with (tmp / "docs.pkl").open("wb") as f:
        pickle.dump(list(zip(frame["id"], frame["text"])), f)
    subprocess.run([sys.executable, "-c", _IN_PROCESS, str(tmp / "docs.pkl"), str(tmp / "out.json")], check=True)
    result: dict[str, Any] = json.loads((tmp / "out.json").read_text())
    return result


def test_local_cluster_against_in_process(tmp_path: Path) -> None:
    frame = documents(N_PARAGRAPHS)
    expected = in_process(frame, tmp_path)
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0",
                      preload=list(WORKER_PRELOAD)) as cluster, \
            Client(cluster) as client:
        client.run(lambda: __import__("syndidetect.minhash"))  # imports are not part of the timing
        collection = read_collection([str(write_parts(frame, tmp_path / "parts"))])
        start = time.perf_counter()
        report = detect_dask(collection, client=client)
        wall = time.perf_counter() - start
        usage = client.run(resource.getrusage, resource.RUSAGE_SELF)  # a builtin: no pickling of our code
        workers = {w: u.ru_maxrss / 1024 for w, u in usage.items()}
    figures = {"paragraphs": N_PARAGRAPHS, "documents": len(frame), "pairs": len(report.pairs),
               "in_process_s": round(expected["wall"], 1), "in_process_peak_mb": round(expected["peak_mb"]),
               "dask_s": round(wall, 1), "dask_client_peak_mb": round(_peak_mb()),
               "dask_worker_peak_mb": sorted(round(v) for v in workers.values())}
    print(json.dumps(figures))
    assert report.to_dict() == expected["report"]
