"""How fast the machine is running right now: a fixed piece of pure-Python work, timed.

On the shared 2-core virtual machine these benchmarks run on, the same work takes up to about twice
as long from one quarter hour to the next, with no steal time in ``/proc/stat``: a 30M-step Python
loop took 2.56 s and 4.36 s a minute apart (the fifty-ninth round). Process CPU time moves with it,
so neither wall nor CPU seconds alone tell a slow minute from slower code. The benchmarks that print
whole-run figures print this probe before and after, so each figure can be read beside the speed of
its minute.
"""

from __future__ import annotations

import time

#: Steps of the probe's loop: about 0.2-0.3 s on this machine, short beside the runs it frames.
PROBE_STEPS = 2_000_000


def probe_seconds(steps: int = PROBE_STEPS) -> float:
    """Wall seconds of ``steps`` additions in a Python loop (the best of three, so one preemption
    does not count)."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        total = 0
        for i in range(steps):
            total += i
        best = min(best, time.perf_counter() - start)
    return best


def probe_line(when: str) -> str:
    return f"machine probe {when}: {probe_seconds():.3f} s ({PROBE_STEPS:,} Python additions, best of 3)"
