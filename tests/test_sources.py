"""Reading inputs: every bad input gets a one-line InputError naming it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from syndidetect.errors import InputError
from syndidetect.sources import decode, read_inputs


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_folder_ids_are_relative_paths_and_files_keep_their_name(tmp_path: Path) -> None:
    write(tmp_path / "news" / "a.txt", b"Alpha text.")
    write(tmp_path / "news" / "sub" / "b.md", b"Beta text.")
    write(tmp_path / "news" / "skip.bin", b"ignored")
    write(tmp_path / "news" / ".hidden" / "c.txt", b"ignored")
    single = write(tmp_path / "single.txt", b"Gamma text.")
    docs = read_inputs([str(tmp_path / "news"), str(single)])
    assert [d.id for d in docs] == ["a.txt", "sub/b.md", "single.txt"]


def test_bom_is_kept_so_offsets_match_the_decoded_bytes() -> None:
    assert decode(b"\xef\xbb\xbfHi", "f") == "\ufeffHi"
    assert decode("Hé".encode("utf-16"), "f") == "Hé"


def test_jsonl_records(tmp_path: Path) -> None:
    path = write(tmp_path / "d.jsonl", b'{"id": "x", "text": "One."}\n\n{"id": 7, "text": "Two.", "date": "2020"}\n')
    docs = read_inputs([str(path)])
    assert [(d.id, d.text, d.date) for d in docs] == [("x", "One.", None), ("7", "Two.", "2020-01-01T00:00:00Z")]


def test_stdin_text_and_jsonl() -> None:
    assert read_inputs(["-"], stdin=io.BytesIO(b"Some text"))[0].id == "-"
    docs = read_inputs(["-"], stdin=io.BytesIO(b'{"id": "q", "text": "t"}'))
    assert docs[0].id == "q"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bin.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00", r"bin\.txt: binary file"),
        ("latin.txt", "café".encode("cp1252"), r"latin\.txt: not valid UTF-8 \(byte 0xE9 at offset 3\)"),
        ("empty.txt", b"", r"empty\.txt: empty document"),
        ("blank.txt", b" \n\t\n", r"blank\.txt: empty document"),
        ("bad.jsonl", b'{"id": "a", "text": "ok"}\n{"id": "b", "text": }\n', r"bad\.jsonl:2: invalid JSON"),
        ("list.jsonl", b'["a", "b"]\n', r"list\.jsonl:1: expected a JSON object with 'id' and 'text'; got an array$"),
        # A record that is no object is named as JSON names it, never by a Python type.
        ("number.jsonl", b"5\n", r"number\.jsonl:1: expected a JSON object .*; got the number 5$"),
        ("null.jsonl", b"null\n", r"null\.jsonl:1: expected a JSON object .*; got null$"),
        ("string.jsonl", b'"t"\n', r"string\.jsonl:1: expected a JSON object .*; got the string 't'$"),
        ("false.jsonl", b"false\n", r"false\.jsonl:1: expected a JSON object .*; got false$"),
        ("noid.jsonl", b'{"text": "t"}\n', r"noid\.jsonl:1: 'id' must be a non-empty string"),
        ("notext.jsonl", b'{"id": "a", "text": 3}\n', r"notext\.jsonl:1: 'text' must be a string"),
        ("date.jsonl", b'{"id": "a", "text": "t", "date": 5}\n', r"date\.jsonl:1: 'date' must be"),
        ("none.jsonl", b"\n\n", r"none\.jsonl: no JSON records"),
    ],
)
def test_bad_files_are_refused_by_name(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    path = write(tmp_path / name, data)
    with pytest.raises(InputError, match=message):
        read_inputs([str(path)])


def test_missing_path_empty_folder_and_duplicates(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="nope: no such file or directory"):
        read_inputs([str(tmp_path / "nope")])
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no documents found"):
        read_inputs([str(tmp_path / "empty")])
    path = write(tmp_path / "a.txt", b"text")
    with pytest.raises(InputError, match=r"duplicate document id 'a\.txt'"):
        read_inputs([str(path), str(path)])
    with pytest.raises(InputError, match="no input given"):
        read_inputs([])
    with pytest.raises(InputError, match="standard input is not available"):
        read_inputs(["-"])


def test_invalid_utf16_is_refused() -> None:
    with pytest.raises(InputError, match="invalid UTF-16"):
        decode(b"\xff\xfe\x00\xd8", "f")


def test_too_large_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("syndidetect.sources.MAX_FILE_BYTES", 10)
    path = write(tmp_path / "big.txt", b"x" * 11)
    with pytest.raises(InputError, match=r"big\.txt: file too large \(11 bytes; at most 10\)"):
        read_inputs([str(path)])


def test_on_error_must_be_fail_or_skip() -> None:
    from syndidetect.errors import ConfigError

    with pytest.raises(ConfigError, match=r"'on_error' must be one of fail, skip; got 'ignore'"):
        read_inputs(["-"], stdin=io.BytesIO(b"text"), on_error="ignore")


def test_when_every_input_is_skipped_nothing_is_left_to_scan(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.txt", b"")
    warnings: list[str] = []
    with pytest.raises(InputError, match="no documents left to read: every input was skipped"):
        read_inputs([str(bad), str(tmp_path / "missing.txt")], on_error="skip", warn=warnings.append)
    assert len(warnings) == 3 and "missing.txt: no such file or directory; skipped" in warnings[1]
    assert warnings[2].startswith("skipped 2 bad files; the report covers the other 0 documents")


def test_a_file_named_directly_is_read_by_its_type_and_unknown_types_as_text(tmp_path: Path) -> None:
    from syndidetect.sources import file_kind

    log = write(tmp_path / "server.log", b"A log line of text.")
    assert read_inputs([str(log)])[0].text == "A log line of text."
    assert file_kind(log) is None and file_kind(log, named=True) == "text"
    kinds = {name: file_kind(Path(name)) for name in ("a.HTML", "b.warc.gz", "c.WARC", "d.atom", "e.pq", "f.csv")}
    assert kinds == {"a.HTML": "html", "b.warc.gz": "warc", "c.WARC": "warc", "d.atom": "feed", "e.pq": "parquet",
                     "f.csv": "csv"}
