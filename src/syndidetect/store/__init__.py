"""Where prepared documents live between runs: in memory, or in a SQLite file."""

from syndidetect.store.base import Store
from syndidetect.store.memory import MemoryStore
from syndidetect.store.sqlite import SQLiteStore

__all__ = ["MemoryStore", "SQLiteStore", "Store"]
