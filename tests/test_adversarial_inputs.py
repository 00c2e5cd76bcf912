"""Odd inputs a crawler or an archive holds: each gets the right answer or one InputError naming it."""

from __future__ import annotations

import codecs
import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import syndidetect as sd
from syndidetect.dates import canonical_date, parse_date
from syndidetect.errors import ArgumentError, InputError
from syndidetect.readers.plain import JsonInteger, json_object
from syndidetect.sources import decode, parse_jsonl, read_inputs

ARTICLE = "\n\n".join(
    f"Paragraph {i} tells how the harbour board voted {i + 3} to {i} on the dredging plan after a long night "
    f"of testimony from fishers, shippers and the {['mayor', 'clerk', 'engineer', 'auditor'][i % 4]}."
    for i in range(6)
)


@pytest.mark.parametrize("encoding", ["utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be"])
def test_text_with_a_bom_is_decoded_in_its_encoding(encoding: str) -> None:
    bom = {"utf-32-le": codecs.BOM_UTF32_LE, "utf-32-be": codecs.BOM_UTF32_BE,
           "utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}[encoding]
    assert decode(bom + ARTICLE.encode(encoding), "x.txt") == ARTICLE


def test_a_utf32_copy_is_found_like_a_utf8_one(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(codecs.BOM_UTF32_LE + ARTICLE.encode("utf-32-le"))
    (tmp_path / "b.txt").write_text("Menu\n\n" + ARTICLE + "\n\nComments", encoding="utf-8")
    report = sd.detect(read_inputs([str(tmp_path)]))
    assert [p.verdict for p in report.pairs] == ["copy"]


def test_a_nul_byte_anywhere_makes_a_file_binary(tmp_path: Path) -> None:
    path = tmp_path / "late.txt"
    path.write_bytes(b"word " * 5000 + b"\x00" + b" word" * 10)  # the NUL after the first 24 KB
    with pytest.raises(InputError, match=r"late.txt: binary file \(contains NUL bytes\)"):
        read_inputs([str(path)])


@pytest.mark.parametrize("line, message", [
    ('{"id": 1, "text": "' + "x " * 5 + '", "nested": ' + "[" * 5000 + "]" * 5000 + "}", "nested too deeply"),
    ('{"id": "a", "text": ""}', "empty document"),
    ('{"id": "a", "text": "  \\n "}', "empty document"),
    ('{"id": "a", "text": "\\u2003\\u00a0\\u3000\\t"}', "empty document"),  # Unicode spaces alone
    ('\ufeff{"id": "a", "text": "t"}', r"invalid JSON \(Unexpected UTF-8 BOM"),  # a BOM past the file's start
    ('{"id": "a", "text": "ok \\u0000 text"}', "NUL characters"),
    ('{"id": "a", "text": "lone \\ud800 surrogate"}', "lone surrogate U\\+D800"),
    ('{"id": "\\udfff", "text": "some text"}', "lone surrogate U\\+DFFF"),
    ('{"id": "a", "text": 12}', "'text' must be a string; got the number 12$"),
    ('{"id": "a", "text": 1.5e3}', "'text' must be a string; got the number 1500.0$"),
    ('{"id": "a", "text": null}', "'text' must be a string; got null$"),
    ('{"id": "a", "text": ["x"]}', "'text' must be a string; got an array$"),
    ('{"id": "a", "text": "t", "date": 20240101}', "'date' must be a string .*; got the number 20240101$"),
    ('{"id": "a", "text": "t", "date": true}', "'date' must be a string .*; got true$"),
    ('{"id": "a", "text": "t", "date": "yesterday"}', "'yesterday' is not a valid date"),
    ('{"id": "a", "text": "t", "date": "2024-13-45"}', "month must be in 1..12"),
    ('{"id": null, "text": "t"}', "'id' must be a non-empty string or an integer; got null$"),
    ('{"id": "", "text": "t"}', "'id' must be a non-empty string or an integer; got the string ''$"),
    ('{"id": {"a": 1}, "text": "t"}', "'id' must be a non-empty string or an integer; got an object$"),
    ('[1, 2]', "expected a JSON object"),
])
def test_odd_jsonl_records_are_refused_naming_the_line(line: str, message: str) -> None:
    with pytest.raises(InputError, match=r"^d\.jsonl:2: .*" + message):
        parse_jsonl(b'{"id": "ok", "text": "fine"}\n' + line.encode("utf-8", "surrogatepass") + b"\n", "d.jsonl")


def test_a_5000_digit_integer_id_is_kept_as_its_digits() -> None:
    digits = "7" * 5000
    (doc,) = parse_jsonl(f'{{"id": {digits}, "text": "some text"}}'.encode(), "d.jsonl")
    assert doc.id == digits and type(doc.id) is str


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\u0085"])  # valid raw inside a JSON string
def test_jsonl_records_end_at_newline_only(separator: str) -> None:
    text = f"first half{separator}second half"
    record = '{"id": "a", "text": "' + text + '"}'  # raw, unescaped inside the JSON string
    (doc,) = parse_jsonl((record + "\r\n").encode(), "d.jsonl")
    assert doc.text == text


def test_empty_text_is_one_rule_for_files_and_records(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text(" \n\n ")
    (tmp_path / "e.jsonl").write_text('{"id": "a", "text": " "}\n')
    for name in ("empty.txt", "e.jsonl"):
        with pytest.raises(InputError, match="empty document"):
            read_inputs([str(tmp_path / name)])


@pytest.mark.parametrize("earlier, later", [
    ("2024-01-10T01:00:00+05:00", "2024-01-09T23:00:00Z"),  # 20:00 UTC on the 9th
    ("2024-1-5", "2024-01-10"),
    ("Tue, 09 Jan 2024 23:00:00 -0500", "2024-01-10T04:00:01Z"),
    ("2024-01-09T23:59:59.5Z", "2024-01-10"),
    ("2024", "2024-01-01T00:00:01"),
])
def test_dates_are_instants(earlier: str, later: str) -> None:
    assert parse_date(earlier) < parse_date(later)


def test_a_date_without_a_zone_is_utc_and_objects_are_accepted() -> None:
    assert canonical_date("2024-01-09 23:00") == "2024-01-09T23:00:00Z"
    assert canonical_date(dt.date(2024, 1, 9)) == "2024-01-09T00:00:00Z"
    plus_two = dt.timezone(dt.timedelta(hours=2))
    assert canonical_date(dt.datetime(2024, 1, 9, 1, tzinfo=plus_two)) == "2024-01-08T23:00:00Z"


@pytest.mark.parametrize("value", ["yesterday", "2024-13-45", "2024-02-30", "2024-01-09T25:00Z", "", 5, 3.5,
                                   "9999-12-31T23:00:00-05:00", "2024-01-09T10:00+24:00"])
def test_what_does_not_parse_is_refused_naming_the_document(value: object) -> None:
    with pytest.raises(InputError, match=r"^document 'a': .* is not a valid date"):
        sd.Document("a", "text", value)  # type: ignore[arg-type]


def test_direction_follows_instants_not_strings() -> None:
    page = "Menu\n\n" + ARTICLE + "\n\nComments and more comments from readers of this page today."
    # The page's date is 20:00 UTC on the 9th: earlier than the article's, although its text sorts later.
    report = sd.detect([sd.Document("article", ARTICLE, "2024-01-09T23:00:00Z"),
                        sd.Document("page", page, "2024-01-10T01:00:00+05:00")])
    (pair,) = report.copies
    assert pair.direction is not None and pair.direction.source == "page"


@pytest.mark.parametrize("call, argument", [
    (lambda: sd.detect(None), "documents"),  # type: ignore[arg-type]
    (lambda: sd.detect(5), "documents"),  # type: ignore[arg-type]
    (lambda: sd.signatures(None), "'texts'"),  # type: ignore[arg-type]
    (lambda: sd.signatures(7), "'texts'"),  # type: ignore[arg-type]
])
def test_library_entry_points_name_a_wrong_argument(call: object, argument: str) -> None:
    with pytest.raises(ArgumentError, match=argument):
        call()  # type: ignore[operator]


def test_named_fifo_device_and_link_loop_say_what_they_are(tmp_path: Path) -> None:
    import os

    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    for name, words in [("pipe", "named pipe"), ("loop", "symbolic link loop"), ("dangling", "broken symbolic link"),
                        ("missing", "no such file or directory")]:
        with pytest.raises(InputError, match=f"{name}: .*{words}"):
            read_inputs([str(tmp_path / name)])
    with pytest.raises(InputError, match="/dev/null: a character device"):
        read_inputs(["/dev/null"])


def test_file_names_that_are_not_utf8_become_printable_ids(tmp_path: Path) -> None:
    import os

    folder = os.fsencode(tmp_path / "news")
    os.mkdir(folder)
    with open(os.path.join(folder, b"caf\xe9.txt"), "wb") as handle:
        handle.write(b"A story about coffee.")
    (doc,) = read_inputs([str(tmp_path / "news")])
    assert doc.id == "caf\\xe9.txt"
    doc.id.encode("utf-8")  # writable to JSON, CSV, a terminal and the index


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=8,
)


@st.composite
def _record_lines(draw: st.DrawFn) -> str:
    """A JSON object as a writer writes it, or one cut, doubled, padded or followed by something."""
    line = json.dumps(draw(st.dictionaries(st.sampled_from(["id", "text", "date", "x"]), _JSON_VALUES, max_size=4)),
                      ensure_ascii=draw(st.booleans()))
    change = draw(st.sampled_from(["none", "cut", "double", "comma", "pad", "tail", "brace"]))
    if change == "cut":
        line = line[: draw(st.integers(0, len(line)))] + "}"
    elif change == "double":
        line += line
    elif change == "comma":
        line = line + ", " + line
    elif change == "pad":
        line = " " + line + "\t"
    elif change == "tail":
        line += draw(st.sampled_from(["}", " }", "x}", '"}', "]}"]))
    elif change == "brace":
        line = "{" + line
    return line


@given(_record_lines())
def test_a_record_is_read_as_the_json_decoder_reads_it(line: str) -> None:
    # The scanner's shortcut for lines from "{" to "}" gives what json's decode gives, or the same error.
    try:
        expected: object = json.JSONDecoder(parse_int=JsonInteger).decode(line)
    except ValueError as exc:  # JSONDecodeError
        expected = exc
    try:
        got: object = json_object(line, "d.jsonl:1")
    except InputError as exc:
        got = exc
    if isinstance(expected, dict):
        assert got == expected and all(type(a) is type(b) for a, b in zip(got.values(), expected.values()))
    else:
        assert isinstance(got, InputError)
        if isinstance(expected, json.JSONDecodeError):
            assert f"invalid JSON ({expected.msg} at column {expected.colno})" in str(got)
