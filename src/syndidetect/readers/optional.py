"""Optional packages, imported when first needed; missing ones raise :class:`MissingDependencyError`
with the pip command that installs them."""

from __future__ import annotations

import importlib
from types import ModuleType

from syndidetect.errors import MissingDependencyError

# The extra that brings each optional package (pyproject.toml): `web` for pages, crawls and feeds,
# `parquet` for Parquet files (CSV needs nothing beyond the standard library).
EXTRAS = {"trafilatura": "web", "lxml": "web", "warcio": "web", "feedparser": "web", "pyarrow": "parquet"}


def require(module: str) -> ModuleType:
    """``module`` imported, or :class:`MissingDependencyError` naming the extra that installs it."""
    package = module.partition(".")[0]
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingDependencyError(package, EXTRAS.get(package, "web")) from None
