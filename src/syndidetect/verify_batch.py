"""Verification of a corpus's candidate pairs: the exact early rejection over many pairs at once.

Nearly all candidate pairs share no paragraph and no passage, and :func:`~syndidetect.verify.
judge_pair` rejects them on two numbers of one merge join. Asked pair by pair, the Python around
that join cost more than the join; here the join runs over a batch of pairs in one compiled call
(:func:`syndidetect._kernels.overlap.pairs_overlap`), and only the pairs it cannot reject go on to
``judge_pair``, with the same numbers. The pairs whose verdict needs their similar sentences (rule
d) are then bounded together (:func:`~syndidetect.verify.sentences_may_copy_later`, one compiled call for
the batch), and only those the bound leaves a chance compare their sentences in full. The verdicts
are those of ``judge_pair`` on every pair.

Batches also bound memory: what verification keeps per document (word streams, sides, sentences) is
dropped after the document's last candidate pair, so a million-paragraph corpus never holds it for
all documents at once. The documents' hash indexes are the exception: one layout of all of them
(:class:`CorpusIndexes`) serves every batch, as each document's own index would have been held until
its last pair, which for most documents comes late.

Verification's Python leaves the second core idle most of the time (a 300k-paragraph detect's
verification took 1.27 s of CPU a second of wall time), so the merge joins that need nothing a
batch builds, those of the pairs the sentence LSH found, run a batch or two ahead in a second
thread, and each batch's sentence bound in a third while the batch before is finished
(:func:`judge_pairs`).
"""

from __future__ import annotations

import bisect
import copy
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial
from typing import overload

import numpy as np
import numpy.typing as npt

from syndidetect import arrays
from syndidetect._kernels.glibc import give_back_freed_memory
from syndidetect._kernels.overlap import pairs_overlap, pairs_overlap_keeping
from syndidetect._kernels.packed import Packed, pair_members
from syndidetect._kernels.threads import machine_threads
from syndidetect._kernels.token_stems import TokenStems
from syndidetect.ahead import Background, computed_ahead
from syndidetect.align import AlignedPassage, Running, align_many, may_hold_passage
from syndidetect.config import Config
from syndidetect.paragraph_match import SharedHits
from syndidetect.prepared import PreparedDocument, share_hash_indexes
from syndidetect.repeated_pairs import alike_documents, first_alike_pairs
from syndidetect.rules import VerdictRules
from syndidetect.verify import (
    Judging,
    Known,
    PairVerdict,
    Side,
    begin_judging,
    finish_judging,
    remember_sides,
    reworded_sentences,
    sentences_may_copy_later,
    verification_side,
)

Candidate = tuple[PreparedDocument, PreparedDocument, bool]  # (a, b, whether the sentence LSH found it)
Masks = Mapping[str, npt.NDArray[np.bool_]]
# The distinct documents of a list of pairs, and each pair as two numbers among them (pair_members).
Members = tuple[list[PreparedDocument], npt.NDArray[np.int64], npt.NDArray[np.int64]]
Mask = npt.NDArray[np.bool_] | None
# Candidate pairs per batch: large enough that the compiled call's own cost (~10 us) vanishes, small
# enough that what a batch's screened pairs hold (sides, sentences) stays a few MB.
BATCH_PAIRS = 4096
#: Batches between two returns of the heap's free pages to the system (``malloc_trim``) in
#: :func:`judge_pairs`. A document's word streams and sides (about 15 bytes a token) live from its
#: first pair to its last, and candidate pairs join documents at random, so glibc's heap holds
#: freed blocks of forgotten documents among live ones, and keeps their pages. A trim took 1-36 ms
#: at 1M paragraphs (more as the free heap grows), a batch about 80 ms: one every 16 batches costs
#: at most about 3 % of verification.
BATCHES_BETWEEN_TRIMS = 16
Counts = npt.NDArray[np.int64]  # shared_counts_sorted of a pair: shingles each paragraph pair shares
_NEVER = 2**62  # more shared grams than any pair of documents holds


