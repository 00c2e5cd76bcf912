"""The Dask path's document blobs: what verification reads back is the prepared document it packed."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

import syndidetect as sd
from syndidetect.distributed.blobs import pack_prepared, unpack_prepared
from syndidetect.prepared import PreparedDocument, prepare_documents
from syndidetect.wordstream import WordStream

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
CONFIG = sd.Config(backend="numpy")


def _documents() -> list[sd.Document]:
    seeds = [sd.Document(p.name, p.read_text("utf-8"), "2024-05-01") for p in sorted(SEEDS.glob("*.txt"))]
    return [*seeds,
            sd.Document("mixed", "Ünïcode wörds, «quoted», and 中文字符 mixed in a paragraph here.\n\nTwo.",
                        metadata={"url": "https://example.org/a"}),
            sd.Document("short", "Short one."),
            sd.Document("blank", "  \n\n  ")]


def _same(doc: PreparedDocument, back: PreparedDocument, n: int) -> None:
    assert back.document == doc.document and back.document.date == doc.document.date
    assert back.document.metadata == {}  # not carried: verification never reads it
    assert [(p.index, p.start, p.end, p.text) for p in back.paragraphs] == \
        [(p.index, p.start, p.end, p.text) for p in doc.paragraphs]
    assert back.matchable.tolist() == doc.matchable.tolist()
    assert back.hashes.tolist() == doc.hashes.tolist() and back.offsets.tolist() == doc.offsets.tolist()
    assert back.shingle_counts().tolist() == doc.shingle_counts().tolist()
    assert back.word_counts.tolist() == doc.word_counts.tolist()
    assert back.signatures.shape == (0, doc.signatures.shape[1])
    assert [a.tolist() for a in back.hash_index] == [a.tolist() for a in doc.hash_index]
    assert back.memoised(("stream", n))
    ours, theirs = back.stream(n), doc.stream(n)
    assert ours.starts.dtype == theirs.starts.dtype
    assert (ours.starts.tolist(), ours.ends.tolist(), ours.grams.tolist()) == \
        (theirs.starts.tolist(), theirs.ends.tolist(), theirs.grams.tolist())


@pytest.mark.parametrize("n", [2, 3])
def test_a_packed_document_unpacks_to_the_same_document(n: int) -> None:
    for doc in prepare_documents(_documents(), dataclasses.replace(CONFIG, shingle_size=n)):
        _same(doc, unpack_prepared(pack_prepared(doc, n)), n)


def test_documents_without_word_counts_or_with_wide_offsets_round_trip() -> None:
    """Word counts are optional in a prepared document, and a text over 2**31 characters keeps int64
    offsets in its stream: the blob says which it holds."""
    doc = prepare_documents(_documents()[:1], CONFIG)[0]
    bare = dataclasses.replace(doc, words=None)
    back = unpack_prepared(pack_prepared(bare, 3))
    assert back.words is None and back.word_counts.tolist() == doc.word_counts.tolist()
    stream = doc.stream(3)
    wide = dataclasses.replace(doc)
    wide.remember(("stream", 3), WordStream(stream.starts.astype(np.int64), stream.ends.astype(np.int64),
                                            stream.grams, 3))
    _same(wide, unpack_prepared(pack_prepared(wide, 3)), 3)
    assert unpack_prepared(pack_prepared(wide, 3)).stream(3).starts.dtype == np.int64


def test_verification_of_unpacked_documents_gives_the_in_process_verdicts() -> None:
    """Detection over documents read back from blobs reports what it reports over the originals."""
    from syndidetect.verify_batch import judge_pairs

    prepared = prepare_documents(_documents(), CONFIG)
    pairs = [(a, b, False) for k, a in enumerate(prepared) for b in prepared[k + 1:]]
    back = {d.id: unpack_prepared(pack_prepared(d, CONFIG.shingle_size)) for d in prepared}
    expected = [(a.id, b.id, v) for a, b, v in judge_pairs(pairs, CONFIG, {}, lambda _: None)]
    found = [(a.id, b.id, v) for a, b, v in judge_pairs([(back[a.id], back[b.id], s) for a, b, s in pairs],
                                                         CONFIG, {}, lambda _: None)]
    assert len(expected) >= 3  # the seeds' copies and related pairs
    assert found == expected


def test_an_unpacked_document_has_writable_arrays_as_a_prepared_one() -> None:
    """numba types a read-only array apart from a writable one, so read-only arrays on the Dask path
    made each kernel compile again there, past what ``syndidetect compile`` fills the cache with."""
    doc = prepare_documents(_documents()[:1], CONFIG)[0]
    back = unpack_prepared(pack_prepared(doc, 3))
    stream = back.stream(3)
    assert back.words is not None
    arrays: dict[str, npt.NDArray[Any]] = {
        "hashes": back.hashes, "offsets": back.offsets, "matchable": back.matchable, "words": back.words,
        "grams": stream.grams, "starts": stream.starts, "ends": stream.ends}
    assert {name: bool(a.flags.writeable) for name, a in arrays.items()} == dict.fromkeys(arrays, True)
    assert doc.hashes.flags.writeable  # what in-process verification hands the kernels
