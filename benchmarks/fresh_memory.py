"""On-demand: what touching fresh memory costs on this machine, in huge pages and in small ones.

    python -m benchmarks.fresh_memory [MB] [PAIRS]

numpy advises the kernel to back each array of 4 MB or more with transparent huge pages
(``madvise(MADV_HUGEPAGE)``; ``NUMPY_MADVISE_HUGEPAGE=0`` turns the advice off, read when numpy is
imported). Where the kernel's setting is ``madvise`` (``/sys/kernel/mm/transparent_hugepage/enabled``)
that advice alone decides whether the arrays of detection, signatures included, come in pages of
2 MB or of 4 KB. Each child process allocates an array of ``MB`` megabytes and fills it, three
times, freeing it and idling a few seconds between fills; the pairs of processes, one with numpy's
advice and one without, alternate. It prints each fill's seconds and page faults.

On a virtual machine whose balloon hands free memory back to its host, a fresh huge page may be a
fresh 2 MB from the host: the forty-ninth round measured 2.0-2.8 s for 700 MB in huge pages against
0.28-0.34 s in small ones (``benchmarks/README.md``), while detection end to end was no faster
without the advice.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

_CHILD = """
import json, resource, sys, time
import numpy as np
size = int(sys.argv[1]) * 2**20
fills = []
for _ in range(3):
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    started = time.perf_counter()
    array = np.empty(size // 8)
    array.fill(1.0)
    fills.append((time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults))
    del array
    time.sleep(3)  # idle, as a process between stages: the kernel may hand the freed pages on
print(json.dumps(fills))
"""

#: Megabytes each fill touches by default: the size of the sentence LSH's band keys at 1M paragraphs.
DEFAULT_MB = 700
#: Alternated pairs of processes by default.
DEFAULT_PAIRS = 2


def fills(megabytes: int, huge_pages: bool) -> list[tuple[float, int]]:
    """``(seconds, page faults)`` of each of a fresh process's three fills of ``megabytes`` MB."""
    env = {**os.environ, "NUMPY_MADVISE_HUGEPAGE": "1" if huge_pages else "0"}
    out = subprocess.run([sys.executable, "-c", _CHILD, str(megabytes)], check=True, capture_output=True,
                         text=True, env=env)
    return [(float(seconds), int(faults)) for seconds, faults in json.loads(out.stdout.strip().splitlines()[-1])]


def main(argv: list[str]) -> None:
    megabytes = int(argv[0]) if argv else DEFAULT_MB
    pairs = int(argv[1]) if len(argv) > 1 else DEFAULT_PAIRS
    print(f"{megabytes} MB filled three times a process, {pairs} alternated pairs of processes")
    for _ in range(pairs):
        for huge in (True, False):
            found = fills(megabytes, huge)
            label = "huge pages (numpy's advice)" if huge else "small pages (NUMPY_MADVISE_HUGEPAGE=0)"
            print(f"{label:<40} " + "  ".join(f"{seconds:.3f} s ({faults:,} faults)" for seconds, faults in found))


if __name__ == "__main__":
    main(sys.argv[1:])
