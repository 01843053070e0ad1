"""Small parsers for the notebook converter: directive options and Sybil's skip arguments.

Kept apart from :mod:`notebook_convert` so that each reads in one sitting; all are plain functions.
"""

from __future__ import annotations

import ast
import re

COMMENT_DIRECTIVE = re.compile(
    r"^\s*(?P<name>invisible-code-block|invisible-code|code-block|code|skip)\s*:\s*(?P<arg>.*)$"
)
OPTION = re.compile(r"^:(?P<key>[\w-]+):[ \t]*(?P<value>.*)$")


def split_options(body: str) -> tuple[dict[str, str], str]:
    """A directive's ``:key: value`` lines (or ``---`` YAML-ish block) and the rest of its body."""
    lines, options = body.split("\n"), {}
    if lines and lines[0].strip() == "---" and "---" in (stripped := [s.strip() for s in lines[1:]]):
        end = stripped.index("---") + 1
        options = {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:end])}
        return options, "\n".join(lines[end + 1 :]).strip("\n")
    while lines and (m := OPTION.match(lines[0].strip())):
        options[m["key"]] = m["value"]
        lines.pop(0)
    return options, "\n".join(lines).strip("\n")


def skip_condition(arguments: str) -> tuple[str, str, str | None]:
    """Sybil's ``skip: start if(cond, reason="…")`` -> ("start", "cond", "…"); without ``if``, cond is "True"."""
    action, _, rest = arguments.strip().partition(" ")
    rest = rest.strip()
    if not rest:
        return action, "True", None
    if rest.startswith("if"):
        call = ast.parse("f" + rest[2:], mode="eval").body
        if not isinstance(call, ast.Call) or not call.args:
            raise ValueError(f"skip: expected 'if(condition, reason=...)', got {arguments!r}")
        reasons = [k.value for k in call.keywords if k.arg == "reason"] + call.args[1:]
        return action, ast.unparse(call.args[0]), str(ast.literal_eval(reasons[0])) if reasons else None
    try:
        return action, "True", str(ast.literal_eval(rest))
    except (ValueError, SyntaxError):
        return action, "True", rest
