"""Sessions: `nox -s tests` runs every test, `nox -s docs` builds the site (see README.md).

Every session installs the package with its pinned dependencies from
`constraints.txt` (torch at 2.13.0, the CPU build) into its own virtualenv.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import nox

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "virtualenv"  # plain pip: it takes the local CPU torch wheel
nox.options.sessions = ["lint", "tests", "docs"]
nox.options.reuse_existing_virtualenvs = True
# no python= on the sessions: each venv uses the Python that runs nox (any supported version, >= 3.11)

PYPROJECT = nox.project.load_toml("pyproject.toml")
CONSTRAINTS = ("--constraint", "constraints.txt")


def install(session: nox.Session, *groups: str) -> None:
    """The package (editable, with its torch and plots extras) plus dependency groups, all pinned."""
    session.install(*CONSTRAINTS, "-e", ".[torch,plots]", *nox.project.dependency_groups(PYPROJECT, *groups))


@nox.session
def tests(session: nox.Session) -> None:
    """Unit, gradient-check and CLI tests, plus every doctest in the docstrings and on the site's pages."""
    install(session, "test")
    session.run("pytest", *session.posargs)


def offline(session: nox.Session) -> tuple[list[str], dict[str, str]]:
    """A command prefix and environment that cut the network: `unshare -rn` where it works, else dead proxies."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-rn", "true"], capture_output=True, check=False).returncode == 0:
        return [unshare, "-rn"], {}
    session.log("unshare -rn is not available here: pointing every proxy at a closed port instead")
    dead = "http://127.0.0.1:9"
    return [], {name: dead for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")}


@nox.session
def docs(session: nox.Session) -> None:
    """Build the site into docs/_build/html with no network: warnings are errors, references are checked."""
    install(session, "docs")
    prefix, env = offline(session)
    build = ["sphinx-build", "-W", "--keep-going", "-n", "-b", "html", "docs", "docs/_build/html", *session.posargs]
    session.run(*prefix, *build, env=env, external=bool(prefix))


@nox.session
def lint(session: nox.Session) -> None:
    """ruff (lint and format check) on everything, mypy --strict on the package."""
    install(session, "lint")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")


@nox.session
def browser(session: nox.Session) -> None:
    """The built site in headless Chromium, offline: math, figures, copy buttons, search, phone, dark theme,
    and axe-core's accessibility checks on every page in both themes.

    Needs `nox -s docs` first, Chromium at /usr/bin/chromium (or $BIGRAM_REF_CHROMIUM), and npm: axe-core
    is installed from package-lock.json with `npm ci` into this session's folder, never fetched by a page.
    Screenshots land in docs/_build/screenshots/.
    """
    if not Path("docs/_build/html/index.html").exists():
        session.error("no built site in docs/_build/html: run `nox -s docs` first")
    install(session, "browser")
    npm = Path(session.virtualenv.location) / "npm"
    npm.mkdir(exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy(name, npm / name)
    session.run("npm", "ci", "--no-audit", "--no-fund", "--prefix", str(npm), external=True)
    axe = npm / "node_modules" / "axe-core" / "axe.min.js"
    session.run("pytest", "tests_browser", "-p", "no:cacheprovider", *session.posargs, env={"BIGRAM_REF_AXE": str(axe)})


@nox.session
def serve(session: nox.Session) -> None:
    """Live-reloading preview of the site on http://127.0.0.1:8000 (sphinx-autobuild)."""
    install(session, "serve")
    session.run(
        "sphinx-autobuild",
        "--host",
        "127.0.0.1",
        "--port",
        "8000",
        "--watch",
        "bigram_ref",
        "-n",
        "docs",
        "docs/_build/html",
        *session.posargs,
    )


@nox.session
def bench(session: nox.Session) -> None:
    """The benchmark: a table of ratios measured in one run (`nox -s bench -- --json` for JSON)."""
    install(session)
    session.run("python", "-m", "bigram_ref", "bench", *session.posargs)
