"""The one-way rule of ARCHITECTURE.md, checked on every import (at module level or inside a function):
each module sits on one integer layer and imports only from its own layer or the layers below; no
import cycle anywhere; no private name (``_x``) imported from another module."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "syndidetect"

# The layers of ARCHITECTURE.md. A module imports from its own layer or below; the cycle test keeps
# the imports inside one layer a tree. Top-level modules and packages (``readers``, ``store``…) are
# placed as a whole.
LAYERS: dict[str, int] = {
    # L0: no syndidetect imports but each other
    "errors": 0, "_types": 0, "_version": 0, "frozen": 0, "collector": 0, "arrays": 0, "array_buffers": 0, "ahead": 0,
    "wording": 0,
    # L1: text and its units, the configuration
    "dates": 1, "rules": 1, "text": 1, "documents": 1, "config": 1, "unicode_tables": 1,
    # L2: documents in (readers, files) and words out (tokens, shingles, stems, sentences, word streams)
    "readers": 2, "sources": 2, "shingles": 2, "stemming": 2, "wordstream": 2, "wordiff": 2,
    "sentence_split": 2, "tfidf": 2, "token_scan": 2,
    # L3: the kernels and what they sketch
    "_kernels": 3, "minhash": 3, "prepared": 3, "interop": 3, "stem_vocabulary": 3, "sentence_sets": 3,
    "sentence_batches": 3, "unicode_stems": 3,
    # L4: candidates (LSH, template text) and the stores
    "lsh": 4, "document_candidates": 4, "boilerplate": 4, "store": 4,
    # L5: verification and the report (the HTML pages render the report's JSON, so to_html reaches down)
    "sentences": 5, "sentence_lsh": 5, "align": 5, "paragraph_match": 5, "verify": 5, "verify_batch": 5,
    "repeated_pairs": 5,
    "report": 5,
    "summary": 5, "html": 5, "assembly": 5,
    # L6: the facade
    "detector": 6,
    # L7: executors and front ends
    "distributed": 7, "cli": 7, "warmup": 7, "__main__": 7, "__init__": 7,
}


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def layer_of(module: str) -> int:
    parts = module.split(".")
    return LAYERS[parts[1]] if len(parts) > 1 else LAYERS["__init__"]


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports(path: Path, me: str) -> Iterator[tuple[str, list[str]]]:
    """(module, names) for every syndidetect import in the file, relative ones resolved."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = me.split(".")[: len(me.split(".")) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, base] if base else anchor)
            if base.split(".")[0] == "syndidetect":
                yield base, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "syndidetect":
                    yield alias.name, []


def resolved(module: str, name: str, known: dict[str, Path]) -> str:
    """``from pkg import mod`` imports the module ``pkg.mod`` when there is one."""
    return f"{module}.{name}" if f"{module}.{name}" in known else module


def graph() -> dict[str, set[str]]:
    known = modules()
    edges: dict[str, set[str]] = {m: set() for m in known}
    for me, path in known.items():
        for module, names in imports(path, me):
            targets = {resolved(module, n, known) for n in names} or {module}
            edges[me] |= {t for t in targets if t in known and t != me}
    return edges


def test_every_module_has_an_integer_layer() -> None:
    for module in modules():
        assert isinstance(layer_of(module), int), module


def test_imports_point_downwards_or_sideways() -> None:
    violations = [f"{me} (L{layer_of(me)}) imports {other} (L{layer_of(other)})"
                  for me, others in graph().items() for other in sorted(others)
                  if layer_of(other) > layer_of(me)]
    assert violations == []


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every import cycle, found by a depth-first walk (one path per cycle entry point)."""
    found, state = [], dict.fromkeys(edges, 0)  # 0 unseen, 1 on the path, 2 done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges[node]):
            if state[nxt] == 1:
                found.append([*path[path.index(nxt):], nxt])
            elif state[nxt] == 0:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(edges):
        if state[node] == 0:
            visit(node)
    return found


def test_no_import_cycle() -> None:
    assert cycles(graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_private_name_is_imported_from_another_module() -> None:
    known = modules()
    violations = []
    for me, path in known.items():
        for module, names in imports(path, me):
            violations += [f"{me} imports {module}.{n}" for n in names
                           if n.startswith("_") and not n.startswith("__") and resolved(module, n, known) == module]
    assert violations == []


def test_only_the_terminal_renderer_imports_rich() -> None:
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        uses_rich = any(
            (isinstance(n, ast.ImportFrom) and (n.module or "").startswith("rich"))
            or (isinstance(n, ast.Import) and any(a.name.startswith("rich") for a in n.names))
            for n in ast.walk(tree)
        )
        assert not uses_rich or path.name == "render.py", path


SPLIT_AT = 400  # lines: past this a module usually mixes concepts (ARCHITECTURE.md), so it must say why


def test_a_module_past_the_split_size_says_why_it_is_one_module() -> None:
    unexplained = []
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text("utf-8")
        docstring = ast.get_docstring(ast.parse(text)) or ""
        if text.count("\n") > SPLIT_AT and "Layout:" not in docstring:
            unexplained.append(f"{module_name(path)}: {text.count(chr(10))} lines")
    assert unexplained == []
