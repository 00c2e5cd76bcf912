"""Content words and their stems, for reword-robust matching (:mod:`syndidetect.sentences`).

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

from syndidetect._types import Span
from syndidetect.shingles import token_gaps, tokens, tokens_of_each

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


# The suffixes _inflection tests, and their last letters: a word ending otherwise keeps its end, and
# the stemmer (every new word of a one-shot command goes through it) skips about a dozen tests.
_INFLECTIONS = ("eed", "ied", "ed", "ing")
_INFLECTION_ENDS = frozenset(suffix[-1] for suffix in _INFLECTIONS)


def _inflection(word: str) -> str:
    if word[-1] not in _INFLECTION_ENDS:
        return word
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


# The last letter of a derivational suffix: a word ending otherwise has none (see _INFLECTION_ENDS).
_DERIVATION_ENDS = frozenset(suffix[-1] for suffix, _, _ in _DERIVATIONS)


def _derivation(word: str) -> str:
    if word[-1] not in _DERIVATION_ENDS:
        return word
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


def content_stem(token: str) -> str:
    """The stem of a normalised token when it is a content word, else "" (memoised).

    >>> [content_stem(t) for t in ["reporters", "the", "2017", "as"]]
    ['reporter', '', '2017', '']
    """
    return _CONTENT_STEMS[token]


def content_stems(text: str) -> list[str]:
    """The stems of the content words of ``text``, in order, repeats kept.

    Tokens are those of :func:`syndidetect.shingles.tokens` (normalised, case-folded).

    >>> content_stems("The reporters were denied visas in 2017, as he said.")
    ['reporter', 'deny', 'visa', '2017', 'said']
    """
    return [s for s in map(_CONTENT_STEMS.__getitem__, tokens(text)) if s]


def content_stems_of_spans(text: str, spans: Sequence[Span], lowered: str | None) -> list[list[str]]:
    """``[content_stems(text[start:end]) for start, end in spans]``, with the text prepared once:
    ``lowered`` is ``ascii_lower(text)``, which the caller also needs (None: the text needs full
    normalisation: the spans are tokenised together, each as if alone)."""
    get = _CONTENT_STEMS.__getitem__
    if lowered is None:
        pieces = tokens_of_each([text[start:end] for start, end in spans])
        return [[s for s in map(get, words) if s] for words in pieces]
    gaps = token_gaps(lowered)
    return [[s for s in map(get, gaps[start:end].split()) if s] for start, end in spans]
