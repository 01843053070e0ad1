"""Sphinx extension: every guide page as a Jupyter notebook, offered by a "Download notebook" button.

At the end of an HTML build, each page that ``notebooks_exclude`` does not exclude (by default
the reference pages) is converted by :mod:`notebook_convert` into ``notebooks/NAME.ipynb`` in the
output: nbformat 4, validated, never executed, nothing fetched. NAME is the page's own file name
(``counts-to-softmax.ipynb``); an index page takes its folder's name, the landing page the
project's. Templates get ``notebook`` (``url`` relative to the page, ``name``) on those pages:
docs/_templates/components/view-this-page.html puts the button beside Furo's "view this page".

``tests/test_notebooks.py`` builds the same notebooks with :func:`build` (no Sphinx needed),
runs them in a Jupyter kernel and compares every output with the page's.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import nbformat
from nbformat import NotebookNode
from notebook_convert import convert

if TYPE_CHECKING:
    from sphinx.application import Sphinx

FOLDER = "notebooks"
EXCLUDE = ["reference/*", "genindex", "search", "py-modindex"]


def notebook_names(docnames: Iterable[str], exclude: Iterable[str], project: str) -> dict[str, str]:
    """Guide page -> notebook file name; two pages that would share a name are an error."""
    names: dict[str, str] = {}
    for docname in sorted(docnames):
        if any(fnmatch.fnmatch(docname, pattern) for pattern in exclude):
            continue
        parts = docname.split("/")
        stem = parts[-1] if parts[-1] != "index" else (parts[-2] if len(parts) > 1 else project)
        if f"{stem}.ipynb" in names.values():
            other = next(d for d, n in names.items() if n == f"{stem}.ipynb")
            raise ValueError(f"pages {other!r} and {docname!r} would both give the notebook {stem}.ipynb")
        names[docname] = f"{stem}.ipynb"
    return names


def build(
    srcdir: Path, paths: Mapping[str, Path], names: Mapping[str, str], substitutions: Mapping[str, Any] | None = None
) -> dict[str, tuple[NotebookNode, list[str]]]:
    """Docname -> (its notebook, the substitutions that had no value) for every page in ``names``."""
    built = {}
    for docname in names:
        try:
            built[docname] = convert(
                paths[docname], docname=docname, root=srcdir, notebook_for=names.get, substitutions=substitutions
            )
        except (OSError, ValueError, SyntaxError) as error:  # name the page: the traceback alone would not
            raise ValueError(f"{paths[docname]}: cannot build its notebook: {error}") from error
    return built


def _names(app: Sphinx) -> dict[str, str]:
    return notebook_names(app.env.found_docs, app.config.notebooks_exclude, app.config.project)


def page_context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    name = _names(app).get(pagename)
    if name:
        context["notebook"] = {"url": context["pathto"](f"{FOLDER}/{name}", 1), "name": name}


def write(app: Sphinx, exception: Exception | None) -> None:
    """Write and validate every notebook (at the end of an HTML build)."""
    from sphinx.util import logging

    if exception is not None or app.builder.format != "html":
        return
    logger = logging.getLogger(__name__)
    names = _names(app)
    paths = {docname: Path(app.env.doc2path(docname)) for docname in names}
    substitutions = getattr(app.config, "myst_substitutions", {})
    folder = Path(app.outdir) / FOLDER
    folder.mkdir(exist_ok=True)
    for docname, (notebook, unresolved) in build(Path(app.srcdir), paths, names, substitutions).items():
        for key in unresolved:
            logger.warning("notebook: no value for the substitution {{ %s }}", key, location=docname)
        nbformat.validate(notebook)
        (folder / names[docname]).write_text(nbformat.writes(notebook), encoding="utf-8")
    logger.info("notebooks: %d written to %s", len(names), folder)


def setup(app: Sphinx) -> dict[str, object]:
    app.add_config_value("notebooks_exclude", EXCLUDE, "html", list)
    app.connect("html-page-context", page_context)
    app.connect("build-finished", write)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
