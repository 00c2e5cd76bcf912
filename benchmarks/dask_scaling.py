"""On demand: the Dask path on one machine against in-process detection, wall and CPU time.

    python -m benchmarks.dask_scaling [100000 1000000] [--runs 3]

For each size (paragraphs, grouped 10 to a document, from the deterministic ``benchmarks.corpus``)
it runs ``sd.detect`` and ``detect_dask`` on a LocalCluster of two single-threaded worker
processes (what ``syndidetect scan --dask local`` starts on a 2-core machine), each in a fresh
process, ``--runs`` times, and prints the medians and the Dask/in-process ratios. CPU time is the
process's own for ``detect``; for Dask the client's plus every worker's. Both sides use
``sentence_candidates=False`` (the Dask path's paragraph candidates), and the reports are checked
equal. Partitions hold ``PARTITION_DOCUMENTS`` documents, as in ``benchmarks/test_distributed.py``.

Both sides are timed warm: before the clock starts, every process that will work (the in-process
side's, each Dask worker) runs ``sd.detect`` on a small corpus of its own, so numba's kernels are
loaded, and the Dask side runs ``detect_dask`` once on a few documents, so the workers have imported
what its tasks use. The kernels are lazy (compiled once a process has enough work), so a few words
of warm-up loaded nothing; a fresh worker's first task then paid 2-3 s of imports and kernel loads.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

_CHILD = """
import json, resource, sys, time
import pandas as pd
from benchmarks.corpus import make_corpus
import syndidetect as sd

def documents(n, seed):
    texts = make_corpus(n, seed=seed).texts
    return [f"doc{k // 10:07d}" for k in range(0, n, 10)], ["\\n\\n".join(texts[k:k + 10]) for k in range(0, n, 10)]

def warm_up(config, paragraphs):
    import syndidetect  # here, not the global: cloudpickle sends this function to the workers
    ids, docs = documents(paragraphs, 1)
    syndidetect.detect(list(zip(ids, docs)), config)

def main():
    n, mode, out, per_partition, warm = (int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]),
                                         int(sys.argv[5]))
    ids, docs = documents(n, 0)
    config = sd.Config(sentence_candidates=False)
    warm_up(config, warm)
    if mode == "in":
        wall, cpu = time.perf_counter(), time.process_time()
        report = sd.detect(list(zip(ids, docs)), config)
        figures = {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}
    else:
        import dask.dataframe as dd
        from distributed import Client, LocalCluster
        from syndidetect.distributed import WORKER_PRELOAD, detect_dask

        def used(client):
            usage = client.run(resource.getrusage, resource.RUSAGE_SELF)
            return sum(u.ru_utime + u.ru_stime for u in usage.values())

        frame = pd.DataFrame({"id": ids, "text": docs})
        with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0",
                          preload=list(WORKER_PRELOAD)) as cluster, \\
                Client(cluster) as client:
            client.run(warm_up, config, warm)
            few = pd.DataFrame({"id": ids[:20], "text": docs[:20]})
            detect_dask(dd.from_pandas(few, npartitions=2, sort=False), config, client)
            collection = dd.from_pandas(frame, npartitions=max(1, len(frame) // per_partition), sort=False)
            workers, wall, cpu = used(client), time.perf_counter(), time.process_time()
            report = detect_dask(collection, config, client)
            figures = {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu + used(client) - workers}
    figures["pairs"] = len(report.pairs)
    json.dump(report.to_dict(), open(out, "w"))
    print(json.dumps(figures))

if __name__ == "__main__":
    main()
"""

# Documents per input partition: 20,000 paragraphs, a few hundred MB of working set per task.
PARTITION_DOCUMENTS = 2000
# Paragraphs of each process's warm-up detection, about a second in process: enough work to pass
# every lazy kernel's threshold, whose units differ (the overlap kernels wait for 1,000 candidate
# pairs, this corpus gives about 2,000; the stem-id kernel for 4,096 sentences, it holds about 90,000).
WARM_PARAGRAPHS = 20_000
DEFAULT_SIZES = (100_000,)


def run(size: int, mode: str, out: Path) -> dict[str, float]:
    """One run in a fresh process: ``{"wall", "cpu", "pairs"}``; the report is written to ``out``."""
    done = subprocess.run([sys.executable, "-c", _CHILD, str(size), mode, str(out), str(PARTITION_DOCUMENTS),
                           str(WARM_PARAGRAPHS)],
                          check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def compare(size: int, runs: int, folder: Path) -> None:
    """Median wall and CPU seconds of both paths at ``size``, their ratios, and the reports' equality."""
    sides = {mode: [run(size, mode, folder / f"{mode}.json") for _ in range(runs)] for mode in ("in", "dask")}
    wall = {m: statistics.median(r["wall"] for r in rs) for m, rs in sides.items()}
    cpu = {m: statistics.median(r["cpu"] for r in rs) for m, rs in sides.items()}
    equal = json.loads((folder / "in.json").read_text()) == json.loads((folder / "dask.json").read_text())
    print(f"{size:>10,} {wall['in']:>9.1f} {wall['dask']:>9.1f} {wall['dask'] / wall['in']:>6.2f}x "
          f"{cpu['in']:>9.1f} {cpu['dask']:>9.1f} {cpu['dask'] / cpu['in']:>6.2f}x {int(sides['in'][0]['pairs']):>7} "
          f"{'yes' if equal else 'NO'}")


def main(argv: list[str]) -> None:
    runs = 1
    if "--runs" in argv:
        at = argv.index("--runs")
        runs, argv = int(argv[at + 1]), argv[:at] + argv[at + 2:]
    sizes = [int(a) for a in argv] or list(DEFAULT_SIZES)
    print(f"{'paragraphs':>10} {'in wall':>9} {'dask wall':>9} {'ratio':>7} {'in cpu':>9} {'dask cpu':>9} "
          f"{'ratio':>7} {'pairs':>7} equal")
    for size in sizes:
        with tempfile.TemporaryDirectory() as folder:
            compare(size, runs, Path(folder))


if __name__ == "__main__":
    main(sys.argv[1:])
