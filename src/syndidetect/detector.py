"""The Detector facade and ``detect()``: wires paragraphs, sketches, LSH, verification and report."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from os import PathLike
from typing import Any

import numpy as np

from syndidetect.align import AlignedPassage, paragraphs_of, shared_grams
from syndidetect.boilerplate import Boilerplate, BoilerplateScan, find_boilerplate, paragraph_fingerprints
from syndidetect.config import Config
from syndidetect.documents import Document
from syndidetect.errors import ArgumentError, InputError
from syndidetect.lsh import band_layout
from syndidetect.prepared import PreparedDocument, prepare_documents
from syndidetect.readers.tables import is_table, table_documents
from syndidetect.report import (
    Direction,
    DocumentSummary,
    Match,
    PairReport,
    ParagraphRef,
    Passage,
    Report,
    SpanRef,
)
from syndidetect.sentences import SentencePair, sentence_candidate_pairs
from syndidetect.sources import unique_ids
from syndidetect.store import MemoryStore, Store
from syndidetect.verify import PairVerdict, judge_pair, may_be_reworded

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


def _ref(doc: PreparedDocument, index: int) -> ParagraphRef:
    p = doc.paragraphs[index]
    return ParagraphRef(doc.id, p.index, p.start, p.end, p.text)


def _span(doc: PreparedDocument, tokens: tuple[int, int], n: int) -> tuple[SpanRef, tuple[int, ...]]:
    """A passage's characters: its words and the punctuation attached to them (quotes, a full stop)."""
    stream, text = doc.stream(n), doc.document.text
    start, end = int(stream.starts[tokens[0]]), int(stream.ends[tokens[1] - 1])
    while start > 0 and _attached(text[start - 1]):
        start -= 1
    while end < len(text) and _attached(text[end]):
        end += 1
    return SpanRef(doc.id, start, end, text[start:end]), paragraphs_of(doc, start, end)


def _attached(char: str) -> bool:
    return not char.isspace() and not char.isalnum()


def _passage(a: PreparedDocument, b: PreparedDocument, p: AlignedPassage, n: int) -> Passage:
    (span_a, paras_a), (span_b, paras_b) = _span(a, p.a, n), _span(b, p.b, n)
    return Passage(p.kind, p.containment, (span_a, span_b), (paras_a, paras_b), p.shared)


def _sentence_passage(a: PreparedDocument, b: PreparedDocument, pair: SentencePair, n: int) -> Passage:
    """A pair of similar sentences as a reworded passage (containment of their word grams)."""
    span_a, span_b = (pair.a_start, pair.a_end), (pair.b_start, pair.b_end)
    shared, containment = shared_grams(a, b, n, span_a, span_b)
    refs = (SpanRef(a.id, *span_a, a.document.text[slice(*span_a)]),
            SpanRef(b.id, *span_b, b.document.text[slice(*span_b)]))
    return Passage("reworded", containment, refs, (paragraphs_of(a, *span_a), paragraphs_of(b, *span_b)), shared)


def _outside(passage: Passage, aligned: tuple[Passage, ...]) -> bool:
    """Whether a sentence passage overlaps no aligned passage on either side."""
    return not any(s.start < o.end and o.start < s.end for p in aligned for s, o in zip(passage.spans, p.spans))


def _match_kind(kind: str, refs: tuple[ParagraphRef, ParagraphRef], passages: tuple[Passage, ...]) -> str:
    """A paragraph pair lying whole inside a verbatim or near passage on both sides takes the
    passage's kind: its low containment comes from paragraph breaks that fall elsewhere in the
    other document (lines wrapped at another width), not from changed words."""
    for p in passages:
        inside = all(s.start <= r.start and r.end <= s.end for r, s in zip(refs, p.spans))
        if kind == "reworded" and p.kind != "reworded" and inside:
            return p.kind
    return kind


def pair_report(a: PreparedDocument, b: PreparedDocument, v: PairVerdict, n: int) -> PairReport:
    passages = tuple(_passage(a, b, p, n) for p in v.passages)
    refs = [(_ref(a, m.a), _ref(b, m.b)) for m in v.matches]
    matches = tuple(Match(_match_kind(m.kind, r, passages), m.jaccard, m.containment, r, m.window)
                    for m, r in zip(v.matches, refs))
    sentences = [_sentence_passage(a, b, s, n) for s in v.sentences]
    passages += tuple(p for p in sentences if _outside(p, passages))
    passages = tuple(sorted(passages, key=lambda p: (p.spans[0].start, p.spans[1].start)))
    direction = None
    if v.source is not None:
        source, copy = (a, b) if v.source == 0 else (b, a)
        direction = Direction(source.id, copy.id)
    return PairReport((a.id, b.id), v.verdict, v.kind, direction, matches, v.matched, v.matchable, v.kept,
                      passages)


