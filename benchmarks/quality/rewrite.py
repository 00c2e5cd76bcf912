"""Text transformations of the generator: typos, HTML entities, quotes and spaces, hard wrapping, and
spinning (synonyms, sentence split and merge, clause insertion and deletion) at graded strength.

Every function takes a ``random.Random`` so a corpus is deterministic for its seed.
"""

from __future__ import annotations

import random
import re
import textwrap
from dataclasses import dataclass

# A small hand-made thesaurus for the words frequent in the prose pool and in news.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "about": ("regarding", "concerning"), "above": ("over",), "accept": ("take",), "access": ("reach",),
    "actual": ("real",), "add": ("append", "include"), "additional": ("extra", "further"),
    "allow": ("permit", "let"), "allows": ("permits", "lets"), "already": ("previously",),
    "also": ("as well", "too"), "alternative": ("substitute",), "always": ("invariably",),
    "appear": ("show up",), "applied": ("used",), "argument": ("parameter",), "arguments": ("parameters",),
    "automatically": ("on its own",), "available": ("accessible",), "based": ("founded",),
    "because": ("since", "as"), "before": ("prior to",), "begin": ("start",), "beginning": ("start",),
    "behavior": ("conduct",), "behaviour": ("conduct",), "below": ("beneath",), "between": ("among",),
    "both": ("the two",), "build": ("construct",), "but": ("yet", "however"), "call": ("invoke",),
    "called": ("invoked", "named"), "calls": ("invokes",), "can": ("may", "is able to"), "cannot": ("can’t",),
    "case": ("instance",), "cases": ("instances",), "change": ("alter", "modify"), "changed": ("altered",),
    "check": ("verify",), "choose": ("pick",), "clear": ("plain",), "common": ("usual",),
    "complete": ("full",), "completely": ("entirely",), "consider": ("regard",), "contain": ("hold",),
    "contains": ("holds",), "correct": ("right",), "create": ("make", "produce"), "created": ("made",),
    "creates": ("makes",), "current": ("present",), "currently": ("presently", "now"), "data": ("information",),
    "default": ("standard",), "define": ("specify",), "defined": ("specified",), "defines": ("specifies",),
    "describe": ("outline",), "described": ("outlined",), "different": ("distinct", "various"),
    "directly": ("straight",), "does": ("will",), "each": ("every",), "easily": ("readily",),
    "either": ("any",), "empty": ("blank",), "enough": ("sufficient",), "ensure": ("make sure",),
    "entire": ("whole",), "error": ("mistake", "fault"), "errors": ("mistakes", "faults"),
    "especially": ("particularly",), "even": ("still",), "every": ("each",), "exactly": ("precisely",),
    "example": ("instance",), "exist": ("be present",), "expected": ("anticipated",), "explicitly": ("expressly",),
    "fail": ("break down",), "fails": ("breaks down",), "false": ("untrue",), "few": ("several",),
    "find": ("locate", "discover"), "finally": ("at last", "eventually"), "first": ("initial",),
    "following": ("next", "subsequent"), "found": ("located",), "further": ("more",), "get": ("obtain", "receive"),
    "give": ("provide",), "given": ("provided", "supplied"), "gives": ("provides",), "handle": ("manage",),
    "help": ("assist", "aid"), "however": ("nevertheless", "still"), "ignored": ("disregarded",),
    "immediately": ("at once",), "important": ("significant", "crucial"), "include": ("comprise",),
    "included": ("comprised",), "includes": ("comprises",), "indicate": ("signal",), "indicates": ("signals",),
    "information": ("details",), "initial": ("first",), "instead": ("rather",), "large": ("big", "huge"),
    "last": ("final",), "later": ("afterwards",), "like": ("such as",), "likely": ("probable",),
    "list": ("series",), "long": ("lengthy",), "main": ("principal", "chief"), "make": ("create",),
    "makes": ("creates",), "many": ("numerous", "plenty of"), "may": ("might", "could"), "mean": ("signify",),
    "means": ("signifies",), "method": ("technique",), "might": ("may",), "more": ("additional",),
    "most": ("the majority of",), "must": ("has to", "should"), "name": ("title",), "necessary": ("needed",),
    "need": ("require",), "needed": ("required",), "needs": ("requires",), "new": ("fresh", "novel"),
    "normally": ("ordinarily",), "number": ("amount", "count"), "obtain": ("get",), "often": ("frequently",),
    "old": ("former",), "only": ("just", "merely"), "order": ("sequence",), "original": ("initial",),
    "other": ("different",), "otherwise": ("else",), "part": ("portion",), "particular": ("specific",),
    "perform": ("carry out",), "place": ("location",), "possible": ("feasible",), "prevent": ("stop",),
    "previous": ("earlier", "prior"), "problem": ("issue",), "problems": ("issues",), "process": ("procedure",),
    "provide": ("supply", "offer"), "provided": ("supplied",), "provides": ("supplies", "offers"),
    "quickly": ("rapidly",), "raise": ("throw",), "raised": ("thrown",), "rather": ("instead",),
    "receive": ("get",), "reason": ("cause",), "recent": ("latest",), "remove": ("delete", "eliminate"),
    "removed": ("deleted",), "replace": ("substitute",), "report": ("account",), "reports": ("accounts",),
    "represent": ("stand for",), "represents": ("stands for",), "require": ("need",), "required": ("needed",),
    "requires": ("needs",), "result": ("outcome", "consequence"), "results": ("outcomes",),
    "return": ("give back", "yield"), "returned": ("given back",), "returns": ("gives back", "yields"),
    "said": ("stated", "noted"), "same": ("identical",), "says": ("states",), "see": ("view",),
    "several": ("various", "a few"), "show": ("display",), "shown": ("displayed",), "similar": ("alike",),
    "simple": ("basic", "plain"), "simply": ("just",), "since": ("because",), "single": ("one",),
    "small": ("little", "tiny"), "so": ("thus",), "some": ("certain",), "sometimes": ("occasionally",),
    "specific": ("particular",), "specified": ("given",), "start": ("begin",), "state": ("condition",),
    "still": ("yet",), "stop": ("halt",), "such": ("these",), "support": ("back",), "supported": ("backed",),
    "supports": ("backs",), "sure": ("certain",), "take": ("accept",), "takes": ("accepts",),
    "therefore": ("thus", "hence"), "thus": ("therefore",), "true": ("correct",), "try": ("attempt",),
    "typically": ("usually",), "unless": ("except if",), "until": ("till",), "use": ("employ", "utilize"),
    "used": ("employed", "utilized"), "useful": ("helpful", "handy"), "uses": ("employs",),
    "using": ("employing",), "usual": ("normal",), "usually": ("normally", "generally"),
    "valid": ("legitimate",), "value": ("worth", "quantity"), "values": ("quantities",), "various": ("diverse",),
    "very": ("extremely", "really"), "want": ("wish",), "way": ("manner", "method"), "when": ("whenever",),
    "whether": ("if",), "which": ("that",), "while": ("whereas",), "whole": ("entire",), "within": ("inside",),
    "without": ("lacking",), "work": ("function",), "works": ("functions",), "written": ("composed",),
    "wrong": ("incorrect",),
}
_WORD_RE = re.compile(r"[A-Za-z]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"])")
_INSERTS_FRONT = ("In addition, ", "Notably, ", "According to the report, ", "As it turns out, ",
                  "At the same time, ", "Meanwhile, ")
