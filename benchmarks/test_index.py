"""The persistent index: add throughput (the store alone, and ``syndidetect index add`` end to end),
single-article check latency, bytes per paragraph.

CI size: 10k paragraphs. On demand: SYNDIDETECT_BENCH_INDEX_N=100000 (or 1000000), or, for the
command line end to end with its paragraphs per second printed:
``python -m benchmarks.test_index 100000`` (it writes the corpus as JSONL, 20 paragraphs a document
as ``benchmarks/scaling.py`` builds them, or K with ``--per-document K``, runs ``syndidetect index
add`` on it, then times the lookup and the whole check of one article in process).
Run: pytest benchmarks/test_index.py -p no:cacheprovider --benchmark-enable
"""

from __future__ import annotations

import itertools
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

import syndidetect as sd
from benchmarks.corpus import make_corpus
from benchmarks.startup import process_seconds
from syndidetect.cli.index import BATCH_CHARS
from syndidetect.lsh import band_keys, matchable_rows
from syndidetect.prepared import prepare_documents
from syndidetect.store import SQLiteStore

N = int(os.environ.get("SYNDIDETECT_BENCH_INDEX_N", "10000"))
PER_DOC = 40
ARTICLE = 20
#: Paragraphs a document of the command-line corpus, as in benchmarks/scaling.py.
CLI_PER_DOC = 20
#: Paragraphs a JSONL file (about 90 MB): the command line refuses input files over 256 MB.
CLI_PER_FILE = 200_000


def _documents(n: int, seed: int = 0, prefix: str = "d") -> list[sd.Document]:
    texts = make_corpus(n, seed=seed).texts
    return [sd.Document(f"{prefix}{i}", "\n\n".join(texts[i : i + PER_DOC])) for i in range(0, n, PER_DOC)]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[sd.Document], float]:
    """The index of N paragraphs, and the seconds its store part took (preparing excluded)."""
    path = tmp_path_factory.mktemp("index") / "bench.db"
    docs = _documents(N)
    seconds = 0.0
    with SQLiteStore(path) as store:
        for start in range(0, len(docs), 50):
            prepared = prepare_documents(docs[start : start + 50], store.config)
            started = time.perf_counter()
            store.put(prepared)
            seconds += time.perf_counter() - started
    return path, docs, seconds


def test_add_throughput(benchmark: Any, tmp_path: Path) -> None:
    """The store alone (documents prepared beforehand), in paragraphs per second."""
    docs = _documents(min(N, 20_000), seed=1)
    paragraphs = sum(len(d.text.split("\n\n")) for d in docs)
    prepared = prepare_documents(docs, sd.Config())
    counter = iter(range(10**6))

    def add() -> None:
        with SQLiteStore(tmp_path / f"add{next(counter)}.db") as store:
            for start in range(0, len(prepared), 50):
                store.put(prepared[start : start + 50])

    benchmark.pedantic(add, rounds=3, iterations=1)
    benchmark.extra_info["store_paragraphs_per_s"] = paragraphs / benchmark.stats.stats.median


