"""Tokens of text past ASCII found by the compiled kernels from code points: the same token scan
as numpy's (:func:`syndidetect.token_scan.scan`), and word streams with the same tokens, spans and
gram hashes as the numpy path (:func:`syndidetect.wordstream.word_stream`)."""

from __future__ import annotations

import unicodedata

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from syndidetect import wordstream
from syndidetect._kernels.point_tokens import POINT_TOKENS, scan_points, words_in_place
from syndidetect._kernels.words import stream_of, streams_of
from syndidetect.shingles import compatible_joined
from syndidetect.token_scan import scan
from syndidetect.wordstream import folded_in_place, word_hashes

# Words of several scripts, some past the 24 characters a hash reads and past the BMP, ideographs
# and kana (a token each, marks kept with them), combining marks after letters, after ideographs
# and at a text's start, and separators of several kinds.
_WORDS = [
    "Zürich", "naïve", "Привет", "ΑΘΗΝΑ", "Ωμέγα", "مرحبا", "नमस्ते", "한국어", "東京", "タワー", "ｶﾞ",
    "東\u0301京", "e\u0301te\u0301", "Ǆemal", "ǅ", "ς", "Straße", "İstanbul", "\U00020000\U00020001",
    "x\U0001d400y", "Übermäßigkeitsentschädigungsgesetzänderung", "ภาษาไทย", "ΐ", "ẞ", "ёжик42", "2024", "a", "Ⅻ",
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
    assert POINT_TOKENS.compiled() is not None
    many = [*texts, "Plain English text.", ""]
    for fast, text in zip(streams_of(many, n), many):
        _same(fast, wordstream.word_stream(text, n))
    for text in texts:
        _same(stream_of(text, n), wordstream.word_stream(text, n))


@settings(max_examples=300)
@given(st.lists(_TEXT, min_size=1, max_size=5))
def test_the_kernels_fold_in_place_find_the_scans_tokens_and_hash_them_as_words(texts: list[str]) -> None:
    """Of texts in NFKC without ``&``, joined: each is moved exactly when folded_in_place refuses it,
    and the others' tokens are the scan's of their folded text, hashed as word_hashes hashes them."""
    assert POINT_TOKENS.compiled() is not None
    texts = [t for t in texts if "&" not in t and unicodedata.is_normalized("NFKC", t)]
    found = words_in_place(texts)
    assert found is not None
    (starts, ends, hashes), moved = found
    assert moved.tolist() == [folded_in_place(t) is None for t in texts]
    at = 0
    for text in texts:
        mine = (starts >= at) & (ends <= at + len(text))
        folded = folded_in_place(text)
        if folded is not None:
            reference = scan(folded)
            assert reference is not None
            assert (starts[mine] - at).tolist() == reference.starts.tolist()
            assert (ends[mine] - at).tolist() == reference.ends.tolist()
            assert hashes[mine].tolist() == word_hashes(reference.spaced.split()).tolist()
        at += len(text) + 1


def test_a_text_is_folded_in_place_only_when_each_character_keeps_its_place() -> None:
    assert folded_in_place("ΑΘΗΝΑ Zürich Привет 東京") == "αθηνα zürich привет 東京"
    assert folded_in_place("ΣΟΦΊΑ ς") == "σοφία σ"  # final sigma folds as any sigma: one character
    for moved in ("Straße", "Café &amp; bar", "soft\u00adware", "ｶﾞ", "e\u0301", "ภาษาไทย", "ﬁnance", "ǅemal"):
        assert folded_in_place(moved) is None, moved  # folds longer, an entity, ignorable, not NFKC, chained


# Pieces of normalised text of every kind the scan tells apart: letters and digits, marks, clusters
# (ideographs, kana), letters to chain (Thai, Lao), separators, NULs and a lone surrogate.
_SCANNED = st.lists(st.sampled_from([
    *"abXY09 ,.\n\t-'\x00", *"éßσпдΣΆΐİǅ", *"\u0301\u0308\u093f\u0e31", *"東京タワー한", "\U00020000", "\U0001F600",
    *"ภาษาໄທ", "\ud800", "\u3002",
]), max_size=50).map("".join)


@settings(max_examples=500)
@given(_SCANNED, st.booleans(), st.booleans())
def test_the_kernels_scan_is_numpys(text: str, keep_nul: bool, fold: bool) -> None:
    """The same tokens and spaced text, NULs kept or not, of the text or of its case folding (some
    letters fold to two or three), and None for letters to chain."""
    assert POINT_TOKENS.compiled() is not None
    fast, reference = scan_points(text, keep_nul, fold=fold), scan(text.casefold() if fold else text, keep_nul)
    if reference is None:
        assert fast is None
        return
    assert fast is not None
    assert fast.starts.dtype == np.int64 and fast.starts.tolist() == reference.starts.tolist()
    assert fast.ends.tolist() == reference.ends.tolist() and fast.spaced == reference.spaced


def test_joined_sentences_are_scanned_apart_at_their_nuls() -> None:
    pieces = ["Ça va. TRÈS bien", "東京タワー", "", "Привет, STRAẞE"]
    compatible = compatible_joined(pieces)
    assert compatible is not None and compatible_joined(["a\x00b", "c"]) is None
    found = scan_points(compatible, keep_nul=True, texts=len(pieces), fold=True)
    assert found is not None
    assert [part.split() for part in found.spaced.split("\x00")] == [
        ["ça", "va", "très", "bien"], ["東", "京", "タ", "ワ", "ー"], [], ["привет", "strasse"]]


def test_tokens_of_ideographs_and_their_marks_are_cut_as_the_scan_cuts_them() -> None:
    """A token starts at each ideograph, a mark stays with the character before it, and a letter
    after an ideograph and its marks starts another token (the cases the rule names)."""
    text = "\u0301ab東\u0301\u0301京cd\u0301e 2024東"
    found = words_in_place([text])
    assert found is not None
    (starts, ends, _), moved = found
    assert not moved[0]
    assert [text[s:e] for s, e in zip(starts.tolist(), ends.tolist())] == [
        "\u0301ab", "東\u0301\u0301", "京", "cd\u0301e", "2024", "東"]
