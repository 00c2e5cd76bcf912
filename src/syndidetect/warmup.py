"""Filling numba's cache ahead of the work: every kernel compiled now (``syndidetect compile``).

The kernels compile at their first call after an install, about 80 s in all here (one core),
and a big first run, or a long-lived process, waits for them in the middle of its work. A container
image or a deployment can pay that once, when it is built: this runs a small made-up workload that
calls every kernel along every path a run takes (detection of multi- and one-paragraph documents,
with and without the sentence LSH, signatures, an index's adds, merge and check), with each kernel
taken whatever the size of the work, so that numba compiles it and writes it to its cache. Later
processes load them from there in milliseconds. On a machine of two cores or more, two processes
compile them, each on its own core (:func:`compile_kernels`). numba keys its cache by the CPU it
compiled for: a cache built on another kind of machine is compiled again, once.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import pkgutil
import random
import string
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from syndidetect import _kernels
from syndidetect._kernels.jit import lock_compiles, uncached_kernels, watch_compiles
from syndidetect._kernels.lazy import take_every_kernel
from syndidetect._kernels.overlap import compile_wide_numbers
from syndidetect._kernels.token_stems import FIRST_KNOWN
from syndidetect.config import Config
from syndidetect.detector import Detector, detect
from syndidetect.documents import Document
from syndidetect.minhash import signatures, sketch

# Words of the made-up text: plain English with the endings the stemmer strips (-s, -ed, -ing, -ly,
# -tion, -ness...), so its paths run, and a few with letters beyond ASCII, which the tokeniser's
# other path reads.
_TEXT_WORDS = """the a of to and in on for with by from at as that this which while after before over under
report reports reported reporting reporter council councils city cities mayor budget budgets vote votes
voted voting plan plans planned planning road roads bridge bridges school schools teacher teachers
student students water river rivers flood floods flooded flooding storm storms weather forecast
election elections candidate candidates campaign campaigns minister ministers government policy
policies economy economic growth market markets price prices rising fell rose quickly slowly nearly
officially publicly statement statements announcement announced announcing investigation investigated
hospital hospitals doctor doctors patient patients health healthy illness weakness happiness company
companies worker workers strike strikes union unions agreement agreed agreeing court courts judge
ruling ruled trial trials police officer officers arrest arrested residents neighbourhood community
communities museum museums exhibition festival music musician concert season team teams player
players match matches scored scoring coach victory defeat energy power plant plants solar wind
climate carbon emission emissions farmer farmers harvest crop crops drought summer winter spring
autumn morning evening yesterday today tomorrow week month year years people said says saying told
café naïve résumé Zürich São Paulo Ελλάδα"""
_WORDS = _TEXT_WORDS.split()

# Replacements a rewording makes: another word of the same kind, as a spinner's synonym list does.
_SYNONYMS = {"said": "stated", "people": "residents", "rose": "climbed", "fell": "dropped", "city": "town",
             "quickly": "rapidly", "nearly": "almost", "plan": "proposal", "vote": "ballot", "storm": "tempest",
             "company": "firm", "worker": "employee", "court": "tribunal", "doctor": "physician",
             "school": "academy", "price": "cost", "market": "exchange", "year": "twelvemonth"}

# Paragraphs in a made-up page, sentences in a paragraph, words in a sentence: [low, high] (counts),
# ranges like a news page's, so that pages, paragraphs and passages of every size meet the kernels.
_PARAGRAPHS = (3, 12)
_SENTENCES = (1, 5)
_SENTENCE_WORDS = (4, 28)
# Made-up pages, and how many of them get a copy of another one (of each kind below).
_PAGES = 40
_COPIED = 24
# A footer shared by this many pages: more than Config.boilerplate_docs (5), so it is boilerplate.
_FOOTER_PAGES = 9
# Distinct tokens of one page of figures (made-up codes, as a results table holds): half again as
# many as a token memo first makes room for, so that it grows as a real corpus's open vocabulary
# (names, numbers, typos) has it grow, and the kernel that re-hashes its table compiles too.
_FIGURES = FIRST_KNOWN + FIRST_KNOWN // 2
_CODE_LETTERS = 7  # letters of a made-up code: 26**7 of them, so nearly all are distinct
_CODES_A_LINE = 8  # a table's row


@dataclass(frozen=True)
class Warmed:
    """What :func:`compile_kernels` did: ``compiles`` numba compiles (a kernel with its callees
    counts once), over ``seconds``."""

    compiles: int
    seconds: float


def _sentence(rng: random.Random) -> str:
    words = rng.choices(_WORDS, k=rng.randint(*_SENTENCE_WORDS))
    if rng.random() < 0.3:
        words.insert(rng.randrange(len(words)), str(rng.randint(2, 2030)))
    if rng.random() < 0.2:
        at = rng.randrange(len(words))
        words[at] = f"“{words[at]}”"
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice([".", ".", ".", "?", "!", " —"])


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(*_SENTENCES)))


def _reworded(paragraph: str, rng: random.Random) -> str:
    """A spinner's version: synonyms for the words it knows, a word here and there dropped."""
    words = [_SYNONYMS.get(w, w) for w in paragraph.split() if rng.random() > 0.08]
    return " ".join(words)


