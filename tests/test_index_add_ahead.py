"""``index add`` prepares the next batch in a second thread while it writes one: the work done
ahead (``ahead.computed_ahead``), the batch encoded off the connection (``SQLiteStore.encode``,
``put_encoded``), and the index that comes out, the same as adding batch by batch in one thread."""

from __future__ import annotations

import itertools
import json
import sqlite3
import subprocess
import sys
import threading
import time
import weakref
from collections import deque
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import syndidetect as sd
from syndidetect.ahead import BATCHES_AHEAD, computed_ahead
from syndidetect.cli import index as index_cli
from syndidetect.cli.main import main
from syndidetect.store.sqlite import SQLiteStore, run_tables
from syndidetect.store.sqlite.batch import EncodedBatch
from syndidetect.store.sqlite.locking import WRITER_TURN, begin_writing
from syndidetect.store.sqlite.run_tables import with_rowids

ROOT = Path(__file__).resolve().parent.parent
TABLES = {"document": "doc", "run": "run", "posting": "run, bucket", "fprun": "run", "fpbucket": "run, bucket"}


def test_batches_come_back_in_order_computed_in_one_other_thread_up_to_the_depth_ahead() -> None:
    caller = threading.get_ident()
    started: list[int] = []
    threads: set[int] = set()

    def compute(batch: int) -> int:
        started.append(batch)
        threads.add(threading.get_ident())
        time.sleep(0.005)
        return batch * 10

    seen = []
    for batch, value in computed_ahead(range(8), compute):
        time.sleep(0.05)  # the caller's work: the next batches are computed meanwhile
        seen.append((batch, value, sorted(started)))
    assert [(b, v) for b, v, _ in seen] == [(i, i * 10) for i in range(8)]
    # While the caller holds batch i, the worker has started batch i + BATCHES_AHEAD at most; and it
    # does get that far (the caller's 50 ms leave it time), one batch at a time, in one thread.
    assert all(max(done) <= i + BATCHES_AHEAD for i, (_, _, done) in enumerate(seen))
    assert any(max(done) == i + BATCHES_AHEAD for i, (_, _, done) in enumerate(seen[: 8 - BATCHES_AHEAD]))
    assert started == list(range(8))
    assert len(threads) == 1 and caller not in threads  # one thread: one batch at a time


def test_the_worker_keeps_computing_while_the_caller_is_slow_on_one_batch() -> None:
    """A merge makes one batch's writing long: the batches after it are ready when it ends."""
    ready_at: dict[int, float] = {}

    def compute(batch: int) -> int:
        time.sleep(0.03)
        ready_at[batch] = time.perf_counter()
        return batch

    slow_end = 0.0
    for batch, _ in computed_ahead(range(6), compute):
        if batch == 1:
            time.sleep(0.3)  # the long write
            slow_end = time.perf_counter()
    assert all(ready_at[b] < slow_end for b in range(2, 2 + BATCHES_AHEAD))


def test_an_error_computing_a_batch_is_raised_where_that_batch_comes() -> None:
    def compute(batch: int) -> int:
        if batch == 2:
            raise ValueError("batch 2 is bad")
        return batch

    got = []
    with pytest.raises(ValueError, match="batch 2 is bad"):
        for batch, _ in computed_ahead(range(4), compute):
            got.append(batch)
    assert got == [0, 1]


def test_leaving_early_does_not_wait_for_the_remaining_batches() -> None:
    computed: list[int] = []

    def compute(batch: int) -> int:
        time.sleep(0.05)
        computed.append(batch)
        return batch

    started = time.perf_counter()
    for batch, _ in computed_ahead(range(100), compute):
        if batch == 1:
            break
    assert time.perf_counter() - started < 2.0  # not 100 batches of 50 ms
    time.sleep(0.05 * (BATCHES_AHEAD + 2))
    assert len(computed) <= 3  # the batches after the one under way were cancelled


def test_rowids_replace_positions_and_entries_stay_sorted_even_if_rowids_do_not_grow() -> None:
    fp = np.array([3, 3, 5, 7, 7], dtype=np.uint64)
    position = np.array([0, 2, 1, 0, 1], dtype=np.int64)
    growing = np.array([10, 11, 15], dtype=np.int64)
    got_fp, got_doc = with_rowids((fp, position), growing)
    assert got_fp.tolist() == [3, 3, 5, 7, 7] and got_doc.tolist() == [10, 15, 11, 10, 11]
    shuffled = np.array([20, 12, 11], dtype=np.int64)  # not what AUTOINCREMENT gives: sorted again
    got_fp, got_doc = with_rowids((fp, position), shuffled)
    assert list(zip(got_fp.tolist(), got_doc.tolist())) == [(3, 11), (3, 20), (5, 12), (7, 12), (7, 20)]


