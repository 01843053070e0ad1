"""Sphinx extension: fail the build if a built page loads a script, style sheet or font from the network.

The site must work with no network: MathJax, fonts and styles are served from the
build itself. After an HTML build this scans every ``.html`` and ``.css`` file and
warns (an error under ``-W``) for each external URL that a browser would fetch to
render the page. Plain links (``<a href>``) are fine: they are only followed on a click.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the scanner itself is plain Python, testable without Sphinx installed
    from sphinx.application import Sphinx

EXTERNAL = r"(?:https?:)?//"
PATTERNS = {
    "script": re.compile(rf"<script\b[^>]*\bsrc=[\"']({EXTERNAL}[^\"']+)", re.I),
    "stylesheet or preload": re.compile(
        rf"<link\b(?=[^>]*\brel=[\"']?(?:stylesheet|preload|modulepreload|icon)\b)[^>]*\bhref=[\"']({EXTERNAL}[^\"']+)",
        re.I,
    ),
    "image": re.compile(rf"<img\b[^>]*\bsrc=[\"']({EXTERNAL}[^\"']+)", re.I),
    "css import or font": re.compile(rf"(?:@import\s+(?:url\()?|url\()\s*[\"']?({EXTERNAL}[^\"')\s]+)", re.I),
}


def external_loads(text: str) -> list[tuple[str, str]]:
    """Every (kind, url) in ``text`` that a browser would fetch from another host while rendering."""
    return [(kind, m.group(1)) for kind, pattern in PATTERNS.items() for m in pattern.finditer(text)]


def scan(outdir: Path) -> list[tuple[Path, str, str]]:
    """Scan a built site: (file, kind, url) for every external load."""
    found = []
    for path in sorted(outdir.rglob("*")):
        if path.suffix in {".html", ".css"} and "_sources" not in path.parts:
            for kind, url in external_loads(path.read_text(encoding="utf-8", errors="replace")):
                found.append((path.relative_to(outdir), kind, url))
    return found


def check(app: Sphinx, exception: Exception | None) -> None:
    from sphinx.util import logging

    logger = logging.getLogger(__name__)
    if exception is not None or app.builder.format != "html":
        return
    for path, kind, url in scan(Path(app.outdir)):
        logger.warning("%s loads a %s from the network: %s", path, kind, url, type="offline", subtype="external")


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("build-finished", check)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
