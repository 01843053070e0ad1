"""A MyST page of the guide as a Jupyter notebook (nbformat 4), built without running anything.

The page is walked with markdown-it-py and the MyST plugins of mdit-py-plugins. What becomes what:

- prose -> Markdown cells (a new cell at each heading), inline syntax made plain by
  :mod:`notebook_markdown`; ``$…$`` and ``$$…$$`` math kept; amsmath blocks wrapped in ``$$``;
  definition lists -> bullet lists; tables and non-Python code fences kept as written;
- a ```` ```python ```` fence (or ``{code-block} python``, ``{doctest}``): one code cell per ``>>>``
  example, split by :class:`doctest.DocTestParser`, prompts removed, the page's expected output
  stored as the cell's output (a Python block without prompts is one code cell, output not stored);
- ``% invisible-code-block: python`` -> a code cell (those before the first example join the
  first cell, which says what to install); ``% skip: start|next|end`` -> a Markdown note before the
  skipped cells, which carry the condition and reason in ``metadata["bigram_ref"]["skip"]``;
- a figure (```` ```{figure-function} NAME ````) -> a code cell that draws it with
  ``bigram_ref.plots.NAME()`` (Jupyter shows the returned figure), then its caption as Markdown;
- ``{include}`` -> the included text, converted; admonitions -> a bold title and their body; ``{math}`` ->
  ``$$``; ``{toctree}``, targets, comments and block breaks -> dropped;
- any other directive, raw HTML (an interactive part), an image or reStructuredText ->
  a Markdown note that says what the page shows there. Nothing unknown is an error.
"""

from __future__ import annotations

import doctest
import itertools
import re
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import nbformat
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.amsmath import amsmath_plugin
from mdit_py_plugins.colon_fence import colon_fence_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.front_matter import front_matter_plugin
from mdit_py_plugins.myst_blocks import myst_block_plugin
from mdit_py_plugins.myst_role import myst_role_plugin
from nbformat import NotebookNode
from notebook_cells import Cells, error_output
from notebook_markdown import Inline
from notebook_parts import COMMENT_DIRECTIVE, skip_condition, split_options

MD = (
    MarkdownIt("commonmark")
    .enable("table")
    .use(front_matter_plugin)
    .use(myst_block_plugin)
    .use(myst_role_plugin)
    .use(dollarmath_plugin)
    .use(amsmath_plugin)
    .use(colon_fence_plugin)
    .use(deflist_plugin)
)
ADMONITIONS = {"note", "tip", "hint", "important", "warning", "caution", "attention", "danger", "error", "seealso"}
PYTHON_BLOCKS = {"code-block", "sourcecode", "code", "code-cell"}  # with a "python" argument, Sybil runs them
FLAG_NAMES = {flag: name for name, flag in doctest.OPTIONFLAGS_BY_NAME.items()}
DROPPED = {"toctree", "contents", "index", "only", "tableofcontents"}


