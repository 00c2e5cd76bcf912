"""Sentences and content words for reword-robust matching (:mod:`syndidetect.sentences` compares them).

Sentences: :func:`sentence_spans` splits a text into sentences with character spans (see there).
TF-IDF: :func:`tfidf_cosines` compares sentences given as stem lists.

Content words: tokens as :func:`syndidetect.shingles.tokens` makes them, stop words and tokens of
one or two letters dropped (numbers kept), stemmed. A rewording swaps words for synonyms and changes
their inflection ("reported" → "reports"); the stem of a content word is the part of it that
survives the second kind of change. The stemmer is a conservative Porter step 1 (plurals, ``-ed``,
``-ing``) plus a few derivational suffixes, applied in order to the normalised, lower-case word:

1. plurals: ``-sses`` → ``-ss``; ``-ies`` → ``-y`` (``-ie`` in four-letter words: "ties" → "tie");
   ``-es`` after ``x``, ``ch``, ``sh``, ``z``; otherwise ``-s``, but never after ``s``, ``u`` or
   ``i`` ("glass", "virus", "analysis" stay);
2. ``-eed`` → ``-ee`` when something precedes it ("agreed" → "agree", "need" stays); ``-ied`` →
   ``-y``; ``-ed`` and ``-ing`` when the rest holds a vowel, then Porter's repairs: ``-at``/``-bl``/
   ``-iz``/``-is`` take back an ``e`` ("related" → "relate"), a doubled consonant other than
   l, s, z is halved ("running" → "run"), a short consonant-vowel-consonant word takes back an ``e``
   ("hoping" → "hope");
3. one derivational suffix: ``-ization`` → ``-ize``, ``-ation`` → ``-ate`` ("relation" →
   "relate"), ``-ness``, ``-ment`` (only after two syllables: "government" → "govern", "comment"
   stays), ``-ly`` (``-ily``, ``-iness`` → ``-y``: "happily" → "happy"; not in "apply", "supply",
   "reply"), each only when at least three letters remain;
4. Porter's step 5a: a final ``e`` goes after two syllables, or after one that is not
   consonant-vowel-consonant ("escape", "escaping" → "escap"; "hope", "hoping" → "hope").

Words shorter than four letters, and a few the rules would cut into another word ("news",
"witness", "early", "business"), are kept whole.

Only words of ASCII letters are stemmed; other words (other scripts, numbers) are kept as they are.
Conflation matters more than linguistic truth: every inflected form of a word reaches the same
stem ("studies", "studied", "studying" → "study"), even when that stem is not a word ("family" →
"famy").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

from syndidetect._types import Span
from syndidetect.shingles import tokens
from syndidetect.text import paragraph_spans

# Function words of three letters or more (shorter tokens are dropped anyway): articles, pronouns,
# auxiliaries, prepositions, conjunctions, and adverbs that carry no topic. scikit-learn's
# ENGLISH_STOP_WORDS was the model, but importing scikit-learn takes about 2.8 s (measured), it is not
# a dependency of this package, and its list drops content words such as "system", "computer",
# "fire" and "bill" that are good evidence of a copy.
STOP_WORDS = frozenset([
    "about", "above", "across", "after", "afterwards", "again", "against", "all", "almost", "along",
    "already", "also", "although", "always", "among", "amongst", "and", "another", "any", "anyhow", "anyone",
    "anything", "anyway", "anywhere", "are", "around", "because", "been", "before", "beforehand", "behind",
    "being", "below", "beside", "besides", "between", "both", "but", "can", "cannot", "could", "did", "does",
    "doing", "done", "down", "during", "each", "either", "else", "elsewhere", "enough", "etc", "even",
    "ever", "every", "everyone", "everything", "everywhere", "except", "few", "for", "from", "further",
    "had", "has", "have", "having", "her", "here", "hereafter", "hereby", "herein", "hers", "herself", "him",
    "himself", "his", "how", "however", "into", "its", "itself", "just", "least", "less", "many", "may",
    "meanwhile", "might", "mine", "more", "moreover", "most", "mostly", "much", "must", "myself", "neither",
    "never", "nevertheless", "next", "nobody", "none", "noone", "nor", "not", "nothing", "now", "nowhere",
    "off", "often", "once", "one", "only", "onto", "other", "others", "otherwise", "our", "ours",
    "ourselves", "out", "over", "own", "per", "perhaps", "quite", "rather", "same", "several", "she",
    "should", "since", "some", "somehow", "someone", "something", "sometime", "sometimes", "somewhere",
    "still", "such", "than", "that", "the", "their", "theirs", "them", "themselves", "then", "thence",
    "there", "thereafter", "thereby", "therefore", "therein", "thereupon", "these", "they", "this", "those",
    "though", "through", "throughout", "thru", "thus", "together", "too", "toward", "towards", "under",
    "until", "upon", "very", "via", "was", "were", "what", "whatever", "when", "whence", "whenever", "where",
    "whereafter", "whereas", "whereby", "wherein", "whereupon", "wherever", "whether", "which", "while",
    "whither", "who", "whoever", "whole", "whom", "whose", "why", "will", "with", "within", "without",
    "would", "yet", "you", "your", "yours", "yourself", "yourselves",
])

_VOWEL = re.compile(r"[aeiouy]")
_ASCII_WORD = re.compile(r"[a-z]+")
# Consonant-vowel-consonant at the end of a one-syllable stem, the last consonant not w, x or y.
_SHORT_CVC = re.compile(r"^[^aeiou]*[aeiou][^aeiouwxy]$")
# Words the rules would cut into another word.
_KEEP = frozenset({"news", "witness", "early", "business"})
# "-ly" stays on these endings: "apply", "supply", "imply", "reply" are not adverbs.
_NOT_ADVERB = ("pply", "mply", "eply")


def _measure(stem: str) -> int:
    """Porter's m: the number of vowel-consonant sequences in ``stem`` ("tree" 0, "trouble" 1)."""
    pattern = "".join("v" if c in "aeiou" or (c == "y" and i and stem[i - 1] not in "aeiou") else "c"
                      for i, c in enumerate(stem))
    return len(re.findall("v+c+", pattern))


