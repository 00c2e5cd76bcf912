"""The signature kernels read texts where CPython keeps them (``_kernels/str_storage.py``): the
layout is found and checked, every kind of string reads right, and what it cannot read in place
(subclasses, entities, texts NFKC changes, objects that are not strings) still gets the reference's
rows or the usual error."""

from __future__ import annotations

import sys
import sysconfig
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pytest

from syndidetect import minhash
from syndidetect._kernels import batch, fast, reference, str_storage
from syndidetect.errors import InputError
from syndidetect.minhash import permutations
from test_kernels import ADVERSARIAL

U32 = npt.NDArray[np.uint32]


class Marked(str):
    """A str subclass: its object is laid out apart from an exact str's, so it is read in Python."""


def _reference(texts: Sequence[str], num_perm: int = 32, shingle_size: int = 3) -> U32:
    a, b = permutations(num_perm, 1)
    values, offsets, _ = reference.shingle_hashes(texts, shingle_size)
    return reference.minhash_rows(values, offsets, a, b)


def _in_place(texts: Sequence[str], num_perm: int = 32, shingle_size: int = 3) -> U32:
    a, b = permutations(num_perm, 1)
    return fast.signatures_only(texts, a, b, shingle_size)


def _assert_sketch_as_reference(texts: Sequence[str], num_perm: int = 32, shingle_size: int = 3) -> None:
    a, b = permutations(num_perm, 1)
    values, offsets, sigs, tokens = fast.sketch(texts, a, b, shingle_size)
    ref_values, ref_offsets, ref_tokens = reference.shingle_hashes(texts, shingle_size)
    np.testing.assert_array_equal(tokens, ref_tokens)
    np.testing.assert_array_equal(offsets, ref_offsets)
    np.testing.assert_array_equal(values, ref_values)
    np.testing.assert_array_equal(sigs, reference.minhash_rows(ref_values, ref_offsets, a, b))


def _layout() -> str_storage.StrLayout:
    layout = str_storage.str_layout()
    assert layout is not None
    return layout


@pytest.fixture(scope="module", autouse=True)
def _compiled() -> None:
    fast.warm_up()


def test_the_layout_is_found_on_this_interpreter() -> None:
    # CPython 3.10 to 3.13 with the GIL, 64-bit: the interpreters the project supports and CI runs.
    assert sys.implementation.name == "cpython" and not sysconfig.get_config_var("Py_GIL_DISABLED")
    layout = _layout()
    assert layout.str_type == id(str)
    assert layout.ascii_data < layout.compact_data  # a non-ASCII string's header holds more


def test_item_addresses_are_the_objects_of_a_list_and_of_a_tuple() -> None:
    texts: list[object] = ["one", "two \u00e9", "three \u2019", "\U0001f600"]
    for items in (texts, tuple(texts), texts[1:3]):
        assert str_storage.item_addresses(items).tolist() == [id(t) for t in items]
    assert len(str_storage.item_addresses([])) == 0
    with pytest.raises(TypeError, match="a list or a tuple"):
        str_storage.item_addresses(np.array(texts, dtype=object))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "kind"),
    [("plain ascii", 1), ("caf\u00e9 \u00bd", 1), ("Don\u2019t \ud800 \u0416", 2), ("emoji \U0001f600 x", 4), ("", 1)],
)
def test_the_kernel_reads_each_kind_of_string_where_it_is(text: str, kind: int) -> None:
    layout = _layout().as_tuple()
    address = np.uint64(id(text))
    assert fast._length_at(address, layout) == len(text)
    views = fast._units_at(address, layout, len(text))
    assert views[0] == kind
    assert [fast._code_point(views, i) for i in range(len(text))] == [ord(c) for c in text]


@pytest.mark.parametrize("thing", [Marked("a subclass"), 12345, b"bytes", None, ["a", "list"]])
def test_objects_that_are_not_exact_strings_are_not_read(thing: object) -> None:
    assert fast._length_at(np.uint64(id(thing)), _layout().as_tuple()) == -1


def _mixed() -> list[str]:
    """Every adversarial text and subclasses of some, over enough texts that several threads take
    chunks of them."""
    texts = [*ADVERSARIAL, Marked("a subclass text beside & entities"), Marked("Ｔhe ﬁsh of a subclass")]
    return [text if i % 5 else Marked(text) for i, text in enumerate(texts * 40)]


def test_many_texts_read_in_place_equal_the_reference() -> None:
    texts = _mixed()
    np.testing.assert_array_equal(_in_place(texts), _reference(texts))
    np.testing.assert_array_equal(_in_place(tuple(texts), 16, 2), _reference(texts, 16, 2))
    _assert_sketch_as_reference(texts)
    _assert_sketch_as_reference(tuple(texts), 16, 2)


def test_a_sketch_in_batches_read_in_place_equals_the_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    # Batches of a few hundred code points: many batches a chunk, each with its own raw hashes.
    monkeypatch.setattr(fast, "text_ranges", lambda lengths: batch.text_ranges(lengths, 300))
    _assert_sketch_as_reference(_mixed())


def test_plain_texts_are_never_joined(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("a batch was joined")

    texts = [t for t in ADVERSARIAL if t.isascii() and "&" not in t] * 50
    monkeypatch.setattr(fast, "joined", refuse)
    np.testing.assert_array_equal(_in_place(texts), _reference(texts))
    _assert_sketch_as_reference(texts)


def test_without_the_layout_the_texts_are_joined_with_the_same_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = _mixed()
    monkeypatch.setattr(fast, "str_layout", lambda: None)
    joins = []

    def join(texts: Sequence[str], lengths: npt.NDArray[np.int64]) -> tuple[str, npt.NDArray[np.int64]]:
        joins.append(len(texts))
        return batch.joined(texts, lengths)

    monkeypatch.setattr(fast, "joined", join)
    np.testing.assert_array_equal(_in_place(texts), _reference(texts))
    assert joins
    joins.clear()
    _assert_sketch_as_reference(texts)
    assert joins


@pytest.mark.parametrize("culprit", [None, 7, b"bytes", ["a list"]])
def test_an_object_that_is_not_a_string_is_named(culprit: object) -> None:
    texts: list[object] = ["plain words of a text"] * (minhash.FAST_KERNEL_AFTER_TEXTS + 10)
    texts[1234] = culprit
    with pytest.raises(InputError, match=r"'texts'\[1234\] must be a str"):
        minhash.signatures(texts, backend="numba")  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"'texts'\[1234\] must be a str"):
        minhash.sketch(texts, backend="numba")  # type: ignore[arg-type]
