"""What the kernels that spare comparisons of similar sentences count towards compiling when numba's
cache lacks them (``_kernels.lazy``): the seconds those comparisons take, which follow the sentences
of the pair (a matrix of their scores), not the number of pairs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from syndidetect._kernels import sentence_reach, tfidf_rows
from syndidetect._kernels.lazy import LazyKernel
from syndidetect.config import Config
from syndidetect.documents import Document
from syndidetect.prepared import prepare_documents
from syndidetect.sentence_sets import prepared_sentences
from syndidetect.tfidf import SentenceTerms

LONG = " ".join(f"The council met on day {k} to weigh the harbour plan and its costs." for k in range(40))
SHORT = "A short note on the harbour plan was read out by the mayor today."


def asked(monkeypatch: pytest.MonkeyPatch, kernel: LazyKernel[Any]) -> list[float | None]:
    """The work of each request of ``kernel`` from now on (None: no work given, the weight counts);
    the kernel stays on its numpy path."""
    seen: list[float | None] = []

    def get(weight: int = 1, work: Callable[[], float] | None = None) -> None:
        seen.append(None if work is None else work())
        return None

    monkeypatch.setattr(kernel, "get", get)
    return seen


def terms(text: str) -> SentenceTerms:
    doc = prepare_documents([Document("d", text)], Config())[0]
    return prepared_sentences(doc).terms


def test_the_scores_count_the_seconds_their_matrix_saves(monkeypatch: pytest.MonkeyPatch) -> None:
    long, short = terms(LONG), terms(SHORT)
    assert (long.sentences, short.sentences) == (40, 1)
    seen = asked(monkeypatch, tfidf_rows.SCORES)
    assert tfidf_rows.scores(long, short) is None and tfidf_rows.scores(long, long) is None
    pair, product = tfidf_rows.SCORES_PAIR_SECONDS, tfidf_rows.SCORES_PRODUCT_SECONDS
    assert seen == [pytest.approx(pair + 40 * product), pytest.approx(pair + 1600 * product)]
    assert tfidf_rows.SCORES.cost is not None and tfidf_rows.SCORES.cost.saved == 1.0  # counted in seconds


def test_the_sentence_bound_counts_the_comparisons_it_spares(monkeypatch: pytest.MonkeyPatch) -> None:
    long, short = terms(LONG), terms(SHORT)
    seen = asked(monkeypatch, sentence_reach.REACH)
    assert sentence_reach.reach_later([(long, short), (long, long)], 0.5, (2, 0.3)) is None
    pair, product = sentence_reach.REACH_PAIR_SECONDS, sentence_reach.REACH_PRODUCT_SECONDS
    assert seen == [pytest.approx(2 * pair + (40 + 1600) * product)]