def _plural(word: str) -> str:
    if not word.endswith("s"):
        return word
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith("ies"):
        return word[:-3] + ("ie" if len(word) == 4 else "y")
    if word.endswith(("xes", "ches", "shes", "zes")):
        return word[:-2]
    return word if word[-2] in "siu" else word[:-1]


def _repair(stem: str) -> str:
    """Porter's step 1b repairs, after ``-ed`` or ``-ing`` came off."""
    if stem.endswith(("at", "bl", "iz", "is")):
        return stem + "e"
    if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in "aeioulsz":
        return stem[:-1]
    if _SHORT_CVC.match(stem):
        return stem + "e"
    return stem


def _inflection(word: str) -> str:
    if word.endswith("eed"):
        return word[:-1] if len(word) > 4 and _measure(word[:-3]) > 0 else word
    if word.endswith("ied") and len(word) > 4:
        return word[:-3] + "y"
    for suffix in ("ed", "ing"):
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= 2 and _VOWEL.search(stem):
            return _repair(stem)
    return word


# (suffix, replacement, least Porter measure of what precedes it)
_DERIVATIONS = (
    ("ization", "ize", 1), ("ation", "ate", 1), ("iness", "y", 1), ("ness", "", 1), ("ment", "", 2),
    ("ily", "y", 1), ("ly", "", 1),
)