class CorpusIndexes:
    """The documents of all the candidate pairs, numbered once, with their hash indexes and
    matchable flags laid end to end once, for the screens of every batch. Laid out again a batch,
    as they were, a document was copied in every batch it is in: about 60 of them at 1M paragraphs,
    whose candidate pairs join documents far apart in the order of ids (16 s of 100 s of
    verification). A document's ``hash_index`` becomes a view of its part, so it is held once."""

    def __init__(self, pairs: Sequence[Candidate], members: Members | None = None, *, let_go: bool = False) -> None:
        if members is None:
            members = pair_members([a for a, _, _ in pairs], [b for _, b, _ in pairs])
        self.docs, self.left, self.right = members
        hashes, owners, offsets = share_hash_indexes(self.docs)
        if let_go:  # the documents are the caller's own: their hash indexes now hold their hashes
            for doc in self.docs:
                doc.let_go_of_hashes()
        self.hashes, self.owners = Packed.of(hashes, offsets), Packed.of(owners, offsets)
        self.matchable = Packed([d.matchable for d in self.docs], np.bool_)
        self.no_grams = Packed.of(np.zeros(0, dtype=np.uint64), np.zeros(len(self.docs) + 1, dtype=np.int64))

    def of_pairs(self, chosen: npt.NDArray[np.int64]) -> CorpusIndexes:
        """The same documents and indexes for the pairs at positions ``chosen`` alone."""
        part = copy.copy(self)
        part.left, part.right = self.left[chosen], self.right[chosen]
        return part

    def by_last_pair(self) -> Iterator[npt.NDArray[np.int64]]:
        """For each batch of :data:`BATCH_PAIRS` pairs in turn, the documents whose last pair it holds."""
        pairs = len(self.left)
        last = np.full(len(self.docs), -1, dtype=np.int64)
        np.maximum.at(last, np.concatenate([self.left, self.right]), np.tile(np.arange(pairs, dtype=np.int64), 2))
        order = np.argsort(last, kind="stable")
        cuts = np.searchsorted(last[order], np.arange(0, pairs + BATCH_PAIRS, BATCH_PAIRS))
        for first, end in zip(cuts.tolist(), cuts[1:].tolist()):
            yield order[first:end]

    def overlaps(self, left: npt.NDArray[np.int64], right: npt.NDArray[np.int64],
                 threads: int | None = None) -> npt.NDArray[np.int64]:
        """Rows ``(most, common)`` of ``pair_overlap`` of the pairs of documents ``(left[k], right[k])``
        on the documents' matchable paragraphs, with no grams (``threads``: at most this many)."""
        return pairs_overlap(self.hashes, self.owners, self.matchable, self.no_grams, left, right, threads)

    def found_overlaps(self, found: npt.NDArray[np.bool_], start: int, threads: int | None = None
                       ) -> npt.NDArray[np.int64]:
        """:meth:`overlaps` of the pairs from the ``start``-th that ``found`` (theirs) flags."""
        left, right = self.left[start : start + len(found)], self.right[start : start + len(found)]
        return self.overlaps(left[found], right[found], threads)

    def side_overlaps(self, left: npt.NDArray[np.int64], right: npt.NDArray[np.int64],
                      sides: Callable[[PreparedDocument], Side], forced: npt.NDArray[np.bool_],
                      rules: VerdictRules) -> tuple[npt.NDArray[np.int64], list[Counts | None]]:
        """Rows ``(most, common)`` of ``pair_overlap`` of the pairs of documents ``(left[k], right[k])``
        on their verification sides (matchable paragraphs and content grams, asked of those documents
        only), and the shared counts of the pairs the screen may keep: those ``forced`` flags and
        those that pass its tests (None for the others)."""
        used = arrays.distinct(np.concatenate([left, right]))
        chosen = [sides(self.docs[d]) for d in used.tolist()]
        flags = Packed.sparse(len(self.docs), used, [s.stripped.matchable for s in chosen], np.bool_)
        grams = Packed.sparse(len(self.docs), used, [s.content for s in chosen], np.uint64)
        # may_hold_passage grows with the shared grams: the fewest that pass it
        least_common = bisect.bisect_left(range(_NEVER), True, key=lambda common: may_hold_passage(common, rules))
        return pairs_overlap_keeping(self.hashes, self.owners, flags, grams, left, right, forced,
                                     rules.min_paragraph_shared, least_common)


