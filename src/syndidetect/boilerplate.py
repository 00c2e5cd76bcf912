"""Boilerplate: short paragraphs that repeat across many documents of a corpus (menus, footers,
"Most Popular", newsletter prompts). Sharing them is not copying, so they are never matched.

A syndicated story also repeats across documents, but as runs of long paragraphs; the word limit
keeps those matchable while the short repeated lines of a site template are set aside.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import xxhash

from syndidetect import arrays
from syndidetect.config import Config
from syndidetect.prepared import PreparedDocument

# A short paragraph is boilerplate when at least this share of its shingles is that frequent.
BOILERPLATE_SHARE = 0.5


@dataclass(frozen=True)
class Boilerplate:
    """A boilerplate paragraph (one example text) and how many documents hold its shingles."""

    text: str
    documents: int


@dataclass(frozen=True)
class BoilerplateScan:
    """Which paragraphs of which documents are boilerplate, and one example text per fingerprint."""

    masks: dict[str, npt.NDArray[np.bool_]]
    examples: dict[int, Boilerplate]

    def strip(self, doc: PreparedDocument) -> PreparedDocument:
        return without_boilerplate(doc, self.masks.get(doc.id))


#: A document's boilerplate mask (None when it has none) and, per flagged paragraph, ``(fingerprint,
#: paragraph index, example)``.
BoilerplateLines = tuple[npt.NDArray[np.bool_] | None, list[tuple[int, int, Boilerplate]]]


def paragraph_fingerprints(doc: PreparedDocument) -> list[int]:
    """One 64-bit fingerprint per paragraph: equal exactly when the shingle sets are equal."""
    # One bytes object a document, hashed by slices: 29-35 against 55-64 ms for 100,000 paragraphs.
    return fingerprints_of_hashes(memoryview(doc.hashes.tobytes()), (doc.offsets * 4).tolist(),
                                  doc.matchable.tolist())


def fingerprints_of_hashes(raw: memoryview, ends: list[int], matchable: list[bool]) -> list[int]:
    """:func:`paragraph_fingerprints` of paragraphs whose shingle hashes (uint32) are laid out in
    ``raw``, paragraph ``i``'s from byte ``ends[i]`` to ``ends[i + 1]``; ``matchable`` per paragraph
    (0 for one that is not). Many documents' paragraphs may be laid out one after the other."""
    digest = xxhash.xxh64_intdigest
    return [digest(raw[start:end]) if kept else 0 for start, end, kept in zip(ends, ends[1:], matchable)]


def short_paragraphs(doc: PreparedDocument, config: Config) -> npt.NDArray[np.bool_]:
    """Per paragraph: whether it can be boilerplate (matchable, at most ``boilerplate_max_words``)."""
    short: npt.NDArray[np.bool_] = (doc.word_counts <= config.boilerplate_max_words) & doc.matchable
    return short


def short_hashes(doc: PreparedDocument, short: npt.NDArray[np.bool_]) -> tuple[npt.NDArray[np.uint32],
                                                                            npt.NDArray[np.int64]]:
    """The shingle hashes of the ``short`` paragraphs (see :func:`short_paragraphs`), with the
    paragraph each belongs to: what the document contributes to the document frequencies."""
    counts = doc.shingle_counts()
    owner = np.repeat(np.arange(len(counts)), counts)
    keep = short[owner]
    return doc.hashes[keep], owner[keep]


def document_frequency(
    docs: Sequence[PreparedDocument], shorts: Sequence[npt.NDArray[np.bool_]]
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]:
    """Every shingle hash of the short paragraphs (sorted) and how many documents hold it there.

    Only short paragraphs can be boilerplate, so only their shingles are counted: a small share of
    a corpus of articles, which keeps this cheap on millions of paragraphs."""
    per_doc = [arrays.distinct(short_hashes(d, s)[0]) for d, s in zip(docs, shorts) if s.any()]
    if not per_doc:
        return np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.int64)
    hashes, counts = np.unique(np.concatenate(per_doc), return_counts=True)
    return hashes, counts.astype(np.int64)


