"""Content stems of a batch's sentences past ASCII (syndidetect.unicode_stems) are each sentence's
own (stemming.content_stems_of_spans), and the characters the sentence kernel leaves to Python are
those its rule names."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syndidetect._kernels.sentences import ODD_LOWER, lower_is_odd, python_only
from syndidetect._kernels.stem_tokens import STEM_TOKENS, SpanStems, distinct_counts, span_stems
from syndidetect._kernels.token_stems import TokenStems
from syndidetect.shingles import ascii_lower
from syndidetect.stemming import content_stems_of_spans
from syndidetect.unicode_stems import unicode_span_stems

# Words of several scripts, stop words, numbers, short words, entities, decomposed accents and
# compatibility forms, separators, an ideograph, a NUL and a Thai letter (the two that make the
# batch stem each sentence alone).
_PIECES = [
    "Zürich", "Genève", "straße", "STRASSE", "Москва", "москвы", "ΣΟΦΙΑ", "σοφία", "नमस्ते", "مرحبا", "the", "and",
    "reported", "reports", "studies", "2019", "٣", "x", "ok", "&eacute;t&eacute;", "cafe\u0301", "ﬁnance", "Ｔokyo",
    "东京", " ", "  ", ", ", ". ", "\n", "\u00ad", "\u200b",
    # eight UTF-8 bytes, the last past ASCII: a packed key with the top bit set, as a hashed key has
    "aaaaaaé", "bbbbbbé", "reportsé",
]
_RARE = ["\x00", "ภ"]


def _text_and_bounds(pieces: list[str], cuts: list[int]) -> tuple[str, npt.NDArray[np.int64]]:
    text = "".join(pieces)
    edges = sorted({min(cut, len(text)) for cut in cuts} | {0, len(text)})
    return text, np.array(list(pairwise(edges)), dtype=np.int64).reshape(-1, 2)


@pytest.mark.parametrize("compiled", [True, False])
@settings(max_examples=150)
@given(st.lists(st.sampled_from(_PIECES), max_size=50), st.lists(st.integers(0, 300), max_size=12))
def test_the_stems_of_each_span_are_its_own(compiled: bool, pieces: list[str], cuts: list[int]) -> None:
    text, bounds = _text_and_bounds(pieces, cuts)
    with pytest.MonkeyPatch.context() as patch:
        if compiled:
            assert STEM_TOKENS.compiled() is not None
        else:
            patch.setattr(STEM_TOKENS, "get", lambda *_: None)
        found = unicode_span_stems(text, bounds)
    assert found is not None
    expected = content_stems_of_spans(text, bounds.tolist(), None)
    assert _stems_of(found) == expected
    assert found.distinct.tolist() == [len(set(stems)) for stems in expected]
    assert len(set(found.vocabulary)) == len(found.vocabulary)


@given(st.lists(st.sampled_from(_PIECES), max_size=20), st.sampled_from(_RARE), st.lists(st.integers(0, 99)))
def test_a_nul_or_letters_to_chain_leave_each_span_alone(pieces: list[str], rare: str, cuts: list[int]) -> None:
    text, bounds = _text_and_bounds([*pieces, rare], cuts)
    assert unicode_span_stems(text, bounds) is None


def test_distinct_counts_without_the_kernel_are_the_kernels() -> None:
    rng = np.random.default_rng(5)
    ids = rng.integers(0, 30, 400)
    offsets = np.array([0, 0, 17, 17, 100, 399, 400], dtype=np.int64)
    compiled = distinct_counts(ids, offsets, 30)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(STEM_TOKENS, "get", lambda *_: None)
        assert distinct_counts(ids, offsets, 30).tolist() == compiled.tolist()
    assert compiled.tolist() == [len(set(ids[a:b].tolist())) for a, b in pairwise(offsets.tolist())]


def test_the_odd_lower_cases_are_those_of_every_code_point() -> None:
    odd = "".join(chr(cp) for cp in range(0x110000) if not 0xD800 <= cp < 0xE000 and lower_is_odd(chr(cp)))
    assert odd == ODD_LOWER


def test_batches_sharing_a_memo_with_english_ones_get_their_own_stems() -> None:
    memo = TokenStems()
    english = "The reporters studied the reports again. Studies report it."
    texts = ["Les reporters étudient les reports. Straße, STRASSE and Zürich.", "aaaaaaé bbbbbbé aaaaaaé reportsé ok",
             "Москва москвы Москва reporters studies"]
    for k, text in enumerate(texts):
        lowered = ascii_lower(english)
        assert lowered is not None
        english_bounds = np.array([[0, len(english) // 2], [len(english) // 2, len(english)]], dtype=np.int64)
        english_found = span_stems(lowered, english_bounds, memo=memo)
        assert english_found is not None
        assert _stems_of(english_found) == content_stems_of_spans(english, english_bounds.tolist(), lowered)
        bounds = np.array([[0, len(text) // 3], [len(text) // 3, len(text)], [len(text), len(text)]], dtype=np.int64)
        found = unicode_span_stems(text, bounds, memo=memo)
        assert found is not None
        assert _stems_of(found) == content_stems_of_spans(text, bounds.tolist(), None), k
    assert memo.count > 10


def _stems_of(found: SpanStems) -> list[list[str]]:
    return [[found.vocabulary[i] for i in found.ids[start:end].tolist()] for start, end in
            pairwise(found.offsets.tolist())]


def test_a_text_is_left_to_python_when_it_holds_a_character_whose_lower_case_is_odd() -> None:
    for char in ODD_LOWER:
        assert python_only(char) and python_only(f"Текст {char}.") and python_only(f"{char}stanbul")
    assert not python_only("ıi Kk Ǆǅǆ Σς ẞß istanbul") and not python_only("")
