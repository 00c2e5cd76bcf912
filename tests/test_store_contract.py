"""Every store gives the same candidates and the same reports: stores keep documents and postings,
``syndidetect.lsh`` generates candidates, including when a bucket outgrows the chaining limit."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

import syndidetect as sd
from syndidetect.document_candidates import document_pairs
from syndidetect.lsh import MAX_BUCKET, band_layout, stored_candidates
from syndidetect.prepared import prepare_documents
from syndidetect.store import MemoryStore, SQLiteStore, Store

CONFIG = sd.Config()
StoreFactory = Callable[[Path], Store]
STORES: dict[str, StoreFactory] = {
    "memory": lambda _: MemoryStore(*band_layout(CONFIG)),
    "sqlite": lambda tmp: SQLiteStore(tmp / "contract.db", CONFIG),
}


def _words(rng: np.random.RandomState, n: int) -> str:
    """``n`` made-up words from a vocabulary large enough that two such texts share no phrase."""
    syllables = ["ka", "lo", "mi", "nu", "pe", "ra", "si", "to", "vu", "ze", "bra", "dri", "glo", "plu", "ste"]
    picks = rng.randint(0, len(syllables), (n, 3))
    return " ".join("".join(syllables[k] for k in word) for word in picks) + "."


SHARED = _words(np.random.RandomState(7), 80)  # a long paragraph: not boilerplate (over 30 words)


def big_bucket(documents: int, repeats: int) -> list[sd.Document]:
    """``documents`` documents of two paragraphs of their own and ``repeats`` copies of SHARED."""
    rng = np.random.RandomState(documents * 10 + repeats)
    docs = []
    for i in range(documents):
        own = [_words(rng, 40), _words(rng, 40)]
        docs.append(sd.Document(f"doc{i:03d}", "\n\n".join([own[0], *[SHARED] * repeats, own[1]])))
    return docs


@pytest.fixture(params=sorted(STORES))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    made = STORES[request.param](tmp_path)
    yield made
    made.close()


def _pairs(store: Store) -> list[tuple[str, str]]:
    docs = [store.get(i) for i in store.ids()]
    found = document_pairs(docs, store.bands, store.rows, CONFIG.threshold)
    return [(docs[i].id, docs[j].id) for i, j in found.tolist()]


@pytest.mark.parametrize(("documents", "repeats", "expected"), [
    (150, 2, 149),  # 300 rows in one bucket: over the limit, chained
    (MAX_BUCKET + 44, 1, MAX_BUCKET + 43),  # 300 documents once each: chained
    (40, 1, 40 * 39 // 2),  # under the limit: every pair
])
def test_candidate_pairs_follow_one_chaining_rule(store: Store, documents: int, repeats: int, expected: int) -> None:
    store.put(prepare_documents(big_bucket(documents, repeats), CONFIG))
    pairs = _pairs(store)
    assert len(pairs) == expected
    if expected < documents * (documents - 1) // 2:  # a chain links neighbours in insertion order
        assert pairs[:2] == [("doc000", "doc001"), ("doc001", "doc002")]


def test_postings_of_a_big_bucket_name_every_holder(store: Store) -> None:
    """Queries are not chained: a query holding the shared paragraph finds all 150 holders."""
    store.put(prepare_documents(big_bucket(150, 2), CONFIG))
    query = prepare_documents([sd.Document("q", SHARED)], CONFIG)
    assert stored_candidates(query, store.postings, store.bands, store.rows) == [[f"doc{i:03d}" for i in range(150)]]


def _report(factory: StoreFactory, tmp: Path, docs: list[sd.Document], queries: list[sd.Document]) -> str:
    with sd.Detector(CONFIG, factory(tmp)) as det:
        det.add_many(docs)
        both = {"copies": det.find_copies().to_dict(), "query": det.query(queries).to_dict()}
    return json.dumps(both, sort_keys=True)


def test_reports_are_equal_for_every_store(tmp_path: Path) -> None:
    docs = big_bucket(150, 2)
    queries = [sd.Document("q", f"{_words(np.random.RandomState(1), 40)}\n\n{SHARED}"),
               sd.Document("doc005", docs[5].text)]  # a new version of a stored document
    for name in STORES:
        (tmp_path / name).mkdir()
    reports = {name: _report(factory, tmp_path / name, docs, queries) for name, factory in STORES.items()}
    assert reports["memory"] == reports["sqlite"]
    parsed = json.loads(reports["memory"])
    assert len(parsed["copies"]["pairs"]) == 149
    assert len(parsed["query"]["pairs"]) == 150 + 149  # q with each holder; doc005 with every other
