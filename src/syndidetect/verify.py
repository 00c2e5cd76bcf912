"""Exact verification of a document pair: the verdict on the text the two documents share.

Evidence of three kinds: passages aligned on the word streams (:mod:`syndidetect.align`),
paragraph-pair matches (:mod:`syndidetect.paragraph_match`), and similar sentences for heavy
rewording. The rules that turn it into ``copy`` or ``related`` are :class:`~syndidetect.rules.
VerdictRules`: a copy is a substantial, in-order share of one document's matchable text, never a
count of paragraphs, so a one-paragraph answer, a flattened article and a re-cut one are judged
alike.

Layout: about 560 lines kept as one module because every part is one pair's verdict: the evidence
(``gather``), the rules that read it (``copy_rule``, the sentence rule) and the kind and direction
drawn from it share the private measures of coverage. ``judge_pair`` is two halves
(``begin_judging``, ``finish_judging``) around the similar sentences, so that the batch entry point
for many pairs, :mod:`syndidetect.verify_batch`, can bound the sentences of many pairs at once; the
next split would take the direction out.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from syndidetect._kernels.merge import positions_right
from syndidetect._kernels.overlap import pair_overlap
from syndidetect._kernels.sentence_reach import ReachJob
from syndidetect._kernels.sides import sides
from syndidetect._kernels.threads import threads_at_most
from syndidetect._kernels.token_stems import TokenStems
from syndidetect.align import (
    AlignedPassage,
    Running,
    align,
    content_grams,
    counted_grams,
    counted_in,
    every_gram_counted,
    may_hold_passage,
    remember_distinct,
    running_counts,
)
from syndidetect.align import in_order as passages_in_order
from syndidetect.boilerplate import without_boilerplate
from syndidetect.config import Config
from syndidetect.paragraph_match import (
    ParagraphMatch,
    SharedHits,
    direct_matches,
    in_order,
    paragraph_matches,
    shared_hits,
)
from syndidetect.prepared import PreparedDocument, remember_streams
from syndidetect.rules import VerdictRules
from syndidetect.sentence_batches import many_prepared_sentences
from syndidetect.sentence_sets import DocumentSentences, prepared_sentences
from syndidetect.sentences import SentencePair, may_reach_later, sentence_evidence

PairKind = Literal["verbatim", "reworded", "mixed"]
_CLOSERS = "\"'”’»)]"
_SENTENCE_ENDS = (".", "!", "?", "…", ":")
# A sentence end inside a text: final punctuation, closing quotes, space, then more text.
_INNER_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*\s+\S")
Verdict = Literal["copy", "related"]
_Mask = npt.NDArray[np.bool_] | None
# No content grams: may_be_reworded asks the overlap kernel about paragraphs only.
_NO_GRAMS = np.zeros(0, dtype=np.uint64)


@dataclass(frozen=True)
class PairVerdict:
    """What the two documents share and what that makes them.

    ``source_side`` is 0 or 1 (which document of the pair was copied) or None when it cannot be told;
    ``coverage`` is the share of each document's matchable text found, in order, in the other.
    """

    matches: tuple[ParagraphMatch, ...]
    verdict: Verdict
    kind: PairKind
    source_side: int | None
    matched: tuple[int, int]
    matchable: tuple[int, int]
    kept: float  # share of the matched shingles of the smaller side found in the other side
    passages: tuple[AlignedPassage, ...] = ()
    coverage: tuple[float, float] = (0.0, 0.0)
    rule: str = ""  # which rule made it a copy: "whole", "places", "excerpt", "paragraphs", "sentences"
    sentences: tuple[SentencePair, ...] = ()  # similar sentences in order, when they made the copy


@dataclass(frozen=True)
class Evidence:
    """The shared text of a pair as the rules weigh it."""

    passages: list[AlignedPassage]  # every passage, in order of the first document
    ordered: list[AlignedPassage]  # the heaviest in-order chain of them
    shared: int  # the grams the chain shares (its passages' ``shared``)
    coverage: tuple[float, float]  # share of each side's counted grams inside the chain's spans
    shared_coverage: tuple[float, float]  # share of each side's counted grams the chain shares
    matches: list[ParagraphMatch]
    paragraph_coverage: tuple[float, float]
    stripped: tuple[PreparedDocument, PreparedDocument]  # the documents with boilerplate set aside
    phrases: bool = False  # some paragraph pair of the stripped documents shares a few grams


def _kind_of_share(reworded: float) -> PairKind:
    """The pair's kind from the share of its evidence that is reworded."""
    if reworded >= 0.75:
        return "reworded"
    return "verbatim" if reworded <= 0.25 else "mixed"


