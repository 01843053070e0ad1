"""Tables of messages on the site are checked against the page's own (tested) example outputs."""

import re
from pathlib import Path

DOCS = Path(__file__).parent.parent / "docs"


def test_every_message_in_the_errors_table_is_printed_by_the_examples() -> None:
    page = (DOCS / "reference" / "errors.md").read_text(encoding="utf-8")
    table = [line for line in page.splitlines() if line.startswith("| ") and line.split("|")[2].strip().startswith("`")]
    messages = [re.search(r"`([^`]+)`\s*\|\s*$", row).group(1) for row in table]  # type: ignore[union-attr]
    assert len(messages) >= 15
    # the outputs of the page's examples: every line of a python block that is not code
    outputs = "\n".join(
        line
        for block in re.findall(r"```python\n(.*?)```", page, flags=re.S)
        for line in block.splitlines()
        if not line.startswith((">>>", "..."))
    )
    for message in messages:
        pattern = re.escape(message).replace(re.escape("<file>"), r"<dir>(/\S+)?")
        assert re.search(pattern, outputs), f"not printed by any example on the page: {message}"


def test_every_message_the_package_raises_is_on_the_errors_page() -> None:
    """Each InputError/CorpusError message in the source: its longest literal part appears on the page."""
    import ast

    page = (DOCS / "reference" / "errors.md").read_text(encoding="utf-8")
    package = Path(__file__).parent.parent / "bigram_ref"
    missing = []
    for path in sorted(package.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = getattr(node, "func", None)
            if not (isinstance(node, ast.Call) and node.args):
                continue
            if getattr(name, "id", getattr(name, "attr", None)) not in {"InputError", "CorpusError"}:
                continue
            message = node.args[0]
            parts = [message] if isinstance(message, ast.Constant) else getattr(message, "values", [])
            literal = max((str(p.value) for p in parts if isinstance(p, ast.Constant)), key=len, default="")
            if literal.strip(" :") and literal.strip() not in page:
                missing.append(f"{path.name}:{node.lineno}: {literal.strip()!r}")
    assert missing == []
