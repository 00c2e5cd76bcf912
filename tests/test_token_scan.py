"""The numpy token scan (syndidetect.token_scan) and the joined tokenising of many texts
(shingles.tokens_of_each) give exactly the tokens of the token pattern, text by text."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from syndidetect.shingles import token_pattern, tokens, tokens_of_each
from syndidetect.stemming import content_stems, content_stems_of_spans
from syndidetect.text import normalise
from syndidetect.token_scan import scan
from syndidetect.unicode_tables import CHAINED, CLUSTER, WORD, char_classes

# Pieces of every kind the scan tells apart: ASCII and other letters, digits, marks (alone, after a
# letter, after an ideograph, after a space), ideographs and kana (BMP and past it), Hangul, emoji,
# spaces of several kinds, a lone surrogate, NUL, punctuation.
_NORMALISED_PIECES = [
    *"abz09 .,-'\n\t",
    *"éßσкжщαωאبजि",
    *"\u0301\u0308\u093f\u0651",
    *"这是日本語のテキストｶﾞ한국\U00020000\U0002a6d6",
    *"\U0001f600\u3000\u2028\x85\x1c\ud800\x00",
]
# Thai, Lao and Khmer letters and marks; the scan leaves text with letters to chain to the pattern.
_CHAINED_PIECES = [*"ภาษาไทยກິນខ្មែរ"]
_CHAINED_LETTERS = [c for c in _CHAINED_PIECES if char_classes()[ord(c)] & CHAINED]
# Text before normalisation: capitals, compatibility forms, invisible characters, entities (whole and
# cut), decomposed accents.
_RAW_PIECES = [
    *_NORMALISED_PIECES, *"ÀÉΣİＴﬁ½\u00ad\u200b\ufeffe&;#",
    "&amp;", "&eacute;", "&#x41;", "&#0;", "&am", "p;", "&not", "e\u0301", "\u1100\u1161",
]


def texts_of(pieces: list[str], max_size: int = 40) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(pieces), max_size=max_size).map("".join)


def pattern_tokens(normalised: str) -> tuple[list[str], list[int], list[int]]:
    matches = list(token_pattern().finditer(normalised))
    return [m.group() for m in matches], [m.start() for m in matches], [m.end() for m in matches]


@settings(max_examples=400)
@given(texts_of(_NORMALISED_PIECES, 60))
def test_the_scan_finds_the_patterns_tokens_and_spans(text: str) -> None:
    found = scan(text)
    assert found is not None
    words, starts, ends = pattern_tokens(text)
    assert found.spaced.split() == words  # no NUL kept: each is a space
    assert found.starts.tolist() == starts and found.ends.tolist() == ends


@given(texts_of(_NORMALISED_PIECES), st.sampled_from(_CHAINED_LETTERS), texts_of(_NORMALISED_PIECES))
def test_the_scan_leaves_text_with_letters_to_chain_to_the_pattern(before: str, letter: str, after: str) -> None:
    assert scan(before + letter + after) is None


def test_no_token_character_is_white_space_or_nul() -> None:
    tokens_chars = np.flatnonzero((char_classes() & (WORD | CLUSTER)) != 0)
    assert len(tokens_chars) > 100_000  # letters of every script
    spaces = [cp for cp in tokens_chars.tolist() if chr(cp).isspace()]
    assert spaces == []
    assert 0 not in tokens_chars


@settings(max_examples=400)
@given(st.lists(texts_of(_RAW_PIECES, 12), max_size=8))
def test_tokens_of_each_are_each_texts_own_tokens(texts: list[str]) -> None:
    assert tokens_of_each(texts) == [tokens(text) for text in texts]


@given(st.lists(texts_of([*_RAW_PIECES, *_CHAINED_PIECES], 12), min_size=2, max_size=6))
def test_tokens_of_each_with_letters_to_chain(texts: list[str]) -> None:
    assert tokens_of_each(texts) == [tokens(text) for text in texts]


@settings(max_examples=200)
@given(texts_of(_RAW_PIECES, 60), st.lists(st.integers(0, 60), max_size=8))
def test_content_stems_of_spans_past_ascii_are_each_spans_own(text: str, cuts: list[int]) -> None:
    bounds = sorted({min(cut, len(text)) for cut in cuts} | {0, len(text)})
    spans = list(pairwise(bounds))
    assert content_stems_of_spans(text, spans, None) == [content_stems(text[s:e]) for s, e in spans]


def test_a_text_holding_a_nul_is_tokenised_alone() -> None:
    texts = ["Zürich\x00Genève", "Ça va"]
    assert tokens_of_each(texts) == [["zürich", "genève"], ["ça", "va"]]


def test_an_entity_is_not_completed_by_the_next_text() -> None:
    assert normalise("&eacute") == "é"
    assert tokens_of_each(["caf&eac", "ute; bar", "x &amp"]) == [["caf", "eac"], ["ute", "bar"], ["x"]]