def _source(a: PreparedDocument, b: PreparedDocument, coverage: tuple[float, float], kind: PairKind,
            rules: VerdictRules) -> int | None:
    """0 if ``a`` was copied into ``b``, 1 for the reverse, None when it cannot be told: by dates,
    else, for text taken as is, the source is mostly inside the copy while the copy has much else
    around it. A rewrite may condense or expand what it rewrites, so containment does not tell the
    direction of a reworded copy."""
    date_a, date_b = a.document.instant, b.document.instant
    if date_a is not None and date_b is not None and date_a != date_b:
        return 0 if date_a < date_b else 1
    if kind == "reworded":
        return None
    cov_a, cov_b = coverage
    mass_a, mass_b = a.matchable_shingles(), b.matchable_shingles()
    if cov_a >= rules.source_coverage and cov_a - cov_b >= rules.coverage_gap and mass_b > mass_a:
        return 0
    if cov_b >= rules.source_coverage and cov_b - cov_a >= rules.coverage_gap and mass_a > mass_b:
        return 1
    return None


def _matched_mass(matches: list[ParagraphMatch], a: PreparedDocument, b: PreparedDocument) -> tuple[float, float]:
    """Share of each document's matchable shingles covered by the matches, a paragraph weighing
    no more than its partners together: a long paragraph matched by a one-line heading weighs
    a line, the halves of a split paragraph weigh the whole."""
    if len(matches) == 1:  # most pairs that share a paragraph: each side weighs the lighter of the two
        m = matches[0]
        weight = min(int(a.shingle_counts()[m.a]), int(b.shingle_counts()[m.b]))
        return weight / max(a.matchable_shingles(), 1), weight / max(b.matchable_shingles(), 1)
    sizes_a, sizes_b = a.shingle_counts().tolist(), b.shingle_counts().tolist()  # lists: read item by item
    partners_a: dict[int, int] = {}
    partners_b: dict[int, int] = {}
    for m in matches:
        partners_a[m.a] = partners_a.get(m.a, 0) + sizes_b[m.b]
        partners_b[m.b] = partners_b.get(m.b, 0) + sizes_a[m.a]
    weight_a = sum(min(sizes_a[p], w) for p, w in partners_a.items())
    weight_b = sum(min(sizes_b[p], w) for p, w in partners_b.items())
    return weight_a / max(a.matchable_shingles(), 1), weight_b / max(b.matchable_shingles(), 1)


def _sentences(matches: list[ParagraphMatch], a: PreparedDocument, b: PreparedDocument,
               rules: VerdictRules) -> list[ParagraphMatch]:
    """The matches of paragraphs of a sentence or more on both sides (headings and sidebar links
    do not make a copy)."""
    sizes_a, sizes_b = a.shingle_counts().tolist(), b.shingle_counts().tolist()
    return [m for m in matches if min(sizes_a[m.a], sizes_b[m.b]) >= rules.sentence_grams]


def _sentence_count(matches: list[ParagraphMatch], a: PreparedDocument, b: PreparedDocument,
                    rules: VerdictRules) -> int:
    sentences = _sentences(matches, a, b, rules)
    return min(len({m.a for m in sentences}), len({m.b for m in sentences}))


def _paragraph_rule(matches: list[ParagraphMatch], a: PreparedDocument, b: PreparedDocument,
                    rules: VerdictRules) -> bool:
    """Rule (b) on paragraph evidence: spun paragraphs keep too few consecutive words for passages
    but match one by one; several sentence-long ones, in order, covering a share of one document."""
    if len(matches) < rules.min_places:  # a chain's sentences are some of its matches: too few
        return False
    for chain in (in_order(matches), in_order([m for m in matches if m.kind != "reworded"])):
        enough = _sentence_count(chain, a, b, rules) >= rules.min_places
        shared = sum(m.shared for m in chain)
        if enough and shared >= rules.min_shared and max(_matched_mass(chain, a, b)) >= rules.copy_share:
            return True
    return False


