"""The kernels run, quietly, where numba cannot write its cache (a read-only install, no writable home).

numba's NUMBA_CACHE_LOCATOR_CLASSES narrows where it may put the cache; ZipCacheLocator alone (for
packages inside zip files) finds no place for ours, which is exactly what a read-only install and an
unwritable home give: "RuntimeError: cannot cache function".
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _articles(seeds_dir: Path) -> list[str]:
    """The seed articles (not truth.json, which a folder scan names in a warning on stderr)."""
    return sorted(str(path) for path in seeds_dir.glob("*.txt"))


def _scan(seeds_dir: Path, tmp_path: Path, locators: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, NUMBA_CACHE_LOCATOR_CLASSES=locators, TMPDIR=str(tmp_path))
    return subprocess.run([sys.executable, "-m", "syndidetect", "scan", *_articles(seeds_dir), "--format", "json"],
                          capture_output=True, text=True, timeout=600, env=env)


def test_no_cache_location_at_all_still_scans_quietly(seeds_dir: Path, tmp_path: Path) -> None:
    normal = subprocess.run([sys.executable, "-m", "syndidetect", "scan", *_articles(seeds_dir), "--format", "json"],
                            capture_output=True, text=True, timeout=600)
    result = _scan(seeds_dir, tmp_path, "ZipCacheLocator")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == normal.stdout


def test_the_cache_moves_to_a_private_temporary_folder(seeds_dir: Path, tmp_path: Path) -> None:
    result = _scan(seeds_dir, tmp_path, "ZipCacheLocator,UserProvidedCacheLocator")
    assert (result.returncode, result.stderr) == (0, "")
    private = tmp_path / f"syndidetect-numba-{os.getuid()}"
    assert private.stat().st_mode & 0o777 == 0o700
    assert any(private.rglob("*.nbi")), "compiled kernels were cached there"
