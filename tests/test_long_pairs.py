"""Pairs of long documents: the chaining of tiles and the kinds paragraph pairs take from passages
stay linear in their count, and give what trying every passage gave."""

from __future__ import annotations

import random
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import syndidetect as sd
from syndidetect._kernels.overlap import shared_counts_sorted
from syndidetect.align import Tile, chain
from syndidetect.assembly import _Holders
from syndidetect.prepared import PreparedDocument, prepare_documents
from syndidetect.report import ParagraphRef, Passage, SpanRef
from syndidetect.rules import MatchKind


def every_passage_chain(tiles: list[Tile], n: int, max_gap: int) -> list[list[Tile]]:
    """The chaining as it was: every passage tried for every tile (the oracle)."""
    passages: list[list[Tile]] = []
    for t in tiles:
        best, best_gap = None, max_gap + 1
        for p in passages:
            last = p[-1]
            gap_a = t.a - (last.a + last.length + n - 1)
            gap_b = t.b - (last.b + last.length + n - 1)
            if 0 <= gap_a <= max_gap and 0 <= gap_b <= max_gap and max(gap_a, gap_b) < best_gap:
                best, best_gap = p, max(gap_a, gap_b)
        if best is None:
            passages.append([t])
        else:
            best.append(t)
    return passages


def random_tiles(seed: int, count: int) -> list[Tile]:
    """Tiles sorted by ``a``: runs along a few diagonals, with jumps, overlaps and ties."""
    rng = random.Random(seed)
    tiles = []
    a = 0
    for _ in range(count):
        a += rng.choice([0, 1, 2, 3, 5, 8, 20, 40])
        tiles.append(Tile(a, max(0, a + rng.choice([-30, -3, 0, 0, 2, 7, 500]) + rng.randint(-2, 2)),
                          rng.randint(1, 12)))
    return sorted(tiles, key=lambda t: (t.a, t.b))


@settings(max_examples=300)
@given(st.integers(0, 10**9), st.integers(0, 120), st.integers(1, 4), st.integers(0, 20))
def test_chain_is_the_chain_that_tried_every_passage(seed: int, count: int, n: int, max_gap: int) -> None:
    tiles = random_tiles(seed, count)
    assert chain(tiles, n, max_gap) == every_passage_chain(tiles, n, max_gap)


def test_tiles_far_apart_are_passages_of_their_own() -> None:
    # 20,000 tiles far apart on both sides (trying every passage for every tile made 200 million
    # comparisons; now each finds the one before it closed)
    tiles = [Tile(30 * k, 30 * k, 3) for k in range(20_000)]
    assert chain(tiles, 3, 15) == [[t] for t in tiles]


def _span(document: str, start: int, end: int) -> SpanRef:
    return SpanRef(document, start, end, "")


def every_passage_kind(kind: MatchKind, refs: tuple[ParagraphRef, ParagraphRef],
                       passages: tuple[Passage, ...]) -> MatchKind:
    """The kind a paragraph pair took as it was: every passage tried in order (the oracle)."""
    for p in passages:
        inside = all(s.start <= r.start and r.end <= s.end for r, s in zip(refs, p.spans))
        if kind == "reworded" and p.kind != "reworded" and inside:
            return p.kind
    return kind


@settings(max_examples=300)
@given(st.integers(0, 10**9))
def test_a_paragraph_pair_takes_the_kind_of_the_first_passage_holding_it(seed: int) -> None:
    rng = random.Random(seed)
    kinds: list[MatchKind] = ["verbatim", "near", "reworded"]
    passages = []
    for _ in range(rng.randint(0, 40)):
        a, b = rng.randint(0, 400), rng.randint(0, 400)
        passages.append(Passage(rng.choice(kinds), 1.0, (_span("a", a, a + rng.randint(0, 120)),
                                                          _span("b", b, b + rng.randint(0, 120))), ((), ())))
    holders = _Holders(tuple(passages))
    for _ in range(60):
        a, b = rng.randint(0, 450), rng.randint(0, 450)
        refs = (ParagraphRef("a", 0, a, a + rng.randint(0, 40), ""),
                ParagraphRef("b", 0, b, b + rng.randint(0, 40), ""))
        kind = rng.choice(kinds)
        assert holders.kind_of(kind, refs) == every_passage_kind(kind, refs, tuple(passages))


def test_two_long_documents_sharing_every_other_paragraph() -> None:
    from benchmarks.corpus import make_corpus

    texts = make_corpus(2400, seed=11).texts
    a, b = texts[:1200], texts[1200:]
    b[::2] = a[::2]  # every other paragraph shared: hundreds of passages and paragraph pairs
    report = sd.detect([sd.Document("a", "\n\n".join(a)), sd.Document("b", "\n\n".join(b))])
    (pair,) = report.pairs
    assert pair.verdict == "copy"
    assert len(pair.matches) >= 600 and len(pair.passages) >= 300


