"""Passages on the word stream: layouts that differ only in paragraphing align as one passage,
repeats are aligned once, and the verdict weighs the text two documents share."""

from __future__ import annotations

import itertools
import json
import random
import textwrap
from pathlib import Path
from typing import cast

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import syndidetect as sd
import syndidetect.align as align_module
import syndidetect.wordstream as wordstream
from syndidetect._kernels import tiling
from syndidetect._kernels.tiling import TILES
from syndidetect._kernels.words import WORDS as WORD_KERNEL
from syndidetect._kernels.words import ascii_words, stream_of, streams_of
from syndidetect.align import (
    MAX_REPEAT,
    AlignedPassage,
    Tile,
    align,
    counted_in,
    diagonal_runs,
    in_order,
    running_counts,
    tile,
)
from syndidetect.prepared import prepare_documents
from syndidetect.report import PairReport, Passage, SpanRef
from syndidetect.shingles import ascii_lower, tokens

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


@pytest.fixture(scope="module")
def article() -> str:
    return (SEEDS / "001_cfa5f3a7a816170c.txt").read_text("utf-8")


@pytest.fixture(scope="module")
def other() -> str:
    return (SEEDS / "003_4051cc1a3433920e.txt").read_text("utf-8")


def _words(text: str) -> list[str]:
    return text.split()


def _only_pair(docs: list[tuple[str, str]]) -> PairReport:
    report = sd.detect(docs)
    assert len(report.pairs) == 1, [p.headline for p in report.pairs]
    return report.pairs[0]


def _side(passage: Passage, document: str) -> SpanRef:
    return next(s for s in passage.spans if s.document == document)


def _check_spans(pair: PairReport, texts: dict[str, str]) -> None:
    for passage in pair.passages:
        for span in passage.spans:
            assert span.text == texts[span.document][span.start : span.end]


@pytest.mark.parametrize("layout", ["flattened", "two_blocks", "wrapped_70", "wrapped_190_no_blank_lines"])
def test_a_relaid_article_is_one_verbatim_passage_and_a_copy(article: str, layout: str) -> None:
    paragraphs = [" ".join(p.split()) for p in article.split("\n\n") if p.strip()]
    if layout == "flattened":
        copy = " ".join(paragraphs)
    elif layout == "two_blocks":
        half = len(paragraphs) // 2
        copy = " ".join(paragraphs[:half]) + "\n\n" + " ".join(paragraphs[half:])
    elif layout == "wrapped_70":
        copy = "\n\n".join(textwrap.fill(p, 70) for p in paragraphs)
    else:
        copy = "\n".join(textwrap.wrap(" ".join(paragraphs), 190))
    pair = _only_pair([("source", article), ("copy", copy)])
    assert pair.verdict == "copy"
    assert [p.kind for p in pair.passages] == ["verbatim"]
    _check_spans(pair, {"source": article, "copy": copy})
    assert pair.kind == "verbatim"


def test_one_paragraph_document_copied_whole_into_a_page(article: str, other: str) -> None:
    answer = " ".join(_words(article)[40:240])
    page = other + "\n\n" + textwrap.fill(answer, 72) + "\n\nComments are closed.\n"
    pair = _only_pair([("answer", answer), ("page", page)])
    assert pair.verdict == "copy"
    assert pair.direction is not None and pair.direction.source == "answer"
    (passage,) = pair.passages
    assert _side(passage, "answer").text == answer


def test_noisy_passage_in_a_line_per_paragraph_page_is_one_near_passage(article: str, other: str) -> None:
    rng = random.Random(7)
    passage = " ".join(_words(article)[100:175])
    noisy = list(passage)
    for at in range(40, len(noisy), 100):  # one OCR-like error per 100 characters
        noisy[at] = {"l": "I", "m": "rn", "o": "0"}.get(noisy[at], noisy[at] + noisy[at])
    filler = _words(other)
    rng.shuffle(filler)
    page_text = " ".join(filler[:300]) + " " + "".join(noisy) + " " + " ".join(filler[300:600])
    page = "\n".join(textwrap.wrap(page_text, 190))
    pair = _only_pair([("source", article), ("page", page)])
    kinds = [p.kind for p in pair.passages]
    assert kinds and all(k in ("verbatim", "near") for k in kinds)
    found = _side(max(pair.passages, key=lambda p: p.shared), "page")
    start = page.index("".join(noisy)[:30])
    copied = page[start : start + len(passage) + 10]  # the wrapper turned some spaces into line ends
    assert start <= found.start and found.end <= start + len(copied)
    assert found.end - found.start >= 0.9 * len(passage)
    assert pair.verdict == "copy"


