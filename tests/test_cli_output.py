"""Where the report goes can fail too: a full disk, a closed stdout, a reader that went away, Ctrl-C.
Each is one line (or silence for a closed pipe) and the documented exit code, never a traceback."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

FORMATS = ["text", "json", "csv"]


def _scan(seeds_dir: Path, fmt: str, shell_redirect: str) -> subprocess.CompletedProcess[str]:
    # The seed articles only (not truth.json, which a folder scan names in a warning): stderr is the subject.
    command = f"{sys.executable} -m syndidetect scan {seeds_dir}/*.txt --format {fmt} {shell_redirect}"
    return subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_full_disk_is_one_line_and_exit_2(seeds_dir: Path, fmt: str) -> None:
    result = _scan(seeds_dir, fmt, "> /dev/full")
    assert result.returncode == 2
    assert result.stderr == "syndidetect: error: standard output: cannot write (No space left on device)\n"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_full_disk_behind_the_output_file_names_that_file(seeds_dir: Path, fmt: str) -> None:
    result = _scan(seeds_dir, fmt, "-o /dev/full")
    assert result.returncode == 2
    assert result.stderr == "syndidetect: error: /dev/full: cannot write (No space left on device)\n"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_closed_stdout_is_one_line_and_exit_2(seeds_dir: Path, fmt: str) -> None:
    result = _scan(seeds_dir, fmt, ">&-")
    assert result.returncode == 2
    assert result.stderr == "syndidetect: error: standard output: cannot write (closed)\n"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_reader_that_stops_early_is_not_an_error(seeds_dir: Path, fmt: str) -> None:
    result = _scan(seeds_dir, fmt, "| head -c 10 > /dev/null; exit ${PIPESTATUS[0]}")
    assert (result.returncode, result.stderr) == (0, "")


def test_ctrl_c_is_one_line_and_exit_130(tmp_path: Path) -> None:
    # stdin that never ends keeps the scan reading until the interrupt arrives. The command gets
    # SIGINT's default action as a terminal gives it: a test run started in the background by a shell
    # without job control ignores SIGINT, and a child would inherit that (an ignored signal survives
    # exec, a handled one is reset to the default).
    inherited = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        process = subprocess.Popen([sys.executable, "-m", "syndidetect", "scan", "-"], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    finally:
        signal.signal(signal.SIGINT, inherited)
    time.sleep(3)  # past interpreter start-up, inside the read
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert stderr == "syndidetect: error: interrupted\n"
