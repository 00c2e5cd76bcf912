"""Boilerplate: template lines repeated across a corpus are set aside, copies are still found."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import syndidetect as sd
from syndidetect.boilerplate import (
    BoilerplateScan,
    boilerplate_lines,
    document_frequency,
    find_boilerplate,
    paragraph_fingerprints,
    query_boilerplate,
    short_hashes,
    short_paragraphs,
)
from syndidetect.cli.main import main
from syndidetect.config import Config
from syndidetect.documents import Document
from syndidetect.prepared import PreparedDocument, is_menu, prepare_documents

FOOTER = [
    "Sign up for our newsletter to get the best stories in your inbox every morning.",
    "© {year} The Daily Ledger. All rights reserved. Privacy policy and terms of use apply.",
]
BODIES = [
    ["The council approved a new budget for the harbour after a long debate on Tuesday evening.",
     "Fishermen welcomed the decision, saying the repairs to the pier were overdue by years.",
     "Work is expected to start in spring and to last until the end of the next summer season."],
    ["A rare bird was spotted near the lake by a group of students from the local university.",
     "Experts said the visitor had probably been blown off course by the storms of last week.",
     "Photographers gathered at dawn hoping to catch a glimpse before it flew away again."],
    ["The library will extend its opening hours during the exam period, the director said.",
     "Students had petitioned for longer hours, collecting more than two thousand signatures.",
     "Extra staff will be hired for the evenings, funded by a grant from the city council."],
    ["A bakery on Main Street won the regional prize for the best sourdough bread this year.",
     "The owner said the secret was patience, a cold kitchen and flour from a nearby mill.",
     "Queues have formed outside the shop every morning since the award was announced."],
    ["The marathon drew a record field of runners despite the cold and windy weather.",
     "The winner finished in just over two hours and twenty minutes, a course record.",
     "Organisers thanked the volunteers who handed out water along the entire route."],
]


def page(body: list[str], year: int) -> str:
    footer = [line.format(year=year) for line in FOOTER]
    return "\n\n".join([*body, *footer])


def corpus() -> list[Document]:
    docs = [Document(f"site/{i}.txt", page(body, 2020 + i)) for i, body in enumerate(BODIES)]
    copy = "\n\n".join(["Breaking", *BODIES[0], "Comments are closed."])
    return [*docs, Document("other/copy.txt", copy)]


def test_template_lines_are_not_copies_but_the_real_copy_is() -> None:
    report = sd.detect(corpus())
    assert [p.documents for p in report.copies] == [("other/copy.txt", "site/0.txt")]
    assert not [p for p in report.pairs if p.verdict == "related"]
    shown = {text for text, _ in report.boilerplate}
    assert any("newsletter" in t for t in shown) and any("All rights reserved" in t for t in shown)


def test_without_enough_repeats_nothing_is_boilerplate() -> None:
    docs = prepare_documents(corpus()[:3], Config())
    assert find_boilerplate(docs, Config()).masks == {}
    related = sd.detect(corpus()[:3]).pairs
    assert related and all(p.verdict == "related" for p in related)


def test_menus_are_never_matchable() -> None:
    assert is_menu("Politics | Tech | Home | Video | Opinion")
    assert not is_menu("A sentence - with a dash in it, and quite a few more words here.")
    doc = prepare_documents([Document("m", "Politics | Tech | Home | Video | Opinion | Sport")], Config())[0]
    assert not doc.matchable.any()


def test_a_copy_with_paragraphs_set_aside_counts_its_own_matchable_shingles() -> None:
    # matchable_shingles is counted once per copy: a copy with boilerplate set aside, made after the
    # document counted its own, counts only what stays matchable, and the document keeps its count.
    doc = prepare_documents([Document("d", "\n\n".join(BODIES[0] + FOOTER))], Config())[0]
    sizes = doc.shingle_counts()
    assert doc.matchable.all() and doc.matchable_shingles() == int(sizes.sum())
    aside = np.zeros(len(doc.paragraphs), dtype=np.bool_)
    aside[-2:] = True
    stripped = doc.with_matchable(doc.matchable & ~aside)
    assert stripped.matchable_shingles() == int(sizes[:-2].sum()) < doc.matchable_shingles()
    assert doc.matchable_shingles() == int(sizes.sum())


def test_cli_lists_boilerplate_when_asked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for doc in corpus():
        path = tmp_path / doc.id
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(doc.text, encoding="utf-8")
    assert main(["scan", str(tmp_path)]) == 0
    plain = capsys.readouterr().out
    assert "boilerplate texts set aside" in plain and "newsletter" not in plain
    assert main(["scan", str(tmp_path), "--show-boilerplate"]) == 0
    shown = " ".join(capsys.readouterr().out.split())
    assert "Sign up for our newsletter" in shown and "5 documents" in shown
    assert main(["scan", str(tmp_path), "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["boilerplate"]) >= 2


def test_a_one_paragraph_footer_ending_unrelated_pages_is_never_matched() -> None:
    footer = "Copyright 2024 Example Media Group. All rights reserved.\nFollow us on social media for updates."
    docs = [(f"p{i}", "\n\n".join([*body, footer])) for i, body in enumerate(BODIES)]
    docs.append(("p5", "\n\n".join([*BODIES[0][::-1], footer])))  # six pages end in the footer
    report = sd.detect(docs)
    assert [text for text, _ in report.boilerplate] == [footer]
    shared = [p for p in report.pairs if set(p.documents) != {"p0", "p5"}]
    assert shared == []


def test_a_headline_opening_its_article_stays_content() -> None:
    headline = "Harbour budget approved after a long debate in the council"
    sidebar = ["Most popular", headline, "Rare bird spotted near the lake by students", "Library opens late"]
    docs = [(f"p{i}", "\n\n".join([*BODIES[i], *sidebar])) for i in range(1, 5)]
    docs.append(("sidebar", "\n\n".join([*BODIES[4], *sidebar, "More stories tomorrow."])))
    docs.append(("article", "\n\n".join([headline, *BODIES[0]])))
    masks = find_boilerplate(prepare_documents([Document(i, t) for i, t in docs], Config()), Config()).masks
    assert "article" not in masks


def test_a_query_line_held_by_enough_stored_documents_is_boilerplate() -> None:
    config = Config()
    stored = prepare_documents(corpus()[:5], config)
    query = prepare_documents([Document("new.txt", page(BODIES[1][:2], 2020))], config)[0]
    prints = {query.id: paragraph_fingerprints(query)}
    held = {fp: sum(fp in paragraph_fingerprints(d) for d in stored) for fp in prints[query.id]}
    scan = query_boilerplate([query], prints, held, config)
    # The newsletter line is in all five stored pages (with the query, six >= boilerplate_docs);
    # the copyright line of 2020 in one only, the body lines in one.
    assert scan.masks[query.id].tolist() == [False, False, True, False]
    assert [b.documents for b in scan.examples.values()] == [6]
    # Its own old version is not another document holding the line.
    old = {query.id: stored[0]}
    fewer = {fp: n - 1 if fp in paragraph_fingerprints(stored[0]) else n for fp, n in held.items()}
    assert query_boilerplate([query], prints, {**held, **fewer}, config, old).masks == {}


def test_one_document_step_is_the_corpus_scan() -> None:
    config = Config()
    docs = prepare_documents(corpus(), config)
    shorts = [short_paragraphs(d, config) for d in docs]
    hashes, df = document_frequency(docs, shorts)
    scan = find_boilerplate(docs, config)
    for doc, short in zip(docs, shorts):
        mask, examples = boilerplate_lines(doc, short, hashes, df, config)
        own = np.unique(short_hashes(doc, short)[0])  # the subset the Dask path ships to the document
        alone, _ = boilerplate_lines(doc, short, own, df[np.searchsorted(hashes, own)], config)
        assert (mask is None) == (doc.id not in scan.masks) == (alone is None)
        if mask is not None:
            assert mask.tolist() == scan.masks[doc.id].tolist() == alone.tolist()  # type: ignore[union-attr]
            assert {fp for fp, _, _ in examples} <= set(scan.examples)


def _scan_one_by_one(docs: list[PreparedDocument], config: Config) -> BoilerplateScan:
    """The corpus scan as each document's own step (the reference of the batched scan)."""
    shorts = [short_paragraphs(d, config) for d in docs]
    hashes, df = document_frequency(docs, shorts)
    scan = BoilerplateScan({}, {})
    for doc, short in zip(docs, shorts):
        mask, examples = boilerplate_lines(doc, short, hashes, df, config)
        if mask is not None:
            scan.masks[doc.id] = mask
            for fingerprint, _, example in examples:
                scan.examples.setdefault(fingerprint, example)
    return scan


