"""Shared test helpers: the installed console script, run in a subprocess as a user would run it."""

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

RunScript = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="session")
def script() -> str:
    """The path of the ``bigram-ref`` console script installed next to this Python."""
    path = shutil.which("bigram-ref", path=str(Path(sys.executable).parent))
    assert path is not None, "the bigram-ref console script is not installed next to this Python"
    return path


@pytest.fixture(scope="session")
def run_script(script: str) -> RunScript:
    """``run_script(*args, **kwargs)`` runs ``bigram-ref ARGS`` to completion, stdout and stderr captured as text."""

    def run(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        kwargs.setdefault("timeout", 300)
        return subprocess.run([script, *args], capture_output=True, text=True, check=False, **kwargs)

    return run
