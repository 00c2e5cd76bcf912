"""Sentences, content stems and the reword-robust evidence of a copy (sentences.py, stemming.py)."""

from __future__ import annotations

import itertools
import random
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import syndidetect as sd
import syndidetect._kernels.equal_counts as equal_counts_module
import syndidetect._kernels.stem_ids as stem_ids_module
import syndidetect._kernels.tfidf_rows as tfidf_kernels
import syndidetect.sentence_batches as sentence_batches_module
import syndidetect.sentence_lsh as sentence_lsh
import syndidetect.sentence_sets as sentence_sets_module
from syndidetect._kernels.sentence_reach import REACH as SENTENCE_REACH
from syndidetect._kernels.sentence_reach import reach_later
from syndidetect._kernels.sentences import SENTENCES, python_only, sentence_bounds
from syndidetect._kernels.stem_ids import STEM_IDS
from syndidetect._kernels.stem_tokens import STEM_TOKENS, span_stems
from syndidetect._kernels.tfidf_rows import SCORES, idf_weights, joined_length, scores, tf_size, tf_weights
from syndidetect.errors import ConfigError, InputError
from syndidetect.lsh import ESTIMATE_MARGIN, candidate_pairs, estimated_jaccard, optimal_bands
from syndidetect.minhash import sketch
from syndidetect.prepared import prepare_documents
from syndidetect.sentence_batches import many_prepared_sentences
from syndidetect.sentence_lsh import MAX_SENTENCE_DOCUMENTS, SENTENCE_JACCARD, sentence_candidate_pairs
from syndidetect.sentence_split import BOUNDARY, boundary_matches, sentence_blocks, sentence_spans
from syndidetect.sentences import (
    CONTEXT_COSINE,
    MIN_SENTENCE_COVERAGE,
    MIN_SIMILAR_SENTENCES,
    SENTENCE_COSINE,
    SentenceEvidence,
    SentencePair,
    _in_runs,
    _with_context,
    document_sentences,
    in_order_sentences,
    is_reworded_copy,
    may_reach_later,
    prepared_sentences,
    reworded_evidence,
    sentence_evidence,
    similar_sentences,
    tfidf_cosines,
)
from syndidetect.shingles import ascii_lower, tokens
from syndidetect.stem_vocabulary import StemVocabulary
from syndidetect.stemming import content_stems, content_stems_of_spans, is_content_word, stem
from syndidetect.tfidf import (
    dense_rows_numpy,
    pair_ids,
    products_numpy,
    raise_joined_numpy,
    sentence_scores,
    sentence_terms,
    term_ids,
    tfidf_idf,
    tfidf_rows,
    weighted_dot,
)
from syndidetect.unicode_stems import unicode_span_stems
from syndidetect.verify import sentences_may_copy_later

SOURCE = """\
The city council approved a plan on Tuesday to build forty kilometres of protected bicycle lanes across \
the downtown district. Mayor Elena Ortiz said the project would cost about 12 million dollars and take \
three years to complete.

Construction crews will begin work on Harbour Street in March, closing two traffic lanes during the \
busiest hours. Local shop owners warned that the closures could drive customers away from their \
businesses. Cycling advocates, however, praised the decision as a long overdue investment in safer streets.

A survey published last year found that accidents involving cyclists had doubled since 2015. The council \
also voted to lower the speed limit on residential roads to thirty kilometres per hour. Officials expect \
the first section of the network to open before the summer festival season.
"""

# SOURCE spun by hand: synonyms, clauses moved, one sentence split; about half the content words kept.
REWORDED = """\
On Tuesday, city councillors backed a proposal to construct forty kilometres of protected bike lanes \
through the downtown district. The project will cost roughly 12 million dollars and need three years to \
finish, according to Mayor Elena Ortiz.

Work crews are set to start on Harbour Street in March. Two traffic lanes will be shut at the busiest \
times. Shopkeepers in the area cautioned that the closures might push customers away from their \
businesses. The move was welcomed by cycling campaigners as a long overdue investment in safer roads.

Accidents involving cyclists have doubled since 2015, according to a survey released last year. \
Councillors further agreed to reduce the speed limit on residential streets to thirty kilometres per \
hour. The first part of the network is expected to open ahead of the summer festival season, officials said.
"""

# The same story, written independently: same people, places and topic words, no shared sentences.
INDEPENDENT = """\
Cyclists in the city have long complained that downtown streets are too dangerous to ride. At a public \
meeting on Monday, dozens of residents asked the council for more bike lanes and slower traffic.

Mayor Elena Ortiz told the audience that the transport budget was already stretched this year. Several \
speakers described near misses with delivery trucks on Harbour Street. A bicycle courier said she now \
avoids the downtown district entirely during the morning rush hour.

The transport department has promised to publish a new road safety report in the autumn. Some drivers at \
the meeting argued that parking, not cycling, was the bigger problem for local shops. The council will \
discuss the requests again at its next session in January.
"""

# INDEPENDENT quoting two sentences of SOURCE almost word for word, far apart (two quotations) ...
TWO_SHARED = INDEPENDENT.replace(
    "Mayor Elena Ortiz told the audience that the transport budget was already stretched this year.",
    "Mayor Elena Ortiz said the project would cost about 12 million dollars and take three years to finish.",
).replace(
    "The transport department has promised to publish a new road safety report in the autumn.",
    "A survey published last year found that accidents involving cyclists had doubled since 2015.",
)
# ... and two neighbouring sentences of SOURCE, side by side (one quoted passage of two sentences).
TWO_ADJACENT = INDEPENDENT.replace(
    "Several speakers described near misses with delivery trucks on Harbour Street.",
    "A survey published last year found that accidents involving cyclists had doubled since 2015.",
).replace(
    "A bicycle courier said she now avoids the downtown district entirely during the morning rush hour.",
    "The council also voted to lower the speed limit on residential roads to thirty kilometres per hour.",
)


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


# --- sentence spans -------------------------------------------------------------------------------


def test_two_sentences_after_a_title() -> None:
    assert sentences("Mr. Smith arrived. He sat.") == ["Mr. Smith arrived.", "He sat."]


def test_abbreviations_initials_and_decimals_do_not_split() -> None:
    text = (
        "Dr. Jones met J. K. Rowling at 9 a.m. in the U.S. Embassy, e.g. Room No. 5 on Jan. 12. "
        "Prices rose 3.5 per cent. Why? Nobody knows! Then it ended."
    )
    assert sentences(text) == [
        "Dr. Jones met J. K. Rowling at 9 a.m. in the U.S. Embassy, e.g. Room No. 5 on Jan. 12.",
        "Prices rose 3.5 per cent.",
        "Why?",
        "Nobody knows!",
        "Then it ended.",
    ]


def test_quotes_close_and_open_sentences() -> None:
    text = "“We are unable to comment,” they said. “As records are confidential.” (A later note.) Done."
    assert sentences(text) == [
        "“We are unable to comment,” they said.",
        "“As records are confidential.”",
        "(A later note.)",
        "Done.",
    ]


def test_lower_case_after_a_full_stop_does_not_split() -> None:
    assert sentences("It costs approx. ten dollars. etc. and more.") == [
        "It costs approx. ten dollars. etc. and more."
    ]


def test_hard_wrapped_sentences_are_not_split_at_line_ends() -> None:
    prose = (
        "The committee met again on Thursday to consider the revised budget for the coming year, "
        "which several members had criticised as far too optimistic about tax revenue. After a long "
        "debate the chair proposed a compromise that would delay two large projects until the spring."
    )
    wrapped = textwrap.fill(prose, width=72) + "\n\nA second paragraph follows here."
    assert "\n" in sentences(wrapped)[0]
    assert [" ".join(s.split()) for s in sentences(wrapped)] == [
        "The committee met again on Thursday to consider the revised budget for the coming year, which "
        "several members had criticised as far too optimistic about tax revenue.",
        "After a long debate the chair proposed a compromise that would delay two large projects until the "
        "spring.",
        "A second paragraph follows here.",
    ]


def test_blank_lines_and_short_lines_end_sentences() -> None:
    assert sentences("Breaking News\nThe storm hit the coast\n\nIt rained") == [
        "Breaking News", "The storm hit the coast", "It rained"
    ]


def test_spans_index_the_original_text_exactly() -> None:
    text = "  Caf\u00e9 prices\u00a0rose.  They fell again!\r\n\r\nNew paragraph here.  "
    got = sentence_spans(text)
    assert [text[s:e] for s, e in got] == ["Caf\u00e9 prices\u00a0rose.", "They fell again!", "New paragraph here."]