def _whole_paragraphs(p: AlignedPassage, a: PreparedDocument, b: PreparedDocument, n: int,
                      rules: VerdictRules) -> bool:
    """Whether the passage holds ``min_places`` whole sentence-long paragraphs of one side, each
    taken (nearly) word for word: at least ``near_containment`` of its grams inside the tiles, and
    ending a sentence (a line cut by a hard wrapper is not a paragraph of the text)."""
    for doc, tiles in ((a, [(t.a, t.length) for t in p.tiles]), (b, [(t.b, t.length) for t in p.tiles])):
        owners, sizes = gram_paragraphs(doc, n)
        # A whole paragraph has grams in some tile, and a tile's grams lie in the paragraphs from its
        # first gram's to its last's (owners ascend): fewer of those than min_places, none to count.
        # Most passages that get here are one copied paragraph of a related pair.
        ends = [(owners[start], owners[min(start + length, len(owners)) - 1])
                for start, length in tiles if length > 0 and start < len(owners)]
        if sum(int(last) - int(first) + 1 for first, last in ends) < rules.min_places:
            continue
        shared = np.zeros(len(owners), dtype=bool)
        for start, length in tiles:
            shared[start : start + length] = True
        taken = np.bincount(owners[shared], minlength=len(doc.paragraphs))
        whole = (taken >= rules.near_containment * np.maximum(sizes, 1)) & (sizes >= rules.sentence_grams)
        candidates = np.flatnonzero(whole & doc.matchable)
        if sum(_ends_sentence(doc.paragraphs[i].text) for i in candidates) >= rules.min_places:
            return True
    return False


def gram_paragraphs(doc: PreparedDocument, n: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The paragraph of each gram of ``doc``'s stream and the grams of each paragraph. A gram's
    paragraph is that of its first word, so the grams of each paragraph follow each other: the
    counts, memoised (the batch that builds the sides remembers them, :func:`remember_sides`), give
    the paragraphs. Those are made again at each call: memoised too, they held 27 MB at three
    quarters of verification at 300k paragraphs (8 bytes a gram), to save 0.02 s of 13 s (13,800
    calls for 8,991 documents)."""
    def counted() -> npt.NDArray[np.int64]:  # no batch remembered them: a query, a pair judged alone
        owners = doc.token_paragraphs(n)[: doc.stream(n).gram_count]
        return np.bincount(owners, minlength=len(doc.paragraphs))

    counts = doc.memo(_gram_counts_key(n), counted)
    return np.repeat(np.arange(len(doc.paragraphs), dtype=np.int64), counts), counts


def _gram_counts_key(n: int) -> tuple[str, int]:
    return "grams a paragraph", n


def _ends_sentence(text: str) -> bool:
    return text.rstrip().rstrip(_CLOSERS).endswith(_SENTENCE_ENDS)


def _sentences_shared(evidence: Evidence, a: PreparedDocument, n: int) -> bool:
    """Whether the shared text holds more than one sentence: one sentence in common, however long,
    is a quotation or a wire phrase two one-sentence reports both use, not a copied text."""
    if len(evidence.ordered) > 1:
        return True
    stream, (first, end) = a.stream(n), evidence.ordered[0].a
    text = a.document.text[int(stream.starts[first]) : stream.end(end - 1)]
    return _INNER_SENTENCE_END.search(text) is not None


def copy_rule(evidence: Evidence, a: PreparedDocument, b: PreparedDocument, n: int, rules: VerdictRules) -> str:
    """The name of the first rule that makes the pair a copy, or "" (see VerdictRules)."""
    shared = evidence.shared
    if shared >= rules.min_shared and max(evidence.coverage) >= rules.whole_share and _sentences_shared(evidence, a, n):
        return "whole"
    places = len(evidence.ordered) >= rules.min_places
    if shared >= rules.min_shared and max(evidence.shared_coverage) >= rules.copy_share and places:
        return "places"
    if any(p.stretch >= rules.excerpt for p in evidence.passages):
        return "excerpt"
    if any(p.kind != "reworded" and p.shared >= rules.min_shared and _whole_paragraphs(p, a, b, n, rules)
           for p in evidence.passages):
        return "excerpt"
    if _paragraph_rule(evidence.matches, a, b, rules):
        return "paragraphs"
    return ""


def eligible_sentences(doc: PreparedDocument, boilerplate: npt.NDArray[np.bool_] | None) -> DocumentSentences:
    """The eligible sentences of ``doc`` outside its boilerplate and unmatchable paragraphs (menus,
    credits): a shared footer or cookie notice is not a similar sentence."""
    def build() -> DocumentSentences:
        ignored = ~doc.matchable if boilerplate is None else ~doc.matchable | boilerplate
        spans = tuple((p.start, p.end) for p, skip in zip(doc.paragraphs, ignored) if skip)
        return prepared_sentences(doc, spans)

    masks = (doc.matchable.tobytes(), None if boilerplate is None else boilerplate.tobytes())
    return doc.memo(("eligible sentences", masks), build)


def reworded_sentences(a: PreparedDocument, b: PreparedDocument, rules: VerdictRules,
                       boilerplate: tuple[npt.NDArray[np.bool_] | None, npt.NDArray[np.bool_] | None]
                       ) -> tuple[SentencePair, ...]:
    """Rule (d): similar sentences, in runs and in order, covering ``sentence_share`` of the
    shorter document's sentences, ``sentence_run`` of them consecutive on both sides; empty when
    they do not make a copy."""
    sa, sb = eligible_sentences(a, boilerplate[0]), eligible_sentences(b, boilerplate[1])
    evidence = sentence_evidence(sa, sb, (rules.min_similar_sentences, rules.sentence_share))
    if evidence.similar < rules.min_similar_sentences or evidence.coverage < rules.sentence_share:
        return ()
    return evidence.chain if _longest_run(evidence.chain, sa, sb) >= rules.sentence_run else ()


def sentences_may_copy_later(pairs: Sequence[tuple[PreparedDocument, PreparedDocument, tuple[_Mask, _Mask]]],
                             rules: VerdictRules, memo: TokenStems | None = None) -> ReachJob:
    """Per ``(a, b, boilerplate)``, whether ``reworded_sentences(a, b, rules, boilerplate)`` may find
    similar sentences: False only where it finds none (the bound of its scores, for all the pairs in
    one compiled call). The documents' sentences are read now (``memo``: the tokens their
    stemming met before, see :func:`~syndidetect.sentence_batches.sentence_corpus`); the compiled
    call is the job's (:func:`syndidetect.sentences.may_reach_later`), which another thread may make."""
    # Split and stem the documents in batches first (a no-op for those the sentence LSH split).
    many_prepared_sentences(list({id(doc): doc for a, b, _ in pairs for doc in (a, b)}.values()), memo)
    sides = [(eligible_sentences(a, masks[0]), eligible_sentences(b, masks[1])) for a, b, masks in pairs]
    return may_reach_later(sides, (rules.min_similar_sentences, rules.sentence_share))


