"""Exact verification: containment, split and re-cut paragraphs, kinds, verdicts, direction."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from syndidetect._kernels.lazy import LazyKernel
from syndidetect._kernels.overlap import pair_overlap, shared_counts_sorted
from syndidetect.align import content_grams, may_hold_passage
from syndidetect.boilerplate import find_boilerplate, without_boilerplate
from syndidetect.config import Config
from syndidetect.detector import detect
from syndidetect.documents import Document
from syndidetect.paragraph_match import SharedHits, in_order, paragraph_matches
from syndidetect.prepared import PreparedDocument, prepare_documents
from syndidetect.rules import VerdictRules
from syndidetect.verify import copy_rule, gather, judge_pair, may_be_reworded, verification_side
from syndidetect.verify_batch import PositionedPairs, judge_pairs, numbered_members

STORY = [
    "The river flooded the old town on Monday after three days of heavy rain across the valley.",
    "Residents were moved to the school gym, where volunteers served soup and blankets all night.",
    "The mayor said repairs to the bridge would take at least six weeks and cost two million.",
    "Engineers will inspect the dam on Friday, according to a statement from the water board.",
]
OTHER = [
    "A new bakery opened on the high street selling sourdough loaves and cinnamon buns daily.",
    "The football club announced a summer camp for children aged eight to twelve this year.",
    "Local artists painted a mural on the library wall depicting the history of the harbour.",
]
CONFIG = Config()


def _shared_counts(a: PreparedDocument, b: PreparedDocument) -> np.ndarray:
    """The dense matrix of shingles each matchable paragraph pair of ``a`` and ``b`` shares."""
    return shared_counts_sorted(*a.hash_index, a.matchable, *b.hash_index, b.matchable)


def prepare(*texts: str) -> list:  # type: ignore[type-arg]
    return prepare_documents([Document(f"d{i}", t) for i, t in enumerate(texts)], CONFIG)


def test_embedded_copy_is_found_with_direction() -> None:
    source = "\n\n".join(STORY)
    page = "\n\n".join([*OTHER, *STORY, *OTHER])
    a, b = prepare(source, page)
    verdict = judge_pair(a, b, CONFIG)
    assert verdict is not None
    assert (verdict.verdict, verdict.kind, verdict.source_side) == ("copy", "verbatim", 0)
    assert [(m.a, m.b) for m in verdict.matches] == [(0, 3), (1, 4), (2, 5), (3, 6)]


def test_split_paragraph_matches_both_halves() -> None:
    first, second = STORY[2].split(" would ")
    a, b = prepare(STORY[2], f"{first} would\n\n{second}")
    pairs = [(m.a, m.b) for m in paragraph_matches(a, b, CONFIG)]
    assert pairs == [(0, 0), (0, 1)]


def test_recut_paragraph_matches_its_window() -> None:
    one, two = STORY[0], STORY[1]
    recut = " ".join(one.split()[8:] + two.split()[:8])
    a, b = prepare(f"{one}\n\n{two}", recut)
    matches = paragraph_matches(a, b, Config(threshold=0.6))
    assert [(m.a, m.b) for m in matches] == [(0, 0), (1, 0)]
    assert all(m.window for m in matches)


def test_a_document_that_let_go_of_its_hashes_reads_them_from_its_hash_index() -> None:
    # Split and re-cut paragraphs: the window and novel-partner rules read paragraphs' hashes.
    one, two = STORY[0], STORY[1]
    first, second = STORY[2].split(" would ")
    recut = " ".join(one.split()[8:] + two.split()[:8])
    texts = (f"{one}\n\n{two}\n\n{STORY[2]}", f"{recut}\n\n{first} would\n\n{second}")
    config = Config(threshold=0.6)
    kept, let_go = prepare(*texts), prepare(*texts)
    expected = [[d.paragraph_hashes(i).tolist() for i in range(len(d.paragraphs))] for d in kept]
    matches = paragraph_matches(kept[0], kept[1], config)
    assert any(m.window for m in matches) and sum(m.a == 2 for m in matches) == 2  # both halves of the split
    for doc in let_go:
        doc.hash_index  # noqa: B018  (made while the hashes are there)
        doc.let_go_of_hashes()
        assert len(doc.hashes) == 0
    assert [[d.paragraph_hashes(i).tolist() for i in range(len(d.paragraphs))] for d in let_go] == expected
    assert paragraph_matches(let_go[0], let_go[1], config) == matches
    assert judge_pair(let_go[0], let_go[1], config) == judge_pair(kept[0], kept[1], config)
    let_go[0].forget()  # its hash index was all that was left of its hashes
    with pytest.raises(RuntimeError, match="d0"):
        let_go[0].hash_index  # noqa: B018


def test_judging_pairs_of_documents_that_let_go_of_their_hashes_gives_the_same_verdicts(
        corpus: list[tuple[str, str]], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("syndidetect.verify_batch.BATCH_PAIRS", 37)  # several batches, memos forgotten
    judged = []
    for let_go in (False, True):
        docs = prepare_documents([Document(i, t) for i, t in corpus], CONFIG)
        pairs = [(a, b, k % 3 == 0) for k, (a, b) in enumerate(itertools.combinations(docs, 2))]
        masks = find_boilerplate(docs, CONFIG).masks
        judged.append([(a.id, b.id, v) for a, b, v in judge_pairs(pairs, CONFIG, masks, lambda _: None, let_go=let_go)])
        assert all(len(d.hashes) == 0 for d in docs) == let_go
    assert judged[0] == judged[1] and len(judged[0]) > 10


def test_one_shared_quotation_is_related_not_copy() -> None:
    quote = "“We will not rest until every family is safely back in their home,” the mayor said on Monday."
    a, b = prepare("\n\n".join([*STORY[:2], quote]), "\n\n".join([*OTHER, quote]))
    verdict = judge_pair(a, b, CONFIG)
    assert verdict is not None and verdict.verdict == "related" and verdict.source_side is None


def test_unrelated_documents_share_nothing() -> None:
    a, b = prepare("\n\n".join(STORY), "\n\n".join(OTHER))
    assert judge_pair(a, b, CONFIG) is None


def test_short_lines_are_never_matched() -> None:
    a, b = prepare("Most Popular\n\nTo Top", "Most Popular\n\nTo Top")
    assert not a.matchable.any()
    assert judge_pair(a, b, CONFIG) is None


def test_dates_decide_direction_when_given() -> None:
    docs = [Document("late", "\n\n".join(STORY), date="2024-05-02"),
            Document("early", "\n\n".join(STORY), date="2024-05-01")]
    late, early = prepare_documents(docs, CONFIG)
    verdict = judge_pair(late, early, CONFIG)
    assert verdict is not None and verdict.source_side == 1


def test_identical_documents_have_no_direction_without_dates() -> None:
    a, b = prepare("\n\n".join(STORY), "\n\n".join(STORY))
    verdict = judge_pair(a, b, CONFIG)
    assert verdict is not None and verdict.verdict == "copy" and verdict.source_side is None


def test_match_kinds() -> None:
    assert [VerdictRules().kind(c) for c in (1.0, 0.8, 0.3)] == ["verbatim", "near", "reworded"]


def test_in_order_keeps_the_longest_order_preserving_chain() -> None:
    a, b = prepare("\n\n".join(STORY), "\n\n".join([STORY[3], STORY[0], STORY[1], STORY[2]]))
    matches = paragraph_matches(a, b, CONFIG)
    assert [(m.a, m.b) for m in in_order(matches)] == [(0, 1), (1, 2), (2, 3)]


def test_a_second_partner_must_bring_new_text() -> None:
    quote = STORY[0]
    shorter = " ".join(quote.split()[:10])  # shares only what the exact partner already shares
    a, b = prepare(quote, f"{quote}\n\n{OTHER[0]}\n\n{shorter}")
    assert [(m.a, m.b) for m in paragraph_matches(a, b, CONFIG)] == [(0, 0)]


def test_headings_alone_do_not_make_a_copy() -> None:
    headings = ["Council Approves the Harbour Budget", "Rare Bird Seen Near the Lake", "Library Extends Hours"]
    a, b = prepare("\n\n".join([*headings, STORY[0]]), "\n\n".join([*headings, OTHER[0]]))
    verdict = judge_pair(a, b, Config(min_words=3))
    assert verdict is not None and verdict.verdict == "related"


# --- the early rejection and the compiled kernels change no verdict -------------------------------------


@pytest.fixture(scope="module")
def corpus() -> list[tuple[str, str]]:
    from benchmarks.quality.generate import make_corpus

    return list(make_corpus(seed=1, n_sources=12, n_negatives=2).documents)


Mask = npt.NDArray[np.bool_] | None
Grams = npt.NDArray[np.uint64]
Pair = tuple[PreparedDocument, PreparedDocument, tuple[Mask, Mask], tuple[Grams, Grams]]


def _every_pair(corpus: list[tuple[str, str]]) -> Iterator[Pair]:
    """Every pair of the corpus's documents, with their boilerplate masks and content grams."""
    docs = prepare_documents([Document(i, t) for i, t in corpus], CONFIG)
    scan = find_boilerplate(docs, CONFIG)
    n, rules = CONFIG.shingle_size, CONFIG.rules
    for a, b in itertools.combinations(docs, 2):
        masks = (scan.masks.get(a.id), scan.masks.get(b.id))
        yield a, b, masks, (content_grams(a, n, masks[0], rules), content_grams(b, n, masks[1], rules))