def _derivation(word: str) -> str:
    if word.endswith(_NOT_ADVERB):
        return word
    for suffix, replacement, least in _DERIVATIONS:
        if word.endswith(suffix):
            stem = word[: -len(suffix)]
            if len(stem) >= 3 and _measure(stem) >= least:
                return stem + replacement
            return word
    return word


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """The stem of a normalised (lower-case) word; words that are not ASCII letters are kept.

    >>> [stem(w) for w in ["running", "runs", "run", "studies", "studied", "relation", "related"]]
    ['run', 'run', 'run', 'study', 'study', 'relat', 'relat']
    >>> [stem(w) for w in ["news", "glass", "virus", "need", "sing", "comment", "2017"]]
    ['news', 'glass', 'virus', 'need', 'sing', 'comment', '2017']
    """
    if len(word) < 4 or word in _KEEP or not _ASCII_WORD.fullmatch(word):
        return word
    word = _plural(word)
    return word if word in _KEEP else _final_e(_derivation(_inflection(word)))


def _final_e(word: str) -> str:
    """Porter's step 5a: a final ``e`` goes when two syllables precede it, or one that is not
    consonant-vowel-consonant, so "escape" and "escaping" meet at "escap", while "hope" stays."""
    if not word.endswith("e") or len(word) < 4:
        return word
    stem = word[:-1]
    m = _measure(stem)
    return stem if m > 1 or (m == 1 and not _SHORT_CVC.match(stem)) else word


def is_content_word(token: str) -> bool:
    """Whether a normalised token carries content: numbers always (a date or a figure is strong
    evidence of a copy), other tokens when they have three characters or more and are not stop words."""
    return token.isdecimal() or (len(token) > 2 and token not in STOP_WORDS)


class _ContentStems(dict[str, str]):
    """token -> its stem, or "" for a token that is not a content word; filled on first sight and
    emptied when it grows past ``_MAX_CACHED`` tokens (numbers and typos make vocabularies open)."""

    def __missing__(self, token: str) -> str:
        if len(self) >= _MAX_CACHED:
            self.clear()
        value = self[token] = stem(token) if is_content_word(token) else ""
        return value


_MAX_CACHED = 1 << 20
_CONTENT_STEMS = _ContentStems()
# ASCII text normalises to its lower case, whose word characters are exactly these: a fast path
# equal to syndidetect.shingles.tokens (HTML entities excepted, hence the "&" test).
_ASCII_TOKEN = re.compile(r"[0-9a-z]+")
# Typographic quotes, dashes, ellipsis and non-breaking space: separators before and after NFKC, so
# English text whose only non-ASCII characters are these takes the fast path too.
_SEPARATORS = re.compile("[\u00a0\u2013\u2014\u2018\u2019\u201c\u201d\u2026]")


def _ascii_lower(text: str) -> str | None:
    """``text`` lower-cased with typographic separators as spaces (same length, same tokens), or
    None when it needs full normalisation (other non-ASCII characters, or HTML entities)."""
    if "&" in text:
        return None
    if not text.isascii():
        text = _SEPARATORS.sub(" ", text)
        if not text.isascii():
            return None
    return text.lower()


def content_stems(text: str) -> list[str]:
    """The stems of the content words of ``text``, in order, repeats kept.

    Tokens are those of :func:`syndidetect.shingles.tokens` (normalised, case-folded).

    >>> content_stems("The reporters were denied visas in 2017, as he said.")
    ['reporter', 'deny', 'visa', '2017', 'said']
    """
    lowered = _ascii_lower(text)
    words = tokens(text) if lowered is None else _ASCII_TOKEN.findall(lowered)
    return [s for s in map(_CONTENT_STEMS.__getitem__, words) if s]


def content_stems_of_spans(text: str, spans: Sequence[Span]) -> list[list[str]]:
    """``[content_stems(text[start:end]) for start, end in spans]``, with the text prepared once."""
    lowered = _ascii_lower(text)
    if lowered is None:
        return [content_stems(text[start:end]) for start, end in spans]
    get, findall = _CONTENT_STEMS.__getitem__, _ASCII_TOKEN.findall
    return [[s for s in map(get, findall(lowered, start, end)) if s] for start, end in spans]


