"""Text material of the shapes corpus (see ``shapes.py``): three prose sources, word 3-gram
measures, a controlled rewriter (light revision and heavy rewording) and OCR-like noise.

The prose is the same as ``prose.py``'s (English that ships with Python) but kept apart by origin,
so a shape can be drawn from reference prose (``topics``: pydoc topics), API prose (``docstrings``:
stdlib module docstrings) or user-facing prose (``idle_help``: IDLE's help page). Each sentence is
handed out once per corpus, so two documents share text only where a shape puts it.

The rewriter is written independently of the detector: it measures its own output in word
3-grams and content-word stems (plain regex tokens, not the detector's shingles) and rewrites
until the brief's targets hold (light: about half the 3-grams kept; heavy: at most 15 %).

>>> kept_share("the cat sat on the mat", "the cat sat on a mat")
0.5
>>> ocr_noise("m" * 10, random.Random(0), every=100) != "m" * 10
True
"""

from __future__ import annotations

import html
import random
import re
import sysconfig
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

from benchmarks.quality.prose import _DOCSTRING, _stdlib_files, new_sentence_groups
from benchmarks.quality.rewrite import SYNONYMS, sentences
from benchmarks.quality.shapes_thesaurus import DOMAIN_SYNONYMS, FUNCTION_SWAPS

SOURCES = ("topics", "docstrings", "idle_help")
_TOKEN = re.compile(r"[^\W_]+")
_SECTION = re.compile(r"<section\b")
_TAG = re.compile(r"<[^>]+>")
_BLOCK_TAG = re.compile(r"</?(?:p|li|h\d|dd|dt|div|pre|table|tr|ul|ol|dl)\b[^>]*>")
_SCRIPT = re.compile(r"(?s)<(script|style)\b.*?</\1>")


# --- prose ------------------------------------------------------------------------------------------


def _idle_sections() -> list[str]:
    """IDLE's help page (``idlelib/help.html``) as plain text, one string per ``<section>``."""
    path = Path(sysconfig.get_paths()["stdlib"]) / "idlelib" / "help.html"
    if not path.exists():
        return []
    page = _SCRIPT.sub("", path.read_text(encoding="utf-8", errors="replace"))
    return [html.unescape(_TAG.sub("", _BLOCK_TAG.sub("\n\n", s))) for s in _SECTION.split(page)]


@lru_cache(maxsize=1)
def prose_pools() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Sentence groups (one per pydoc topic, stdlib module or help section) of each source in
    :data:`SOURCES`; every sentence occurs once over all sources."""
    from pydoc_data.topics import topics

    texts = {
        "topics": [topics[k] for k in sorted(topics)],
        "docstrings": ["\n\n".join(_DOCSTRING.findall(p.read_text(encoding="utf-8", errors="replace")))
                       for p in _stdlib_files()],
        "idle_help": _idle_sections(),
    }
    seen: set[str] = set()
    return {source: new_sentence_groups(texts[source], seen) for source in SOURCES}


class Prose:
    """Sentences of the three sources, each handed out at most once, subjects kept together."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.groups: dict[str, list[list[str]]] = {}
        for source, groups in prose_pools().items():
            shuffled = [list(g) for g in groups]
            rng.shuffle(shuffled)
            self.groups[source] = shuffled

    def left(self, source: str) -> int:
        return sum(len(g) for g in self.groups[source])

    def pick_source(self, need: int = 0) -> str:
        """A source chosen at random, weighted by the sentences it has left (at least ``need``)."""
        sources = [s for s in SOURCES if self.left(s) > need]
        if not sources:
            raise ValueError("the prose pool is exhausted: lower per_category")
        return self.rng.choices(sources, weights=[self.left(s) for s in sources])[0]

    def take(self, n: int, source: str | None = None, keep: Callable[[str], bool] = lambda s: True) -> list[str]:
        """``n`` sentences passing ``keep``, consecutive in one source (they may cross subjects)."""
        source = source or self.pick_source(n)
        out: list[str] = []
        for group in self.groups[source]:
            taken: list[str] = []
            for s in group:
                if len(out) + len(taken) == n:
                    break
                if keep(s):
                    taken.append(s)
            for s in taken:
                group.remove(s)
            out += taken
            if len(out) == n:
                return out
        raise ValueError(f"the {source} prose has fewer than {n} suitable sentences left: lower per_category")

    def topic(self, n: int, sources: Sequence[str] = SOURCES, limit: int | None = None) -> list[str]:
        """At least ``n`` (at most ``limit``, default ``n``) sentences of one subject (one group),
        from the first group with ``n`` left."""
        for source in self.rng.sample(list(sources), len(sources)):
            for group in self.groups[source]:
                if len(group) >= n:
                    out = group[: limit or n]
                    del group[: limit or n]
                    return out
        raise ValueError(f"no prose subject has {n} sentences left: lower per_category")