_INSERTS_BACK = (", officials said", ", according to the report", ", sources said", ", the statement added")
_SPLITTERS = (", and ", ", but ", "; ", ", which ", ", while ")
_ENTITIES = {"’": ("&rsquo;", "&#8217;"), "‘": ("&lsquo;", "&#8216;"), "“": ("&ldquo;", "&#8220;"),
             "”": ("&rdquo;", "&#8221;"), "—": ("&mdash;", "&#8212;"), "&": ("&amp;",)}
_STRAIGHT = {"’": "'", "‘": "'", "“": '"', "”": '"', "—": "--"}


@dataclass(frozen=True)
class Strength:
    """Rates of one spinning strength (probabilities per eligible word, sentence or paragraph)."""

    synonyms: float
    split: float
    merge: float
    insert: float
    delete: float
    split_paragraph: float
    drop_paragraph: float


STRENGTHS: dict[str, Strength] = {
    "light": Strength(0.2, 0.1, 0.05, 0.05, 0.0, 0.1, 0.0),
    "medium": Strength(0.45, 0.25, 0.15, 0.15, 0.1, 0.25, 0.1),
    "heavy": Strength(0.75, 0.4, 0.25, 0.3, 0.2, 0.35, 0.2),
}


def sentences(paragraph: str) -> list[str]:
    return _SENTENCE_END.split(paragraph)