def _copy(original: list[str], kind: int, rng: random.Random) -> list[str]:
    """A copy of a page's paragraphs: whole, a passage inside new text, near (a word changed in
    places), reworded, or re-cut (paragraphs merged and split again elsewhere)."""
    fresh = [_paragraph(rng) for _ in range(rng.randint(1, 4))]
    if kind == 0:
        return list(original)
    if kind == 1:
        start = rng.randrange(len(original))
        return fresh[:2] + original[start : start + 3] + fresh[2:]
    if kind == 2:
        return [" ".join(rng.choice(_WORDS) if rng.random() < 0.05 else w for w in p.split()) for p in original]
    if kind == 3:
        return [_reworded(p, rng) for p in original] + fresh[:1]
    words = " ".join(original).split()
    cuts = sorted(rng.sample(range(1, len(words)), min(len(original), len(words) - 1)))
    return [" ".join(words[a:b]) for a, b in zip([0, *cuts], [*cuts, len(words)])]


def _figures(rng: random.Random) -> str:
    lines = (" ".join("".join(rng.choices(string.ascii_lowercase, k=_CODE_LETTERS))
                      for _ in range(_CODES_A_LINE)) for _ in range(_FIGURES // _CODES_A_LINE))
    return "\n".join(lines)


def workload(seed: int = 0) -> list[Document]:
    """Made-up news pages with copies of every kind among them, a footer several share and a page of
    figures."""
    rng = random.Random(seed)
    footer = _sentence(rng)  # one sentence: short enough for boilerplate (Config.boilerplate_max_words)
    pages = [[_paragraph(rng) for _ in range(rng.randint(*_PARAGRAPHS))] for _ in range(_PAGES)]
    for page in pages[:_FOOTER_PAGES]:
        page.append(footer)
    copies = [_copy(pages[k], k % 5, rng) for k in range(_COPIED)]
    figures = Document("figures", _figures(rng))
    return [Document(f"page-{k}", "\n\n".join(page)) for k, page in enumerate(pages + copies)] + [figures]


def take_kernels_of_every_module() -> None:
    """Import every module of the kernels (a kernel is made at its module's import) and take them all."""
    for module in pkgutil.iter_modules(_kernels.__path__):
        importlib.import_module(f"{_kernels.__name__}.{module.name}")
    take_every_kernel()


def compile_kernels() -> Warmed:
    """Run the workload with every kernel taken (its index in a temporary folder), which has numba
    compile each kernel its cache lacks and write it there. On a machine of two cores or more a
    second process runs the workload's steps in another order (:func:`compile_other_steps`), the
    kernels taking turns (:func:`~syndidetect._kernels.jit.lock_compiles`): numba compiles a kernel
    on one core, so the two compile different kernels at once, and each loads from the cache what
    the other compiled. This process still runs every step: the cache holds every kernel when it
    ends, whatever the other did."""
    compiles, stop = _counted_compiles()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as locks:
        try:
            take_kernels_of_every_module()
            helper = _start_helper(locks) if _helps() else None
            lock_compiles(locks if helper is not None else None)
            try:
                _run_workload()
            except BaseException:
                if helper is not None:
                    helper.kill()
                raise
            finally:
                lock_compiles(None)
                compiles[0] += _helper_compiles(helper)
        finally:
            stop()
    return Warmed(compiles[0], time.perf_counter() - started)


def _counted_compiles() -> tuple[list[int], Callable[[], None]]:
    """The count (one item) of the compiles numba makes from now on, and the function that stops it."""
    compiles = [0]

    def count(started: bool) -> None:
        if started:
            compiles[0] += 1

    return compiles, watch_compiles(count)


def _run_workload() -> None:
    """Every step of the workload (see the module's docstring). The signatures come first: the
    second process (:func:`compile_other_steps`) starts with verification's kernels, so the two
    compile apart for longer (``syndidetect compile`` into an empty cache: 52.3 s, against 58.0 s
    with detection first and 83.3 s in one process)."""
    pages = workload()
    config = Config(backend="numba")
    # A text with an entity is read again in Python, then by the kernels that read joined texts.
    signatures([d.text for d in pages] + ["Fish &amp; chips"], backend="numba")
    sketch([d.text for d in pages] + ["Fish &amp; chips"], backend="numba")
    detect(pages, config)
    detect(pages, config.replace(sentence_candidates=False))
    paragraphs = [Document(f"{d.id}#{k}", text) for d in pages for k, text in enumerate(d.text.split("\n\n"))]
    detect(paragraphs, config)
    with tempfile.TemporaryDirectory() as where, Detector.open(Path(where) / "warm-up.db", config) as index:
        half = len(pages) // 2
        index.add_many(pages[:half])
        index.add_many(pages[half:])  # a second run of postings, which closing merges
        index.query(pages[:3])
    compile_wide_numbers()  # the merge joins for documents of more than 65,536 paragraphs


def compile_other_steps(locks: str) -> int:
    """The second process's part of :func:`compile_kernels` (the kernels' lock files in ``locks``):
    the steps whose kernels the first process meets last, first. Its detection signs the pages with
    numpy and skips the sentence LSH, so it reaches verification's kernels (about half the compile
    time) while the first process compiles the signature kernels; then the merge joins of long
    documents, the first process's last step. Returns how many compiles numba made here."""
    compiles, stop = _counted_compiles()
    lock_compiles(locks)
    try:
        take_kernels_of_every_module()
        pages = workload()
        detect(pages, Config(backend="numpy", sentence_candidates=False))
        compile_wide_numbers()
    finally:
        lock_compiles(None)
        stop()
    return compiles[0]


def _helps() -> bool:
    """Whether a second compiling process can help: a second core, file locks (POSIX), and a cache
    the two processes share (numba found a place for it)."""
    return (os.cpu_count() or 1) > 1 and importlib.util.find_spec("fcntl") is not None and not uncached_kernels()


# The second process: compile_other_steps, its count printed on the last line.
_HELPER = "import sys; from syndidetect.warmup import compile_other_steps; print(compile_other_steps(sys.argv[1]))"


def _start_helper(locks: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", _HELPER, locks], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True)


def _helper_compiles(helper: subprocess.Popen[str] | None) -> int:
    """The compiles the second process made, once it ends (0 if it failed: this process's own steps
    compiled or loaded every kernel all the same; it only took longer)."""
    if helper is None:
        return 0
    output, _ = helper.communicate()
    last = output.split()[-1:] if helper.returncode == 0 else []
    return int(last[0]) if last and last[0].isdigit() else 0