def may_be_reworded(a: PreparedDocument, b: PreparedDocument, rules: VerdictRules) -> bool:
    """A cheap bound before comparing sentences: a rewording keeps some word n-grams of what it
    rewrites (names, numbers, set phrases), so some paragraph pair shares a few of them."""
    (ha, pa), (hb, pb) = a.hash_index, b.hash_index
    most, _ = pair_overlap(ha, pa, a.matchable, hb, pb, b.matchable, _NO_GRAMS, _NO_GRAMS)
    return most >= rules.min_paragraph_shared


def _longest_run(chain: tuple[SentencePair, ...], a: DocumentSentences, b: DocumentSentences) -> int:
    """The most similar-sentence pairs that follow each other on both sides (i, j), (i+1, j+1), ..."""
    points = sorted({(a.index_of(p.a_start), b.index_of(p.b_start)) for p in chain})
    best = run = 1 if points else 0
    for (i0, j0), (i1, j1) in itertools.pairwise(points):
        run = run + 1 if (i1 - i0, j1 - j0) == (1, 1) else 1
        best = max(best, run)
    return best


@dataclass(frozen=True)
class Side:
    """One document of a pair as verification reads it: built once per document and boilerplate
    mask, then read by every candidate pair the document is in."""

    stripped: PreparedDocument  # boilerplate paragraphs no longer matchable
    counted: npt.NDArray[np.bool_]  # per gram: whether it counts as content (counted_grams)
    running: Running  # running_counts(counted): counted grams in any span in two look-ups
    content: npt.NDArray[np.uint64]  # the distinct counted grams, sorted
    total: int  # counted grams


