"""Paste code into an interactive Python session, as a reader would, and record what it prints.

Reads a JSON list of code blocks on stdin, feeds each block line by line to one
`code.InteractiveConsole` (so expression values are echoed, as at the `>>>` prompt), and
writes a JSON list with the output of each block. Tracebacks count as output, as in a doctest.
"""

from __future__ import annotations

import code
import contextlib
import io
import json
import sys


class Console(code.InteractiveConsole):
    def write(self, data: str) -> None:
        sys.stdout.write(data)  # tracebacks go where the output goes


def main() -> None:
    blocks = json.load(sys.stdin)
    console = Console()
    outputs = []
    for block in blocks:
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            more = False
            for line in block.splitlines():
                more = console.push(line)
            if more:
                console.push("")
        outputs.append(buffer.getvalue())
    json.dump(outputs, sys.__stdout__)


if __name__ == "__main__":
    main()
