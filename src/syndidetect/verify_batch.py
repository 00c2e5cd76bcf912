"""Verification of a corpus's candidate pairs: the exact early rejection over many pairs at once.

Nearly all candidate pairs share no paragraph and no passage, and :func:`~syndidetect.verify.
judge_pair` rejects them on two numbers of one merge join. Asked pair by pair, the Python around
that join cost more than the join; here the join runs over a batch of pairs in one compiled call
(:func:`syndidetect._kernels.overlap.pairs_overlap`), and only the pairs it cannot reject go on to
``judge_pair``, with the same numbers. The pairs whose verdict needs their similar sentences (rule
d) are then bounded together (:func:`~syndidetect.verify.sentences_may_copy`, one compiled call for
the batch), and only those the bound leaves a chance compare their sentences in full. The verdicts
are those of ``judge_pair`` on every pair.

Batches also bound memory: what verification keeps per document (word streams, sentences, the hash
index) is dropped after the document's last candidate pair, so a million-paragraph corpus never holds
it for all documents at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence

import numpy as np
import numpy.typing as npt

from syndidetect._kernels.overlap import Packed, pair_members, pairs_overlap
from syndidetect.align import may_hold_passage
from syndidetect.config import Config
from syndidetect.prepared import PreparedDocument
from syndidetect.verify import (
    Judging,
    PairVerdict,
    Side,
    begin_judging,
    finish_judging,
    remember_sides,
    reworded_sentences,
    sentences_may_copy,
    verification_side,
)

Candidate = tuple[PreparedDocument, PreparedDocument, bool]  # (a, b, whether the sentence LSH found it)
Masks = Mapping[str, npt.NDArray[np.bool_]]
Mask = npt.NDArray[np.bool_] | None
# Candidate pairs per batch: large enough that the compiled call's own cost (~10 us) vanishes, small
# enough that the packed hashes of a batch's documents stay a few MB.
BATCH_PAIRS = 4096


class _BatchIndexes:
    """The hash indexes of a batch's documents laid end to end once, for both screens of
    :func:`screen` (each document's index is copied once a batch instead of once a screen)."""

    def __init__(self, pairs: Sequence[Candidate]) -> None:
        self.docs, self.left, self.right = pair_members([(a, b) for a, b, _ in pairs])
        indexes = [d.hash_index for d in self.docs]
        self.hashes = Packed([h for h, _ in indexes], np.uint32)
        self.owners = Packed([o for _, o in indexes], np.int32)

    def overlaps(self, chosen: Sequence[int], masks: Callable[[PreparedDocument], npt.NDArray[np.bool_]],
                 grams: Callable[[PreparedDocument], npt.NDArray[np.uint64]] | None) -> npt.NDArray[np.int64]:
        """Rows ``(most, common)`` of ``pair_overlap`` of the ``chosen`` pairs, paragraphs flagged by
        ``masks``, distinct grams from ``grams`` (none when None). Only the chosen pairs' documents
        are asked for their masks and grams; the others take empty arrays, which nothing reads."""
        left, right = self.left[chosen], self.right[chosen]
        used = np.zeros(len(self.docs), dtype=np.bool_)
        used[left] = used[right] = True
        chosen_docs = [d if u else None for d, u in zip(self.docs, used.tolist())]
        flags = Packed([_NO_FLAGS if d is None else masks(d) for d in chosen_docs], np.bool_)
        distinct = Packed([_NO_GRAMS if d is None or grams is None else grams(d) for d in chosen_docs], np.uint64)
        return pairs_overlap(self.hashes, self.owners, flags, distinct, left, right)


_NO_FLAGS = np.zeros(0, dtype=np.bool_)
_NO_GRAMS = np.zeros(0, dtype=np.uint64)


def screen(pairs: Sequence[Candidate], config: Config, masks: Masks) -> list[tuple[int, tuple[int, int]]]:
    """``(k, overlap)`` for each pair ``k`` that ``judge_pair`` may find sharing text, in order;
    the others it would reject (or the caller skip, see :func:`~syndidetect.verify.may_be_reworded`)."""
    rules, n = config.rules, config.shingle_size
    indexes = _BatchIndexes(pairs)
    wanted = list(range(len(pairs)))
    found = [k for k in wanted if pairs[k][2]]
    if found:  # may_be_reworded: some paragraph pair of the full documents shares a few grams
        plain = indexes.overlaps(found, lambda d: d.matchable, None)[:, 0]
        dropped = {k for k, most in zip(found, plain.tolist()) if most < rules.min_paragraph_shared}
        wanted = [k for k in wanted if k not in dropped]

    def side(doc: PreparedDocument) -> Side:
        return verification_side(doc, masks.get(doc.id), n, rules)

    remember_sides([(doc, masks.get(doc.id)) for k in wanted for doc in pairs[k][:2]], n, rules)
    rows = indexes.overlaps(wanted, lambda d: side(d).stripped.matchable, lambda d: side(d).content)
    kept = []
    for k, (most, common) in zip(wanted, rows.tolist()):
        if pairs[k][2] or most >= rules.min_paragraph_shared or may_hold_passage(common, rules):
            kept.append((k, (int(most), int(common))))
    return kept


def _last_pair(pairs: Sequence[Candidate]) -> dict[int, int]:
    """The index of each document's last pair, by object identity."""
    last: dict[int, int] = {}
    for k, (a, b, _) in enumerate(pairs):
        last[id(a)] = last[id(b)] = k
    return last


def judge_pairs(pairs: Sequence[Candidate], config: Config, masks: Masks,
                progress: Callable[[int], None]) -> Iterator[tuple[PreparedDocument, PreparedDocument, PairVerdict]]:
    """``(a, b, verdict)`` of each pair that shares text, in the order of ``pairs``, as
    ``judge_pair(a, b, config, masks, found by sentences)`` gives them; ``progress(done)`` hears of
    the pairs judged. A document's per-document verification memo is forgotten after its last pair
    (once the caller has taken that pair's verdict)."""
    last = _last_pair(pairs)
    rules = config.rules
    for start in range(0, len(pairs), BATCH_PAIRS):
        batch = pairs[start : start + BATCH_PAIRS]
        begun: list[tuple[int, tuple[Mask, Mask], Judging]] = []
        for k, overlap in screen(batch, config, masks):
            a, b, by_sentences = batch[k]
            pair_masks = (masks.get(a.id), masks.get(b.id))
            judging = begin_judging(a, b, config, pair_masks, by_sentences, overlap)
            progress(start + k + 1)
            if judging is not None:
                begun.append((k, pair_masks, judging))
        # The similar sentences of the pairs that want them: one compiled bound for all, then the
        # full comparison for the few it leaves a chance.
        asking = [(batch[k][0], batch[k][1], pair_masks) for k, pair_masks, judging in begun if judging.wants_sentences]
        reach = iter(sentences_may_copy(asking, rules))
        for k, pair_masks, judging in begun:
            a, b, _ = batch[k]
            wanted = judging.wants_sentences and next(reach)
            sentences = reworded_sentences(a, b, rules, pair_masks) if wanted else ()
            verdict = finish_judging(judging, a, b, config, pair_masks, sentences)
            if verdict is not None:
                yield a, b, verdict
        end = start + len(batch)
        progress(end)
        for a, b, _ in batch:
            for doc in (a, b):
                if last[id(doc)] < end:
                    doc.forget()
