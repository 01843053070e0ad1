"""Sphinx configuration: MyST pages, offline MathJax, API from docstrings, figures drawn at build time.

The build is hermetic: MathJax comes from the sphinx-mathjax-offline package,
intersphinx reads small inventories written locally (docs/_ext/local_inventories.py),
and nothing is fetched. Build with `nox -s docs`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import bigram_ref

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

import local_inventories

project = "bigram_ref"
author = "The bigram_ref developers"
copyright = "2026, the bigram_ref developers"
release = bigram_ref.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.intersphinx",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx_autodoc_typehints",
    "sphinx_copybutton",
    "sphinx-mathjax-offline",  # MathJax 3 served from _static: math renders with no network
    "figure_functions",  # {figure-function} NAME: a figure of bigram_ref.plots, light and dark SVG
    "offline_check",  # fails the build if a page would load anything from the network
    "explorable",  # {explorable} NAME: an interactive component, its JS/CSS only on its pages
    "notebooks",  # every guide page as a notebook, with a Download notebook button
]

exclude_patterns = ["_build", "conftest.py", "_records"]
root_doc = "index"

# MyST: $…$ and $$…$$ math, amsmath environments, ::: fences, auto-generated heading anchors
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# API reference
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
# keep the aliases readable in signatures instead of numpy's expanded private unions
autodoc_type_aliases = {
    "ArrayLike": "numpy.typing.ArrayLike",
    "FloatArray": "numpy.typing.NDArray",
    "IntArray": "numpy.typing.NDArray",
}
autodoc_default_options = {"members": True, "undoc-members": False}
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
typehints_use_signature = True
typehints_use_signature_return = True
typehints_document_rtype = False  # the return type is in the signature; as a field it landed inside "Examples"
always_document_param_types = False

# Nitpicky builds without network: links to Python, NumPy, torch and matplotlib come from
# small inventories written locally (docs/_ext/local_inventories.py), never downloaded.
intersphinx_mapping = local_inventories.write(Path(__file__).parent / "_build" / "inventories")

# Copy buttons copy runnable code: no prompts, no output lines
copybutton_exclude = ".linenos, .gp, .go"

html_theme = "furo"
html_title = "bigram_ref"
html_static_path = ["_static"]
html_favicon = "_static/favicon.svg"
html_css_files = ["custom.css"]
# Figures and accessibility: figures come from bigram_ref.plots through the figure-function directive
# (docs/_ext/figure_functions.py); docs/_templates/ adds the ARIA attributes Furo's markup lacks,
# and the Download notebook page action (docs/_ext/notebooks.py).
templates_path = ["_templates"]
html_theme_options = {
    "source_repository": "",
    # off: the arrow keys scroll what has the focus (a wide code block); they must not turn the page
    "navigation_with_keys": False,
}

# validate.instance is generic in a TypeVar, which Sphinx renders as a class it cannot find
nitpick_ignore = [("py:class", "bigram_ref.validate.T")]