def test_a_quotation_repeated_in_the_copy_is_aligned_once(article: str) -> None:
    paragraphs = [" ".join(p.split()) for p in article.split("\n\n") if p.strip()]
    quote = paragraphs[3]
    copy = "\n\n".join([quote, "Our own words about the matter, written by the copier today.", *paragraphs])
    pair = _only_pair([("source", article), ("copy", copy)])
    assert len(pair.passages) == 1
    assert _side(pair.passages[0], "copy").start > len(quote)


def test_a_list_repeating_one_phrase_is_one_passage() -> None:
    items = ["flour", "sugar", "butter", "eggs", "milk", "salt", "vanilla", "yeast"]
    steps = [f"- Add the {x} to the large mixing bowl and stir well" for x in items]
    recipe = "Method for the loaf:\n" + "\n".join(steps)
    page = "A baking blog about bread and cakes, written at home.\n\n" + recipe + "\n\nEnjoy the loaf with tea."
    pair = _only_pair([("recipe", recipe), ("page", page)])
    assert len(pair.passages) == 1
    assert pair.passages[0].spans[0].text.endswith("stir well")


def test_two_shared_quotations_in_long_reports_are_related(article: str, other: str) -> None:
    mine = _words(article)
    theirs = _words(other) + _words((SEEDS / "002_9d80eb7e5257ff50.txt").read_text("utf-8"))
    quote_1, quote_2 = " ".join(mine[50:80]), " ".join(mine[300:330])
    a = "\n\n".join([" ".join(theirs[:200]), f'"{quote_1}"', " ".join(theirs[200:400]), f'"{quote_2}" end.'])
    b = "\n\n".join([" ".join(mine[:40]), f'He said "{quote_1}"', " ".join(theirs[400:600]), f'And "{quote_2}" so.'])
    pair = _only_pair([("a", a), ("b", b)])
    assert pair.verdict == "related"
    assert len(pair.passages) == 2


def test_tiling_uses_each_word_once() -> None:
    grams_a = np.array([1, 2, 3, 1, 2, 3], dtype=np.uint64)
    grams_b = np.array([9, 1, 2, 3, 9], dtype=np.uint64)
    runs = diagonal_runs(grams_a, grams_b)
    assert sorted(runs.tolist()) == [[0, 1, 3], [3, 1, 3]]
    tiles = tile(runs, len(grams_a) + 2, len(grams_b) + 2, 3)
    assert len(tiles) == 1 and tiles[0].length == 3


@given(st.integers(0, 2**31 - 1), st.integers(0, 80), st.integers(0, 80), st.integers(2, 9), st.integers(1, 4),
       st.sampled_from([1, 2, 3, MAX_REPEAT]))
@settings(max_examples=150)
def test_compiled_tiling_equals_runs_then_tiles(seed: int, len_a: int, len_b: int, alphabet: int, n: int,
                                                max_repeat: int) -> None:
    """Small alphabets make long runs, repeats (some over max_repeat) and overlapping tiles."""
    kernels = TILES.compiled()
    assert kernels is not None
    rng = np.random.RandomState(seed)
    grams_a = rng.randint(0, alphabet, len_a).astype(np.uint64)
    grams_b = rng.randint(0, alphabet, len_b).astype(np.uint64)
    common = np.intersect1d(grams_a, grams_b)
    tokens_a, tokens_b = len_a + n - 1, len_b + n - 1
    found = kernels.tiles(grams_a, grams_b, common, n, tokens_a, tokens_b, max_repeat)
    expected = tile(_runs(grams_a, grams_b, max_repeat), tokens_a, tokens_b, n)
    assert [Tile(*row) for row in found.tolist()] == expected


