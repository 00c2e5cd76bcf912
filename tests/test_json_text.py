"""The JSON report's writer gives json.dump's text (ensure_ascii=False, indent=2), character for character."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syndidetect.cli.json_text import write_json
from syndidetect.detector import detect
from syndidetect.sources import read_inputs


def _both(value: Any) -> tuple[str, str]:
    ours, theirs = io.StringIO(), io.StringIO()
    write_json(value, ours)
    json.dump(value, theirs, ensure_ascii=False, indent=2)
    return ours.getvalue(), theirs.getvalue()


_SCALARS = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
            | st.floats(allow_nan=True, allow_infinity=True) | st.text())
_KEYS = st.text() | st.integers() | st.booleans() | st.none() | st.floats(allow_nan=False)
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=5) | st.tuples(inner, inner)
                       | st.dictionaries(_KEYS, inner, max_size=5), max_leaves=40)


@given(_VALUES)
def test_any_json_value_is_written_as_json_dump_writes_it(value: Any) -> None:
    ours, theirs = _both(value)
    assert ours == theirs


@pytest.mark.parametrize("value", [
    {}, [], (), "", {"a": {}}, {"a": []}, [[], {}, [[]]], {"x": "line\nbreak \"quoted\" \\ tab\t \u2028 é 𝄞 \x00"},
    {"n": math.nan, "i": math.inf, "-i": -math.inf, "z": -0.0, "f": 0.1, "big": 2**64}, [True, False, None, 1, 1.0],
    {7: "int key", True: "bool key", False: "bool key", None: "none key", 2.5: "float key"},
])
def test_edge_values_are_written_as_json_dump_writes_them(value: Any) -> None:
    ours, theirs = _both(value)
    assert ours == theirs


def test_the_seeds_report_is_written_as_json_dump_writes_it(seeds_dir: Path) -> None:
    report = detect(read_inputs([str(seeds_dir)])).select().to_dict()
    ours, theirs = _both(report)
    assert ours == theirs and len(ours) > 10_000


def test_a_long_report_is_written_in_several_pieces() -> None:
    writes: list[str] = []

    class Recording(io.StringIO):
        def write(self, text: str) -> int:
            writes.append(text)
            return len(text)

    value = {"pairs": [{"documents": [f"d{k}", f"d{k + 1}"], "share": k / 7} for k in range(20_000)]}
    write_json(value, Recording())
    ours, theirs = _both(value)
    assert "".join(writes) == ours == theirs
    assert len(writes) > 2  # not one string of the whole report: it may be hundreds of MB


@pytest.mark.parametrize("value", [{"a": object()}, [{1, 2}], {("tuple", "key"): 1}])
def test_what_json_refuses_is_refused(value: Any) -> None:
    with pytest.raises(TypeError):
        json.dumps(value)
    with pytest.raises(TypeError):
        write_json(value, io.StringIO())
