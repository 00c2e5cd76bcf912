"""``python -m syndidetect``."""

from syndidetect.cli.main import main

raise SystemExit(main())