def _side_key(boilerplate: _Mask, n: int, rules: VerdictRules) -> tuple[object, ...]:
    return ("verification side", None if boilerplate is None else boilerplate.tobytes(), n, rules.sentence_grams,
            rules.refrain_repeats)


def verification_side(doc: PreparedDocument, boilerplate: _Mask, n: int, rules: VerdictRules) -> Side:
    def build() -> Side:
        stripped = without_boilerplate(doc, boilerplate)
        counted = counted_grams(doc, n, boilerplate, rules)
        return Side(stripped, counted, running_counts(counted), content_grams(doc, n, boilerplate, rules),
                    int(counted.sum()))

    return doc.memo(_side_key(boilerplate, n, rules), build)


def remember_sides(docs: Sequence[tuple[PreparedDocument, _Mask]], n: int, rules: VerdictRules,
                   stream_threads: int | None = None) -> None:
    """Build the :func:`verification_side` of each ``(document, boilerplate)`` that lacks it, the
    documents' grams judged in one call (:func:`~syndidetect._kernels.sides.sides`): the same
    flags, counts and grams as :func:`~syndidetect.align.counted_grams` and
    :func:`~syndidetect.align.content_grams`, without their numpy calls per document, each
    stream's distinct grams, which alignment reads (:func:`~syndidetect.align.remember_distinct`),
    and each paragraph's grams, which the excerpt rule reads (:func:`gram_paragraphs`). The
    documents' word streams (:func:`~syndidetect.prepared.remember_streams`) are read on at most
    ``stream_threads`` threads (``threads_at_most``; None: as many as the kernel takes)."""
    todo = list({id(doc): (doc, mask) for doc, mask in docs
                 if doc.paragraphs and not doc.memoised(_side_key(mask, n, rules))}.values())
    if not todo:
        return
    with nullcontext() if stream_threads is None else threads_at_most(stream_threads):
        remember_streams([doc for doc, _ in todo], n)
    streams = [doc.stream(n) for doc, _ in todo]
    offsets = np.zeros(len(todo) + 1, dtype=np.int64)
    np.cumsum([s.gram_count for s in streams], out=offsets[1:])
    # Each gram's paragraph (that of its first word; a word before the first paragraph reads as in
    # it), found in all documents at once: texts and their paragraphs laid end to end.
    at = np.zeros(len(todo) + 1, dtype=np.int64)
    np.cumsum([len(doc.document.text) + 1 for doc, _ in todo], out=at[1:])
    paragraphs = np.fromiter((p.start + shift for (doc, _), shift in zip(todo, at.tolist()) for p in doc.paragraphs),
                             dtype=np.int64)
    first_paragraph = np.zeros(len(todo) + 1, dtype=np.int64)
    np.cumsum([len(doc.paragraphs) for doc, _ in todo], out=first_paragraph[1:])
    owner = np.repeat(np.arange(len(todo)), np.diff(offsets))
    words = np.concatenate([s.starts[: s.gram_count] for s in streams]).astype(np.int64)
    # (words + at[owner] ascends: each document's words, its text placed after the previous one's)
    paragraph = np.maximum(positions_right(paragraphs, words + at[owner]) - 1, first_paragraph[owner])
    sizes = np.bincount(paragraph, minlength=int(first_paragraph[-1]))  # grams a paragraph (gram_paragraphs)
    counts = np.concatenate([doc.matchable for doc, _ in todo])
    counts &= np.concatenate([doc.shingle_counts() for doc, _ in todo]) >= rules.sentence_grams
    for (_, mask), first in zip(todo, first_paragraph.tolist()):
        if mask is not None:
            counts[first : first + len(mask)] &= ~mask
    grams = np.concatenate([s.grams for s in streams])
    counted, running, content, found, every, values, ranks = sides(grams, offsets, counts[paragraph],
                                                                   rules.refrain_repeats)
    for d, ((doc, mask), start, end, distinct, all_distinct, paragraph_start, paragraph_end) in enumerate(zip(
            todo, offsets.tolist(), offsets[1:].tolist(), found.tolist(), values.tolist(), first_paragraph.tolist(),
            first_paragraph[1:].tolist())):
        total = int(running[end + d])
        every_gram = every[start : start + all_distinct].copy()
        # The distinct counted grams are among the distinct grams, both sorted: as many means the
        # same. A document whose grams all count (no boilerplate, short paragraph or refrain: all
        # of benchmarks.corpus's, one of the five seed articles) holds one array for both (at 300k
        # paragraphs, 77 of the 488 MB verification held), and its flags and running counts are
        # shared views (every_gram_counted).
        content_gram = every_gram if distinct == all_distinct else content[start : start + distinct].copy()
        if total == end - start:
            flags, counts = every_gram_counted(total)
        else:
            flags, counts = counted[start:end].copy(), running[start + d : end + d + 1].copy()
        side = Side(without_boilerplate(doc, mask), flags, counts, content_gram, total)
        doc.remember(_side_key(mask, n, rules), side)
        remember_distinct(doc, n, every_gram)
        streams[d].rank_by(every_gram, ranks[start:end])  # held to the document's last pair: 2 bytes a gram
        doc.remember(_gram_counts_key(n), sizes[paragraph_start:paragraph_end].copy())


