"""Whole detection against rensa's and datasketch's LSH pipelines, in one run (CI size).

``SYNDIDETECT_BENCH_PEERS_N`` paragraphs (1000 by default: about a minute in all), both shapes of
:mod:`benchmarks.peers`; ``python -m benchmarks.peers 20000`` prints the larger table on demand,
``python -m benchmarks.peers --shapes 20000`` the two shapes alternated.
"""

from __future__ import annotations

import os
import statistics
from typing import Any

import pytest

from benchmarks.peers import CONTENDERS, SHAPES, pair_ratios, shape, shapes_alternated
from benchmarks.report import note, record

PEERS_N = int(os.environ.get("SYNDIDETECT_BENCH_PEERS_N", "1000"))


@pytest.mark.parametrize("per_document", SHAPES)
@pytest.mark.parametrize("name", list(CONTENDERS))
def test_peers(benchmark: Any, name: str, per_document: int) -> None:
    s = shape(PEERS_N, per_document)
    CONTENDERS[name](s)  # compiled kernels loaded, imports done: not timed
    group = f"peers-{PEERS_N}-{per_document}-per-document"
    benchmark.group = group
    found = benchmark.pedantic(lambda: CONTENDERS[name](s), rounds=3, iterations=1)
    record(group, name, benchmark, ours=name == "syndidetect detect")
    note(f"{group} {name}: {len(found)} document pairs, recall of planted copies {s.recall(found):.4f}")
    assert s.recall(found) > 0.5  # each contender finds most planted copies on this corpus


def test_shapes_alternated() -> None:
    """The two shapes' detects in turn (:func:`shapes_alternated`, three pairs at the CI size): the
    per-paragraph ratios of one paragraph a document over 20, wall and CPU, in the summary."""
    one, twenty = shapes_alternated(PEERS_N, rounds=3)
    assert len(one) == len(twenty) == 3
    assert all(wall > 0 and cpu > 0 for wall, cpu in one + twenty)  # each detect ran and was timed
    for k, what in ((0, "wall"), (1, "CPU")):
        ratios = pair_ratios(one, twenty, k)
        note(f"shapes-{PEERS_N}: one paragraph a document over 20, {what} a paragraph, median of 3 alternated "
             f"pairs {statistics.median(ratios):.3f}")
