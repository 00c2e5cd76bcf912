"""Which words changed between two paragraphs, for showing rewording to people."""

from __future__ import annotations

import difflib
import re

from syndidetect.shingles import tokens

_WORD = re.compile(r"\S+")


def word_spans(text: str) -> list[tuple[int, int]]:
    """Whitespace-separated words of ``text`` as spans into it."""
    return [m.span() for m in _WORD.finditer(text)]


def changed_words(a: str, b: str) -> tuple[list[bool], list[bool]]:
    """For each whitespace word of ``a`` and of ``b``: True when it is not in the common text.

    Words compare by their normalised tokens, so case, quotes and spacing never count as changes.

    >>> changed_words("Left with no way out", "Left with no real way out")
    ([False, False, False, False, False], [False, False, False, True, False, False])
    """
    keys_a = [" ".join(tokens(a[s:e])) for s, e in word_spans(a)]
    keys_b = [" ".join(tokens(b[s:e])) for s, e in word_spans(b)]
    changed_a, changed_b = [True] * len(keys_a), [True] * len(keys_b)
    matcher = difflib.SequenceMatcher(None, keys_a, keys_b, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            changed_a[block.a + k] = changed_b[block.b + k] = False
    return changed_a, changed_b
