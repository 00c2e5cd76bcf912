"""What an index file is: its format and tokenizer versions, its schema, and the configuration
fingerprint that decides whether stored hashes and band keys match freshly prepared documents
(:func:`stored_configuration` reads it back from the ``meta`` table and checks a given one)."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path
from typing import Any

from syndidetect.config import Config
from syndidetect.errors import ArgumentError, ConfigError, IndexFormatError
from syndidetect.lsh import band_layout
from syndidetect.rules import VerdictRules

FORMAT_NAME = "syndidetect-index"
FORMAT_VERSION = 3
#: The older format this one reads, and upgrades when opened for writing: fingerprints in a
#: ``fingerprint (fp, doc)`` table instead of runs (:mod:`.fingerprints`).
UPGRADABLE_VERSION = 2
#: Bump when text.py or shingles.py change what a paragraph or a shingle is: stored hashes and
#: band keys would no longer match freshly prepared documents.
TOKENIZER_VERSION = 2  # 2: invisible characters ignored, CJK per character, Thai-family pieces
APPLICATION_ID = 0x53594E44  # "SYND", so `file` and we can tell our databases from others
#: Seconds a writer waits for another one's lock by default.
DEFAULT_TIMEOUT = 10.0
#: The longest busy timeout accepted (seconds): a day, beyond which a wait is a mistake.
MAX_TIMEOUT = 86400.0
#: Page size of new files (bytes), SQLite's largest. Writes are appends of whole runs and documents
#: (text and hashes: BLOBs of several KB), each page going through the WAL and the checkpoint: 16
#: times fewer pages to write than at 4096 made ``index add`` 9.21 -> 8.08 s at 100k paragraphs and
#: 110.1 -> 86.3 s at 1M (medians of 3 and 2 alternated runs), the check of one article no slower
#: (0.80 -> 0.70 s in the CLI at 1M, medians of 9), for a file about 9 % larger (rows of documents
#: pack into pages with space left at their ends instead of filling overflow pages).
PAGE_SIZE = 65536
#: Parameters that decide paragraphs, hashes and band keys: they must match the index.
FINGERPRINT = ("shingle_size", "num_perm", "seed", "min_words", "bands", "rows", "tokenizer")
#: Config fields not in the fingerprint that are not stored either (bit-identical backends).
NOT_STORED = ("shingle_size", "num_perm", "seed", "min_words", "bands", "backend")


def check_timeout(value: object) -> float:
    """``value`` as a busy timeout in seconds: a finite number in [0, MAX_TIMEOUT]."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ArgumentError(f"'timeout' must be a number of seconds; got {type(value).__name__}")
    if not 0 <= value <= MAX_TIMEOUT:  # also refuses nan
        raise ConfigError(f"'timeout' must be a number of seconds in [0, {MAX_TIMEOUT:g}]; got {value!r}")
    return float(value)


def fingerprint(config: Config, layout: tuple[int, int] | None = None) -> dict[str, int]:
    """The values of ``FINGERPRINT`` for ``config`` (with ``layout`` as its bands and rows when given)."""
    bands, rows = layout if layout is not None else band_layout(config)
    return {"shingle_size": config.shingle_size, "num_perm": config.num_perm, "seed": config.seed,
            "min_words": config.min_words, "bands": bands, "rows": rows, "tokenizer": TOKENIZER_VERSION}


def mismatch(stored: dict[str, int], config: Config) -> list[str]:
    """What ``config`` asks that differs from the ``stored`` fingerprint, one phrase a parameter."""
    # Without explicit bands the layout follows the threshold, which may differ (it only changes
    # verification): the index's layout is then used as it is.
    layout = None if config.bands is not None else (stored["bands"], stored["rows"])
    wanted = fingerprint(config, layout)
    return [f"{k} is {stored[k]} in the index but {wanted[k]} was asked" for k in FINGERPRINT
            if stored.get(k) != wanted[k]]