_TEXT_CHARS = st.sampled_from([*"ab Mr.Dr?!\n\"“”’()3 ", "U.S.", "e.g. ", "\u00a0", "\r\n", "\n\n"])


@given(st.lists(_TEXT_CHARS, max_size=80).map("".join))
def test_spans_are_ordered_disjoint_stripped_and_inside(text: str) -> None:
    spans = sentence_spans(text)
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        assert text[start:end] == text[start:end].strip()
        previous_end = end
    covered = {i for start, end in spans for i in range(start, end)}
    assert all(i in covered for i, c in enumerate(text) if not c.isspace())


_BOUNDARY_TEXT = st.lists(st.sampled_from([*"aB3 .!?\n\t\"'“”’«»()[]。．｡！？」』）", "...", "?!", "Mr. ", "東京"]),
                          min_size=5, max_size=60).map("".join)


@given(_BOUNDARY_TEXT, st.data())
def test_boundary_matches_are_those_of_finditer(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text) // 2))
    for begin, end in [(0, len(text)), (start, data.draw(st.integers(start, len(text))))]:
        expected = [(m.span(), m.groupdict()) for m in BOUNDARY.finditer(text, begin, end)]
        assert [(m.span(), m.groupdict()) for m in boundary_matches(text, begin, end)] == expected


# --- stems and content words ------------------------------------------------------------------------


def test_inflections_share_a_stem() -> None:
    assert stem("running") == stem("runs") == stem("run") == "run"
    assert stem("studies") == stem("study") == stem("studied") == stem("studying")
    assert stem("relation") == stem("related") == stem("relates")
    assert stem("government") == stem("governments") == stem("govern")
    assert stem("happily") == stem("happiness") == stem("happy")
    assert stem("boxes") == stem("box") and stem("classes") == stem("class")
    assert stem("hoping") == stem("hope") != stem("hopping")


def test_short_and_special_words_are_not_mangled() -> None:
    for word in ["bus", "gas", "sing", "red", "news", "glass", "virus", "analysis", "need", "comment", "early",
                 "2015", "café", "東京"]:
        assert stem(word) == word
    assert stem("ideas") == "idea" and stem("visas") == "visa"


def test_content_stems_drop_stop_words_and_short_tokens_but_keep_numbers() -> None:
    assert content_stems("In 2015 she said it was 5 of them, as the reports showed.") == [
        "2015", "said", "5", "report", "show"
    ]
    assert not is_content_word("the") and not is_content_word("ab") and is_content_word("7")


_STEM_TEXT = st.lists(
    st.sampled_from(["Running", "the", "STUDIES", "café", "&amp;", "&", "’", "—", "\u00a0", " ", ".", "2015", "ﬁle",
                     "Ⅻ", "naïve", "x", "e\u0301", "東京"]),
    max_size=20,
).map(" ".join)