def _frequent_share(doc: PreparedDocument, short: npt.NDArray[np.bool_], hashes: npt.NDArray[np.uint32],
                    df: npt.NDArray[np.int64], min_docs: int) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Per paragraph: the share of its shingles found in ``min_docs`` documents, and the largest
    number of documents holding one of its shingles (zero for paragraphs that are not short)."""
    counts = doc.shingle_counts()
    values, owner = short_hashes(doc, short)
    freq = df[np.searchsorted(hashes, values)]
    frequent = np.bincount(owner, weights=freq >= min_docs, minlength=len(counts))
    most = np.zeros(len(counts), dtype=np.int64)
    np.maximum.at(most, owner, freq)
    return frequent / np.maximum(counts, 1), most


def _in_template_block(flagged: npt.NDArray[np.bool_], matchable: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """Flagged paragraphs next to another flagged one (ignoring unmatchable lines between them).

    Template text comes in blocks (menus, footers, "Most Popular" lists); a headline that also
    appears in other pages' sidebars stands alone at the top of its own article and stays content.
    """
    order = np.flatnonzero(matchable)
    seq = flagged[order]
    neighbour = np.zeros(len(seq), dtype=bool)
    neighbour[1:] |= seq[:-1]
    neighbour[:-1] |= seq[1:]
    out = np.zeros(len(flagged), dtype=bool)
    out[order] = seq & neighbour
    return out


def template_lines(flagged: npt.NDArray[np.bool_], matchable: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """Flagged paragraphs in a template block, or ending the page: a page ends in its template (a
    one-paragraph footer), while an article starts with its headline, which stays content."""
    template = _in_template_block(flagged, matchable)
    last = np.flatnonzero(matchable)[-1:]
    template[last] |= flagged[last]
    return template


def find_boilerplate(docs: Sequence[PreparedDocument], config: Config) -> BoilerplateScan:
    """Short paragraphs most of whose shingles recur in ``boilerplate_docs`` or more documents,
    standing in a block of such paragraphs or ending the page.

    Shingle frequencies, not exact paragraph repeats, so a template line that varies a little
    (the outlet's name or the year in "(c) 2024 The Daily Ledger. All rights reserved.") counts.

    The scan is :func:`boilerplate_lines` of each document with :func:`document_frequency` of all,
    computed on the corpus's arrays at once: a document's own step is a dozen numpy calls, which
    cost more than the work when documents are single paragraphs (0.3 s of 20,000). Only the
    documents holding a paragraph of frequent shingles take their step alone, for its blocks.
    """
    scan = BoilerplateScan({}, {})
    if not docs:
        return scan
    paragraphs = np.array([len(doc.paragraphs) for doc in docs], dtype=np.int64)
    counts = np.concatenate([doc.shingle_counts() for doc in docs])
    short = np.concatenate([doc.word_counts for doc in docs]) <= config.boilerplate_max_words
    short &= np.concatenate([doc.matchable for doc in docs])
    values, owner = _short_hashes_of(docs, paragraphs, counts, short)
    # Each document counts a hash once: distinct (document, hash) keys, then the hashes' counts.
    document = np.repeat(np.arange(len(docs), dtype=np.uint64), paragraphs)[owner]
    held = arrays.distinct((document << np.uint64(32)) | values.astype(np.uint64))
    hashes, counted = np.unique((held & np.uint64(0xFFFFFFFF)).astype(np.uint32), return_counts=True)
    df = counted.astype(np.int64)
    freq = df[np.searchsorted(hashes, values)]
    frequent = np.bincount(owner, weights=freq >= config.boilerplate_docs, minlength=len(counts))
    share = frequent / np.maximum(counts, 1)  # as _frequent_share: the same sums, the same division
    most = np.zeros(len(counts), dtype=np.int64)
    if len(owner):  # owner ascends: each paragraph's hashes are one run
        runs = np.flatnonzero(np.concatenate(([True], owner[1:] != owner[:-1])))
        most[owner[runs]] = np.maximum.reduceat(freq, runs)
    firsts = np.concatenate(([0], np.cumsum(paragraphs)))
    candidates = np.unique(np.searchsorted(firsts, np.flatnonzero(short & (share >= BOILERPLATE_SHARE)),
                                           side="right") - 1)
    for k in candidates.tolist():
        doc, rows = docs[k], slice(firsts[k], firsts[k + 1])
        flagged, examples = _template_lines_of(doc, short[rows], share[rows], most[rows])
        if flagged is None:
            continue
        scan.masks[doc.id] = flagged
        for fingerprint, _, example in examples:
            scan.examples.setdefault(fingerprint, example)
    return scan


def _short_hashes_of(docs: Sequence[PreparedDocument], paragraphs: npt.NDArray[np.int64],
                     counts: npt.NDArray[np.int64], short: npt.NDArray[np.bool_]
                     ) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]:
    """The shingle hashes of the ``short`` paragraphs of all ``docs`` in order, with each one's
    paragraph (numbered across the documents). Only the documents holding a short paragraph lay
    their hashes end to end: every hash of a million paragraphs of articles is 240 MB to gather,
    then a paragraph number each (480 MB), for the few short ones (1.7 s of a 1M ``detect``)."""
    rows = np.flatnonzero(short)
    firsts = np.concatenate(([0], np.cumsum(paragraphs)))
    document = np.searchsorted(firsts, rows, side="right") - 1  # each short paragraph's
    holders = arrays.distinct(document)
    pieces = [docs[k].hashes for k in holders.tolist()]
    laid = np.concatenate([np.zeros(0, dtype=np.uint32), *pieces])
    start = np.cumsum(counts) - counts  # where each paragraph's hashes start among all documents'
    # ... and among the holders' laid end to end: shifted by what the documents between them hold
    held_before = np.concatenate(([0], np.cumsum([len(h) for h in pieces])[:-1])).astype(np.int64)
    shift = held_before - start[firsts[holders]]
    lengths = counts[rows]
    at = start[rows] + shift[np.searchsorted(holders, document)]
    return laid[arrays.range_positions(at, lengths)], np.repeat(rows, lengths)


def boilerplate_lines(
    doc: PreparedDocument, short: npt.NDArray[np.bool_], hashes: npt.NDArray[np.uint32],
    df: npt.NDArray[np.int64], config: Config,
) -> BoilerplateLines:
    """One document's step of the corpus scan: its boilerplate mask (None when it has none) and,
    per flagged paragraph, ``(fingerprint, paragraph index, example)``.

    ``short`` is :func:`short_paragraphs` of ``doc``; ``hashes`` (sorted) and ``df`` are the
    document frequencies of :func:`document_frequency`, or any subset holding the document's own
    short shingles (all the mask depends on: the Dask path ships only those to the document)."""
    share, most = _frequent_share(doc, short, hashes, df, config.boilerplate_docs)
    return _template_lines_of(doc, short, share, most)


def _template_lines_of(doc: PreparedDocument, short: npt.NDArray[np.bool_], share: npt.NDArray[np.float64],
                       most: npt.NDArray[np.int64]) -> BoilerplateLines:
    """:func:`boilerplate_lines` of a document whose :func:`_frequent_share` is known."""
    flagged = template_lines(short & (share >= BOILERPLATE_SHARE), doc.matchable)
    if not flagged.any():
        return None, []
    fingerprints = paragraph_fingerprints(doc)
    return flagged, [(fingerprints[i], int(i), Boilerplate(doc.paragraphs[i].text, int(most[i])))
                     for i in np.flatnonzero(flagged)]


def query_boilerplate(queries: Sequence[PreparedDocument], prints: Mapping[str, list[int]],
                      held: Mapping[int, int], config: Config,
                      old: Mapping[str, PreparedDocument] | None = None) -> BoilerplateScan:
    """Boilerplate of documents checked against an index: their short paragraphs that the index
    holds, word for word, in ``boilerplate_docs`` or more documents (counting the query itself).

    ``prints`` are the queries' :func:`paragraph_fingerprints` by id, ``held`` how many stored
    documents hold each fingerprint, ``old`` the stored versions of queried ids, which are not other
    documents holding a paragraph. Stripping the query side is enough: a match needs both sides."""
    scan = BoilerplateScan({}, {})
    for doc in queries:
        own = set(paragraph_fingerprints(old[doc.id])) if old and doc.id in old else set()
        holders = [held.get(fp, 0) - (fp in own) + 1 for fp in prints[doc.id]]  # documents with it
        frequent = np.array([n >= config.boilerplate_docs for n in holders], dtype=bool)
        mask = short_paragraphs(doc, config) & frequent
        if mask.any():
            scan.masks[doc.id] = mask
            for i in np.flatnonzero(mask):
                scan.examples[prints[doc.id][i]] = Boilerplate(doc.paragraphs[i].text, holders[i])
    return scan


def without_boilerplate(doc: PreparedDocument, boilerplate: npt.NDArray[np.bool_] | None) -> PreparedDocument:
    """``doc`` with its boilerplate paragraphs no longer matchable (they stay in the document)."""
    if boilerplate is None or not boilerplate.any():
        return doc
    return doc.memo(("without boilerplate", boilerplate.tobytes()),
                    lambda: doc.with_matchable(doc.matchable & ~boilerplate))
