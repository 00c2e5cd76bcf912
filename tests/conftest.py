"""Shared fixtures: the project's copy of the seed articles and their ground truth."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def truth_key(text: str) -> str:
    """How truth.json names a paragraph: first 60 characters after NFKC and whitespace folding."""
    return " ".join(unicodedata.normalize("NFKC", text).split())[:60]


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def truth() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SEEDS / "truth.json").read_text(encoding="utf-8"))
    return data
