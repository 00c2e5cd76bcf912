"""How a count is worded, in every message and report of the package (the readers' warnings, the
HTML pages, the command line): one rule, at the bottom layer, so each of them can call it."""

from __future__ import annotations


def counted(n: int, word: str, plural: str | None = None) -> str:
    """``n`` and ``word``, in the plural unless ``n`` is 1 (``plural``: when it is not ``word + "s"``).

    >>> counted(1, "copy", "copies"), counted(0, "document"), counted(2, "related pair")
    ('1 copy', '0 documents', '2 related pairs')
    """
    return f"{n} {word if n == 1 else plural or word + 's'}"
