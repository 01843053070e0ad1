"""Prose of a MyST page as the plain Markdown that Jupyter renders.

MyST roles become code or text (``{func}`~bigram_ref.neural.train``` -> ```train()```,
``{math}`x``` -> ``$x$``), links to other guide pages point at their notebooks (links to
pages without one keep only their text, since the notebook travels alone), math stays as
``$…$`` and ``$$…$$``, and substitutions are filled in. Code spans, math and fenced code are
left exactly as written.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Mapping

# Python-domain roles render as code; Sphinx adds "()" to functions and methods
PYTHON_ROLES = {"func", "meth", "class", "mod", "attr", "data", "exc", "obj", "const", "type", "any"}
CODE_ROLES = {"code", "literal", "file", "samp", "command", "program", "envvar", "option", "kbd", "mimetype"}

INLINE = re.compile(
    r"(?P<role>\{(?P<name>[\w:+.-]+)\}(?P<rticks>`+)(?P<body>[\s\S]*?)(?P=rticks))"
    r"|(?P<code>(?P<ticks>`+)[\s\S]*?(?P=ticks))"
    r"|(?P<math>\$\$[\s\S]*?\$\$|(?<![\\$])\$(?=\S)[^$]*?(?<=\S)\$)"
    r"|(?P<link>(?<!!)\[(?P<text>(?:[^\[\]]|\[[^\]]*\])*)\]\((?P<target><[^>]*>|[^)\s]+)(?:\s+\"[^\"]*\")?\))"
    r"|(?P<sub>\{\{\s*(?P<key>[^{}]+?)\s*\}\})"
)
FENCE = re.compile(r"^([ \t]*)(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1\2[ \t]*$", re.M)
TITLED = re.compile(r"(?P<title>[\s\S]*?)\s*<(?P<target>[^<>]+)>")


def code(text: str) -> str:
    """``text`` as a Markdown code span (longer fences if it holds backticks)."""
    ticks = "``" if "`" in text else "`"
    return f"{ticks}{text}{ticks}" if ticks == "`" else f"{ticks} {text} {ticks}"


class Inline:
    """Converts the inline syntax of one page's prose.

    ``notebook_for(docname)`` names the notebook of a guide page (or None);
    ``unresolved`` collects substitutions that had no value, for the caller to report.
    """

    def __init__(
        self, docname: str, notebook_for: Callable[[str], str | None], substitutions: Mapping[str, object]
    ) -> None:
        self.docname = docname
        self.notebook_for = notebook_for
        self.substitutions = substitutions
        self.unresolved: list[str] = []

    def __call__(self, text: str) -> str:
        """Convert prose, leaving fenced code blocks as they are."""
        out, end = [], 0
        for fence in FENCE.finditer(text):
            out += [INLINE.sub(self._replace, text[end : fence.start()]), fence.group(0)]
            end = fence.end()
        return "".join([*out, INLINE.sub(self._replace, text[end:])])

    def _replace(self, m: re.Match[str]) -> str:
        if m["role"]:
            return self.role(m["name"], m["body"])
        if m["link"]:
            return self.link(self(m["text"]), m["target"].strip("<>"))
        if m["sub"]:
            key = m["key"]
            if key in self.substitutions:
                return self(str(self.substitutions[key]))
            self.unresolved.append(key)
        return m.group(0)  # code spans and math stay as written

    def role(self, name: str, body: str) -> str:
        name = name.rsplit(":", 1)[-1]
        titled = TITLED.fullmatch(body)
        title, target = (titled["title"], titled["target"]) if titled else (None, body)
        if name == "math":
            return f"${body}$"
        if name in PYTHON_ROLES:
            if title:
                return code(title)
            target = target.lstrip("!.")
            shown = target[1:].rsplit(".", 1)[-1] if target.startswith("~") else target
            return code(shown + ("()" if name in {"func", "meth"} and "(" not in shown else ""))
        if name in CODE_ROLES:
            return code(title or target)
        if name == "doc":
            return self.link(title or target, target if target.startswith("/") else target + ".md")
        return title or target  # ref, term, abbr and any role we do not know: its text

    def link(self, text: str, target: str) -> str:
        """A link to another guide page points at its notebook; one to a page without a notebook keeps its text."""
        target = target.removeprefix("project:")
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
            return f"[{text}]({target})"
        path = target.split("#", 1)[0]
        if not path:
            return text  # an anchor on this page: Jupyter names its anchors differently
        if path.startswith("/"):
            docname = path.lstrip("/")
        else:
            docname = posixpath.normpath(posixpath.join(posixpath.dirname(self.docname), path))
        notebook = self.notebook_for(re.sub(r"\.(md|rst|html|ipynb)$", "", docname))
        return f"[{text}]({notebook})" if notebook else text
