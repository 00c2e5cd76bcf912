"""``syndidetect compile``: after it, the runs a user makes compile nothing (numba's cache holds
every kernel they call), whatever their input."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import syndidetect as sd
from syndidetect.cli import compile as compile_command
from syndidetect.cli.main import main
from syndidetect.warmup import Warmed, workload

ROOT = Path(__file__).resolve().parent.parent

# Runs of every kind on input unlike the warm-up's (the seeds, a generated corpus of other words,
# one-paragraph documents, an index through the command line, a Dask scan), every kernel taken
# whatever the size of the work; prints how many compiles numba made.
_RUNS = """
import contextlib, io, json, os, sys, tempfile
from pathlib import Path
from syndidetect._kernels.jit import watch_compiles
compiles = [0]
watch_compiles(lambda started: compiles.__setitem__(0, compiles[0] + started))
import syndidetect as sd
from benchmarks.corpus import make_corpus
from syndidetect.cli.main import main
from syndidetect.warmup import take_kernels_of_every_module
take_kernels_of_every_module()
seeds = sys.argv[1]
texts = make_corpus(3000, seed=5).texts
for per in (1, 7, 20):
    docs = [sd.Document(f"d{i}", "\\n\\n".join(texts[i:i + per])) for i in range(0, len(texts), per)]
    for sentences in (True, False):
        sd.detect(docs, sd.Config(sentence_candidates=sentences))
sd.signatures(texts[:500] + ["Fish &amp; chips", "\\uff34he \\ufb01sh"])  # texts read again in Python too
with tempfile.TemporaryDirectory() as folder, contextlib.redirect_stdout(io.StringIO()):
    records = Path(folder) / "corpus.jsonl"
    records.write_text("\\n".join(json.dumps({"id": f"d{i}", "text": "\\n\\n".join(texts[i:i + 20])})
                                 for i in range(0, len(texts), 20)), encoding="utf-8")
    main(["index", "add", "--db", f"{folder}/index.db", str(records)])
    main(["index", "add", "--db", f"{folder}/index.db", seeds])
    main(["index", "check", "--db", f"{folder}/index.db", seeds])
    main(["scan", seeds, "--on-error", "skip"])
    # The Dask path's workers are other processes, which take their kernels only once their work adds
    # up (enough pairs here): what they compile shows as new files in the cache.
    cache = Path(os.environ["NUMBA_CACHE_DIR"])
    before = len(list(cache.rglob("*.nbc")))
    more = make_corpus(8000, seed=7).texts
    records.write_text("\\n".join(json.dumps({"id": f"e{i}", "text": "\\n\\n".join(more[i:i + 5])})
                                 for i in range(0, len(more), 5)), encoding="utf-8")
    main(["scan", str(records), "--dask", "local:2", "--format", "json"])
    compiles[0] += len(list(cache.rglob("*.nbc"))) - before
print(compiles[0])
"""


def _env(cache: Path) -> dict[str, str]:
    return {**os.environ, "NUMBA_CACHE_DIR": str(cache), "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}


def test_after_compile_the_runs_of_every_kind_compile_nothing(tmp_path: Path) -> None:
    cache = tmp_path / "numba-cache"  # empty: as after an install
    env = _env(cache)
    first = subprocess.run([sys.executable, "-m", "syndidetect", "compile"], env=env, capture_output=True,
                           text=True, timeout=600)
    assert first.returncode == 0, first.stderr
    compiled = re.fullmatch(r"compiled (\d+) kernels in [\d.]+ s; later runs load them from numba's cache\n",
                            first.stdout)
    assert compiled is not None, first.stdout
    assert int(compiled[1]) >= 16  # at least one compile for each lazy kernel
    assert any(cache.rglob("*.nbi")), "nothing was written to the cache"

    runs = subprocess.run([sys.executable, "-c", _RUNS, str(ROOT / "seeds")], env=env, capture_output=True,
                          text=True, timeout=600, cwd=ROOT)
    assert runs.returncode == 0, runs.stderr
    assert runs.stdout.split() == ["0"], runs.stdout + runs.stderr

    again = subprocess.run([sys.executable, "-m", "syndidetect", "compile"], env=env, capture_output=True,
                           text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert re.fullmatch(r"nothing to compile: numba's cache holds every kernel \(checked in [\d.]+ s\)\n",
                        again.stdout), again.stdout


def test_the_warm_up_workload_holds_copies_of_every_kind_and_boilerplate() -> None:
    # The kernels of verification run only on pairs that share text: the made-up pages must have them.
    report = sd.detect(workload())
    kinds = {p.kind for p in report.copies}
    assert {"verbatim", "reworded"} <= kinds
    assert len(report.copies) >= 20
    assert report.boilerplate
    assert len(workload()) == len(report.documents)
    assert workload() == workload()  # the same every time: a seeded generator


def test_a_cache_numba_cannot_write_is_said(monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("syndidetect.warmup.compile_kernels", lambda: Warmed(22, 60.0))
    monkeypatch.setattr(compile_command, "uncached_kernels", lambda: ["_sketch_rows", "_sides"])
    assert main(["compile"]) == 0
    assert capsys.readouterr().out == ("numba found no writable place for its cache here: 2 kernels will compile "
                                       "again in each process (set NUMBA_CACHE_DIR to a writable folder)\n")


def test_one_compile_is_worded_in_the_singular(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("syndidetect.warmup.compile_kernels", lambda: Warmed(1, 2.5))
    monkeypatch.setattr(compile_command, "uncached_kernels", lambda: [])
    assert main(["compile"]) == 0
    assert capsys.readouterr().out == "compiled 1 kernel in 2.5 s; later runs load it from numba's cache\n"
