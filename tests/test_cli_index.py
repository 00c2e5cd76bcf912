"""``syndidetect index``: the new user's flow, and crash and concurrency safety with real processes."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from syndidetect.cli.main import main

SEEDS = Path(__file__).parent.parent / "seeds"
S002 = "002_9d80eb7e5257ff50.txt"


def seed(n: int) -> str:
    return str(next(SEEDS.glob(f"{n:03d}_*.txt")))


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "syndidetect", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, check=False)


def spawn(*args: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "syndidetect", *args], cwd=cwd, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def documents_in(db: Path) -> int:
    if not db.exists():
        return 0
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)) as con:
        try:
            return int(con.execute("SELECT count(*) FROM document").fetchone()[0])
        except sqlite3.OperationalError:  # the schema is not created yet
            return 0


def integrity(db: Path) -> str:
    with closing(sqlite3.connect(db, timeout=30)) as con:
        return str(con.execute("PRAGMA integrity_check").fetchone()[0])


def big_jsonl(path: Path, documents: int, paragraphs: int = 8) -> Path:
    """Many generated articles, so an add takes long enough to be interrupted."""
    rng = random.Random(5)
    vocab = ["".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(3)) for _ in range(5000)]
    with path.open("w", encoding="utf-8") as out:
        for i in range(documents):
            text = "\n\n".join(" ".join(rng.choices(vocab, k=40)) + "." for _ in range(paragraphs))
            out.write(json.dumps({"id": f"doc{i:05d}", "text": text}) + "\n")
    return path


def wait_for_documents(db: Path, proc: subprocess.Popen[str]) -> int:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        count = documents_in(db)
        if count:
            return count
        time.sleep(0.05)
    raise AssertionError(f"no batch was committed (exit {proc.poll()})")


def test_new_user_flow(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "news.db")
    assert main(["index", "add", "--db", db, *map(seed, range(4))]) == 0
    assert "added 4 documents" in capsys.readouterr().out
    assert main(["index", "check", "--db", db, seed(4), "--format", "json"]) == 0
    pairs = json.loads(capsys.readouterr().out)["pairs"]
    copies = [p for p in pairs if p["verdict"] == "copy"]
    assert [p["documents"] for p in copies] == [["004_ab43671d69f11038.txt", S002]]
    assert len(copies[0]["matches"]) >= 7
    assert main(["index", "remove", "--db", db, S002]) == 0
    assert f"removed 1 document from {db}: {S002}" in capsys.readouterr().out
    assert main(["index", "check", "--db", db, seed(4), "--format", "json", "--fail-on-copy"]) == 0
    assert all(p["verdict"] != "copy" for p in json.loads(capsys.readouterr().out)["pairs"])


def test_adding_an_id_again_says_it_replaced_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "news.db")
    main(["index", "add", "--db", db, seed(2)])
    assert main(["index", "add", "--db", db, seed(2), seed(3)]) == 0
    out = capsys.readouterr().out
    assert f"replaced 1 document already in the index: {S002}" in out
    assert "now 2 documents" in out


def test_stats_and_remove_of_unknown_ids(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "news.db")
    main(["index", "add", "--db", db, seed(0), seed(1)])
    capsys.readouterr()
    assert main(["index", "stats", "--db", db, "--format", "json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert (stats["documents"], stats["paragraphs"]) == (2, 64)
    assert stats["config"]["shingle_size"] == 3
    assert main(["index", "stats", "--db", db]) == 0
    assert "documents: 2" in capsys.readouterr().out
    assert main(["index", "remove", "--db", db, "nope"]) == 0
    assert "not in the index: nope" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [(["check", seed(4), "--shingle-size", "4"], "shingle_size is 3 in the index but 4 was asked"),
     (["check", seed(4), "--num-perm", "64"], "num_perm is 128 in the index but 64"),
     (["add", seed(4), "--min-words", "9"], "min_words is 5 in the index but 9")],
)
def test_another_config_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    db = str(tmp_path / "news.db")
    main(["index", "add", "--db", db, seed(0)])
    capsys.readouterr()
    assert main(["index", args[0], "--db", db, *args[1:]]) == 2
    err = capsys.readouterr().err
    assert err.startswith("syndidetect: error: ") and message in err and err.count("\n") == 1


def test_threshold_alone_may_differ(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "news.db")
    main(["index", "add", "--db", db, seed(2)])
    assert main(["index", "check", "--db", db, seed(4), "--threshold", "0.5", "--format", "csv"]) == 0
    assert S002 in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [(["index", "check", "--db", "{tmp}/none.db", seed(4)], "no such index"),
     (["index", "stats", "--db", "{tmp}"], "is a directory"),
     (["index", "stats", "--db", seed(4)], "not a syndidetect index"),
     (["index", "add", "--db", "{tmp}/x/y.db", seed(4)], "cannot open the index"),
     (["index", "add", "--db", "{tmp}/a.db", "{tmp}/missing.txt"], "no such file")],
)
def test_bad_index_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    assert main([a.replace("{tmp}", str(tmp_path)) for a in args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_second_writer_waits_then_fails_with_a_clear_message(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    assert run("index", "add", "--db", str(db), seed(0), cwd=tmp_path).returncode == 0
    with closing(sqlite3.connect(db, isolation_level=None)) as holder:
        holder.execute("BEGIN IMMEDIATE")  # a writer in the middle of a batch
        started = time.monotonic()
        busy = run("index", "add", "--db", str(db), "--busy-timeout", "0.5", seed(1), cwd=tmp_path)
        assert time.monotonic() - started >= 0.5
        holder.execute("ROLLBACK")
    assert busy.returncode == 2
    assert busy.stderr == f"syndidetect: error: {db}: the index is locked by another writer (waited 0.5 s); " \
                          "try again when it has finished\n"
    assert run("index", "add", "--db", str(db), seed(1), cwd=tmp_path).returncode == 0
    assert documents_in(db) == 2


def test_kill_9_during_add_leaves_the_last_batch_and_a_rerun_finishes(tmp_path: Path) -> None:
    data = big_jsonl(tmp_path / "big.jsonl", 2500)
    db = tmp_path / "news.db"
    proc = spawn("index", "add", "--db", str(db), str(data), cwd=tmp_path)
    try:
        wait_for_documents(db, proc)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    assert integrity(db) == "ok"
    assert 0 < documents_in(db) < 2500
    again = run("index", "add", "--db", str(db), str(data), cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "replaced" in again.stdout and documents_in(db) == 2500 and integrity(db) == "ok"


def test_readers_work_while_a_writer_adds(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    assert run("index", "add", "--db", str(db), seed(2), cwd=tmp_path).returncode == 0
    data = big_jsonl(tmp_path / "big.jsonl", 2500)
    writer = spawn("index", "add", "--db", str(db), str(data), cwd=tmp_path)
    try:
        while documents_in(db) < 2 and writer.poll() is None:
            time.sleep(0.05)
        still_writing = writer.poll() is None
        check = run("index", "check", "--db", str(db), seed(4), "--format", "json", cwd=tmp_path)
    finally:
        writer.communicate()
    assert still_writing, "the writer ended before the reader started; make big.jsonl bigger"
    assert check.returncode == 0, check.stderr
    assert S002 in {p["documents"][1] for p in json.loads(check.stdout)["pairs"]}
    assert writer.returncode == 0 and documents_in(db) == 2501


def test_two_writers_take_turns(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    first = big_jsonl(tmp_path / "a.jsonl", 600)
    second = tmp_path / "b.jsonl"
    second.write_text(first.read_text().replace('"doc', '"other'))
    procs = [spawn("index", "add", "--db", str(db), str(p), cwd=tmp_path) for p in (first, second)]
    for proc in procs:
        proc.communicate()
    assert [p.returncode for p in procs] == [0, 0]
    assert documents_in(db) == 1200 and integrity(db) == "ok"
