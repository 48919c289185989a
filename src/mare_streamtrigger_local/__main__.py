"""`python -m mare_streamtrigger_local <command>`: the local commands (see `cli`)."""

from .cli import main

raise SystemExit(main())