@dataclass(frozen=True)
class Known:
    """What verification of many pairs found of one before judging it (None: not found): its
    passages (``align`` on its verification sides) and its hits (``shared_hits`` of
    ``min_paragraph_shared``) with boilerplate set aside."""

    passages: list[AlignedPassage] | None = None
    hits: SharedHits | None = None


def side_overlap(a: PreparedDocument, side_a: Side, b: PreparedDocument, side_b: Side) -> tuple[int, int]:
    """``pair_overlap`` of the verification sides of a pair: the numbers of the early rejection."""
    (ha, pa), (hb, pb) = a.hash_index, b.hash_index
    return pair_overlap(ha, pa, side_a.stripped.matchable, hb, pb, side_b.stripped.matchable, side_a.content,
                        side_b.content)


def gather(a: PreparedDocument, b: PreparedDocument, config: Config,
           boilerplate: tuple[npt.NDArray[np.bool_] | None, npt.NDArray[np.bool_] | None],
           common: int | None = None, sides: tuple[Side, Side] | None = None, known: Known = Known()) -> Evidence:
    """Passages on the full documents (boilerplate counts only beside content), paragraph matches
    with boilerplate set aside. ``common``: the distinct content grams the sides share, ``sides``
    the documents' :func:`verification_side`, and ``known`` what a batch found of the pair, when
    known."""
    n, rules = config.shingle_size, config.rules
    if sides is None:
        sides = (verification_side(a, boilerplate[0], n, rules), verification_side(b, boilerplate[1], n, rules))
    side_a, side_b = sides
    counted = (side_a.counted, side_b.counted)
    running = (side_a.running, side_b.running)
    passages = known.passages
    if passages is None:
        passages = align(a, b, counted, n, rules, (side_a.content, side_b.content), running, common)
    ordered = passages_in_order(passages)
    # A passage covers its span: a light revision changes a word in every few, and the words
    # between its aligned runs are still the copied text.
    # Across separate places only the shared text counts (``shared``: a passage's content, the
    # counted grams of its tiles): what lies between the runs of a passage may be a rewritten lead
    # around a quotation.
    ra, rb = running
    covered_a = covered_b = shared_a = shared_b = shared = 0
    for p in ordered:
        covered_a += counted_in(ra, p.a[0], p.a[1] - n + 1)
        covered_b += counted_in(rb, p.b[0], p.b[1] - n + 1)
        shared_a += p.content[0]
        shared_b += p.content[1]
        shared += p.shared
    total_a, total_b = max(side_a.total, 1), max(side_b.total, 1)
    coverage = (covered_a / total_a, covered_b / total_b)
    stripped_a, stripped_b = side_a.stripped, side_b.stripped
    least = rules.min_paragraph_shared
    hits = shared_hits(stripped_a, stripped_b, least) if known.hits is None else known.hits
    matches = paragraph_matches(stripped_a, stripped_b, config, hits)
    return Evidence(passages, ordered, shared, coverage, (shared_a / total_a, shared_b / total_b), matches,
                    _matched_mass(in_order(matches), stripped_a, stripped_b) if matches else (0.0, 0.0),
                    (stripped_a, stripped_b), bool(len(hits)))


def _near_content(extra: ParagraphMatch, content: list[ParagraphMatch], rank_a: dict[int, int],
                  rank_b: dict[int, int]) -> bool:
    """Whether a boilerplate match sits beside the copied text on both sides, in its order."""
    for m in content:
        close = abs(rank_a[extra.a] - rank_a[m.a]) <= 2 and abs(rank_b[extra.b] - rank_b[m.b]) <= 2
        if close and (extra.a - m.a) * (extra.b - m.b) >= 0:
            return True
    return False


