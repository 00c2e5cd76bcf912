"""Alignment of many pairs in one compiled call (verification's batches): each pair's passages are
those ``align`` finds for it alone, in the pairs' order, on one thread or two."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import syndidetect as sd
import syndidetect.align as align_module
from syndidetect._kernels.tiling import TILES
from syndidetect.align import AlignedPassage, Running, align, align_many, running_counts
from syndidetect.config import Config
from syndidetect.prepared import PreparedDocument, prepare_documents
from syndidetect.verify_batch import judge_pairs

Counted = tuple[np.ndarray, np.ndarray]


def _edited(rng: random.Random, words: list[str], source: list[str]) -> str:
    """``source`` with words dropped and runs of new words inserted: tiles, gaps and repeats."""
    text = [w for w in source if rng.random() > 0.1]
    for _ in range(len(source) // 12):
        at = rng.randrange(len(text) + 1)
        text[at:at] = [rng.choice(words) for _ in range(rng.randint(1, 8))]
    return " ".join(text)


def _corpus(seed: int, documents: int, vocabulary: int, n: int) -> list[PreparedDocument]:
    rng = random.Random(seed)
    words = [f"w{k}" for k in range(vocabulary)]
    base = [rng.choice(words) for _ in range(rng.randint(0, 300))]
    texts = [_edited(rng, words, base) if rng.random() < 0.7 else " ".join(rng.choice(words) for _ in range(80))
             for _ in range(documents)]
    return prepare_documents([sd.Document(f"d{k}", t) for k, t in enumerate(texts)], sd.Config(shingle_size=n))


def _one_by_one(a: PreparedDocument, b: PreparedDocument, counted: Counted, n: int,
                rules: sd.VerdictRules) -> list[AlignedPassage]:
    return align(a, b, counted, n, rules, common=len(counted[0]) + len(counted[1]))  # no early rejection


@given(st.integers(0, 2**31 - 1), st.integers(2, 6), st.integers(1, 20), st.integers(3, 30), st.integers(1, 4),
       st.integers(1, 12), st.booleans())
@settings(max_examples=60)
def test_align_many_gives_each_pair_what_align_gives_it_alone(seed: int, documents: int, pairs: int,
                                                              vocabulary: int, n: int, min_grams: int,
                                                              two_masks: bool) -> None:
    """Pairs drawn with repeats among a few documents (so sides are shared between pairs), a
    document with two different content masks in different pairs, empty documents, small
    vocabularies (repeats, one-gram tiles): the passages of each pair, in order."""
    assert TILES.compiled() is not None
    docs = _corpus(seed, documents, vocabulary, n)
    draw = np.random.RandomState(seed)
    masks = [[draw.random_sample(len(d.stream(n).grams)) < 0.8 for _ in range(2 if two_masks else 1)] for d in docs]
    rules = sd.Config().rules.replace(min_passage_grams=min_grams)
    chosen = [(draw.randint(documents), draw.randint(documents)) for _ in range(pairs)]
    asked: list[tuple[PreparedDocument, PreparedDocument, Counted]] = []
    for x, y in chosen:
        counted = (masks[x][draw.randint(len(masks[x]))], masks[y][draw.randint(len(masks[y]))])
        asked.append((docs[x], docs[y], counted))
    # One running-counts array per mask, as verification keeps one per document and mask.
    running: dict[int, Running] = {id(m): running_counts(m) for doc_masks in masks for m in doc_masks}
    many = align_many([(a, b, (running[id(ca)], running[id(cb)])) for a, b, (ca, cb) in asked], n, rules)
    assert many == [_one_by_one(a, b, counted, n, rules) for a, b, counted in asked]


def test_pairs_split_between_two_threads_come_back_in_their_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """Twelve pairs of distinct texts, each sharing a passage of its own length: the passages come
    back with their pair whether one thread tiles them all or two take turns."""
    assert TILES.compiled() is not None
    rng = random.Random(5)
    words = [f"w{k}" for k in range(400)]
    texts = []
    for k in range(12):
        shared = " ".join(rng.choice(words) for _ in range(20 + 5 * k))
        texts += [f"{shared} " + " ".join(rng.choice(words) for _ in range(30)),
                  " ".join(rng.choice(words) for _ in range(15)) + f" {shared}"]
    docs = prepare_documents([sd.Document(f"d{k}", t) for k, t in enumerate(texts)], sd.Config())
    rules = sd.Config().rules
    whole = [running_counts(np.ones(len(d.stream(3).grams), dtype=bool)) for d in docs]
    pairs = [(docs[2 * k], docs[2 * k + 1], (whole[2 * k], whole[2 * k + 1])) for k in range(12)]
    expected = [_one_by_one(a, b, (np.ones(len(a.stream(3).grams), dtype=bool),
                                   np.ones(len(b.stream(3).grams), dtype=bool)), 3, rules) for a, b, _ in pairs]
    assert [[p.shared for p in passages] for passages in expected] == [[18 + 5 * k] for k in range(12)]
    assert len(pairs) >= align_module.THREADED_PAIRS
    assert align_many(pairs, 3, rules) == expected
    monkeypatch.setattr(align_module, "THREADED_PAIRS", len(pairs) + 1)  # one thread
    assert align_many(pairs, 3, rules) == expected


def test_align_many_is_none_until_the_kernel_is_compiled(monkeypatch: pytest.MonkeyPatch) -> None:
    docs = prepare_documents([sd.Document("a", "one two three four"), sd.Document("b", "one two three four")],
                             sd.Config())
    running = running_counts(np.ones(len(docs[0].stream(3).grams), dtype=bool))
    assert align_many([], 3, sd.Config().rules) == []
    monkeypatch.setattr(TILES, "get", lambda weight=1: None)
    assert align_many([(docs[0], docs[1], (running, running))], 3, sd.Config().rules) is None


def test_verification_aligns_a_batchs_pairs_together(monkeypatch: pytest.MonkeyPatch) -> None:
    """judge_pairs hands the screened pairs that may hold a passage to align_many, and its verdicts
    are those of aligning each pair alone."""
    rng = random.Random(11)
    words = [f"w{k}" for k in range(500)]
    shared = [" ".join(rng.choice(words) for _ in range(40)) + "." for _ in range(6)]
    texts = ["\n\n".join([shared[k % 6], " ".join(rng.choice(words) for _ in range(40)) + "."]) for k in range(18)]
    config = Config()
    pairs = list(itertools.combinations(range(18), 2))

    def verdicts() -> list[tuple[str, str, str, int]]:
        docs = prepare_documents([sd.Document(f"d{k}", t) for k, t in enumerate(texts)], config)
        found = judge_pairs([(docs[a], docs[b], False) for a, b in pairs], config, {}, lambda done: None)
        return [(a.id, b.id, v.verdict, len(v.passages)) for a, b, v in found]

    calls: list[int] = []
    original = align_module.align_many

    def spied(asked: list[tuple[PreparedDocument, PreparedDocument, tuple[Running, Running]]], n: int,
              rules: sd.VerdictRules) -> list[list[AlignedPassage]] | None:
        calls.append(len(asked))
        return original(asked, n, rules)

    monkeypatch.setattr("syndidetect.verify_batch.align_many", spied)
    assert TILES.compiled() is not None
    together = verdicts()
    monkeypatch.setattr("syndidetect.verify_batch.align_many", lambda asked, n, rules: None)
    alone = verdicts()
    assert together == alone and len(together) == 18  # six groups of three documents sharing a paragraph
    assert calls and sum(calls) == len(together)
