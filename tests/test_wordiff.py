"""Words for showing rewording: the plain split used where a text holds no letter of a script
written without spaces must give the words the full pattern gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from syndidetect.unicode_tables import CHAINED_RANGES, IDEOGRAPHIC_RANGES
from syndidetect.wordiff import word_pattern, word_spans

# Characters around every edge of the blocks that hold those letters, and the kinds that matter
# next to them: spaces, marks, invisible characters, curly quotes, dashes, a lone surrogate.
_EDGES = sorted({cp + d for low, high in IDEOGRAPHIC_RANGES + CHAINED_RANGES for cp in (low, high) for d in (-1, 0, 1)})
_OTHERS = [0x20, 0x0A, 0xA0, 0x3000, 0x0301, 0x200B, 0x00AD, 0x2019, 0x2014, 0xD800, 0x0E31, 0x0E48, 0x4E2D]
_CHARS = st.one_of(
    st.characters(codec="utf-8"),
    st.sampled_from([chr(cp) for cp in _EDGES + _OTHERS]),
    st.sampled_from(list("abc xyz.,")),
)


@settings(max_examples=400)
@given(st.text(_CHARS, max_size=40))
def test_word_spans_equal_the_full_pattern(text: str) -> None:
    assert word_spans(text) == [m.span() for m in word_pattern().finditer(text)]


def test_latin_text_with_curly_quotes_is_split_at_spaces() -> None:
    text = "The ferry’s “new” route — from 2027 on."
    assert [text[s:e] for s, e in word_spans(text)] == ["The", "ferry’s", "“new”", "route", "—", "from", "2027", "on."]


def test_windows_1252_text_with_one_letter_of_the_blocks_is_split_as_the_full_pattern_splits_it() -> None:
    windows = [chr(cp) for cp in range(0x3000) if len(chr(cp).encode("cp1252", "ignore")) == 1]
    assert "’" in windows and "€" in windows and len(windows) > 200
    for letter in [chr(low) for low, _ in IDEOGRAPHIC_RANGES + CHAINED_RANGES] + ["東", "ไ"]:
        text = "".join(windows) + letter + " " + "".join(reversed(windows))
        assert word_spans(text) == [m.span() for m in word_pattern().finditer(text)]
        quoted = f"“{letter}”’s"
        assert word_spans(quoted) == [m.span() for m in word_pattern().finditer(quoted)]
