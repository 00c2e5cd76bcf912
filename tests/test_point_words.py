"""Word streams of text past ASCII read by the compiled kernel from folded code points: the same
tokens, spans and gram hashes as the numpy path (:func:`syndidetect.wordstream.word_stream`)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from syndidetect import wordstream
from syndidetect._kernels.words import POINT_WORDS, point_words, stream_of, streams_of
from syndidetect.token_scan import scan
from syndidetect.wordstream import folded_in_place, word_hashes

# Words of several scripts, some past the 24 characters a hash reads and past the BMP, ideographs
# and kana (a token each, marks kept with them), combining marks after letters, after ideographs
# and at a text's start, and separators of several kinds.
_WORDS = [
    "Zürich", "naïve", "Привет", "ΑΘΗΝΑ", "Ωμέγα", "مرحبا", "नमस्ते", "한국어", "東京", "タワー", "ｶﾞ",
    "東\u0301京", "e\u0301te\u0301", "Ǆemal", "ǅ", "ς", "Straße", "İstanbul", "\U00020000\U00020001",
    "x\U0001d400y", "Übermäßigkeitsentschädigungsgesetzänderung", "ёжик42", "2024", "a", "Ⅻ",
]
_GAPS = [" ", "  ", "\n\n", ", ", ". ", "\u3002", "—", "\u00a0", " (", "\u0301", "“", "&amp;", "\u200b", "\U0001F600"]
_TEXT = st.lists(st.tuples(st.sampled_from(_WORDS), st.sampled_from(_GAPS)), max_size=30).map(
    lambda pieces: "".join(word + gap for word, gap in pieces))


def _same(fast: wordstream.WordStream, reference: wordstream.WordStream) -> None:
    assert fast.starts.dtype == reference.starts.dtype and fast.starts.tolist() == reference.starts.tolist()
    assert fast.widths.dtype == reference.widths.dtype and fast.ends.tolist() == reference.ends.tolist()
    assert fast.grams.tolist() == reference.grams.tolist() and fast.n == reference.n


@settings(max_examples=300)
@given(st.lists(_TEXT, min_size=1, max_size=8), st.integers(1, 4))
def test_streams_of_texts_past_ascii_are_the_numpy_ones(texts: list[str], n: int) -> None:
    """Each text's stream from one kernel call over all of them (folded in place: most here; the
    others, with an entity, an ignorable character or ß, take the general path) is its own."""
    assert POINT_WORDS.compiled() is not None
    many = [*texts, "Plain English text.", ""]
    for fast, text in zip(streams_of(many, n), many):
        _same(fast, wordstream.word_stream(text, n))
    for text in texts:
        _same(stream_of(text, n), wordstream.word_stream(text, n))


@settings(max_examples=300)
@given(_TEXT)
def test_the_kernel_finds_the_scans_tokens_and_hashes_them_as_words(text: str) -> None:
    folded = folded_in_place(text)
    if folded is None:
        return
    found, reference = point_words(np.frombuffer(folded.encode("utf-32-le"), dtype=np.uint32)), scan(folded)
    assert found is not None and reference is not None
    starts, ends, hashes = found
    assert starts.tolist() == reference.starts.tolist() and ends.tolist() == reference.ends.tolist()
    assert hashes.tolist() == word_hashes(reference.spaced.split()).tolist()


def test_a_text_is_folded_in_place_only_when_each_character_keeps_its_place() -> None:
    assert folded_in_place("ΑΘΗΝΑ Zürich Привет 東京") == "αθηνα zürich привет 東京"
    assert folded_in_place("ΣΟΦΊΑ ς") == "σοφία σ"  # final sigma folds as any sigma: one character
    for moved in ("Straße", "Café &amp; bar", "soft\u00adware", "ｶﾞ", "e\u0301", "ภาษาไทย", "ﬁnance", "ǅemal"):
        assert folded_in_place(moved) is None, moved  # folds longer, an entity, ignorable, not NFKC, chained


def test_tokens_of_ideographs_and_their_marks_are_cut_as_the_scan_cuts_them() -> None:
    """A token starts at each ideograph, a mark stays with the character before it, and a letter
    after an ideograph and its marks starts another token (the cases the rule names)."""
    text = "\u0301ab東\u0301\u0301京cd\u0301e 2024東"
    found = point_words(np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32))
    assert found is not None
    starts, ends, _ = found
    assert [text[s:e] for s, e in zip(starts.tolist(), ends.tolist())] == [
        "\u0301ab", "東\u0301\u0301", "京", "cd\u0301e", "2024", "東"]
