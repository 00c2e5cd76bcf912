"""Which words changed between two paragraphs, for showing rewording to people."""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

from syndidetect.shingles import class_set, tokens
from syndidetect.unicode_tables import CHAINED_RANGES, CLUSTER, IDEOGRAPHIC_RANGES, IGNORED, MARK


@lru_cache(maxsize=1)
def word_pattern() -> re.Pattern[str]:
    """A letter of a script written without spaces with its marks (and invisible characters), or a
    run of other characters that are not white space."""
    cluster = class_set(CLUSTER, CLUSTER)
    attached = class_set(MARK, MARK)[:-1] + class_set(IGNORED, IGNORED)[1:]
    return re.compile(rf"{cluster}{attached}*|(?:(?!{cluster})\S)+")


# Every letter of those scripts lies in one of these blocks (``unicode_tables`` gives the CLUSTER
# flag only there), first and last code point, ascending.
_CLUSTER_BLOCKS = tuple(sorted(IDEOGRAPHIC_RANGES + CHAINED_RANGES))
_LOWEST = chr(_CLUSTER_BLOCKS[0][0])


def _may_hold_cluster_letters(text: str) -> bool:
    """False when no character of ``text`` lies in those blocks (so it holds none of their letters).

    Latin text with the punctuation of Windows-1252 (curly quotes, dashes, the ellipsis: most news)
    encodes to it whole, and every character that does lies below the blocks or between them: 3 us
    for 380 characters, where ``max(text)`` made a string of each character past Latin-1 (21 us).
    A character class of the blocks would read as fast, but takes 1-8 ms to compile."""
    if len(text.encode("cp1252", "ignore")) == len(text):
        return False
    return any(low <= ord(c) <= high for c in set(text) if c >= _LOWEST for low, high in _CLUSTER_BLOCKS)


# In a text without those letters a word is a run of non-space characters: this pattern matches the
# same words there and compiles in microseconds, where :func:`word_pattern` takes about 8 ms (its
# classes are large), which every one-shot text report paid.
_NOT_SPACE = re.compile(r"\S+")


def word_spans(text: str) -> list[tuple[int, int]]:
    """Words of ``text`` as spans into it: whitespace-separated, and each letter of a script
    written without spaces (Chinese, Japanese, Thai, ...) on its own, as tokens are.

    >>> text = "Le café 東京に"
    >>> [text[s:e] for s, e in word_spans(text)]
    ['Le', 'café', '東', '京', 'に']
    """
    pattern = word_pattern() if _may_hold_cluster_letters(text) else _NOT_SPACE
    return [m.span() for m in pattern.finditer(text)]


@lru_cache(maxsize=1 << 16)
def _word_key(word: str) -> str:
    """What a word compares by: its normalised tokens. Memoised: words repeat (a reworded pair's
    sides share most of theirs, and a report compares thousands of pairs), and tokenising one word
    costs about 0.9 us against 0.07 us for a look-up."""
    return " ".join(tokens(word))


def changed_words(a: str, b: str) -> tuple[list[bool], list[bool]]:
    """For each word of ``a`` and of ``b`` (:func:`word_spans`): True when it is not in the common text.

    Words compare by their normalised tokens, so case, quotes and spacing never count as changes.

    >>> changed_words("Left with no way out", "Left with no real way out")
    ([False, False, False, False, False], [False, False, False, True, False, False])
    """
    keys_a = [_word_key(a[s:e]) for s, e in word_spans(a)]
    keys_b = [_word_key(b[s:e]) for s, e in word_spans(b)]
    changed_a, changed_b = [True] * len(keys_a), [True] * len(keys_b)
    matcher = difflib.SequenceMatcher(None, keys_a, keys_b, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            changed_a[block.a + k] = changed_b[block.b + k] = False
    return changed_a, changed_b