def screen(pairs: Sequence[Candidate], config: Config, masks: Masks, corpus: CorpusIndexes | None = None,
           start: int = 0, plain: npt.NDArray[np.int64] | None = None, stream_threads: int | None = None,
           ) -> list[tuple[int, tuple[int, int], SharedHits | None]]:
    """``(k, overlap, hits)`` for each pair ``k`` that ``judge_pair`` may find sharing text, in
    order, with the ``shared_hits`` of ``min_paragraph_shared`` of its documents with boilerplate
    set aside when the screen counted them (None before its kernel is compiled, and past
    ``DENSE_ENTRIES``); the others it would reject (or the caller skip, see
    :func:`~syndidetect.verify.may_be_reworded`).
    ``corpus``: the indexes of a list of pairs whose ``start``-th is ``pairs[0]`` (default: of
    ``pairs``); ``plain``: the :meth:`CorpusIndexes.found_overlaps` of the pairs the sentence LSH
    found, when computed ahead; ``stream_threads``: the most threads the documents' word streams are
    read on (see :func:`judge_pairs`)."""
    rules, n = config.rules, config.shingle_size
    if corpus is None:
        corpus, start = CorpusIndexes(pairs), 0
    left, right = corpus.left[start : start + len(pairs)], corpus.right[start : start + len(pairs)]
    wanted = np.arange(len(pairs))
    found = np.array([by_sentences for _, _, by_sentences in pairs], dtype=np.bool_)
    if found.any():  # may_be_reworded: some paragraph pair of the full documents shares a few grams
        if plain is None:
            plain = corpus.found_overlaps(found, start)
        kept_found = np.ones(len(pairs), dtype=np.bool_)
        kept_found[found] = plain[:, 0] >= rules.min_paragraph_shared
        wanted = wanted[kept_found]

    def side(doc: PreparedDocument) -> Side:
        return verification_side(doc, masks.get(doc.id), n, rules)

    remember_sides([(doc, masks.get(doc.id)) for k in wanted.tolist() for doc in pairs[k][:2]], n, rules,
                   stream_threads)
    rows, shared = corpus.side_overlaps(left[wanted], right[wanted], side, found[wanted], rules)
    kept = []
    for k, (most, common), counts in zip(wanted.tolist(), rows.tolist(), shared):
        if pairs[k][2] or most >= rules.min_paragraph_shared or may_hold_passage(common, rules):
            kept.append((k, (int(most), int(common)), counts))
    hits = SharedHits.of_many([counts for _, _, counts in kept], rules.min_paragraph_shared)
    return [(k, overlap, found) for (k, overlap, _), found in zip(kept, hits)]


def aligned_together(pairs: Sequence[Candidate], kept: list[tuple[int, tuple[int, int], SharedHits | None]],
                     config: Config, masks: Masks) -> dict[int, list[AlignedPassage]]:
    """The passages of the screened pairs ``(k, (most, common), hits)`` that may hold one, by
    ``k``, aligned in one compiled call on two threads (:func:`~syndidetect.align.align_many`, on
    their verification sides); empty while that kernel is not compiled (each pair is then aligned as
    it is judged)."""
    rules, n = config.rules, config.shingle_size
    wanted = [k for k, (_, common), _ in kept if may_hold_passage(common, rules)]

    def running(doc: PreparedDocument) -> Running:
        return verification_side(doc, masks.get(doc.id), n, rules).running

    found = align_many([(pairs[k][0], pairs[k][1], (running(pairs[k][0]), running(pairs[k][1]))) for k in wanted],
                       n, rules)
    return {} if found is None else dict(zip(wanted, found))


def numbered_members(documents: Sequence[PreparedDocument], first: npt.NDArray[np.int64],
                     second: npt.NDArray[np.int64]) -> Members:
    """:func:`~syndidetect._kernels.overlap.pair_members` of the pairs ``(documents[first[k]],
    documents[second[k]])`` (``documents`` distinct), from their positions: the documents in some
    pair, in their order, numbered by a count. Numbered by the objects' addresses again, the 1.46M
    candidate pairs of 1M paragraphs made :class:`CorpusIndexes` take 1.21-1.54 s, against 0.70-0.90 s."""
    used = np.zeros(len(documents), dtype=np.bool_)
    used[first] = True
    used[second] = True
    number = np.cumsum(used, dtype=np.int64) - 1
    return [documents[k] for k in np.flatnonzero(used).tolist()], number[first], number[second]


class PositionedPairs(Sequence[Candidate]):
    """The candidate pairs ``(documents[first[k]], documents[second[k]], found[k])`` as a sequence
    that makes its tuples when asked, a slice at a time (``found``: by the sentence LSH). Listed
    whole, the 1.46M candidate pairs of 1M paragraphs held about 100 MB of tuples through all of
    verification (64 B a tuple, 8 B its place in the list)."""

    def __init__(self, documents: Sequence[PreparedDocument], first: npt.NDArray[np.int64],
                 second: npt.NDArray[np.int64], found: npt.NDArray[np.bool_]) -> None:
        self.documents, self.first, self.second, self.found = documents, first, second, found

    def __len__(self) -> int:
        return len(self.first)

    @overload
    def __getitem__(self, k: int) -> Candidate: ...
    @overload
    def __getitem__(self, k: slice) -> list[Candidate]: ...
    def __getitem__(self, k: int | slice) -> Candidate | list[Candidate]:
        if isinstance(k, slice):
            take = self.documents.__getitem__
            return list(zip(map(take, self.first[k].tolist()), map(take, self.second[k].tolist()),
                            self.found[k].tolist()))
        return self.documents[int(self.first[k])], self.documents[int(self.second[k])], bool(self.found[k])

    def __iter__(self) -> Iterator[Candidate]:
        for start in range(0, len(self), BATCH_PAIRS):
            yield from self[start : start + BATCH_PAIRS]

    def members(self) -> Members:
        """:func:`numbered_members` of the pairs."""
        return numbered_members(self.documents, self.first, self.second)


