"""Tokens and shingles: the definition signatures are built from."""

from __future__ import annotations

import pytest

import syndidetect as sd
from syndidetect.errors import ConfigError
from syndidetect.shingles import tokens, word_table


def test_punctuation_quotes_and_spaces_separate_tokens() -> None:
    assert tokens("Chechnya’s ‘gay purge’") == tokens("Chechnya's 'gay purge'") == ["chechnya", "s", "gay", "purge"]
    assert tokens("non\u00a0breaking") == ["non", "breaking"]


def test_non_latin_scripts_and_marks_stay_in_words() -> None:
    assert tokens("हिन्दी भाषा") == ["हिन्दी", "भाषा"]
    assert tokens("東京タワー") == ["東京タワー"]
    assert tokens("cafe\u0301") == ["café"]


def test_emoji_and_variation_selectors_are_separators() -> None:
    assert tokens("love ❤️ this 👩‍💻 code") == ["love", "this", "code"]
    assert word_table()[0xFE0F] == 0


def test_shingle_sizes() -> None:
    assert sd.shingles("a b c d", shingle_size=2) == ["a b", "b c", "c d"]
    assert sd.shingles("a b", shingle_size=3) == ["a b"]
    assert sd.shingles("", shingle_size=3) == []
    assert sd.shingles("x y x y", shingle_size=1) == ["x", "y", "x", "y"]


@pytest.mark.parametrize("bad", [0, 17, 2.5, "3", True])
def test_bad_shingle_size_is_refused(bad: object) -> None:
    with pytest.raises(ConfigError, match="'shingle_size' must be an int in"):
        sd.shingles("text", shingle_size=bad)  # type: ignore[arg-type]