# A sentence ends at . ! or ? (closing quotes and brackets included) followed by white space and a
# capital letter or a digit (opening quotes and brackets allowed before it).
_BOUNDARY = re.compile(r"(?P<end>[.!?]+[\"'”’»)\]]*)\s+(?=[\"'“‘”’«(\[]*(?P<next>\w))")
# Abbreviations a capitalised name or word often follows ("Mr. Smith", "St. Louis").
_ABBREVIATIONS = frozenset([
    "mr", "mrs", "ms", "mx", "dr", "prof", "sr", "jr", "st", "mt", "ft", "gen", "gov", "sen", "rep", "rev",
    "col", "lt", "sgt", "capt", "cmdr", "adm", "maj", "pres", "supt", "hon", "messrs", "mme", "mlle", "vs",
    "cf", "approx", "dept", "univ",
])
# Abbreviations that end no sentence when a number follows ("No. 5", "Jan. 12", "Fig. 3").
_BEFORE_NUMBER = frozenset([
    "no", "nos", "vol", "fig", "pp", "art", "ch", "sec", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec",
])


def _word_before(text: str, begin: int, end: int) -> str:
    """The run of characters of ``text[begin:end]`` that ends at ``end`` without a space, tab or
    line end."""
    start = max(text.rfind(" ", begin, end), text.rfind("\n", begin, end), text.rfind("\t", begin, end))
    return text[max(start + 1, begin) : end]


def _ends_sentence(text: str, begin: int, m: re.Match[str]) -> bool:
    following, end = m["next"], m["end"]
    if not (following.isupper() or following.isdigit()):
        return False
    if end[0] in "!?" or end.startswith(".."):
        return True
    word = _word_before(text, begin, m.start()).lstrip("\"'“‘«([").lower()
    if "." in word or word in _ABBREVIATIONS:  # dotted ("U.S.", "e.g.", "a.m."), or a title
        return False
    if len(word) == 1 and word.isalpha():  # an initial: "J. K. Rowling"
        return False
    return not (word in _BEFORE_NUMBER and following.isdigit())


# A paragraph that ends without closing punctuation ...
_OPEN_END = re.compile(r"[^.!?:;…\"”’)\]]\Z")
# ... and the next, one line end further, starting in lower case: one sentence wrapped across them.
_CONTINUATION = re.compile(r"[ \t]*\r?\n[ \t]*[a-z]")


def _blocks(text: str) -> list[Span]:
    """Paragraphs, rejoined where a line end falls inside a sentence that the paragraph splitter
    judged as two paragraphs (lines too long or too short for hard wrapping)."""
    blocks: list[Span] = []
    for start, end in paragraph_spans(text):
        if blocks and _continues(text, blocks[-1][1], start):
            blocks[-1] = (blocks[-1][0], end)
        else:
            blocks.append((start, end))
    return blocks


def _continues(text: str, end: int, start: int) -> bool:
    return bool(_OPEN_END.search(text, end - 1, end)) and bool(_CONTINUATION.fullmatch(text, end, start + 1))


def sentence_spans(text: str) -> list[Span]:
    """Sentences as half-open character spans of ``text``, in order.

    A sentence never crosses a paragraph (:func:`syndidetect.text.paragraph_spans`: blank lines,
    and line ends that are not hard wrapping, end one), except where a line that ends without
    punctuation is followed by one that starts in lower case (wrapped at a width the paragraph
    splitter does not take for hard wrapping). Inside a paragraph, . ! or ? followed by
    white space and a capital or a digit ends a sentence, except after titles ("Mr."), dotted
    abbreviations ("U.S.", "e.g."), initials and "No." before a number; decimals never split.

    >>> t = "Mr. Smith paid $3.5 million for the U.S. firm. He sat.\\n\\nNext"
    >>> [t[s:e] for s, e in sentence_spans(t)]
    ['Mr. Smith paid $3.5 million for the U.S. firm.', 'He sat.', 'Next']
    """
    spans: list[Span] = []
    for start, end in _blocks(text):
        begin = start
        for m in _BOUNDARY.finditer(text, start, end):
            if _ends_sentence(text, begin, m):
                spans.append((begin, m.end("end")))
                begin = m.end()
        spans.append((begin, end))
    return spans