@given(_STEM_TEXT | st.text(st.characters(max_codepoint=127), max_size=40))
def test_fast_paths_equal_the_token_definition(text: str) -> None:
    expected = [stem(t) for t in tokens(text) if is_content_word(t)]
    assert content_stems(text) == expected
    spans = [(0, len(text) // 3), (len(text) // 3, len(text) // 2), (len(text) // 2, len(text))]
    assert content_stems_of_spans(text, spans, ascii_lower(text)) == [content_stems(text[s:e]) for s, e in spans]


def test_importing_the_package_does_not_import_scikit_learn() -> None:
    code = "import sys, syndidetect.sentences; print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- TF-IDF cosines ---------------------------------------------------------------------------------


def test_cosines_equal_scikit_learn_tfidf() -> None:
    text = pytest.importorskip("sklearn.feature_extraction.text")
    a = document_sentences(SOURCE).stems
    b = document_sentences(REWORDED).stems
    vectors = text.TfidfVectorizer(analyzer=lambda s: s, sublinear_tf=True).fit_transform(list(a) + list(b))
    expected = (vectors[: len(a)] @ vectors[len(a) :].T).toarray()
    np.testing.assert_allclose(tfidf_cosines(a, b), expected, atol=1e-12)


def test_topic_words_weigh_less_than_rare_words() -> None:
    # "lanes" is in every sentence, so sharing it is worth less than sharing "harbour"
    a = [["lanes", "harbour", "bridge", "crews"]]
    b = [["lanes", "harbour", "tunnel", "budget"], ["lanes", "mayor", "tunnel", "budget"],
         ["lanes", "bridge", "cost", "vote"]]
    cos = tfidf_cosines(a, b)
    assert cos[0, 0] > cos[0, 2] > cos[0, 1] > 0


# --- the compiled TF-IDF rows: bit for bit the numpy arithmetic ---------------------------------------

STEMS = st.lists(st.lists(st.sampled_from([f"w{k}" for k in range(12)]), min_size=1, max_size=40), min_size=1,
                 max_size=7)


def _neighbours(score: np.ndarray, single: np.ndarray, window: np.ndarray) -> None:
    gain = np.where((window > single[:, :-1]) & (window > single[:, 1:]), window, 0.0)
    np.maximum(score[:, :-1], gain, out=score[:, :-1])
    np.maximum(score[:, 1:], gain, out=score[:, 1:])


def _scores_per_pair(stems_a: list[list[str]], stems_b: list[list[str]]) -> np.ndarray:
    """The sentence scores as verification computed them before the per-document terms and kernels."""
    vocabulary: dict[str, int] = {}
    ids_a, ids_b = term_ids(stems_a, vocabulary), term_ids(stems_b, vocabulary)
    idf = tfidf_idf(ids_a + ids_b, len(vocabulary))
    a, b = tfidf_rows(ids_a, idf), tfidf_rows(ids_b, idf)
    single = weighted_dot(a, b)
    score = single.copy()
    if len(ids_b) > 1:
        _neighbours(score, single, weighted_dot(a, tfidf_rows([np.concatenate(p) for p in itertools.pairwise(ids_b)],
                                                              idf)))
    if len(ids_a) > 1:
        joined_a = tfidf_rows([np.concatenate(p) for p in itertools.pairwise(ids_a)], idf)
        _neighbours(score.T, single.T, weighted_dot(b, joined_a))
    return score


@given(STEMS, STEMS)
@settings(max_examples=150)
def test_compiled_scores_are_bit_for_bit_the_numpy_ones(stems_a: list[list[str]], stems_b: list[list[str]]) -> None:
    a, b = sentence_terms(stems_a), sentence_terms(stems_b)
    # The products are summed term by term (products_numpy), not by BLAS: equal to its last bits or so.
    expected = _scores_per_pair(stems_a, stems_b)
    slow = sentence_scores(a, b)
    np.testing.assert_allclose(slow, expected, rtol=1e-12, atol=1e-15)
    assert SCORES.compiled() is not None  # sparse rows, products through postings: the same bits
    fast = scores(a, b)
    assert fast is not None and fast.shape == slow.shape and fast.tobytes() == slow.tobytes()


def _bound(a: sentence_sets_module.DocumentSentences, b: sentence_sets_module.DocumentSentences, floor: float,
           least: tuple[int, float]) -> bool:
    """sentences._may_reach's bound on the per-pair scores, at any floor."""
    if not a.count or not b.count:
        return False
    score = sentence_scores(a.terms, b.terms)
    most_a, most_b = int((score.max(axis=1) >= floor).sum()), int((score.max(axis=0) >= floor).sum())
    shares = (most_a / a.count, most_b / b.count)
    coverage = min(shares) if a.count == b.count else shares[0] if a.count < b.count else shares[1]
    return min(most_a, most_b) >= least[0] and coverage >= least[1]


@given(st.lists(STEMS, min_size=2, max_size=5), st.integers(1, 4), st.sampled_from([0.0, 0.2, 0.3, 0.5]),
       st.integers(0, 2**31 - 1))
@settings(max_examples=60)
def test_batched_sentence_bound_is_the_per_pair_one(texts: list[list[list[str]]], min_similar: int,
                                                    min_coverage: float, seed: int) -> None:
    """reach_later: each pair's vocabulary mapped from batch-wide ids, the scores and the bound in the
    kernel, two threads: the same answer as the per-pair scores, at a floor equal to some pair's
    exact score too (the comparison is >=)."""
    docs = [sentence_sets_module.DocumentSentences.of([(k, k + 1) for k in range(len(t))], t) for t in texts]
    docs.append(sentence_sets_module.DocumentSentences.of([], []))  # a document without sentences
    pairs = [(a, b) for a, b in itertools.permutations(docs, 2)] * 3  # repeats: more than THREADED_PAIRS
    scored = [sentence_scores(a.terms, b.terms) for a, b in pairs if a.count and b.count]
    values = sorted({float(v) for m in scored for v in m.ravel() if v > 0}) or [0.3]
    floor = values[random.Random(seed).randrange(len(values))]
    least = (min_similar, min_coverage)
    assert SENTENCE_REACH.compiled() is not None
    job = reach_later([(a.terms, b.terms) for a, b in pairs], floor, least)
    assert job is not None
    got = job(None)
    assert got == [_bound(a, b, floor, least) for a, b in pairs]


def _singles(a: sentence_sets_module.DocumentSentences,
             b: sentence_sets_module.DocumentSentences) -> np.ndarray:
    """The cosines of single sentences, before any join raises them (numpy's reference rows)."""
    tb, width = pair_ids(a.terms, b.terms)
    rows_a, rows_b, _, _ = dense_rows_numpy(a.terms.tokens.astype(np.int64), a.terms.offsets, tb, b.terms.offsets,
                                            width)
    return products_numpy(rows_a, rows_b)


def _split_copy(sentences: list[list[str]], other: list[list[str]], seed: int) -> list[list[str]]:
    """``sentences`` with each one of two stems or more cut in two at a random place, ``other`` after."""
    rng = random.Random(seed)
    cut = []
    for stems in sentences:
        at = rng.randrange(1, len(stems)) if len(stems) > 1 else 1
        cut += [stems[:at], stems[at:]] if len(stems) > 1 else [stems]
    return cut + other


@given(STEMS, STEMS, st.integers(0, 2**31 - 1))
@settings(max_examples=80)
def test_a_joined_sentence_scores_at_most_its_parts_together(texts: list[list[str]], other: list[list[str]],
                                                             seed: int) -> None:
    """What the batched bound rejects most pairs with: a score raised by a join is at most the single
    cosine plus the largest single cosine beside it on its row or column (here the copy cut every
    sentence in two, where joins raise most)."""
    a = sentence_sets_module.DocumentSentences.of([(k, k + 1) for k in range(len(texts))], texts)
    cut = _split_copy(texts, other, seed)
    b = sentence_sets_module.DocumentSentences.of([(k, k + 1) for k in range(len(cut))], cut)
    single = _singles(a, b)
    beside = np.zeros_like(single)
    beside[:, :-1] = np.maximum(beside[:, :-1], single[:, 1:])
    beside[:, 1:] = np.maximum(beside[:, 1:], single[:, :-1])
    beside[:-1] = np.maximum(beside[:-1], single[1:])
    beside[1:] = np.maximum(beside[1:], single[:-1])
    score = sentence_scores(a.terms, b.terms)
    assert (score <= single + beside + 1e-12).all()


@given(STEMS, STEMS)
@settings(max_examples=100)
def test_the_bounds_single_cosines_are_the_exact_ones_to_rounding(stems_a: list[list[str]],
                                                                  stems_b: list[list[str]]) -> None:
    """The single cosines the sentence bound reads: b's tokens in b's own ids with the map to the
    pair's ids, each sentence's terms in order of first appearance, not sorted. They are numpy's
    single cosines to rounding, far inside the bound's slack (BOUND_SLACK, 1e-9)."""
    a, b = sentence_terms(stems_a), sentence_terms(stems_b)
    tb, width = pair_ids(a, b)
    mapped = np.empty(len(b.words), dtype=np.int64)
    mapped[b.tokens] = tb  # each of b's words is some token's
    rows_a, rows_b, _, _ = dense_rows_numpy(a.tokens.astype(np.int64), a.offsets, tb, b.offsets, width)
    expected = products_numpy(rows_a, rows_b)
    kernels = SCORES.compiled()
    assert kernels is not None
    idf = idf_weights(len(a.offsets) + len(b.offsets) - 2)
    tf = tf_weights(tf_size(joined_length(a.offsets), joined_length(b.offsets)))
    got = kernels.single(a.tokens.astype(np.int64), a.offsets, mapped, b.tokens.astype(np.int64), b.offsets, width,
                         idf, tf)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-14)


@given(st.lists(st.lists(st.integers(0, 40), max_size=6), min_size=1, max_size=8),
       st.lists(st.integers(0, 5000), min_size=1, max_size=8))
@settings(max_examples=200)
def test_the_batched_table_sizes_are_each_pairs_own(sentence_sizes: list[list[int]], lengths: list[int]) -> None:
    """The TF table sizes and the longest two neighbouring sentences, found for many documents at once
    (offsets laid end to end; documents of no sentence, one, two or more, in any order), are those of
    each document alone."""
    offsets = [np.cumsum([0, *sizes]).astype(np.int64) for sizes in sentence_sizes]
    starts = np.zeros(len(offsets) + 1, dtype=np.int64)
    np.cumsum([len(o) for o in offsets], out=starts[1:])
    got = tfidf_kernels.joined_lengths(np.concatenate(offsets), starts)
    assert got.tolist() == [joined_length(o) for o in offsets]
    other = [*lengths[::-1], 0, 1, 1023, 1024]
    mine = [*lengths, 1024, 1024, 0, 1]
    assert tfidf_kernels.tf_sizes(np.array(mine), np.array(other)).tolist() == [
        tf_size(a, b) for a, b in zip(mine, other)]


@given(st.lists(STEMS, min_size=2, max_size=4), st.integers(1, 3), st.sampled_from([0.0, 0.3, 0.6]),
       st.integers(0, 2**31 - 1))
@settings(max_examples=40)
def test_batched_bound_keeps_pairs_that_only_joins_raise(texts: list[list[list[str]]], min_similar: int,
                                                         min_coverage: float, seed: int) -> None:
    """Copies that cut every sentence in two, at a floor some raised score sits on: the batched bound
    (which first reads the single cosines) answers as the per-pair bound on the raised scores."""
    docs = [sentence_sets_module.DocumentSentences.of([(k, k + 1) for k in range(len(t))], t) for t in texts]
    cuts = [_split_copy(t, [], seed) for t in texts]
    docs += [sentence_sets_module.DocumentSentences.of([(k, k + 1) for k in range(len(c))], c) for c in cuts]
    pairs = [(a, b) for a, b in itertools.permutations(docs, 2)] * 2  # repeats: more than THREADED_PAIRS
    raised, every = [], []
    for a, b in pairs:
        score = sentence_scores(a.terms, b.terms)
        raised += score[score > _singles(a, b)].tolist()
        every += score.ravel().tolist()
    values = sorted(set(raised or every))
    floor = values[random.Random(seed).randrange(len(values))]
    least = (min_similar, min_coverage)
    assert SENTENCE_REACH.compiled() is not None
    job = reach_later([(a.terms, b.terms) for a, b in pairs], floor, least)
    assert job is not None
    got = job(None)
    assert got == [_bound(a, b, floor, least) for a, b in pairs]


def test_an_error_in_the_second_thread_of_the_bound_is_raised() -> None:
    """A half of the pairs left undone would read as "no chance": its error reaches the caller."""
    from syndidetect._kernels.threads import kernel_on_threads

    done: list[int] = []

    def kernel(first: int, step: int) -> None:
        if first == 1:
            raise MemoryError("odd pairs")
        done.append(first)

    with pytest.raises(MemoryError, match="odd pairs"):
        kernel_on_threads(kernel, (), 2)
    assert done == [0]


def test_batched_sentence_bound_keeps_every_reworded_copy() -> None:
    """On the quality corpus (reworded copies, same-story pages): the batch bound equals the per-pair
    one, passes some pairs and stops most, and never stops a pair whose evidence passes the rule."""
    from benchmarks.quality.generate import make_corpus

    texts = [t for _, t in make_corpus(seed=3, n_sources=8, n_negatives=2).documents]
    docs = [document_sentences(t) for t in texts] + [document_sentences("Too short.")]
    pairs = list(itertools.combinations(docs, 2))
    least = (MIN_SIMILAR_SENTENCES, MIN_SENTENCE_COVERAGE)
    assert SENTENCE_REACH.compiled() is not None
    got = may_reach_later(pairs, least)(None)
    assert got == [_bound(a, b, min(SENTENCE_COSINE, CONTEXT_COSINE), least) for a, b in pairs]
    copies = [is_reworded_copy(sentence_evidence(a, b)) for a, b in pairs]
    assert any(copies) and sum(got) < len(got) / 2
    assert all(reach for reach, copy in zip(got, copies) if copy)


@given(st.integers(0, 6), st.integers(0, 6), st.integers(1, 9), st.integers(0, 2**31 - 1))
@settings(max_examples=60)
def test_products_are_summed_term_by_term_close_to_blas(n: int, m: int, k: int, seed: int) -> None:
    rng = np.random.RandomState(seed)
    x, y = rng.rand(n, k) * (rng.rand(n, k) < 0.5), rng.rand(m, k) * (rng.rand(m, k) < 0.5)
    slow = products_numpy(x, y)
    assert slow.shape == (n, m)
    np.testing.assert_allclose(slow, x @ y.T, rtol=1e-12, atol=1e-15)


@given(st.integers(1, 6), st.integers(1, 6), st.integers(0, 2**31 - 1))
@settings(max_examples=100)
def test_compiled_raise_equals_numpy_with_ties(rows: int, columns: int, seed: int) -> None:
    assert SCORES.compiled() is not None  # builds the raise it calls, rebound to its compiled form
    raise_joined = tfidf_kernels._raise_joined
    assert hasattr(raise_joined, "py_func")  # numba's dispatcher, not the Python function
    rng = np.random.RandomState(seed)
    values = np.array([0.0, 0.25, 0.3, 0.5])  # few values: ties between a join and its parts
    single = rng.choice(values, (rows, columns))
    window_b, window_a = rng.choice(values, (rows, columns - 1)), rng.choice(values, (columns, rows - 1))
    fast, slow = single.copy(), single.copy()
    raise_joined(fast, single, window_b, window_a)
    raise_joined_numpy(slow, single, window_b, window_a)
    assert fast.tobytes() == slow.tobytes()


@given(STEMS, STEMS)
@settings(max_examples=100)
def test_pair_ids_are_the_ids_of_one_vocabulary_read_in_order(stems_a: list[list[str]],
                                                               stems_b: list[list[str]]) -> None:
    vocabulary: dict[str, int] = {}
    expected = term_ids(stems_a, vocabulary), term_ids(stems_b, vocabulary)
    a, b = sentence_terms(stems_a), sentence_terms(stems_b)
    tb, width = pair_ids(a, b)
    assert a.tokens.tolist() == [i for ids in expected[0] for i in ids.tolist()]
    assert a.offsets.tolist() == [0, *itertools.accumulate(len(ids) for ids in expected[0])]
    assert tb.tolist() == [i for ids in expected[1] for i in ids.tolist()] and width == len(vocabulary)
    assert a.words == tuple(vocabulary)[: len(a.words)]


@given(STEMS, STEMS)
@settings(max_examples=100)
def test_word_ids_are_equal_exactly_for_equal_words(stems_a: list[list[str]], stems_b: list[list[str]]) -> None:
    # Words rebuilt at run time are other objects than the test's: equal words must still share an id.
    copied = [["".join(list(word)) for word in sentence] for sentence in stems_b]
    a, b = sentence_terms(stems_a), sentence_terms(copied)
    # and terms of a stem vocabulary: their ids come from it, their words are picked from it
    kept = sentence_sets_module.DocumentSentences.of([(k, k + 1) for k in range(len(stems_a))], stems_a).terms
    for x, y in itertools.product([a, b, kept], repeat=2):
        ids_x, ids_y = x.word_ids().tolist(), y.word_ids().tolist()
        assert len(set(ids_x)) == len(x.words)
        for word, word_id in zip(x.words, ids_x):
            assert (word_id in ids_y) == (word in y.words)
            if word in y.words:
                assert ids_y[y.words.index(word)] == word_id


def test_pair_ids_of_a_small_example() -> None:
    a, b = sentence_terms([["x", "y"], ["y", "z"]]), sentence_terms([["q", "z"], ["x", "r", "q"]])
    tb, width = pair_ids(a, b)
    assert a.tokens.tolist() == [0, 1, 1, 2] and tb.tolist() == [3, 2, 0, 4, 3] and width == 5


# --- similar sentences and the in-order chain ------------------------------------------------------------


def test_similar_sentences_pair_the_reworded_sentences_in_place() -> None:
    pairs = similar_sentences(SOURCE, REWORDED)
    a_sentences, b_sentences = sentence_spans(SOURCE), sentence_spans(REWORDED)
    rank = {(p.a_start, p.b_start): (a_sentences.index((p.a_start, p.a_end)), b_sentences.index((p.b_start, p.b_end)))
            for p in pairs}
    assert all(p.cosine >= SENTENCE_COSINE for p in pairs)
    # Source sentence 2 was split into reworded sentences 2 and 3, so B runs one ahead from there.
    expected = {(0, 0), (1, 1), (2, 2), (2, 3), (3, 4), (4, 5), (5, 6), (6, 7), (7, 8)}
    assert set(rank.values()) >= expected - {(2, 2)} and set(rank.values()) <= expected


def test_in_order_chain_is_the_longest_monotone_one() -> None:
    def pair(a: int, b: int) -> SentencePair:
        return SentencePair(a, a + 1, b, b + 1, 0.5)

    pairs = [pair(0, 5), pair(1, 0), pair(2, 1), pair(2, 2), pair(3, 9), pair(4, 3)]
    assert [(p.a_start, p.b_start) for p in in_order_sentences(pairs)] == [(1, 0), (2, 1), (2, 2), (4, 3)]
    assert in_order_sentences([]) == []


@given(st.lists(st.tuples(st.integers(0, 8), st.integers(0, 8)), unique=True, max_size=25))
def test_in_order_chain_matches_brute_force(points: list[tuple[int, int]]) -> None:
    pairs = [SentencePair(a, a + 1, b, b + 1, 0.5) for a, b in points]
    chain = in_order_sentences(pairs)
    keys = [(p.a_start, p.b_start) for p in chain]
    assert all(x[0] <= y[0] and x[1] <= y[1] for x, y in itertools.pairwise(keys))
    assert set(keys) <= set(points)
    ordered = sorted(points)
    best = [1] * len(ordered)  # longest chain ending at each point, O(n^2)
    for j, q in enumerate(ordered):
        for i, p in enumerate(ordered[:j]):
            if p[0] <= q[0] and p[1] <= q[1]:
                best[j] = max(best[j], best[i] + 1)
    assert len(chain) == max(best, default=0)


# --- the verdict rule -------------------------------------------------------------------------------------


def test_heavily_reworded_text_is_a_reworded_copy() -> None:
    evidence = reworded_evidence(SOURCE, REWORDED)
    assert evidence.eligible_a == 8 and evidence.eligible_b == 9
    assert evidence.similar >= 7 and evidence.coverage >= 0.85
    assert is_reworded_copy(evidence)
    assert is_reworded_copy(reworded_evidence(REWORDED, SOURCE))


def test_independent_text_on_the_same_topic_is_not_a_copy() -> None:
    evidence = reworded_evidence(SOURCE, INDEPENDENT)
    assert evidence.similar < MIN_SIMILAR_SENTENCES and evidence.coverage < MIN_SENTENCE_COVERAGE
    assert not is_reworded_copy(evidence)
    assert not is_reworded_copy(reworded_evidence(REWORDED, INDEPENDENT))


def test_two_shared_sentences_are_not_a_copy() -> None:
    evidence = reworded_evidence(SOURCE, TWO_SHARED)
    assert [p.cosine > 0.85 for p in evidence.scattered] == [True, True]  # both found, in order, apart
    assert evidence.chain == () and not is_reworded_copy(evidence)
    adjacent = reworded_evidence(SOURCE, TWO_ADJACENT)
    assert adjacent.similar == 2 and adjacent.scattered == ()  # a run of two: still short of three
    assert not is_reworded_copy(adjacent)
    assert is_reworded_copy(adjacent, min_similar=2, min_coverage=0.2)


def test_context_extends_runs_and_isolated_pairs_are_set_apart() -> None:
    score = np.full((6, 6), 0.1)
    score[0, 0] = score[1, 1] = 0.8  # a strong run ...
    score[2, 2] = 0.35  # ... followed by a weaker neighbour: aligned through the context
    score[4, 5] = 0.35  # a weak pair alone: not aligned
    chain = _with_context([(0, 0), (1, 1)], score)
    assert chain == [(0, 0), (1, 1), (2, 2)]
    assert _in_runs([(0, 0), (1, 1), (3, 3), (6, 9), (9, 10)]) == [True, True, True, False, False]


def test_coverage_counts_the_document_with_fewer_sentences() -> None:
    chain = tuple(SentencePair(i, i + 1, j, j + 1, 0.9) for i, j in [(0, 0), (1, 1), (1, 2)])
    assert SentenceEvidence(chain, 10, 4).coverage == 3 / 4
    assert SentenceEvidence(chain, 4, 10).coverage == 2 / 4
    assert SentenceEvidence(chain, 4, 4).coverage == 2 / 4  # a tie takes the lower share
    assert SentenceEvidence((), 0, 5).coverage == 0.0
    assert SentenceEvidence(chain, 10, 4).similar == 2


def test_ignored_spans_and_menus_are_not_eligible() -> None:
    text = "Home | World | Sport | Tech | Video\n\n" + SOURCE
    assert document_sentences(text).spans == tuple((s + 37, e + 37) for s, e in document_sentences(SOURCE).spans)
    first_paragraph = (37, 37 + SOURCE.index("\n\n"))
    assert len(document_sentences(text, ignore=[first_paragraph]).spans) == 6
    evidence = reworded_evidence(SOURCE, REWORDED, ignore_a=[(0, len(SOURCE))])
    assert evidence.eligible_a == 0 and not is_reworded_copy(evidence)


def test_prepared_documents_give_the_same_evidence() -> None:
    a, b = document_sentences(SOURCE), document_sentences(REWORDED)
    assert sentence_evidence(a, b) == reworded_evidence(SOURCE, REWORDED)


def test_seed_articles(seeds_dir: Path) -> None:
    texts = {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted(seeds_dir.glob("*.txt"))}
    copies = {("000", "001"), ("002", "004")}  # 001 reposted verbatim in 000; 004 spun from 002
    for a, b in itertools.combinations(sorted(texts), 2):
        assert is_reworded_copy(reworded_evidence(texts[a], texts[b])) == ((a, b) in copies), (a, b)


# --- candidates -----------------------------------------------------------------------------------------


def _unrelated_documents(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "pe", "do", "ba", "gu", "fo", "ri", "che", "sta"]
    vocabulary = ["".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(3000)]
    common = ["the", "and", "was", "that", "with", "for", "from", "this"]
    documents = []
    for _ in range(n):
        sentences = []
        for _ in range(rng.randint(8, 14)):
            words = [rng.choice(vocabulary) if rng.random() < 0.6 else rng.choice(common) for _ in range(14)]
            sentences.append(" ".join(words).capitalize() + ".")
        documents.append(" ".join(sentences))
    return documents


def test_candidates_find_the_reworded_pair_among_unrelated_documents() -> None:
    texts = [*_unrelated_documents(50), SOURCE, REWORDED]
    pairs = sentence_candidate_pairs(texts)
    assert pairs.dtype == np.int64 and pairs.shape[1] == 2
    assert (pairs[:, 0] < pairs[:, 1]).all() and len(np.unique(pairs, axis=0)) == len(pairs)
    assert [50, 51] in pairs.tolist()
    unrelated = len(texts) * (len(texts) - 1) // 2 - 1
    assert len(pairs) - 1 <= 0.02 * unrelated
    assert [50, 51] in sentence_candidate_pairs(texts, min_collisions=3).tolist()
    assert [50, 51] in sentence_candidate_pairs(texts, jaccard=0.4).tolist()


def _documents_without_stop_words(n: int, seed: int = 11) -> list[str]:
    """Unrelated documents whose most frequent words are content words (Zipf frequencies, as in a
    language the stop list does not cover): short sentences share frequent stems by chance."""
    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "pe", "do", "ba", "gu", "fo", "ri", "che", "sta"]
    vocabulary = list(dict.fromkeys("".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(4000)))
    weights = [1.0 / (rank + 2.7) ** 1.05 for rank in range(len(vocabulary))]
    return [" ".join(" ".join(rng.choices(vocabulary, weights, k=rng.randint(5, 18))).capitalize() + "."
                     for _ in range(rng.randint(8, 14))) for _ in range(n)]


