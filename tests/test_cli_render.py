"""The terminal report piped and on a terminal, the filters and ranking, and the staged progress."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from syndidetect.cli.main import main
from syndidetect.cli.render import print_report
from syndidetect.cli.report_sections import marked
from syndidetect.detector import detect

STORY = ("The river flooded the old town on Monday after three days of rain, and hundreds of residents were moved "
         "to the school gym overnight while the water kept rising along the banks.")


def scan(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["scan", *args])
    return code, capsys.readouterr().out


def test_piped_report_marks_changed_words_in_the_text(seeds_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = scan([str(seeds_dir)], capsys)
    assert code == 0
    assert "\x1b[" not in out  # no colour or strike codes in a pipe
    assert "(changed words: [-removed-] / {+added+})" in out
    assert "[-now-]" in out and "{+currently" in out  # "are now in hiding" became "are currently secluded"


def test_marked_joins_runs_on_a_line_only() -> None:
    assert marked("a b c\nd e", [True, True, True, True, False], "[-", "-]") == "[-a b c-]\n[-d-] e"
    assert marked("a b", [False, False], "{+", "+}") == "a b"


def test_headlines_are_never_hard_wrapped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    long_a, long_b = "a-" * 60 + "source.txt", "b-" * 60 + "copy.txt"
    (tmp_path / long_a).write_text(STORY + "\n\n" + STORY.replace("river", "lake"), encoding="utf-8")
    (tmp_path / long_b).write_text("Menu\n\n" + STORY + "\n\n" + STORY.replace("river", "lake"), encoding="utf-8")
    _, out = scan([str(tmp_path)], capsys)
    headline = next(line for line in out.splitlines() if "republishes" in line or ": copy" in line)
    assert long_a in headline and long_b in headline and headline.endswith("verbatim")


def test_related_pairs_show_their_shared_passage_on_one_line(seeds_dir: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    _, out = scan([str(seeds_dir)], capsys)
    lines = out.splitlines()
    related = [k for k, line in enumerate(lines) if "shares passages with" in line]
    assert len(related) == 6
    assert all(lines[k].endswith("% of their words)") for k in related)
    shared = [lines[k + 1] for k in related]
    assert all(line.startswith("      “") and line.endswith("”") for line in shared)
    assert shared[-1] == "      ““As visa records are confidential under U.S. law, we are unable to discuss " \
                         "individual cases,” they said.”"


def test_terminal_report_cuts_related_lines_to_its_width(seeds_dir: Path) -> None:
    from rich.console import Console

    report = detect([(p.name, p.read_text(encoding="utf-8")) for p in sorted(seeds_dir.glob("*.txt"))])
    buffer = io.StringIO()
    console_width = 100
    print_report(report, stream=buffer)  # a StringIO is not a terminal: plain
    plain = buffer.getvalue().splitlines()
    assert any(len(line) > console_width for line in plain if line.startswith("      “"))
    terminal = io.StringIO()
    original = Console.__init__

    def forced(self: Console, *args: object, **kwargs: object) -> None:
        kwargs.update(force_terminal=True, width=console_width, color_system=None)
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Console, "__init__", forced)
        print_report(report, stream=terminal)
    shared = [line for line in terminal.getvalue().splitlines() if line.startswith("      “")]
    assert len(shared) == 6 and all(len(line) <= console_width for line in shared)
    assert sum(line.endswith("…") for line in shared) >= 3  # the long passages, cut


def test_copies_only_and_top(seeds_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out = scan([str(seeds_dir), "--copies-only"], capsys)
    assert "2 copies, 0 related pairs" in out and "shares passages" not in out
    _, out = scan([str(seeds_dir), "--top", "1", "--format", "csv"], capsys)
    rows = list(csv.reader(io.StringIO(out)))[1:]
    assert {(r[0], r[1]) for r in rows} == {("000_c5b587893c6a010b.txt", "001_cfa5f3a7a816170c.txt")}
    assert len(rows) == 16


def test_min_share_and_ranking(seeds_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out = scan([str(seeds_dir), "--min-share", "0.25", "--format", "json"], capsys)
    pairs = json.loads(out)["pairs"]
    assert pairs and all(max(p["shares"]) >= 0.25 for p in pairs)
    assert len(pairs) == 4  # the two copies, 000/002 and 002/003
    _, out = scan([str(seeds_dir)], capsys)
    related = [line for line in out.splitlines() if "shares passages with" in line]
    assert related[0].startswith("  000_c5b587893c6a010b.txt shares passages with 002_9d80eb7e5257ff50.txt")


@pytest.mark.parametrize(("args", "message"), [
    (["--top", "0"], "argument --top: must be an int >= 1; got '0'"),
    (["--top", "many"], "argument --top: must be an int >= 1; got 'many'"),
    (["--min-share", "1.5"], "argument --min-share: must be a share in [0, 1] (e.g. 0.3); got '1.5'"),
    (["--min-share", "nan"], "argument --min-share: must be a share in [0, 1] (e.g. 0.3); got 'nan'"),
])
def test_bad_filter_values_are_usage_errors(seeds_dir: Path, args: list[str], message: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", str(seeds_dir), *args]) == 2
    assert capsys.readouterr().err == f"syndidetect: error: {message}\n"


def test_output_file(seeds_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = scan([str(seeds_dir), "--format", "json", "-o", str(tmp_path / "r.json")], capsys)
    assert (code, out) == (0, "")
    assert len(json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["pairs"]) == 8


def _subprocess_scan(seeds_dir: Path, tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    folder = tmp_path / "articles"  # the seed articles only: nothing else to say on stderr
    folder.mkdir()
    for article in seeds_dir.glob("*.txt"):
        shutil.copy(article, folder)
    return subprocess.run([sys.executable, "-m", "syndidetect", "scan", str(folder), "--format", "json",
                           "-o", str(tmp_path / "r.json")], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **env})


def test_progress_is_silent_when_piped(seeds_dir: Path, tmp_path: Path) -> None:
    env = {k: "" for k in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE")}
    result = _subprocess_scan(seeds_dir, tmp_path, env)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_progress_shows_the_stages_on_a_terminal(seeds_dir: Path, tmp_path: Path) -> None:
    result = _subprocess_scan(seeds_dir, tmp_path, {"FORCE_COLOR": "1"})  # rich: treat stderr as a terminal
    assert result.returncode == 0
    shown = [stage for stage in ("reading", "signatures", "candidates", "verification", "writing")
             if stage in result.stderr]
    assert shown == ["reading", "signatures", "candidates", "verification", "writing"]
    assert "8/8" in result.stderr  # verification counts the candidate pairs
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["pairs"]  # the report is whole


def test_the_headline_counts_take_the_singular_for_one(seeds_dir: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    for article in ("000_c5b587893c6a010b.txt", "001_cfa5f3a7a816170c.txt"):  # one copy of the other
        shutil.copy(seeds_dir / article, tmp_path)
    _, out = scan([str(tmp_path)], capsys)
    assert out.splitlines()[0] == "2 documents, 1 copy, 0 related pairs"
    (tmp_path / "000_c5b587893c6a010b.txt").unlink()
    _, out = scan([str(tmp_path)], capsys)
    assert out.splitlines()[0] == "1 document, 0 copies, 0 related pairs"


def test_a_related_pair_counts_its_paragraphs_in_words_that_agree(seeds_dir: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    _, out = scan([str(seeds_dir)], capsys)
    related = [line.split(": ", 1)[1].split(" — ")[0] for line in out.splitlines() if "shares passages with" in line]
    assert "1 paragraph each" in related and "4 paragraphs each" in related  # equal counts, once each
    assert "1 and 2 paragraphs" in related  # unequal counts keep both numbers
    assert not any(counts.startswith("1 and 1 ") for counts in related)
