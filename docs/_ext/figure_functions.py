"""Sphinx extension: show a figure of ``bigram_ref.plots`` by name, in a light and a dark version.

In a MyST page::

    ```{figure-function} census_training_curve
    The caption, in MyST: the first paragraph is the caption, any further ones its legend.
    ```

The directive calls ``bigram_ref.plots.GUIDE_FIGURES[name]`` once per theme, saves
``<name>.svg`` and ``<name>-dark.svg`` (text kept as text, reproducible bytes), and emits one
figure with both images (Furo shows ``only-light`` or ``only-dark``) and one caption. The alt
text is the figure's own description (:func:`bigram_ref.plots.alt_text`), so it is computed from
the numbers drawn; every number in the caption must appear in it, or the build fails.

After an HTML build it checks every page: no two images share a file or have identical bytes.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:  # the checks below are plain Python, testable without Sphinx
    from docutils import nodes
    from sphinx.application import Sphinx

NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
FENCE = re.compile(r"(`{3,})\s*(.*)")
FIGURE = re.compile(r"\{figure-function\}\s+(\S+)")
IMG_SRC = re.compile(r"<img\b[^>]*?\bsrc=\"([^\"]+)\"", re.I)
THEMES = ("light", "dark")


def file_names(name: str) -> dict[str, str]:
    """The stable file name of each theme's drawing of figure ``name``."""
    return {"light": f"{name}.svg", "dark": f"{name}-dark.svg"}


def references(page: str) -> list[tuple[str, str]]:
    """(figure name, caption) of every figure-function directive in a MyST page, in order.

    Fences nest: a directive fence (```` ```{name} ````) may hold others; a code fence holds only text.
    """
    found = []
    fences: list[tuple[int, bool, str | None, list[str]]] = []  # (backticks, is code, figure name, lines)
    for line in page.splitlines():
        m = FENCE.fullmatch(line.strip())
        if m and fences and not m.group(2) and len(m.group(1)) >= fences[-1][0]:
            _, _, name, lines = fences.pop()  # the innermost fence closes
            if name:
                found.append((name, "\n".join(lines).strip()))
        elif m and not (fences and fences[-1][1]):
            figure = FIGURE.match(m.group(2))
            fences.append((len(m.group(1)), not m.group(2).startswith("{"), figure and figure.group(1), []))
        elif fences and fences[-1][2]:
            fences[-1][3].append(line)
    return found


def numbers_not_in(caption: str, alt: str) -> list[str]:
    """The numbers written in ``caption`` that the figure's own description ``alt`` does not contain."""
    missing = []
    for number in NUMBER.findall(caption):
        if not re.search(rf"(?<![\d.,]){re.escape(number)}(?![.,]?\d)", alt):
            missing.append(number)
    return missing


def shared_images(html: str, page: Path) -> list[str]:
    """Problems with the images of one built page: two ``<img>`` with one file, or with identical bytes."""
    problems = []
    seen_src: dict[Path, str] = {}
    seen_bytes: dict[str, str] = {}
    for src in IMG_SRC.findall(html):
        if src.startswith(("data:", "http:", "https:", "//")):
            continue
        path = (page.parent / src.split("#")[0].split("?")[0]).resolve()
        if path in seen_src:
            problems.append(f"two images show the same file {src}")
            continue
        seen_src[path] = src
        if not path.is_file():
            problems.append(f"image {src} does not exist")
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest in seen_bytes:
            problems.append(f"images {seen_bytes[digest]} and {src} have identical bytes")
        seen_bytes.setdefault(digest, src)
    return problems


def check_pages(outdir: Path) -> Iterable[tuple[Path, str]]:
    """(page, problem) for every built HTML page whose images are not all distinct."""
    for page in sorted(outdir.rglob("*.html")):
        if not {"_static", "_sources", "_images"} & set(page.relative_to(outdir).parts):
            for problem in shared_images(page.read_text(encoding="utf-8"), page):
                yield page.relative_to(outdir), problem


