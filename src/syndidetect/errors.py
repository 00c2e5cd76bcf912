"""The exception hierarchy: one base class, leaves that also subclass the builtin they resemble.

A CLI user sees ``str(error)`` on one line, so every message names the input or parameter, what was
received and what is allowed.
"""

from __future__ import annotations

__all__ = [
    "ArgumentError",
    "ConfigError",
    "IndexBusyError",
    "IndexFormatError",
    "IndexWriteError",
    "InputError",
    "MissingDependencyError",
    "SyndidetectError",
]


class SyndidetectError(Exception):
    """Base class of every error syndidetect raises on purpose."""


class ArgumentError(SyndidetectError, TypeError):
    """An argument of the wrong type (``None`` where documents or a path were expected...)."""


class ConfigError(SyndidetectError, ValueError):
    """A parameter is out of range or of the wrong type."""


class InputError(SyndidetectError, ValueError):
    """An input (file, folder, JSONL line, stdin) cannot be read as text documents."""


class IndexFormatError(SyndidetectError, ValueError):
    """A persistent index is of an unknown version, corrupt, or built with another configuration."""


class IndexBusyError(SyndidetectError, TimeoutError):
    """Another process held the index's write lock for longer than the busy timeout."""


class IndexWriteError(SyndidetectError, OSError):
    """The index cannot be written: read-only file or folder, full disk, I/O error."""


class MissingDependencyError(SyndidetectError, ImportError):
    """An optional dependency is not installed; the message gives the pip command to run."""

    def __init__(self, package: str, extra: str | None) -> None:
        # extra=None: a core dependency (numba, datasketch) missing from a broken install, which no
        # extra brings back: the hint names the package itself.
        command = f"pip install {package}" if extra is None else f"pip install 'syndidetect[{extra}]'"
        super().__init__(f"{package!r} is not installed; install it with: {command}")
        self.package = package
        self.extra = extra
