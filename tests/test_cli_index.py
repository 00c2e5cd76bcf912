"""``syndidetect index``: the new user's flow, and crash and concurrency safety with real processes."""

from __future__ import annotations

import json
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

import syndidetect as sd
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
        time.sleep(0.01)  # a batch's commit can follow the one before by 30 ms on a fast machine
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


# Documents of big_jsonl that make an add of about five 4 MB batches: with two (2,500 documents),
# the second was committed 26 ms after the first on a fast machine, often before the kill landed.
KILLED_ADD_DOCUMENTS = 8000


def test_kill_9_during_add_leaves_the_last_batch_and_a_rerun_finishes(tmp_path: Path) -> None:
    data = big_jsonl(tmp_path / "big.jsonl", KILLED_ADD_DOCUMENTS)
    db = tmp_path / "news.db"
    proc = spawn("index", "add", "--db", str(db), str(data), cwd=tmp_path)
    try:
        wait_for_documents(db, proc)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    assert integrity(db) == "ok"
    assert 0 < documents_in(db) < KILLED_ADD_DOCUMENTS
    again = run("index", "add", "--db", str(db), str(data), cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "replaced" in again.stdout and documents_in(db) == KILLED_ADD_DOCUMENTS and integrity(db) == "ok"


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


def test_a_document_without_a_matchable_paragraph_is_indexed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    short = tmp_path / "short.txt"
    short.write_text("One short line.\n", encoding="utf-8")
    db = str(tmp_path / "news.db")
    assert main(["index", "add", "--db", db, str(short)]) == 0
    assert "added 1 document" in capsys.readouterr().out
    assert main(["index", "add", "--db", db, seed(2)]) == 0
    assert "now 2 documents" in capsys.readouterr().out
    assert main(["index", "check", "--db", db, str(short), seed(4), "--format", "json"]) == 0
    assert S002 in {p["documents"][1] for p in json.loads(capsys.readouterr().out)["pairs"]}


def test_check_of_an_indexed_id_compares_it_with_the_others_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "news.db")
    main(["index", "add", "--db", db, *map(seed, range(4))])
    capsys.readouterr()
    assert main(["index", "check", "--db", db, seed(2), seed(4), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    ids = [d["id"] for d in report["documents"]]
    assert sorted(ids) == sorted(set(ids)) and S002 in ids
    assert all(a != b for a, b in (p["documents"] for p in report["pairs"]))
    assert ["004_ab43671d69f11038.txt", S002] in [p["documents"] for p in report["pairs"] if p["verdict"] == "copy"]


def _foreign(path: Path) -> bytes:
    with closing(sqlite3.connect(path)) as con:
        con.execute("CREATE TABLE notes (body TEXT)")
        con.execute("INSERT INTO notes VALUES ('somebody else''s data')")
        con.commit()
    return path.read_bytes()


@pytest.mark.parametrize("command", [["add", seed(0)], ["remove", S002]])
def test_another_applications_database_is_refused_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    db = tmp_path / "app.db"
    before = _foreign(db)
    assert main(["index", command[0], "--db", str(db), *command[1:]]) == 2
    err = capsys.readouterr().err
    assert err == f"syndidetect: error: {db}: not a syndidetect index (an SQLite database with other tables)\n"
    assert db.read_bytes() == before  # byte for byte: not even switched to WAL mode
    assert not Path(f"{db}-wal").exists()


@pytest.mark.parametrize("command", ["add", "remove", "check", "stats"])
@pytest.mark.parametrize("value", ["-1", "nan", "inf", "-inf", "1e9", "soon"])
def test_busy_timeout_must_be_a_sensible_number_of_seconds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, value: str
) -> None:
    db = tmp_path / "news.db"
    args = {"add": [seed(0)], "remove": [S002], "check": [seed(0)], "stats": []}[command]
    assert main(["index", command, "--db", str(db), f"--busy-timeout={value}", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("syndidetect: error: argument --busy-timeout: ") and repr(value) in err
    assert err.count("\n") == 1 and not db.exists()


def test_a_writer_locked_out_after_some_batches_says_what_is_in_and_a_rerun_finishes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from syndidetect.cli import index as index_cli
    from syndidetect.store.sqlite import SQLiteStore
    from syndidetect.store.sqlite.batch import EncodedBatch

    db = tmp_path / "news.db"
    paths = [seed(0), seed(1), seed(2)]
    monkeypatch.setattr(index_cli, "BATCH_CHARS", 1)  # a batch a document
    put_encoded = SQLiteStore.put_encoded
    holder = sqlite3.connect(db, isolation_level=None)

    def then_lock(self: SQLiteStore, batch: EncodedBatch) -> list[str]:
        replaced = put_encoded(self, batch)
        if not holder.in_transaction:
            holder.execute("BEGIN IMMEDIATE")  # another writer takes the lock after our first batch
        return replaced

    with closing(holder):
        monkeypatch.setattr(SQLiteStore, "put_encoded", then_lock)
        assert main(["index", "add", "--db", str(db), "--busy-timeout", "0.2", *paths]) == 2
        holder.execute("ROLLBACK")
    err = capsys.readouterr().err
    assert err.startswith(f"syndidetect: error: {db}: the index is locked by another writer (waited 0.2 s)")
    assert err.endswith("; 1 of 3 documents are in the index: run the same command again to add the rest\n")
    assert err.count("\n") == 1 and documents_in(db) == 1
    monkeypatch.setattr(SQLiteStore, "put_encoded", put_encoded)
    assert main(["index", "add", "--db", str(db), *paths]) == 0  # what the message says to do
    assert "now 3 documents" in capsys.readouterr().out
    clean = tmp_path / "clean.db"
    main(["index", "add", "--db", str(clean), *paths])
    with closing(sqlite3.connect(db)) as a, closing(sqlite3.connect(clean)) as b:
        query = "SELECT id, text, paragraphs, spans, hashes FROM document ORDER BY doc"
        assert a.execute(query).fetchall() == b.execute(query).fetchall()


@pytest.mark.parametrize("ids", [["wire[/]", "[red]a"], ["[bold]x[/bold]", "[link=http://a]b"]])
def test_ids_and_paths_are_printed_as_they_are(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], ids: list[str]
) -> None:
    folder = tmp_path / "w[" / "]x"  # the path holds "w[/]x"
    folder.mkdir(parents=True)
    data = tmp_path / "docs.jsonl"
    data.write_text("".join(json.dumps({"id": i, "text": Path(seed(n)).read_text("utf-8")}) + "\n"
                            for n, i in enumerate(ids)), encoding="utf-8")
    db = folder / "[red]news.db"
    assert main(["index", "add", "--db", str(db), str(data)]) == 0
    assert f"added 2 documents to {db} " in capsys.readouterr().out
    assert main(["index", "remove", "--db", str(db), *ids, "[/]nope"]) == 0
    out = capsys.readouterr().out
    assert out == f"removed 2 documents from {db}: {', '.join(ids)}\nnot in the index: [/]nope\n"


def test_a_db_path_that_is_not_utf8_works(tmp_path: Path) -> None:
    import os

    db = os.fsdecode(bytes(tmp_path) + b"/news\xff.db")
    env = {**os.environ, "LC_ALL": "C.UTF-8", "PYTHONIOENCODING": ""}
    done = subprocess.run([sys.executable, "-m", "syndidetect", "index", "add", "--db", db, seed(0)],
                          capture_output=True, timeout=300, check=False, env=env)
    assert done.returncode == 0 and not done.stderr
    assert b"to " + os.fsencode(tmp_path) + b"/news\\xff.db (now 1 document" in done.stdout
    assert Path(db).exists()


def test_the_progress_bar_shows_no_path_as_markup(tmp_path: Path) -> None:
    import os

    folder = tmp_path / "w[" / "]x"
    folder.mkdir(parents=True)
    db = folder / "[red]news.db"
    env = {**os.environ, "TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "1", "TERM": "xterm",
           "COLUMNS": "1000"}  # a wide terminal to rich
    done = subprocess.run([sys.executable, "-m", "syndidetect", "index", "add", "--db", str(db), seed(0)],
                          capture_output=True, text=True, timeout=300, check=False, env=env)
    assert done.returncode == 0, done.stderr
    assert "indexing" in done.stderr  # the bar was drawn...
    assert "news.db" not in done.stderr or str(db) in done.stderr  # ...and a path in it is never markup


# -- an index edited by hand: one "corrupt index" line from every subcommand ------------------------

def _sql(*statements: str) -> Callable[[Path], None]:
    def corrupt(db: Path) -> None:
        with closing(sqlite3.connect(db, isolation_level=None)) as con:
            for statement in statements:
                con.execute(statement)
    return corrupt


def _null_text(db: Path) -> None:
    _sql("PRAGMA writable_schema=ON",
         "UPDATE sqlite_master SET sql = replace(sql, 'text TEXT NOT NULL', 'text TEXT') WHERE name = 'document'")(db)
    _sql("UPDATE document SET text = NULL")(db)


def _bytes(change: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def corrupt(db: Path) -> None:
        db.write_bytes(change(db.read_bytes()))
    return corrupt


_FP = "UPDATE meta SET value = {} WHERE key = 'fingerprint'"
_DEFAULTS = "UPDATE meta SET value = {} WHERE key = 'defaults'"
CORRUPTIONS: dict[str, Callable[[Path], None]] = {
    "every meta value": _sql("UPDATE meta SET value = 'x'"),
    "fingerprint not json": _sql(_FP.format("'x'")),
    "fingerprint a list": _sql(_FP.format("'[1]'")),
    "fingerprint without bands": _sql(_FP.format("json_remove(value, '$.bands')")),
    "fingerprint bands text": _sql(_FP.format("json_set(value, '$.bands', 'x')")),
    "fingerprint zero bands": _sql(_FP.format("json_set(value, '$.bands', 0, '$.rows', 0)")),
    "fingerprint zero num_perm": _sql(_FP.format("json_set(value, '$.num_perm', 0)")),
    "defaults not json": _sql(_DEFAULTS.format("'x'")),
    "defaults a list": _sql(_DEFAULTS.format("'[]'")),
    "defaults bad threshold": _sql(_DEFAULTS.format("json_set(value, '$.threshold', 'a')")),
    "defaults rules text": _sql(_DEFAULTS.format("json_set(value, '$.rules', 'x')")),
    "defaults unknown rule": _sql(_DEFAULTS.format("json_set(value, '$.rules.bogus', 1)")),
    "defaults without bands_option": _sql(_DEFAULTS.format("json_remove(value, '$.bands_option')")),
    "defaults row deleted": _sql("DELETE FROM meta WHERE key = 'defaults'"),
    "meta dropped": _sql("DROP TABLE meta"),
    "run rows deleted": _sql("DELETE FROM run"),
    "posting rows deleted": _sql("DELETE FROM posting"),
    "posting garbage": _sql("UPDATE posting SET data = x'010203'"),
    "posting text": _sql("UPDATE posting SET data = 'hello'"),
    "run bits too big": _sql("UPDATE run SET bits = 99"),
    "run bits negative": _sql("UPDATE run SET bits = -1"),
    "run bits text": _sql("UPDATE run SET bits = 'x'"),
    "posting dropped": _sql("DROP TABLE posting"),
    "run dropped": _sql("DROP TABLE run"),
    "spans garbage": _sql("UPDATE document SET spans = x'0102'"),
    "flags empty": _sql("UPDATE document SET flags = x''"),
    "counts garbage": _sql("UPDATE document SET counts = x'01'"),
    "hashes garbage": _sql("UPDATE document SET hashes = x'010203'"),
    "hashes text": _sql("UPDATE document SET hashes = 'abcd'"),
    "paragraphs negative": _sql("UPDATE document SET paragraphs = -1"),
    "paragraphs huge": _sql("UPDATE document SET paragraphs = 100000000"),
    "paragraphs text": _sql("UPDATE document SET paragraphs = 'x'"),
    "text shortened": _sql("UPDATE document SET text = '5'"),
    "text not utf-8": _sql("UPDATE document SET text = CAST(x'ff00fe' AS TEXT)"),
    "text a blob": _sql("UPDATE document SET text = x'ff00fe'"),
    "text null": _null_text,
    "date a blob": _sql("UPDATE document SET date = x'ff'"),
    "document dropped": _sql("DROP TABLE document"),
    "fingerprint runs dropped": _sql("DROP TABLE fpbucket"),
    "fingerprint run row deleted": _sql("DELETE FROM fprun"),
    "fingerprint data garbage": _sql("UPDATE fpbucket SET data = x'01'"),
    "truncated to half": _bytes(lambda data: data[: len(data) // 2]),
    "truncated to its header": _bytes(lambda data: data[:100]),
    "header scribbled": _bytes(lambda data: b"x" * 50 + data[50:]),
    "not sqlite at all": _bytes(lambda data: random.Random(1).randbytes(len(data))),
}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("template") / "news.db"
    assert main(["index", "add", "--db", str(db), *map(seed, range(4))]) == 0
    return db


@pytest.mark.parametrize("corruption", list(CORRUPTIONS))
def test_an_index_edited_by_hand_is_one_corrupt_index_line(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], corruption: str
) -> None:
    capsys.readouterr()
    codes = {}
    for command, args in [("check", [seed(4)]), ("remove", [S002]), ("add", [seed(4)]), ("stats", [])]:
        db = tmp_path / f"{command}.db"
        shutil.copy(template, db)
        CORRUPTIONS[corruption](db)
        codes[command] = main(["index", command, "--db", str(db), *args])  # never raises
        err = capsys.readouterr().err
        assert codes[command] in (0, 2) and "Traceback" not in err
        if codes[command] == 2:  # an edit this command did not read may go unnoticed, never misread
            assert err.startswith(f"syndidetect: error: {db}: corrupt index (") and err.count("\n") == 1, err
    assert codes["check"] == 2  # check reads all it needs: metadata, runs, postings, candidates


def test_a_corrupt_index_is_an_index_format_error_in_the_library(template: Path, tmp_path: Path) -> None:
    from syndidetect.errors import IndexFormatError, SyndidetectError

    db = tmp_path / "news.db"
    shutil.copy(template, db)
    CORRUPTIONS["hashes garbage"](db)
    corrupt = f"^{re.escape(str(db))}: corrupt index"
    with sd.Detector.open(db) as det, pytest.raises(IndexFormatError, match=corrupt) as raised:
        det.query([sd.Document("new", Path(seed(4)).read_text("utf-8"))])
    assert isinstance(raised.value, SyndidetectError)
