"""Numbers in prose are claims: no page of the guide may show a hand-typed number.

Every decimal (0.384), large integer (32,033, or 36122 ungrouped), percentage (9.43%) and
power of ten (10^{-6}, 1e-6) that a reader sees on a page of the guide (docs/**/*.md, and
the README text that docs/index.md includes) must be one of:

- printed by a checked ``>>>`` example of the same page: it appears, as the same token, in
  an expected output that Sybil compares (outputs under a conditional ``% skip: start
  if(...)`` count: they are checked whenever their condition holds, e.g. BIGRAM_REF_NAMES is
  set; outputs under an unconditional skip do not). A grouped integer matches its ungrouped
  digits; a power of ten matches any spelling of the same value;
- for a power of ten only: a bound written in the code of a checked example on the same page
  (``>>> bool(gap < 1e-10)`` then ``True`` checks "below 10^{-10}");
- an input the reader chooses, declared on the page in a MyST comment (not rendered), one
  line per reason: ``% input 0.20, -0.10, 0.05: the seed note's logits``. A declaration
  needs a reason, and a declared number that the page no longer shows is an error too.

What a reader sees: prose, headings, math, table cells, link text, inline code, the
``:alt:`` and ``:caption:`` of figures, comments in code, and the body of fences that no
test runs (``text``, and the output lines of ``console``). Not scanned: code itself
(numbers in code are inputs to it), generated bench records (docs/_records), version
numbers (2.13.0), URLs, MyST comments.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs"
EXEMPT = (DOCS / "_build", DOCS / "_records")

# ---------------------------------------------------------------------------------------------
# Tokens

_SUPERSCRIPT = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")
_NUMBER = re.compile(
    r"""
      (?P<version>(?<![\w.])\d+(?:\.\d+){2,}(?![\w])                        # 2.13.0, 127.0.0.1: not a quantity
        | \b(?:Python|PyTorch|torch|NumPy|numpy|release|version|WCAG)\ (?:≥\ |>=\ ?)?\d+\.\d+)   # Python ≥ 3.11
    | (?P<sci>(?<![\w.])\d+(?:\.\d+)?[eE][-+−]?\d+(?![\w.]))              # 1e-6, 2.5e+03
    | (?<![\w.])10\s*\^\s*\{?\s*(?P<pow>[-−]?\s*\d+)\s*\}?                  # 10^{-6}, 10^4
    | (?<![\w.])10(?P<sup>⁻?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)                                  # 10⁻⁶
    | (?P<pct>(?<![\w.])\d+(?:\.\d+)?)\s?\\?%                               # 9.43%, 9.43 \%
    | (?P<grouped>(?<![\w.,])\d{1,3}(?:,\d{3})+(?![\d]|,\d|\.\d))           # 32,033
    | (?P<decimal>(?<![\w.])\d+\.\d+(?![\w]|\.\d))                          # 0.384, 2.3346
    | (?P<large>(?<![\w.,])\d{5,}(?![\w]|[.,]\d))                           # 36122, 2147483647
    """,
    re.VERBOSE,
)
_URL = re.compile(r"\]\([^)]*\)|<https?://[^>]*>|https?://\S+")


@dataclass(frozen=True)
class Number:
    """A number as the reader sees it (``text``) and the key it is matched by."""

    text: str
    key: tuple[str, str]


def numbers(text: str) -> list[Number]:
    """Every claim-shaped number in a piece of text, in order (versions and URLs skipped)."""
    found = []
    for m in _NUMBER.finditer(_URL.sub(" ", text)):
        kind = m.lastgroup
        if kind == "version":
            continue
        if kind == "sci":
            key = ("value", repr(float(m["sci"].replace("−", "-"))))
        elif kind == "pow":
            key = ("value", repr(10.0 ** int(re.sub(r"\s", "", m["pow"]).replace("−", "-"))))
        elif kind == "sup":
            key = ("value", repr(10.0 ** int(m["sup"].translate(_SUPERSCRIPT))))
        elif kind == "pct":
            key = ("percent", m["pct"])
        elif kind in ("grouped", "large"):
            key = ("integer", m[0].replace(",", ""))
        else:
            key = ("decimal", m[0])
        found.append(Number(m[0], key))
    return found


def output_keys(text: str) -> set[tuple[str, str]]:
    """The keys a checked output supplies: its claim-shaped numbers, and every integer in it."""
    keys = {n.key for n in numbers(text)}
    keys |= {("integer", m) for m in re.findall(r"(?<![\w.])\d+(?![\w]|\.\d)", text.replace(",", ""))}
    return keys


# ---------------------------------------------------------------------------------------------
# Pages


@dataclass(frozen=True)
class Claim:
    file: Path
    line: int
    number: Number


@dataclass
class Page:
    """What one page shows the reader, and what its tests check."""

    path: Path
    root: Path = ROOT  # messages name files relative to this
    exempt: tuple[Path, ...] = EXEMPT  # includes from here are generated records, not prose
    claims: list[Claim] = field(default_factory=list)
    outputs: set[tuple[str, str]] = field(default_factory=set)  # keys printed by checked examples
    bounds: set[tuple[str, str]] = field(default_factory=set)  # powers of ten in checked example code
    inputs: dict[tuple[str, str], str] = field(default_factory=dict)  # declared inputs and their reasons
    errors: list[str] = field(default_factory=list)  # malformed declarations
    included: list[Path] = field(default_factory=list)  # files the page includes, scanned as its prose


_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})\s*(?P<info>.*)$")
_INPUT = re.compile(r"^%\s*input\b\s*(?P<numbers>[^:]*)(?::\s*(?P<reason>.*))?$")
_OPTION = re.compile(r"^\s*:(?P<name>[\w-]+):\s*(?P<value>.*)$")
_DOCTEST = {"python", "py", "python3", "pycon", "doctest"}  # Sybil runs these; `>>>` outputs are compared
_SHELL = {"console", "shell-session"}  # `$ command  # comment`, then output that no test compares
_TEXT = {"", "text", "none", "output", "txt"}  # shown as is, compared by nothing: read as prose
_HIDDEN = {"toctree"}  # not shown as text
_CODE = {"code-block", "code", "sourcecode", "testcode", "testsetup", "testcleanup"}  # directives holding code


def comment(line: str) -> str:
    """The comment of one line of code: the text after a ``#`` that is not inside a string literal."""
    quote, k = "", 0
    while k < len(line):
        ch = line[k]
        if quote and ch == "\\":
            k += 1  # an escaped character, whatever it is
        elif quote and ch == quote:
            quote = ""
        elif not quote and ch in "'\"":
            quote = ch
        elif not quote and ch == "#":
            return line[k + 1 :]
        k += 1
    return ""


