"""A page's text as blocks, read from the parsed HTML tree (lxml) without any extractor.

Two jobs around trafilatura (:mod:`syndidetect.readers.html`): lines separated by ``<br>`` become
paragraphs before it runs (it drops the text before the first ``<br>`` of a ``<div>``, which is how
many comment boxes hold a pasted article), and the prose it left out is found afterwards
(:func:`left_out`): copies hide in comment widgets and page chrome it does not recognise.
"""

from __future__ import annotations

from typing import Any

__all__ = ["PROSE_MIN_WORDS", "breaks_to_paragraphs", "left_out", "page_blocks"]

# Elements whose text is never shown as page text.
SKIP = frozenset({"script", "style", "noscript", "template", "head", "title", "svg", "math", "iframe", "object",
                  "select", "option", "button", "textarea", "input"})
# Elements that end a line of text: their start and end separate blocks.
BLOCK = frozenset({"address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "dialog", "div",
                   "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
                   "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table",
                   "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "body", "html"})
# Elements a <br>-separated line may hold without ending it.
INLINE = frozenset({"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "font", "i", "img",
                    "ins", "kbd", "mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup",
                    "time", "tt", "u", "var", "wbr"})
# Words (whitespace-separated); a run of left-out blocks is kept when one of its blocks is at least
# this long: a sentence-long paragraph can carry a copy, while menus, link lists, bylines and
# footers are shorter.
PROSE_MIN_WORDS = 20
# Share of a block's word 3-grams that must occur in the extracted text for the block to count as
# extracted: the extractor rewrites whitespace and may drop an inline element, never half a paragraph.
COVERED_SHARE = 0.5


def _tag(node: Any) -> str:
    """An element's lower-case tag; '' for comments and processing instructions."""
    return node.tag.lower() if isinstance(node.tag, str) else ""


def breaks_to_paragraphs(root: Any) -> None:
    """Turn the ``<br>``-separated lines of every element but ``<p>`` and ``<pre>`` into ``<p>``
    elements, in place: ``<div>one<br>two</div>`` becomes ``<div><p>one</p><p>two</p></div>``."""
    for element in [e for e in root.iter() if _tag(e) not in ("p", "pre", *SKIP)]:
        if any(_tag(child) == "br" for child in element):
            _regroup(element)


def _regroup(element: Any) -> None:
    out: list[Any] = []
    current: list[Any] = [None]  # the <p> being filled, or None

    def paragraph() -> Any:
        if current[0] is None:
            current[0] = element.makeelement("p", {})
            out.append(current[0])
        return current[0]

    def add_text(text: str | None) -> None:
        if not text or (current[0] is None and not text.strip()):
            return
        p = paragraph()
        if len(p):
            p[-1].tail = (p[-1].tail or "") + text
        else:
            p.text = (p.text or "") + text

    text, element.text = element.text, None
    add_text(text)
    for child in list(element):
        tail, child.tail = child.tail, None
        element.remove(child)
        tag = _tag(child)
        if tag == "br":
            current[0] = None
        elif tag in INLINE or not tag:
            paragraph().append(child)
        else:
            out.append(child)
            current[0] = None
        add_text(tail)
    element.extend(out)


def page_blocks(root: Any) -> list[str]:
    """The page's visible text in reading order, one string per block (whitespace folded)."""
    blocks: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        text = " ".join("".join(pending).split())
        if text:
            blocks.append(text)
        pending.clear()

    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:  # iterative: a page may nest deeper than Python's recursion limit
        node, closing = stack.pop()
        tag = _tag(node)
        if closing:
            if tag in BLOCK:
                flush()
            if node.tail and node is not root:
                pending.append(node.tail)
            continue
        stack.append((node, True))
        if not tag or tag in SKIP:
            continue
        if tag in BLOCK:
            flush()
        if node.text:
            pending.append(node.text)
        stack.extend((child, False) for child in reversed(node))
    flush()
    return blocks


def _grams(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + 3]) for i in range(max(1, len(words) - 2))}


def left_out(blocks: list[str], extracted: str) -> list[str]:
    """The blocks of prose missing from ``extracted``: runs of consecutive blocks that are not in
    it, kept whole (a headline beside its paragraphs) when one block has :data:`PROSE_MIN_WORDS`."""
    known = _grams(extracted.split())
    kept: list[str] = []
    run: list[str] = []
    for block in [*blocks, None]:
        if block is not None:
            grams = _grams(block.split())
            if sum(g in known for g in grams) < COVERED_SHARE * len(grams):
                run.append(block)
                continue
        if any(len(b.split()) >= PROSE_MIN_WORDS for b in run):
            kept.extend(run)
        run = []
    return kept
