"""A deterministic synthetic corpus for the benchmarks: Zipfian paragraphs plus planted copies.

No downloads: words are pronounceable syllable combinations, drawn with Zipf-Mandelbrot
frequencies, with sentence capitals, commas, full stops and an occasional curly possessive
(``’s``), so the batch is not pure ASCII, as real text rarely is. A share of the paragraphs are
planted copies of others, with the ground truth kept:

* ``verbatim``: an exact copy;
* ``reworded``: about 20% of the words replaced by other words;
* ``split``: a reworded copy cut into two paragraphs, each paired with the source.

>>> c = make_corpus(200, seed=3)
>>> len(c.texts), c.planted[0][2] in {"verbatim", "reworded", "split"}
(200, True)
>>> make_corpus(200, seed=3).texts == c.texts
True
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

_ONSETS = ["", "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w",
           "br", "ch", "cl", "dr", "fr", "gr", "pl", "pr", "sh", "st", "str", "th", "tr"]  # fmt: skip
_NUCLEI = ["a", "e", "i", "o", "u", "ai", "ea", "ee", "oo", "ou"]
_CODAS = ["", "", "", "n", "r", "s", "t", "l", "m", "nd", "st", "ng"]
_SUFFIXES = ["", ",", ".", "\u2019s"]  # plain, comma, end of sentence, curly possessive
_SUFFIX_P = [0.86, 0.06, 0.06, 0.02]
_VOCABULARY = 30_000
_ZIPF_S = 1.05
_ZIPF_Q = 2.7  # Mandelbrot's offset: flattens the head as in real text
_MEAN_WORDS = 60
_PLANTED_SHARE = 0.1
_REWORD_SHARE = 0.2


@dataclass(frozen=True)
class Corpus:
    texts: list[str]
    #: ``(i, j, kind)`` with ``i < j``: paragraph ``j`` copies ``i`` (or the reverse; order is lost).
    planted: list[tuple[int, int, str]]

    def planted_pairs(self) -> set[tuple[int, int]]:
        return {(i, j) for i, j, _ in self.planted}


def _vocabulary(rng: np.random.RandomState, size: int) -> list[str]:
    syllables = [o + n + c for o, n, c in itertools.product(_ONSETS, _NUCLEI, _CODAS)]
    words: set[str] = set()
    out: list[str] = []
    while len(out) < size:
        # Frequent words are short, as in natural language: rank decides the syllable count.
        count = 1 + min(3, int(rng.exponential(0.6 + 1.2 * len(out) / size)))
        word = "".join(syllables[k] for k in rng.randint(0, len(syllables), count))
        if word not in words:
            words.add(word)
            out.append(word)
    return out


class _Writer:
    """Turns word-index arrays into paragraphs with punctuation, vectorised over all words."""

    def __init__(self, rng: np.random.RandomState) -> None:
        self.rng = rng
        vocab = _vocabulary(rng, _VOCABULARY)
        forms = [[w + s for w in vocab] for s in _SUFFIXES]
        forms += [[w.capitalize() + s for w in vocab] for s in _SUFFIXES]
        self.forms = np.array(forms, dtype=object)  # (2 * suffixes, vocabulary)
        ranks = np.arange(1, _VOCABULARY + 1, dtype=np.float64)
        weights = 1.0 / (ranks + _ZIPF_Q) ** _ZIPF_S
        self.cdf = np.cumsum(weights / weights.sum())

    def words(self, n: int) -> npt.NDArray[np.int64]:
        return np.minimum(np.searchsorted(self.cdf, self.rng.random_sample(n)), _VOCABULARY - 1)

    def lengths(self, n: int) -> npt.NDArray[np.int64]:
        return np.clip(self.rng.normal(_MEAN_WORDS, 18, n), 8, 160).astype(np.int64)

    def render(self, words: npt.NDArray[np.int64], lengths: npt.NDArray[np.int64]) -> list[str]:
        suffix = self.rng.choice(len(_SUFFIXES), size=len(words), p=_SUFFIX_P)
        ends = np.cumsum(lengths)
        suffix[ends - 1] = 2  # every paragraph ends a sentence
        capital = np.empty(len(words), dtype=bool)
        capital[0] = True
        capital[1:] = suffix[:-1] == 2
        tokens = self.forms[suffix + len(_SUFFIXES) * capital, words].tolist()
        starts = ends - lengths
        return [" ".join(tokens[s:e]) for s, e in zip(starts.tolist(), ends.tolist())]


def _reword(writer: _Writer, words: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    out = words.copy()
    swap = writer.rng.random_sample(len(out)) < _REWORD_SHARE
    out[swap] = writer.words(int(swap.sum()))
    return out


def make_corpus(n_paragraphs: int, seed: int = 0) -> Corpus:
    """``n_paragraphs`` paragraphs, about 10% of them planted copies, in a shuffled order."""
    rng = np.random.RandomState(seed)
    writer = _Writer(rng)
    n_copies = int(n_paragraphs * _PLANTED_SHARE)
    n_base = n_paragraphs - n_copies
    lengths = writer.lengths(n_base)
    words = writer.words(int(lengths.sum()))
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    texts = writer.render(words, lengths)

    # Planted copies: (source index, word indices) rendered in one batch.
    copy_words: list[npt.NDArray[np.int64]] = []
    truth: list[tuple[int, str]] = []
    for src in rng.randint(0, n_base, n_copies).tolist():
        if len(copy_words) >= n_copies:
            break
        original = words[starts[src] : starts[src] + lengths[src]]
        kind = rng.choice(["verbatim", "reworded", "split"], p=[0.45, 0.45, 0.10])
        if kind == "verbatim":
            copy_words.append(original)
        elif kind == "reworded" or len(copy_words) + 2 > n_copies:
            kind = "reworded"
            copy_words.append(_reword(writer, original))
        else:
            changed = _reword(writer, original)
            half = len(changed) // 2
            copy_words += [changed[:half], changed[half:]]
            truth.append((src, str(kind)))
        truth.append((src, str(kind)))
    copy_lengths = np.array([len(w) for w in copy_words], dtype=np.int64)
    texts += writer.render(np.concatenate(copy_words), copy_lengths)

    order = rng.permutation(len(texts))
    position = np.empty_like(order)
    position[order] = np.arange(len(order))
    shuffled = [texts[i] for i in order.tolist()]
    planted = []
    for k, (src, kind) in enumerate(truth):
        i, j = sorted((int(position[src]), int(position[n_base + k])))
        planted.append((i, j, kind))
    return Corpus(shuffled, sorted(planted))
