"""Whole detection of the same documents written in other scripts.

    python -m benchmarks.detect_scripts [--paragraphs K] [N]   # default 1000 documents of 20 paragraphs

``N`` documents of 20 paragraphs (or ``K``: one-paragraph documents, as short items, take other
paths, batched differently) of :mod:`benchmarks.corpus` (its copies and near copies among
them), detected with ``syndidetect.detect`` as they are and rewritten in other scripts: each Latin
letter replaced by one of the script's (:data:`benchmarks.signatures_once.SCRIPTS`: the same words,
lengths and shingles), and, for Chinese and Japanese, each word replaced by one or two ideographs
chosen by a hash of the word, full stops by the ideographic one and no spaces between ideographs
(a character a token, as those scripts are read; the letter-for-letter CJK corpus would make every
three-letter run a shared shingle). Prints the median wall time of three calls after one that
warms up (and compiles) each script's paths, its ratio to the Latin corpus's, and the pairs found.
"""

from __future__ import annotations

import re
import statistics
import sys
import time
import zlib

import syndidetect as sd
from benchmarks.corpus import make_corpus
from benchmarks.signatures_once import SCRIPTS

PARAGRAPHS = 20  # a document's paragraphs
CALLS = 3
_LATIN = "abcdefghijklmnopqrstuvwxyz"
_IDEOGRAPHS = 3000  # ideographs words are drawn from (U+4E00 on): about a reader's common characters
_WORD = re.compile(r"[A-Za-z]+")
_BETWEEN_IDEOGRAPHS = re.compile(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])")


def ideographic(text: str) -> str:
    """``text`` with each word one or two ideographs (by the CRC-32 of the word in lower case, so
    a word is written alike everywhere), ". " the ideographic full stop, no space between ideographs."""

    def word(m: re.Match[str]) -> str:
        h = zlib.crc32(m.group().lower().encode())
        return "".join(chr(0x4E00 + (h >> (10 * k)) % _IDEOGRAPHS) for k in range(1 + (h >> 20) % 2))

    return _BETWEEN_IDEOGRAPHS.sub("", _WORD.sub(word, text).replace(". ", "\u3002"))


def documents(n: int, paragraphs: int = PARAGRAPHS) -> list[str]:
    """``n`` documents of ``paragraphs`` paragraphs of the benchmark corpus."""
    texts = make_corpus(n * paragraphs, seed=0).texts
    return ["\n\n".join(texts[k * paragraphs : (k + 1) * paragraphs]) for k in range(n)]


def written_in(texts: list[str]) -> dict[str, list[str]]:
    """``texts`` written in each other script, by the script's name."""
    variants = {name: [t.translate(str.maketrans(_LATIN, letters)) for t in texts]
                for name, letters in SCRIPTS.items() if not name.startswith("CJK")}
    variants["Chinese-like (a word an ideograph or two)"] = [ideographic(t) for t in texts]
    return variants


def _time(texts: list[str]) -> tuple[float, int]:
    """Median wall seconds of CALLS detections of ``texts`` (after one), and the pairs found."""
    docs = [sd.Document(f"d{k}", text) for k, text in enumerate(texts)]
    report = sd.detect(docs)
    wall = []
    for _ in range(CALLS):
        started = time.perf_counter()
        report = sd.detect(docs)
        wall.append(time.perf_counter() - started)
    return statistics.median(wall), len(report.pairs)


def main(argv: list[str]) -> None:
    paragraphs = PARAGRAPHS
    if "--paragraphs" in argv:
        at = argv.index("--paragraphs")
        paragraphs = int(argv[at + 1])
        argv = argv[:at] + argv[at + 2 :]
    n = int(argv[0]) if argv else 1000
    texts = documents(n, paragraphs)
    latin, pairs = _time(texts)
    print(f"{n} documents of {paragraphs} paragraphs, median of {CALLS} detections: Latin {latin:.3f} s, "
          f"{pairs} pairs")
    for name, written in written_in(texts).items():
        wall, found = _time(written)
        print(f"  {name}: {wall:.3f} s ({wall / latin:.2f}x), {found} pairs")


if __name__ == "__main__":
    main(sys.argv[1:])