def test_candidates_ignore_sentences_sharing_only_frequent_stems() -> None:
    # A frequent stem with low hashes in a band is the minimum of every sentence holding it, so its
    # bucket gathers sentences of many documents sharing that one stem; such buckets are skipped and
    # low estimates dropped. Before, 349 of these 19,900 unrelated pairs were candidates.
    texts = [*_documents_without_stop_words(200), SOURCE, REWORDED]
    pairs = sentence_candidate_pairs(texts).tolist()
    assert [200, 201] in pairs
    assert len(pairs) - 1 <= 0.01 * (200 * 199 // 2)


def test_candidates_skip_template_sentences_found_in_many_documents() -> None:
    footer = " Cookies help us deliver our services and improve your reading experience."
    texts = [doc + footer for doc in _unrelated_documents(8)]
    assert len(sentence_candidate_pairs(texts, max_documents=100)) == 28  # every pair shares the footer
    assert len(sentence_candidate_pairs(texts)) == 0


def _pairs_from_all_signatures(texts: list[str], jaccard: float = SENTENCE_JACCARD) -> list[list[int]]:
    """The sentence LSH as first written: every sentence's signature kept, collisions estimated on them."""
    per_document = [{" ".join(sorted(set(words))) for words in document_sentences(t).stems} for t in texts]
    documents = Counter(string for strings in per_document for string in strings)
    kept = [sorted(s for s in found if documents[s] <= MAX_SENTENCE_DOCUMENTS) for found in per_document]
    strings = [s for found in kept for s in found]
    owner = np.repeat(np.arange(len(texts)), [len(found) for found in kept]).astype(np.int64)
    signatures = sketch(strings, shingle_size=1).signatures
    bands, rows = optimal_bands(jaccard, 128)
    pairs = candidate_pairs(signatures, bands, rows, owners=owner, max_owners=MAX_SENTENCE_DOCUMENTS)
    pairs = pairs[estimated_jaccard(signatures, pairs) >= ESTIMATE_MARGIN * jaccard]
    return sorted({tuple(sorted(p)) for p in owner[pairs].tolist()})  # type: ignore[misc]


@pytest.mark.parametrize("backend", ["numpy", "numba"])
@pytest.mark.parametrize(("chunk", "bands_at_once"), [(7, 1), (7, 4), (65536, 13), (65536, 64)])
def test_candidates_from_band_keys_are_those_from_all_signatures(chunk: int, bands_at_once: int, backend: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # Sketched in chunks (7 sentences: many chunks, shared by three threads when compiled), only band
    # keys kept, a few bands' at a time (the 25 bands one, four, 13 or all at once: a last group of
    # one band), colliding sentences sketched again 7 permutations at a time (the last slice 2) and
    # their pairs compared 5 at a time (numpy's path; the compiled one takes a range a thread).
    monkeypatch.setattr(sentence_lsh, "SKETCH_CHUNK", chunk)
    monkeypatch.setattr(sentence_lsh, "BANDS_AT_ONCE", bands_at_once)
    if chunk == 7:
        monkeypatch.setattr(equal_counts_module, "NUMPY_CHUNK", 5)
        monkeypatch.setattr(equal_counts_module.EQUAL_COUNTS, "get", lambda weight=1: None)
        monkeypatch.setattr(sentence_lsh, "ESTIMATE_PERMUTATIONS", 7)
        monkeypatch.setattr(sentence_lsh, "kernel_threads", lambda: 3)
    texts = [*_documents_without_stop_words(60), SOURCE, REWORDED, SOURCE]
    expected = _pairs_from_all_signatures(texts)
    assert len(expected) >= 3  # the reworded pair, the repeated source, and chance collisions
    assert [list(p) for p in expected] == sentence_candidate_pairs(texts, backend=backend).tolist()


@pytest.mark.parametrize("compiled", ["none", "sentences", "sentences and stems"])
def test_candidates_of_documents_stemmed_in_many_batches(compiled: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Documents split in batches of about 3,000 characters (each batch its own stem numbering), and
    # documents split one by one (non-English text; all of them while nothing is compiled), share
    # one sentence LSH: equal stems of different numberings must meet.
    monkeypatch.setattr(sentence_batches_module, "BATCH_CHARS", 3000)
    _compile(monkeypatch, compiled)
    texts = [*_documents_without_stop_words(40), SOURCE, "Él dijo: «" + REWORDED + "»", SOURCE.replace("a", "á"),
             REWORDED, SOURCE]
    docs = prepare_documents([sd.Document(f"m{k}", text) for k, text in enumerate(texts)], sd.Config())
    sentences = many_prepared_sentences(docs)
    if compiled != "none":
        assert len({id(s.vocabulary) for s in sentences}) > 2
    expected = _pairs_from_all_signatures(texts)
    assert [40, 44] in [list(p) for p in expected] and [41, 43] in [list(p) for p in expected]
    assert [list(p) for p in expected] == sentence_lsh.sentence_pairs_of(sentences).tolist()


def test_candidates_of_nothing() -> None:
    assert sentence_candidate_pairs([]).shape == (0, 2)
    assert sentence_candidate_pairs(["Short.", ""]).shape == (0, 2)


# --- errors ---------------------------------------------------------------------------------------------


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ConfigError, match="'min_content_words' must be an int >= 1; got 0"):
        similar_sentences("a", "b", min_content_words=0)
    with pytest.raises(ConfigError, match="'min_content_words' must be an int >= 1; got True"):
        reworded_evidence("a", "b", min_content_words=True)
    with pytest.raises(InputError, match="'texts' must be a sequence of str, not a single string"):
        sentence_candidate_pairs("one text")
    with pytest.raises(InputError, match=r"'texts'\[1\] must be a str; got bytes"):
        sentence_candidate_pairs(["ok", b"bytes"])  # type: ignore[list-item]
    with pytest.raises(ConfigError, match="'max_documents' must be an int >= 1; got 0"):
        sentence_candidate_pairs(["a"], max_documents=0)
    with pytest.raises(ConfigError, match=r"'min_collisions' must be an int >= 1; got 1\.5"):
        sentence_candidate_pairs(["a"], min_collisions=1.5)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"'jaccard' must be a float in \(0, 1\); got 1"):
        sentence_candidate_pairs(["a"], jaccard=1)
    with pytest.raises(ConfigError, match="'num_perm' must be an int"):
        sentence_candidate_pairs([SOURCE], num_perm=0)


# --- sentences built once per document ------------------------------------------------------------------

_SEED_FOLDER = Path(__file__).parent.parent / "seeds"
_SEED_TEXTS = [path.read_text(encoding="utf-8") for path in sorted(_SEED_FOLDER.glob("*.txt"))]


_NUMBERINGS = ["compiled", "dict", "numpy"]


@pytest.mark.parametrize("numbering", _NUMBERINGS)
@given(st.lists(st.lists(st.sampled_from(["farm", "sold", "2019", "market", "été", "x"]), max_size=8), max_size=6),
       st.randoms(use_true_random=False))
def test_terms_from_stem_ids_equal_terms_from_the_stems(numbering: str, sentences: list[list[str]],
                                                         rng: random.Random) -> None:
    # Stems rebuilt at run time (other objects than the literals), in a vocabulary of any order that
    # also holds stems no sentence uses, as a batch's vocabulary does.
    sentences = [["".join(list(word)) for word in stems] for stems in sentences]
    order = sorted({w for stems in sentences for w in stems} | {"unused", "other"})
    rng.shuffle(order)
    vocabulary = StemVocabulary.of(["".join(list(word)) for word in order])
    ids = np.array([order.index(w) for stems in sentences for w in stems], dtype=np.int32)
    offsets = np.array([0, *itertools.accumulate(map(len, sentences))], dtype=np.int64)
    bounds = np.array([(k, k + 1) for k in range(len(sentences))], dtype=np.int64).reshape(-1, 2)
    with pytest.MonkeyPatch.context() as patch:
        kernels = STEM_IDS.compiled() if numbering == "compiled" else None
        patch.setattr(STEM_IDS, "get", lambda *_: kernels)
        patch.setattr(stem_ids_module, "NUMPY_STEMS", 0 if numbering == "numpy" else 10**6)
        got = sentence_sets_module.DocumentSentences(bounds, offsets, ids, vocabulary).terms
    want = sentence_terms(sentences)
    assert got.words == want.words  # in order of first appearance: sentence scores sum in id order
    assert all(a is b for a, b in zip(got.words, want.words))  # interned, as word_ids needs
    assert got.source_ids is not None and got.word_ids().tolist() == want.word_ids().tolist()  # from the vocabulary
    assert got.tokens.dtype == want.tokens.dtype and np.array_equal(got.tokens, want.tokens)
    assert np.array_equal(got.offsets, want.offsets)


@settings(max_examples=60)
@given(st.sampled_from(range(len(_SEED_TEXTS))),
       st.lists(st.tuples(st.integers(0, 6000), st.integers(0, 800)), max_size=6))
def test_sentences_outside_ignored_spans_equal_splitting_again(seed: int, cuts: list[tuple[int, int]]) -> None:
    text = _SEED_TEXTS[seed]
    ignore = [(min(start, len(text)), min(start + width, len(text))) for start, width in cuts]
    compared = document_sentences(text)
    compared.terms  # noqa: B018  (compared once: its terms are cached, and its subsets build their own)
    again = document_sentences(text, ignore=ignore)
    for kept in (document_sentences(text).outside(ignore), compared.outside(ignore)):
        assert kept == again
        # The term ids too, vocabulary order included: sentence scores sum over terms in id order.
        assert kept.terms.words == again.terms.words
        assert np.array_equal(kept.terms.tokens, again.terms.tokens)
        assert np.array_equal(kept.terms.offsets, again.terms.offsets)


def _compile(monkeypatch: pytest.MonkeyPatch, compiled: str) -> None:
    """Compile the sentence splitter and the token table, or have either wait (``compiled``)."""
    if compiled == "none":
        monkeypatch.setattr(SENTENCES, "get", lambda *_: None)
    else:
        assert SENTENCES.compiled() is not None
    if compiled == "sentences and stems":
        assert STEM_TOKENS.compiled() is not None
    else:
        monkeypatch.setattr(STEM_TOKENS, "get", lambda *_: None)


_COMPILED = ["none", "sentences", "sentences and stems"]


@pytest.mark.parametrize("compiled", _COMPILED)
def test_detect_splits_and_stems_each_document_once(monkeypatch: pytest.MonkeyPatch, compiled: str) -> None:
    stemmed: list[int] = []  # characters of text stemmed per call: a document's, or a batch's joined

    def counted(text: str, *args: object) -> object:
        stemmed.append(len(text))
        return content_stems_of_spans(text, *args)  # type: ignore[arg-type]

    def counted_ids(lowered: str, *args: object) -> object:
        found = span_stems(lowered, *args)  # type: ignore[arg-type]
        if found is not None:
            stemmed.append(len(lowered))
            tabled.append(len(lowered))
        return found

    def counted_past_ascii(text: str, *args: object) -> object:
        found = unicode_span_stems(text, *args)  # type: ignore[arg-type]
        if found is not None:
            stemmed.append(len(text))
        return found

    tabled: list[int] = []  # the calls the compiled token table answered

    for module in (sentence_sets_module, sentence_batches_module):  # one document, and batches
        monkeypatch.setattr(module, "content_stems_of_spans", counted)
    monkeypatch.setattr(sentence_batches_module, "span_stems", counted_ids)
    monkeypatch.setattr(sentence_batches_module, "unicode_span_stems", counted_past_ascii)
    _compile(monkeypatch, compiled)
    docs = [sd.Document(f"s{k}", text) for k, text in enumerate(_SEED_TEXTS)]
    report = sd.detect(docs)
    assert any(pair.kind == "reworded" for pair in report.pairs)  # the sentence rule ran
    assert sum(stemmed) == sum(len(doc.text) for doc in docs)
    others = sum(ascii_lower(doc.text) is None for doc in docs)  # not plain English: a batch of their own
    assert 0 < others < len(docs)
    assert len(stemmed) == (len(docs) if compiled == "none" else 2)
    assert len(tabled) == (compiled == "sentences and stems")
    (doc,) = prepare_documents([docs[0]], sd.Config())
    assert prepared_sentences(doc, ((0, 10),)) is prepared_sentences(doc, ((0, 10),))
    assert prepared_sentences(doc) == document_sentences(_SEED_TEXTS[0])


# Ways to take English text past ASCII: accents, Cyrillic letters, Greek capitals, a Turkish "İ",
# entities, decomposed accents, Thai words, Chinese ideographs without stops, a NUL.
_PAST_ASCII = [
    lambda t: t.replace("a", "á").replace("o", "ö"),
    lambda t: t.translate(str.maketrans("aeopcx", "аеорсх")),
    lambda t: t.upper().translate(str.maketrans("AEIOU", "ΑΕΙΟΥ")),
    lambda t: t.replace("I", "İ"),
    lambda t: t.replace("e", "&eacute;", 3).replace("a", "a\u0301"),
    lambda t: t.replace(" the ", " ภาษาไทย "),
    lambda t: t.replace(" of ", " 东京 "),
    lambda t: t.replace(" and ", " \x00 ", 1) + " Zürich.",
]


def _mixed_documents() -> list[sd.Document]:
    """English documents of one and many paragraphs, hard-wrapped, with menus and entities, Chinese,
    empty and blank ones: each path of the sentence splitter."""
    from benchmarks.corpus import make_corpus

    corpus = make_corpus(120, seed=5).texts
    texts = [*_SEED_TEXTS, *corpus[:60], "\n\n".join(corpus[60:80]), textwrap.fill(" ".join(corpus[80:84]), 60),
             "Home | World | Sport | Tech | Video\n\nHe sold the old farm in 2019. Prices rose 3.5 percent.",
             "Fish &amp; chips were sold at the farm. The farmers market opened in 2019 again.",
             "今天下雨。他说：“走吧。快点！”明天呢？", "", "   \n\n  ", *corpus[84:100],
             # text past ASCII: batched but for what the sentence kernel leaves to Python ("İ")
             *(_PAST_ASCII[k % len(_PAST_ASCII)](text) for k, text in enumerate(corpus[100:]))]
    return [sd.Document(f"m{k}", text) for k, text in enumerate(texts)]


@pytest.mark.parametrize("batch_chars", [1, 3000, 1 << 22])
@pytest.mark.parametrize("compiled", _COMPILED)
def test_sentences_in_batches_are_those_of_each_document(monkeypatch: pytest.MonkeyPatch, batch_chars: int,
                                                         compiled: str) -> None:
    monkeypatch.setattr(sentence_batches_module, "BATCH_CHARS", batch_chars)
    monkeypatch.setattr(sentence_batches_module, "UNICODE_BATCH_CHARS", batch_chars)
    _compile(monkeypatch, compiled)
    docs = prepare_documents(_mixed_documents(), sd.Config())
    known = prepared_sentences(docs[3])  # memoised before: kept, not split again
    got = many_prepared_sentences(docs)
    assert got[3] is known
    for doc, sentences in zip(docs, got):
        assert sentences == document_sentences(doc.document.text)
        assert sentences.stem_ids.dtype == np.int32
        assert len(sentences.stem_ids) == sentences.offsets[-1]
        assert prepared_sentences(doc) is sentences  # memoised for verification
    assert sum(s.count for s in got) > len(docs)


@pytest.mark.parametrize("strength", ["light", "medium", "heavy"])
def test_a_content_farm_of_spins_is_found_whole(strength: str) -> None:
    # Eight spins of one article: a sentence LSH bucket holding all of them is skipped (more than
    # MAX_SENTENCE_DOCUMENTS documents), so the copies must be found through other buckets or
    # paragraph LSH. Every spin against the article and against each other spin is a copy.
    from benchmarks.quality.rewrite import STRENGTHS, spin_sentences

    source = _SEED_TEXTS[1]
    paragraphs = [p for p in source.split("\n\n") if p.strip()]
    docs = [sd.Document("source", source)]
    for k in range(8):
        rng = random.Random(k)
        spun = (" ".join(spin_sentences(p, STRENGTHS[strength], rng)) for p in paragraphs)
        docs.append(sd.Document(f"spin{k}", "\n\n".join(spun)))
    docs += [sd.Document(f"other{k}", text) for k, text in enumerate(_SEED_TEXTS) if k != 1]
    copies = {frozenset(p.documents) for p in sd.detect(docs).pairs if p.verdict == "copy"}
    spins = [d.id for d in docs[1:9]]
    assert all(frozenset(("source", s)) in copies for s in spins)
    assert all(frozenset(pair) in copies for pair in itertools.combinations(spins, 2))


# English text with what the sentence rules look at: capitals, digits, initials, titles and
# numbered abbreviations, dotted abbreviations, runs of stops, quotes and brackets on both sides,
# every kind of white space, menu characters, and the typographic characters ascii_lower accepts.
_PIECES = st.sampled_from([
    "Mr", "mr", "Dr", "No", "no", "Jan", "Sept", "St", "U.S", "e.g", "J", "a", "I", "Smith", "said", "the",
    "sold", "farm", "2019", "3", "12", "x", "Hello", "world", "again", "farmers", "market", "_", "R2",
    ".", ". ", "..", "...", "!", "?", "?!", " ", "  ", "\n", "\n\n", "\t", "\u00a0", "\x0b", "\x1c", "\r\n",
    '"', "'", "\u201c", "\u201d", "\u2018", "\u2019", "(", ")", "[", "]", "\u2013", "\u2014", "\u2026",
    "|", "/", ">", "*", "-", ",", ";", ":",
    "(Mr. ", "\u201cDr. ", "['J. ", "(No. 5", " (U.S.) ", "Home ... World ... Sport ... Video ... Tech",
    "Home | World | Sport | Tech | Video", "news ... sport ... video ... tech ... games", "Read more... ",
    "Prices rose 3.5 percent. ", "Jan. 12 ",
    # text past ASCII: capitals, initials and digits of other scripts (some past the BMP), other
    # spaces, Chinese stops and the two characters whose lower case changes length or leaves no
    # character past ASCII (the Python splitter keeps those texts), a lone surrogate
    "Émile", "É", "é", "Zürich", "ΣΟΦΙΑ", "σοφία", "Москва", "мир", "Ж", "ǅ", "Ⅻ", "\U0001d400", "٣", "①",
    "\U0001d7ce", "\u2028", "\u3000", "\u0301", "«", "»", "İ", "\u212a", "\ud800", "Éd. ",
    # Chinese and Japanese: every stop, quotes and brackets that open and close a quotation
    "今天下雨", "他说：", "走吧。快点！", "。", "！", "？", "．", "｡", "「", "」", "『", "』", "（", "）", "《", "》",
])


@given(st.lists(_PIECES, max_size=60), st.integers(1, 4))
@settings(max_examples=400)
def test_compiled_sentences_are_those_of_the_python_path(pieces: list[str], min_words: int) -> None:
    text = "".join(pieces)
    assert SENTENCES.compiled() is not None
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sentence_sets_module, "COMPILED_STOPS", 0)  # short texts too
        fast = document_sentences(text, min_words)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sentence_sets_module, "sentence_bounds", lambda *_, **__: None)
        slow = document_sentences(text, min_words)
    assert fast == slow
    assert fast.bounds.dtype == slow.bounds.dtype and fast.offsets.dtype == slow.offsets.dtype
    assert fast.stem_ids.dtype == slow.stem_ids.dtype == np.int32
    found = sentence_bounds(text, sentence_blocks(text))
    if any(c in text for c in "İ\u212a"):  # left to the Python splitter
        assert found is None
    else:
        assert found is not None and [tuple(b) for b in found[0].tolist()] == sentence_spans(text)