class Page:
    """One page being converted: its lines, its inline converter and the cells so far."""

    def __init__(self, path: Path, root: Path, inline: Inline) -> None:
        self.path, self.root, self.inline = path, root, inline
        self.cells = Cells()

    def walk(self, text: str) -> None:
        tokens, lines = MD.parse(text), text.split("\n")
        i = 0
        while i < len(tokens):
            token = tokens[i]
            end = i
            if token.nesting == 1:  # find the matching close
                depth = 0
                for end in range(i, len(tokens)):
                    depth += tokens[end].nesting
                    if depth == 0:
                        break
            self.block(tokens[i : end + 1], lines)
            i = end + 1

    def block(self, tokens: list[Token], lines: list[str]) -> None:
        first = tokens[0]
        start, stop = first.map or (0, 0)
        kind = first.type
        if kind == "heading_open":
            self.cells.flush()
        if kind in {"myst_target", "myst_block_break", "front_matter"}:
            return
        if kind == "myst_line_comment":
            return self.comment(first.content)
        if kind in {"fence", "colon_fence"}:
            return self.fence(first, "\n".join(lines[start:stop]))
        if kind == "html_block":
            return self.html(first.content)
        if kind in {"amsmath", "math_block", "math_block_label"}:  # a label has no meaning in a notebook
            return self.cells.text(f"$$\n{first.content.strip()}\n$$")
        if kind == "dl_open":
            return self.deflist(tokens)
        inner = [t for t in tokens[1:] if t.map and (t.type in {"myst_line_comment", "html_block"} or self.special(t))]
        for t in inner:  # a container (a list, a quote) holding examples or Sybil comments: split around them
            assert t.map is not None
            self.prose("\n".join(lines[start : t.map[0]]))
            self.block([t], lines)
            start = t.map[1]
        self.prose("\n".join(lines[start:stop]))

    def special(self, token: Token) -> bool:
        """A fence that is not plain Markdown: Python, or a directive."""
        info = token.info.strip()
        return token.type in {"fence", "colon_fence"} and (info.startswith("{") or info.split()[:1] == ["python"])

    def prose(self, text: str) -> None:
        if text.strip():
            self.cells.text(self.inline(text))

    def note(self, what: str) -> None:
        """Say what the page shows here (once, however many blocks make it up)."""
        text = f"*The page shows {what} here; open the page to see it.*"
        if self.cells.markdown[-1:] != [text]:
            self.cells.text(text)

    def comment(self, content: str) -> None:
        lines = content.split("\n")
        for n, line in enumerate(lines):
            m = COMMENT_DIRECTIVE.match(line)
            if m and m["name"] == "skip":
                self.cells.skip(*skip_condition(m["arg"]))
            elif m and m["arg"].strip() == "python":
                return self.python(textwrap.dedent("\n".join(lines[n + 1 :])).strip("\n"), hidden=True)

    def fence(self, token: Token, raw: str) -> None:
        info = token.info.strip()
        m = re.fullmatch(r"\{(?P<name>[\w:.-]+)\}\s*(?P<arg>.*)", info)
        if not m:
            if info.split()[:1] == ["python"]:
                return self.python(token.content)
            return self.cells.text(textwrap.dedent(raw))  # console, text, ...: Markdown as written
        name, arg = m["name"].rsplit(":", 1)[-1], m["arg"].strip()
        options, body = split_options(token.content)
        language = arg.split()[0] if arg else ""
        if name in PYTHON_BLOCKS and language == "python":
            return self.python(body)
        if name in PYTHON_BLOCKS:
            return self.cells.text(f"```{language}\n{body}\n```")
        if name == "doctest":
            return self.python(body)
        if name == "math":
            return self.cells.text(f"$$\n{body}\n$$")
        if name == "include":
            return self.include(arg, options)
        if name in DROPPED:
            return None
        if name in ADMONITIONS or name == "admonition":
            self.cells.text(f"**{arg if name == 'admonition' else name.capitalize()}.**")
            return self.walk(body)
        if name in {"figure", "image"}:
            return self.note(f"an image ({options.get('alt') or arg})")
        if name == "eval-rst":
            return self.note("a block of reStructuredText")
        if name == "figure-function":
            return self.figure(arg, caption=body)
        return self.note(f"{'an' if name[0] in 'aeiou' else 'a'} `{name}` block")

    def python(self, source: str, hidden: bool = False) -> None:
        """A Python block: doctest examples (one cell each) or plain code (one cell)."""
        if not re.search(r"^\s*>>>", source, re.M):
            return self.cells.code(source.strip("\n"), hidden=hidden)
        for example in doctest.DocTestParser().get_examples(source):
            options = {FLAG_NAMES[flag]: on for flag, on in example.options.items()}
            if example.exc_msg is not None:
                outputs = [error_output(example.want, example.exc_msg)]
            else:
                outputs = [nbformat.v4.new_output("stream", name="stdout", text=example.want)] if example.want else []
            self.cells.code(example.source.rstrip("\n"), outputs, doctest=options, hidden=hidden)

    def include(self, argument: str, options: Mapping[str, str]) -> None:
        path = (self.root / argument.lstrip("/")) if argument.startswith("/") else (self.path.parent / argument)
        text = path.read_text(encoding="utf-8")
        if "start-after" in options:
            text = text.split(options["start-after"], 1)[-1]
        if "end-before" in options:
            text = text.split(options["end-before"], 1)[0]
        lines = text.split("\n")
        text = "\n".join(lines[int(options.get("start-line", 0)) : int(options.get("end-line", len(lines)))])
        if "literal" in options or "code" in options:
            return self.cells.text(f"```{options.get('code', '')}\n{text.strip()}\n```")
        self.walk(text)

    def figure(self, name: str, *, caption: str) -> None:
        """A guide figure: a cell that draws it (the figure is the cell's value), then its caption."""
        self.cells.code(f"from bigram_ref.plots import {name}\n\n{name}()", figure=True)
        if caption.strip():
            self.cells.text(f"*Figure: {self.inline(caption.strip())}*")

    def html(self, content: str) -> None:
        """Raw HTML: Sybil's comment forms are read, other comments dropped, anything else is an interactive part."""
        comment = re.fullmatch(r"\s*<!--([\s\S]*?)-->\s*", content)
        if comment:
            return self.comment(comment.group(1).strip())
        self.note("an interactive part (it needs the page's JavaScript)")

    def deflist(self, tokens: list[Token]) -> None:
        items: list[str] = []
        for n, token in enumerate(tokens):
            if token.type == "dt_open":
                items.append(f"- **{tokens[n + 1].content.strip()}**")
            elif token.type == "inline" and tokens[n - 1].type == "paragraph_open" and items:
                items[-1] += " — " + " ".join(token.content.split())
        self.prose("\n".join(items))


def convert(
    path: Path,
    *,
    docname: str,
    root: Path,
    notebook_for: Callable[[str], str | None],
    substitutions: Mapping[str, Any] | None = None,
) -> tuple[NotebookNode, list[str]]:
    """The notebook of the page at ``path`` and the substitutions it could not fill (to report)."""
    text = path.read_text(encoding="utf-8")
    inline = Inline(docname, notebook_for, substitutions or {})
    page = Page(path, root, inline)
    page.walk(text)
    title = next((t.content for before, t in itertools.pairwise(MD.parse(text)) if before.tag == "h1"), docname)
    return page.cells.notebook(title=title, docname=docname), inline.unresolved
