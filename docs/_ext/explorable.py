"""Sphinx extension: the ``{explorable}`` directive places an interactive component on a page.

```{explorable} step-the-gradient
```

writes an empty, hidden mount point ``<div data-explorable="step-the-gradient">`` that the
component's script fills in (and un-hides), and a ``<noscript>`` note for readers without
JavaScript. The script and style sheet, ``_static/explorable/NAME.js`` and ``NAME.css``, are
linked from the pages that use the directive and from no other page.

Sphinx and docutils are imported only while building, so the test run (which collects this
file as a doctest module) does not need them.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx

COMPONENTS = {"step-the-gradient"}  # each has _static/explorable/NAME.js and NAME.css
NOSCRIPT = (
    "This part of the page is interactive and needs JavaScript, which is off in your browser. "
    "The worked example on this page shows the same numbers, computed by bigram_ref."
)


def mount_point(name: str) -> str:
    """The HTML that the directive writes for component ``name``.

    Examples
    --------
    >>> print(mount_point("step-the-gradient").splitlines()[0])
    <div class="explorable" data-explorable="step-the-gradient" hidden></div>
    """
    if name not in COMPONENTS:
        raise ValueError(f"explorable: unknown component {name!r}; expected one of: {', '.join(sorted(COMPONENTS))}")
    return (
        f'<div class="explorable" data-explorable="{html.escape(name)}" hidden></div>\n'
        f'<noscript><p class="explorable-noscript">{html.escape(NOSCRIPT)}</p></noscript>\n'
    )


def add_assets(app: Sphinx, pagename: str, templatename: str, context: dict[str, object], doctree: object) -> None:
    """Link each component's script and style sheet from the pages that use it, and no other."""
    from docutils import nodes

    if not isinstance(doctree, nodes.document):
        return
    names = {node["explorable"] for node in doctree.findall(nodes.raw) if "explorable" in node.attributes}
    for name in sorted(names):
        app.add_css_file(f"explorable/{name}.css")
        app.add_js_file(f"explorable/{name}.js", loading_method="defer")


def setup(app: Sphinx) -> dict[str, object]:
    from docutils import nodes
    from sphinx.util.docutils import SphinxDirective

    class Explorable(SphinxDirective):
        """``{explorable} NAME``: the mount point of one interactive component."""

        required_arguments = 1

        def run(self) -> list[nodes.Node]:
            name = self.arguments[0]
            try:
                markup = mount_point(name)
            except ValueError as error:
                raise self.error(str(error)) from None
            node = nodes.raw("", markup, format="html")  # other output formats skip it: the page's text stands alone
            node["explorable"] = name
            return [node]

    app.add_directive("explorable", Explorable)
    app.connect("html-page-context", add_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
