"""The command line as a user runs it: formats, exit codes, one-line errors."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from syndidetect.cli.main import main
from syndidetect.report import CSV_COLUMNS


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "syndidetect", *args], input=None if stdin is None else
                          stdin.decode(), capture_output=True, text=True, timeout=120)


def test_text_report_shows_the_two_copies(seeds_dir: Path) -> None:
    result = run("scan", str(seeds_dir))
    assert result.returncode == 0, result.stderr
    shown = " ".join(result.stdout.split())  # the terminal wraps long headlines
    assert "2 copies" in shown
    assert "000_c5b587893c6a010b.txt republishes 16 of 25 paragraphs of 001_cfa5f3a7a816170c.txt — verbatim" in shown
    assert "002_9d80eb7e5257ff50.txt and 004_ab43671d69f11038.txt: copy" in shown
    assert "reworded" in shown


def test_csv_has_one_row_per_matched_paragraph_pair(seeds_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", str(seeds_dir), "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert tuple(rows[0]) == CSV_COLUMNS
    copies = [r for r in rows[1:] if r[2] == "copy"]
    assert len(copies) == 16 + 8


def test_fail_on_copy_exit_code(seeds_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", str(seeds_dir), "--format", "json", "--fail-on-copy"]) == 1
    assert main(["scan", str(seeds_dir / "003_4051cc1a3433920e.txt"), "--format", "json", "--fail-on-copy"]) == 0
    capsys.readouterr()


def test_stdin_document(seeds_dir: Path) -> None:
    text = (seeds_dir / "001_cfa5f3a7a816170c.txt").read_bytes()
    result = run("scan", "-", str(seeds_dir / "000_c5b587893c6a010b.txt"), "--format", "json", stdin=text)
    assert result.returncode == 0, result.stderr
    pair = json.loads(result.stdout)["pairs"][0]
    assert pair["verdict"] == "copy" and pair["direction"]["source"] == "-"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["scan", "missing-folder"], "missing-folder: no such file or directory"),
        (["scan", "seeds", "--threshold", "1.5"], "'threshold' must be a float in (0, 1]; got 1.5"),
        (["scan", "seeds", "--min-words", "0"], "'min_words' must be an int in [1, 10000]; got 0"),
        (["scan", "seeds", "--shingle-size", "abc"], "argument --shingle-size: invalid int value: 'abc'"),
        (["scan"], "the following arguments are required: PATH"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_errors_are_one_line_with_exit_2(args: list[str], message: str, capsys: pytest.CaptureFixture[str],
                                         seeds_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(seeds_dir.parent)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("syndidetect: error: ")
    assert message in err


def test_binary_and_empty_files_in_a_subprocess(tmp_path: Path) -> None:
    (tmp_path / "img.txt").write_bytes(b"\x00\x01\x02binary")
    result = run("scan", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip() == "syndidetect: error: " + str(tmp_path / "img.txt") + \
        ": binary file (contains NUL bytes); expected UTF-8 text"
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_dask_scan_equals_in_process_json(seeds_dir: Path) -> None:
    local = run("scan", str(seeds_dir), "--format", "json")
    on_dask = run("scan", str(seeds_dir), "--format", "json", "--dask", "local:1")
    assert on_dask.returncode == 0, on_dask.stderr
    assert json.loads(on_dask.stdout) == json.loads(local.stdout)


def test_bad_dask_address_is_one_line(seeds_dir: Path) -> None:
    result = run("scan", str(seeds_dir), "--dask", "udp://nowhere")
    assert result.returncode == 2
    assert result.stderr.startswith("syndidetect: error: '--dask' must be local, local:N")
    assert result.stderr.count("\n") == 1
