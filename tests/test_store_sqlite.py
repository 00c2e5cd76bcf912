"""The SQLite store: same answers as the memory store, a versioned format, clear errors."""

from __future__ import annotations

import re
import shutil
import sqlite3
import sys
import threading
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import syndidetect as sd
from syndidetect._kernels import posting_sort
from syndidetect.errors import ArgumentError, ConfigError, IndexFormatError, InputError
from syndidetect.lsh import stored_candidates
from syndidetect.prepared import PreparedDocument, prepare_documents
from syndidetect.store import MemoryStore, SQLiteStore, Store
from syndidetect.store.sqlite import (
    IndexBusyError,
    IndexWriteError,
    posting_entries,
    run_tables,
    signatures_from_hashes,
    stored_config,
)
from syndidetect.store.sqlite import runs as posting_runs

SEEDS = Path(__file__).parent.parent / "seeds"


def seed_docs() -> list[sd.Document]:
    return [sd.Document(p.name, p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("0*.txt"))]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "news.db"
    with sd.Detector.open(path) as det:
        det.add_many(seed_docs()[:4])
    return path


def _candidates(store: Store, queries: list[PreparedDocument]) -> dict[str, list[str]]:
    """The stored documents sharing a band key with each query, through the store's postings."""
    return dict(zip([q.id for q in queries], stored_candidates(queries, store.postings, store.bands, store.rows)))


def _pairs(report: sd.Report) -> list[tuple[tuple[str, str], str, int]]:
    return [(p.documents, p.verdict, len(p.matches)) for p in report.pairs]


def test_query_and_find_copies_agree_with_the_memory_store(db: Path) -> None:
    memory = sd.Detector()
    memory.add_many(seed_docs()[:4])
    with sd.Detector.open(db) as det:
        assert _pairs(det.query(seed_docs()[4:])) == _pairs(memory.query(seed_docs()[4:]))
        assert _pairs(det.find_copies()) == _pairs(memory.find_copies())
        assert det.stats()["documents"] == 4


def test_seed_004_copies_002_until_it_is_removed(db: Path) -> None:
    with sd.Detector.open(db) as det:
        copies = det.query(seed_docs()[4:]).copies
        assert [p.documents[1] for p in copies] == ["002_9d80eb7e5257ff50.txt"]
        assert len(copies[0].matches) >= 7
        assert det.remove(["002_9d80eb7e5257ff50.txt", "absent"]) == ["002_9d80eb7e5257ff50.txt"]
        assert det.query(seed_docs()[4:]).copies == ()


def test_a_document_comes_back_exactly_as_prepared(db: Path) -> None:
    original = prepare_documents(seed_docs()[:1], sd.Config())[0]
    with SQLiteStore(db) as store:
        back = store.get(original.id)
    assert back.paragraphs == original.paragraphs and back.document == original.document
    np.testing.assert_array_equal(back.matchable, original.matchable)
    np.testing.assert_array_equal(back.hashes, original.hashes)
    np.testing.assert_array_equal(back.offsets, original.offsets)
    np.testing.assert_array_equal(back.signatures, original.signatures)


@pytest.mark.parametrize("text", ["Plain ASCII words in a paragraph long enough to count here.",
                                  "“Curly quotes”, an é, a 😀 and a NUL \x00 inside a paragraph long enough.",
                                  "Кириллица и 中文 в одном абзаце достаточной длины для сравнения здесь."])
def test_text_is_stored_as_text_and_the_document_holds_no_second_copy(tmp_path: Path, text: str) -> None:
    """The stored text is TEXT with the same bytes a ``str`` would have given, and storing a
    document leaves its ``str`` as it was: bound as a ``str``, the sqlite3 module kept a UTF-8 copy
    inside every text that is not ASCII (the whole input twice in ``index add``)."""
    prepared = prepare_documents([sd.Document("a", text + "\n\n" + text[::-1])], sd.Config())
    size = sys.getsizeof(prepared[0].document.text)
    with SQLiteStore(tmp_path / "t.db") as store:
        store.put(prepared)
        assert sys.getsizeof(prepared[0].document.text) == size
        assert store.get("a").document == prepared[0].document
    with closing(sqlite3.connect(tmp_path / "t.db")) as con:
        kind, stored = con.execute("SELECT typeof(text), CAST(text AS BLOB) FROM document").fetchone()
    assert kind == "text" and stored == prepared[0].document.text.encode("utf-8")


def test_signatures_are_rebuilt_from_hashes_including_empty_rows() -> None:
    sk = sd.signatures(["a b c d e", "", "x y z"], num_perm=16)
    prepared = prepare_documents([sd.Document("d", "a b c d e\n\n\n\nx y z")], sd.Config(num_perm=16))[0]
    rebuilt = signatures_from_hashes(prepared.hashes, prepared.offsets, 16, 1)
    np.testing.assert_array_equal(rebuilt, prepared.signatures)
    empty = signatures_from_hashes(np.zeros(0, np.uint32), np.zeros(2, np.int64), 16, 1)
    np.testing.assert_array_equal(empty[0], sk[1])


