"""Tokens and shingles: the definition signatures are built from."""

from __future__ import annotations

import html
import re
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import syndidetect as sd
from syndidetect import unicode_tables
from syndidetect.errors import ArgumentError, ConfigError
from syndidetect.shingles import (
    ascii_lower,
    class_pattern,
    class_set,
    split_tokens,
    token_pattern,
    tokens,
    word_table,
)
from syndidetect.text import normalise
from syndidetect.unicode_tables import CHAINED, CLUSTER, IGNORED, MARK, WORD, char_classes


def test_punctuation_quotes_and_spaces_separate_tokens() -> None:
    assert tokens("Chechnya’s ‘gay purge’") == tokens("Chechnya's 'gay purge'") == ["chechnya", "s", "gay", "purge"]
    assert tokens("non\u00a0breaking") == ["non", "breaking"]


def test_non_latin_scripts_and_marks_stay_in_words() -> None:
    assert tokens("हिन्दी भाषा") == ["हिन्दी", "भाषा"]
    assert tokens("cafe\u0301") == ["café"]
    assert tokens("서울 지하철") == ["서울", "지하철"]  # Korean is written with spaces


def test_scripts_without_spaces_are_cut_into_characters_or_chunks() -> None:
    assert tokens("東京タワー") == ["東", "京", "タ", "ワ", "ー"]
    assert tokens("ＧＤＰ增长") == ["gdp", "增", "长"]
    assert "".join(tokens("ภาษาไทย")) == "ภาษาไทย" and len(tokens("ภาษาไทย")) > 1


def test_emoji_and_variation_selectors_are_separators() -> None:
    assert tokens("love ❤️ this 👩‍💻 code") == ["love", "this", "code"]
    assert not word_table()[0xFE0F] and not word_table()[0x200D]
    assert tokens("flag 🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f end") == ["flag", "end"]


@pytest.mark.parametrize("invisible", ["\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\ufeff", "\u034f",
                                       "\u180e", "\u2063", "\ufe0f", "\U000e0100", "\u3164", "\u202e"])
def test_invisible_characters_never_split_a_word(invisible: str) -> None:
    assert sd.shingles(f"co{invisible}py the wo{invisible}rds{invisible} here") == ["copy the words", "the words here"]


def test_character_classes() -> None:
    classes = char_classes()
    assert classes[ord("a")] == WORD and classes[0x0301] == WORD | MARK
    assert classes[ord("中")] == CLUSTER and classes[ord("ก")] == CLUSTER | CHAINED
    assert classes[0x0E48] == WORD | MARK  # Thai tone mark: attaches to its letter
    assert classes[ord("๒")] == WORD  # Thai digit: numbers are runs
    assert classes[0x200B] == classes[0x00AD] == classes[0xFE0F] == IGNORED
    assert classes[ord(" ")] == classes[ord("。")] == classes[ord("😀")] == 0


def test_shingle_sizes() -> None:
    assert sd.shingles("a b c d", shingle_size=2) == ["a b", "b c", "c d"]
    assert sd.shingles("a b", shingle_size=3) == ["a b"]
    assert sd.shingles("", shingle_size=3) == []
    assert sd.shingles("x y x y", shingle_size=1) == ["x", "y", "x", "y"]


@pytest.mark.parametrize("bad", [0, 17, 2.5, "3", True])
def test_bad_shingle_size_is_refused(bad: object) -> None:
    with pytest.raises(ConfigError, match="'shingle_size' must be an int in"):
        sd.shingles("text", shingle_size=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [None, b"bytes", ["a list"], 3])
def test_text_that_is_not_a_string_is_refused(bad: object) -> None:
    with pytest.raises(ArgumentError, match="'text' must be a str; got"):
        sd.shingles(bad)  # type: ignore[arg-type]


# --- the Unicode tables' data file -----------------------------------------------------------------


def test_the_data_file_holds_what_unicodedata_gives() -> None:
    """The shipped tables equal the ones computed from this Python's unicodedata (after a change of
    the ranges, regenerate them: ``python -c "import syndidetect.unicode_tables as t; t.write_data_file()"``)."""
    key, stored = unicode_tables.read_data_file()
    unicode_version = key.split(";")[0]
    if unicode_version != f"unicode {unicodedata.unidata_version}":
        pytest.skip(f"the data file is for {unicode_version}; this Python computes its own tables")
    assert key == unicode_tables.tables_key(), "ranges changed: run unicode_tables.write_data_file()"
    computed = unicode_tables.compute_all()
    assert list(stored) == list(computed)
    for name, table in computed.items():
        np.testing.assert_array_equal(stored[name], table, err_msg=name)
        assert stored[name].dtype == table.dtype, name


def test_the_tables_in_use_are_the_computed_ones() -> None:
    """Whichever way they come (data file or computed), the tables are unicodedata's."""
    np.testing.assert_array_equal(unicode_tables.char_classes(), unicode_tables.compute_char_classes())
    np.testing.assert_array_equal(unicode_tables.nfkc_unstable(), unicode_tables.compute_nfkc_unstable())
    for used, computed in zip(unicode_tables.case_foldings(), unicode_tables.compute_case_foldings()):
        np.testing.assert_array_equal(used, computed)


