"""Sphinx extension: the ``{explorable}`` directive places an interactive component on a page.

```{explorable} step-the-gradient
```

writes an empty, hidden mount point ``<div data-explorable="step-the-gradient">`` that the
component's script fills in (and un-hides), plus a ``<noscript>`` note for readers without
JavaScript. The script and style sheet, ``_static/explorable/NAME.js`` and ``NAME.css``, are
added to the pages that use the directive and to no other page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.writers.html5 import HTML5Translator

COMPONENTS = {"step-the-gradient"}  # each has _static/explorable/NAME.js and NAME.css
NOSCRIPT = (
    "This part of the page is interactive and needs JavaScript, which is off in your browser. "
    "The worked example on this page shows the same numbers, computed by bigram_ref."
)


class explorable(nodes.General, nodes.Element):  # noqa: N801 (docutils names nodes in lower case)
    """The mount point of one interactive component."""


class Explorable(SphinxDirective):
    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        name = self.arguments[0]
        if name not in COMPONENTS:
            known = ", ".join(sorted(COMPONENTS))
            raise self.error(f"explorable: unknown component {name!r}; expected one of: {known}")
        return [explorable(name=name)]


def visit_html(self: HTML5Translator, node: explorable) -> None:
    name = node["name"]
    self.body.append(
        f'<div class="explorable" data-explorable="{name}" hidden></div>\n'
        f'<noscript><p class="explorable-noscript">{NOSCRIPT}</p></noscript>\n'
    )
    raise nodes.SkipNode


def skip(self: object, node: explorable) -> None:
    raise nodes.SkipNode  # other output formats have no scripts: the page's static text stands alone


def add_assets(app: Sphinx, pagename: str, templatename: str, context: dict[str, object], doctree: object) -> None:
    """Link each component's script and style sheet from the pages that use it, and no other."""
    if not isinstance(doctree, nodes.document):
        return
    for name in sorted({node["name"] for node in doctree.findall(explorable)}):
        app.add_css_file(f"explorable/{name}.css")
        app.add_js_file(f"explorable/{name}.js", loading_method="defer")


def setup(app: Sphinx) -> dict[str, object]:
    app.add_node(explorable, html=(visit_html, None), text=(skip, None), latex=(skip, None), man=(skip, None))
    app.add_directive("explorable", Explorable)
    app.connect("html-page-context", add_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