@pytest.mark.parametrize("spacing", [1, 1 << 20, 1 << 44], ids=["consecutive", "low-bits-equal", "high-bits-only"])
def test_compiled_tiling_with_thousands_of_shared_grams(spacing: int) -> None:
    """Thousands of distinct common grams (the kernel finds each in a hash table: many probe past
    their home slot) spaced so that only some of their bits differ: the tiles of the reference."""
    kernels = TILES.compiled()
    assert kernels is not None
    rng = np.random.RandomState(spacing % 1000)
    vocabulary = (np.arange(1, 3001, dtype=np.uint64) * np.uint64(spacing))
    grams_b = vocabulary[rng.randint(0, 3000, 4000)]
    # a: pieces of b (runs to tile) between fresh grams, some of them from the vocabulary too
    pieces = [grams_b[start : start + rng.randint(1, 40)] for start in rng.randint(0, 4000, 150)]
    grams_a = np.concatenate([np.concatenate([piece, vocabulary[rng.randint(0, 3000, 3)]]) for piece in pieces])
    common = np.intersect1d(grams_a, grams_b)
    assert len(common) > 1000
    n = 3
    tokens_a, tokens_b = len(grams_a) + n - 1, len(grams_b) + n - 1
    found = kernels.tiles(grams_a, grams_b, common, n, tokens_a, tokens_b, MAX_REPEAT)
    expected = tile(_runs(grams_a, grams_b, MAX_REPEAT), tokens_a, tokens_b, n)
    assert len(expected) > 100
    assert [Tile(*row) for row in found.tolist()] == expected


def _runs(grams_a: np.ndarray, grams_b: np.ndarray, max_repeat: int) -> np.ndarray:
    """diagonal_runs with another repeat limit: grams repeated more often are not shared."""
    values, counts_a = np.unique(grams_a, return_counts=True)
    frequent = set(values[counts_a > max_repeat].tolist())
    values, counts_b = np.unique(grams_b, return_counts=True)
    frequent |= set(values[counts_b > max_repeat].tolist())
    common = np.array(sorted(set(np.intersect1d(grams_a, grams_b).tolist()) - frequent), dtype=np.uint64)
    return diagonal_runs(grams_a, grams_b, common)


def test_running_counts_count_like_slices() -> None:
    mask = np.array([True, False, True, True, False])
    running = running_counts(mask)
    for start in range(6):
        for end in range(8):
            assert counted_in(running, start, end) == int(mask[start:end].sum())


def test_json_passages_follow_the_contract(tmp_path: Path, article: str, capsys: pytest.CaptureFixture[str]) -> None:
    from syndidetect.cli.main import main

    (tmp_path / "a.txt").write_text(article, "utf-8")
    (tmp_path / "b.txt").write_text(" ".join(article.split()), "utf-8")
    assert main(["scan", str(tmp_path), "--format", "json"]) == 0
    (pair,) = json.loads(capsys.readouterr().out)["pairs"]
    texts = {"a.txt": article, "b.txt": " ".join(article.split())}
    assert pair["matches"]
    (passage,) = pair["passages"]
    assert passage["kind"] == "verbatim" and passage["containment"] == 1.0
    for span, paragraphs in zip(passage["spans"], passage["paragraphs"]):
        assert span["text"] == texts[span["document"]][span["start"] : span["end"]]
        assert paragraphs == sorted(paragraphs) and paragraphs


def test_one_long_shared_sentence_is_not_a_copy() -> None:
    a = ("The company said on Tuesday that its third quarter profit rose by twelve percent to a record 4.2 "
         "billion dollars as sales of its new phones in China and Europe beat the forecasts of most analysts.")
    b = a.replace("The company said on Tuesday", "On Tuesday the company said")
    pair = _only_pair([("a", a), ("b", b)])
    assert pair.verdict == "related" and pair.passages
    follow = " Shares rose two percent in early trading on the news from the firm."
    assert _only_pair([("a", a + follow), ("b", b + follow)]).verdict == "copy"


