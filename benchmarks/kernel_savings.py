"""On-demand run: what each kernel saves over its numpy path, against the figure its cold count uses.

    python -m benchmarks.kernel_savings [--only NAME,...] [--pairs P] [SHAPE ...]  # 20000x20 20000x1
    python -m benchmarks.kernel_savings --sentences [SHAPE ...]

A kernel numba's cache lacks waits until its numpy path has cost what compiling it would
(``_kernels.lazy``): the work it is asked for, counted in its own units, times ``CompileCost.saved``,
the seconds it saves a unit. This run checks those figures on ``benchmarks.peers``' shapes (``NxK``:
N paragraphs, K a document; ``articlesN``: N articles of 20 paragraphs, as ``benchmarks.first_run``
writes them).

Default: for each kernel in turn, whole detections (``sd.detect``) with that kernel alone on its
numpy path and with it compiled (every other kernel compiled, whatever its count), alternated, P
pairs (default 3; ``--only``: the kernels whose names hold one of those strings); the median
difference of their wall times is what the kernel saved, shown beside the work it counted and its
estimate (that work times ``saved``). On this 2-core machine a detection of 20,000
paragraphs varies by 0.1-0.4 s from one run to the next: a difference below that is noise, and only
the kernels that save more say something.

``--sentences``: the two kernels whose numpy path is a comparison of similar sentences, timed on
those comparisons alone. Every pair whose sentences a detection bounds (``verify.
sentences_may_copy_later``) is compared in full (``verify.reworded_sentences``, what verification
does for every pair without the bound, ``_kernels.sentence_reach.REACH``), once untimed, then with
the scores kernel (``_kernels.tfidf_rows.SCORES``) compiled and on numpy's path, twice each.
"""

from __future__ import annotations

import collections
import gc
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import syndidetect as sd
import syndidetect.verify_batch as verify_batch
from benchmarks.corpus import make_corpus
from benchmarks.peers import shape
from syndidetect._kernels import lazy, tfidf_rows
from syndidetect._kernels.lazy import LazyKernel
from syndidetect.config import Config
from syndidetect.verify import eligible_sentences, reworded_sentences
from syndidetect.warmup import take_kernels_of_every_module

DEFAULT_SHAPES = ("20000x20", "20000x1")
PAIRS = 3  # alternated pairs of detections a kernel, by default (each kernel's 6 take 10-60 s at 20,000)
Documents = list[tuple[str, str]]


def documents(spec: str) -> Documents:
    """``NxK``: ``benchmarks.peers.shape(N, K)``'s documents; ``articlesN``: N articles of 20 paragraphs."""
    if spec.startswith("articles"):
        count = int(spec.removeprefix("articles"))
        texts = make_corpus(count * 20, seed=count).texts
        return [(f"article-{k}", "\n\n".join(texts[k * 20 : (k + 1) * 20])) for k in range(count)]
    paragraphs, per_document = spec.split("x")
    return shape(int(paragraphs), int(per_document)).documents


def kernel_name(kernel: LazyKernel[Any]) -> str:
    return kernel.name.removeprefix("syndidetect.")


class Toggled:
    """Every lazy kernel with a cold count taken whatever its work, but the one named ``numpy``,
    which stays on its numpy path; the work each is asked for counted in its cold count's units."""

    def __init__(self) -> None:
        self.numpy: str | None = None
        self.work: collections.defaultdict[str, float] = collections.defaultdict(float)
        self.kernels = {kernel_name(k): k for k in lazy.made_kernels() if k.cost is not None}
        self._get = LazyKernel.get

    def __enter__(self) -> Toggled:
        toggled = self

        def get(kernel: LazyKernel[Any], weight: int = 1, work: Callable[[], float] | None = None) -> Any:
            name = kernel_name(kernel)
            if name not in toggled.kernels:
                return toggled._get(kernel, weight, work)
            toggled.work[name] += weight if work is None else work()
            return None if name == toggled.numpy else kernel.compiled()

        setattr(LazyKernel, "get", get)  # noqa: B010 (a method replaced for the run)
        return self

    def __exit__(self, *exc: object) -> None:
        setattr(LazyKernel, "get", self._get)  # noqa: B010


