"""The cells of a notebook being built from a page: Markdown gathered into cells, code cells with
their skip conditions, and the first cell, which says what to install and runs the page's set-up.

Everything specific to this project lives in ``metadata["bigram_ref"]`` of a cell: ``figure``
(the cell draws a figure), ``hidden`` (the page runs it without showing it), ``skip`` (the page's
tests skip it when the condition ``if`` is true, for ``reason``) and ``doctest`` (the cell is a
``>>>`` example whose output the page checks; its value holds the flags the example sets with a
``# doctest:`` comment, usually none).
"""

from __future__ import annotations

from typing import Any

import nbformat
from nbformat import NotebookNode

INSTALL = """\
# {title}
# A page of the bigram_ref guide ({docname}) as a notebook. Run the cells in order: each
# code cell is an example from the page, and the output stored under it is the page's.
# It needs the bigram_ref package, with its torch and plots extras, in this kernel's Python.
# bigram_ref is not on PyPI: install it from a clone of its repository, with its pinned versions:
#     %pip install -c path/to/bigram_ref/constraints.txt -e "path/to/bigram_ref[torch,plots]"
# (on Linux, add --extra-index-url https://download.pytorch.org/whl/cpu for PyTorch's CPU build
# instead of the much larger CUDA one). The stored outputs come from those pinned versions.
# Cells that need the lecture's names.txt say so; to run them, first run
#     %env BIGRAM_REF_NAMES=path/to/names.txt
%matplotlib inline
import bigram_ref"""
HIDDEN = "# The page runs this without showing it:\n"


def error_output(want: str, exc_msg: str) -> NotebookNode:
    """The stored output of an example that the page shows raising an exception."""
    ename, _, evalue = exc_msg.strip().partition(": ")
    return nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=want.rstrip("\n").split("\n"))


def skip_note(count: int, condition: str, reason: str | None) -> str:
    cells = "the next code cell" if count == 1 else f"the next {count} code cells"
    why = f": {reason}" if reason else "."
    if condition == "True":
        return f"> **The page's tests do not run {cells}**{why}"
    note = f"> **Skip {cells} if `{condition}`** — the page's own tests do{why}"
    if "names_path" in condition:  # how to get them running, and what Run All does meanwhile
        note += (
            "\n>\n> Without it, Run All stops at the first of them. To run them, set the variable for this"
            " kernel with `%env BIGRAM_REF_NAMES=path/to/names.txt` and run the first cell again."
        )
    return note


class Cells:
    def __init__(self) -> None:
        self.cells: list[NotebookNode] = []
        self.markdown: list[str] = []
        self.setup: list[str] = []  # hidden code before the first example: it joins the first cell
        self.region: dict[str, Any] | None = None  # the skip region being read

    def text(self, markdown: str) -> None:
        self.markdown.append(markdown.strip("\n"))

    def flush(self) -> None:
        if self.markdown:
            self.cells.append(nbformat.v4.new_markdown_cell("\n\n".join(self.markdown)))
        self.markdown = []

    def skip(self, action: str, condition: str, reason: str | None) -> None:
        """Sybil's ``skip: start``, ``skip: next`` and ``skip: end``."""
        self.close()
        if action in {"start", "next"}:
            self.flush()
            note = nbformat.v4.new_markdown_cell("")
            self.cells.append(note)
            self.region = {"if": condition, "reason": reason, "note": note, "count": 0, "next": action == "next"}

    def close(self) -> None:
        region, self.region = self.region, None
        if region is None:
            return
        if region["count"]:
            region["note"].source = skip_note(region["count"], region["if"], region["reason"])
        else:
            self.cells.remove(region["note"])

    def code(
        self,
        source: str,
        outputs: list[NotebookNode] | None = None,
        *,
        hidden: bool = False,
        figure: bool = False,
        doctest: dict[str, bool] | None = None,
    ) -> None:
        if hidden and self.region is None and not any(cell.cell_type == "code" for cell in self.cells):
            self.setup.append(source)
            return
        self.flush()
        meta: dict[str, Any] = {}
        if hidden:
            source, meta["hidden"] = HIDDEN + source, True
        if figure:
            meta["figure"] = True
        if doctest is not None:
            meta["doctest"] = doctest
        if self.region is not None:
            meta["skip"] = {"if": self.region["if"], "reason": self.region["reason"]}
            self.region["count"] += 1
        self.cells.append(nbformat.v4.new_code_cell(source, outputs=outputs or [], metadata={"bigram_ref": meta}))
        if self.region is not None and self.region["next"]:
            self.close()

    def notebook(self, *, title: str, docname: str) -> NotebookNode:
        """The finished notebook: the install-and-set-up cell, then the page's cells, with stable ids."""
        self.flush()
        self.close()
        first = "\n\n".join([INSTALL.format(title=title, docname=docname), *(HIDDEN + code for code in self.setup)])
        cells = [nbformat.v4.new_code_cell(first, metadata={"bigram_ref": {"setup": True}}), *self.cells]
        for n, cell in enumerate(cells):
            cell.id = f"cell-{n}"
        notebook = nbformat.v4.new_notebook(
            cells=cells,
            metadata={
                "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                "language_info": {"name": "python"},
                "title": title,
            },
        )
        nbformat.validate(notebook)
        return notebook