WORDS = ["the", "Café", "ﬁnance", "naïve", "河流", "&amp;", "&rsquo;s", "rn", "m", "42", "x", "—", "“quote”",
         "Straße", "ÉCOLE", "a", "of", "report", "said", "&#8217;"]


@given(st.lists(st.sampled_from(WORDS), min_size=0, max_size=120), st.lists(st.sampled_from(WORDS), max_size=60),
       st.sampled_from([" ", "\n", "\n\n", "  ", "\u00a0", "\t"]), st.integers(0, 119))
@settings(max_examples=60)
def test_passage_spans_round_trip_on_any_text(words: list[str], other: list[str], sep: str, cut: int) -> None:
    a = sep.join(words)
    b = " ".join(other[:30]) + "\n" + sep.join(words[cut % (len(words) + 1):]) + "\n" + " ".join(other[30:])
    report = sd.detect([("a", a), ("b", b)])
    texts = {"a": a, "b": b}
    for pair in report.pairs:
        for passage in pair.passages:
            assert passage.kind in ("verbatim", "near", "reworded")
            for span in passage.spans:
                assert span.text == texts[span.document][span.start : span.end]


def test_offset_line_pairs_inside_a_verbatim_passage_are_not_called_reworded(article: str) -> None:
    flat = " ".join(article.split())
    a, b = "\n".join(textwrap.wrap(flat, 190)), "\n".join(textwrap.wrap(flat, 150))
    pair = _only_pair([("a", a), ("b", b)])
    assert [p.kind for p in pair.passages] == ["verbatim"]
    assert len(pair.matches) > 10
    assert all(m.kind in ("verbatim", "near") for m in pair.matches)
    assert min(m.containment for m in pair.matches) < 0.75  # offsets, not rewording, lower it