def paragraphs(sentences_: Sequence[str], rng: random.Random, sizes: Sequence[int] = (1, 2, 2, 3)) -> list[str]:
    """Sentences grouped into paragraphs of ``rng.choice(sizes)`` sentences, in order."""
    out, at = [], 0
    while at < len(sentences_):
        k = rng.choice(sizes)
        out.append(" ".join(sentences_[at : at + k]))
        at += k
    return out


# --- measures ---------------------------------------------------------------------------------------

# Words that carry grammar, not content (the rest are "content words" for the stem measure).
FUNCTION_WORDS = frozenset({
    "a", "an", "the", "this", "that", "these", "those", "it", "its", "they", "them", "their", "there", "here", "is",
    "are", "was", "were", "be", "been", "being", "has", "have", "had", "do", "does", "did", "will", "would",
    "shall", "should", "can", "could", "may", "might", "must", "of", "in", "on", "at", "by", "for", "with", "from",
    "to", "into", "onto", "upon", "as", "than", "then", "and", "or", "but", "nor", "not", "no", "so", "if", "when",
    "while", "because", "although", "though", "whether", "which", "who", "whom", "whose", "what", "where", "how",
    "all", "any", "each", "every", "some", "such", "only", "also", "very", "just", "more", "most", "other",
    "another", "same", "one", "two", "s", "t", "d", "ll", "re", "ve",
})


def tokens(text: str) -> list[str]:
    """Lower-case words (letters and digits), the unit of the generator's own measures."""
    return _TOKEN.findall(text.casefold())


def trigrams(text: str) -> set[tuple[str, ...]]:
    words = tokens(text)
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def kept_share(source: str, copy: str) -> float:
    """Share of ``source``'s word 3-grams found in ``copy``."""
    grams = trigrams(source)
    return len(grams & trigrams(copy)) / len(grams) if grams else 0.0


def stem(word: str) -> str:
    """A crude stem: common English suffixes off (enough to see a word kept in another form)."""
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def content_stems(text: str) -> list[str]:
    return [stem(w) for w in tokens(text) if w not in FUNCTION_WORDS and len(w) > 2]


def kept_stems(source: str, copy: str) -> float:
    """Share of ``source``'s content-word stems that still occur in ``copy``."""
    mine, theirs = content_stems(source), set(content_stems(copy))
    return sum(s in theirs for s in mine) / len(mine) if mine else 1.0


# --- the rewriter -----------------------------------------------------------------------------------

_FILLERS = ("In practice, ", "Put simply, ", "As a rule, ", "Generally, ", "In short, ", "By design, ",
            "Typically, ", "In most cases, ", "Broadly, ")
_MID_FILLERS = ("in effect", "in fact", "as expected", "in turn", "as it happens")
_SUBORDINATORS = ("if", "when", "because", "unless", "while", "although", "since", "before", "after")
_PARTICLES = frozenset({"out", "up", "on", "off", "in", "back", "with", "for"})
_DROPPABLE = frozenset({"the", "a", "an", "that"})


def synonym(word: str, rng: random.Random) -> str | None:
    """Another word for ``word`` (case kept; plurals and third persons in -s, -es, -ies handled), or None."""
    lower = word.lower()
    options = DOMAIN_SYNONYMS.get(lower) or SYNONYMS.get(lower)
    if options is not None:
        out = rng.choice(options)
    else:
        bases = (lower[:-1], lower[:-2], lower[:-3] + "y") if lower.endswith("s") and len(lower) > 3 else ()
        found = [b for b in bases if b in DOMAIN_SYNONYMS or b in SYNONYMS]
        if not found:
            return None
        out = _plural(rng.choice(DOMAIN_SYNONYMS.get(found[0]) or SYNONYMS[found[0]]))
    return out[0].upper() + out[1:] if word[0].isupper() else out