def test_an_early_rejected_pair_has_no_passage_match_or_phrase(corpus: list[tuple[str, str]]) -> None:
    """The proof in judge_pair, checked: where the two counts reject a pair, the full evidence is empty."""
    n, rules = CONFIG.shingle_size, CONFIG.rules
    rejected = 0
    for a, b, masks, grams in _every_pair(corpus):
        stripped = (without_boilerplate(a, masks[0]), without_boilerplate(b, masks[1]))
        most, common = pair_overlap(*a.hash_index, stripped[0].matchable, *b.hash_index, stripped[1].matchable,
                                    *grams)
        if most < rules.min_paragraph_shared and not may_hold_passage(common, rules):
            rejected += 1
            evidence = gather(a, b, CONFIG, masks)
            assert not evidence.passages and not evidence.matches and not evidence.phrases
            assert copy_rule(evidence, a, b, n, rules) == "" and judge_pair(a, b, CONFIG, masks) is None
    assert rejected > 100


def test_evidence_given_the_early_rejection_count_is_the_evidence_counted_again(corpus: list[tuple[str, str]]) -> None:
    """gather trusts the early rejection's count of shared content grams (align's first test)."""
    with_passages = 0
    for a, b, masks, grams in _every_pair(corpus):
        common = len(set(grams[0].tolist()) & set(grams[1].tolist()))
        if not may_hold_passage(common, CONFIG.rules):
            continue
        counted, given = gather(a, b, CONFIG, masks), gather(a, b, CONFIG, masks, common)
        assert (given.passages, given.ordered, given.coverage, given.shared_coverage, given.matches) == \
            (counted.passages, counted.ordered, counted.coverage, counted.shared_coverage, counted.matches)
        if counted.passages:
            with_passages += 1
            assert not gather(a, b, CONFIG, masks, 0).passages  # the count given is the one used
    assert with_passages > 20


