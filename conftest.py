"""Project-wide pytest set-up: what doctest collection skips, and clean print options."""

import os
from collections.abc import Iterator

import numpy as np
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")  # figures are drawn off-screen, before pyplot is imported

# importing __main__ would run the command line; conf.py is Sphinx's, not a module of ours
collect_ignore = ["bigram_ref/__main__.py", "docs/conf.py"]


@pytest.fixture(autouse=True)
def _reset_print_options() -> Iterator[None]:
    """Print options leak between doctests; put them back after every test."""
    saved = np.get_printoptions()
    yield
    np.set_printoptions(**saved)