def _plural(phrase: str) -> str:
    """``phrase`` with an -s ending: on the verb of a phrasal verb (``carry out``), else on the last word."""
    words = phrase.split(" ")
    k = 0 if len(words) > 1 and words[1] in _PARTICLES else len(words) - 1
    w = words[k]
    if re.search(r"(?:s|x|ch|sh)$", w):
        w += "es"
    else:
        w = w[:-1] + "ies" if re.search(r"[^aeiou]y$", w) else w + "s"
    return " ".join([*words[:k], w, *words[k + 1 :]])


def _swap_function(word: str, rng: random.Random) -> str | None:
    options = FUNCTION_SWAPS.get(word.lower())
    if options is None:
        return None
    out = rng.choice(options)
    return out[0].upper() + out[1:] if word[0].isupper() else out


def move_clause(sentence: str) -> str | None:
    """The sentence with a clause moved: ``X if Y.`` <-> ``If Y, X.`` or ``A, and B.`` -> ``B, and A.``;
    None when it has no clause to move."""
    body, end = sentence[:-1], sentence[-1]
    words = body.split(" ")
    if words[0].lower() in _SUBORDINATORS and ", " in body:
        head, tail = body.split(", ", 1)
        if len(tail.split()) >= 3 and _balanced(head):
            return tail[0].upper() + tail[1:] + " " + head[0].lower() + head[1:] + end
    for k in range(3, len(words) - 2):
        if words[k].lower() in _SUBORDINATORS and "," not in " ".join(words[k:]):
            main, sub = " ".join(words[:k]).rstrip(","), " ".join(words[k:])
            if not _balanced(main):
                continue
            return sub[0].upper() + sub[1:] + ", " + _lower(main) + end
    for joiner in (", and ", ", but ", "; "):
        if joiner in body:
            a, b = body.split(joiner, 1)
            if ", " not in a and _balanced(a) and len(a.split()) >= 3 and len(b.split()) >= 3:
                return b[0].upper() + b[1:] + joiner + _lower(a) + end
    return None


def _balanced(s: str) -> bool:
    """Whether ``s`` closes every parenthesis and quotation it opens (a clause may move)."""
    return s.count("(") == s.count(")") and s.count("“") == s.count("”") and s.count('"') % 2 == 0


def _lower(s: str) -> str:
    """First letter lower-cased unless the first word looks like a name or acronym."""
    first = s.split(" ", 1)[0]
    return s if len(first) > 1 and (first[1:].lower() != first[1:] or first in ("I", "IDLE")) else s[:1].lower() + s[1:]


def _word_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _TOKEN.finditer(text)]


def swap_words(sentence: str, content_rate: float, function_rate: float, rng: random.Random) -> str:
    """``content_rate`` of the sentence's content words (by count) swapped for synonyms where the
    thesaurus has one, and each function word swapped with probability ``function_rate``."""
    spans = _word_spans(sentence)
    words = [sentence[a:b] for a, b in spans]
    content = [k for k, w in enumerate(words) if w.lower() not in FUNCTION_WORDS and len(w) > 2]
    swappable = [k for k in content if synonym(words[k], rng) is not None]
    chosen = set(rng.sample(swappable, min(len(swappable), round(content_rate * len(content)))))
    out, last = [], 0
    for k, (a, b) in enumerate(spans):
        new = synonym(words[k], rng) if k in chosen else None
        if new is None and rng.random() < function_rate:
            new = _swap_function(words[k], rng)
        out += [sentence[last:a], new or words[k]]
        last = b
    return "".join(out) + sentence[last:]


