"""``python -m skemotion``: the command line."""

from .cli import main

raise SystemExit(main())