def stored_configuration(meta: dict[str, Any], config: Config | None, path: Path) -> tuple[Config, int, int]:
    """The configuration, bands and rows of the index at ``path`` whose ``meta`` table holds
    ``meta``: its own configuration when ``config`` is None, else ``config`` once checked against
    the stored fingerprint."""
    if meta.get("format") != FORMAT_NAME:  # our application id and version: ours, but edited
        raise ValueError(f"format {meta.get('format')!r} in meta, expected {FORMAT_NAME!r}")
    stored, defaults = meta_object(meta, "fingerprint"), meta_object(meta, "defaults")
    if stored.get("tokenizer") != TOKENIZER_VERSION:
        raise IndexFormatError(f"{path}: built with tokenizer version {stored.get('tokenizer')}, "
                               f"this syndidetect uses {TOKENIZER_VERSION}; rebuild the index")
    wrong = [k for k in FINGERPRINT if type(stored.get(k)) is not int]
    if wrong:
        raise ValueError(f"meta 'fingerprint' lacks an integer {', '.join(wrong)}")
    bands, rows = stored["bands"], stored["rows"]
    if not (bands >= 1 and rows >= 1 and bands * rows <= stored["num_perm"]):
        raise ValueError(f"{bands} bands of {rows} rows in meta 'fingerprint' do not fit "
                         f"num_perm {stored['num_perm']}")
    if config is None:
        known = {f.name for f in fields(Config)}  # an older index may lack newer parameters
        if isinstance(defaults.get("rules"), dict):
            defaults["rules"] = stored_rules(defaults["rules"])
        config = Config(shingle_size=stored["shingle_size"], num_perm=stored["num_perm"],
                        seed=stored["seed"], min_words=stored["min_words"], bands=defaults["bands_option"],
                        **{k: v for k, v in defaults.items() if k in known and k not in NOT_STORED})
    differences = mismatch(stored, config)
    if differences:
        raise IndexFormatError(f"{path}: the index was built with another configuration: "
                               f"{'; '.join(differences)} (leave these options out to use the index's)")
    return config, int(bands), int(rows)


def meta_object(meta: dict[str, Any], key: str) -> dict[str, Any]:
    """The JSON object stored in meta row ``key``."""
    try:
        value = json.loads(meta[key])
    except (KeyError, TypeError, ValueError, RecursionError):
        value = None
    if not isinstance(value, dict):
        raise ValueError(f"meta {key!r} is missing or not a JSON object")
    return value


def stored_rules(values: dict[str, Any]) -> VerdictRules:
    """The verdict rules stored in an index; rules this version does not know are refused (a newer
    index), rules it knows but the file lacks keep their defaults (an older one)."""
    try:
        return VerdictRules.from_dict(values)
    except (ConfigError, TypeError) as exc:
        raise ValueError(f"stored verdict rules: {exc}") from None


def schema() -> list[str]:
    """The statements creating the tables of a new index (see the package docstring)."""
    return [
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
        # AUTOINCREMENT: a rowid is never reused, so a reader's band hit on a just-replaced
        # document can never be attributed to another document.
        "CREATE TABLE document (doc INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, "
        "date TEXT, text TEXT NOT NULL, paragraphs INTEGER NOT NULL, matchable INTEGER NOT NULL, "
        "spans BLOB NOT NULL, flags BLOB NOT NULL, counts BLOB NOT NULL, hashes BLOB NOT NULL)",
        *fingerprint_schema(),
        "CREATE TABLE run (run INTEGER PRIMARY KEY, bits INTEGER NOT NULL, entries INTEGER NOT NULL, "
        "class INTEGER NOT NULL)",
        "CREATE TABLE posting (run INTEGER NOT NULL, bucket INTEGER NOT NULL, data BLOB NOT NULL, "
        "PRIMARY KEY (run, bucket)) WITHOUT ROWID",
    ]


def fingerprint_schema() -> list[str]:
    """The statements creating the fingerprint runs' tables (:mod:`.fingerprints`)."""
    return [
        "CREATE TABLE fprun (run INTEGER PRIMARY KEY, bits INTEGER NOT NULL, entries INTEGER NOT NULL)",
        "CREATE TABLE fpbucket (run INTEGER NOT NULL, bucket INTEGER NOT NULL, data BLOB NOT NULL, "
        "PRIMARY KEY (run, bucket)) WITHOUT ROWID",
    ]
