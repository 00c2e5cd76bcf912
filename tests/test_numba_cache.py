"""The kernels run, quietly, where numba cannot write its cache (a read-only install, no writable home).

numba's NUMBA_CACHE_LOCATOR_CLASSES narrows where it may put the cache; ZipCacheLocator alone (for
packages inside zip files) finds no place for ours, which is exactly what a read-only install and an
unwritable home give: "RuntimeError: cannot cache function".
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# The seeds detected with the compiled signature kernel forced (a command on so few documents uses the
# numpy kernel and never imports numba: see minhash.FAST_KERNEL_AFTER_TEXTS).
_DETECT_WITH_NUMBA = """
import json, sys
from pathlib import Path
import syndidetect as sd
docs = [(p.name, p.read_text("utf-8")) for p in sorted(Path(sys.argv[1]).glob("*.txt"))]
print(json.dumps(sd.detect(docs, sd.Config(backend="numba")).to_dict(), sort_keys=True))
"""

# The cache locators of each case: none that finds a place (the kernels compile for their process
# alone), and numba's user-provided locator too (the cache moves to a private temporary folder).
_LOCATORS = {"nowhere": "ZipCacheLocator", "private": "ZipCacheLocator,UserProvidedCacheLocator"}


class Finished:
    """A detection run in its own process, its output read once it ends."""

    def __init__(self, seeds_dir: Path, env: dict[str, str] | None = None) -> None:
        self._process = subprocess.Popen([sys.executable, "-c", _DETECT_WITH_NUMBA, str(seeds_dir)], env=env,
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self._result: tuple[int, str, str] | None = None

    def result(self) -> tuple[int, str, str]:
        """``(returncode, stdout, stderr)``, waiting for the process the first time."""
        if self._result is None:
            stdout, stderr = self._process.communicate(timeout=600)
            self._result = (self._process.returncode, stdout, stderr)
        return self._result

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
            self._process.communicate()


@pytest.fixture(scope="module")
def runs(seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[Finished, Path]]]:
    """Each case's run, with its own temporary folder, and one with numba's usual cache, started
    together: each case compiles the kernels on one core (about 20 s), so on two cores they overlap."""
    started: dict[str, tuple[Finished, Path]] = {"normal": (Finished(seeds_dir), Path())}
    for case, locators in _LOCATORS.items():
        folder = tmp_path_factory.mktemp(case)
        env = dict(os.environ, NUMBA_CACHE_LOCATOR_CLASSES=locators, TMPDIR=str(folder))
        started[case] = (Finished(seeds_dir, env), folder)
    yield started
    for process, _ in started.values():
        process.stop()


def test_no_cache_location_at_all_still_scans_quietly(runs: dict[str, tuple[Finished, Path]]) -> None:
    _, normal, _ = runs["normal"][0].result()
    returncode, stdout, stderr = runs["nowhere"][0].result()
    assert (returncode, stderr) == (0, "")
    assert stdout == normal and '"pairs"' in normal
    assert not any(runs["nowhere"][1].rglob("*.nbi")), "no compiled kernel was cached"


def test_the_cache_moves_to_a_private_temporary_folder(runs: dict[str, tuple[Finished, Path]]) -> None:
    (process, folder), (normal, _) = runs["private"], runs["normal"]
    returncode, stdout, stderr = process.result()
    assert (returncode, stderr) == (0, "")
    assert stdout == normal.result()[1]
    private = folder / f"syndidetect-numba-{os.getuid()}"
    assert private.stat().st_mode & 0o777 == 0o700
    assert any(private.rglob("*.nbi")), "compiled kernels were cached there"
