"""Paragraph matches of documents whose paragraphs hit one to one, scored at once, against one by one."""

from __future__ import annotations

import random
from functools import lru_cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import syndidetect as sd
from syndidetect.paragraph_match import (
    ParagraphMatch,
    SharedHits,
    _direct_match,
    direct_matches,
    paragraph_matches,
    shared_hits,
)
from syndidetect.prepared import PreparedDocument, prepare_documents
from syndidetect.verify import _boilerplate_in_copy, _near_content


@lru_cache(maxsize=1)
def _corpus() -> list[str]:
    from benchmarks.corpus import make_corpus

    return make_corpus(400, seed=3).texts


def edited(rng: random.Random, paragraph: str) -> str:
    """The paragraph with a share of its words replaced (0 to 60 %): containments on both sides of
    the threshold and of the kinds' bounds."""
    words = paragraph.split()
    share = rng.choice([0.0, 0.05, 0.2, 0.4, 0.6])
    return " ".join(w if rng.random() >= share else rng.choice(["river", "council", "quietly", "amber"]) for w in words)


def copied(seed: int, recut: bool) -> tuple[PreparedDocument, PreparedDocument]:
    """``b`` copies ``a``'s paragraphs, some edited, some dropped, some new, a short line or two;
    ``recut``: some paragraphs also joined or split (hits that are not one to one)."""
    rng = random.Random(seed)
    texts = rng.sample(_corpus(), 40)
    a: list[str] = texts[:16]
    b: list[str] = ["Home | News | Sport"]
    for k, paragraph in enumerate(a):
        choice = rng.randrange(6 if recut else 4)
        if choice in (0, 1):
            b.append(edited(rng, paragraph))
        elif choice == 2:
            b.append(texts[16 + k])
        elif choice == 3:
            continue
        elif choice == 4 and b:
            b[-1] = b[-1] + " " + paragraph
        else:
            words = paragraph.split()
            b += [" ".join(words[: len(words) // 2]), " ".join(words[len(words) // 2 :])]
    if rng.random() < 0.5:
        b.append(a[0])  # a paragraph copied twice
    pa, pb = prepare_documents([sd.Document("a", "\n\n".join(a)), sd.Document("b", "\n\n".join(b))], sd.Config())
    return pa, pb


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**9), st.sampled_from([0.2, 0.5, 0.8]), st.booleans())
def test_hits_one_to_one_give_the_matches_of_each_hit_alone(seed: int, threshold: float, recut: bool) -> None:
    config = sd.Config(threshold=threshold)
    pa, pb = copied(seed, recut)
    hits = shared_hits(pa, pb, config.rules.min_paragraph_shared)
    sizes_a, sizes_b = pa.shingle_counts(), pb.shingle_counts()
    one_by_one = [_direct_match(i, j, c, int(sizes_a[i]), int(sizes_b[j]), config)
                  for i, j, c in zip(hits.rows.tolist(), hits.cols.tolist(), hits.counts.tolist())]
    expected = [m for m in one_by_one if m is not None]
    found = direct_matches(hits, sizes_a, sizes_b, config)
    assert found == expected
    assert all(type(m.containment) is float and type(m.a) is int for m in found)  # as the Python path makes them
    if hits.one_to_one():
        assert paragraph_matches(pa, pb, config) == expected
    # Every pair, one to one or not, gets the matches the windows and partners' weighing give.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SharedHits, "one_to_one", lambda _: False)
        weighed = paragraph_matches(pa, pb, config)
    assert paragraph_matches(pa, pb, config) == weighed


def every_boilerplate_match(a: PreparedDocument, b: PreparedDocument, content: list[ParagraphMatch],
                            config: sd.Config) -> list[ParagraphMatch]:
    """The boilerplate matches beside a copy as they were found: all the full documents' matches,
    those of the documents without boilerplate left out (the oracle)."""
    rank_a = {int(p): r for r, p in enumerate(np.flatnonzero(a.matchable))}
    rank_b = {int(p): r for r, p in enumerate(np.flatnonzero(b.matchable))}
    known = {(m.a, m.b) for m in content}
    return [m for m in paragraph_matches(a, b, config)
            if (m.a, m.b) not in known and m.kind != "reworded" and _near_content(m, content, rank_a, rank_b)]


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 10**9), st.booleans(), st.floats(0.0, 0.5), st.floats(0.0, 0.5))
def test_boilerplate_beside_a_copy_is_what_all_the_matches_give(seed: int, recut: bool, share_a: float,
                                                                share_b: float) -> None:
    config = sd.Config()
    pa, pb = copied(seed, recut)
    rng = np.random.default_rng(seed)
    masks = (rng.random(len(pa.paragraphs)) < share_a, rng.random(len(pb.paragraphs)) < share_b)
    stripped = (pa.with_matchable(pa.matchable & ~masks[0]), pb.with_matchable(pb.matchable & ~masks[1]))
    content = paragraph_matches(*stripped, config)
    found = _boilerplate_in_copy(pa, pb, content, config, masks)
    assert found == every_boilerplate_match(pa, pb, content, config)
    none_masked = (np.zeros(len(pa.paragraphs), dtype=np.bool_), None)
    assert _boilerplate_in_copy(pa, pb, paragraph_matches(pa, pb, config), config, none_masked) == []


@settings(max_examples=60, deadline=None)
@given(shapes=st.lists(st.one_of(st.none(), st.tuples(st.integers(0, 6), st.integers(0, 6))), max_size=8),
       least=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_hits_of_many_matrices_are_each_matrix_s_own(shapes: list[tuple[int, int] | None], least: int,
                                                      seed: int) -> None:
    # SharedHits.of_many finds the hits of a screened batch's matrices in one pass: each matrix's
    # hits (rows, columns, counts, in order) are of_counts' of that matrix alone; None stays None.
    rng = np.random.RandomState(seed)
    matrices = [None if shape is None else rng.randint(0, 6, shape).astype(np.int64) for shape in shapes]
    found = SharedHits.of_many(matrices, least)
    assert len(found) == len(matrices)
    for matrix, hits in zip(matrices, found):
        if matrix is None:
            assert hits is None
            continue
        assert hits is not None
        alone = SharedHits.of_counts(matrix, least)
        for got, expected in zip((hits.rows, hits.cols, hits.counts), (alone.rows, alone.cols, alone.counts)):
            assert got.tolist() == expected.tolist()
