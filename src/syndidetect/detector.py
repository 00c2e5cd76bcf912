"""The Detector facade and ``detect()``: wires paragraphs, sketches, LSH, verification and report."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from os import PathLike
from typing import Any

import numpy as np
import numpy.typing as npt

from syndidetect import arrays
from syndidetect._kernels.glibc import give_back_freed_memory
from syndidetect.assembly import assemble_report, locate_each, pair_report, report_each
from syndidetect.boilerplate import (
    Boilerplate,
    BoilerplateScan,
    find_boilerplate,
    paragraph_fingerprints,
    query_boilerplate,
)
from syndidetect.collector import collector_paused
from syndidetect.config import Config
from syndidetect.document_candidates import document_pairs
from syndidetect.documents import Document
from syndidetect.errors import ArgumentError, InputError
from syndidetect.lsh import band_layout, likely_match, stored_candidates
from syndidetect.prepared import PreparedDocument, prepare_documents
from syndidetect.readers.tables import is_table, table_documents
from syndidetect.report import DocumentSummary, PairReport, Report
from syndidetect.sentence_batches import sentence_corpus
from syndidetect.sentence_lsh import sentence_pairs_of
from syndidetect.sources import unique_ids
from syndidetect.store import MemoryStore, Store
from syndidetect.verify import judge_pair
from syndidetect.verify_batch import PositionedPairs, judge_pairs

DocumentLike = Document | tuple[str, str]
Progress = Callable[[str, int, int], None]  # (stage, done, total): for a progress display


def _quiet(stage: str, done: int, total: int) -> None:
    pass


def as_documents(items: Iterable[DocumentLike]) -> list[Document]:
    """``Document`` objects from documents or ``(id, text)`` tuples, ids checked to be unique; a pandas
    DataFrame or pyarrow Table gives one document per row (``id``, ``text``, optional ``date``, ``url``)."""
    if is_table(items):
        return unique_ids(table_documents(items, type(items).__name__))
    if isinstance(items, (str, bytes, Document)):
        raise InputError("documents must be an iterable of Document or (id, text) tuples, not a single one")
    if not isinstance(items, Iterable):
        raise ArgumentError(f"documents must be an iterable of Document or (id, text) tuples; "
                            f"got {type(items).__name__}")
    docs = []
    for position, item in enumerate(items):
        if isinstance(item, Document):
            docs.append(item)
        elif isinstance(item, tuple) and len(item) == 2:
            docs.append(Document(*item))
        else:
            raise InputError(f"documents[{position}] must be a Document or an (id, text) tuple; "
                             f"got {type(item).__name__}")
    return unique_ids(docs)


def _report(
    summaries: Iterable[PreparedDocument], pairs: list[PairReport], boilerplate: dict[int, Boilerplate]
) -> Report:
    return assemble_report((DocumentSummary.of(d) for d in summaries), pairs,
                           ((b.text, b.documents) for b in boilerplate.values()))


def ordered_pairs(
    ids: Sequence[str], *found: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """The distinct pairs of ``found`` (arrays of position pairs into ``ids``, the first array's
    pairs flagged), each as the positions of its smaller and larger id, sorted by those ids, with
    whether the first array holds it. Numbers for the ids' ranks instead of a dictionary of id
    pairs: at 1M paragraphs the sentence LSH gives 1.4M pairs.

    >>> [a.tolist() for a in ordered_pairs(["b", "a", "c"], np.array([[0, 1]]), np.array([[2, 0], [1, 0]]))]
    [[1, 0], [0, 2], [True, False]]
    """
    n = len(ids)
    if not n or not found:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.bool_)
    by_rank = np.array(sorted(range(n), key=ids.__getitem__), dtype=np.int64)  # position of each rank
    rank = np.empty(n, dtype=np.int64)
    rank[by_rank] = np.arange(n, dtype=np.int64)
    keys = []
    for pairs in found:  # a pair as one number: smaller rank * n + larger rank
        ordered = np.sort(rank[pairs], axis=1)
        keys.append(ordered[:, 0] * n + ordered[:, 1])
    distinct = arrays.distinct(np.concatenate(keys))
    flagged = np.zeros(len(distinct), dtype=np.bool_)
    # Each key of the first array is among the distinct ones: found by a search, not np.isin (1.5 s
    # for 1.4M sentence LSH pairs at 1M paragraphs), its keys sorted first so that each search
    # starts where the last ended in the cache (0.08 s, against 0.67 s in the order of the pairs).
    flagged[np.searchsorted(distinct, np.sort(keys[0]))] = True
    return by_rank[distinct // n], by_rank[distinct % n], flagged


class Detector:
    """A long-lived detector: add documents, then find copies among them or check new ones.

    >>> det = Detector()
    >>> det.add_many([("a", "One two three four five six seven."), ("b", "Unrelated words here.")])
    []
    >>> det.query([("c", "One two three four five six seven.")]).pairs[0].documents
    ('c', 'a')
    """

    def __init__(self, config: Config | None = None, store: Store | None = None) -> None:
        self.config = config if config is not None else Config()
        if not isinstance(self.config, Config):
            raise ArgumentError(f"'config' must be a syndidetect.Config; got {type(self.config).__name__}")
        if store is None:
            store = MemoryStore(*band_layout(self.config))
        elif not all(callable(getattr(store, name, None)) for name in ("put", "remove", "get", "postings")):
            raise ArgumentError(f"'store' must be a syndidetect store (MemoryStore, SQLiteStore); "
                                f"got {type(store).__name__}")
        self.store: Store = store

    def add(self, document: DocumentLike) -> list[str]:
        """Add one document; returns ``[id]`` if it replaced a stored one, else ``[]``."""
        if not (isinstance(document, Document) or (isinstance(document, tuple) and len(document) == 2)):
            raise ArgumentError(f"'document' must be a Document or an (id, text) tuple; "
                                f"got {type(document).__name__}")
        return self.add_many([document])

    @collector_paused()
    def add_many(self, documents: Iterable[DocumentLike]) -> list[str]:
        """Add documents (one kernel call for all); returns the ids that replaced stored ones."""
        return self.store.put(prepare_documents(as_documents(documents), self.config))

    def remove(self, doc_ids: str | Iterable[str]) -> list[str]:
        """Forget documents (one id, or an iterable of ids); returns the ids that were present."""
        if isinstance(doc_ids, str):
            doc_ids = [doc_ids]  # one id: iterating it would remove one document per character
        elif isinstance(doc_ids, (bytes, bytearray)) or not isinstance(doc_ids, Iterable):
            raise ArgumentError(f"'doc_ids' must be an id (str) or an iterable of ids; got {type(doc_ids).__name__}")
        ids = list(doc_ids)
        for position, doc_id in enumerate(ids):
            if not isinstance(doc_id, str):
                raise ArgumentError(f"'doc_ids'[{position}] must be a str; got {type(doc_id).__name__}")
        return self.store.remove(ids)

    def __len__(self) -> int:
        return len(self.store.ids())

    @collector_paused()
    def find_copies(self, progress: Progress | None = None, *, keep_documents: bool = True) -> Report:
        """Every pair of stored documents that shares text (boilerplate set aside).

        ``progress(stage, done, total)``, when given, hears of the ``candidates`` stage, then of each
        candidate pair ``verification`` judged. ``keep_documents=False`` is for a detector used once
        (:func:`detect`, ``syndidetect scan``): an in-memory store lets go of its documents once the
        paragraph LSH has run (the detector is empty afterwards; a persistent store keeps its own),
        and the sentence LSH and verification hold them without their signatures, which they do not
        read (512 B a paragraph at 128 permutations; the candidates stage's peak at 1M paragraphs
        fell by about 350 MB).
        """
        tell = progress or _quiet
        tell("candidates", 0, 0)
        # Preparing's temporaries (the joined texts, the sketches' work arrays) lie freed among the
        # documents in glibc's heap, which keeps their pages: at 1M paragraphs about 840 MB.
        give_back_freed_memory()
        docs = {i: self.store.get(i) for i in self.store.ids()}
        boilerplate = find_boilerplate(list(docs.values()), self.config)
        by_paragraphs = document_pairs(list(docs.values()), self.store.bands, self.store.rows, self.config.threshold)
        if not keep_documents:  # before the sentence LSH, whose working set then has their room
            if isinstance(self.store, MemoryStore):
                self.store.remove(list(docs))
            empty = np.zeros((0, self.config.num_perm), dtype=np.uint32)  # one for all documents
            docs = {i: doc.without_signatures(empty) for i, doc in docs.items()}
        listed = list(docs.values())
        let_go = not keep_documents  # the documents are this call's copies: their hashes may go
        first, second, by_sentences = self._candidates(listed, by_paragraphs, let_go=let_go)
        batch = PositionedPairs(listed, first, second, by_sentences)
        # The pairs located as they are judged, their texts cut once verification is done: the reports'
        # texts would otherwise grow beside the word streams it holds (its peak at 1M paragraphs).
        judged = judge_pairs(batch, self.config, boilerplate.masks, lambda done: tell("verification", done, len(batch)),
                             let_go=let_go)
        located = locate_each(judged, self.config.shingle_size)
        pairs = report_each(located)
        return _report(docs.values(), pairs, boilerplate.examples)

    def _candidates(self, docs: list[PreparedDocument], by_paragraphs: npt.NDArray[np.int64], *, let_go: bool,
                    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
        """Candidate pairs of the stored documents, as arrays: the positions in ``docs`` of each
        pair's two documents, and whether the sentence LSH found it (``by_paragraphs``, the
        :func:`~syndidetect.document_candidates.document_pairs` of ``docs``, and with ``sentence_candidates`` the
        sentence LSH's). A pair's first document has the smaller id, and pairs come in the order of
        their ids. ``let_go``: ``docs`` are copies of the detector's own, and those in no pair let go
        of their shingle hashes (a paired one does once its hash index is laid out, in judge_pairs)."""
        by_sentences = np.zeros((0, 2), dtype=np.int64)
        corpus = None
        if self.config.sentence_candidates and len(docs) > 1:
            c = self.config
            corpus = sentence_corpus(docs)
            by_sentences = sentence_pairs_of(corpus, c.num_perm, c.seed, c.backend)
        first, second, sentences = ordered_pairs([d.id for d in docs], by_sentences, by_paragraphs)
        paired = np.zeros(len(docs), dtype=np.bool_)
        paired[first] = paired[second] = True
        for k in np.flatnonzero(~paired).tolist():
            docs[k].forget()  # what it memoised is not needed: it is never verified
            if let_go:
                docs[k].let_go_of_hashes()
        if corpus is not None:  # verification reads the sentences of the paired documents
            corpus.remember(np.flatnonzero(paired).tolist())
        return first, second, sentences

    @collector_paused()
    def query(self, documents: Iterable[DocumentLike]) -> Report:
        """Matches of new documents against the stored ones (the new ones are not added).

        A document whose id is stored is a new version of that document: it is compared with
        every other stored document, never with its old version, and the report lists it once.
        """
        queries = prepare_documents(as_documents(documents), self.config)
        old: dict[str, PreparedDocument] = {}  # the stored versions of queried ids
        for query in queries:
            with suppress(KeyError):
                old[query.id] = self.store.get(query.id)
        boilerplate = self._stored_boilerplate(queries, old)
        pairs, seen = [], {}
        bands, rows = self.store.bands, self.store.rows
        for query, stored_ids in zip(queries, stored_candidates(queries, self.store.postings, bands, rows)):
            for stored_id in stored_ids:
                if stored_id == query.id:
                    continue  # its own old version, not another document
                stored = self.store.get(stored_id)
                if not likely_match(query, stored, bands, rows, self.config.threshold):
                    continue
                verdict = judge_pair(query, stored, self.config, (boilerplate.masks.get(query.id), None))
                if verdict is not None:
                    pairs.append(pair_report(query, stored, verdict, self.config.shingle_size))
                    if stored_id not in old:  # else the query of that id stands for it
                        seen[stored_id] = stored
        return _report([*queries, *seen.values()], pairs, boilerplate.examples)

    def _stored_boilerplate(self, queries: Sequence[PreparedDocument],
                            old: dict[str, PreparedDocument] | None = None) -> BoilerplateScan:
        """Boilerplate of the queries (:func:`~syndidetect.boilerplate.query_boilerplate`) against the
        fingerprint counts of the store; ``old``: stored versions of the queries."""
        prints = {d.id: paragraph_fingerprints(d) for d in queries}
        counts = self.store.fingerprint_counts(sorted({fp for fps in prints.values() for fp in fps if fp}))
        return query_boilerplate(queries, prints, counts, self.config, old)

    def stats(self) -> dict[str, Any]:
        return {**self.store.stats(), "config": self.config}

    @classmethod
    def open(cls, path: str | PathLike[str], config: Config | None = None, **options: Any) -> Detector:
        """A detector over a persistent SQLite index, created when ``path`` does not exist.

        Without ``config`` the index's own configuration is used; a given one must agree with it on
        shingling, num_perm, seed, min_words and bands (``threshold`` may differ: it only changes
        verification). ``options`` go to :class:`~syndidetect.store.SQLiteStore` (``create``,
        ``readonly``, ``timeout``). Close it, or use it as a context manager.
        """
        from syndidetect.store.sqlite import SQLiteStore

        unknown = sorted(set(options) - {"create", "readonly", "timeout"})
        if unknown:
            raise ArgumentError(f"Detector.open() got unknown options {', '.join(unknown)}; "
                                "known: create, readonly, timeout")
        store = SQLiteStore(path, config, **options)  # it checks the path, config and timeout
        return cls(store.config, store)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Detector:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        if kind is None:
            self.close()
            return
        from syndidetect.store.sqlite import SQLiteStore  # only now: a detector in memory never needs it

        if isinstance(self.store, SQLiteStore):
            self.store.close(merge=False)  # leaving on an error (Ctrl-C included): no more work
        else:
            self.close()


def detect(documents: Iterable[DocumentLike], config: Config | None = None) -> Report:
    """Find copies among ``documents`` in one shot.

    >>> text = "Seven words make a paragraph long enough here."
    >>> report = detect([("a", text + "\\n\\nAnother paragraph of the first page."), ("b", text)])
    >>> [(p.documents, p.verdict) for p in report.pairs]
    [(('a', 'b'), 'related')]
    """
    detector = Detector(config)
    detector.add_many(documents)
    return detector.find_copies(keep_documents=False)