def _varied_pages(seed: int) -> list[Document]:
    """Pages of one to six paragraphs from a few sites: template lines (some with a varying word),
    bodies, an empty page, a repeated id, pages whose only paragraph is a template line."""
    rng = np.random.default_rng(seed)
    lines = [*FOOTER, "Home | World | Sport | Tech | Video", "Read more: the best of the week in one email.",
             "Follow us on social media for the latest updates from the newsroom {year}."]
    body = [s for b in BODIES for s in b]
    docs = []
    for k in range(60):
        n = int(rng.integers(0, 7))
        sources = [lines if rng.random() < 0.5 else body for _ in range(n)]
        parts = [source[int(rng.integers(0, len(source)))] for source in sources]
        year = int(rng.integers(2019, 2024))
        docs.append(Document(f"d{k % 55}", "\n\n".join(p.format(year=year) for p in parts)))
    return docs


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("config", [Config(), Config(boilerplate_docs=2), Config(boilerplate_max_words=5),
                                    Config(boilerplate_max_words=200, boilerplate_docs=3)])
def test_the_batched_scan_is_each_documents_step(seed: int, config: Config) -> None:
    docs = prepare_documents(_varied_pages(seed), config)
    expected, scan = _scan_one_by_one(docs, config), find_boilerplate(docs, config)
    assert list(scan.masks) == list(expected.masks)
    assert all(scan.masks[k].tolist() == expected.masks[k].tolist() for k in expected.masks)
    assert list(scan.examples.items()) == list(expected.examples.items())
    if config.boilerplate_docs == 2:
        assert expected.masks  # the corpus holds boilerplate to find at this setting
