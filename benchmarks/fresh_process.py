"""A measurement run in a fresh process, for figures of its own: peak memory (``ru_maxrss`` is a
process's peak), and nothing compiled or cached by an earlier measurement but numba's cache."""

from __future__ import annotations

import json
import subprocess
import sys


def measured(module: str, *arguments: str) -> dict[str, float]:
    """What ``python -m module --one arguments...`` prints as JSON: that module's own measurement."""
    out = subprocess.run([sys.executable, "-m", module, "--one", *arguments], check=True, capture_output=True,
                         text=True).stdout
    result: dict[str, float] = json.loads(out)
    return result
