"""Detection parameters, validated once at construction so later stages can trust them."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, Literal

from syndidetect.errors import ConfigError
from syndidetect.rules import VerdictRules

Backend = Literal["auto", "numba", "numpy"]
BACKENDS: tuple[str, ...] = ("auto", "numba", "numpy")


# Bounds of the signature parameters: Config checks them, and so do the functions that take them
# directly (sd.signatures, sd.shingles, to_datasketch), all with check_int and these one definitions.
NUM_PERM_BOUNDS = (1, 4096)  # permutations per signature: 4096 uint32 are 16 kB a paragraph, past any LSH use
SHINGLE_SIZE_BOUNDS = (1, 16)  # words per shingle: past 16, a shingle is a sentence and never matches a rewording
SEED_BOUNDS = (0, 2**32 - 1)  # numpy.random.RandomState seeds, from which datasketch draws the permutations


def check_int(name: str, value: object, low: int, high: int) -> int:
    """``value``, when it is an int (not a bool) in ``[low, high]``; else :class:`ConfigError`."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(f"{name!r} must be an int in [{low}, {high}]; got {value!r}")
    return value



def _check_unit_float(name: str, value: object, *, open_low: bool = False) -> None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if ok and (0.0 < float(value) <= 1.0 if open_low else 0.0 <= float(value) <= 1.0):  # type: ignore[arg-type]
        return
    interval = "(0, 1]" if open_low else "[0, 1]"
    raise ConfigError(f"{name!r} must be a float in {interval}; got {value!r}")


@dataclass(frozen=True)
class Config:
    """Parameters of a detection run.

    ``threshold`` is the paragraph similarity a match needs: the share of the shorter paragraph's
    word shingles that also occur in the other paragraph (or in a window of its neighbours).
    A paragraph of at most ``boilerplate_max_words`` words found in ``boilerplate_docs`` or more
    documents is boilerplate (menus, footers) and never matched. ``rules`` decide passages and
    verdicts (:class:`~syndidetect.rules.VerdictRules`). ``sentence_candidates`` also compares
    documents whose sentences share half their content words (heavy rewording keeps too few word
    shingles for the paragraph LSH); ``detect`` and ``find_copies`` use it.

    >>> Config(threshold=0.5).threshold
    0.5
    >>> Config(threshold=1.5)
    Traceback (most recent call last):
    ...
    syndidetect.errors.ConfigError: 'threshold' must be a float in (0, 1]; got 1.5
    """

    threshold: float = 0.2
    shingle_size: int = 3
    num_perm: int = 128
    seed: int = 1
    min_words: int = 5
    bands: int | None = None
    boilerplate_docs: int = 5
    boilerplate_max_words: int = 30
    backend: Backend = "auto"
    sentence_candidates: bool = True
    rules: VerdictRules = field(default_factory=VerdictRules)

    def __post_init__(self) -> None:
        _check_unit_float("threshold", self.threshold, open_low=True)
        check_int("shingle_size", self.shingle_size, *SHINGLE_SIZE_BOUNDS)
        check_int("num_perm", self.num_perm, *NUM_PERM_BOUNDS)
        check_int("seed", self.seed, *SEED_BOUNDS)
        check_int("min_words", self.min_words, 1, 10_000)
        if not isinstance(self.sentence_candidates, bool):
            raise ConfigError(f"'sentence_candidates' must be a bool; got {self.sentence_candidates!r}")
        if not isinstance(self.rules, VerdictRules):
            raise ConfigError(f"'rules' must be a syndidetect.rules.VerdictRules; got {type(self.rules).__name__}")
        check_int("boilerplate_docs", self.boilerplate_docs, 2, 2**31)
        check_int("boilerplate_max_words", self.boilerplate_max_words, 0, 10_000)
        if self.bands is not None:
            check_int("bands", self.bands, 1, self.num_perm)
        if self.backend not in BACKENDS:
            raise ConfigError(f"'backend' must be one of {', '.join(BACKENDS)}; got {self.backend!r}")

    def replace(self, **changes: Any) -> Config:
        """A copy with some parameters changed (and validated again)."""
        return dataclasses.replace(self, **changes)