def judge_pairs(pairs: Sequence[Candidate], config: Config, masks: Masks, progress: Callable[[int], None],
                *, let_go: bool = False) -> Iterator[tuple[PreparedDocument, PreparedDocument, PairVerdict]]:
    """``(a, b, verdict)`` of each pair that shares text, in the order of ``pairs``, as
    ``judge_pair(a, b, config, masks, found by sentences)`` gives them; ``progress(done)`` hears of
    the pairs judged. A document's per-document verification memo is forgotten after its last pair
    (once the caller has taken that pair's verdict). Pairs given as :class:`PositionedPairs` are
    numbered from their positions (:func:`numbered_members`) and their flags read as they are.
    A pair alike an earlier one (:mod:`syndidetect.repeated_pairs`: two documents alike in text,
    date and boilerplate, as copies of one story are) is not judged again: it takes that one's verdict,
    the same object. ``let_go``: the documents are the caller's own copies, which let go of their shingle hashes once
    their hash indexes are laid out (:meth:`~syndidetect.prepared.PreparedDocument.let_go_of_hashes`).

    With more than one batch, the screen's first merge joins (those of the pairs the sentence LSH
    found, on the documents' hash indexes alone, which need nothing a batch builds) run ahead in a
    second thread, one compiled call a batch on one core, while this thread judges the batch before
    in Python with the other core idle (``ahead.computed_ahead``). At 1M paragraphs (1.46M candidate
    pairs, 95 % of them found by the sentence LSH) verification took 29.4 and 31.4 s against 34.5 and
    35.0 s (``benchmarks.scaling``, two alternated pairs). Likewise each batch's compiled sentence
    bound runs in the background (``ahead.Background``, one core) while this thread finishes the
    batch before: 30.8, 29.5, 28.8, 29.7 s against 31.8, 32.4, 32.9, 30.2 s (four alternated pairs).
    Neither worker touches a document: they read arrays laid out for them. The screen then reads
    its documents' word streams on the cores the workers leave (on two cores one thread, not two,
    the second one's core being the workers'): at 300k paragraphs that reading took 0.75-1.03 s against
    1.05-1.35 s (three alternated pairs), and verification at 1M 27.5-29.3 s against 28.0-30.5 s
    (``benchmarks.scaling``, four alternated pairs)."""
    members: Members | None = None  # numbered by the documents' identities (pair_members)
    if isinstance(pairs, PositionedPairs):  # no pass over the pairs' tuples
        members, found = pairs.members(), pairs.found
    else:
        found = np.fromiter((by_sentences for _, _, by_sentences in pairs), dtype=np.bool_, count=len(pairs))
    give_back_freed_memory()  # what finding the candidates freed: the indexes below may take its pages
    corpus = CorpusIndexes(pairs, members, let_go=let_go)
    alike = alike_documents(corpus.docs, corpus.hashes, masks)
    positions = np.arange(len(pairs))
    firsts = positions if alike is None else first_alike_pairs(alike, corpus.left, corpus.right, found)
    own = firsts == positions  # a pair its own first alike
    if bool(np.all(own)):
        for _, a, b, verdict in _judged(pairs, found, corpus, config, masks, progress):
            yield a, b, verdict
        return
    # Pairs alike an earlier one take its verdict: the others are judged, in their order.
    judged_here, repeats = np.flatnonzero(own), np.flatnonzero(~own)
    wanted = set(firsts[repeats].tolist())  # judged pairs whose verdict a later pair takes
    verdicts: dict[int, PairVerdict] = {}
    inner = PositionedPairs(corpus.docs, corpus.left[judged_here], corpus.right[judged_here], found[judged_here])
    judged = _judged(inner, inner.found, corpus.of_pairs(judged_here), config, masks,
                     lambda done: progress(int(judged_here[done - 1]) + 1 if done else 0))
    upcoming = next(judged, None)
    for k in repeats.tolist():
        while upcoming is not None and judged_here[upcoming[0]] < k:
            inner_k, a, b, verdict = upcoming
            if int(judged_here[inner_k]) in wanted:
                verdicts[int(judged_here[inner_k])] = verdict
            yield a, b, verdict
            upcoming = next(judged, None)
        taken = verdicts.get(int(firsts[k]))
        if taken is not None:
            yield corpus.docs[corpus.left[k]], corpus.docs[corpus.right[k]], taken
    while upcoming is not None:
        _, a, b, verdict = upcoming
        yield a, b, verdict
        upcoming = next(judged, None)
    progress(len(pairs))