def scan(page: Page, path: Path | None = None, text: str | None = None, first_line: int = 1) -> Page:
    """Read a MyST page (or, into it, an included or nested fragment) into what it claims and checks."""
    path = page.path if path is None else path
    text = path.read_text(encoding="utf-8") if text is None else text
    lines = text.splitlines()
    skipped = False  # inside an unconditional `% skip: start` ... `% skip: end`
    skip_next = False
    in_html_comment = False
    k = 0
    while k < len(lines):
        line, number = lines[k], first_line + k
        if in_html_comment or line.lstrip().startswith("<!--"):
            in_html_comment = "-->" not in line
        elif line.startswith("%"):  # a MyST comment: not rendered, but it may be Sybil's or ours
            note = line[1:].strip()
            if note == "skip: next":
                skip_next = True
            elif note.startswith("skip: start"):
                skipped = "if(" not in note
            elif note == "skip: end":
                skipped = False
            elif m := _INPUT.match(line):
                declare(page, path, number, m)
        elif fence := _FENCE.match(line):
            mark = fence["fence"]  # the block ends at the same character, at least as many times
            end = k + 1
            while end < len(lines) and not re.match(rf"^\s*{mark[0]}{{{len(mark)},}}\s*$", lines[end]):
                end += 1
            block(page, path, fence["info"].strip(), lines[k + 1 : end], number + 1, not (skipped or skip_next))
            skip_next = False
            k = end
        else:
            claim(page, path, number, line)
        k += 1
    return page


def claim(page: Page, path: Path, line: int, text: str) -> None:
    page.claims.extend(Claim(path, line, n) for n in numbers(text))


