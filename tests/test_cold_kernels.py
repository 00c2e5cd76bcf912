"""Kernels numba's cache lacks (a fresh install, an upgrade) wait for the work that repays compiling
them, and what their numpy paths cost is kept across runs (``_kernels.lazy``, ``_kernels.rent``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from syndidetect._kernels import lazy
from syndidetect._kernels.jit import compile_cached, held_by_numba_cache, imported_numba, recording_dispatchers
from syndidetect._kernels.lazy import CompileCost, LazyKernel
from syndidetect._kernels.rent import add_spent, place_for, spent
from syndidetect.distributed.tasks import dask_task


@pytest.fixture
def empty_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """numba's cache moved to an empty folder for the dispatchers made from now on."""
    numba = imported_numba()
    folder = tmp_path / "numba-cache"
    folder.mkdir()
    monkeypatch.setattr(numba.config, "CACHE_DIR", str(folder))
    monkeypatch.setattr(lazy, "_RENTING", [])  # no exit handler for the test's kernels
    return folder


def _plus_three(x: int) -> int:
    return x + 3


def _build_plus_three() -> Any:
    return compile_cached(_plus_three, nogil=True)


def _times_two(x: int) -> int:
    return 2 * x


def test_the_cache_holds_a_kernel_once_it_compiled(empty_cache: Path) -> None:
    with recording_dispatchers() as made:
        kernel = _build_plus_three()
    assert made == [kernel]
    assert not held_by_numba_cache(made)  # an empty cache
    assert kernel(1) == 4  # compiles, and numba writes it to its cache
    assert held_by_numba_cache(made) and held_by_numba_cache([(kernel,)])
    assert held_by_numba_cache([len, "not a kernel"])  # nothing to compile


def test_a_kernel_numba_may_not_cache_is_never_held(empty_cache: Path) -> None:
    numba = imported_numba()
    uncached = numba.njit(cache=False)(_plus_three)
    assert uncached(1) == 4
    assert not held_by_numba_cache([uncached])


def test_a_kernel_the_cache_lacks_waits_for_the_work_that_repays_its_compile(empty_cache: Path) -> None:
    kernel = LazyKernel(_build_plus_three, after=2, cost=CompileCost(seconds=1.0, saved=0.1))  # 10 units
    assert [kernel.get(3), kernel.get(3), kernel.get(3)] == [None, None, None]  # 9 units: numpy's path
    assert kernel.numpy_seconds() == pytest.approx(0.9)
    taken = kernel.get(1)
    assert taken is not None and taken(2) == 5 and kernel.numpy_seconds() == 0.0
    # The next process finds it in numba's cache: taken after 2 units.
    again = LazyKernel(_build_plus_three, after=2, cost=CompileCost(seconds=1.0, saved=0.1))
    assert again.get(1) is None and again.get(1) is not None


def test_what_the_numpy_path_cost_counts_in_the_next_run(empty_cache: Path) -> None:
    first = LazyKernel(_build_plus_three, after=2, cost=CompileCost(seconds=1.0, saved=0.1))
    assert first.get(6) is None
    first.keep_spend()  # at exit: 0.6 s spent of the 1.0 s compile
    first.keep_spend()  # kept once: called again, nothing more is added
    second = LazyKernel(_build_plus_three, after=2, cost=CompileCost(seconds=1.0, saved=0.1))
    assert second.get(3) is None and second.get(1) is not None  # 0.4 s left: 4 units


def _ask_kernel(kernel: LazyKernel[Any], units: int) -> bool:
    return kernel.get(units) is not None


def test_a_dask_task_keeps_what_its_numpy_paths_cost(empty_cache: Path) -> None:
    # A Dask worker ends without Python's exit handlers: each task keeps its spend when it ends.
    task = dask_task(_ask_kernel)
    first = LazyKernel(_build_plus_three, after=2, cost=CompileCost(seconds=1.0, saved=0.1))
    assert task(first, 3) is False and task(first, 3) is False  # 0.6 s spent, none kept twice
    second = LazyKernel(_build_plus_three, after=2, cost=CompileCost(seconds=1.0, saved=0.1))
    assert second.get(3) is None and second.get(1) is not None  # 0.4 s left: 4 units


def test_a_kernel_without_a_cost_is_taken_at_its_count(empty_cache: Path) -> None:
    kernel = LazyKernel(_build_plus_three, after=2)
    assert kernel.get() is None and kernel.get() is not None


def test_a_kernel_made_for_another_kernels_build_is_not_handed_out(empty_cache: Path) -> None:
    kernel = LazyKernel(_build_plus_three, after=1, cost=CompileCost(seconds=1.0, saved=0.1))
    made = kernel.made()
    assert made is not None and made(0) == 3  # compiled and cached by the other kernel's call
    assert kernel.get() is made  # now held by the cache: taken at its count


