"""Documents read from decoded text skip the scan for lone surrogates (``decoded_document``): they are
the Documents the full checks make, and every escape that could hide a NUL or a surrogate still meets
the full checks."""

from __future__ import annotations

import json

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from syndidetect.documents import Document, decoded_document
from syndidetect.errors import InputError
from syndidetect.readers.plain import parse_jsonl

# Characters a record's text may hold: ASCII and not, the backslash and "u" that look like an escape
# when written raw, and what only an escape can carry (NUL, lone surrogates, control characters).
PIECES = ["word", " ", "\n\n", "é", "’", "東京", "\U0001f600", "\\", "u", "d800", "\\u", "\x00", "\ud800", "\udfff",
          "\x1b", "\u2028", '"']
DATES = [None, "2024-01-09", "Tue, 09 Jan 2024 23:00:00 GMT", "2024-01-10T01:00:00+05:00", "yesterday", "2024-13-45"]


def _outcome(make: object, *args: object) -> tuple[str, ...]:
    """The fields of the Document made, or the InputError's message (the line prefix removed)."""
    try:
        doc = make(*args)  # type: ignore[operator]
    except InputError as exc:
        return ("error", str(exc).split(": ", 1)[-1])
    assert isinstance(doc, Document) and doc.metadata == {}
    return (doc.id, doc.text, str(doc.date))


@settings(max_examples=300)
@example(text="\ud800\udfff", doc_id="a", date=None, ascii_only=True)  # an escaped pair: one character
@example(text="\ud800\udfff", doc_id="a", date=None, ascii_only=False)  # a raw pair: not UTF-8
@example(text="\udfff\ud800", doc_id="a", date=None, ascii_only=True)  # low before high: two lone halves
@given(st.lists(st.sampled_from(PIECES), max_size=12).map("".join), st.sampled_from(["a", "x\\u", "\udc80"]),
       st.sampled_from(DATES), st.booleans())
def test_a_jsonl_record_is_the_document_its_fields_make(text: str, doc_id: str, date: str | None,
                                                        ascii_only: bool) -> None:
    """Written with every non-ASCII character escaped or raw: the Document its fields make, or an error
    where ``Document`` or the text rule refuses them (a raw surrogate, paired or not, is not UTF-8 at all)."""
    line = json.dumps({"id": doc_id, "text": text, "date": date}, ensure_ascii=ascii_only)
    # Escaped, a high surrogate followed by a low one is one astral character (RFC 8259, section 7): the
    # record carries the text as UTF-16 code units read back, pairs joined and lone halves left alone.
    carried = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    expected = _outcome(Document, doc_id, carried, date)
    raw_surrogate = any("\ud800" <= c <= "\udfff" for c in line)
    refused = expected[0] == "error" or not carried or carried.isspace() or "\x00" in carried or raw_surrogate
    got = _outcome(lambda: parse_jsonl(line.encode("utf-8", "surrogatepass"), "d.jsonl")[0])
    assert got[0] == "error" if refused else got == expected


@pytest.mark.parametrize("doc_id, text, date", [
    ("a", "Don’t panic — 東京 \U0001f600", "Tue, 09 Jan 2024 23:00:00 GMT"),
    ("a", "plain ascii", None),
    ("", "text", None),
    ("\udcff.txt", "text", None),
    ("a", "text", "yesterday"),
])
def test_decoded_document_checks_the_id_and_the_date_as_document_does(doc_id: str, text: str,
                                                                       date: str | None) -> None:
    expected = _outcome(Document, doc_id, text, date)
    assert _outcome(decoded_document, doc_id, text, date) == expected
    if expected[0] != "error":  # every field set, as equality and repr read them
        made, full = decoded_document(doc_id, text, date), Document(doc_id, text, date)
        assert made == full and repr(made) == repr(full)


@pytest.mark.parametrize("record, message", [
    ('{"id": "a", "text": "x \\ud83d y"}', "lone surrogate U\\+D83D"),
    ('{"id": "a", "text": "x \\u0000 y"}', "NUL characters"),
    ('{"id": "a", "text": "x \\u0000 y \\\\u not an escape"}', "NUL characters"),
])
def test_an_escape_still_meets_the_full_checks(record: str, message: str) -> None:
    with pytest.raises(InputError, match=r"^d\.jsonl:1: .*" + message):
        parse_jsonl(record.encode(), "d.jsonl")


def test_an_escaped_backslash_before_a_u_is_text() -> None:
    (doc,) = parse_jsonl(b'{"id": "a", "text": "C:\\\\users\\\\ud800 is a folder"}', "d.jsonl")
    assert doc.text == "C:\\users\\ud800 is a folder"