def _write_if_changed(path: Path, data: bytes) -> None:
    if path.is_file() and path.read_bytes() == data:
        return  # keep the file's time: nothing to copy again
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)  # readers never see half a file


def draw(name: str, folder: Path) -> tuple[dict[str, Path], str]:
    """Draw guide figure ``name`` in both themes into ``folder``: the files and the alt text."""
    import matplotlib as mpl

    from bigram_ref.plots import GUIDE_FIGURES, alt_text

    if name not in GUIDE_FIGURES:
        raise KeyError(f"no figure function {name!r} in bigram_ref.plots.GUIDE_FIGURES: {', '.join(GUIDE_FIGURES)}")
    folder.mkdir(parents=True, exist_ok=True)
    paths, alts = {}, set()
    for theme, file_name in file_names(name).items():
        fig = GUIDE_FIGURES[name](theme)  # type: ignore[arg-type]
        alts.add(alt_text(fig))
        buffer = BytesIO()
        with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": name}):  # text stays text; stable ids
            fig.savefig(buffer, format="svg", metadata={"Date": None})
        paths[theme] = folder / file_name
        _write_if_changed(paths[theme], buffer.getvalue())
    if len(alts) != 1:
        raise ValueError(f"figure {name!r} describes its light and dark versions differently: {sorted(alts)}")
    return paths, alts.pop()


def setup(app: Sphinx) -> dict[str, object]:
    from docutils import nodes
    from docutils.parsers.rst import directives
    from sphinx.util import logging
    from sphinx.util.docutils import SphinxDirective

    import bigram_ref

    logger = logging.getLogger(__name__)
    package_files = sorted(str(p) for p in Path(bigram_ref.__file__).parent.glob("*.py"))
    drawn: dict[str, tuple[dict[str, Path], str]] = {}  # one drawing per figure per build

    class FigureFunction(SphinxDirective):
        required_arguments = 1
        has_content = True
        option_spec: ClassVar[dict[str, object]] = {"name": directives.unchanged}  # type: ignore[misc]

        def run(self) -> list[nodes.Node]:
            name = self.arguments[0]
            folder = Path(self.env.srcdir) / "_build" / "figures"
            try:
                if name not in drawn:
                    drawn[name] = draw(name, folder)
            except (KeyError, ValueError) as exc:
                raise self.error(f"figure-function: {exc}") from None
            paths, alt = drawn[name]
            for path in package_files:
                self.env.note_dependency(path)  # a change in the package redraws the page's figures
            figure = nodes.figure(classes=["figure-function"])
            for theme in THEMES:
                uri = "/" + paths[theme].relative_to(self.env.srcdir).as_posix()  # "/": relative to srcdir
                figure += nodes.image(uri=uri, alt=alt, classes=[f"only-{theme}"])
            self.add_name(figure)
            if self.content:
                body = nodes.Element()
                self.state.nested_parse(self.content, self.content_offset, body)
                first, *rest = body.children
                if not isinstance(first, nodes.paragraph):
                    raise self.error("figure-function: the caption must be a paragraph")
                caption = nodes.caption(first.rawsource, "", *first.children)
                caption.source, caption.line = self.get_source_info()
                figure += caption
                if rest:
                    figure += nodes.legend("", *rest)
                words = "".join(t.astext() for t in caption.findall(nodes.Text) if not _in_math(t))
                for number in numbers_not_in(words, alt):
                    logger.warning(
                        "figure-function %s: the caption's number %s is not in what the figure draws: %s",
                        name,
                        number,
                        alt,
                        location=caption,
                    )
            return [figure]

    def _in_math(node: nodes.Node) -> bool:
        parent = node.parent
        while parent is not None:
            if isinstance(parent, nodes.math):
                return True
            parent = parent.parent
        return False

    def check(app: Sphinx, exception: Exception | None) -> None:
        if exception is None and app.builder.format == "html":
            for page, problem in check_pages(Path(app.outdir)):
                logger.warning("%s: %s", page, problem, type="figures", subtype="shared")

    app.add_directive("figure-function", FigureFunction)
    app.connect("build-finished", check)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