def _tables(db: Path) -> dict[str, list[tuple[object, ...]]]:
    with closing(sqlite3.connect(db)) as con:
        return {table: con.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()
                for table, order in TABLES.items()}


def _two_a_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of two documents (each counts more than its text, two reach a batch)."""
    monkeypatch.setattr(index_cli, "DOCUMENT_CHARS", 10**9)
    monkeypatch.setattr(index_cli, "BATCH_CHARS", 2 * 10**9)


@given(st.lists(st.integers(1, 3000), min_size=1, max_size=60), st.integers(1, 4000), st.integers(0, 600))
def test_a_batch_ends_once_its_texts_and_a_share_for_each_document_reach_its_characters(
    lengths: list[int], batch_chars: int, document_chars: int
) -> None:
    documents = [sd.Document(f"d{i}", "x" * n) for i, n in enumerate(lengths)]
    queue = deque(documents)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index_cli, "BATCH_CHARS", batch_chars)
        patch.setattr(index_cli, "DOCUMENT_CHARS", document_chars)
        batches = list(index_cli._batches(queue))
    assert not queue  # taken out as they are batched
    assert [d for batch in batches for d in batch] == documents
    weight = [sum(len(d.text) + document_chars for d in batch) for batch in batches]
    last = [len(batch[-1].text) + document_chars for batch in batches]
    assert all(w >= batch_chars for w in weight[:-1])  # every batch but the last is full...
    assert all(w - end < batch_chars for w, end in zip(weight, last))  # ...by its last document


def _commands() -> list[list[sd.Document]]:
    """The documents of two ``index add`` commands: seeds, cut versions and a menu, then a second
    command replacing two of them and adding one."""
    texts = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "seeds").glob("*.txt"))]
    first = [sd.Document(f"s{i}", text) for i, text in enumerate(texts)]
    first += [sd.Document(f"cut{i}", "\n\n".join(text.split("\n\n")[i::2])) for i, text in enumerate(texts)]
    first.append(sd.Document("menu", "Home\n\nNews\n\nSport"))
    second = [sd.Document("s1", texts[3]), sd.Document("new", texts[2][:2000]),
              sd.Document("cut0", texts[0] + "\n\nmore")]
    return [first, second]


def test_the_pipelined_index_add_writes_the_index_batch_by_batch_adding_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _two_a_batch(monkeypatch)  # 6 and 2 batches: runs pile up and merge
    monkeypatch.setattr(run_tables, "MAX_RUNS", 3)
    for number, docs in enumerate(_commands()):
        jsonl = tmp_path / f"add{number}.jsonl"
        jsonl.write_text("".join(json.dumps({"id": d.id, "text": d.text}) + "\n" for d in docs), encoding="utf-8")
        assert main(["index", "add", "--db", str(tmp_path / "cli.db"), str(jsonl)]) == 0
        with sd.Detector.open(tmp_path / "serial.db") as det:
            for start in range(0, len(docs), 2):
                det.add_many(docs[start : start + 2])
    cli, serial = _tables(tmp_path / "cli.db"), _tables(tmp_path / "serial.db")
    assert len(cli["document"]) == 12 and len(cli["run"]) >= 1
    assert cli == serial


def test_index_add_lets_go_of_the_documents_it_has_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Texts are most of an add's memory: once a batch is written nothing holds its documents."""
    texts = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "seeds").glob("*.txt"))]
    docs = [sd.Document(f"d{i}", texts[i % len(texts)] + f"\n\nThe {i}th closing paragraph of this one.")
            for i in range(8)]
    refs = [weakref.ref(d) for d in docs]
    given = [docs]  # the reader hands them over and keeps none
    monkeypatch.setattr(index_cli, "read_inputs", lambda paths, stdin: given.pop())
    _two_a_batch(monkeypatch)
    written_before: list[int] = []  # when each batch is written: the live documents of earlier batches
    put_encoded = SQLiteStore.put_encoded

    def recording(store: SQLiteStore, batch: EncodedBatch) -> list[str]:
        earlier = 2 * len(written_before)
        written_before.append(sum(ref() is not None for ref in refs[:earlier]))
        return put_encoded(store, batch)

    monkeypatch.setattr(SQLiteStore, "put_encoded", recording)
    del docs
    assert main(["index", "add", "--db", str(tmp_path / "i.db"), "unused.jsonl"]) == 0
    assert written_before == [0, 0, 0, 0]
    with sd.Detector.open(tmp_path / "i.db") as det:
        assert len(det) == 8