def copy_groups(pairs: Sequence[PairReport]) -> tuple[tuple[str, ...], ...]:
    """Connected components of the copy relation (documents that copy each other)."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for pair in pairs:
        if pair.verdict == "copy":
            parent[root(pair.documents[0])] = root(pair.documents[1])
    members: dict[str, list[str]] = {}
    for x in parent:
        members.setdefault(root(x), []).append(x)
    return tuple(sorted(tuple(sorted(g)) for g in members.values() if len(g) > 1))


def _report(
    summaries: Iterable[PreparedDocument], pairs: list[PairReport], boilerplate: dict[int, Boilerplate]
) -> Report:
    pairs.sort(key=lambda p: (p.verdict != "copy", p.documents))
    docs = tuple(DocumentSummary.of(d) for d in summaries)
    shared = tuple(sorted((b.text, b.documents) for b in boilerplate.values()))
    return Report(docs, tuple(pairs), copy_groups(pairs), shared)


def _sorted_pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


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
            store = MemoryStore(*band_layout(self.config), self.config.threshold)
        elif not all(callable(getattr(store, name, None)) for name in ("put", "remove", "get", "candidates_for")):
            raise ArgumentError(f"'store' must be a syndidetect store (MemoryStore, SQLiteStore); "
                                f"got {type(store).__name__}")
        self.store: Store = store

    def add(self, document: DocumentLike) -> list[str]:
        """Add one document; returns ``[id]`` if it replaced a stored one, else ``[]``."""
        if not (isinstance(document, Document) or (isinstance(document, tuple) and len(document) == 2)):
            raise ArgumentError(f"'document' must be a Document or an (id, text) tuple; "
                                f"got {type(document).__name__}")
        return self.add_many([document])

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

    def find_copies(self, progress: Progress | None = None) -> Report:
        """Every pair of stored documents that shares text (boilerplate set aside).

        ``progress(stage, done, total)``, when given, hears of the ``candidates`` stage, then of each
        candidate pair ``verification`` judged.
        """
        tell = progress or _quiet
        tell("candidates", 0, 0)
        docs = {i: self.store.get(i) for i in self.store.ids()}
        boilerplate = find_boilerplate(list(docs.values()), self.config)
        pairs = []
        candidates = self._candidates(list(docs.values()))
        for done, ((id_a, id_b), by_sentences) in enumerate(candidates.items(), start=1):
            tell("verification", done, len(candidates))
            a, b = docs[id_a], docs[id_b]
            if by_sentences and not may_be_reworded(a, b, self.config.rules):
                continue  # similar stem sets by chance: the pair shares no phrase at all
            masks = (boilerplate.masks.get(id_a), boilerplate.masks.get(id_b))
            verdict = judge_pair(a, b, self.config, masks, by_sentences)
            if verdict is not None:
                pairs.append(pair_report(a, b, verdict, self.config.shingle_size))
        return _report(docs.values(), pairs, boilerplate.examples)

    def _candidates(self, docs: list[PreparedDocument]) -> dict[tuple[str, str], bool]:
        """Candidate pairs of the stored documents (ids sorted within and across pairs), each with
        whether the sentence LSH found it: the paragraph LSH of the store, and with
        ``sentence_candidates`` the sentence LSH."""
        found: dict[tuple[str, str], bool] = {}
        if self.config.sentence_candidates and len(docs) > 1:
            c = self.config
            rows = sentence_candidate_pairs([d.document.text for d in docs], c.num_perm, c.seed, c.backend)
            found = {_sorted_pair(docs[i].id, docs[j].id): True for i, j in rows.tolist()}
        for a, b in self.store.candidate_pairs():
            found.setdefault(_sorted_pair(a, b), False)
        return dict(sorted(found.items()))

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
        for query, stored_ids in zip(queries, self.store.candidates_for(queries).values()):
            for stored_id in sorted(stored_ids):
                if stored_id == query.id:
                    continue  # its own old version, not another document
                stored = self.store.get(stored_id)
                verdict = judge_pair(query, stored, self.config, (boilerplate.masks.get(query.id), None))
                if verdict is not None:
                    pairs.append(pair_report(query, stored, verdict, self.config.shingle_size))
                    if stored_id not in old:  # else the query of that id stands for it
                        seen[stored_id] = stored
        return _report([*queries, *seen.values()], pairs, boilerplate.examples)

    def _stored_boilerplate(self, queries: Sequence[PreparedDocument],
                            old: dict[str, PreparedDocument] | None = None) -> BoilerplateScan:
        """Boilerplate of the queries: short paragraphs the index holds, word for word, in many
        documents. Stripping the query side is enough: a match needs both sides. ``old``: stored
        versions of the queries, which are not other documents holding a paragraph."""
        prints = {d.id: paragraph_fingerprints(d) for d in queries}
        counts = self.store.fingerprint_counts(sorted({fp for fps in prints.values() for fp in fps if fp}))
        scan = BoilerplateScan({}, {})
        for doc in queries:
            own = set(paragraph_fingerprints(old[doc.id])) if old and doc.id in old else set()
            held = [counts.get(fp, 0) - (fp in own) + 1 for fp in prints[doc.id]]  # documents with it
            short = doc.word_counts <= self.config.boilerplate_max_words
            frequent = np.array([n >= self.config.boilerplate_docs for n in held], dtype=bool)
            mask = short & frequent & doc.matchable
            if mask.any():
                scan.masks[doc.id] = mask
                for i in np.flatnonzero(mask):
                    scan.examples[prints[doc.id][i]] = Boilerplate(doc.paragraphs[i].text, held[i])
        return scan

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

    def __exit__(self, *exc: object) -> None:
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
    return detector.find_copies()
