"""Our signatures inside datasketch, and datasketch's back in our format."""

from __future__ import annotations

from pathlib import Path

import datasketch
import numpy as np
import pytest

import syndidetect as sd
from conftest import datasketch_minhash
from syndidetect.errors import ConfigError, InputError


def test_ours_in_datasketch_lsh_queried_with_datasketch_made_minhashes(seeds_dir: Path) -> None:
    paragraphs = [p for f in sorted(seeds_dir.glob("*.txt")) for p in f.read_text("utf-8").split("\n\n")
                  if len(p.split()) >= 8]
    lsh = datasketch.MinHashLSH(threshold=0.8, num_perm=128)
    for i, lean in enumerate(sd.to_datasketch(sd.signatures(paragraphs))):
        lsh.insert(i, lean)
    for i, text in enumerate(paragraphs[:30]):
        found = lsh.query(datasketch_minhash(text))
        assert i in found
        assert all(paragraphs[j].split() and datasketch_minhash(paragraphs[j]).jaccard(
            datasketch_minhash(text)) > 0.3 for j in found)


def test_round_trip_and_jaccard_agree() -> None:
    texts = ["the river flooded the old town on monday", "the river flooded the new town on sunday"]
    sigs = sd.signatures(texts)
    lean = sd.to_datasketch(sigs)
    np.testing.assert_array_equal(sd.from_datasketch(lean), sigs)
    assert lean[0].jaccard(lean[1]) == pytest.approx(float((sigs[0] == sigs[1]).mean()))
    np.testing.assert_array_equal(sd.from_datasketch([datasketch_minhash(t) for t in texts]), sigs)


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(InputError, match="'signatures' must be a 2-d uint32 array; got int64"):
        sd.to_datasketch(np.zeros((2, 4), dtype=np.int64))
    with pytest.raises(ConfigError, match="'seed' must be an int"):
        sd.to_datasketch(sd.signatures(["x"]), seed=-2)
    with pytest.raises(InputError, match=r"minhashes\[0\] must use the 'affine32' scheme; got 'legacy'"):
        sd.from_datasketch([datasketch.MinHash(num_perm=8, scheme="legacy")])
    with pytest.raises(InputError, match=r"the same num_perm; got \[4, 8\]"):
        sd.from_datasketch([datasketch.MinHash(num_perm=4), datasketch.MinHash(num_perm=8)])
    assert sd.from_datasketch([]).shape == (0, 0)
