"""syndidetect: find republished text (syndicated, embedded or spun copies), paragraph by paragraph.

>>> import syndidetect as sd
>>> sd.shingles("Men fleeing Chechnya")
['men fleeing chechnya']

The public names are imported on first use (PEP 562): ``import syndidetect`` itself loads nothing
heavy, so the command line's launcher (:mod:`syndidetect.cli.launch`) is running, and can answer
Ctrl-C with one line, while numpy and the rest load.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

from syndidetect._version import __version__

# Not typing.TYPE_CHECKING: importing typing (about 14 ms) would widen the moments in which a Ctrl-C
# still meets Python's traceback before the launcher runs; type checkers read any TYPE_CHECKING so.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from syndidetect.config import Config
    from syndidetect.detector import Detector, detect
    from syndidetect.documents import Document
    from syndidetect.errors import SyndidetectError
    from syndidetect.interop import from_datasketch, to_datasketch
    from syndidetect.minhash import signatures
    from syndidetect.report import Report
    from syndidetect.shingles import shingles

__all__ = [
    "Config",
    "Detector",
    "Document",
    "Report",
    "SyndidetectError",
    "__version__",
    "detect",
    "from_datasketch",
    "shingles",
    "signatures",
    "to_datasketch",
]

# The module of each public name but ``shingles`` (see _Package).
_HOMES = {
    "Config": "syndidetect.config",
    "Detector": "syndidetect.detector",
    "detect": "syndidetect.detector",
    "Document": "syndidetect.documents",
    "SyndidetectError": "syndidetect.errors",
    "from_datasketch": "syndidetect.interop",
    "to_datasketch": "syndidetect.interop",
    "signatures": "syndidetect.minhash",
    "Report": "syndidetect.report",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'syndidetect' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Package(ModuleType):
    """The package's module type. ``shingles`` is both a public function and the submodule that
    defines it; importing the submodule binds the module to the package's attribute, which would
    hide the function from ``sd.shingles``. This property keeps the function there, as the eager
    ``from syndidetect.shingles import shingles`` of earlier versions did."""

    @property
    def shingles(self) -> Callable[..., list[str]]:
        from syndidetect.shingles import shingles

        return shingles

    @shingles.setter
    def shingles(self, value: object) -> None:
        """The import system's binding of the submodule: ignored (it stays in ``sys.modules``)."""


sys.modules[__name__].__class__ = _Package