def test_compiled_sentences_of_generated_articles_are_those_of_the_python_path() -> None:
    assert SENTENCES.compiled() is not None
    from benchmarks.corpus import make_corpus

    seeds = sorted((Path(__file__).resolve().parents[1] / "seeds").glob("*.txt"))
    corpus = make_corpus(400, seed=3).texts
    compared = 0
    for text in [*(p.read_text("utf-8") for p in seeds), *corpus, "\n\n".join(corpus[:40])]:
        if ascii_lower(text) is None:
            continue
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(sentence_sets_module, "sentence_bounds", lambda *_, **__: None)
            slow = document_sentences(text)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(sentence_sets_module, "COMPILED_STOPS", 0)
            assert document_sentences(text) == slow
        compared += 1
    assert compared > len(corpus) // 2  # the generated paragraphs are English text: most take the kernel


def _evidence_cases() -> list[tuple[str, str]]:
    """Pairs of texts from spun copies (light to heavy) of a seed, cut and mixed with other text
    (one reworded paragraph among many, half a copy), to same-topic and unrelated pairs."""
    from benchmarks.corpus import make_corpus
    from benchmarks.quality.rewrite import STRENGTHS, spin_sentences

    source = _SEED_TEXTS[1]
    paragraphs = [p for p in source.split("\n\n") if p.strip()]
    other = make_corpus(60, seed=21).texts
    cases = []
    for k, strength in enumerate(sorted(STRENGTHS) * 3):
        rng = random.Random(k)
        spun = [" ".join(spin_sentences(p, STRENGTHS[strength], rng)) for p in paragraphs]
        keep = rng.randint(1, len(spun))
        mixed = spun[:keep] + other[k : k + rng.randint(0, 20)]
        if k % 3 == 2:
            rng.shuffle(mixed)
        cases.append((source, "\n\n".join(mixed)))
    cases += [(a, b) for a, b in itertools.combinations(_SEED_TEXTS, 2)]
    cases += [(source, "\n\n".join(other[k : k + 20])) for k in range(0, 40, 10)]
    return cases


