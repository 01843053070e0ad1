"""Sessions: `nox -s tests` runs every test, `nox -s docs` builds the site (see README.md).

Every session installs the package with its pinned dependencies from
`constraints.txt` (torch at 2.13.0, the CPU build) into its own virtualenv.
"""

from __future__ import annotations

import nox

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "virtualenv"  # plain pip: it takes the local CPU torch wheel
nox.options.sessions = ["lint", "tests", "docs"]
nox.options.reuse_existing_virtualenvs = True

PYPROJECT = nox.project.load_toml("pyproject.toml")
CONSTRAINTS = ("--constraint", "constraints.txt")
PYTHON = "3.11"


def install(session: nox.Session, *groups: str) -> None:
    """The package (editable, with its torch and plots extras) plus dependency groups, all pinned."""
    session.install(*CONSTRAINTS, "-e", ".[torch,plots]", *nox.project.dependency_groups(PYPROJECT, *groups))


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Unit, gradient-check and CLI tests, plus every doctest in the docstrings and on the site's pages."""
    install(session, "test")
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Build the site into docs/_build/html: warnings are errors, references are checked, no network."""
    install(session, "docs")
    session.run("sphinx-build", "-W", "--keep-going", "-n", "-b", "html", "docs", "docs/_build/html", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff (lint and format check) on everything, mypy --strict on the package."""
    install(session, "lint")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """The benchmark: a table of ratios measured in one run (`nox -s bench -- --json` for JSON)."""
    install(session)
    session.run("python", "-m", "bigram_ref", "bench", *session.posargs)
