"""The JSON report (``Report.to_dict()``) as typed dictionaries: what the HTML pages are made from.

The pages read the contract, not the report classes, so the report layer can offer ``to_html``
while the pages stay below it.
"""

from __future__ import annotations

from typing import TypedDict


class SpanDict(TypedDict):
    document: str
    start: int
    end: int
    text: str


class ParagraphDict(SpanDict):
    index: int


class MatchDict(TypedDict):
    kind: str
    jaccard: float
    containment: float
    window: bool
    paragraphs: list[ParagraphDict]


class PassageDict(TypedDict):
    kind: str
    containment: float
    shared: int
    spans: list[SpanDict]
    paragraphs: list[list[int]]


class DirectionDict(TypedDict):
    source: str
    copy: str


class PairDict(TypedDict):
    documents: list[str]
    verdict: str
    kind: str
    direction: DirectionDict | None
    matched_paragraphs: list[int]
    matchable_paragraphs: list[int]
    shingles_kept: float
    matches: list[MatchDict]
    passages: list[PassageDict]
    shared_words: list[int]
    shares: list[float]


class FoundDict(TypedDict):
    document: str
    words: int
    share: float


class _DocumentBase(TypedDict):
    id: str
    paragraphs: int
    characters: int
    words: int
    matchable_words: int
    words_found: int
    share_found: float
    found_in: list[FoundDict]


class DocumentDict(_DocumentBase, total=False):
    date: str


class BoilerplateDict(TypedDict):
    text: str
    documents: int


class ReportDict(TypedDict):
    documents: list[DocumentDict]
    pairs: list[PairDict]
    groups: list[list[str]]
    boilerplate: list[BoilerplateDict]