@pytest.mark.parametrize("least", [(MIN_SIMILAR_SENTENCES, MIN_SENTENCE_COVERAGE), (1, 0.05), (3, 0.6)])
def test_evidence_stops_only_where_the_rule_fails(least: tuple[int, float]) -> None:
    stopped = passed = 0
    for text_a, text_b in _evidence_cases():
        a, b = document_sentences(text_a), document_sentences(text_b)
        full, bounded = sentence_evidence(a, b), sentence_evidence(a, b, least)
        if bounded != full:
            assert bounded.chain == () and bounded.scattered == ()
            assert not is_reworded_copy(full, *least)
            stopped += 1
        passed += is_reworded_copy(full, *least)
        assert is_reworded_copy(bounded, *least) == is_reworded_copy(full, *least)
    assert passed > 0
    if least[1] >= MIN_SENTENCE_COVERAGE:  # the lax rule leaves nearly every pair a chance
        assert stopped > 0


def test_verification_splits_the_documents_it_bounds_in_batches(seeds_dir: Path) -> None:
    """Without the sentence LSH, the documents whose sentences verification bounds are split and
    stemmed in one batch (the English ones share one vocabulary), and the bounds are those of
    documents split one by one."""
    assert SENTENCES.compiled() is not None and SENTENCE_REACH.compiled() is not None
    texts = [path.read_text("utf-8") for path in sorted(seeds_dir.glob("*.txt"))]
    config = sd.Config(sentence_candidates=False)
    batched, alone = (prepare_documents([sd.Document(str(k), t) for k, t in enumerate(texts)], config)
                      for _ in range(2))
    for doc in alone:
        prepared_sentences(doc)  # one by one, before verification asks
    pairs = list(itertools.combinations(range(len(texts)), 2)) * 6  # enough pairs for the compiled bound
    found = sentences_may_copy_later([(batched[i], batched[j], (None, None)) for i, j in pairs], config.rules)(None)
    assert found == sentences_may_copy_later([(alone[i], alone[j], (None, None)) for i, j in pairs], config.rules)(None)
    assert any(found) and not all(found)
    english = [doc for doc in batched if ascii_lower(doc.document.text) is not None]  # what the batch path takes
    assert len(english) >= 2 and len({id(prepared_sentences(doc).vocabulary) for doc in english}) == 1
    assert len({id(prepared_sentences(doc).vocabulary) for doc in alone}) == len(alone)


