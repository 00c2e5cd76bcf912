"""The scaling run (``python -m benchmarks.scaling``) at the CI size: its child process's stages and
the verification line it prints, wall and CPU, a candidate pair (issue 13's target 3)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from benchmarks.report import note
from benchmarks.scaling import ROOT, alternated, alternated_summary, run, verification_line

SCALING_N = int(os.environ.get("SYNDIDETECT_BENCH_SCALING_N", "10000"))


def test_a_run_times_each_stage_in_wall_and_cpu_time() -> None:
    result = run(SCALING_N)
    names = [name for name, *_ in result["stages"]]
    assert names == ["prepare", "candidates", "verification"]  # the stages in order, each marked once
    walls = [wall for _, wall, _, _, _, _ in result["stages"]]
    cpus = [cpu for _, _, _, _, cpu, _ in result["stages"]]
    callers = [caller for *_, caller in result["stages"]]
    assert walls == sorted(walls) and cpus == sorted(cpus) and callers == sorted(callers)  # so far: never back
    assert all(caller <= cpu + 1e-3 for caller, cpu in zip(callers, cpus))  # one thread's share of the process's
    assert walls[-1] == pytest.approx(result["seconds"], abs=0.5)  # the last mark is the detection's end
    assert 0 < cpus[-1] <= result["user_s"] + result["system_s"] + 1e-6
    assert result["candidate_pairs"] > 0 and result["pairs"] > 0  # the corpus plants copies
    line = verification_line(result)
    note(f"scaling {SCALING_N} paragraphs: {result['seconds']:.1f} s; verification: {line}")
    assert f"{result['candidate_pairs']:,} candidate pairs" in line and "cores" in line and "calling thread" in line


def test_the_verification_line_divides_by_the_candidate_pairs() -> None:
    stages = [["prepare", 1.0, 0, 0, 1.5, 1.0], ["candidates", 3.0, 0, 0, 5.0, 2.5],
              ["verification", 7.0, 0, 0, 11.0, 6.1]]
    line = verification_line({"stages": stages, "candidate_pairs": 200_000})
    # verification: 4 s of wall, 6 s of CPU of which 3.6 s in the calling thread, for 200,000 pairs
    assert line == ("200,000 candidate pairs in 4.0 s (6.0 s CPU, 1.50 cores), "
                    "20.0 us a candidate pair (30.0 us of CPU); the calling thread busy 3.6 s, 90% of the wall time")
    assert verification_line({"stages": stages[:1], "candidate_pairs": 0}) == "no candidate pairs"


def _stages(calling: float) -> list[list[object]]:
    return [["prepare", 1.0, 0, 0, 1.5, 1.0], ["candidates", 3.0, 0, 0, 5.0, 2.5],
            ["verification", 7.0, 0, 0, 11.0, 2.5 + calling]]


def test_the_alternated_summary_sets_each_round_against_its_pair() -> None:
    # --against: the calling thread's time in verification (its last stage mark less the candidates'),
    # each version's median, and each round's ratio, this over the other, ascending.
    pairs = [({"stages": _stages(3.0), "pairs": 5}, {"stages": _stages(4.0), "pairs": 5}),
             ({"stages": _stages(2.0), "pairs": 5}, {"stages": _stages(2.5), "pairs": 5}),
             ({"stages": _stages(5.0), "pairs": 5}, {"stages": _stages(4.0), "pairs": 5})]
    assert alternated_summary(pairs) == (
        "the calling thread in verification: this 3.00 s, the other 4.00 s (medians of 3); this over the other, "
        "by round: 0.750, 0.800, 1.250; the same pairs: yes")
    pairs[1][1]["pairs"] = 6
    assert alternated_summary(pairs).endswith("the same pairs: NO")


def test_alternating_a_checkout_with_itself_finds_the_same_pairs() -> None:
    # Each run of --against loads every kernel first, then times the same stages as a plain run.
    (mine, theirs), = alternated(2000, ROOT / "src", 1)
    assert mine["pairs"] == theirs["pairs"] > 0
    assert [name for name, *_ in mine["stages"]] == ["prepare", "candidates", "verification"]
    assert alternated_summary([(mine, theirs)]).endswith("the same pairs: yes")


def test_each_version_runs_first_in_every_other_round(monkeypatch: pytest.MonkeyPatch) -> None:
    # Neither version always runs after the other: the order flips each round, the pairs stay
    # (this checkout's run, the other's).
    calls: list[Path | None] = []

    def recorded(size: int, keep_freed: bool = False, src: Path | None = None) -> dict[str, Any]:
        calls.append(src)
        return {"src": src, "call": len(calls)}

    monkeypatch.setattr("benchmarks.scaling.run", recorded)
    other = Path("/elsewhere/src")
    pairs = alternated(1000, other, 3)
    assert calls == [ROOT / "src", other, other, ROOT / "src", ROOT / "src", other]
    assert [(mine["src"], theirs["src"]) for mine, theirs in pairs] == [(ROOT / "src", other)] * 3
    assert [(mine["call"], theirs["call"]) for mine, theirs in pairs] == [(1, 2), (4, 3), (5, 6)]
