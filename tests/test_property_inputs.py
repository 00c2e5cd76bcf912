"""Generated adversarial inputs: whatever a crawler or an archive holds, the CLI answers with a report or
one line and a documented exit code, and the library raises only SyndidetectError subclasses.

Kept bounded (tens of examples, no subprocess per example) so it runs in CI in well under a minute.
"""

from __future__ import annotations

import codecs
import contextlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import syndidetect as sd
from syndidetect.cli.main import main
from syndidetect.errors import SyndidetectError

WORDS = ["harbour", "board", "voted", "dredging", "plan", "fishers", "mayor", "rain", "river", "council",
         "[/]", "[red]", "<b>", "naïve", "東京", "の", "新聞", "ข่าว", "über", "9", "2024", "—", "‘quoted’"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\ufeff"]
ODD_CHARS = ["\u2028", "\u2029", "\u0085", "\r", "\t", "\x0c", "\x1b[31m", "\ud800", "\x00", "\\", '"']


@st.composite
def prose(draw: st.DrawFn) -> str:
    """Paragraphs of words from a mixed vocabulary, sometimes with invisible or odd characters."""
    paragraphs = []
    for _ in range(draw(st.integers(0, 5))):
        words = draw(st.lists(st.sampled_from(WORDS), min_size=0, max_size=40))
        text = " ".join(words)
        for _ in range(draw(st.integers(0, 3))):
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(st.sampled_from(INVISIBLE + ODD_CHARS)) + text[at:]
        paragraphs.append(text)
    return draw(st.sampled_from(["\n\n", "\n", "\r\n\r\n", " "])).join(paragraphs)


def _encoded(text: str, encoding: str) -> bytes:
    if encoding == "bytes":
        return text.encode("utf-8", "surrogatepass")[:64] + bytes(range(256))[::7]
    boms = {"utf-16": codecs.BOM_UTF16_LE, "utf-32": codecs.BOM_UTF32_LE, "utf-8-sig": codecs.BOM_UTF8}
    codec = {"utf-16": "utf-16-le", "utf-32": "utf-32-le", "utf-8-sig": "utf-8"}.get(encoding, encoding)
    return boms.get(encoding, b"") + text.encode(codec, "surrogatepass" if "utf" in codec else "replace")


JSON_VALUES = st.one_of(st.none(), st.booleans(), st.integers(), st.integers(10**30, 10**40), st.floats(),
                        st.text(max_size=20),
                        st.sampled_from(["wire[/]", "[red]a", "2024-01-09", "2024-01-10T01:00:00+05:00",
                                         "Tue, 09 Jan 2024 23:00:00 GMT", "yesterday", "2024-13-45", "", "[/]"]),
                        st.lists(st.integers(), max_size=3))


@st.composite
def jsonl(draw: st.DrawFn) -> bytes:
    lines = []
    for _ in range(draw(st.integers(0, 4))):
        record: dict[str, Any] = {}
        for key in ("id", "text", "date"):
            choice = draw(st.integers(0, 3))
            if choice == 1:
                record[key] = draw(prose()) if key == "text" else draw(JSON_VALUES)
            elif choice >= 2:
                record[key] = draw(JSON_VALUES) if key == "text" else draw(st.text(max_size=12))
        line = json.dumps(record, ensure_ascii=draw(st.booleans()))
        if draw(st.integers(0, 9)) == 0:
            line = line[: draw(st.integers(0, len(line)))]  # a record cut short
        lines.append(line)
    return "\n".join(lines).encode("utf-8", "surrogatepass")


FILE_NAMES = st.sampled_from(["a.txt", "b.md", "wire[b]x[.txt", "[red]x.txt", "d d.txt", "e.jsonl", "f.ndjson",
                              "g.txt", "note.TXT"])
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32", "latin-1", "bytes"])


@st.composite
def folder(draw: st.DrawFn) -> dict[bytes, bytes]:
    files: dict[bytes, bytes] = {}
    for name in draw(st.lists(FILE_NAMES, min_size=1, max_size=4, unique=True)):
        data = draw(jsonl()) if name.endswith(("jsonl", "ndjson")) else _encoded(draw(prose()), draw(ENCODINGS))
        raw_name = name.encode()
        if draw(st.integers(0, 5)) == 0:
            raw_name = b"\xff" + raw_name  # a file name that is not UTF-8
        files[raw_name] = data
    return files


def _write(root: Path, files: dict[bytes, bytes]) -> None:
    for name, data in files.items():
        with open(os.path.join(os.fsencode(root), name), "wb") as handle:
            handle.write(data)


def _spans_reproduce_the_text(report: dict[str, Any], texts: dict[str, str]) -> None:
    for pair in report["pairs"]:
        refs = [ref for match in pair["matches"] for ref in match["paragraphs"]]
        refs += [ref for passage in pair.get("passages", []) for ref in passage["spans"]]
        for ref in refs:
            if ref["document"] in texts:
                assert texts[ref["document"]][ref["start"]:ref["end"]] == ref["text"]


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(files=folder(), fmt=st.sampled_from(["json", "text", "csv"]), show=st.booleans())
def test_the_cli_answers_any_folder_with_a_report_or_one_line(capsys: pytest.CaptureFixture[str],
                                                              files: dict[bytes, bytes], fmt: str,
                                                              show: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        _write(Path(tmp), files)
        capsys.readouterr()
        code = main(["scan", tmp, "--format", fmt] + (["--show-boilerplate"] if show and fmt == "text" else []))
        out, err = capsys.readouterr()
        assert code in (0, 1, 2, 130)
        assert len(err.splitlines()) <= 1 and "Traceback" not in err
        if code == 2:
            assert err.startswith("syndidetect: error: ")
        else:
            assert err == ""
            out.encode("utf-8")  # writable anywhere: no lone surrogate reaches the report
            if fmt == "json":
                documents = sd.sources.read_inputs([tmp])
                _spans_reproduce_the_text(json.loads(out), {d.id: d.text for d in documents})


ANY = st.one_of(st.none(), st.integers(), st.text(max_size=30), st.binary(max_size=10), st.floats(),
                st.lists(st.text(max_size=5), max_size=3), st.tuples(st.text(max_size=5), st.none()),
                st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


@settings(max_examples=120)
@given(documents=st.one_of(ANY, st.lists(st.one_of(ANY, st.tuples(st.text(max_size=8), st.text(max_size=60)),
                                                   st.tuples(st.text(max_size=8), st.text(max_size=60), ANY)),
                                         max_size=4)),
       date=ANY)
def test_the_library_raises_only_its_own_errors(documents: Any, date: Any) -> None:
    calls: list[Callable[[], object]] = [lambda: sd.detect(documents), lambda: sd.signatures(documents, num_perm=8),
             lambda: sd.Document("x", "some text", date), lambda: sd.Document(documents, "text"),
             lambda: sd.shingles(documents)]
    for call in calls:
        with contextlib.suppress(SyndidetectError):
            call()


@settings(max_examples=300)
@given(st.lists(st.sampled_from(["a", " ", "é", "’", "\u4e2d", "\U0001f600", "\ud800", "\udcff", "\udfff"]),
                max_size=30))
def test_a_lone_surrogate_is_found_where_it_is(pieces: list[str]) -> None:
    """``unicode_problem`` names the first surrogate and its position, and nothing else is one."""
    from syndidetect.documents import unicode_problem

    text = "".join(pieces)
    first = next((i for i, c in enumerate(text) if 0xD800 <= ord(c) <= 0xDFFF), None)
    problem = unicode_problem(text)
    if first is None:
        assert problem is None
    else:
        assert problem == f"lone surrogate U+{ord(text[first]):04X} at character {first} (not valid Unicode)"