def test_compiled_kernels_and_numpy_paths_give_one_report(corpus: list[tuple[str, str]],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(LazyKernel, "get", lambda self, weight=1, work=None: None)
    numpy_only = detect(corpus).to_dict()
    monkeypatch.setattr(LazyKernel, "get", lambda self, weight=1, work=None: LazyKernel.compiled(self))
    compiled = detect(corpus).to_dict()
    assert compiled == numpy_only and numpy_only["pairs"]


def test_batched_verification_judges_every_pair_as_judge_pair(corpus: list[tuple[str, str]],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """judge_pairs (early rejection batched, memos forgotten between batches) gives judge_pair's
    verdicts, pairs the sentence LSH found included (those first asked may_be_reworded)."""
    docs = prepare_documents([Document(i, t) for i, t in corpus], CONFIG)
    scan = find_boilerplate(docs, CONFIG)
    pairs = [(a, b, k % 3 == 0) for k, (a, b) in enumerate(itertools.combinations(docs, 2))]
    expected = []
    for a, b, found in pairs:
        masks = (scan.masks.get(a.id), scan.masks.get(b.id))
        verdict = None if found and not may_be_reworded(a, b, CONFIG.rules) else \
            judge_pair(a, b, CONFIG, masks, found)
        if verdict is not None:
            expected.append((a.id, b.id, verdict))
    fresh = prepare_documents([Document(i, t) for i, t in corpus], CONFIG)
    by_id = {d.id: d for d in fresh}
    monkeypatch.setattr("syndidetect.verify_batch.BATCH_PAIRS", 37)  # several batches, memos forgotten
    done: list[int] = []
    got = [(a.id, b.id, v) for a, b, v in judge_pairs([(by_id[a.id], by_id[b.id], f) for a, b, f in pairs],
                                                      CONFIG, scan.masks, done.append)]
    assert got == expected and len(got) > 10
    assert done[-1] == len(pairs) and done == sorted(done)
    assert any(v.verdict == "copy" for _, _, v in got) and any(f for _, _, f in pairs)


def _judged(corpus: list[tuple[str, str]], monkeypatch: pytest.MonkeyPatch,
            batch_pairs: int) -> list[tuple[str, str, object]]:
    """judge_pairs' verdicts on every pair of fresh documents, half of them found by sentences,
    ``batch_pairs`` pairs a batch."""
    docs = prepare_documents([Document(i, t) for i, t in corpus], CONFIG)
    pairs = [(a, b, k % 2 == 0) for k, (a, b) in enumerate(itertools.combinations(docs, 2))]
    monkeypatch.setattr("syndidetect.verify_batch.BATCH_PAIRS", batch_pairs)
    return [(a.id, b.id, v) for a, b, v in judge_pairs(pairs, CONFIG, find_boilerplate(docs, CONFIG).masks,
                                                       lambda _: None)]


def test_the_joins_of_the_pairs_the_sentence_lsh_found_run_ahead_in_a_second_thread(
        corpus: list[tuple[str, str]], monkeypatch: pytest.MonkeyPatch) -> None:
    """With several batches, the screen's joins of the found pairs are computed by another thread,
    once a batch, and the verdicts are those of one batch screened with its own joins."""
    import threading

    import syndidetect.verify_batch as verify_batch

    callers: list[threading.Thread] = []
    original = verify_batch.CorpusIndexes.found_overlaps

    def found_overlaps(self: verify_batch.CorpusIndexes, found: npt.NDArray[np.bool_], start: int,
                       threads: int | None = None) -> npt.NDArray[np.int64]:
        callers.append(threading.current_thread())
        return original(self, found, start, threads)

    monkeypatch.setattr(verify_batch.CorpusIndexes, "found_overlaps", found_overlaps)
    ahead = _judged(corpus, monkeypatch, 23)
    pairs = len(corpus) * (len(corpus) - 1) // 2
    assert len(callers) == -(-pairs // 23) and threading.current_thread() not in callers
    callers.clear()
    assert ahead == _judged(corpus, monkeypatch, 10**6) and ahead
    assert callers == [threading.current_thread()]  # one batch: screened with its own joins


def test_the_sentence_bound_of_a_batch_runs_in_the_background_while_the_batch_before_is_finished(
        corpus: list[tuple[str, str]], monkeypatch: pytest.MonkeyPatch) -> None:
    """With several batches, each batch's compiled sentence bound runs in another thread, on one
    core, handed over before the batch before is finished; the verdicts are those of one batch."""
    import threading

    from syndidetect.verify import sentences_may_copy_later

    ran: list[tuple[threading.Thread, int | None]] = []

    def later(*args: Any) -> Callable[[int | None], list[bool]]:
        job = sentences_may_copy_later(*args)

        def recorded(threads: int | None) -> list[bool]:
            ran.append((threading.current_thread(), threads))
            return job(threads)

        return recorded

    monkeypatch.setattr("syndidetect.verify_batch.sentences_may_copy_later", later)

    ahead = _judged(corpus, monkeypatch, 23)
    pairs = len(corpus) * (len(corpus) - 1) // 2
    assert len(ran) == -(-pairs // 23)
    assert all(thread is not threading.current_thread() and threads == 1 for thread, threads in ran)
    ran.clear()
    assert ahead == _judged(corpus, monkeypatch, 10**6) and ahead
    assert ran == [(threading.current_thread(), None)]  # one batch: bound here, on the default threads


def test_screening_batches_of_a_corpus_is_screening_each_batch_alone() -> None:
    # judge_pairs lays out the hash indexes of all its pairs' documents once and screens batches
    # against that layout: the pairs kept, and their numbers, are those of each batch alone.
    from syndidetect._kernels.overlap import PAIRS_OVERLAP
    from syndidetect.verify_batch import CorpusIndexes, screen

    assert PAIRS_OVERLAP.compiled() is not None  # the screen counts what it keeps (alone too, not after others)
    rng = np.random.RandomState(3)
    words = [f"w{k}" for k in range(300)]
    pool = [" ".join(rng.choice(words, rng.randint(8, 16))) + "." for _ in range(12)]  # shared paragraphs
    texts = ["\n\n".join([*rng.choice(pool, rng.randint(0, 3)), " ".join(rng.choice(words, 12)) + "."])
             for _ in range(30)]
    config = Config()
    docs = prepare_documents([Document(f"d{k}", t) for k, t in enumerate(texts)], config)
    pairs = [(docs[a], docs[b], bool(rng.rand() < 0.5)) for a in range(30) for b in range(a + 1, 30)
             if rng.rand() < 0.3]
    masks = find_boilerplate(docs, config).masks
    expected = [screen(pairs[s : s + 17], config, masks) for s in range(0, len(pairs), 17)]
    fresh = prepare_documents([Document(f"d{k}", t) for k, t in enumerate(texts)], config)
    index = {d.id: d for d in fresh}
    again = [(index[a.id], index[b.id], s) for a, b, s in pairs]
    corpus = CorpusIndexes(again)
    found = [screen(again[s : s + 17], config, masks, corpus, s) for s in range(0, len(again), 17)]
    assert [[(k, o) for k, o, _ in batch] for batch in found] == [[(k, o) for k, o, _ in batch] for batch in expected]
    assert any(expected) and sum(map(len, expected)) < len(pairs)
    least = config.rules.min_paragraph_shared
    for number, batch in enumerate(found):  # each kept pair with its hits, boilerplate set aside
        for k, _, hits in batch:
            a, b, _ = again[17 * number + k]
            sides = [verification_side(d, masks.get(d.id), config.shingle_size, config.rules) for d in (a, b)]
            assert hits is not None
            alone = SharedHits.of_counts(_shared_counts(sides[0].stripped, sides[1].stripped), least)
            for got, expected_part in zip((hits.rows, hits.cols, hits.counts), (alone.rows, alone.cols, alone.counts)):
                np.testing.assert_array_equal(got, expected_part)
    assert any(len(hits) for batch in found for _, _, hits in batch if hits is not None)


def test_pairs_numbered_from_positions_are_judged_as_pairs_numbered_by_identity(
        corpus: list[tuple[str, str]]) -> None:
    """numbered_members gives pair_members' numbering from positions in a list of documents (those
    in no pair left out, each other once, in the list's order), and judge_pairs given the pairs as
    positions (PositionedPairs, a sequence of the same tuples) judges as it does numbering the
    objects itself."""
    docs = prepare_documents([Document(i, t) for i, t in corpus], CONFIG)
    rng = np.random.RandomState(7)
    paired = len(docs) - 3  # the last three documents in no pair
    first = rng.randint(0, paired, 60).astype(np.int64)
    second = (first + 1 + rng.randint(0, paired - 1, 60)) % paired  # never the same document
    members, left, right = numbered_members(docs, first, second)
    used = sorted(set(first.tolist()) | set(second.tolist()))
    assert len(used) < len(docs) and [id(d) for d in members] == [id(docs[k]) for k in used]
    assert all(members[a] is docs[f] and members[b] is docs[s]
               for a, b, f, s in zip(left.tolist(), right.tolist(), first.tolist(), second.tolist()))
    pairs = [(docs[f], docs[s], k % 2 == 0) for k, (f, s) in enumerate(zip(first.tolist(), second.tolist()))]
    masks = find_boilerplate(docs, CONFIG).masks
    by_identity = [(a.id, b.id, v) for a, b, v in judge_pairs(pairs, CONFIG, masks, lambda done: None)]
    fresh = {d.id: d for d in prepare_documents([Document(i, t) for i, t in corpus], CONFIG)}
    again = [fresh[d.id] for d in docs]
    positioned = PositionedPairs(again, first, second, np.array([f for _, _, f in pairs], dtype=np.bool_))
    assert len(positioned) == len(pairs) and [(a.id, b.id, f) for a, b, f in positioned] == [
        (a.id, b.id, f) for a, b, f in pairs]
    assert positioned[5][0] is fresh[pairs[5][0].id] and positioned[-1][2] == pairs[-1][2]
    assert [(a.id, b.id) for a, b, _ in positioned[10:20]] == [(a.id, b.id) for a, b, _ in pairs[10:20]]
    by_position = [(a.id, b.id, v) for a, b, v in judge_pairs(positioned, CONFIG, masks, lambda done: None)]
    assert by_position == by_identity and by_identity


def test_each_document_is_forgotten_once_after_the_batch_of_its_last_pair(monkeypatch: pytest.MonkeyPatch) -> None:
    import syndidetect.verify_batch as verify_batch

    texts = [f"Paragraph {k} says the harbour budget passed after a debate of {k % 3} hours on Tuesday."
             for k in range(8)]
    config = Config()
    docs = prepare_documents([Document(f"d{k}", t) for k, t in enumerate(texts)], config)
    pairs = [(docs[a], docs[b], False) for a, b in [(0, 1), (0, 2), (1, 2), (3, 4), (0, 5), (4, 5), (6, 7)]]
    last = {id(d): max(k for k, (a, b, _) in enumerate(pairs) if d in (a, b)) for d in docs}
    judged = [0]
    forgotten: list[tuple[int, int]] = []
    original = PreparedDocument.forget

    def forget(doc: PreparedDocument) -> None:
        forgotten.append((id(doc), judged[0]))
        original(doc)

    monkeypatch.setattr(verify_batch, "BATCH_PAIRS", 3)
    monkeypatch.setattr(PreparedDocument, "forget", forget)
    found = list(judge_pairs(pairs, config, {}, lambda done: judged.__setitem__(0, done)))
    assert len(found) == len(pairs)  # every pair shares its sentences' words
    assert sorted(d for d, _ in forgotten) == sorted(last)  # each document once
    for doc, done in forgotten:  # at the end of the batch of its last pair
        assert done == min(len(pairs), (last[doc] // 3 + 1) * 3)


def test_the_heap_gives_back_its_free_pages_at_the_start_and_every_few_batches_after_forgetting(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """glibc keeps the pages of what forgotten documents freed among the live ones: judge_pairs asks
    for them back (``malloc_trim``) once before it builds its indexes, then every
    ``BATCHES_BETWEEN_TRIMS`` batches, after that batch's documents are forgotten."""
    import syndidetect.verify_batch as verify_batch

    texts = [f"Paragraph {k} says the harbour budget passed after a debate of {k % 3} hours on Tuesday."
             for k in range(8)]
    config = Config()
    docs = prepare_documents([Document(f"d{k}", t) for k, t in enumerate(texts)], config)
    pairs = [(docs[a], docs[b], False) for a, b in [(0, 1), (0, 2), (1, 2), (3, 4), (0, 5), (4, 5), (6, 7)]]
    judged = [0]
    events: list[tuple[str, int]] = []
    original = PreparedDocument.forget

    def forget(doc: PreparedDocument) -> None:
        events.append(("forget", judged[0]))
        original(doc)

    monkeypatch.setattr(verify_batch, "BATCH_PAIRS", 1)
    monkeypatch.setattr(verify_batch, "BATCHES_BETWEEN_TRIMS", 2)
    monkeypatch.setattr(verify_batch, "give_back_freed_memory", lambda: events.append(("trim", judged[0])))
    monkeypatch.setattr(PreparedDocument, "forget", forget)
    found = list(judge_pairs(pairs, config, {}, lambda done: judged.__setitem__(0, done)))
    assert len(found) == len(pairs)
    assert [done for name, done in events if name == "trim"] == [0, 2, 4, 6]  # batches 2, 4 and 6 of 7
    trims = [at for at, (name, done) in enumerate(events) if name == "trim" and done]
    for at in trims:  # each after the forgetting of the batch that ends there
        assert ("forget", events[at][1]) not in events[at:]
    assert any(("forget", events[at][1]) in events[:at] for at in trims)  # (batches 4 and 6 forget some)


@pytest.mark.parametrize("batch_pairs", [3, 4096])
def test_the_screen_reads_word_streams_on_one_thread_beside_the_workers(
        batch_pairs: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """With more than one batch, judge_pairs's workers (the merge joins ahead, the sentence bound)
    take a core while the screen reads its documents' word streams, which get the cores left: on a
    2-core machine one thread (a second one waited on that core). With one batch there is no worker:
    every core. The verdicts are those of judge_pair either way."""
    import syndidetect._kernels.words as words
    import syndidetect.verify_batch as verify_batch
    from syndidetect._kernels.threads import machine_threads, threads_at_most

    texts = [f"Paragraph {k} says the harbour budget passed after a debate of {k % 3} hours on Tuesday."
             for k in range(8)]
    config = Config()
    docs = prepare_documents([Document(f"d{k}", t) for k, t in enumerate(texts)], config)
    pairs = [(docs[a], docs[b], False) for a, b in [(0, 1), (0, 2), (1, 2), (3, 4), (0, 5), (4, 5), (6, 7)]]
    asked: list[int] = []  # the threads the stream kernel may use, when called
    original = words.ascii_words

    def ascii_words(data: npt.NDArray[np.uint8], texts: int = 1, threads: int | None = None) -> object:
        asked.append(machine_threads() if threads is None else threads)
        return original(data, texts, threads)

    monkeypatch.setattr(words, "ascii_words", ascii_words)
    monkeypatch.setattr(verify_batch, "BATCH_PAIRS", batch_pairs)
    with threads_at_most(2):  # a machine of two cores, as this one
        cores = machine_threads()
        found = [(a.id, b.id, v) for a, b, v in judge_pairs(pairs, config, {}, lambda done: None)]
    assert asked and set(asked) == ({max(1, cores - 1)} if batch_pairs < len(pairs) else {cores})  # not judge_pair's
    fresh = prepare_documents([Document(f"d{k}", t) for k, t in enumerate(texts)], config)
    alone = [(fresh[int(a.id[1:])], fresh[int(b.id[1:])]) for a, b, _ in pairs]
    assert found == [(a.id, b.id, v) for a, b in alone if (v := judge_pair(a, b, config)) is not None]


# Made-up words, many: sentences of unrelated paragraphs share few, so no similar sentences.
_OWN_WORDS = [a + b + c for a in ("bra", "cle", "dro", "fen", "gal", "hum", "jor", "kel")
              for b in ("m", "nd", "st", "r") for c in ("ap", "ek", "ion", "ul", "ost")]


def _sentence(rng: np.random.RandomState, words: int) -> str:
    return " ".join(rng.choice(_OWN_WORDS, words)).capitalize() + f" {rng.randint(10**6)}."


@pytest.mark.parametrize(("taken", "rule"), [(3, "excerpt"), (2, "")])
def test_whole_paragraphs_taken_word_for_word_make_an_excerpt_from_three(taken: int, rule: str) -> None:
    # One passage through `taken` whole paragraphs of a long source, inside a long page of other
    # text: too little of either for the coverage rules, a single place, and too short a stretch
    # for the excerpt rule; three whole sentence-long paragraphs make it a copy, two do not.
    rng = np.random.RandomState(11)
    source = [_sentence(rng, 12) for _ in range(12)]
    page = [_sentence(rng, 12) for _ in range(10)]
    copy = "\n\n".join(page[:5] + source[4 : 4 + taken] + page[5:])
    config = Config()
    a, b = prepare_documents([Document("source", "\n\n".join(source)), Document("page", copy)], config)
    verdict = judge_pair(a, b, config)
    assert verdict is not None and verdict.rule == rule
    assert len(verdict.passages) == 1 and verdict.passages[0].stretch < config.rules.excerpt


@pytest.mark.parametrize("taken", [5, 9, 20, 40])
def test_a_lone_shared_paragraph_pair_matches_from_the_threshold_on(taken: int) -> None:
    """Two documents whose only paragraph pair sharing min_paragraph_shared grams or more (the
    common case, which the matcher takes in one step) match there when the shorter paragraph's
    containment reaches the threshold, with its numbers, and not below it."""
    config = Config()
    words = [f"word{k}" for k in range(60)]
    short = " ".join(words[:taken] + [f"other{k}" for k in range(45 - taken)]) + "."
    a, b = prepare_documents([
        Document("a", " ".join(words) + ".\n\nThe harbour council met again on Tuesday to discuss the budget."),
        Document("b", "A different lead about the weather and the trains this morning.\n\n" + short),
    ], config)
    shared = _shared_counts(a, b)
    assert int((shared >= config.rules.min_paragraph_shared).sum()) == 1 and shared[0, 1] == taken - 2
    common, size_a, size_b = taken - 2, int(a.shingle_counts()[0]), int(b.shingle_counts()[1])
    containment = common / min(size_a, size_b)
    found = [(m.a, m.b, m.shared, m.containment, m.jaccard) for m in paragraph_matches(a, b, config)]
    expected = [(0, 1, common, containment, common / (size_a + size_b - common))]
    assert found == (expected if containment >= config.threshold else [])


def test_a_token_is_stemmed_once_for_all_the_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """The batches' sentences share one memo of the tokens met: a word that documents of several
    batches hold is stemmed (in Python) once, not again in each batch that splits one of them. The
    verdicts are judge_pair's."""
    import syndidetect._kernels.token_stems as token_stems
    import syndidetect.verify_batch as verify_batch
    from syndidetect._kernels.sentences import SENTENCES
    from syndidetect._kernels.stem_tokens import STEM_TOKENS

    for kernel in (SENTENCES, STEM_TOKENS, token_stems.MEMO_KERNELS):  # the batched path, whatever ran before
        kernel.get(1 << 40)
    rng = np.random.RandomState(5)
    shared = "The harbour budget passed after a long debate in the council chamber on Tuesday night."
    texts = ["\n\n".join([shared] + [_sentence(rng, 14) for _ in range(5)]) for _ in range(8)]
    config = Config()
    docs = prepare_documents([Document(f"d{k}", t) for k, t in enumerate(texts)], config)
    pairs = [(docs[a], docs[b], False) for a, b in [(0, 1), (2, 3), (4, 5), (6, 7), (1, 2), (3, 4), (5, 6)]]
    from syndidetect.stemming import content_stem as original

    stemmed: list[str] = []

    def content_stem(token: str) -> str:
        stemmed.append(token)
        return original(token)

    monkeypatch.setattr("syndidetect._kernels.token_stems.content_stem", content_stem)
    monkeypatch.setattr(verify_batch, "BATCH_PAIRS", 2)
    found = [(a.id, b.id, v) for a, b, v in judge_pairs(pairs, config, {}, lambda done: None)]
    assert len(found) == len(pairs) and all(v.verdict == "related" for _, _, v in found)  # each wants its sentences
    assert stemmed and len(stemmed) == len(set(stemmed))
    fresh = prepare_documents([Document(f"d{k}", t) for k, t in enumerate(texts)], config)
    alone = [(fresh[int(a.id[1:])], fresh[int(b.id[1:])]) for a, b, _ in pairs]
    assert found == [(a.id, b.id, v) for a, b in alone if (v := judge_pair(a, b, config)) is not None]