def _judged(pairs: Sequence[Candidate], found: npt.NDArray[np.bool_], corpus: CorpusIndexes, config: Config,
            masks: Masks, progress: Callable[[int], None]
            ) -> Iterator[tuple[int, PreparedDocument, PreparedDocument, PairVerdict]]:
    """``(k, a, b, verdict)`` of each pair ``k`` of ``pairs`` that shares text, in order: the batches
    of :func:`judge_pairs` (``found``: the pairs the sentence LSH found; ``corpus``: the pairs' indexes)."""
    rules = config.rules
    done = corpus.by_last_pair()
    starts = range(0, len(pairs), BATCH_PAIRS)

    def found_ahead(start: int) -> npt.NDArray[np.int64]:
        return corpus.found_overlaps(found[start : start + BATCH_PAIRS], start, threads=1)

    batches: Iterator[tuple[int, npt.NDArray[np.int64] | None]] = (
        computed_ahead(starts, found_ahead) if len(starts) > 1 else ((start, None) for start in starts))
    background: Background[list[bool]] | None = Background() if len(starts) > 1 else None
    # Beside those workers the screen reads its documents' word streams on the cores they leave:
    # on two cores, this thread alone (a second thread there took the workers' core).
    stream_threads = max(1, machine_threads() - 1) if background is not None else None
    # The tokens the batches' sentences met, each with its stem: a token is stemmed (in Python) once
    # for all the batches, not again in each batch that splits a document holding it.
    memo = TokenStems()

    def finished(start: int, batch: list[Candidate], begun: list[Begun], reach: Callable[[], list[bool]]
                 ) -> Iterator[tuple[int, PreparedDocument, PreparedDocument, PairVerdict]]:
        """The verdicts of a begun batch, its sentences' bound taken; then its last documents forgotten."""
        wants = iter(reach())
        for k, pair_masks, judging in begun:
            a, b, _ = batch[k]
            progress(start + k + 1)
            wanted = judging.wants_sentences and next(wants)
            sentences = reworded_sentences(a, b, rules, pair_masks) if wanted else ()
            verdict = finish_judging(judging, a, b, config, pair_masks, sentences)
            if verdict is not None:
                yield start + k, a, b, verdict
        progress(start + len(batch))
        for d in next(done).tolist():
            corpus.docs[d].forget()
        if (start // BATCH_PAIRS) % BATCHES_BETWEEN_TRIMS == BATCHES_BETWEEN_TRIMS - 1:
            give_back_freed_memory()  # the pages of the documents forgotten since the last trim

    waiting: tuple[int, list[Candidate], list[Begun], Callable[[], list[bool]]] | None = None
    try:
        for start, plain in batches:
            batch = list(pairs[start : start + BATCH_PAIRS])  # a list whatever ``pairs`` is, made once
            kept = screen(batch, config, masks, corpus, start, plain, stream_threads)
            aligned = aligned_together(batch, kept, config, masks)
            begun: list[Begun] = []
            for k, overlap, shared in kept:
                a, b, by_sentences = batch[k]
                pair_masks = (masks.get(a.id), masks.get(b.id))
                known = Known(aligned.get(k), shared)
                judging = begin_judging(a, b, config, pair_masks, by_sentences, overlap, known)
                if judging is not None:
                    begun.append((k, pair_masks, judging))
            # The similar sentences of the pairs that want them: one compiled bound for all (then the
            # full comparison for the few it leaves a chance), made in the background while the
            # batch before is finished here.
            asking = [(batch[k][0], batch[k][1], pair_masks) for k, pair_masks, judging in begun
                      if judging.wants_sentences]
            job = sentences_may_copy_later(asking, rules, memo)
            reach = background.run(partial(job, 1)) if background is not None else partial(job, None)
            if waiting is not None:
                yield from finished(*waiting)
            waiting = (start, batch, begun, reach)
        if waiting is not None:
            yield from finished(*waiting)
    finally:
        if background is not None:
            background.close()


# A pair of a batch that begin_judging did not reject: its number in the batch, its documents'
# boilerplate masks, and what begin_judging found.
Begun = tuple[int, tuple[Mask, Mask], Judging]