def test_check_latency(benchmark: Any, built: tuple[Path, list[sd.Document], float]) -> None:
    path, docs, seconds = built
    # A 20-paragraph article: half copied from an indexed document, half new.
    fresh = make_corpus(ARTICLE, seed=99).texts
    article = sd.Document("new", "\n\n".join(docs[len(docs) // 2].text.split("\n\n")[: ARTICLE // 2]
                                             + fresh[: ARTICLE // 2]))
    with sd.Detector.open(path, readonly=True) as det:
        report = benchmark(det.query, [article])
        size = det.stats()["bytes"]
        paragraphs = det.stats()["paragraphs"]
        store = det.store
        assert isinstance(store, SQLiteStore)
        runs = store._con.execute("SELECT count(*) FROM run").fetchone()[0]  # lookups: 1280 a run
    assert report.pairs and report.pairs[0].documents[1] == docs[len(docs) // 2].id
    text_bytes = sum(len(d.text.encode()) for d in docs)
    benchmark.extra_info.update(index_paragraphs=paragraphs, runs=runs, bytes_per_paragraph=size / paragraphs,
                                bytes_per_paragraph_beyond_text=(size - text_bytes) / paragraphs,
                                build_store_paragraphs_per_s=paragraphs / seconds)


def write_jsonl(n: int, folder: Path, seed: int = 0, per_document: int = CLI_PER_DOC) -> list[Path]:
    """``n`` corpus paragraphs as JSONL documents of ``per_document`` paragraphs, CLI_PER_FILE a file."""
    texts = make_corpus(n, seed=seed).texts
    paths: list[Path] = []
    for start in range(0, n, CLI_PER_FILE):
        paths.append(folder / f"corpus{len(paths)}.jsonl")
        with paths[-1].open("w", encoding="utf-8") as out:
            for i in range(start, min(n, start + CLI_PER_FILE), per_document):
                out.write(json.dumps({"id": f"d{i}", "text": "\n\n".join(texts[i : i + per_document])}) + "\n")
    return paths


def cli_add(jsonl: list[Path], db: Path) -> tuple[float, float, float]:
    """Wall and CPU seconds (user + system) of ``syndidetect index add --db db JSONL...``, and the
    peak resident MB of this process's largest child so far (the add, when it is the first)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "syndidetect", "index", "add", "--db", str(db), *map(str, jsonl)],
                   check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), after.ru_maxrss / 1024


def test_add_end_to_end(benchmark: Any, tmp_path: Path) -> None:
    """``syndidetect index add`` of a JSONL file, start-up included, in paragraphs per second."""
    paragraphs = min(N, 20_000)
    jsonl = write_jsonl(paragraphs, tmp_path, seed=2)
    counter = iter(range(10**6))
    benchmark.pedantic(lambda: cli_add(jsonl, tmp_path / f"cli{next(counter)}.db"), rounds=3, iterations=1)
    benchmark.extra_info["paragraphs_per_s"] = paragraphs / benchmark.stats.stats.median


def _medians(call: Any, runs: int = 15) -> tuple[float, float]:
    """Median wall and CPU seconds of ``call()`` after one warm-up call."""
    call()
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        call()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def cli_check_seconds(db: Path, article: sd.Document, folder: Path, runs: int = 7) -> list[float]:
    """Wall seconds of each of ``runs`` ``syndidetect index check`` of ``article`` (start-up included),
    after one warm-up run, sorted."""
    path = folder / "article.txt"
    path.write_text(article.text, encoding="utf-8")
    command = [sys.executable, "-m", "syndidetect", "index", "check", "--db", str(db), str(path)]
    return process_seconds(command, runs=runs, check=True)


def sqlite_floor(db: Path, folder: Path) -> tuple[dict[str, float], int]:
    """Wall seconds SQLite alone takes to write the rows of index ``db`` once (the text, BLOBs,
    fingerprint and posting rows of its documents, none of our Python), into a new WAL file with
    the index's own settings, by part: ``documents`` in one transaction per ``BATCH_CHARS`` of text
    as ``index add`` commits them, their ``commits``, the ``fingerprints`` and ``postings`` runs once
    each, in one transaction a run (commits included), and the ``total``; and how many transactions.
    No index holding the same data in SQLite can be written faster."""
    floor = folder / "floor.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{floor}{suffix}").unlink(missing_ok=True)
    with SQLiteStore(floor):  # a new index: the same schema and pragmas
        pass
    con = sqlite3.connect(floor, isolation_level=None)
    parts = dict.fromkeys(("documents", "commits", "fingerprints", "postings"), 0.0)

    def timed(part: str, sql: str, args: tuple[int, ...] = ()) -> None:
        started = time.perf_counter()
        con.execute(sql, args)
        parts[part] += time.perf_counter() - started

    try:
        con.execute("PRAGMA synchronous=NORMAL")
        con.execute("PRAGMA cache_size=-65536")
        con.execute("ATTACH DATABASE ? AS source", (f"file:{db}?mode=ro",))
        docs = [row for row in con.execute("SELECT doc, length(text) FROM source.document ORDER BY doc")]
        bounds, size = [docs[0][0]], 0
        for doc, length in docs:
            size += length
            if size >= BATCH_CHARS:
                bounds.append(doc + 1)
                size = 0
        bounds.append(docs[-1][0] + 1)
        for first, end in itertools.pairwise(bounds):
            if first == end:
                continue
            con.execute("BEGIN IMMEDIATE")
            timed("documents", "INSERT INTO main.document SELECT * FROM source.document WHERE doc >= ? AND doc < ?",
                  (first, end))
            timed("commits", "COMMIT")
        # The runs, once: as many rows as the index holds, in as many commits as it has runs.
        runs = 0
        for part, run_table, row_table in (("fingerprints", "fprun", "fpbucket"), ("postings", "run", "posting")):
            for (run,) in con.execute(f"SELECT run FROM source.{run_table}").fetchall():
                con.execute("BEGIN IMMEDIATE")
                timed(part, f"INSERT INTO main.{run_table} SELECT * FROM source.{run_table} WHERE run = ?", (run,))
                timed(part, f"INSERT INTO main.{row_table} SELECT * FROM source.{row_table} WHERE run = ?", (run,))
                timed(part, "COMMIT")
                runs += 1
    finally:
        con.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{floor}{suffix}").unlink(missing_ok=True)
    parts["total"] = sum(parts.values())
    return parts, len(bounds) - 1 + runs


def main(n: int, keep: Path | None = None, per_document: int = CLI_PER_DOC) -> None:
    """Add ``n`` paragraphs with the command line, ``per_document`` a document, then time one
    article's check in process and in the command line (whole process). ``keep``: a folder to
    build the index in and leave it."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        jsonl, db, paragraphs = write_jsonl(n, Path(tmp), per_document=per_document), folder / "index.db", n
        for suffix in ("", "-wal", "-shm"):  # a kept folder's last index: adding to it would replace documents
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        wall, cpu, peak = cli_add(jsonl, db)
        print(f"index add, {paragraphs} paragraphs ({per_document} a document): {wall:.1f} s wall "
              f"({paragraphs / wall:,.0f} paragraphs/s), "
              f"{cpu:.1f} s CPU ({paragraphs / cpu:,.0f} paragraphs/s of CPU), peak {peak:,.0f} MB resident")
        floor, commits = sqlite_floor(db, Path(tmp))
        print(f"SQLite alone writing the same rows once ({commits} commits): {floor['total']:.1f} s wall "
              f"({paragraphs / floor['total']:,.0f} paragraphs/s): "
              + ", ".join(f"{part} {seconds:.1f} s" for part, seconds in floor.items() if part != "total"))
        fresh = make_corpus(ARTICLE, seed=99).texts
        middle = n // 2  # a paragraph number: its document is copied from
        lines = jsonl[middle // CLI_PER_FILE].read_text(encoding="utf-8").splitlines()
        copied = json.loads(lines[middle % CLI_PER_FILE // per_document])["text"]
        article = sd.Document("new", "\n\n".join(copied.split("\n\n")[: ARTICLE // 2] + fresh[: ARTICLE // 2]))
        with sd.Detector.open(db, readonly=True) as det:
            sigs, _, _ = matchable_rows(prepare_documents([article], det.config))
            keys = band_keys(sigs, det.store.bands, det.store.rows)
            lookup = _medians(lambda: det.store.postings(keys))
            check = _medians(lambda: det.query([article]))
            size = det.stats()["bytes"]
        print(f"postings of one {ARTICLE}-paragraph article: {lookup[0] * 1e3:.1f} ms wall, {lookup[1] * 1e3:.1f} ms "
              f"CPU; whole check in process: {check[0] * 1e3:.1f} ms wall, {check[1] * 1e3:.1f} ms CPU (medians)")
        walls = cli_check_seconds(db, article, folder)
        print(f"syndidetect index check, whole process: median {statistics.median(walls):.3f} s wall "
              f"(min {walls[0]:.3f}, max {walls[-1]:.3f}, {len(walls)} runs)")
        print(f"index: {size / paragraphs:.0f} bytes a paragraph")


if __name__ == "__main__":
    arguments = sys.argv[1:]
    per_doc = CLI_PER_DOC
    if "--per-document" in arguments:  # e.g. 1: one-paragraph documents, each a row of its own
        at = arguments.index("--per-document")
        per_doc = int(arguments[at + 1])
        del arguments[at : at + 2]
    main(int(arguments[0]) if arguments else N, Path(arguments[1]) if len(arguments) > 1 else None, per_doc)