def test_a_kernel_is_held_by_its_own_dispatchers_not_those_it_made_for_another(empty_cache: Path) -> None:
    inner = LazyKernel(_build_plus_three, after=1, cost=CompileCost(seconds=1.0, saved=0.1))

    def build_outer() -> Any:
        made = inner.made()
        assert made is not None and made(0) == 3  # the inner kernel compiled: numba's cache holds it
        return compile_cached(_times_two, nogil=True)

    outer = LazyKernel(build_outer, after=1, cost=CompileCost(seconds=1.0, saved=0.1))
    assert outer.get() is None  # its own dispatcher is not in the cache: its numpy path
    assert inner.get() is not None  # the inner one is, and is taken at its count
    taken = outer.get(10)
    assert taken is not None and taken(4) == 8


def test_the_spend_is_stamped_with_the_source(tmp_path: Path) -> None:
    source = tmp_path / "kernels.py"
    source.write_text("x = 1\n")
    place = place_for(str(tmp_path), "kernels._build", str(source))
    assert place is not None and spent(place) == 0.0
    add_spent(place, 1.5)
    add_spent(place, 0.25)
    assert spent(place) == 1.75
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".rent-")] == []  # no temporary left
    source.write_text("x = 22\n")  # an upgrade: another size
    upgraded = place_for(str(tmp_path), "kernels._build", str(source))
    assert upgraded is not None and spent(upgraded) == 0.0
    upgraded.path.write_text("{not json")
    assert spent(upgraded) == 0.0
    assert place_for(str(tmp_path), "kernels._build", str(tmp_path / "missing.py")) is None


# A detection in a process of its own, its documents a folder's files, its report printed as JSON.
_DETECT = """
import json, sys
from pathlib import Path
import syndidetect as sd
docs = [(p.name, p.read_text("utf-8")) for p in sorted(Path(sys.argv[1]).iterdir())]
print(json.dumps(sd.detect(docs).to_dict(), sort_keys=True))
"""


def test_a_first_run_on_a_few_dozen_pages_compiles_nothing(tmp_path: Path) -> None:
    # Before, a first scan of 60 articles of 20 paragraphs after an install took 34 s, 30 of them
    # compiling; their numpy paths take about a second.
    import syndidetect as sd
    from syndidetect.warmup import workload

    pages = tmp_path / "pages"
    pages.mkdir()
    docs = [(f"{seed}-{doc.id}.txt", doc.text) for seed in (0, 1) for doc in workload(seed)]
    for name, text in docs:
        (pages / name).write_text(text, "utf-8")
    cache = tmp_path / "cache"
    cache.mkdir()
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache))
    done = subprocess.run([sys.executable, "-c", _DETECT, str(pages)], env=env, capture_output=True, text=True,
                          timeout=600)
    assert (done.returncode, done.stderr) == (0, "")
    expected = sd.detect(sorted(docs), sd.Config(backend="numba")).to_dict()
    assert json.loads(done.stdout) == json.loads(json.dumps(expected, sort_keys=True))
    assert expected["pairs"], "the pages hold copies"
    assert not list(cache.rglob("*.nbi")), "no kernel compiled"
    assert list(cache.rglob("syndidetect-rent-*.json")), "what the numpy paths cost is kept"
    # The command line ends its process at once (os._exit): it keeps the spend before that.
    command_cache = tmp_path / "command-cache"
    command_cache.mkdir()
    env = dict(os.environ, NUMBA_CACHE_DIR=str(command_cache))
    scan = subprocess.run([sys.executable, "-m", "syndidetect", "scan", str(pages), "--format", "json"], env=env,
                          capture_output=True, text=True, timeout=600)
    assert scan.returncode == 0 and scan.stderr == ""
    assert not list(command_cache.rglob("*.nbi"))
    kept = list(command_cache.rglob("syndidetect-rent-*.json"))
    assert kept and all(json.loads(p.read_text())["seconds"] > 0 for p in kept)


def test_the_work_given_counts_towards_the_cold_count_not_the_weight(empty_cache: Path) -> None:
    asked: list[int] = []

    def work(seconds: float) -> Callable[[], float]:
        def asked_for() -> float:
            asked.append(1)
            return seconds

        return asked_for

    kernel = LazyKernel(_build_plus_three, after=2, cost=CompileCost(seconds=1.0, saved=1.0))  # 1.0 s of work
    assert kernel.get(5, work(0.6)) is None  # past its count of requests, short of the work
    assert kernel.numpy_seconds() == pytest.approx(0.6)
    taken = kernel.get(1, work(0.5))
    assert taken is not None and asked == [1, 1]
    assert kernel.get(1, work(9.0)) is taken and asked == [1, 1]  # taken: the work is not asked for