@lru_cache(maxsize=1)
def _corpus() -> list[str]:
    from benchmarks.corpus import make_corpus

    return make_corpus(400, seed=2).texts


def every_window(x: PreparedDocument, y: PreparedDocument, counts: npt.NDArray[np.int64], threshold: float,
                 least: int) -> list[tuple[int, int, float]]:
    """The window search as it was: every matchable paragraph of ``x`` against every two
    neighbouring matchable paragraphs of ``y``, on the dense matrix ``counts`` (the oracle)."""
    rows, cols = np.flatnonzero(x.matchable), np.flatnonzero(y.matchable)
    both = counts[np.ix_(rows, cols)] >= least
    found = []
    for r, k in zip(*np.nonzero(both[:, :-1] & both[:, 1:])):
        i, left, right = int(rows[r]), int(cols[k]), int(cols[k + 1])
        window = set(y.paragraph_hashes(left).tolist()) | set(y.paragraph_hashes(right).tolist())
        common = len(window & set(x.paragraph_hashes(i).tolist()))
        contained = common / min(len(x.paragraph_hashes(i)), len(window))
        if contained >= threshold and common > max(counts[i, left], counts[i, right]):
            found += [(i, left, contained), (i, right, contained)]
    return found


def recut(seed: int) -> tuple[PreparedDocument, PreparedDocument]:
    """b re-cuts a's paragraphs: two joined, one split in two, some kept, some new."""
    rng = random.Random(seed)
    texts = rng.sample(_corpus(), 48)
    a: list[str] = texts[:24]
    b: list[str] = []
    for k, paragraph in enumerate(a):
        choice = rng.randrange(4)
        if choice == 0 and k:
            b[-1] = b[-1] + " " + paragraph if b else paragraph
        elif choice == 1:
            words = paragraph.split()
            b += [" ".join(words[: len(words) // 2]), " ".join(words[len(words) // 2 :])]
        elif choice == 2:
            b.append(paragraph)
        else:
            b.append(texts[24 + k])
    pa, pb = prepare_documents([sd.Document("a", "\n\n".join(a)), sd.Document("b", "\n\n".join(b))], sd.Config())
    return pa, pb


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10**9))
def test_windows_are_found_among_the_hits_as_in_the_whole_matrix(seed: int) -> None:
    # The window matches found from the hits alone (neighbouring hits of one paragraph) are those
    # the search over every matchable paragraph pair finds.
    from syndidetect.paragraph_match import _neighbour_hits, _window_matches, shared_hits

    config, (pa, pb) = sd.Config(), recut(seed)
    least = config.rules.min_paragraph_shared
    shared = shared_counts_sorted(*pa.hash_index, pa.matchable, *pb.hash_index, pb.matchable)
    hits = shared_hits(pa, pb, least)
    by_column = np.lexsort((hits.rows, hits.cols))
    found = [
        _window_matches(pa, pb, _neighbour_hits(hits.rows, hits.cols, hits.counts, pb.matchable), config.threshold),
        _window_matches(pb, pa, _neighbour_hits(hits.cols[by_column], hits.rows[by_column], hits.counts[by_column],
                                                pa.matchable), config.threshold),
    ]
    assert found == [every_window(pa, pb, shared, config.threshold, least),
                     every_window(pb, pa, shared.T, config.threshold, least)]
    assert any(found)  # every example re-cuts some paragraph across two


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10**9))
def test_paragraph_matches_counted_without_the_matrix_are_those_of_the_matrix(seed: int) -> None:
    # Past DENSE_ENTRIES the hits are counted entry by entry: the same matches, windows included.
    import syndidetect._kernels.overlap as overlap
    from syndidetect.paragraph_match import paragraph_matches, shared_hits

    config, (pa, pb) = sd.Config(), recut(seed)
    dense = paragraph_matches(pa, pb, config)
    dense_hits = shared_hits(pa, pb, config.rules.min_paragraph_shared)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(overlap, "DENSE_ENTRIES", 0)
        sparse_hits = shared_hits(pa, pb, config.rules.min_paragraph_shared)
        assert paragraph_matches(pa, pb, config) == dense
    for name in ("rows", "cols", "counts"):
        np.testing.assert_array_equal(getattr(sparse_hits, name), getattr(dense_hits, name))
    assert any(m.window for m in dense) or len(dense) > 1
