"""``python -m bigram_ref``: the command line (see :mod:`bigram_ref.cli`)."""

from bigram_ref.cli import main

raise SystemExit(main())