def _clear_table_caches() -> None:
    for cached in (unicode_tables.char_classes, unicode_tables._stored):
        cached.cache_clear()


@pytest.mark.parametrize("stale_key", ["unicode 1.0.0", "ranges edited"])
def test_a_data_file_for_other_tables_is_not_used(stale_key: str, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    key, tables = unicode_tables.read_data_file()
    stale = key.replace(f"unicode {unicodedata.unidata_version}", "unicode 1.0.0") if stale_key == "unicode 1.0.0" \
        else key.rsplit(" ", 1)[0] + " 00000000"
    wrong = {**tables, "classes": np.zeros(unicode_tables.CODE_POINTS, dtype=np.uint8)}
    path = tmp_path / "tables.bin"
    unicode_tables.write_data_file(path, wrong, stale)
    assert unicode_tables.read_data_file(path)[0] == stale
    monkeypatch.setattr(unicode_tables, "DATA_FILE", path)
    _clear_table_caches()
    try:
        assert unicode_tables.char_classes()[ord("a")] == unicode_tables.WORD
    finally:
        monkeypatch.undo()
        _clear_table_caches()


@pytest.mark.parametrize(("flags", "mask"), [(WORD, WORD), (MARK, MARK), (CLUSTER, CLUSTER), (CHAINED, CHAINED),
                                             (0, WORD | CLUSTER | IGNORED), (WORD, WORD | CLUSTER)])
def test_class_set_matches_exactly_the_code_points_of_its_class(flags: int, mask: int) -> None:
    pattern = re.compile(class_set(flags, mask))
    wanted = (char_classes() & mask) == flags
    points = np.random.RandomState(flags * 64 + mask).randint(0, 0x110000, 20_000)
    edges = np.flatnonzero(np.diff(wanted)) + 1  # both sides of every boundary, where an off-by-one shows
    for cp in np.concatenate((points, edges, edges - 1, [0, 0x10FFFF])).tolist():
        assert (pattern.fullmatch(chr(cp)) is not None) == bool(wanted[cp]), hex(cp)


# ASCII with every kind of character the fast path sees: letters of both cases, digits, the
# underscore (a separator here, a word character of Python's \w), controls, punctuation, and the
# typographic separators it turns into spaces.
_NEAR_ASCII = st.text(st.sampled_from([*map(chr, range(128)), "\u00a0", "\u2013", "\u2014", "\u2018",
                                       "\u2019", "\u201c", "\u201d", "\u2026"]), max_size=80)


@given(_NEAR_ASCII)
@settings(max_examples=400)
def test_the_ascii_fast_path_gives_the_tokens_of_the_normalised_text(text: str) -> None:
    slow = split_tokens(normalise(text))[0]
    assert tokens(text) == slow
    if html.unescape(text) == text:  # an entity may decode to a word character: the full path takes it
        lowered = ascii_lower(text)
        assert lowered is not None and len(lowered) == len(text)  # offsets into it are the text's
        assert lowered == "".join(" " if c in "\u00a0\u2013\u2014\u2018\u2019\u201c\u201d\u2026" else c.lower()
                                  for c in text)


def test_text_the_fast_path_cannot_split_takes_the_full_path() -> None:
    assert ascii_lower("caf\u00e9") is None and tokens("CAF\u00c9 au lait") == ["café", "au", "lait"]
    assert ascii_lower("fish &amp; chips") is None and tokens("fish &amp; chips") == ["fish", "chips"]
    assert tokens("R&amp;D") == ["r", "d"] and tokens("ﬁne") == ["fine"]  # entity, then NFKC ligature
    assert ascii_lower("&copy 2024") is None and tokens("&copy 2024") == ["2024"]  # an entity without its ;


@pytest.mark.parametrize("text", ["AT&T and Q&A", "fish & chips", "R&D &", "&", "a&b;c &#x; &#"])
def test_an_ampersand_that_starts_no_entity_keeps_the_fast_path(text: str) -> None:
    assert ascii_lower(text) == text.lower()
    assert tokens(text) == split_tokens(normalise(text))[0]


_EVERY_CODE_POINT = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)


@pytest.mark.parametrize("flag", [WORD, CLUSTER, MARK, CHAINED])
def test_a_class_pattern_matches_the_code_points_of_its_set(flag: int) -> None:
    """``class_pattern`` (the set split at the BMP, so ``re`` tests a code point past it only against
    the ranges past it) matches every code point its ``class_set`` matches, and no other."""
    whole, split = re.compile(class_set(flag, flag)), re.compile(class_pattern(flag, flag))
    assert split.findall(_EVERY_CODE_POINT) == whole.findall(_EVERY_CODE_POINT)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=80)
       | st.text(alphabet=st.sampled_from("ab é1-_\u0301\u0e01\u4e00\U00020000\U0001d400 "), max_size=80))
def test_the_token_pattern_finds_the_tokens_of_the_whole_sets(text: str) -> None:
    word, cluster, mark = (class_set(flag, flag) for flag in (WORD, CLUSTER, MARK))
    assert token_pattern().findall(text) == re.findall(f"{word}+|{cluster}{mark}*", text)