@settings(max_examples=300)
@given(st.text(alphabet="ab Z9.,’‘“”…–—\u00a0\n\t_-'&;é", max_size=60))
def test_english_word_streams_read_the_tokens_of_the_general_path(text: str) -> None:
    """token_spans' fast path (ASCII once typographic separators are spaces) gives the tokens and
    spans of the normalising path, which it skips."""
    fast = wordstream.token_spans(text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(wordstream, "ascii_lower", lambda _: None)
        general = wordstream.token_spans(text)
    assert fast[0] == general[0] == tokens(text)
    assert fast[1].tolist() == general[1].tolist() and fast[2].tolist() == general[2].tolist()


# Gram values on both sides of the middle of the 64-bit range (where the kernel splits its merge),
# the middle itself and both ends.
_NEAR_MIDDLE = np.array([0, 3, *range(2**63 - 8, 2**63 + 8), 2**64 - 1], dtype=np.uint64)


@settings(max_examples=200)
@given(st.sets(st.integers(0, len(_NEAR_MIDDLE) - 1)), st.sets(st.integers(0, len(_NEAR_MIDDLE) - 1)))
def test_the_compiled_common_grams_are_numpys(a: set[int], b: set[int]) -> None:
    """The grams two streams share, found by the tiling kernel in two merges (below the middle of
    the range and above), are numpy's intersection, wherever the values fall."""
    assert TILES.compiled() is not None  # the helpers are compiled with it
    da, db = _NEAR_MIDDLE[sorted(a)], _NEAR_MIDDLE[sorted(b)]
    assert tiling._common(da, db).tolist() == np.intersect1d(da, db).tolist()

_WORD = st.text(alphabet="abcXYZ019", min_size=1, max_size=40)  # past the 24 characters a hash reads
_GAP = st.text(alphabet=" \n\t.,’“”…–—\u00a0_-'&;é", min_size=1, max_size=3)


@settings(max_examples=300)
@given(st.lists(st.tuples(_WORD, _GAP), max_size=25), st.integers(1, 4))
def test_the_compiled_word_stream_is_the_numpy_one(pieces: list[tuple[str, str]], n: int) -> None:
    """The kernel's spans and gram hashes (English text: spans and word hashes read from its bytes)
    are those of word_stream, words longer than the characters a hash reads included."""
    assert WORD_KERNEL.compiled() is not None
    text = "".join(word + gap for word, gap in pieces)
    fast, reference = stream_of(text, n), wordstream.word_stream(text, n)
    assert fast.starts.dtype == reference.starts.dtype and fast.starts.tolist() == reference.starts.tolist()
    assert fast.ends.tolist() == reference.ends.tolist()
    assert fast.grams.tolist() == reference.grams.tolist() and fast.n == n


@settings(max_examples=200)
@given(st.lists(st.lists(st.tuples(_WORD, _GAP), max_size=8).map(lambda p: "".join(w + g for w, g in p)), max_size=12),
       st.integers(1, 4))
def test_the_streams_of_many_texts_are_each_ones_own(texts: list[str], n: int) -> None:
    """One kernel call for many texts (joined) gives each text the stream it has alone: no token and
    no gram across two texts, offsets into its own text; texts the kernel cannot read (an entity,
    other letters) take the general path, and so do all before the kernel is compiled."""
    assert WORD_KERNEL.compiled() is not None
    many = [*texts, "Caf\u00e9 au lait, deux fois.", "", "x"]
    for fast, text in zip(streams_of(many, n), many):
        reference = wordstream.word_stream(text, n)
        assert fast.starts.dtype == reference.starts.dtype and fast.starts.tolist() == reference.starts.tolist()
        assert fast.ends.tolist() == reference.ends.tolist()
        assert fast.grams.tolist() == reference.grams.tolist() and fast.n == n


@settings(max_examples=100)
@given(st.lists(_WORD, min_size=1, max_size=60), st.lists(_GAP, min_size=1, max_size=60), st.integers(0, 30))
def test_bytes_read_on_two_threads_give_the_tokens_of_one(words: list[str], gaps: list[str], long_word: int) -> None:
    """Cut in two at a byte that is no token's (wherever the middle falls: inside a word, a long
    one, or a run of separators), the two threads' tokens are one thread's, offsets and hashes."""
    text = "".join(w + gaps[k % len(gaps)] for k, w in enumerate(words))
    middle = len(text) // 2
    text = text[:middle] + "q" * long_word + text[middle:]  # a word across the middle, of any length
    lowered = ascii_lower(text)
    assume(lowered is not None)
    data = np.frombuffer(cast(str, lowered).encode("ascii"), dtype=np.uint8)
    one, two = ascii_words(data, threads=1), ascii_words(data, threads=2)
    assert one is not None and two is not None
    for a, b in zip(one, two):
        assert a.tolist() == b.tolist()
    reference = wordstream.word_stream(text, 1)
    assert one[0].tolist() == reference.starts.tolist() and one[1].tolist() == reference.ends.tolist()
    assert one[2].tolist() == reference.grams.tolist()  # one-word grams: the words' own hashes


@given(st.integers(0, 2**31 - 1), st.integers(0, 400), st.integers(0, 400), st.integers(3, 40),
       st.integers(1, 5), st.integers(1, 20), st.integers(1, 6), st.integers(1, 3), st.integers(1, 12),
       st.floats(0.3, 1.0))
@settings(max_examples=120)
def test_compiled_passages_equal_the_python_path(seed: int, len_a: int, len_b: int, vocabulary: int, n: int,
                                                 max_gap: int, typo_words: int, typo_skew: int, min_grams: int,
                                                 density: float) -> None:
    """The kernel's chaining, trimming, sums and stretches are the Python path's: small vocabularies
    make repeats, one-gram tiles, gaps of every size and overlapping candidates for a passage."""
    kernels = TILES.compiled()
    assert kernels is not None
    rng = random.Random(seed)
    words = [f"w{k}" for k in range(vocabulary)]
    copied = [rng.choice(words) for _ in range(len_a)]
    # The second text: the first with words dropped, changed and inserted, some stretches re-cut.
    text_b = [w for w in copied if rng.random() > 0.1]
    for _ in range(len_b // 10):
        at = rng.randrange(len(text_b) + 1)
        text_b[at:at] = [rng.choice(words) for _ in range(rng.randint(1, 8))]
    a, b = prepare_documents([sd.Document("a", " ".join(copied)), sd.Document("b", " ".join(text_b))],
                             sd.Config(shingle_size=n))
    draw = np.random.RandomState(seed)
    counted = (draw.random_sample(len(a.stream(n).grams)) < density,
               draw.random_sample(len(b.stream(n).grams)) < density)
    rules = sd.Config().rules.replace(max_gap_words=max_gap, typo_words=typo_words, typo_skew=typo_skew,
                                      min_passage_grams=min_grams)
    everything = len(counted[0]) + len(counted[1])  # no early rejection: both paths tile
    compiled = align(a, b, counted, n, rules, common=everything)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TILES, "get", lambda weight=1: None)
        assert compiled == align(a, b, counted, n, rules, common=everything)


def test_compiled_passages_keep_the_python_paths_passages_on_a_relaid_copy(article: str,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """On a real article re-cut with a changed word every few sentences: several passages, stretches
    broken by edits, and the same fields from both paths."""
    assert TILES.compiled() is not None
    aside = " ".join(f"aside{k}" for k in range(25))  # longer than max_gap_words: a new passage after it
    paragraphs = article.replace(" the ", " a ").split("\n\n")
    edited = "\n\n".join(p + (f" {aside}" if k % 3 == 2 else "") for k, p in enumerate(paragraphs))
    a, b = prepare_documents([sd.Document("a", article), sd.Document("b", edited)], sd.Config())
    rules = sd.Config().rules
    counted = (np.ones(len(a.stream(3).grams), dtype=bool), np.ones(len(b.stream(3).grams), dtype=bool))
    compiled = align(a, b, counted, 3, rules)
    monkeypatch.setattr(TILES, "get", lambda weight=1: None)
    expected = align(a, b, counted, 3, rules)
    assert len(expected) > 1 and compiled == expected


def test_a_tile_as_close_to_two_passages_joins_the_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chaining's tie: the third run follows both earlier ones 20 words away (the first on the first
    side, the second on the other); it joins the passage that opened first, on both paths."""
    assert TILES.compiled() is not None

    def run(name: str, size: int) -> str:
        return " ".join(f"{name}{k}" for k in range(size))

    first, second, third = run("x", 10), run("y", 10), run("z", 10)
    a = f"{first} {run('fa', 2)} {second} {run('ga', 8)} {third}"
    b = f"{second} {run('hb', 10)} {first} {third}"
    docs = prepare_documents([sd.Document("a", a), sd.Document("b", b)], sd.Config(shingle_size=1))
    counted = (np.ones(40, dtype=bool), np.ones(40, dtype=bool))
    rules = sd.Config().rules.replace(max_gap_words=25)
    compiled = align(docs[0], docs[1], counted, 1, rules)
    monkeypatch.setattr(TILES, "get", lambda weight=1: None)
    expected = align(docs[0], docs[1], counted, 1, rules)
    assert [[t.a for t in p.tiles] for p in expected] == [[0, 30], [12]]
    assert compiled == expected


@given(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60), st.integers(1, 12), st.integers(1, 4)),
                min_size=1, max_size=40))
@settings(max_examples=200)
def test_in_order_is_the_same_chain_on_plain_lists_and_on_numpy(rows: list[tuple[int, int, int, int]]) -> None:
    """Both paths of the in-order chain (plain lists for a few passages, numpy's steps for many):
    overlapping spans, crossings and many equal weights (ties), the same chain."""
    passages = [AlignedPassage((), (a, a + size), (b, b + size), shared, (0, 0), 0, 1.0, "verbatim")
                for a, b, size, shared in rows]
    plain = in_order(passages)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(align_module, "PLAIN_CHAIN", -1)
        assert in_order(passages) == plain
    for before, after in itertools.pairwise(plain):
        assert before.a[1] <= after.a[0] and before.b[1] <= after.b[0]
    assert in_order([]) == []
