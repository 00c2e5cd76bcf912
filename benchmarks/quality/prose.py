"""English prose that ships with Python: sentences from ``pydoc_data.topics`` and stdlib docstrings.

No downloads. Sentences are grouped by where they come from (a pydoc topic or a module), so
consecutive sentences of the pool talk about one subject, as paragraphs of one article do.
The pool depends only on the Python installation, so a corpus is deterministic for a seed on it.
"""

from __future__ import annotations

import re
import sysconfig
import unicodedata
from functools import lru_cache
from pathlib import Path

_WORD = re.compile(r"^[(]?[A-Za-z][a-z]*(?:'[a-z]+)?[)]?[,;:.]?[)]?$")
_CODE_CHARS = re.compile(r"[_=<>{}\[\]\\/@*`#%$|~^]")
_BLOCK = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_QUOTED_NAME = re.compile(r'"([A-Za-z_][A-Za-z_ ]*)"')
_DOCSTRING = re.compile(r'"""(.*?)"""', re.S)
_MARKUP_START = (">", "|", "#", "*", "-", "=", "+", ":", "..")
MIN_WORDS, MAX_WORDS = 7, 40


def sentences_of(text: str) -> list[str]:
    """Prose sentences of ``text``: no code, no markup, 7 to 40 mostly alphabetic words."""
    out = []
    for block in _BLOCK.split(text):
        lines = [line.strip() for line in block.split("\n")]
        if any(line.startswith(_MARKUP_START) or line.endswith(":") for line in lines):
            continue
        para = _QUOTED_NAME.sub(r"\1", " ".join(lines))
        for s in _SENTENCE_END.split(para):
            words = s.split()
            if not (MIN_WORDS <= len(words) <= MAX_WORDS and s[0].isupper() and s.endswith(".")):
                continue
            if _CODE_CHARS.search(s) or sum(bool(_WORD.match(w)) for w in words) < 0.9 * len(words):
                continue
            out.append(s.replace("'", "\u2019"))  # news sites print curly apostrophes
    return out


def _stdlib_files() -> list[Path]:
    root = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(root.glob("*.py")) + sorted(root.glob("*/*.py"))
    return [f for f in files if "site-packages" not in f.parts and "test" not in f.parts]


@lru_cache(maxsize=1)
def sentence_groups() -> tuple[tuple[str, ...], ...]:
    """Groups of prose sentences (one per pydoc topic or stdlib module), each sentence once overall."""
    from pydoc_data.topics import topics

    texts = [topics[k] for k in sorted(topics)]
    for path in _stdlib_files():
        source = path.read_text(encoding="utf-8", errors="replace")
        texts.append("\n\n".join(_DOCSTRING.findall(source)))
    return new_sentence_groups(texts, set())


def new_sentence_groups(texts: list[str], seen: set[str]) -> tuple[tuple[str, ...], ...]:
    """The sentences of each text not in ``seen`` (NFKC, case and spacing folded), as groups of three
    or more; ``seen`` gains them, so a sentence is used once over several calls."""
    groups = []
    for text in texts:
        group = []
        for s in sentences_of(text):
            key = " ".join(unicodedata.normalize("NFKC", s).casefold().split())
            if key not in seen:
                seen.add(key)
                group.append(s)
        if len(group) >= 3:
            groups.append(tuple(group))
    return tuple(groups)