def _match_case(word: str, replacement: str) -> str:
    return replacement[0].upper() + replacement[1:] if word[0].isupper() else replacement


def synonymise(text: str, rate: float, rng: random.Random) -> str:
    """Replace each word found in :data:`SYNONYMS` with a synonym, with probability ``rate``."""

    def swap(m: re.Match[str]) -> str:
        word = m.group()
        options = SYNONYMS.get(word.lower())
        if options is None or rng.random() >= rate:
            return word
        return _match_case(word, rng.choice(options))

    return _WORD_RE.sub(swap, text)


def _lower_first(s: str) -> str:
    return s[0].lower() + s[1:] if len(s) > 1 and s[1].islower() else s


def _split_sentence(s: str, rng: random.Random) -> list[str]:
    for splitter in rng.sample(_SPLITTERS, len(_SPLITTERS)):
        at = s.find(splitter)
        if at > 20 and len(s) - at > 20:
            head, tail = s[:at].rstrip(",;") + ".", s[at + len(splitter):]
            lead = {"which ": "This ", "while ": "Meanwhile, ", "but ": "But "}.get(splitter.lstrip(",; "), "")
            return [head, lead + tail if lead else tail[0].upper() + tail[1:]]
    return [s]


def _delete_clause(s: str) -> str:
    s = re.sub(r"\s*\([^)]*\)", "", s)
    at = s.rfind(", ")
    if at > 0 and len(s[:at].split()) >= 6:
        return s[:at] + "."
    return s


def _insert_clause(s: str, rng: random.Random) -> str:
    if rng.random() < 0.5:
        return rng.choice(_INSERTS_FRONT) + _lower_first(s)
    return s[:-1] + rng.choice(_INSERTS_BACK) + s[-1]


def spin_sentences(paragraph: str, strength: Strength, rng: random.Random) -> list[str]:
    """The sentences of a spun ``paragraph``: split, merged, clauses inserted or deleted, synonyms."""
    out: list[str] = []
    for s in sentences(paragraph):
        if rng.random() < strength.delete:
            s = _delete_clause(s)
        if rng.random() < strength.insert:
            s = _insert_clause(s, rng)
        parts = _split_sentence(s, rng) if rng.random() < strength.split else [s]
        if out and rng.random() < strength.merge and out[-1].endswith("."):
            out[-1] = out[-1][:-1] + ", and " + _lower_first(parts[0])
            parts = parts[1:]
        out += parts
    return [synonymise(s, strength.synonyms, rng) for s in out]


def typo(word: str, rng: random.Random) -> str:
    """One keyboard slip: swapped, dropped or doubled letter."""
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word[:i] + word[i + 1:] if kind == 1 else word[:i] + word[i] + word[i:]


def add_typos(text: str, rate: float, rng: random.Random) -> str:
    return _WORD_RE.sub(lambda m: typo(m.group(), rng) if rng.random() < rate else m.group(), text)


def html_entities(text: str, rng: random.Random, nbsp_rate: float = 0.03) -> str:
    """Undecoded HTML entities as scrapers leave them, and some ``&nbsp;`` between words."""
    out = "".join(rng.choice(_ENTITIES[c]) if c in _ENTITIES else c for c in text)
    return re.sub(" ", lambda m: "&nbsp;" if rng.random() < nbsp_rate else " ", out)


def straight_quotes_and_nbsp(text: str, rng: random.Random, nbsp_rate: float = 0.1) -> str:
    """Curly quotes made straight, dashes doubled, and some spaces made non-breaking (U+00A0)."""
    out = "".join(_STRAIGHT.get(c, c) for c in text)
    return re.sub(" ", lambda m: "\u00a0" if rng.random() < nbsp_rate else " ", out)


def hard_wrap(text: str, width: int = 72) -> str:
    return textwrap.fill(text, width=width, break_long_words=False, break_on_hyphens=False)
