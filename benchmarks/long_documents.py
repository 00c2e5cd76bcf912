"""Whole detection of long documents: two books, and many short items quoting long documents.

    python -m benchmarks.long_documents [N ...]      # default 5000 20000 paragraphs

Two shapes the corpus's 20-paragraph documents never reach, each detected with
``syndidetect.detect`` in a fresh process (its own peak memory, read from ``ru_maxrss``):

* **two books**: two documents of ``N`` paragraphs of :mod:`benchmarks.corpus`, the second holding
  a stretch of the first (``SHARED`` of its paragraphs, one in three lightly reworded) among its
  own;
* **quoted long documents**: four documents of ``N // 5`` paragraphs, each holding a stretch of the
  previous one, beside 4,000 five-paragraph items of the corpus, whose planted copies quote the
  long documents too (thousands of pairs of one long and one short document).

Prints each shape's wall time, peak memory, and the pairs and passages found.
"""

from __future__ import annotations

import json
import resource
import sys
import time

import syndidetect as sd
from benchmarks.corpus import make_corpus
from benchmarks.fresh_process import measured

SHARED = 0.3  # share of a book's paragraphs the other holds
REWORDED_EVERY = 3  # one paragraph in this many of the shared stretch is reworded
ITEMS = 4000  # short items beside the quoted long documents
ITEM_PARAGRAPHS = 5


def _reworded(text: str) -> str:
    """``text`` with one word in seven replaced: a light revision."""
    words = text.split()
    return " ".join("zorp" if k % 7 == 0 else w for k, w in enumerate(words))


def books(n: int) -> list[sd.Document]:
    """Two documents of ``n`` paragraphs, the second holding a stretch of the first."""
    texts = make_corpus(2 * n, seed=5).texts
    first, second = texts[:n], list(texts[n:])
    shared = int(SHARED * n)
    for k in range(shared):
        paragraph = first[n // 3 + k] if n // 3 + k < n else first[k]
        second[n // 5 + k] = _reworded(paragraph) if k % REWORDED_EVERY == 0 else paragraph
    return [sd.Document("book-a", "\n\n".join(first)), sd.Document("book-b", "\n\n".join(second))]


def quoted(n: int, items: int = ITEMS) -> list[sd.Document]:
    """Four documents of ``n // 5`` paragraphs, each holding a stretch of the one before, and
    ``items`` short items of the corpus."""
    size = n // 5
    texts = make_corpus(4 * size + items * ITEM_PARAGRAPHS, seed=11).texts
    longs = [texts[k * size : (k + 1) * size] for k in range(4)]
    for k in range(1, 4):
        longs[k][10 : 10 + size // 4] = longs[k - 1][size // 10 : size // 10 + size // 4]
    short = texts[4 * size :]
    return [sd.Document(f"long{k}", "\n\n".join(p)) for k, p in enumerate(longs)] + [
        sd.Document(f"item{k}", "\n\n".join(short[k * ITEM_PARAGRAPHS : (k + 1) * ITEM_PARAGRAPHS]))
        for k in range(items)
    ]


SHAPES = {"two books": books, "quoted long documents": quoted}


def measure(shape: str, n: int) -> dict[str, float]:
    """Detect one shape in this process: wall seconds, peak MB, pairs and passages."""
    docs = SHAPES[shape](n)
    start = time.perf_counter()
    report = sd.detect(docs)
    wall = time.perf_counter() - start
    return {"wall": wall, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "pairs": len(report.pairs), "passages": sum(len(p.passages) for p in report.pairs)}


def main(sizes: list[int]) -> None:
    sd.detect([sd.Document("a", "warm up the kernels."), sd.Document("b", "warm up the kernels.")])
    for n in sizes:
        for shape in SHAPES:
            got = measured("benchmarks.long_documents", shape, str(n))
            print(f"{shape}, N={n}: {got['wall']:.2f} s, peak {got['peak_mb']:.0f} MB, "
                  f"{got['pairs']} pairs, {got['passages']} passages", flush=True)


if __name__ == "__main__":
    arguments = sys.argv[1:]
    if arguments[:1] == ["--one"]:
        print(json.dumps(measure(arguments[1], int(arguments[2]))))
    else:
        main([int(a) for a in arguments] or [5000, 20000])
