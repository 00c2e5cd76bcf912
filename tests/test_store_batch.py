"""A batch encoded for the index at once (``store.sqlite.batch.LaidOut``) holds what each document
encoded alone holds, and its rows get the rowids their postings and fingerprints are filed under."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import syndidetect as sd
from syndidetect.boilerplate import paragraph_fingerprints
from syndidetect.lsh import band_keys, stored_candidates
from syndidetect.prepared import PreparedDocument, prepare_documents
from syndidetect.store import SQLiteStore
from syndidetect.store.sqlite import fingerprints, posting_entries
from syndidetect.store.sqlite.batch import LaidOut, batch_postings, encode_batch
from syndidetect.store.sqlite.rows import ROWS_PER_STATEMENT, encode

WORDS = ["harbour", "council", "vote", "budget", "school", "river", "grain", "price", "storm", "rail", "strike",
         "court", "ruling", "mayor", "élection", "über", "straße", "café", "naïve", "москва", "новости", "город"]


def _mixed_documents(count: int, seed: int) -> list[sd.Document]:
    """Documents of every layout a batch meets: no paragraph at all, one, menus and short lines
    that are not matchable, 1 to 19 paragraphs (flags that fill a byte, cross one, or end inside
    one), repeated paragraphs (one fingerprint twice in a document), texts past ASCII, dates."""
    rng = np.random.default_rng(seed)
    docs = []
    for k in range(count):
        layout = k % 6
        if layout == 0:
            text = ["", "   \n\n  ", "Home | News | Sport | Weather"][k % 3]
        else:
            paragraphs = []
            for _ in range(int(rng.integers(1, 20))):
                size = int(rng.integers(2, 60))
                paragraphs.append(" ".join(rng.choice(WORDS, size=size).tolist()) + ".")
            if layout == 3 and len(paragraphs) > 1:
                paragraphs.append(paragraphs[0])  # the same paragraph twice: one fingerprint entry
            if layout == 4:
                paragraphs.insert(1, "Share | Print | Email")
            text = "\n\n".join(paragraphs)
        date = f"2024-03-0{1 + k % 9}" if k % 4 == 0 else None
        docs.append(sd.Document(f"doc-{seed}-{k}", text, date))
    return docs


def _prepared(seed: int = 0, count: int = 60) -> list[PreparedDocument]:
    return prepare_documents(_mixed_documents(count, seed), sd.Config())


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_each_row_is_the_document_encoded_alone(seed: int) -> None:
    docs = _prepared(seed)
    assert any(not d.paragraphs for d in docs) and any(len(d.paragraphs) > 8 for d in docs)
    assert any(not d.matchable.all() for d in docs if d.paragraphs)
    assert LaidOut.of(docs).rows() == [encode(d) for d in docs]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_fingerprint_entries_are_each_documents_distinct_fingerprints(seed: int) -> None:
    docs = _prepared(seed)
    expected = sorted((fp, position) for position, d in enumerate(docs)
                      for fp in {fp for fp in paragraph_fingerprints(d) if fp})
    fp, owner = LaidOut.of(docs).fingerprint_entries()
    assert list(zip(fp.tolist(), owner.tolist())) == expected
    fp, owner = fingerprints.fingerprint_entries(docs)
    assert list(zip(fp.tolist(), owner.tolist())) == expected


def test_the_postings_are_the_matchable_paragraphs_band_keys_under_their_positions() -> None:
    docs = _prepared(3)
    bands, rows = 32, 4
    owner = np.repeat(np.arange(len(docs), dtype=np.int64), [int(d.matchable.sum()) for d in docs])
    keys = band_keys(np.concatenate([d.signatures[d.matchable] for d in docs]), bands, rows)
    expected = posting_entries.packed_entries(keys, owner, posting_entries.doc_bits(bands))
    postings = batch_postings(docs, bands, rows)
    assert isinstance(postings, np.ndarray) and postings.tolist() == expected.tolist()


def test_an_empty_batch_encodes_to_nothing() -> None:
    batch = encode_batch([], 32, 4)
    assert batch.rows == [] and len(batch.postings) == 0 and len(batch.fingerprints[0]) == 0


def test_rows_are_filed_under_their_own_rowids_across_statements_and_replacements(tmp_path: Path) -> None:
    """More rows than one INSERT stores, after the documents with the largest rowids were
    removed (AUTOINCREMENT never gives their rowids again) and with ids already stored (replaced):
    every document reads back as itself, and its paragraphs' postings and fingerprints name it."""
    first, second = _prepared(4, 300), _prepared(5, 300)
    replacing = [d for d in prepare_documents(
        [sd.Document(doc.id, doc.document.text + "\n\nA new closing paragraph about the harbour council budget.")
         for doc in first[:40]], sd.Config())]
    assert len(first) > ROWS_PER_STATEMENT
    with SQLiteStore(tmp_path / "rows.db") as store:
        store.put(first)
        store.remove([d.id for d in first[-50:]])
        assert store.put(second + replacing) == [d.id for d in replacing]
        kept = second + replacing + first[40:-50]
        for doc in kept:
            got = store.get(doc.id)
            assert got.document.text == doc.document.text
            assert np.array_equal(got.hashes, doc.hashes)
        matchable = [d for d in kept if d.matchable.any()]
        for doc, found in zip(matchable, stored_candidates(matchable, store.postings, store.bands, store.rows)):
            assert doc.id in found
        prints = sorted({fp for d in kept for fp in paragraph_fingerprints(d) if fp})
        counts = store.fingerprint_counts(prints)
        expected: dict[int, int] = {}
        for d in kept:
            for fp in {fp for fp in paragraph_fingerprints(d) if fp}:
                expected[fp] = expected.get(fp, 0) + 1
        assert {fp: n for fp, n in counts.items() if n} == expected
