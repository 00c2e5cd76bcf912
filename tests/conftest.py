"""Shared fixtures: the project's copy of the seed articles and their ground truth."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import datasketch
import numpy as np
import numpy.typing as npt
import pytest
import xxhash
from hypothesis import HealthCheck, settings

import syndidetect as sd

# Timing belongs in benchmarks: no Hypothesis example fails for its time (the default deadline is
# 200 ms an example, which a first call that loads a kernel, or a loaded CI machine, can pass), nor a
# test for the time its examples took to draw (the "too slow" health check).
settings.register_profile("syndidetect", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("syndidetect")

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def datasketch_minhash(text: str, num_perm: int = 128, seed: int = 1, shingle_size: int = 3) -> datasketch.MinHash:
    """The external oracle of the signature contract: datasketch's MinHash with xxh32, updated with
    the UTF-8 of ``sd.shingles(text)``."""
    m = datasketch.MinHash(num_perm=num_perm, seed=seed, hashfunc=xxhash.xxh32_intdigest)
    m.update_batch([s.encode("utf-8") for s in sd.shingles(text, shingle_size=shingle_size)])
    return m


def oracle(text: str, num_perm: int = 128, seed: int = 1, shingle_size: int = 3) -> npt.NDArray[np.uint32]:
    """The row ``sd.signatures`` must give for ``text``, by datasketch."""
    return np.asarray(datasketch_minhash(text, num_perm, seed, shingle_size).hashvalues, dtype=np.uint32)


def truth_key(text: str) -> str:
    """How truth.json names a paragraph: first 60 characters after NFKC and whitespace folding."""
    return " ".join(unicodedata.normalize("NFKC", text).split())[:60]


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def truth() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SEEDS / "truth.json").read_text(encoding="utf-8"))
    return data


def assert_refused_in_one_line(path: Path, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    """``path`` is refused by the library with an InputError matching ``message``, and by the CLI with
    one ``syndidetect: error:`` line and exit code 2."""
    from syndidetect.cli.main import main
    from syndidetect.errors import InputError
    from syndidetect.sources import read_inputs

    with pytest.raises(InputError, match=message):
        read_inputs([str(path)])
    capsys.readouterr()
    assert main(["scan", str(path)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("syndidetect: error: ")