def test_the_command_line_keeps_numba_from_importing_scipy_linalg_and_scipy_still_imports_after() -> None:
    probe = (
        "import sys\n"
        "from syndidetect._kernels.jit import imported_numba, skip_blas_probe\n"
        "if sys.argv[1] == 'skip':\n"
        "    skip_blas_probe()\n"
        "imported_numba()\n"
        "import numba.np.arraymath as arraymath\n"
        "print(arraymath._HAVE_BLAS, 'scipy.linalg' in sys.modules)\n"
        "import scipy.linalg.cython_blas\n"
        "print('scipy.linalg' in sys.modules)\n"
    )
    skipped = subprocess.run([sys.executable, "-c", probe, "skip"], capture_output=True, text=True, check=True)
    assert skipped.stdout.split() == ["False", "False", "True"]
    default = subprocess.run([sys.executable, "-c", probe, "default"], capture_output=True, text=True, check=True)
    assert default.stdout.split() == ["True", "True", "True"]


def test_a_waiting_writer_gets_its_turn_between_the_batches_of_a_writer_that_never_pauses_longer(
    tmp_path: Path
) -> None:
    db = tmp_path / "turns.db"
    with closing(sqlite3.connect(db, isolation_level=None)) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute("CREATE TABLE t (who TEXT)")
    got_in = threading.Event()
    busy_writer_batches_after: list[int] = []

    def busy_writer() -> None:  # commits, pauses WRITER_TURN, and is back for the lock at once
        with closing(sqlite3.connect(db, isolation_level=None, timeout=5, check_same_thread=False)) as con:
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and len(busy_writer_batches_after) < 3:
                begin_writing(con, 5)
                con.execute("INSERT INTO t VALUES ('busy')")
                time.sleep(0.2)  # a batch's work, lock held
                con.execute("COMMIT")
                if got_in.is_set():
                    busy_writer_batches_after.append(1)
                time.sleep(WRITER_TURN)

    thread = threading.Thread(target=busy_writer)
    thread.start()
    time.sleep(0.02)
    with closing(sqlite3.connect(db, isolation_level=None, check_same_thread=False)) as con:
        begin_writing(con, 1.0)  # SQLITE_BUSY unless it gets one of the turns within a second
        con.execute("INSERT INTO t VALUES ('waiting')")
        con.execute("COMMIT")
        got_in.set()
    thread.join()
    assert busy_writer_batches_after == [1, 1, 1]  # it got in while the other was still writing


def test_index_add_leaves_the_lock_free_for_a_writers_turn_after_each_commit_but_the_last(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _two_a_batch(monkeypatch)  # 6 batches, each prepared at once
    spans: list[tuple[float, float]] = []
    put = SQLiteStore.put_encoded

    def timed(store: SQLiteStore, batch: EncodedBatch) -> list[str]:
        started = time.monotonic()
        replaced = put(store, batch)
        spans.append((started, time.monotonic()))
        return replaced

    monkeypatch.setattr(SQLiteStore, "put_encoded", timed)
    jsonl = tmp_path / "add.jsonl"
    jsonl.write_text("".join(json.dumps({"id": d.id, "text": d.text}) + "\n" for d in _commands()[0]),
                     encoding="utf-8")
    assert main(["index", "add", "--db", str(tmp_path / "turns.db"), str(jsonl)]) == 0
    assert len(spans) == 6
    gaps = [start - end for (_, end), (start, _) in itertools.pairwise(spans)]
    assert min(gaps) >= WRITER_TURN


def test_a_writer_that_never_gets_the_lock_fails_at_its_timeout(tmp_path: Path) -> None:
    db = tmp_path / "locked.db"
    with closing(sqlite3.connect(db, isolation_level=None)) as holder, \
            closing(sqlite3.connect(db, isolation_level=None)) as waiter:
        holder.execute("PRAGMA journal_mode=WAL")
        holder.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        with pytest.raises(sqlite3.OperationalError) as caught:
            begin_writing(waiter, 0.3)
        assert 0.3 <= time.monotonic() - started < 2.0
        assert caught.value.sqlite_errorname.startswith("SQLITE_BUSY")
        assert waiter.execute("PRAGMA busy_timeout").fetchone()[0] == 300  # restored


def test_a_process_that_stops_early_does_not_wait_for_the_batch_under_way() -> None:
    # What Ctrl-C in `index add` needs: with numba's cache empty, the batch under way may be a
    # compile of 15 s, and the process must exit at once.
    script = (
        "import time\n"
        "from syndidetect.ahead import computed_ahead\n"
        "for batch, _ in computed_ahead(range(3), lambda b: time.sleep(30 if b else 0)):\n"
        "    raise SystemExit(7)  # batch 1 (30 s) is under way\n"
    )
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 7
    assert time.monotonic() - started < 15
