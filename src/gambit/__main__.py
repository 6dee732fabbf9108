"""``python -m gambit`` runs the command line."""

from gambit.cli import main

raise SystemExit(main())