def declare(page: Page, path: Path, line: int, m: re.Match[str]) -> None:
    """``% input 0.20, -0.10: why``: numbers the reader chooses, each needing a reason."""
    declared = numbers(m["numbers"])
    reason = (m["reason"] or "").strip()
    where = f"{path.relative_to(page.root)}:{line}"
    if not declared:
        page.errors.append(f"{where}: an input declaration names no number: {m[0]!r}")
    elif not reason:
        page.errors.append(f"{where}: input {m['numbers'].strip()} is declared without a reason")
    page.inputs.update({n.key: reason for n in declared})


def block(page: Page, path: Path, info: str, body: list[str], first: int, checked: bool) -> None:
    """One fenced block, whose first line is line ``first``: what a reader sees in it, what it checks."""
    directive = re.match(r"^\{([\w-]+)\}\s*(.*)$", info)
    name = directive[1] if directive else info.split()[0].lower() if info else ""
    rows = list(enumerate(body, start=first))
    if name == "include":
        include(page, path, directive[2] if directive else "", body)
    elif name == "eval-rst":  # a figure: its code is code, its alt text and caption are prose
        in_text = False
        for line, row in rows:
            option = _OPTION.match(row)
            if option:
                in_text = option["name"] in ("alt", "caption")
                claim(page, path, line, option["value"] if in_text else "")
            elif in_text and row.strip():
                claim(page, path, line, row)  # the option's value, continued
            else:
                in_text = False
    elif name in _DOCTEST:
        doctest = any(row.lstrip().startswith(">>>") for row in body)
        for line, row in rows:
            row = row.strip()
            if not doctest or row.startswith((">>>", "...")):
                claim(page, path, line, comment(row))
                if doctest and checked:
                    page.bounds |= {n.key for n in numbers(row) if n.key[0] == "value"}
            elif checked:
                page.outputs |= output_keys(row)
    elif name in _SHELL:
        for line, row in rows:
            row = row.strip()
            claim(page, path, line, comment(row) if row.startswith("$") else row)
    elif name in _TEXT:
        for line, row in rows:
            claim(page, path, line, row)
    elif directive and name not in _CODE and name not in _HIDDEN:
        scan(page, path, "\n".join(body), first_line=first)  # a note, math, ...: prose, maybe with blocks
    elif name not in _HIDDEN:  # code in any other language: only its comments are prose
        for line, row in rows:
            claim(page, path, line, comment(row))


def include(page: Page, path: Path, argument: str, options: list[str]) -> None:
    """Scan the text an ``{include}`` directive shows, under its own file name and line numbers."""
    target = (path.parent / argument.strip()).resolve()
    if any(target.is_relative_to(exempt) for exempt in page.exempt):
        return  # generated records (bench outputs)
    settings = {m["name"]: m["value"] for row in options if (m := _OPTION.match(row))}
    text = target.read_text(encoding="utf-8")
    start = 0
    if "start-after" in settings:
        start = text.index(settings["start-after"]) + len(settings["start-after"])
    stop = text.index(settings["end-before"], start) if "end-before" in settings else len(text)
    page.included.append(target)
    scan(page, target, text[start:stop], first_line=text.count("\n", 0, start) + 1)


def violations(page: Page) -> list[str]:
    """One message per hand-typed number, per malformed declaration, and per stale declaration."""
    found = list(page.errors)
    shown = {c.number.key for c in page.claims}
    for c in page.claims:
        key = c.number.key
        if key in page.outputs or key in page.inputs or (key[0] == "value" and key in page.bounds):
            continue
        found.append(
            f"{c.file.relative_to(page.root)}:{c.line}: {c.number.text} is typed by hand: print it in a checked "
            f">>> output on {page.path.relative_to(page.root)}, or declare it there as an input (% input NUMBER: why)"
        )
    for key, reason in page.inputs.items():
        if key not in shown:
            found.append(f"{page.path.relative_to(page.root)}: declared input {key[1]} ({reason}) is not on the page")
    return found


# ---------------------------------------------------------------------------------------------
# Every page of the guide

PAGES = sorted(p for p in DOCS.rglob("*.md") if not any(p.is_relative_to(e) for e in EXEMPT))


