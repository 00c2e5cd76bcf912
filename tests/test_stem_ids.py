"""The kernels over stem ids (``_kernels/stem_ids.py``) against their definitions: a set's MinHash is
the signature of its stems joined by spaces, a set's identity tells sets apart, and a document's
numbering is in order of first appearance; compiled and numpy paths alike."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import syndidetect._kernels.stem_ids as stem_ids_module
from syndidetect._kernels.stem_ids import STEM_IDS, Kernels, first_appearance, set_identities, set_signatures
from syndidetect.minhash import permutations, signatures, sketch
from syndidetect.stem_vocabulary import PYTHON_HASHED, StemVocabulary, remember_token_hashes

_PATHS = ["compiled", "numpy"]

# Stems as a vocabulary may hold them: words, numbers, non-ASCII and CJK words, and strings the
# tokeniser cuts into several tokens or none (a stem is normally one token; the sets' MinHash must
# still be that of the joined text).
_WORDS = st.sampled_from(["farm", "sold", "2019", "été", "naïve", "東京", "今天下雨", "co-op", "x y", "...", "",
                          "Straße", "ﬁne", "a\u0301b", "market", "farmers"])


def _kernels(path: str) -> Kernels | None:
    kernels = STEM_IDS.compiled() if path == "compiled" else None
    assert path == "numpy" or kernels is not None
    return kernels


def _sets(vocabulary_size: int, rng: random.Random, count: int) -> tuple[np.ndarray, np.ndarray]:
    sizes = [rng.randint(0, 7) for _ in range(count)]
    stems = np.array([rng.randrange(vocabulary_size) for _ in range(sum(sizes))], dtype=np.int64)
    offsets = np.array([0, *np.cumsum(sizes).tolist()], dtype=np.int64)
    return stems, offsets


@pytest.mark.parametrize("path", _PATHS)
@settings(max_examples=60)
@given(st.lists(_WORDS, min_size=1, max_size=12, unique=True), st.randoms(use_true_random=False),
       st.sampled_from([1, 7, 128]))
def test_set_signatures_are_those_of_the_joined_stems(path: str, words: list[str], rng: random.Random,
                                                      num_perm: int) -> None:
    vocabulary = StemVocabulary.of(words)
    stems, offsets = _sets(len(words), rng, 9)
    rows = np.array(sorted(rng.sample(range(9), 5)), dtype=np.int64)
    got = set_signatures(stems, offsets, rows, vocabulary.token_hashes, permutations(num_perm, 1), _kernels(path))
    joined = [" ".join(sorted({words[t] for t in stems[offsets[s] : offsets[s + 1]].tolist()})) for s in rows.tolist()]
    assert got.dtype == np.uint32
    assert np.array_equal(got, signatures(joined, num_perm, 1, shingle_size=1, backend="numpy"))


@pytest.mark.parametrize("path", _PATHS)
@settings(max_examples=60)
@given(st.lists(st.integers(-(1 << 63), (1 << 63) - 1), min_size=6, max_size=6, unique=True),
       st.randoms(use_true_random=False))
def test_set_identities_are_equal_exactly_for_equal_sets(path: str, distinct: list[int], rng: random.Random
                                                         ) -> None:
    values = np.array(distinct, dtype=np.int64)  # distinct, as distinct stems have distinct ids
    stems, offsets = _sets(len(values), rng, 40)  # small sets of 6 values: many equal sets, in any order
    got = set_identities(values, stems, offsets, _kernels(path))
    sets = [frozenset(stems[offsets[s] : offsets[s + 1]].tolist()) for s in range(40)]
    for i in range(40):
        for j in range(40):
            assert (got[i] == got[j]) == (sets[i] == sets[j])
    if path == "compiled":  # the same values on both paths, so a call may take either
        assert np.array_equal(got, set_identities(values, stems, offsets, None))


@pytest.mark.parametrize("path", ["compiled", "dict", "numpy"])
@settings(max_examples=60)
@given(st.lists(st.integers(0, 40), max_size=300))
def test_first_appearance_numbers_values_in_order_of_first_appearance(path: str, values: list[int]) -> None:
    ids = np.array(values, dtype=np.int32)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(stem_ids_module, "NUMPY_STEMS", 0 if path == "numpy" else 10**6)
        used, tokens = first_appearance(ids, 41, _kernels("compiled") if path == "compiled" else None)
    expected = list(dict.fromkeys(values))
    assert used.dtype == np.int64 and used.tolist() == expected
    assert tokens.dtype == np.int32
    assert tokens.tolist() == [expected.index(v) for v in values]


@settings(max_examples=80)
@given(st.lists(_WORDS, max_size=12, unique=True))
def test_a_vocabularys_token_hashes_are_those_the_signature_kernel_reads(words: list[str]) -> None:
    # Stems that are one token each are hashed directly; any other vocabulary goes through sketch.
    values, starts = StemVocabulary.of(words).token_hashes
    expected = sketch(words, num_perm=1, shingle_size=1, backend="numpy")
    assert starts.tolist() == expected.offsets.tolist()
    assert values.dtype == np.uint32 and values.tolist() == expected.hashes.tolist()


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 2**32))
def test_vocabularies_hashed_together_hold_the_hashes_each_gives_alone(seed: int) -> None:
    """``remember_token_hashes``: the vocabularies of many documents (past PYTHON_HASHED stems in
    all) hashed in one sketch call hold the token hashes each computes alone, stems of two tokens
    (CJK letters) and empty vocabularies included."""
    rng, letters = random.Random(seed), "abcdeéüßσΣжЖ的一กข"
    vocabularies = [StemVocabulary.of(list(dict.fromkeys(
        "".join(rng.choice(letters) for _ in range(rng.randint(1, 8))) for _ in range(0 if k % 7 == 0 else 40))))
        for k in range(300)]
    assert sum(map(len, vocabularies)) >= PYTHON_HASHED
    remember_token_hashes(vocabularies)
    for vocabulary in vocabularies:
        assert "token_hashes" in vocabulary.__dict__  # set by the call
        values, starts = vocabulary.token_hashes
        alone_values, alone_starts = StemVocabulary.of(vocabulary.words).token_hashes
        assert values.tolist() == alone_values.tolist() and starts.tolist() == alone_starts.tolist()


@settings(max_examples=20)
@given(st.randoms(use_true_random=False), st.integers(1, 700))
def test_set_identities_shared_between_threads_are_those_of_one_call(rng: random.Random, count: int) -> None:
    """Sets split into parts (four a thread) give the identities numpy gives: each part reads its
    members where the whole offsets say."""
    values = np.array([rng.getrandbits(63) for _ in range(12)], dtype=np.int64)
    stems, offsets = _sets(len(values), rng, count)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(stem_ids_module, "THREADED_SETS", 1)
        patch.setattr(stem_ids_module, "kernel_threads", lambda: 3)  # parts on any machine
        got = set_identities(values, stems.astype(np.int32), offsets, STEM_IDS.compiled())  # as the LSH's
    assert np.array_equal(got, set_identities(values, stems, offsets, None))