def detect_seconds(docs: Documents) -> float:
    gc.collect()
    started = time.perf_counter()
    sd.detect(docs)
    return time.perf_counter() - started


def each_kernel(spec: str, only: list[str], pairs: int) -> None:
    docs = documents(spec)
    with Toggled() as toggled:
        sd.detect(docs)  # untimed: every kernel taken
        toggled.work.clear()
        sd.detect(docs)
        counted = dict(toggled.work)
        print(f"{spec}: seconds a detection saves by each kernel (numpy path minus compiled, median of "
              f"{pairs} alternated pairs) against its estimate (the work counted times CompileCost.saved)")
        for name, kernel in sorted(toggled.kernels.items()):
            if not counted.get(name) or (only and not any(part in name for part in only)):
                continue
            differences = []
            for round_ in range(pairs):
                seconds = {}
                for side in ("numba", "numpy") if round_ % 2 == 0 else ("numpy", "numba"):
                    toggled.numpy = name if side == "numpy" else None
                    seconds[side] = detect_seconds(docs)
                differences.append(seconds["numpy"] - seconds["numba"])
            toggled.numpy = None
            cost = kernel.cost
            assert cost is not None
            measured = statistics.median(differences)
            print(f"  {name:32} work {counted[name]:>12,.1f}  estimate {counted[name] * cost.saved:7.3f} s  "
                  f"measured {measured:7.3f} s ({', '.join(f'{d:.3f}' for d in differences)})")


def sentence_comparisons(spec: str) -> None:
    docs = documents(spec)
    asked: list[Any] = []
    bound = getattr(verify_batch, "sentences_may_copy_later")  # noqa: B009 (the name verification calls)

    def recording(pairs: Any, rules: Any, memo: Any = None) -> Any:
        asked.extend(pairs)
        return bound(pairs, rules, memo)

    setattr(verify_batch, "sentences_may_copy_later", recording)  # noqa: B010
    try:
        sd.detect(docs)
    finally:
        setattr(verify_batch, "sentences_may_copy_later", bound)  # noqa: B010
    rules = Config().rules
    sides = [(reworded_sides(a, masks[0]), reworded_sides(b, masks[1])) for a, b, masks in asked]
    products = sum(m * n for m, n in sides)
    median_side = statistics.median([count for pair in sides for count in pair]) if sides else 0
    print(f"{spec}: {len(asked):,} pairs whose sentences the detection bounds, {median_side:g} sentences a "
          f"side (median), {products / max(len(asked), 1):,.0f} sentence pairs a pair (mean)")
    for a, b, masks in asked:  # untimed: what the comparisons memoise a document is made once
        reworded_sentences(a, b, rules, masks)
    for side in ("compiled", "numpy", "compiled", "numpy"):
        if side == "numpy":
            setattr(tfidf_rows.SCORES, "get", lambda weight=1, work=None: None)  # noqa: B010 (its numpy path)
        started = time.perf_counter()
        for a, b, masks in asked:
            reworded_sentences(a, b, rules, masks)
        seconds = time.perf_counter() - started
        vars(tfidf_rows.SCORES).pop("get", None)  # the class's method again
        print(f"  every pair compared, the scores {side:8}: {seconds:6.3f} s, "
              f"{seconds / max(len(asked), 1) * 1e6:8.1f} us a pair")


def reworded_sides(doc: Any, mask: Any) -> int:
    """The eligible sentences of ``doc`` that ``reworded_sentences`` compares."""
    return len(eligible_sentences(doc, mask).terms.offsets) - 1


def main(argv: list[str]) -> None:
    sentences, only, pairs, shapes = False, [], PAIRS, []
    arguments = iter(argv)
    for argument in arguments:
        if argument == "--sentences":
            sentences = True
        elif argument == "--only":
            only = next(arguments).split(",")
        elif argument == "--pairs":
            pairs = int(next(arguments))
        else:
            shapes.append(argument)
    take_kernels_of_every_module()
    for spec in shapes or DEFAULT_SHAPES:
        if sentences:
            sentence_comparisons(spec)
        else:
            each_kernel(spec, only, pairs)


if __name__ == "__main__":
    main(sys.argv[1:])
