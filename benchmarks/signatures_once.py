"""Signatures of one corpus in a fresh process, for alternating two versions of the kernel.

    python -m benchmarks.signatures_once [N]      # default 20000 paragraphs
    python -m benchmarks.signatures_once --scripts [N]   # the same texts in other scripts

Prints the median wall and CPU time of 21 calls of ``fast.signatures_only`` (128 permutations,
3-word shingles) after one call that loads the kernel. With ``--scripts``, the same for the corpus
written in other scripts (:data:`SCRIPTS`: each Latin letter of its words replaced by one letter of
the script, so the texts keep their words, lengths and shingles and only the code points the
tokeniser reads change), with each one's time over the Latin corpus's. A fresh process matters: memory that earlier
work freed is reused, and fresh memory costs a page fault a page the first time it is written
(``benchmarks/HISTORY.md``, tenth round), so a process that already holds large buffers can hide
that cost. Run it with each version on ``PYTHONPATH``, alternated, on this machine whose speed drifts.
"""

from __future__ import annotations

import statistics
import sys
import time

from benchmarks.corpus import make_corpus
from syndidetect._kernels import fast
from syndidetect.minhash import permutations

CALLS = 21
_LATIN = "abcdefghijklmnopqrstuvwxyz"
#: What each of the 26 lower-case Latin letters becomes in a script (capitals stay Latin). Greek is
#: written in capitals, which the tokeniser folds to lower case one code point at a time.
SCRIPTS: dict[str, str] = {
    "Latin with accents": "äbcdéfghíjklmnøpqrstüvwxýz",  # the vowels only: a text mostly ASCII
    "Cyrillic": "абцдефгхийклмнопярстувщхыз",
    "Greek, in capitals": "ΑΒΨΔΕΦΓΗΙΞΚΛΜΝΟΠΘΡΣΤΥΩΣΧΥΖ",
    "Arabic": "ابتثجحخدذرزسشصضطظعغفقكلمنه",
    "Devanagari": "अबचदएफगहइजकलमनओपटरसतउवणषयझ",
    "CJK (a character a token)": "的一是不了人我在有他这中大来上国个到说们为子和你地出",
}


def _time(texts: list[str]) -> tuple[float, float]:
    """Median wall and CPU seconds of CALLS calls (after one that loads the kernel)."""
    a, b = permutations(128, 1)
    fast.signatures_only(texts, a, b, 3)  # load (or compile) the kernel
    wall, cpu = [], []
    for _ in range(CALLS):
        started, cpu_started = time.perf_counter(), time.process_time()
        fast.signatures_only(texts, a, b, 3)
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    return statistics.median(wall), statistics.median(cpu)


def main(argv: list[str]) -> None:
    scripts = "--scripts" in argv
    argv = [arg for arg in argv if arg != "--scripts"]
    n = int(argv[0]) if argv else 20000
    texts = make_corpus(n, seed=0).texts
    wall, cpu = _time(texts)
    print(f"{fast.__file__}: {n} paragraphs, median of {CALLS} calls: "
          f"wall {wall * 1000:.1f} ms, CPU {cpu * 1000:.1f} ms")
    for name, letters in SCRIPTS.items() if scripts else ():
        table = str.maketrans(_LATIN, letters)
        script_wall, script_cpu = _time([t.translate(table) for t in texts])
        print(f"  {name}: wall {script_wall * 1000:.1f} ms ({script_wall / wall:.2f}x), "
              f"CPU {script_cpu * 1000:.1f} ms ({script_cpu / cpu:.2f}x)")


if __name__ == "__main__":
    main(sys.argv[1:])
