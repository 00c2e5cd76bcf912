"""``python -m syndidetect``."""

from syndidetect.cli.launch import run

raise SystemExit(run())
