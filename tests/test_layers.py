"""The one-way rule of ARCHITECTURE.md: each layer imports only from the layers below it."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "syndidetect"

# Within L4 the stores build on lsh, so lsh ranks just below them.
LAYERS = {
    "errors": 0, "_types": 0, "_version": 0, "dates": 0.5,
    "rules": 0.5, "text": 1, "documents": 1, "config": 1, "sources": 1.5,
    # The tokeniser's per-code-point tables (built on text.IGNORABLE_RANGES), below shingles and the kernels.
    "unicode_tables": 1.5,
    # The input formats (HTML, WARC, feeds, tables, text/JSONL): documents in, below the file walker.
    "readers": 1.2,
    "shingles": 2, "wordiff": 2.5, "wordstream": 2.5, "stemming": 2.2, "sentence_split": 1.5, "tfidf": 0.5,
    "_kernels": 2.8, "minhash": 3, "prepared": 3.5, "interop": 3.5,
    "lsh": 4, "boilerplate": 4, "store": 4.5, "sentences": 4.2,
    "align": 4.8, "paragraph_match": 4.8, "verify": 5, "report": 5,
    # Below report, which offers summary() and to_html(): coverage counts; the HTML pages (from the JSON).
    "summary": 4.9, "html": 4.9,
    "detector": 6,
    "distributed": 6.5, "cli": 7, "__main__": 8, "__init__": 8,
}


def layer_of(module: str) -> float:
    parts = module.split(".")
    return LAYERS[parts[1]] if len(parts) > 1 else LAYERS["__init__"]


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    return ".".join(rel.parts)


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("syndidetect"):
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names |= {a.name for a in node.names if a.name.startswith("syndidetect")}
    return names


def test_every_module_has_a_layer() -> None:
    for path in PACKAGE.rglob("*.py"):
        layer_of(module_name(path))


def test_imports_point_downwards() -> None:
    violations = []
    for path in PACKAGE.rglob("*.py"):
        me = module_name(path)
        for other in imported(path):
            same_package = other.split(".")[:2] == me.split(".")[:2]
            if not same_package and layer_of(other) >= layer_of(me):
                violations.append(f"{me} imports {other}")
    assert violations == []


def test_only_render_imports_rich() -> None:
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        uses_rich = any(
            (isinstance(n, ast.ImportFrom) and (n.module or "").startswith("rich"))
            or (isinstance(n, ast.Import) and any(a.name.startswith("rich") for a in n.names))
            for n in ast.walk(tree)
        )
        assert not uses_rich or path.name == "render.py", path
