"""The compiled token table (``_kernels.stem_tokens``) gives the stems the per-sentence reference
(``stemming.content_stems_of_spans``) gives, for any spans of any lowered ASCII text."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import syndidetect._kernels.stem_tokens as stem_tokens
import syndidetect._kernels.token_stems as token_stems
from syndidetect._kernels.stem_tokens import STEM_TOKENS, span_stems
from syndidetect._kernels.token_stems import TokenStems
from syndidetect.shingles import ascii_lower
from syndidetect.stemming import STOP_WORDS, content_stem, content_stems_of_spans

# Words of every kind the stemmer treats apart: stop words, tokens of one or two characters,
# numbers, inflected words sharing a stem, words kept whole, long ones, and ones punctuation cuts.
# ASCII only, but for the typographic separators among _SEPARATORS: the kernel's input is text that
# ascii_lower accepts.
_WORDS = ["the", "and", "of", "a", "is", "it", "on", "us", "2017", "3", "42", "1999",
          "report", "reports", "reported", "reporting", "reporter", "studies", "studied", "study",
          "running", "run", "runs", "news", "business", "glass", "relation", "related", "happily",
          "government", "comment", "x" * 40, "supercalifragilisticexpialidocious", "zz", "zzz",
          "co-op", "e-mail", "U.S.", "don't", "it's", "Ü.S"[1:]]
_SEPARATORS = [" ", "  ", ", ", ". ", "\n", "\n\n", " - ", "; ", "! ", "? ", "\t", " (", ") ", "“", "” ", "—", "…"]


@pytest.fixture(scope="module", autouse=True)
def _compiled() -> None:
    assert STEM_TOKENS.compiled() is not None


def _text(rng: random.Random, words: int) -> str:
    vocabulary = _WORDS + [f"w{rng.randrange(10**6)}" for _ in range(20)] + sorted(STOP_WORDS)[:30]
    parts = []
    for _ in range(words):
        word = rng.choice(vocabulary)
        parts.append(word.upper() if rng.random() < 0.1 else word.capitalize() if rng.random() < 0.2 else word)
        parts.append(rng.choice(_SEPARATORS))
    return "".join(parts)


def _spans(rng: random.Random, size: int, count: int) -> list[tuple[int, int]]:
    """Spans anywhere in the text: cutting tokens, empty, reversed, overlapping, the whole text."""
    spans = [(0, size)]
    for _ in range(count):
        start = rng.randrange(size + 1)
        spans.append((start, min(size, start + rng.randrange(200))))
    spans.append((size, size))
    if size > 3:
        spans.append((size - 1, 2))  # reversed: no tokens, as the reference's empty slice
    return spans


def _check(text: str, spans: list[tuple[int, int]], memo: TokenStems | None = None) -> None:
    lowered = ascii_lower(text)
    assert lowered is not None
    bounds = np.array(spans, dtype=np.int64).reshape(len(spans), 2)
    found = span_stems(lowered, bounds, memo=memo)
    assert found is not None
    if memo is not None:  # the numbering of the batch alone: ids, their order, the vocabulary
        alone = span_stems(lowered, bounds)
        assert alone is not None and found.vocabulary == alone.vocabulary
        assert found.ids.tolist() == alone.ids.tolist() and found.offsets.tolist() == alone.offsets.tolist()
    expected = content_stems_of_spans(text, spans, lowered)
    # ids in order of first sight: the stems as the spans meet them, each at its first
    assert found.vocabulary == list(dict.fromkeys(stem for stems in expected for stem in stems))
    got = [[found.vocabulary[i] for i in found.ids[start:end].tolist()]
           for start, end in zip(found.offsets[:-1].tolist(), found.offsets[1:].tolist())]
    assert got == expected
    assert found.distinct.tolist() == [len(set(stems)) for stems in expected]
    ids, counts = found.stem_ids(np.arange(len(spans), dtype=np.int64)[::2].copy())
    assert ids.dtype == np.int32
    assert [found.vocabulary[i] for i in ids.tolist()] == [stem for stems in expected[::2] for stem in stems]
    assert counts.tolist() == [len(stems) for stems in expected[::2]]


@settings(max_examples=150)
@given(st.integers(0, 2**32 - 1), st.integers(0, 300), st.integers(0, 30))
def test_random_spans_of_random_text_equal_the_reference(seed: int, words: int, count: int) -> None:
    rng = random.Random(seed)
    text = _text(rng, words)
    _check(text, _spans(rng, len(text), count))


@pytest.mark.parametrize("first_distinct", [1, 2, 7])
def test_a_full_table_is_numbered_again_in_a_larger_one(monkeypatch: pytest.MonkeyPatch, first_distinct: int) -> None:
    # Thousands of distinct tokens in a table made for a handful: numbered again, same stems.
    monkeypatch.setattr(stem_tokens, "_FIRST_DISTINCT", first_distinct)
    rng = random.Random(first_distinct)
    text = " ".join(f"word{k} {rng.choice(_WORDS)}" for k in range(5000))
    _check(text, _spans(rng, len(text), 40))


@pytest.mark.parametrize("suffix", ["tion", "izationally"])
def test_tokens_of_one_length_and_shared_letters_stay_apart(monkeypatch: pytest.MonkeyPatch, suffix: str) -> None:
    # 100 distinct tokens of one length in a table of 256 slots: long probe chains, where a hit
    # is only a hit when the key (short tokens: their bytes; long ones: hash, length and bytes) agrees.
    monkeypatch.setattr(stem_tokens, "_FIRST_DISTINCT", 128)
    words = [f"{a}{b}{suffix}" for a in "abcdefghij" for b in "klmnopqrst"]
    text = ". ".join(" ".join(words[k : k + 7]) for k in range(0, len(words), 7))
    _check(text, [(0, len(text))] + [(k, k + 50) for k in range(0, len(text) - 50, 37)])


def test_no_spans_and_no_tokens() -> None:
    _check("", [])
    _check("   ,,, ... ;;; ", [(0, 15), (3, 9)])
    _check("the and of it is", [(0, 16)])


def test_sentences_of_the_seeds_equal_the_reference() -> None:
    from pathlib import Path

    from syndidetect.sentence_split import sentence_spans

    for path in sorted((Path(__file__).parent.parent / "seeds").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        if ascii_lower(text) is not None:
            _check(text, sentence_spans(text))


def test_tokens_of_equal_hash_are_told_apart_by_their_bytes() -> None:
    # With offset 0 and prime 1 the hash is the XOR of a token's bytes: anagrams longer than a
    # packed key collide, and only comparing the bytes keeps them apart (FNV-1a collisions are too
    # rare to meet here). Short anagrams are keyed by their bytes; 8 and 9 bytes straddle the two.
    kernels = STEM_TOKENS.compiled()
    assert kernels is not None
    text = ("stop tops pots opts spot post stop post tops ab ba ab reportings presorting abcdefghij "
            "jihgfedcba presorting abcdefgh abcdefghi abcdefgh reportings abcdefghi")
    data = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    starts, ends = np.array([0], dtype=np.int64), np.array([len(text)], dtype=np.int64)
    token_of, span_ends = np.empty(len(text), dtype=np.int64), np.empty(1, dtype=np.int64)
    first, length = np.empty(16, dtype=np.int64), np.empty(16, dtype=np.int64)
    distinct = kernels.number_tokens(data, starts, ends, np.uint64(0), np.uint64(1), 5, token_of, span_ends,
                                     first, length)
    numbers = {token: k for k, token in enumerate(dict.fromkeys(text.split()))}
    assert distinct == len(numbers) == 14
    assert token_of[: span_ends[0]].tolist() == [numbers[token] for token in text.split()]
    assert [text[f : f + n] for f, n in zip(first[:distinct].tolist(), length[:distinct].tolist())] == list(numbers)


@pytest.mark.parametrize(("first_known", "max_known"), [(1 << 14, 1 << 20), (2, 1 << 20), (4, 300)])
def test_a_memo_kept_across_batches_stems_each_token_once(monkeypatch: pytest.MonkeyPatch, first_known: int,
                                                         max_known: int) -> None:
    # Batches stemmed in turn with one memo, as one thread stems its batches: a token met in an
    # earlier batch is not stemmed again, and tables that grow (from 2 tokens) or a memo that starts
    # again empty (past 300) give each batch the numbering it has alone.
    monkeypatch.setattr(token_stems, "FIRST_KNOWN", first_known)
    monkeypatch.setattr(token_stems, "MAX_KNOWN", max_known)
    stemmed: list[str] = []
    counting = [False]  # only the memo's own calls: the numbering alone, which _check compares, stems too

    def counted(token: str) -> str:
        if counting[0]:
            stemmed.append(token)
        return content_stem(token)

    monkeypatch.setattr(token_stems, "content_stem", counted)
    memo = TokenStems()
    rng = random.Random(first_known + max_known)
    for _ in range(12):
        text = _text(rng, rng.randrange(400))
        spans = _spans(rng, len(text), 20)
        lowered = ascii_lower(text)
        assert lowered is not None
        bounds = np.array(spans, dtype=np.int64).reshape(len(spans), 2)
        counting[0] = True
        met = span_stems(lowered, bounds, memo=memo)  # this batch's new tokens stemmed, the others known
        counting[0] = False
        alone = span_stems(lowered, bounds)
        assert met is not None and alone is not None
        assert met.vocabulary == alone.vocabulary and met.ids.tolist() == alone.ids.tolist()
        _check(text, spans, memo)  # again, every token known now
    assert stemmed
    if max_known > 1000:
        assert len(stemmed) == len(set(stemmed))  # each token once, whatever the batch
    else:
        assert len(stemmed) > len(set(stemmed))  # started again: met again, stemmed again


def test_a_memo_tells_tokens_of_equal_hash_apart_by_their_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    # With offset 0 and prime 1 the hash is the XOR of a token's bytes: anagrams collide in the
    # memo's table, and only its bytes tell them apart.
    monkeypatch.setattr(token_stems, "FNV_OFFSET", np.uint64(0))
    monkeypatch.setattr(token_stems, "FNV_PRIME", np.uint64(1))
    memo = TokenStems()
    words = ["stop", "tops", "pots", "opts", "spot", "post", "reports", "porters", "presort"]
    for k in range(len(words)):  # each batch meets the others' anagrams
        text = " ".join(words[k:] + words[:k])
        _check(text, [(0, len(text)), (0, 10)], memo)


def test_threads_sharing_a_memo_stem_each_token_once_and_get_what_a_memo_alone_gives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # sentence_corpus's kernel threads share one memo: each batch must get exactly its own stems,
    # whatever another thread learns meanwhile, and a token met by both threads is stemmed once.
    from concurrent.futures import ThreadPoolExecutor

    stemmed: list[str] = []

    def counted(token: str) -> str:
        stemmed.append(token)
        return content_stem(token)

    rng = random.Random(7)
    batches = []
    for _ in range(24):
        text = _text(rng, rng.randrange(50, 400))
        lowered = ascii_lower(text)
        assert lowered is not None
        spans = _spans(rng, len(text), 20)
        batches.append((lowered, np.array(spans, dtype=np.int64).reshape(len(spans), 2)))
    expected = [span_stems(lowered, bounds) for lowered, bounds in batches]
    monkeypatch.setattr(token_stems, "content_stem", counted)
    memo = TokenStems()
    with ThreadPoolExecutor(max_workers=4) as pool:
        shared = list(pool.map(lambda batch: span_stems(batch[0], batch[1], memo=memo), batches))
    for alone, together in zip(expected, shared):
        assert alone is not None and together is not None
        assert together.vocabulary == alone.vocabulary and together.ids.tolist() == alone.ids.tolist()
        assert together.distinct.tolist() == alone.distinct.tolist()
    assert stemmed and len(stemmed) == len(set(stemmed))
