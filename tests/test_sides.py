"""Verification sides of many documents at once: the kernel is the numpy path, and the batch gives
each document the side it gets alone."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syndidetect._kernels.sides import SIDES, sides_numpy
from syndidetect._kernels.words import stream_of
from syndidetect.align import distinct_grams
from syndidetect.boilerplate import find_boilerplate
from syndidetect.config import Config
from syndidetect.documents import Document
from syndidetect.prepared import prepare_documents
from syndidetect.rules import VerdictRules
from syndidetect.verify import gram_paragraphs, judge_pair, remember_sides, verification_side

# Documents of 0 to 30 grams drawn from a few values, so that grams repeat within a document (the
# refrain test) and across documents (which must not count).
_DOCUMENT = st.lists(st.tuples(st.integers(0, 6), st.booleans()), max_size=30)


@settings(max_examples=200)
@given(st.lists(_DOCUMENT, max_size=8), st.integers(1, 4))
def test_the_compiled_sides_are_the_numpy_ones(documents: list[list[tuple[int, bool]]], refrain: int) -> None:
    kernel = SIDES.compiled()
    assert kernel is not None
    grams = np.array([(value * 0x9E3779B97F4A7C15) % 2**64 for d in documents for value, _ in d], dtype=np.uint64)
    allowed = np.array([flag for d in documents for _, flag in d], dtype=np.bool_)
    offsets = np.zeros(len(documents) + 1, dtype=np.int64)
    np.cumsum([len(d) for d in documents], out=offsets[1:])
    expected = sides_numpy(grams, offsets, allowed, refrain)
    counted = np.zeros(len(grams), dtype=np.bool_)
    running = np.zeros(len(grams) + len(documents), dtype=np.int32)
    content = np.zeros(len(grams), dtype=np.uint64)
    found = np.zeros(len(documents), dtype=np.int64)
    every, distinct = np.zeros(len(grams), dtype=np.uint64), np.zeros(len(documents), dtype=np.int64)
    ranks = np.zeros(len(grams), dtype=np.uint32)
    outputs = (counted, running, content, found, every, distinct, ranks)
    kernel(grams, offsets, allowed, refrain, *outputs, 1, 2)  # the odd documents, then the even ones
    assert not found[0::2].any() and not distinct[0::2].any()
    kernel(grams, offsets, allowed, refrain, *outputs, 0, 2)
    assert counted.tolist() == expected[0].tolist() and running.tolist() == expected[1].tolist()
    assert found.tolist() == expected[3].tolist() and distinct.tolist() == expected[5].tolist()
    assert ranks.tolist() == expected[6].tolist()
    for d, (size, values) in enumerate(zip(found.tolist(), distinct.tolist())):
        start = int(offsets[d])
        # each gram is the distinct value at its place
        assert every[start + ranks[start : int(offsets[d + 1])].astype(np.int64)].tolist() == grams[
            start : int(offsets[d + 1])].tolist()
        assert content[start : start + size].tolist() == expected[2][start : start + size].tolist()
        assert every[start : start + values].tolist() == sorted(set(grams[start : int(offsets[d + 1])].tolist()))
        assert every[start : start + values].tolist() == expected[4][start : start + values].tolist()


FOOTER = ["Sign up for our newsletter to get the best stories in your inbox every morning.",
          "All rights reserved by the Daily Ledger. Privacy policy and terms of use apply to this site."]
BODIES = ["The council approved a new budget for the harbour after a long debate on Tuesday evening.",
          "Fishermen welcomed the decision, saying the repairs to the pier were overdue by years.",
          "A rare bird was spotted near the lake by a group of students from the local university.",
          "Experts said the visitor had probably been blown off course by the storms of last week.",
          "The library will extend its opening hours during the exam period, the director said.",
          "Students had petitioned for longer hours, collecting more than two thousand signatures."]


def _pages() -> list[Document]:
    """Pages of one site (its footer lines are boilerplate, masked), one-line and empty documents, a
    page whose first line starts after blank lines, and one repeating a line (a refrain)."""
    site = [Document(f"site/{k}", "\n\n".join([BODIES[k], BODIES[(k + 1) % 6], *FOOTER])) for k in range(6)]
    return [*site, Document("one", "One line only, long enough to count as a sentence of content."),
            Document("empty", ""), Document("late", "\n\n\n   Late start of a page with words in it today."),
            Document("refrain", "\n\n".join(["Read more about the harbour budget here today."] * 4
                                           + ["The council met on Tuesday to approve the new plan."]))]


@pytest.mark.parametrize("rules", [VerdictRules(), VerdictRules(refrain_repeats=2, sentence_grams=1)])
@pytest.mark.parametrize("compiled", [False, True])
def test_a_batch_gives_each_document_its_own_side(rules: VerdictRules, compiled: bool,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    if not compiled:
        monkeypatch.setattr(SIDES, "get", lambda weight=1: None)  # the numpy path
    config = Config(rules=rules)
    alone, batched = prepare_documents(_pages(), config), prepare_documents(_pages(), config)
    masks = find_boilerplate(alone, config).masks
    assert masks  # the template lines are masked: sides read the masks
    remember_sides([(doc, masks.get(doc.id)) for doc in batched], config.shingle_size, rules)
    for a, b in zip(alone, batched):
        expected = verification_side(a, masks.get(a.id), config.shingle_size, rules)
        side = verification_side(b, masks.get(b.id), config.shingle_size, rules)  # remembered by the batch
        assert side.counted.tolist() == expected.counted.tolist()
        assert side.running.dtype == expected.running.dtype and side.running.tolist() == expected.running.tolist()
        assert side.content.tolist() == expected.content.tolist() and side.total == expected.total
        assert side.stripped.matchable.tolist() == expected.stripped.matchable.tolist()
        # the batch's stream holds its grams as places among its distinct grams: the same grams
        n = config.shingle_size
        held, built = b.stream(n), a.stream(n)
        assert held.gram_count == built.gram_count == len(built.grams)
        assert held.grams.tolist() == built.grams.tolist()
        assert held.grams_between(1, 4).tolist() == built.grams[1:4].tolist()
        # each gram's paragraph (that of its first word), and the grams of each paragraph
        n = config.shingle_size
        owners = a.token_paragraphs(n)[: len(a.stream(n).grams)]
        counts = np.bincount(owners, minlength=len(a.paragraphs)).tolist()
        for found in (gram_paragraphs(b, n), gram_paragraphs(a, n)):  # from the batch's counts, and alone
            assert found[0].tolist() == owners.tolist() and found[1].tolist() == counts
    assert any(verification_side(b, masks.get(b.id), config.shingle_size, rules).total for b in batched)


def test_a_document_counting_every_gram_holds_its_distinct_grams_once() -> None:
    """Sides made in a batch: a document whose every distinct gram counts holds one array as its
    content grams and as alignment's distinct grams (the same values); one with a masked footer or
    a refrain holds its content grams apart, fewer of them."""
    config = Config()
    n, rules = config.shingle_size, config.rules
    docs = prepare_documents(_pages(), config)
    masks = find_boilerplate(docs, config).masks
    assert SIDES.compiled() is not None
    remember_sides([(doc, masks.get(doc.id)) for doc in docs], n, rules)
    shared = apart = 0
    for doc in docs:
        if not doc.paragraphs:
            continue
        side, distinct = verification_side(doc, masks.get(doc.id), n, rules), distinct_grams(doc, n)
        grams = doc.stream(n).grams
        assert distinct.tolist() == sorted(set(grams.tolist()))
        assert side.content.tolist() == sorted(set(grams[side.counted].tolist()))
        if len(side.content) == len(distinct):
            assert side.content is distinct
            shared += 1
        else:
            assert side.content is not distinct and len(side.content) < len(distinct)
            apart += 1
    assert shared and apart


def test_a_stream_with_more_distinct_grams_than_two_bytes_number_keeps_them() -> None:
    """A text of more distinct grams than a uint16 numbers (65,536) keeps every gram once its
    stream holds them as places among its distinct grams; a short one beside it keeps its own."""
    config = Config()
    n, rules = config.shingle_size, config.rules
    words = 70_000
    docs = prepare_documents([Document("huge", " ".join(f"w{k}" for k in range(words)) + "."),
                              Document("short", "A short page of a few words about the harbour.")], config)
    expected = [stream_of(doc.document.text, n).grams.tolist() for doc in docs]
    remember_sides([(doc, None) for doc in docs], n, rules)
    assert len(distinct_grams(docs[0], n)) == words - n + 1 > 2**16
    for doc, grams in zip(docs, expected):
        assert doc.stream(n).grams.tolist() == grams
        assert doc.stream(n).grams_between(words - 10, words).tolist() == grams[words - 10 : words]


def test_documents_counting_every_gram_share_flags_and_running_counts() -> None:
    """Their flags are all set and their running counts 0, 1, 2, ...: views of shared arrays, grown
    for a longer document, which judging the pairs leaves as they were; the others own theirs. The
    views stay writeable, so the compiled tiling kernel takes them as the arrays it was compiled for
    (numba types a read-only array apart)."""
    config = Config()
    n, rules = config.shingle_size, config.rules
    long_text = " ".join(f"term{k}" for k in range(6000)) + "."  # longer than the first arrays
    pages = [*_pages(), Document("long", long_text), Document("long copy", "A new lead sentence. " + long_text)]
    docs = prepare_documents(pages, config)
    masks = find_boilerplate(docs, config).masks
    remember_sides([(doc, masks.get(doc.id)) for doc in docs], n, rules)
    every: list[np.ndarray] = []
    for doc in docs:
        if not doc.paragraphs:
            continue
        side = verification_side(doc, masks.get(doc.id), n, rules)
        assert side.running.tolist() == [0, *np.cumsum(side.counted).tolist()]
        assert side.counted.flags.writeable and side.running.flags.writeable
        if side.total == len(side.counted):
            assert side.counted.all()
            every.append(side.running)
    assert len(every) >= 3 and max(len(r) for r in every) > 5000
    assert np.shares_memory(every[0], every[1])
    verdict = judge_pair(docs[-2], docs[-1], config)  # aligned on the shared counts
    assert verdict is not None and verdict.passages
    for running in every:
        assert running.tolist() == list(range(len(running)))


def test_a_large_batch_split_between_two_threads_gives_the_numpy_sides() -> None:
    from syndidetect._kernels.sides import THREADED_DOCUMENTS

    rng = np.random.RandomState(4)
    sizes = rng.randint(0, 40, 3 * THREADED_DOCUMENTS + 1)  # odd: the threads' shares differ by one
    grams = rng.randint(0, 12, sizes.sum()).astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    allowed = rng.rand(sizes.sum()) < 0.8
    offsets = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    assert SIDES.compiled() is not None
    _assert_the_numpy_sides(grams, offsets, allowed, 3)


@pytest.mark.parametrize("spread", ["few values", "shared low bytes", "any value"])
def test_long_documents_sorted_by_radix_give_the_numpy_sides(spread: str) -> None:
    """Documents of RADIX_FROM grams or more take a radix sort: their sides are numpy's, with values
    repeated (refrains), values whose low bytes are all alike (passes skipped) and any 64-bit value."""
    from syndidetect._kernels.sides import RADIX_FROM

    rng = np.random.RandomState(7)
    sizes = np.array([0, 1, RADIX_FROM - 1, RADIX_FROM, RADIX_FROM + 1, 700, 1500, 5])
    if spread == "few values":
        grams = rng.randint(0, 40, sizes.sum()).astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    elif spread == "shared low bytes":
        grams = (rng.randint(0, 2**20, sizes.sum()).astype(np.uint64) << np.uint64(40)) | np.uint64(0xABCDEF)
    else:
        grams = rng.randint(0, 2**63, sizes.sum(), dtype=np.int64).astype(np.uint64) * np.uint64(2) + np.uint64(1)
        grams[::17] = grams[3]  # one value in many places
    allowed = rng.rand(sizes.sum()) < 0.8
    offsets = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    assert SIDES.compiled() is not None
    _assert_the_numpy_sides(grams, offsets, allowed, 3)


def _assert_the_numpy_sides(grams: np.ndarray, offsets: np.ndarray, allowed: np.ndarray, refrain: int) -> None:
    """The kernel's sides of these documents (sides, two threads past THREADED_DOCUMENTS) are numpy's."""
    from syndidetect._kernels.sides import sides

    counted, running, content, found, every, distinct, ranks = sides(grams, offsets, allowed, refrain)
    expected = sides_numpy(grams, offsets, allowed, refrain)
    assert counted.tolist() == expected[0].tolist() and running.tolist() == expected[1].tolist()
    assert found.tolist() == expected[3].tolist() and distinct.tolist() == expected[5].tolist()
    assert ranks.tolist() == expected[6].tolist()
    for start, size, values in zip(offsets.tolist(), found.tolist(), distinct.tolist()):
        assert content[start : start + size].tolist() == expected[2][start : start + size].tolist()
        assert every[start : start + values].tolist() == expected[4][start : start + values].tolist()


def test_shared_counts_cut_in_several_threads_at_once_have_the_asked_lengths() -> None:
    """Threads making sides at once (Dask's) while the shared arrays grow: each view has the length
    asked and counts 0, 1, 2, ... (the flags and counts are read and replaced as one pair)."""
    import threading

    from syndidetect.align import every_gram_counted

    failures: list[int] = []

    def ask(first: int) -> None:
        for grams in range(first, first + 40_000, 997):
            flags, running = every_gram_counted(grams)
            if len(flags) != grams or len(running) != grams + 1 or int(running[-1]) != grams or not flags.all():
                failures.append(grams)

    workers = [threading.Thread(target=ask, args=(k * 13_000,)) for k in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert failures == []