def break_runs(text: str, source_grams: set[tuple[str, ...]], target: float, rng: random.Random) -> str:
    """Change ``text`` where it still holds a 3-gram of the source (swap, drop or insert a word in
    the run) until at most ``target`` of the source's 3-grams are left."""
    for _ in range(400):
        words = tokens(text)
        kept = [i for i in range(len(words) - 2) if tuple(words[i : i + 3]) in source_grams]
        if len({tuple(words[i : i + 3]) for i in kept}) <= target * len(source_grams) or not kept:
            return text
        i = rng.choice(kept)
        spans = _word_spans(text)
        for k in rng.sample((i + 1, i, i + 2), 3):
            a, b = spans[k]
            word = text[a:b]
            new = synonym(word, rng) or _swap_function(word, rng)
            if new and tokens(new) != [word.lower()]:
                text = text[:a] + new + text[b:]
                break
            if word.lower() in _DROPPABLE and b < len(text) and text[b] == " " and text[a - 1 : a] == " ":
                text = text[:a] + text[b + 1 :]
                break
        else:
            a = spans[i + 1][0]
            if text[a - 1 : a] == " ":
                lead = " " if text[a - 2 : a - 1] == "," else ", "
                text = text[: a - 1] + lead + rng.choice(_MID_FILLERS) + ", " + text[a:]
    return text


def revise(paragraph: str, *, content_rate: float, function_rate: float, filler_rate: float,
           clause_rate: float, reorder_rate: float, max_kept: float, rng: random.Random) -> str:
    """One paragraph rewritten sentence by sentence: clauses moved, words swapped, sentence-initial
    fillers added, at most one adjacent pair of sentences swapped; then runs broken until at most
    ``max_kept`` of its word 3-grams are left."""
    out = []
    for s in sentences(paragraph):
        if rng.random() < clause_rate:
            s = move_clause(s) or s
        s = swap_words(s, content_rate, function_rate, rng)
        if rng.random() < filler_rate:
            s = rng.choice(_FILLERS) + _lower(s)
        out.append(s)
    if len(out) > 2 and rng.random() < reorder_rate:
        k = rng.randrange(len(out) - 1)
        out[k], out[k + 1] = out[k + 1], out[k]
    return break_runs(" ".join(out), trigrams(paragraph), max_kept, rng)


def light_revision(paragraph: str, rng: random.Random) -> str:
    """About half the 3-grams kept: one content word in four swapped, a clause moved (one sentence
    in two), a few function words changed."""
    return revise(paragraph, content_rate=0.25, function_rate=0.05, filler_rate=0.0, clause_rate=0.5,
                  reorder_rate=0.0, max_kept=0.6, rng=rng)


def heavy_rewording(paragraph: str, rng: random.Random) -> str:
    """At most 15 % of the 3-grams kept, about half the content stems kept: clauses reordered, three
    content words in five swapped where the thesaurus has a synonym, function words changed,
    fillers, sentence order mostly kept (one adjacent pair swapped in three paragraphs of ten)."""
    return revise(paragraph, content_rate=0.6, function_rate=0.45, filler_rate=0.35, clause_rate=0.7,
                  reorder_rate=0.3, max_kept=0.15, rng=rng)


# --- OCR noise ---------------------------------------------------------------------------------------

_OCR: tuple[tuple[str, re.Pattern[str], Callable[[str], str]], ...] = (
    ("rn->m", re.compile("rn"), lambda s: "m"),
    ("m->rn", re.compile("m"), lambda s: "rn"),
    ("l->I", re.compile("l"), lambda s: "I"),
    ("0<->O", re.compile("[0O]"), lambda s: "O" if s == "0" else "0"),
    ("o->0", re.compile("(?<=[a-z])o(?=[a-z])"), lambda s: "0"),
    ("drop space", re.compile("(?<=[a-z]) (?=[a-z])"), lambda s: ""),
    ("add space", re.compile("(?<=[a-z]{3})(?=[a-z]{3})"), lambda s: " "),
)


def ocr_noise(text: str, rng: random.Random, every: int = 100) -> str:
    """One OCR-like error per ``every`` characters: ``rn``->``m``, ``m``->``rn``, ``l``->``I``,
    ``0``<->``O`` (``o``->``0`` in words without digits), a dropped or an added space."""
    out = []
    for at in range(0, len(text), every):
        window = text[at : at + every]
        options = [(p, f) for _, p, f in _OCR if p.search(window)]
        if options:
            pattern, fix = rng.choice(options)
            m = rng.choice(list(pattern.finditer(window)))
            window = window[: m.start()] + fix(m.group()) + window[m.end() :]
        out.append(window)
    return "".join(out)
