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

# The seeds detected with the compiled signature kernel forced (a command on so few documents uses the
# numpy kernel and never imports numba: see minhash.FAST_KERNEL_AFTER_TEXTS).
_DETECT_WITH_NUMBA = """
import json, sys
from pathlib import Path
import syndidetect as sd
docs = [(p.name, p.read_text("utf-8")) for p in sorted(Path(sys.argv[1]).glob("*.txt"))]
print(json.dumps(sd.detect(docs, sd.Config(backend="numba")).to_dict(), sort_keys=True))
"""


def _detect(seeds_dir: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", _DETECT_WITH_NUMBA, str(seeds_dir)],
                          capture_output=True, text=True, timeout=600, env=env)


def _scan(seeds_dir: Path, tmp_path: Path, locators: str) -> subprocess.CompletedProcess[str]:
    return _detect(seeds_dir, dict(os.environ, NUMBA_CACHE_LOCATOR_CLASSES=locators, TMPDIR=str(tmp_path)))


def test_no_cache_location_at_all_still_scans_quietly(seeds_dir: Path, tmp_path: Path) -> None:
    normal = _detect(seeds_dir)
    result = _scan(seeds_dir, tmp_path, "ZipCacheLocator")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == normal.stdout and '"pairs"' in normal.stdout


def test_the_cache_moves_to_a_private_temporary_folder(seeds_dir: Path, tmp_path: Path) -> None:
    result = _scan(seeds_dir, tmp_path, "ZipCacheLocator,UserProvidedCacheLocator")
    assert (result.returncode, result.stderr) == (0, "")
    private = tmp_path / f"syndidetect-numba-{os.getuid()}"
    assert private.stat().st_mode & 0o777 == 0o700
    assert any(private.rglob("*.nbi")), "compiled kernels were cached there"
