"""Pairs of documents alike in text, date and boilerplate are judged once: the same verdicts as judged each."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import syndidetect as sd
from syndidetect import verify_batch
from syndidetect._kernels.packed import Packed
from syndidetect.assembly import locate, locate_each, report_each, report_of
from syndidetect.config import Config
from syndidetect.detector import as_documents
from syndidetect.prepared import PreparedDocument, prepare_documents
from syndidetect.repeated_pairs import alike_documents, first_alike_pairs
from syndidetect.verify import judge_pair

WORDS = ["harbour", "council", "vote", "budget", "river", "school", "storm", "market", "rail", "bridge", "mayor",
         "night", "court", "strike", "farmers", "water", "price", "report", "grant", "hospital", "shelter", "ferry",
         "quarry", "museum"]


def paragraph(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def story(seed: int, paragraphs: int) -> list[str]:
    rng = random.Random(seed)
    return [paragraph(rng, rng.randint(12, 40)) for _ in range(paragraphs)]


def hashes_of(docs: list[sd.Document]) -> tuple[list[PreparedDocument], Packed]:
    prepared = prepare_documents(as_documents(docs), Config())
    return prepared, Packed([d.hashes for d in prepared], np.uint32)


def test_alike_documents_are_those_alike_in_text_date_and_mask() -> None:
    text = "\n\n".join(story(1, 4))
    swapped = "\n\n".join([*story(1, 4)[2:], *story(1, 4)[:2]])  # the same shingles, in another order
    docs = [sd.Document("a", text), sd.Document("b", swapped), sd.Document("c", text),
            sd.Document("d", text, date="2024-03-01"), sd.Document("e", text, date="2024-03-01T00:00:00Z"),
            sd.Document("f", text), sd.Document("g", "\n\n".join(story(2, 4)))]
    prepared, hashes = hashes_of(docs)
    mask = np.array([True, False, False, False])
    first = alike_documents(prepared, hashes, {"f": mask})
    assert first is not None
    # b has a's shingles but not its text; d and e are one instant; f has boilerplate the others have not.
    assert first.tolist() == [0, 1, 0, 3, 3, 5, 6]
    assert alike_documents(prepared[:2] + prepared[6:], Packed([d.hashes for d in prepared[:2] + prepared[6:]],
                                                                np.uint32), {}) is None


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 2**31), st.integers(1, 30), st.integers(0, 60))
def test_first_alike_pairs_is_the_first_pair_of_alike_documents_found_alike(seed: int, docs: int,
                                                                          pairs: int) -> None:
    rng = np.random.default_rng(seed)
    alike = np.array([int(rng.integers(0, d + 1)) for d in range(docs)], dtype=np.int64)
    alike = alike[alike]  # a document's first alike is its own first alike
    left, right = rng.integers(0, docs, size=pairs), rng.integers(0, docs, size=pairs)
    found = rng.random(pairs) < 0.3
    first = first_alike_pairs(alike, left, right, found)
    seen: dict[tuple[int, int, bool], int] = {}
    expected = [seen.setdefault((int(alike[i]), int(alike[j]), bool(f)), k)
                for k, (i, j, f) in enumerate(zip(left, right, found))]
    assert first.tolist() == expected


def syndicated(seed: int) -> list[sd.Document]:
    """Stories republished a few times each (some copies dated, some with a paragraph of their
    own), beside documents quoting them, and a site's footer repeated on many pages (boilerplate)."""
    rng = random.Random(seed)
    footer = "Subscribe to the evening letter for the council, the harbour and the weather, every day at six."
    docs = []
    for s in range(3):
        paragraphs = story(seed * 10 + s, rng.randint(2, 8))
        for c in range(rng.randint(2, 7)):
            text = paragraphs + ([footer] if c % 2 else []) + ([paragraph(rng, 20)] if c % 3 == 2 else [])
            date = None if c % 4 else f"2024-05-0{1 + c % 3}"
            docs.append(sd.Document(f"s{s}-{c}", "\n\n".join(text), date=date))
        docs.append(sd.Document(f"quote{s}", "\n\n".join([paragraph(rng, 25), paragraphs[0], paragraph(rng, 25)])))
    for k in range(6):
        docs.append(sd.Document(f"page{k}", "\n\n".join([paragraph(rng, 30), footer])))
    rng.shuffle(docs)
    return docs


@pytest.mark.parametrize("seed", range(6))
def test_detection_judging_alike_pairs_once_reports_what_judging_each_does(seed: int) -> None:
    docs = syndicated(seed)
    once = sd.detect(docs)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(verify_batch, "alike_documents", lambda *_, **__: None)
        each = sd.detect(docs)
    assert len(once.pairs) > 10
    assert json.dumps(once.to_dict(), sort_keys=True) == json.dumps(each.to_dict(), sort_keys=True)


def test_alike_pairs_take_the_verdict_of_the_first_and_locate_the_same_passages() -> None:
    docs = [sd.Document(f"copy{c}", "\n\n".join(story(7, 5))) for c in range(4)]
    docs.append(sd.Document("other", "\n\n".join(story(8, 5))))
    prepared = prepare_documents(as_documents(docs), Config())
    pairs = [(prepared[i], prepared[j], False) for i in range(5) for j in range(i + 1, 5)]
    judged = list(verify_batch.judge_pairs(pairs, Config(), {}, lambda _: None))
    assert [(a.id, b.id) for a, b, _ in judged] == [(f"copy{i}", f"copy{j}") for i in range(4) for j in range(i + 1, 4)]
    assert len({id(verdict) for _, _, verdict in judged}) == 1  # judged once
    for a, b, verdict in judged:
        assert verdict == judge_pair(a, b, Config())
    located = locate_each(judged, Config().shingle_size)
    assert located == [locate(a, b, verdict, Config().shingle_size) for a, b, verdict in judged]
    reports = report_each(located)
    assert reports == [report_of(pair) for pair in located]
    assert {report.passages[0].spans[1].document for report in reports} == {f"copy{j}" for j in range(1, 4)}
