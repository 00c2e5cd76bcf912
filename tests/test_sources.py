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
        ("list.jsonl", b'["a", "b"]\n', r"list\.jsonl:1: expected a JSON object"),
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