@cache
def by_file() -> dict[str, list[str]]:
    """Violations grouped by the file the number is written in (an included README counts as its own)."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for path in PAGES:
        grouped[str(path.relative_to(ROOT))]  # every page gets a test, clean or not
        page = scan(Page(path))
        for included in page.included:  # and so does every file a page includes (the README's quickstart)
            grouped[str(included.relative_to(ROOT))]
        for message in violations(page):
            grouped[message.split(":", 1)[0]].append(message)
    return dict(grouped)


def test_every_page_of_the_guide_is_scanned() -> None:
    assert len(PAGES) >= 25
    assert DOCS / "index.md" in PAGES
    assert not any(p.is_relative_to(DOCS / "_records") for p in PAGES)
    assert "README.md" in by_file()  # the quickstart that the landing page includes


@pytest.mark.parametrize("file", sorted(by_file()))
def test_no_hand_typed_numbers(file: str) -> None:
    problems = by_file()[file]
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------------------------
# The scanner itself, on small pages: what it must flag, and what it must not


def page_from(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "page.md"
    path.write_text(text, encoding="utf-8")
    return violations(scan(Page(path, root=tmp_path, exempt=(tmp_path / "_records",))))


def test_numbers_are_found_in_each_spelling() -> None:
    text = "NLL 0.384 over 32,033 names (9.43%), to 10^{-6} or 1e-10, 36122 bigrams"
    found = [(n.text, n.key) for n in numbers(text)]
    assert found == [
        ("0.384", ("decimal", "0.384")),
        ("32,033", ("integer", "32033")),
        ("9.43%", ("percent", "9.43")),
        ("10^{-6}", ("value", repr(1e-6))),
        ("1e-10", ("value", repr(1e-10))),
        ("36122", ("integer", "36122")),
    ]
    assert [n.key for n in numbers(r"$10^4$, 10⁻⁶, $9.43\%$")] == [
        ("value", repr(1e4)),
        ("value", repr(1e-6)),
        ("percent", "9.43"),
    ]


def test_what_is_not_a_claim() -> None:
    text = (
        "## 1. Load the words\nPython ≥ 3.11, WCAG 2.1 AA, NumPy 2.4, PyTorch 2.13.0 at http://127.0.0.1:8000, see [docs](https://x.org/v3.11/a),"
        " names.txt, 27 symbols, 100 steps, the 1990 census, a list [1, 2, 3], W[0,1], e^{-1}, $O(V^2)$, 110^2."
    )
    assert numbers(text) == []


def test_a_hand_typed_number_fails_naming_page_and_line(tmp_path: Path) -> None:
    problems = page_from(tmp_path, "# Title\n\nSo 9.43% start with m,\nand the loss is 2.3346.\n")
    assert problems == [
        "page.md:3: 9.43% is typed by hand: print it in a checked >>> output on page.md, "
        "or declare it there as an input (% input NUMBER: why)",
        "page.md:4: 2.3346 is typed by hand: print it in a checked >>> output on page.md, "
        "or declare it there as an input (% input NUMBER: why)",
    ]


def test_the_same_number_in_a_checked_output_passes(tmp_path: Path) -> None:
    page = (
        "The loss is 2.3346, over 36,122 bigrams, and 9.43% start with m.\n\n"
        "```python\n>>> round(x, 4), n, f'{share:.2%}'\n(2.3346, 36122, '9.43%')\n```\n"
    )
    assert page_from(tmp_path, page) == []


def test_an_output_must_match_the_token_exactly(tmp_path: Path) -> None:
    page = "The loss is 2.33, or 3.30.\n\n```python\n>>> round(x, 4), 3.3\n(2.3346, 3.3)\n```\n"
    assert [p.split(":")[1] + " " + p.split()[1] for p in page_from(tmp_path, page)] == ["1 2.33", "1 3.30"]


def test_numbers_in_code_are_inputs_but_comments_are_prose(tmp_path: Path) -> None:
    page = (
        "```python\n>>> z = np.array([0.20, -0.10])   # the 0.384 we saw\n>>> float(z.sum())\n0.1\n```\n\n"
        "```python\nlr = 0.5  # the rate 2.5\n```\n"
    )
    problems = page_from(tmp_path, page)
    assert [p.split(" is typed")[0] for p in problems] == ["page.md:2: 0.384", "page.md:8: 2.5"]


def test_outputs_of_an_unconditional_skip_are_not_checked(tmp_path: Path) -> None:
    conditional = (
        "The figure is 2.4901.\n\n% skip: start if(not names, reason='no names')\n\n"
        "```python\n>>> round(loss, 4)\n2.4901\n```\n\n% skip: end\n"
    )
    assert page_from(tmp_path, conditional) == []
    unconditional = conditional.replace("% skip: start if(not names, reason='no names')", "% skip: start")
    assert len(page_from(tmp_path, unconditional)) == 1
    skip_next = "The figure is 2.4901.\n\n% skip: next\n\n```python\n>>> round(loss, 4)\n2.4901\n```\n"
    assert len(page_from(tmp_path, skip_next)) == 1


def test_a_power_of_ten_is_checked_by_an_output_or_by_a_bound_in_code(tmp_path: Path) -> None:
    output = "Within $10^{-6}$.\n\n```python\n>>> f'{gap:.0e}'\n'1e-06'\n```\n"
    bound = "Within $10^{-10}$.\n\n```python\n>>> bool(gap < 1e-10)\nTrue\n```\n"
    neither = "Within $10^{-10}$.\n\n```python\n>>> bool(gap < 1e-9)\nTrue\n```\n"
    assert page_from(tmp_path, output) == []
    assert page_from(tmp_path, bound) == []
    assert len(page_from(tmp_path, neither)) == 1
    # a decimal is never checked by merely appearing in code
    assert len(page_from(tmp_path, "It is 0.5.\n\n```python\n>>> bool(x < 0.5)\nTrue\n```\n")) == 1


def test_declared_inputs_need_a_reason_and_must_be_used(tmp_path: Path) -> None:
    good = "% input 0.20, -0.10: the seed note's logits, chosen freely\n\nLogits $[0.20, -0.10]$.\n"
    assert page_from(tmp_path, good) == []
    no_reason = "% input 0.20\n\nLogits $[0.20]$.\n"
    assert page_from(tmp_path, no_reason) == ["page.md:1: input 0.20 is declared without a reason"]
    stale = "% input 0.20, 0.30: logits\n\nLogits $[0.20]$.\n"
    assert page_from(tmp_path, stale) == ["page.md: declared input 0.30 (logits) is not on the page"]


def test_figure_text_is_scanned_and_figure_code_is_not(tmp_path: Path) -> None:
    page = (
        "```{eval-rst}\n.. plot::\n   :alt: Bars grow from about 0.28\n      to about 0.54.\n"
        "   :caption: One step.\n\n   sgd_step_bars([0.20, -0.10, 0.05], lr=1.0)\n```\n"
    )
    assert [p.split(" is typed")[0] for p in page_from(tmp_path, page)] == ["page.md:3: 0.28", "page.md:4: 0.54"]


def test_fences_that_no_test_runs_are_prose(tmp_path: Path) -> None:
    page = (
        "```text\nloss 2.4901\n```\n\n"
        "```console\n$ bigram-ref stats   # the 5,163 names\nnll 2.334566\n```\n\n"
        "```{toctree}\n:maxdepth: 2\n\npage-1.5\n```\n"
    )
    assert [p.split(" is typed")[0] for p in page_from(tmp_path, page)] == [
        "page.md:2: 2.4901",
        "page.md:6: 5,163",
        "page.md:7: 2.334566",
    ]


def test_an_included_text_is_scanned_under_its_own_name(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("intro 0.5\n<!-- start -->\nline\nsize 32,033\n<!-- end -->\n0.7\n")
    (tmp_path / "_records").mkdir()
    (tmp_path / "_records" / "bench.md").write_text("| 1.25x |\n")
    page = (
        "```{include} README.md\n:start-after: <!-- start -->\n:end-before: <!-- end -->\n```\n\n"
        "```{include} _records/bench.md\n```\n"
    )
    problems = page_from(tmp_path, page)
    assert [p.split(" is typed")[0] for p in problems] == ["README.md:4: 32,033"]


def test_a_comment_starts_at_a_hash_outside_strings() -> None:
    assert comment('label = "size # 3"  # the 0.5 we saw') == " the 0.5 we saw"
    assert comment("s = 'it\\'s # not a comment'") == ""
    assert comment("x = 1") == ""


def test_a_note_is_prose_and_the_examples_inside_it_are_checked(tmp_path: Path) -> None:
    page = (
        "````{note}\nThe loss is 2.3346, not 2.34.\n\n```python\n>>> x = 0.25  # input\n"
        ">>> round(loss, 4)\n2.3346\n```\n````\n"
    )
    assert [p.split(" is typed")[0] for p in page_from(tmp_path, page)] == ["page.md:2: 2.34"]
