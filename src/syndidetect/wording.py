"""How a count is worded, in every message and report of the package (the readers' warnings, the
HTML pages, the command line), and a pair's headline, which the terminal report and the HTML pages
both print: one rule, at the bottom layer, so each of them can call it."""

from __future__ import annotations


def counted(n: int, word: str, plural: str | None = None) -> str:
    """``n`` and ``word``, in the plural unless ``n`` is 1 (``plural``: when it is not ``word + "s"``).

    >>> counted(1, "copy", "copies"), counted(0, "document"), counted(2, "related pair")
    ('1 copy', '0 documents', '2 related pairs')
    """
    return f"{n} {word if n == 1 else plural or word + 's'}"


def pair_headline(documents: tuple[str, str] | list[str], verdict: str, kind: str,
                  direction: tuple[str, str] | None, matched: tuple[int, int] | list[int],
                  matchable: tuple[int, int] | list[int]) -> str:
    """A pair's one line for people, from its report's fields (``direction``: source and copy); the
    terminal report and the HTML pages both print it.

    >>> pair_headline(("a", "b"), "copy", "verbatim", ("a", "b"), (16, 16), (17, 16))
    'b republishes 16 of 17 paragraphs of a — verbatim'
    >>> for matched in [(1, 1), (4, 4), (1, 2)]:
    ...     print(pair_headline(("a", "b"), "related", "near", None, matched, (9, 9)))
    a shares passages with b: 1 paragraph each — near
    a shares passages with b: 4 paragraphs each — near
    a shares passages with b: 1 and 2 paragraphs — near
    """
    a, b = documents
    if direction is not None:
        source, copy = direction
        at = 0 if source == a else 1
        return f"{copy} republishes {matched[at]} of {matchable[at]} paragraphs of {source} — {kind}"
    if verdict == "copy":
        return (f"{a} and {b}: copy, {matched[0]} of {matchable[0]} and {matched[1]} of {matchable[1]} "
                f"paragraphs — {kind}")
    counts = (counted(matched[0], "paragraph") + " each" if matched[0] == matched[1]
              else f"{matched[0]} and {matched[1]} paragraphs")  # never "1 and 1 paragraphs"
    return f"{a} shares passages with {b}: {counts} — {kind}"
