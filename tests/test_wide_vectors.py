"""numba's compiles may use 512-bit vectors on a CPU with AVX-512 (``_kernels.jit``), unless the
user configured numba's CPU; each case runs in a fresh process, since numba reads its CPU features
once a process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

_CHILD = """
import json
from numba.core.codegen import get_host_cpu_features
from syndidetect._kernels.jit import imported_numba
host = get_host_cpu_features()
numba = imported_numba()
print(json.dumps({"host": host, "features": numba.config.CPU_FEATURES}))
"""


def _child(**env: str) -> dict[str, str | None]:
    clean = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CPU_NAME", "NUMBA_CPU_FEATURES")}
    out = subprocess.run([sys.executable, "-c", _CHILD], env={**clean, **env}, check=True, capture_output=True,
                         text=True)
    found: dict[str, str | None] = json.loads(out.stdout.strip().splitlines()[-1])
    return found


def test_features_are_the_hosts_with_512_bit_vectors_preferred_only_where_avx512_is() -> None:
    found = _child()
    host = found["host"]
    assert host is not None
    if "+avx512f" in host.split(","):
        assert found["features"] == f"{host},-prefer-256-bit"
    else:
        assert found["features"] is None  # numba's own choice, untouched


@pytest.mark.parametrize("variable", ["NUMBA_CPU_FEATURES", "NUMBA_CPU_NAME"])
def test_a_users_numba_cpu_setting_is_kept(variable: str) -> None:
    value = "+sse2" if variable == "NUMBA_CPU_FEATURES" else "generic"
    found = _child(**{variable: value})
    if variable == "NUMBA_CPU_FEATURES":
        assert found["features"] == value
    else:  # numba's own features for a named CPU (none given: empty), not the host's with ours
        assert not (found["features"] or "").endswith("-prefer-256-bit")


def test_kernels_compiled_with_the_setting_give_the_reference_signatures() -> None:
    """The setting changes the code's vector width, not its results (integer arithmetic): the
    compiled signatures of a few texts equal the numpy reference's, in a process that has it."""
    child = """
import numpy as np, syndidetect as sd
from numba.core import config
texts = ["Café’s menu: three words here, and more words after them.", "Ünïcode wörds, ascii words"] * 40
fast, ref = sd.signatures(texts, backend="numba"), sd.signatures(texts, backend="numpy")
print(config.CPU_FEATURES is None or config.CPU_FEATURES.endswith("-prefer-256-bit"), bool((fast == ref).all()))
"""
    clean = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CPU_NAME", "NUMBA_CPU_FEATURES")}
    out = subprocess.run([sys.executable, "-c", child], env=clean, check=True, capture_output=True, text=True)
    assert out.stdout.split() == ["True", "True"]
