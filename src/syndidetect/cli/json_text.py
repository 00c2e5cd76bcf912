"""The JSON report's text: what ``json.dump(value, stream, ensure_ascii=False, indent=2)`` writes,
character for character, in a fraction of its time.

With an indent, the standard library encodes in Python (its C encoder takes no indent): a
generator a container, a ``yield`` and then a ``stream.write`` for every token. At 1M paragraphs
the report is 345 MB of JSON and ``json.dump`` took about 10 s of a 90 s ``scan`` (py-spy). Here
one recursive function appends the tokens to a list, the strings are escaped by the same C
function the standard library uses (``json.encoder.encode_basestring``), and the text is written a
few thousand tokens at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from json.encoder import encode_basestring
from typing import Any, TextIO

#: Spaces a level of nesting is indented by, as ``indent=2``.
INDENT = "  "
#: Tokens gathered before they are written: about 100 KB of report text a write.
_TOKENS_A_WRITE = 16384
_INFINITY = float("inf")


def write_json(value: Any, stream: TextIO) -> None:
    """Write ``value`` (dicts, lists and tuples of strings, numbers, booleans and None) to ``stream``
    as ``json.dump(value, stream, ensure_ascii=False, indent=2)`` would."""
    tokens: list[str] = []

    def flush() -> None:
        stream.write("".join(tokens))
        tokens.clear()

    _encode(value, tokens, "\n", flush)
    flush()


def _encode(value: Any, tokens: list[str], newline: str, flush: Callable[[], None]) -> None:
    """Append the tokens of ``value`` at the nesting ``newline`` (a line break and its indent) to
    ``tokens``; ``flush`` writes them out once there are enough (between a container's items)."""
    add = tokens.append
    if isinstance(value, str):
        add(encode_basestring(value))
    elif value is None:
        add("null")
    elif value is True:
        add("true")
    elif value is False:
        add("false")
    elif isinstance(value, int):
        add(int.__repr__(value))
    elif isinstance(value, float):
        add(_float_text(value))
    elif isinstance(value, dict):
        if not value:
            add("{}")
            return
        inner = newline + INDENT
        separator = "{" + inner
        for key, item in value.items():
            add(separator + _key_text(key) + ": ")
            _encode(item, tokens, inner, flush)
            separator = "," + inner
        add(newline + "}")
    elif isinstance(value, (list, tuple)):
        if not value:
            add("[]")
            return
        inner = newline + INDENT
        separator = "[" + inner
        for item in value:
            add(separator)
            _encode(item, tokens, inner, flush)
            separator = "," + inner
            if len(tokens) >= _TOKENS_A_WRITE:
                flush()
        add(newline + "]")
    else:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _float_text(value: float) -> str:
    """A float as ``json`` writes it (``allow_nan``: NaN and the infinities by their JavaScript names)."""
    if value != value:
        return "NaN"
    if value == _INFINITY:
        return "Infinity"
    if value == -_INFINITY:
        return "-Infinity"
    return float.__repr__(value)


def _key_text(key: Any) -> str:
    """A dictionary key as ``json`` writes it: a string, or a number, boolean or None turned into one."""
    if isinstance(key, str):
        return encode_basestring(key)
    if key is True:
        return '"true"'
    if key is False:
        return '"false"'
    if key is None:
        return '"null"'
    if isinstance(key, int):
        return '"' + int.__repr__(key) + '"'
    if isinstance(key, float):
        return '"' + _float_text(key) + '"'
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")
