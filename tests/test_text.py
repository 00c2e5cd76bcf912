"""Paragraph spans and normalisation."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from syndidetect.text import (
    IGNORABLE,
    IGNORABLE_RANGES,
    TABLE_FROM_CHARS,
    normalise,
    paragraph_spans,
    without_ignorable,
)


def paragraphs(text: str) -> list[str]:
    return [text[s:e] for s, e in paragraph_spans(text)]


def test_blank_lines_separate_paragraphs() -> None:
    assert paragraphs("First one.\n\n\nSecond one.\n") == ["First one.", "Second one."]


def test_long_lines_are_one_paragraph_each() -> None:
    a, b = "A" * 150, "B " * 80
    assert paragraphs(f"{a}\n{b}") == [a, b.strip()]


def test_hard_wrapped_text_joins_into_one_paragraph() -> None:
    wrapped = (
        "The quick brown fox jumps over the lazy dog and then keeps\n"
        "running far across the wide green field until the evening\n"
        "comes.\n"
        "\n"
        "A second paragraph begins here and is also wrapped at the\n"
        "same width as the first one was."
    )
    got = paragraphs(wrapped)
    assert len(got) == 2
    assert got[0].startswith("The quick") and got[0].endswith("comes.")
    assert "\n" in got[0]


def test_short_lines_such_as_menus_stay_apart() -> None:
    assert paragraphs("Home\nWorld\nMost Popular\nSport") == ["Home", "World", "Most Popular", "Sport"]


def test_more_indented_line_starts_a_paragraph() -> None:
    text = "  1. Reader name here\n    A comment paragraph that is long enough to be one on its own line."
    assert paragraphs(text) == ["1. Reader name here",
                                "A comment paragraph that is long enough to be one on its own line."]


def test_list_items_stay_apart_even_when_wrapped_width() -> None:
    text = "- first item of a list that is fairly long indeed\n- second item of that list, also long"
    assert len(paragraphs(text)) == 2


def test_crlf_spans_index_the_untranslated_text() -> None:
    text = "One para.\r\n\r\nTwo para.\r\n"
    assert paragraphs(text) == ["One para.", "Two para."]
    assert paragraph_spans(text)[1] == (text.index("Two"), text.index("Two") + 9)


def test_empty_and_blank_text_have_no_paragraphs() -> None:
    assert paragraph_spans("") == []
    assert paragraph_spans(" \n\t\n\u00a0") == []


def test_normalise_folds_case_width_and_spaces() -> None:
    assert normalise("ＳＴＲＡßE\u00a0Ünïcode") == "strasse ünïcode"
    assert normalise("ASCII Only") == "ascii only"


def test_normalise_deletes_invisible_characters_before_composing() -> None:
    assert normalise("soft\u00adware zero\u200bwidth\u2060 BOM\ufeff") == "software zerowidth bom"
    assert normalise("e\u200b\u0301") == "é"  # composes as the text without it
    assert normalise("&shy;x&#8203;y&zwj;") == "xy"  # entities are decoded first


def test_ignorable_ranges_are_the_invisible_format_characters() -> None:
    """Every format character (Cf) is ignorable but the visible ones: prepended number signs
    (Arabic, Syriac, Kaithi) and interlinear or hieroglyph layout controls."""
    visible = {*range(0x600, 0x606), 0x6DD, 0x70F, 0x890, 0x891, 0x8E2, 0xFFF9, 0xFFFA, 0xFFFB, 0x110BD,
               0x110CD, *range(0x13430, 0x13440)}
    ignorable = {cp for low, high in IGNORABLE_RANGES for cp in range(low, high + 1)}
    format_chars = {cp for cp in range(0x110000) if unicodedata.category(chr(cp)) == "Cf"}
    assert format_chars - visible <= ignorable
    assert not ignorable & visible
    assert IGNORABLE.sub("", "".join(map(chr, sorted(ignorable)))) == ""
    assert not IGNORABLE.search("abc \u00a0\u3000\u2028 中")


@given(st.text(alphabet=st.sampled_from(list("ab \n\r\t\u00a0.é")), max_size=300))
def test_spans_round_trip_and_are_ordered(text: str) -> None:
    spans = paragraph_spans(text)
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        piece = text[start:end]
        assert piece == piece.strip() and piece.strip()
        previous_end = end
    covered = "".join(text[s:e] for s, e in spans)
    assert "".join(covered.split()) == "".join(text.split())


# Other whitespace than " " and "\n" (vertical tab, form feed, NEL, ideographic space, file separator)
# makes a line blank without ending it: the fast path reads lines as the splitter does.
PIECES = [*"ab \n\t\u00a0.é-", "- ", "1. ", "x" * 40, "\u2028", "\r\n", *"\x0b\x0c\x85\u3000\x1c", "\n\n"]


@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_one_line_fast_path_agrees_with_the_line_by_line_splitter(text: str) -> None:
    from syndidetect.text import _wrapped_spans

    assert paragraph_spans(text) == _wrapped_spans(text, 0)


# Without "\r", and with blank lines often between lines: the path for text whose every non-blank
# line stands alone (no two in a row) is taken, and must give the splitter's spans too.
SPACED = [*"ab \t\u00a0.é-", "- ", "1. ", "x" * 40, "\u2028", *"\x0b\x0c\x85\u3000\x1c", "\n\n", "\n \n", "\n"]


@given(st.lists(st.sampled_from(SPACED), max_size=40).map("".join))
def test_lone_lines_fast_path_agrees_with_the_line_by_line_splitter(text: str) -> None:
    from syndidetect.text import _wrapped_spans

    assert paragraph_spans(text) == _wrapped_spans(text, 0)


def test_lone_lines_keep_their_inner_whitespace() -> None:
    text = " \u3000First\u2028line \x0c\n\n\t second  one\x85\n \n\u00a0"
    assert paragraphs(text) == ["First\u2028line", "second  one"]


_IGNORABLE_EDGES = [chr(c) for low, high in IGNORABLE_RANGES for c in (low - 1, low, high, high + 1)]


@given(st.lists(st.sampled_from([*_IGNORABLE_EDGES, "a", "é", "ж", "東", "\U0001F600", "\ud800", " "]), max_size=40),
       st.integers(0, 2 * TABLE_FROM_CHARS))
def test_ignorable_characters_are_deleted_from_long_and_short_texts_alike(pieces: list[str], padding: int) -> None:
    """Looked up in a table (long texts) or by the pattern (short ones): every ignorable character
    goes, the characters either side of each range stay."""
    for text in ("".join(pieces) + "ж" * padding, "ж" * padding + "".join(pieces)):
        assert without_ignorable(text) == IGNORABLE.sub("", text)