@pytest.mark.parametrize("threads", [1, 3])
@pytest.mark.parametrize("batch_chars", [1, 3000, 1 << 22])
@pytest.mark.parametrize("compiled", _COMPILED)
def test_a_sentence_corpus_finds_the_pairs_of_each_documents_sentences(monkeypatch: pytest.MonkeyPatch,
                                                                       batch_chars: int, compiled: str,
                                                                       threads: int) -> None:
    # Runs of batches interleaved with documents split alone (Chinese, entities, memoised before):
    # the LSH reads the runs after the documents split alone, and must find the same pairs. The
    # batches are split on ``threads`` threads (forced: this machine may have fewer cores).
    monkeypatch.setattr(sentence_batches_module, "BATCH_CHARS", batch_chars)
    monkeypatch.setattr(sentence_batches_module, "UNICODE_BATCH_CHARS", batch_chars)
    monkeypatch.setattr(sentence_batches_module, "kernel_threads", lambda: threads)
    _compile(monkeypatch, compiled)
    # SOURCE three times, the last memoised before: its sentences come first in the LSH's arrays,
    # and buckets hold the three documents' sentences in another order than the documents'.
    mixed = _mixed_documents()
    texts = [doc.text for doc in mixed] + [SOURCE, "Él dijo: «" + REWORDED + "»", REWORDED, SOURCE.replace("a", "á"),
                                           SOURCE]
    docs = prepare_documents([sd.Document(f"m{k}", t) for k, t in enumerate(texts)], sd.Config())
    known = sentence_sets_module.prepared_sentences(docs[5])  # memoised before: kept, not split again
    sentence_sets_module.prepared_sentences(docs[-1])
    corpus = sentence_batches_module.sentence_corpus(docs)
    assert len(corpus) == len(docs) and corpus.singles[5] is known
    assert corpus.count == sum(document_sentences(t).count for t in texts)
    if compiled != "none":
        # one run of English text and one of text past ASCII, or more of smaller batches
        assert (len(corpus.runs) == 2) == (batch_chars == 1 << 22) and len(corpus.runs) >= 2
        kinds = [{ascii_lower(texts[k]) is None for k in run.positions.tolist()} for run in corpus.runs]
        assert all(len(kind) == 1 for kind in kinds) and {True, False} == set().union(*kinds)
        # each run's documents in order, whichever thread split it; each document once
        assert all(np.all(np.diff(run.positions) > 0) for run in corpus.runs)
        positions = np.concatenate([run.positions for run in corpus.runs]).tolist()
        assert sorted(corpus.singles) == [k for k in range(len(docs)) if k not in positions]
        # split alone: what the sentence kernel leaves to Python ("İ")
        assert all(python_only(texts[k]) for k in corpus.singles if k not in (5, len(texts) - 1))
    found = sentence_lsh.sentence_pairs_of(corpus).tolist()
    fresh = [document_sentences(t) for t in texts]
    assert found == sentence_lsh.sentence_pairs_of(fresh).tolist()
    assert [len(texts) - 5, len(texts) - 3] in found  # the source and its rewording, across the layouts
    # Only the documents asked for get their own sentences, equal to each document's, memoised.
    asked = [len(texts) - 2, 0, 7]
    for k, sentences in zip(asked, corpus.remember(asked)):
        assert sentences == fresh[k] and sentence_sets_module.prepared_sentences(docs[k]) is sentences
        assert sentences.stem_ids.dtype == np.int32 and len(sentences.stem_ids) == sentences.offsets[-1]
    assert not any(docs[k].memoised(("sentences", ())) for k in range(len(docs)) if k not in asked
                   and k not in corpus.singles)