# --- TF-IDF vectors of stem lists ----------------------------------------------------------------------

#: Term ids of one sentence; sparse rows: ``(row, term, weight)`` arrays and the number of rows.
Ids: TypeAlias = npt.NDArray[np.int64]
SparseRows: TypeAlias = tuple[Ids, Ids, npt.NDArray[np.float64], int]


def term_ids(sentences: Sequence[Sequence[str]], vocabulary: dict[str, int]) -> list[Ids]:
    """Each sentence's stems as term ids, adding new stems to ``vocabulary``."""
    return [np.array([vocabulary.setdefault(w, len(vocabulary)) for w in words], dtype=np.int64)
            for words in sentences]


def _counts(units: Sequence[Ids], width: int) -> tuple[Ids, Ids, Ids]:
    """The distinct ``(row, term)`` of ``units`` and their counts."""
    terms = np.concatenate(units) if units else np.zeros(0, dtype=np.int64)
    rows = np.repeat(np.arange(len(units), dtype=np.int64), [len(u) for u in units])
    keys, counts = np.unique(rows * width + terms, return_counts=True)
    return keys // width, keys % width, counts


def tfidf_idf(sentences: Sequence[Ids], width: int) -> npt.NDArray[np.float64]:
    """Smoothed IDF fitted on ``sentences``: ``idf = ln((1 + n) / (1 + df)) + 1``."""
    df = np.bincount(_counts(sentences, width)[1], minlength=width)
    idf: npt.NDArray[np.float64] = np.log((1.0 + len(sentences)) / (1.0 + df)) + 1.0
    return idf


def tfidf_rows(units: Sequence[Ids], idf: npt.NDArray[np.float64]) -> SparseRows:
    """Sparse l2-normalised TF-IDF rows ``(row, term, weight)`` with ``tf = 1 + ln(count)``."""
    row, term, counts = _counts(units, len(idf))
    weight = (1.0 + np.log(counts)) * idf[term]
    norm = np.sqrt(np.bincount(row, weight * weight, minlength=len(units)))
    return row, term, weight / norm[row], len(units)


def weighted_dot(x: SparseRows, y: SparseRows) -> npt.NDArray[np.float64]:
    """The ``(n_x, n_y)`` dot products of two sets of sparse rows, on their shared terms only."""
    shared = np.intersect1d(x[1], y[1])
    column_of = np.full(int(max(x[1].max(initial=0), y[1].max(initial=0))) + 1, -1, dtype=np.int64)
    column_of[shared] = np.arange(len(shared))
    dense = []
    for row, term, weight, n in (x, y):
        column = column_of[term]
        on = column >= 0
        matrix = np.zeros((n, len(shared)))
        matrix[row[on], column[on]] = weight[on]
        dense.append(matrix)
    product: npt.NDArray[np.float64] = dense[0] @ dense[1].T
    return product


def tfidf_cosines(stems_a: Sequence[Sequence[str]], stems_b: Sequence[Sequence[str]]) -> npt.NDArray[np.float64]:
    """The ``(len(stems_a), len(stems_b))`` cosines of sentences given as stem lists.

    Vectors are scikit-learn's ``TfidfVectorizer(analyzer=..., sublinear_tf=True)`` fitted on the
    sentences of both sides (``tf = 1 + ln(count)``, smoothed IDF, l2 norm), computed with numpy:
    importing scikit-learn takes seconds and it is not a dependency."""
    vocabulary: dict[str, int] = {}
    a, b = term_ids(stems_a, vocabulary), term_ids(stems_b, vocabulary)
    idf = tfidf_idf(a + b, len(vocabulary))
    return weighted_dot(tfidf_rows(a, idf), tfidf_rows(b, idf))
