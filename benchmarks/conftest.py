"""Shared corpus fixtures and the end-of-run summary (ratios of medians, recall, compile time)."""

from __future__ import annotations

import os
import re

import pytest

from benchmarks.corpus import Corpus, make_corpus
from benchmarks.report import BENCH_N, summary

_WORD = re.compile(r"\w+")

# On-demand benchmarks are not collected at all unless asked for (so CI shows no skipped entries).
collect_ignore = [] if os.environ.get("SYNDIDETECT_BENCH_DASK") == "1" else ["test_distributed.py"]


def regex_shingles(text: str, size: int = 3) -> list[str]:
    """Shingling as rensa's and datasketch's users write it in Python."""
    words = _WORD.findall(text.lower())
    return [" ".join(words[i : i + size]) for i in range(max(1, len(words) - size + 1))] if words else []


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    return make_corpus(BENCH_N, seed=0)


@pytest.fixture(scope="session")
def shingle_lists(corpus: Corpus) -> list[list[str]]:
    return [regex_shingles(t) for t in corpus.texts]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    lines = summary()
    if len(lines) > 1:
        terminalreporter.write_sep("=", "syndidetect benchmark summary")
        for line in lines:
            terminalreporter.write_line(line)
