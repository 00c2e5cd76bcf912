"""Whole detection of syndicated stories: the same articles republished word for word many times.

    python -m benchmarks.syndicated [--sites] [K ...]   # default 100 200 copies of each story

Three 20-paragraph stories of :mod:`benchmarks.corpus`, each republished ``K`` times (the same
text under ``K`` ids, as a wire story on ``K`` sites), beside ``OTHERS`` 20-paragraph documents of
the corpus (whose planted copies make the usual pairs). Every copy of a story is a copy of every
other: ``3 * K * (K - 1) / 2`` pairs among them, and in LSH each of a story's paragraphs falls in
one bucket of ``K`` rows in every band (buckets of more than ``lsh.MAX_BUCKET`` rows are chained
instead, so ``K`` up to 256 is the worst case). Each ``K`` is detected in a fresh process: wall
time, peak memory (``ru_maxrss``), the memory the report holds (``tracemalloc``, which also slows
the run), and the pairs.

With ``--sites`` each copy is the story as a site runs it: under the site's own menu line, over its
own footer (25-40 words, of the corpus's vocabulary, different on every site), and sometimes cut
short by up to three paragraphs, so no two copies are the same text.
"""

from __future__ import annotations

import json
import random
import resource
import sys
import time
import tracemalloc

import syndidetect as sd
from benchmarks.corpus import make_corpus
from benchmarks.fresh_process import measured

STORIES = 3
PARAGRAPHS = 20  # a document's paragraphs
OTHERS = 1000


def documents(copies: int, others: int = OTHERS, sites: bool = False) -> list[sd.Document]:
    """``others`` documents of the corpus, then ``copies`` documents of each story (``copy{s}-{c}``);
    ``sites``: each copy with its site's menu line and footer, some cut short (see the module)."""
    texts = make_corpus(PARAGRAPHS * (others + STORIES), seed=4).texts

    def paragraphs(k: int) -> list[str]:
        return texts[PARAGRAPHS * k : PARAGRAPHS * (k + 1)]

    docs = [sd.Document(f"d{k}", "\n\n".join(paragraphs(k))) for k in range(others)]
    vocabulary = sorted({word.strip(".,;:!?’'\"").lower() for text in texts[:2000] for word in text.split()} - {""})
    for story in range(STORIES):
        for c in range(copies):
            text = paragraphs(others + story)
            if sites:
                rng = random.Random(f"{story}-{c}")
                footer = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(25, 40)))
                text = [f"Site {c} | Home | World | Business | Sport", *text[: len(text) - rng.randint(0, 3)],
                        footer.capitalize() + "."]
            docs.append(sd.Document(f"copy{story}-{c}", "\n\n".join(text)))
    return docs


def measure(copies: int, sites: bool = False) -> dict[str, float]:
    """Detect once in this process: wall seconds, peak MB, the report's MB, and its pairs."""
    docs = documents(copies, sites=sites)
    start = time.perf_counter()
    report = sd.detect(docs)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    del report
    tracemalloc.start()
    report = sd.detect(docs)
    held, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"wall": wall, "peak_mb": peak, "report_mb": held / 1e6, "pairs": len(report.pairs)}


def main(counts: list[int], sites: bool = False) -> None:
    shape = "copies, each with its site's menu and footer," if sites else "copies"
    for copies in counts:
        got = measured("benchmarks.syndicated", str(copies), *(["--sites"] if sites else []))
        print(f"{STORIES} stories x {copies} {shape} among {OTHERS} documents: {got['wall']:.2f} s, peak "
              f"{got['peak_mb']:.0f} MB, report {got['report_mb']:.0f} MB, {got['pairs']} pairs", flush=True)


if __name__ == "__main__":
    arguments = sys.argv[1:]
    with_sites = "--sites" in arguments
    arguments = [a for a in arguments if a != "--sites"]
    if arguments[:1] == ["--one"]:
        print(json.dumps(measure(int(arguments[1]), with_sites)))
    else:
        main([int(a) for a in arguments] or [100, 200], with_sites)