@pytest.mark.parametrize("screen", ["numpy", "compiled"])
@settings(max_examples=40)
@given(st.randoms(use_true_random=False), st.integers(1, 4))
def test_indexed_sentences_are_each_documents_first_of_each_set_in_few_documents(
    screen: str, rng: random.Random, max_documents: int
) -> None:
    """Only sentences whose set's low bits recur are sorted: the rows are still those of sorting
    all of them (sets repeated within and across documents, and sets equal in their low bits only)."""
    from syndidetect._kernels import screen as screen_module

    pool = [rng.getrandbits(64) for _ in range(rng.randint(1, 40))]
    pool += [(value & 0xFFFF) | (rng.getrandbits(48) << 16) for value in pool[:5]]  # low bits alike
    n = rng.randint(0, 600)
    sets = np.array([rng.choice(pool) for _ in range(n)], dtype=np.uint64)
    owned = sorted(rng.randrange(max(n // 4, 1)) for _ in range(n))
    if rng.random() < 0.3:
        rng.shuffle(owned)  # the function does not rely on documents being contiguous
    owners = np.array(owned, dtype=np.int64)
    seen: set[tuple[int, int]] = set()
    firsts = []
    for row, (value, owner) in enumerate(zip(sets.tolist(), owners.tolist())):
        if (owner, value) not in seen:
            seen.add((owner, value))
            firsts.append(row)
    holders = Counter(value for _, value in seen)
    expected = [row for row in firsts if holders[int(sets[row])] <= max_documents]
    kernel = screen_module.SCREEN.compiled() if screen == "compiled" else None
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(screen_module.SCREEN, "get", lambda weight=1: kernel)
        got = sentence_lsh.indexed_rows(sets, owners, max_documents)
    assert got.dtype == np.int64 and got.tolist() == expected


@pytest.mark.parametrize("width", [3, 6, 40])
def test_a_sentence_with_two_equal_best_partners_keeps_the_first(width: int) -> None:
    """Ties go to the first partner, as argmax's do, whatever order a set of pairs iterates in: row
    0 scores alike against columns 0 and the last (a headline repeated at the end), and the last
    column's best partner is row 0, so both pairs are candidates and only the first is kept."""
    from syndidetect.sentences import _best_pairs

    score = np.zeros((2, width))
    score[0, 0] = score[0, width - 1] = 0.9
    score[1, 1] = 0.8
    assert _best_pairs(score) == [(0, 0), (1, 1)]