def _boilerplate_in_copy(
    a: PreparedDocument, b: PreparedDocument, content: list[ParagraphMatch], config: Config,
    boilerplate: tuple[npt.NDArray[np.bool_] | None, npt.NDArray[np.bool_] | None],
) -> list[ParagraphMatch]:
    """Matches of boilerplate paragraphs (a headline that also fills other pages' sidebars, flagged
    in ``boilerplate``) that sit, word for word, beside the copied text of a copy: part of what was
    copied. ``content``: the paragraph matches of the documents with boilerplate set aside."""
    hits = shared_hits(a, b, config.rules.min_paragraph_shared)
    if hits.one_to_one():
        # The matches are those of the hits one by one, and a hit of two paragraphs neither of which
        # is boilerplate is a hit of the documents without it, whose match is in ``content`` (or is
        # none in both): only the hits of boilerplate are scored (a pair of copies of a story on two
        # sites, each with its own boilerplate: 120 us a pair of 20-paragraph copies scoring all).
        flagged = np.zeros(len(hits), dtype=np.bool_)
        for side, paragraphs in ((boilerplate[0], hits.rows), (boilerplate[1], hits.cols)):
            if side is not None:
                flagged |= side[paragraphs]
        found = direct_matches(hits.where(flagged), a.shingle_counts(), b.shingle_counts(), config)
    else:
        found = paragraph_matches(a, b, config, hits)
    known = {(m.a, m.b) for m in content}
    found = [m for m in found if (m.a, m.b) not in known and m.kind != "reworded"]
    if not found:
        return []
    rank_a = {int(p): r for r, p in enumerate(np.flatnonzero(a.matchable))}
    rank_b = {int(p): r for r, p in enumerate(np.flatnonzero(b.matchable))}
    return [m for m in found if _near_content(m, content, rank_a, rank_b)]


@dataclass(frozen=True)
class Judging:
    """A pair's verification up to rule (d), similar sentences: what :func:`begin_judging` found."""

    evidence: Evidence | None  # None: rejected early, but the sentence LSH found the pair
    rule: str  # the copy rule the evidence meets ("" for none)
    wants_sentences: bool  # whether the verdict needs the pair's similar sentences


def begin_judging(
    a: PreparedDocument, b: PreparedDocument, config: Config,
    boilerplate: tuple[npt.NDArray[np.bool_] | None, npt.NDArray[np.bool_] | None] = (None, None),
    similar_sentences: bool = False,
    overlap: tuple[int, int] | None = None,
    known: Known = Known(),
) -> Judging | None:
    """The first half of :func:`judge_pair`, up to its similar sentences: None when the pair shares
    nothing (the arguments are judge_pair's; ``known``: what a batch found of the pair)."""
    rules, n = config.rules, config.shingle_size
    side_a, side_b = verification_side(a, boilerplate[0], n, rules), verification_side(b, boilerplate[1], n, rules)
    if overlap is None:
        overlap = side_overlap(a, side_a, b, side_b)
    most, common = overlap
    if most < rules.min_paragraph_shared and not may_hold_passage(common, rules):
        # Exact early rejection, before the expensive evidence. ``most`` is the most shingles a
        # paragraph pair of the stripped documents shares: below min_paragraph_shared, shared_hits
        # finds none, so paragraph_matches finds no match (a pair match, and each half of a window
        # match, needs that many) and the phrases test (may_be_reworded on the stripped documents)
        # fails. ``common`` fails align's own first test, so there is no passage. With no match and
        # no passage copy_rule gives "" (rules (a)-(b) need min_shared >= 1 shared grams, (c) a
        # passage, paragraph evidence min_places >= 1 matches), and the pair "shares" nothing:
        # similar sentences, compared only for a pair the sentence LSH found, are the one verdict
        # left.
        return Judging(None, "", True) if similar_sentences else None
    evidence = gather(a, b, config, boilerplate, common, (side_a, side_b), known)
    rule = copy_rule(evidence, a, b, config.shingle_size, rules)
    shares = bool(evidence.matches or evidence.passages or similar_sentences) or evidence.phrases
    return Judging(evidence, rule, not rule and shares)