def test_replace_keeps_one_copy_and_moves_it_last(db: Path) -> None:
    with sd.Detector.open(db) as det:
        assert det.add(seed_docs()[0]) == [seed_docs()[0].id]
        assert det.store.ids()[-1] == seed_docs()[0].id
        assert det.stats()["documents"] == 4
        with pytest.raises(KeyError, match="absent"):
            det.store.get("absent")


def test_fingerprint_counts_agree_with_the_memory_store(db: Path) -> None:
    prepared = prepare_documents(seed_docs(), sd.Config())
    memory = MemoryStore(64, 2)
    memory.put(prepared[:4])
    from syndidetect.boilerplate import paragraph_fingerprints

    prints = [fp for fp in paragraph_fingerprints(prepared[4]) if fp]
    with SQLiteStore(db) as store:
        assert store.fingerprint_counts(prints) == memory.fingerprint_counts(prints)


def test_the_index_config_is_the_default(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    with sd.Detector.open(path, sd.Config(threshold=0.5, shingle_size=4)):
        pass
    with sd.Detector.open(path) as det:
        assert (det.config.threshold, det.config.shingle_size) == (0.5, 4)
    assert stored_config(path) == sd.Config(threshold=0.5, shingle_size=4)
    assert stored_config(tmp_path / "none.db") is None


def test_threshold_only_changes_verification(db: Path) -> None:
    with sd.Detector.open(db, sd.Config(threshold=0.9)) as det:
        assert det.config.threshold == 0.9
        assert (det.store.bands, det.store.rows) == (64, 2)


@pytest.mark.parametrize(
    ("change", "named"),
    [({"shingle_size": 4}, "shingle_size is 3 in the index but 4"), ({"num_perm": 64}, "num_perm"),
     ({"seed": 7}, "seed is 1 in the index but 7"), ({"min_words": 9}, "min_words"), ({"bands": 32}, "bands is 64")],
)
def test_another_fingerprint_is_refused(db: Path, change: dict[str, Any], named: str) -> None:
    with pytest.raises(IndexFormatError, match=named):
        sd.Detector.open(db, sd.Config(**change))


def _poke(path: Path, *statements: str) -> None:
    with closing(sqlite3.connect(path)) as con:
        for statement in statements:
            con.execute(statement)
        con.commit()


@pytest.mark.parametrize("version", [1, 4])  # 1: band tables, before posting runs; 4: a newer one
def test_unknown_version_is_refused(db: Path, version: int) -> None:
    _poke(db, f"PRAGMA user_version={version}")
    with pytest.raises(IndexFormatError, match=f"format version {version} is not supported"):
        SQLiteStore(db)


def test_runs_merge_and_drop_removed_documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Many small batches: runs merge, answers stay those of the memory store, removed documents
    are never reported and their entries go at the next merge."""
    monkeypatch.setattr(run_tables, "_RATIO", 1 << 40)  # each merge merges all runs into one
    monkeypatch.setattr(run_tables, "MAX_RUNS", 0)  # and each add merges
    docs = seed_docs()
    memory = sd.Detector()
    with sd.Detector.open(tmp_path / "runs.db") as det:
        for doc in docs[:4]:
            det.add(doc)
            memory.add(doc)
        store = det.store
        assert isinstance(store, SQLiteStore)
        assert store._con.execute("SELECT count(*) FROM run").fetchone()[0] == 1
        assert _pairs(det.query(docs[4:])) == _pairs(memory.query(docs[4:]))
        assert _pairs(det.find_copies()) == _pairs(memory.find_copies())
        removed = store._con.execute("SELECT doc FROM document WHERE id = ?", (docs[2].id,)).fetchone()[0]
        det.remove([docs[2].id])
        assert removed in store._postings.read(store._postings.runs())[2]  # left in place...
        memory.remove([docs[2].id])
        assert _pairs(det.query(docs[4:])) == _pairs(memory.query(docs[4:]))
        assert _pairs(det.find_copies()) == _pairs(memory.find_copies())
        det.add(docs[4])  # ...until the next merge
        assert removed not in store._postings.read(store._postings.runs())[2]
        assert store._con.execute("SELECT count(*) FROM run").fetchone()[0] == 1


@pytest.mark.parametrize("step", [1, 3, 64, 1 << 62])
@pytest.mark.parametrize("size", [0, 1, 2, 500])
def test_bucket_starts_are_where_the_bucket_changes_whatever_the_step(step: int, size: int) -> None:
    values = np.sort(np.random.default_rng(size).integers(0, 1 << 12, size, dtype=np.uint64))
    for shift in (0, 4, 8):
        bucket = values >> np.uint64(shift)
        expected = np.flatnonzero(np.concatenate(([True], bucket[1:] != bucket[:-1])))[: len(values)]
        assert run_tables.bucket_starts(values, shift, step).tolist() == expected.tolist()


def test_runs_of_another_bucket_size_are_read_and_merged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An index whose runs were written with other bucket sizes (an older release's 32 entries, a
    future one's) answers as one written with today's, before and after its runs merge."""
    docs = [sd.Document(f"{i}-{d.id}", d.text) for i in range(3) for d in seed_docs()]
    prepared = prepare_documents(docs, sd.Config())
    queries = prepare_documents(seed_docs(), sd.Config())
    with SQLiteStore(tmp_path / "one.db") as store:
        store.put(prepared)
        expected = _candidates(store, queries)
    monkeypatch.setattr(run_tables, "MAX_RUNS", 24)
    with SQLiteStore(tmp_path / "mixed.db") as store:
        for size, start in ((2, 0), (32, 5), (run_tables.POSTING_BUCKET, 10)):
            monkeypatch.setattr(run_tables, "POSTING_BUCKET", size)
            store.put(prepared[start : start + 5])
        bits = {b for _, b, _ in store._postings.runs()}
        assert len(bits) == 3  # three runs, each on its own bucket bits
        assert _candidates(store, queries) == expected
        store._postings.merge()
        assert len(store._postings.runs()) == 1
        assert _candidates(store, queries) == expected


def _random_run(rng: np.random.Generator, docs: range, bands: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Entries of documents ``docs`` as a batch makes them: every band, keys drawn from a small
    range (so buckets and keys repeat across runs), sorted by band, key and document."""
    doc = np.repeat(np.arange(docs.start, docs.stop, dtype=np.int64), bands)
    band = np.tile(np.arange(bands, dtype=np.int64), len(docs))
    key = rng.integers(0, 1 << 32, size=len(doc), dtype=np.uint64).astype(np.uint32)
    key[rng.random(len(key)) < 0.5] = rng.integers(0, 8, dtype=np.uint32)  # shared keys: ties on band and key
    order = np.lexsort((doc, key, band))
    return band[order], key[order], doc[order]


@pytest.mark.parametrize("packable", [True, False], ids=["packed", "rowids-too-large-to-pack"])
@pytest.mark.parametrize("from_file", [False, True, None], ids=["kept-in-memory", "read-back", "kept-until-full"])
@pytest.mark.parametrize("step", [0, 7], ids=["whole-runs", "in-steps"])
def test_a_merge_holds_the_live_entries_sorted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               packable: bool, from_file: bool | None, step: int) -> None:
    """Merging runs, from memory or read back from the file (None: kept in memory until they pass
    the room there, then read back), with rowids that fit a packed entry or not, whole or a few
    entries and rows at a time: the one run left holds every entry of the documents still stored,
    sorted by band, key and document, and a lookup finds each of their keys."""
    monkeypatch.setattr(run_tables, "_RATIO", 1 << 40)  # each merge merges all runs into one
    monkeypatch.setattr(run_tables, "MAX_RUNS", 0)  # and each add merges
    if from_file is None:  # two batches (96 entries each) and their merge fit, the third does not
        monkeypatch.setattr(posting_runs, "_CACHED_ENTRIES", 200)
    if step:  # steps and statements that cut buckets and removed documents' entries anywhere
        monkeypatch.setattr(posting_runs, "_STEP", step)
        monkeypatch.setattr(run_tables, "POSTING_BUCKET", 4)
        monkeypatch.setattr(run_tables, "_STATEMENT_BYTES", 40)
    bands = 8  # a packed entry: 3 bits of band, 32 of key, 29 of rowid
    first_doc = 1 if packable else (1 << 29) - 30  # the later batches' rowids take 30 bits
    rng = np.random.default_rng(first_doc)
    removed = {first_doc + 3, first_doc + 40}
    live: set[int] = set()
    with SQLiteStore(tmp_path / "merge.db") as store:
        runs = posting_runs.PostingRuns(store._con, bands, tmp_path / "merge.db",
                                        lambda: np.array(sorted(live), dtype=np.int64))
        written = []
        for start in range(first_doc, first_doc + 60, 12):  # batches of 12 documents, rowids growing
            batch = _random_run(rng, range(start, start + 12), bands)
            live |= set(range(start, start + 12)) - removed
            written.append(batch)
            if from_file:
                runs.forget()
            runs.add(*batch)
        store._con.commit()
        assert len(runs.runs()) == 1
        band, key, doc = (np.concatenate([run[field] for run in written]) for field in range(3))
        kept = np.isin(doc, sorted(live))
        order = np.lexsort((doc[kept], key[kept], band[kept]))
        expected = band[kept][order], key[kept][order], doc[kept][order]
        assert [field.tolist() for field in runs.read(runs.runs())] == [field.tolist() for field in expected]
        keys = np.zeros((1, bands), dtype=np.uint32)
        probe = int(rng.integers(len(order)))
        keys[0, expected[0][probe]] = expected[1][probe]
        assert int(expected[2][probe]) in runs.lookup(keys)[0]


def _outweighs(sizes: list[int]) -> bool:
    """Whether each run holds more than ``_RATIO`` times the entries of all newer ones."""
    return all(sum(sizes[k + 1 :]) * run_tables._RATIO < sizes[k] for k in range(len(sizes) - 1))


def _run_sizes(path: Path) -> list[int]:
    with closing(sqlite3.connect(path)) as con:
        return [e for (e,) in con.execute("SELECT entries FROM run ORDER BY run")]


def test_each_run_outweighs_all_newer_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Merging after every batch: each run holds more than ``_RATIO`` times the entries of all
    newer runs (so there are O(log n) runs to search), and answers stay those of the memory store."""
    monkeypatch.setattr(run_tables, "MAX_RUNS", 0)
    docs = [sd.Document(f"{i}-{d.id}", d.text) for i in range(3) for d in seed_docs()]
    memory = MemoryStore(64, 2)
    prepared = prepare_documents(docs, sd.Config())
    with SQLiteStore(tmp_path / "ratio.db") as store:
        for i, doc in enumerate(prepared):
            store.put([doc])
            memory.put([doc])
            sizes = _run_sizes(tmp_path / "ratio.db")
            assert _outweighs(sizes)
            if i in (3, len(prepared) - 1):
                assert _candidates(store, prepared) == _candidates(memory, prepared)
        assert 1 < len(sizes) <= 4


def test_an_add_of_a_million_paragraphs_writes_each_posting_twice(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """110 batches, as ``index add`` cuts 1M paragraphs: each entry is written in its batch's run
    and once more when the writer closes, never in a merge on the way (``MAX_RUNS``)."""
    written = [0]
    store_packed = posting_runs.PostingRuns._store_packed

    def counted(runs: posting_runs.PostingRuns, packed: np.ndarray) -> None:
        written[0] += len(packed)
        store_packed(runs, packed)

    monkeypatch.setattr(posting_runs.PostingRuns, "_store_packed", counted)
    prepared = prepare_documents([sd.Document(f"d{i}", f"Paragraph {i} of the corpus, with words of its own: "
                                              f"number {i} in words is {i * 7919}.") for i in range(110)], sd.Config())
    with SQLiteStore(tmp_path / "twice.db") as store:
        for doc in prepared:
            store.put([doc])
    entries = sum(_run_sizes(tmp_path / "twice.db"))
    assert entries > 0 and written[0] == 2 * entries


@pytest.mark.parametrize("spare", [3, 5])
def test_a_writer_merges_past_max_runs_and_when_it_closes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          spare: int) -> None:
    """Runs pile up to ``MAX_RUNS`` between merges (each batch is written once), a writer merges
    them when it closes; leaving on an error leaves them to the next writer, and every answer on
    the way is the memory store's."""
    monkeypatch.setattr(run_tables, "MAX_RUNS", spare)
    path = tmp_path / "spare.db"
    docs = [sd.Document(f"{i}-{d.id}", d.text) for i in range(3) for d in seed_docs()]
    prepared = prepare_documents(docs, sd.Config())
    memory = MemoryStore(64, 2)
    counts = []
    with SQLiteStore(path) as store:
        for doc in prepared[:10]:
            store.put([doc])
            memory.put([doc])
            counts.append(len(_run_sizes(path)))
            assert _candidates(store, prepared) == _candidates(memory, prepared)
    assert max(counts) == spare and counts[:spare] == list(range(1, spare + 1))  # no merge before
    merged = _run_sizes(path)
    assert _outweighs(merged) and len(merged) < spare  # merged on closing
    with pytest.raises(KeyboardInterrupt), sd.Detector.open(path) as det:
        det.add_many(docs[10:12])
        raise KeyboardInterrupt
    assert len(_run_sizes(path)) == len(merged) + 1  # the batch is committed, its run left as it is
    with SQLiteStore(path, readonly=True) as reader:
        memory.put(prepared[10:12])
        assert _candidates(reader, prepared) == _candidates(memory, prepared)
    with SQLiteStore(path) as store:
        store.put(prepared[12:13])
        memory.put(prepared[12:13])
    assert _outweighs(_run_sizes(path))  # the next writer merged them with its own
    with SQLiteStore(path, readonly=True) as reader:
        assert _candidates(reader, prepared) == _candidates(memory, prepared)


def test_posting_rows_are_cut_from_the_bound_data_in_statements(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """However the rows fall into statements (a bucket larger than a statement's share included),
    the posting rows hold exactly each bucket's entries."""
    prepared = prepare_documents([sd.Document(f"{i}-{d.id}", d.text) for i in range(2) for d in seed_docs()],
                                 sd.Config())
    expected = None
    monkeypatch.setattr(run_tables, "POSTING_BUCKET", 8)  # several buckets a band, for these few documents
    for limit in (1 << 26, 100, 8, 1):
        monkeypatch.setattr(run_tables, "_STATEMENT_BYTES", limit)
        path = tmp_path / f"cut{limit}.db"
        with SQLiteStore(path) as store:
            store.put(prepared)
        with closing(sqlite3.connect(path)) as con:
            rows = con.execute("SELECT bucket, data FROM posting ORDER BY run, bucket").fetchall()
        assert all(isinstance(data, bytes) and len(data) % 8 == 0 and data for _, data in rows)
        assert expected is None or rows == expected
        expected = rows
    assert expected is not None and len(expected) > 64


def test_a_writers_commits_are_copied_into_the_file_by_its_checkpoint_thread(tmp_path: Path) -> None:
    """After a commit, the writer's checkpoint thread copies the WAL into the index file while the
    writer goes on (SQLite's own checkpoint waits for far more pages than one batch of the seeds);
    closing stops the thread, and the last connection out removes the WAL file."""
    path = tmp_path / "checkpointed.db"
    store = SQLiteStore(path)
    try:
        store.put(prepare_documents(seed_docs(), sd.Config()))
        deadline = time.monotonic() + 60
        stored = 0
        while stored < len(seed_docs()) and time.monotonic() < deadline:
            shutil.copyfile(path, tmp_path / "file-alone.db")  # the file without its WAL
            try:
                with closing(sqlite3.connect(tmp_path / "file-alone.db")) as con:
                    stored = con.execute("SELECT count(*) FROM document").fetchone()[0]
            except sqlite3.Error:  # copied before the schema's checkpoint, or in the middle of one
                stored = 0
            time.sleep(0.01)
        assert stored == len(seed_docs())
        assert any(t.name == "syndidetect-checkpoints" for t in threading.enumerate())
        assert store._con.execute("PRAGMA temp_store").fetchone()[0] == 2  # statement journals in memory
    finally:
        store.close()
    assert not any(t.name == "syndidetect-checkpoints" for t in threading.enumerate())
    assert not Path(f"{path}-wal").exists()


def test_another_tokenizer_is_refused(db: Path) -> None:
    _poke(db, "UPDATE meta SET value = json_set(value, '$.tokenizer', 99) WHERE key = 'fingerprint'")
    with pytest.raises(IndexFormatError, match="tokenizer version 99"):
        SQLiteStore(db)


def test_another_format_name_is_refused(db: Path) -> None:
    _poke(db, "UPDATE meta SET value = 'other' WHERE key = 'format'")
    with pytest.raises(IndexFormatError, match="format 'other'"):
        SQLiteStore(db)


def test_foreign_files_are_refused(tmp_path: Path) -> None:
    text = tmp_path / "a.txt"
    text.write_text("not a database at all, but long enough to have a header " * 20)
    with pytest.raises(IndexFormatError, match="not an SQLite database"):
        SQLiteStore(text)
    other = tmp_path / "other.db"
    _poke(other, "CREATE TABLE t (x)")
    with pytest.raises(IndexFormatError, match="other tables"):
        SQLiteStore(other)
    _poke(tmp_path / "app.db", "PRAGMA application_id=5", "PRAGMA user_version=1")
    with pytest.raises(IndexFormatError, match="application id 0x5"):
        SQLiteStore(tmp_path / "app.db")
    (tmp_path / "empty.db").touch()
    with pytest.raises(IndexFormatError, match="empty file"):
        SQLiteStore(tmp_path / "empty.db", readonly=True)


def test_bad_paths_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such index"):
        SQLiteStore(tmp_path / "none.db", create=False)
    with pytest.raises(InputError, match="is a directory"):
        SQLiteStore(tmp_path)
    with pytest.raises(IndexWriteError, match="cannot open the index"):
        SQLiteStore(tmp_path / "no" / "such" / "dir.db")


def test_readonly_store_refuses_writes(db: Path) -> None:
    with SQLiteStore(db, readonly=True) as store, pytest.raises(IndexWriteError, match="opened read-only"):
        store.remove(["x"])


def test_only_readonly_handles_map_the_file_and_they_read_what_a_writer_reads(db: Path) -> None:
    with SQLiteStore(db) as writer, SQLiteStore(db, readonly=True) as reader:
        assert writer._con.execute("PRAGMA mmap_size").fetchone()[0] == 0
        assert reader._con.execute("PRAGMA mmap_size").fetchone()[0] > 0
        assert reader.ids() == writer.ids() and reader.ids()
        doc = reader.ids()[0]
        assert np.array_equal(reader.get(doc).signatures, writer.get(doc).signatures)
        keys = np.arange(3 * writer.bands, dtype=np.uint64).reshape(3, writer.bands)
        assert reader.postings(keys) == writer.postings(keys)


def test_readonly_database_is_a_clear_error(db: Path) -> None:
    # query_only makes SQLite answer SQLITE_READONLY as for a read-only file (chmod means nothing to root).
    with SQLiteStore(db) as store:
        store._con.execute("PRAGMA query_only=1")
        with pytest.raises(IndexWriteError, match="it is read-only"):
            store.remove([seed_docs()[0].id])


def test_full_disk_keeps_the_last_batch(db: Path) -> None:
    big = [sd.Document(f"big{i}", "\n\n".join(f"word{i} number{j} " * 30 for j in range(200))) for i in range(5)]
    with SQLiteStore(db) as store:
        pages = store._con.execute("PRAGMA page_count").fetchone()[0]
        store._con.execute(f"PRAGMA max_page_count={pages}")  # what SQLite reports when the disk is full
        with pytest.raises(IndexWriteError, match="the disk is full"):
            store.put(prepare_documents(big, store.config))
        assert store.stats()["documents"] == 4
    with closing(sqlite3.connect(db)) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_second_writer_waits_then_fails(db: Path) -> None:
    with closing(sqlite3.connect(db, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        with SQLiteStore(db, timeout=0.1) as store, pytest.raises(IndexBusyError, match="locked by another writer"):
            store.remove(["x"])
        other.execute("ROLLBACK")


def test_a_writer_closing_while_another_holds_the_lock_leaves_its_runs_unmerged(db: Path) -> None:
    """The merge on closing waits out the busy timeout, then is left to the next writer: what was
    added stays committed and found, and closing does not fail."""
    before = len(_run_sizes(db))
    store = SQLiteStore(db, timeout=0.1)
    added = prepare_documents([sd.Document(f"late-{d.id}", d.text) for d in seed_docs()[:2]], store.config)
    store.put(added)
    with closing(sqlite3.connect(db, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        store.close()  # no IndexBusyError
        other.execute("ROLLBACK")
    assert len(_run_sizes(db)) == before + 1
    with SQLiteStore(db, readonly=True) as reader:
        assert {d.id for d in added} <= set(reader.ids())
        assert all(d.id in _candidates(reader, [d])[d.id] for d in added)


def test_corrupt_file_is_a_format_error(db: Path) -> None:
    data = bytearray(db.read_bytes())
    page = int.from_bytes(data[16:18], "big")  # the header's page size, 1 standing for 65536
    page = 65536 if page == 1 else page
    data[page : page * 3] = b"\x0d" * (page * 2)  # scribble over the first table pages
    db.write_bytes(bytes(data))
    with pytest.raises(IndexFormatError, match=r"corrupt|not a syndidetect index"), SQLiteStore(db) as store:
        store.ids()


def test_candidates_of_several_queries_agree_with_the_memory_store(tmp_path: Path) -> None:
    prepared = prepare_documents([*seed_docs(), sd.Document("dup", seed_docs()[2].text)], sd.Config())
    memory = MemoryStore(64, 2)
    memory.put(prepared[:3])
    with SQLiteStore(tmp_path / "q.db") as store:
        store.put(prepared[:3])
        got = _candidates(store, prepared[2:])
    assert got == _candidates(memory, prepared[2:])
    assert got["dup"] and got["004_ab43671d69f11038.txt"]


def test_a_document_without_a_matchable_paragraph_is_stored(tmp_path: Path) -> None:
    with sd.Detector.open(tmp_path / "short.db") as det:
        assert det.add(("short", "One short line.")) == []  # no band key at all: no run
        assert det.add_many(seed_docs()[:3]) == []
        assert det.store.get("short").document.text == "One short line."
        assert det.stats()["documents"] == 4
        assert not det.query([("again", "One short line.")]).pairs
        assert all("short" not in p.documents for p in det.find_copies().pairs)


@pytest.mark.parametrize("timeout", [-1, float("nan"), float("inf"), 1e9])
def test_a_busy_timeout_out_of_range_is_refused(tmp_path: Path, timeout: float) -> None:
    with pytest.raises(ConfigError, match=r"'timeout' must be a number of seconds in \[0, 86400\]"):
        SQLiteStore(tmp_path / "t.db", timeout=timeout)
    with pytest.raises(ArgumentError, match="'timeout' must be a number of seconds; got str"):
        SQLiteStore(tmp_path / "t.db", timeout="10")  # type: ignore[arg-type]
    assert not (tmp_path / "t.db").exists()


def test_another_applications_database_is_not_written_before_it_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "app.db"
    _poke(other, "PRAGMA application_id=5", "PRAGMA user_version=1", "CREATE TABLE t (x)")
    before = other.read_bytes()
    with pytest.raises(IndexFormatError, match="application id 0x5"):
        SQLiteStore(other)
    assert other.read_bytes() == before and not Path(f"{other}-wal").exists()
    with closing(sqlite3.connect(other)) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_a_posting_row_deleted_by_hand_is_found_when_its_run_is_merged(db: Path) -> None:
    _poke(db, "DELETE FROM posting WHERE (run, bucket) = (SELECT run, bucket FROM posting LIMIT 1)")
    det = sd.Detector.open(db)
    det.add_many(seed_docs()[:4])  # a run as large as the first: the two are merged on closing
    with pytest.raises(IndexFormatError, match=r"corrupt index \(run \d+ holds"):
        det.close()
    det.close()  # closed all the same


@pytest.mark.parametrize("rows", [1, 3])
def test_runs_read_a_few_rows_at_a_time_are_read_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        rows: int) -> None:
    """A merge reads runs from the file ``_READ_ROWS`` posting rows at a time, into arrays of the
    runs' total size: every run, every entry, in order, and a run holding more entries than its
    run row says is still refused."""
    path = tmp_path / "runs.db"
    monkeypatch.setattr(run_tables, "_RATIO", 0)  # no merge, not even on closing: several runs stay
    with SQLiteStore(path) as store:
        for doc in prepare_documents(seed_docs(), sd.Config()):
            store.put([doc])
    with SQLiteStore(path, readonly=True) as fresh:
        runs = fresh._postings.runs()
        whole = fresh._postings.read(runs)
        monkeypatch.setattr(posting_runs, "_READ_ROWS", rows)
        assert len(runs) == 5
        chunked = fresh._postings.read(runs)
        for k in range(3):  # band, key, doc
            assert chunked[k].dtype == whole[k].dtype
            np.testing.assert_array_equal(chunked[k], whole[k])
        assert len(whole[0]) == sum(count for _, _, count in runs)
    first, _, count = runs[0]
    _poke(path, f"INSERT INTO posting SELECT run, bucket + 1000000, data FROM posting WHERE run = {first} LIMIT 1")
    with SQLiteStore(path, readonly=True) as fresh, pytest.raises(ValueError) as refused:
        fresh._postings.read(runs)
    held = re.fullmatch(rf"run {first} holds (\d+) entries, its run row says {count}", str(refused.value))
    assert held is not None and int(held[1]) > count


def test_a_corrupt_index_names_the_file_and_what_is_wrong(db: Path) -> None:
    _poke(db, "UPDATE meta SET value = json_remove(value, '$.rows') WHERE key = 'fingerprint'")
    with pytest.raises(IndexFormatError, match=rf"^{re.escape(str(db))}: corrupt index \(meta 'fingerprint' lacks "
                                               "an integer rows\\)$"):
        SQLiteStore(db, readonly=True)
    _poke(db, "UPDATE meta SET value = 'x' WHERE key = 'fingerprint'")
    with pytest.raises(IndexFormatError, match=r"corrupt index \(meta 'fingerprint' is missing or not a JSON object\)"):
        sd.Detector.open(db)


def _disk_entries(path: Path) -> list[tuple[int, int, int]]:
    """Every posting entry of the file, read by a fresh connection, as sorted ``(band, key, doc)``."""
    with SQLiteStore(path, readonly=True) as fresh:
        band, key, doc = fresh._postings.read(fresh._postings.runs())
    return sorted(zip(band.tolist(), key.tolist(), doc.tolist()))


def test_runs_kept_in_memory_follow_other_writers_and_rollbacks(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A writer merges the runs it wrote from memory: another writer's commits and batches rolled
    back after a merge must not leave it merging stale entries."""
    path = tmp_path / "two.db"
    prepared = prepare_documents([sd.Document(f"{i}-{d.id}", d.text) for i in range(3) for d in seed_docs()],
                                 sd.Config())
    monkeypatch.setattr(run_tables, "MAX_RUNS", 0)  # every batch merges
    merge = posting_runs.PostingRuns.merge

    def merge_then_fail(self: posting_runs.PostingRuns, spare: int = 0) -> None:
        merge(self, spare)
        raise OSError("the batch fails after its runs were merged")

    memory = MemoryStore(64, 2)
    with SQLiteStore(path) as first, SQLiteStore(path) as second:
        for i, doc in enumerate(prepared):
            (first if i % 3 else second).put([doc])
            memory.put([doc])
            if i % 4 == 1:
                with monkeypatch.context() as patch:
                    patch.setattr(posting_runs.PostingRuns, "merge", merge_then_fail)
                    with pytest.raises(OSError, match="after its runs were merged"):
                        first.put(prepared[::-1])  # other documents, whose rowids come again
        for store in (first, second):
            assert _candidates(store, prepared) == _candidates(memory, prepared)
        band, key, owner = first._postings.read(first._postings.runs())
    assert sorted(zip(band.tolist(), key.tolist(), owner.tolist())) == _disk_entries(path)


class _Rows:
    """The rows of a finished read, as a cursor gives them."""

    def __init__(self, rows: list[Any]) -> None:
        self._rows = rows

    def fetchone(self) -> Any:
        return self._rows[0] if self._rows else None


class _CreatedBetweenReads:
    """A connection whose first read of the header lets another writer create the index right after
    it: what a second ``index add`` on a new file meets when both start at once."""

    def __init__(self, con: sqlite3.Connection, create: Callable[[], None] | None) -> None:
        self._con, self._create = con, create

    def execute(self, sql: str, *args: Any) -> Any:
        if "user_version" not in sql or self._create is None:
            return self._con.execute(sql, *args)
        rows = self._con.execute(sql, *args).fetchall()  # the read done, its statement finished
        create, self._create = self._create, None
        create()
        return _Rows(rows)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


def test_an_index_created_by_another_writer_while_opening_is_opened(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "news.db"
    connect = SQLiteStore._connect

    def racing(store: SQLiteStore, create: bool) -> Any:
        def other_writer() -> None:
            monkeypatch.setattr(SQLiteStore, "_connect", connect)  # the other writer connects plainly
            SQLiteStore(path).close()
        return _CreatedBetweenReads(connect(store, create), other_writer)

    monkeypatch.setattr(SQLiteStore, "_connect", racing)
    store = SQLiteStore(path)  # read the header while the other one created the index: no error
    try:
        assert store.ids() == [] and store.bands > 0
    finally:
        store.close()


def test_a_new_index_opened_while_another_process_holds_its_lock_waits(tmp_path: Path) -> None:
    # Another process's transaction on the new file, before its switch to WAL: SQLite answers the
    # switch "busy" at once, without its busy handler; the store must wait for it like for a writer.
    path = tmp_path / "news.db"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    releaser = threading.Timer(0.3, other.rollback)
    releaser.start()
    try:
        with SQLiteStore(path, timeout=5) as store:
            assert store.ids() == [] and store.bands > 0
    finally:
        releaser.join()
        other.close()
    with closing(sqlite3.connect(path)) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_lock_held_past_the_timeout_fails_with_the_busy_error(tmp_path: Path) -> None:
    path = tmp_path / "news.db"
    with closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(IndexBusyError, match="locked by another writer"):
            SQLiteStore(path, timeout=0.2)
        other.rollback()


def _batch_keys(rng: np.random.Generator, owner: np.ndarray, bands: int) -> np.ndarray:
    """64-bit band keys of paragraphs of documents ``owner``, some repeated within a document (a
    repeated paragraph) and across documents (a shared one): the entries' deduplication and order."""
    keys = rng.integers(0, 2**64, size=(len(owner), bands), dtype=np.uint64)
    keys[1::7] = keys[0]
    keys[2::5, : bands // 2] = keys[3, : bands // 2]
    return keys


def test_packed_batch_entries_are_the_entries_packed() -> None:
    rng = np.random.default_rng(7)
    for bands in (1, 3, 64, 200):
        owner = np.sort(rng.integers(0, 40, size=300)).astype(np.int64)
        keys = _batch_keys(rng, owner, bands)
        band, key, doc = posting_entries.entries(posting_entries.fold_keys(keys), owner, 40)
        bits = posting_entries.doc_bits(bands)
        packed = posting_entries.packed_entries(keys.copy(), owner, bits)
        expected = (((band.astype(np.uint64) << np.uint64(32)) | key) << np.uint64(bits)) | doc.astype(np.uint64)
        assert packed.tolist() == expected.tolist()


def _with_folded(folded: np.ndarray) -> np.ndarray:
    """64-bit band keys that ``posting_entries.fold_keys`` folds to ``folded`` (32-bit values): the
    fold multiplies by an odd number, which has an inverse modulo 2**64."""
    inverse = pow(0x9E3779B97F4A7C15, -1, 1 << 64)
    return np.array([(int(f) << 32) * inverse % (1 << 64) for f in folded.ravel()],
                    dtype=np.uint64).reshape(folded.shape)


@pytest.mark.parametrize("keys", ["any", "sharing their low bytes", "all alike"])
def test_compiled_batch_entries_are_numpys(keys: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The kernel (each band sorted by radix) gives numpy's sort of the whole batch: repeated
    paragraphs, folded keys whose bytes are alike in every row (passes skipped), 1, 3, 64 and 200
    bands, owners up to the largest a packed entry names."""
    rng = np.random.default_rng(len(keys))
    kernel = posting_sort.DISTINCT_ENTRIES.compiled()
    assert kernel is not None
    for bands in (1, 3, 64, 200):
        bits = posting_entries.doc_bits(bands)
        owner = np.sort(rng.integers(0, 1 << bits, size=500)).astype(np.int64)
        owner[-1] = (1 << bits) - 1
        batch = _batch_keys(rng, owner, bands)
        if keys != "any":
            high = rng.integers(0, 4, size=batch.shape, dtype=np.uint64) << np.uint64(24)
            batch = _with_folded(high if keys == "sharing their low bytes" else np.full(batch.shape, 7, np.uint64))
        out = np.empty(batch.size, dtype=np.uint64)
        compiled = out[: kernel(batch, owner, bits, np.uint64(0x9E3779B97F4A7C15), out)]
        with monkeypatch.context() as numpy_path:
            numpy_path.setattr(posting_entries, "distinct_entries", lambda *args: None)
            expected = posting_entries.packed_entries(batch.copy(), owner, bits)
        assert compiled.tolist() == expected.tolist()


@pytest.mark.parametrize("rowids", ["consecutive", "gaps", "too large to pack", "not growing"])
def test_a_batch_stores_its_entries_under_the_rowids_of_its_positions(tmp_path: Path, rowids: str) -> None:
    rng = np.random.default_rng(len(rowids))
    bands, documents = 16, 30
    owner = np.sort(rng.integers(0, documents, size=200)).astype(np.int64)
    keys = _batch_keys(rng, owner, bands)
    band, key, position = posting_entries.entries(posting_entries.fold_keys(keys), owner, documents)
    stored = {"consecutive": np.arange(5, 5 + documents), "gaps": np.cumsum(rng.integers(1, 9, size=documents)),
              "too large to pack": (1 << 29) + np.arange(documents),
              "not growing": rng.permutation(documents) + 100}[rowids].astype(np.int64)
    expected = sorted(zip(band.tolist(), key.tolist(), stored[position].tolist()))
    with SQLiteStore(tmp_path / "batch.db") as store:
        runs = posting_runs.PostingRuns(store._con, bands, tmp_path / "batch.db", lambda: stored)
        runs.add_batch(posting_entries.packed_entries(keys, owner, posting_entries.doc_bits(bands)), stored)
        store._con.commit()
        got = runs.read(runs.runs())
        assert list(zip(*(field.tolist() for field in got))) == expected  # sorted as stored


def test_a_batch_of_more_documents_than_a_packed_entry_names_is_stored_unpacked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Positions that do not fit a packed entry (many bands, a huge batch) take the unpacked
    entries: the index holds the same postings."""
    docs = prepare_documents(seed_docs(), sd.Config())
    with SQLiteStore(tmp_path / "unpacked.db") as store:
        packed = store.encode(docs).postings
        monkeypatch.setattr(posting_entries, "doc_bits", lambda bands: 2)  # 4 positions for 5 documents
        unpacked = store.encode(docs).postings
        assert isinstance(packed, np.ndarray) and isinstance(unpacked, tuple)
        store.put(docs)
        got = store._postings.read(store._postings.runs())
    monkeypatch.undo()
    with SQLiteStore(tmp_path / "packed.db") as reference:
        reference.put(docs)
        expected = reference._postings.read(reference._postings.runs())
    assert [field.tolist() for field in got] == [field.tolist() for field in expected]
