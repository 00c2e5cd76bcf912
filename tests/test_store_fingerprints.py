"""The index's paragraph fingerprints in sorted runs (format version 3): boilerplate counts equal the
memory store's through batches, merges, removals, replacements and an interrupted writer, runs are
what the layout says, and a version-2 file (a ``fingerprint`` table) is read and upgraded."""

from __future__ import annotations

import random
import sqlite3
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest

import syndidetect as sd
from syndidetect.boilerplate import paragraph_fingerprints
from syndidetect.prepared import PreparedDocument, prepare_documents
from syndidetect.store import MemoryStore, SQLiteStore, Store
from syndidetect.store.sqlite import run_tables
from syndidetect.store.sqlite.fingerprints import FP_ENTRY

SEEDS = Path(__file__).parent.parent / "seeds"
# Short paragraphs several documents share, as site furniture is: each document takes a few.
FURNITURE = [
    "Subscribe to our newsletter for the latest headlines every morning.",
    "Follow us on social media and share this story with your friends today.",
    "All rights reserved. Reproduction without written permission is prohibited.",
    "Read more stories like this one in our weekly digest of regional news.",
    "Advertisement. Continue reading the main story below this notice.",
    "Contact the newsroom with tips, corrections and questions about this report.",
]


def _documents(count: int, seed: int) -> list[sd.Document]:
    """Documents cut from the seeds (a varying run of paragraphs, some repeated within a document),
    each with a few furniture paragraphs, so fingerprints are held by one to ``count`` documents."""
    rng = random.Random(seed)
    paragraphs = [p for path in sorted(SEEDS.glob("0*.txt"))
                  for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    docs = []
    for i in range(count):
        start = rng.randrange(len(paragraphs))
        body = paragraphs[start : start + rng.randint(1, 8)]
        if rng.random() < 0.2:
            body.append(body[0])  # a paragraph twice in one document counts once
        extra = rng.sample(FURNITURE, rng.randint(0, 3))
        docs.append(sd.Document(f"doc{i}", "\n\n".join(rng.sample(body + extra, len(body) + len(extra)))))
    return docs


def _all_prints(prepared: list[PreparedDocument]) -> list[int]:
    return sorted({fp for doc in prepared for fp in paragraph_fingerprints(doc) if fp} | {12345})  # one absent


def _counts(store: Store, prints: list[int]) -> dict[int, int]:
    return {fp: n for fp, n in store.fingerprint_counts(prints).items() if n}


def _stored(path: Path, count: int, seed: int, first: int) -> tuple[list[sd.Document], list[PreparedDocument],
                                                                   list[int], MemoryStore]:
    """``count`` documents, the first ``first`` of them stored in an index at ``path`` and in a
    memory store; also every fingerprint they hold (and one absent)."""
    docs = _documents(count, seed)
    prepared = prepare_documents(docs, sd.Config())
    memory = MemoryStore(64, 2)
    memory.put(prepared[:first])
    with SQLiteStore(path) as store:
        store.put(prepared[:first])
    return docs, prepared, _all_prints(prepared), memory


def _outweighs(sizes: list[int]) -> bool:
    """Whether each run holds more than all newer ones together (the merge policy's promise)."""
    return all(sum(sizes[k + 1 :]) < sizes[k] for k in range(len(sizes) - 1))


def _fp_runs(path: Path) -> list[int]:
    with closing(sqlite3.connect(path)) as con:
        return [e for (e,) in con.execute("SELECT entries FROM fprun ORDER BY run")]


@pytest.mark.parametrize(("spare", "seed"), [(0, 1), (3, 2), (12, 3)])
def test_counts_are_the_memory_stores_through_batches_merges_and_removals(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spare: int, seed: int
) -> None:
    monkeypatch.setattr(run_tables, "MAX_RUNS", spare)
    path = tmp_path / "fp.db"
    docs = _documents(40, seed)
    prepared = prepare_documents(docs, sd.Config())
    prints = _all_prints(prepared)
    memory = MemoryStore(64, 2)
    rng = random.Random(seed)
    with SQLiteStore(path) as store:
        for start in range(0, 30, 3):
            batch = prepared[start : start + 3]
            store.put(batch)
            memory.put(batch)
            assert len(_fp_runs(path)) <= spare or _outweighs(_fp_runs(path))  # merged past the limit
            assert _counts(store, prints) == _counts(memory, prints)
        gone = rng.sample([d.id for d in prepared[:30]], 6)
        assert store.remove(gone) == memory.remove(gone)
        assert _counts(store, prints) == _counts(memory, prints)  # left in place, not counted
        replaced = [prepare_documents([sd.Document(prepared[k].id, docs[k + 30].text)], sd.Config())[0]
                    for k in (1, 4)]
        store.put(replaced)
        memory.put(replaced)
        assert _counts(store, prints) == _counts(memory, prints)
    assert _outweighs(_fp_runs(path))  # merged on closing
    with SQLiteStore(path, readonly=True) as reader:
        assert _counts(reader, prints) == _counts(memory, prints)
    monkeypatch.setattr(run_tables, "_RATIO", 1 << 40)  # the next merge merges all runs into one
    with SQLiteStore(path) as store:
        store.put(prepared[30:31])
        memory.put(prepared[30:31])
    [entries] = _fp_runs(path)  # removed and replaced documents' entries dropped
    kept = [memory.get(i) for i in memory.ids()]
    assert entries == sum(len({fp for fp in paragraph_fingerprints(d) if fp}) for d in kept)
    assert max(_counts(memory, prints).values()) >= 4  # furniture made shared fingerprints
    with SQLiteStore(path, readonly=True) as reader:
        assert _counts(reader, prints) == _counts(memory, prints)


def test_a_run_is_sorted_and_each_bucket_holds_its_fingerprints(tmp_path: Path) -> None:
    path = tmp_path / "layout.db"
    prepared = prepare_documents(_documents(60, 7), sd.Config())
    with SQLiteStore(path) as store:
        store.put(prepared)
    with closing(sqlite3.connect(path)) as con:
        [(run, bits, entries)] = con.execute("SELECT run, bits, entries FROM fprun").fetchall()
        rows = con.execute("SELECT bucket, data FROM fpbucket WHERE run = ? ORDER BY bucket", (run,)).fetchall()
    assert bits > 0  # enough entries for several buckets
    data = np.frombuffer(b"".join(blob for _, blob in rows), dtype=FP_ENTRY)
    assert len(data) == entries
    order = np.lexsort((data["doc"], data["fp"]))
    assert (order == np.arange(len(data))).all()
    owner = np.repeat([bucket for bucket, _ in rows], [len(blob) // FP_ENTRY.itemsize for _, blob in rows])
    assert ((data["fp"] >> np.uint64(64 - bits)).astype(np.int64) == owner).all()


def test_an_interrupted_writer_leaves_its_run_and_the_next_one_merges(tmp_path: Path) -> None:
    path = tmp_path / "stop.db"
    docs, prepared, prints, memory = _stored(path, 20, 11, 10)
    with pytest.raises(KeyboardInterrupt), sd.Detector.open(path) as det:
        det.add_many(docs[10:15])
        raise KeyboardInterrupt
    memory.put(prepared[10:15])
    assert len(_fp_runs(path)) == 2  # the batch is committed, its run left unmerged
    with SQLiteStore(path, readonly=True) as reader:
        assert _counts(reader, prints) == _counts(memory, prints)
    with SQLiteStore(path) as store:
        store.put(prepared[15:])
        memory.put(prepared[15:])
    assert _outweighs(_fp_runs(path))
    with SQLiteStore(path, readonly=True) as reader:
        assert _counts(reader, prints) == _counts(memory, prints)


def _as_version_2(path: Path, prepared: list[PreparedDocument]) -> None:
    """Rewrite an index's fingerprints as format version 2 kept them: a ``(fp, doc)`` table."""
    with closing(sqlite3.connect(path)) as con:
        rowid = dict(con.execute("SELECT id, doc FROM document").fetchall())
        rows = {(fp - (1 << 64) if fp >= 1 << 63 else fp, rowid[d.id])
                for d in prepared for fp in paragraph_fingerprints(d) if fp}
        con.execute("CREATE TABLE fingerprint (fp INTEGER NOT NULL, doc INTEGER NOT NULL, "
                    "PRIMARY KEY (fp, doc)) WITHOUT ROWID")
        con.executemany("INSERT INTO fingerprint VALUES (?, ?)", sorted(rows))
        con.execute("DROP TABLE fprun")
        con.execute("DROP TABLE fpbucket")
        con.execute("PRAGMA user_version=2")
        con.commit()


def test_a_version_2_index_is_read_as_it_is_and_upgraded_by_its_next_writer(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    docs, prepared, prints, memory = _stored(path, 30, 5, 20)
    _as_version_2(path, prepared[:20])
    with SQLiteStore(path, readonly=True) as reader:
        assert reader.stats()["format_version"] == 2
        assert _counts(reader, prints) == _counts(memory, prints)
    in_memory = sd.Detector()
    in_memory.add_many(docs[:20])
    with sd.Detector.open(path, readonly=True) as det:  # a check works on the old file
        assert det.query(docs[20:]).to_dict() == in_memory.query(docs[20:]).to_dict()
    with SQLiteStore(path, readonly=True) as reader:  # open before the upgrade, read after it
        with SQLiteStore(path) as store:  # a writer upgrades it in place
            assert store.stats()["format_version"] == 3
            assert _counts(store, prints) == _counts(memory, prints)
            store.put(prepared[20:])
            memory.put(prepared[20:])
        assert _counts(reader, prints) == _counts(memory, prints)
        assert reader.stats()["format_version"] == 3
    with closing(sqlite3.connect(path)) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == 3
        tables = {name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "fingerprint" not in tables and {"fprun", "fpbucket"} <= tables
    with SQLiteStore(path, readonly=True) as reader:
        assert _counts(reader, prints) == _counts(memory, prints)