def judge_pair(
    a: PreparedDocument, b: PreparedDocument, config: Config,
    boilerplate: tuple[npt.NDArray[np.bool_] | None, npt.NDArray[np.bool_] | None] = (None, None),
    similar_sentences: bool = False,
    overlap: tuple[int, int] | None = None,
) -> PairVerdict | None:
    """The verdict on ``a`` and ``b``: None when they share neither a passage, a paragraph nor
    similar sentences.

    ``boilerplate`` masks paragraphs that never count by themselves; beside copied text they
    belong to the copy (in passages, and as paragraph matches of a copy). Similar sentences (rule
    d) are compared when the pair shares something else, or some phrases (:func:`may_be_reworded`),
    or when ``similar_sentences`` says the sentence LSH found the pair. ``overlap``: the pair's
    ``pair_overlap`` on the verification sides when already known (batched by
    :func:`syndidetect.verify_batch.judge_pairs`, which also compares the sentences of many pairs at
    once: :func:`begin_judging`, then :func:`finish_judging`).
    """
    judging = begin_judging(a, b, config, boilerplate, similar_sentences, overlap)
    if judging is None:
        return None
    sentences = reworded_sentences(a, b, config.rules, boilerplate) if judging.wants_sentences else ()
    return finish_judging(judging, a, b, config, boilerplate, sentences)


def finish_judging(
    judging: Judging, a: PreparedDocument, b: PreparedDocument, config: Config,
    boilerplate: tuple[npt.NDArray[np.bool_] | None, npt.NDArray[np.bool_] | None],
    sentences: tuple[SentencePair, ...],
) -> PairVerdict | None:
    """The second half of :func:`judge_pair`: the verdict from ``judging`` and the pair's similar
    sentences (``reworded_sentences``, asked when ``judging.wants_sentences``; else empty)."""
    rules = config.rules
    evidence, rule = judging.evidence, judging.rule
    if evidence is None:  # rejected early: only similar sentences can make it a copy
        if not sentences:
            return None
        evidence = gather(a, b, config, boilerplate)
        rule = copy_rule(evidence, a, b, config.shingle_size, rules)
        if rule:
            sentences = ()
    matches = evidence.matches
    stripped = evidence.stripped
    rule = rule or ("sentences" if sentences else "")
    if not matches and not evidence.passages and not sentences:
        return None
    mask_a, mask_b = boilerplate
    masked = (mask_a is not None and bool(mask_a.any())) or (mask_b is not None and bool(mask_b.any()))
    if rule and masked and matches:
        matches = sorted(matches + _boilerplate_in_copy(a, b, matches, config, boilerplate), key=lambda m: (m.a, m.b))
    coverage = (max(evidence.coverage[0], evidence.paragraph_coverage[0]),
                max(evidence.coverage[1], evidence.paragraph_coverage[1]))
    matched_shared = 0
    for m in evidence.matches:
        matched_shared += m.shared
    by_passages = bool(evidence.passages) and evidence.shared >= matched_shared
    kind: PairKind
    if rule == "sentences" or by_passages:
        # few shared words when similar sentences made the copy: what made it is rewording
        shared = reworded = 0
        spread = 0.0  # the shared grams over the containment: the grams of the passages' shorter sides
        for p in evidence.passages:
            shared += p.shared
            reworded += p.shared if p.kind == "reworded" else 0
            spread += p.shared / max(p.containment, 1e-9)
        kind = "reworded" if rule == "sentences" else _kind_of_share(reworded / max(shared, 1))
        kept = shared / max(spread, 1)
    else:
        kind = _kind_of_share(sum(m.kind == "reworded" for m in matches) / len(matches)) if matches else "reworded"
        kept = sum(m.shared for m in matches) / max(sum(
            min(int(a.shingle_counts()[m.a]), int(b.shingle_counts()[m.b])) for m in matches), 1)
    return PairVerdict(
        matches=tuple(matches),
        verdict="copy" if rule else "related",
        kind=kind,
        source_side=_source(a, b, coverage, kind, rules) if rule else None,
        matched=(len({m.a for m in matches}), len({m.b for m in matches})),
        matchable=(int(np.count_nonzero(stripped[0].matchable)), int(np.count_nonzero(stripped[1].matchable))),
        kept=min(1.0, kept),
        passages=tuple(evidence.passages),
        coverage=coverage,
        rule=rule,
        sentences=sentences,
    )
