"""Every guide page as a notebook (docs/_ext/notebooks.py): valid, holding exactly the page's
examples, and running in a fresh Jupyter kernel to the outputs that the page shows.

The notebooks are built here from the page sources, as the docs build makes them, so no built
site is needed. Each runs top to bottom in its own kernel (nbclient + ipykernel) without
BIGRAM_REF_NAMES — the cells that the page's tests skip then are skipped here too, and the
notebook says why — and, for the pages that use it, once more with it set. Every code cell's
output is compared with the page's expected output as the page's doctests compare it.
"""

from __future__ import annotations

import asyncio
import copy
import doctest
import importlib.util
import os
import re
import sys
import textwrap
import time
import tomllib
from functools import cache
from pathlib import Path

import nbformat
import pytest
from nbformat import NotebookNode

os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")  # else jupyter_core warns on import, and warnings are errors
from nbclient import NotebookClient

ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs"
sys.path.insert(0, str(DOCS / "_ext"))

from notebook_cells import skip_note  # noqa: E402
from notebook_convert import convert  # noqa: E402
from notebooks import EXCLUDE, build, notebook_names  # noqa: E402

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["name"]
NAMES = os.environ.get("BIGRAM_REF_NAMES")
WARNING = re.compile(r"^\S.*:\d+: \w*Warning: ", re.M)  # how Python prints a warning


def page_flags() -> int:
    """The option flags of the page doctests, read from docs/conftest.py (one home for them)."""
    spec = importlib.util.spec_from_file_location("docs_conftest", DOCS / "conftest.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return int(module.FLAGS)


FLAGS = page_flags()
PATHS = {
    p.relative_to(DOCS).with_suffix("").as_posix(): p
    for p in sorted(DOCS.rglob("*.md"))
    if not any(part.startswith("_") for part in p.relative_to(DOCS).parts)
}
NOTEBOOK_NAMES = notebook_names(PATHS, EXCLUDE, PROJECT)


@cache
def notebooks() -> dict[str, NotebookNode]:
    built = build(DOCS, PATHS, NOTEBOOK_NAMES)
    return {docname: notebook for docname, (notebook, _) in built.items()}


def meta(cell: NotebookNode) -> dict[str, object]:
    return dict(cell.metadata.get("bigram_ref", {}))


def code_cells(notebook: NotebookNode) -> list[NotebookNode]:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def uses_skips(docname: str) -> bool:
    return any("skip" in meta(cell) for cell in code_cells(notebooks()[docname]))


# ---- running a notebook, and comparing what it printed with what the page shows ---------------


async def execute(notebook: NotebookNode, folder: Path, names: str | None) -> tuple[NotebookNode, dict[int, str]]:
    """Run ``notebook`` top to bottom in a fresh kernel; return it with outputs, and the skipped cells' reasons.

    A cell carrying a skip condition is skipped when the condition is true in the kernel, as Sybil
    skips it on the page. The kernel gets matplotlib's inline backend, as a reader's would.
    """
    env = {k: v for k, v in os.environ.items() if k not in {"MPLBACKEND", "BIGRAM_REF_NAMES"}}
    if names:
        env["BIGRAM_REF_NAMES"] = names
    run = copy.deepcopy(notebook)
    client = NotebookClient(
        run, kernel_name="python3", timeout=900, allow_errors=True, resources={"metadata": {"path": str(folder)}}
    )
    skipped: dict[int, str] = {}
    async with client.async_setup_kernel(env=env):
        for index, cell in enumerate(run.cells):
            if cell.cell_type != "code":
                continue
            skip = meta(cell).get("skip")
            if isinstance(skip, dict):
                probe = nbformat.v4.new_code_cell(f"print(bool({skip['if']}))")
                await client.async_execute_cell(probe, index)
                run.cells[index] = cell  # execute_cell stored the probe in its place
                if "".join(o.get("text", "") for o in probe.outputs).strip() == "True":
                    skipped[index] = str(skip["reason"])
                    continue
            await client.async_execute_cell(cell, index)
    return run, skipped


Run = tuple[str, bool]  # a page, and whether BIGRAM_REF_NAMES is set


@pytest.fixture(scope="session")
def executed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[Run, tuple[NotebookNode, dict[int, str], float]]:
    """Every selected run, two kernels at a time (one per core): (notebook with outputs, skipped cells, seconds)."""
    runs = [
        (item.callspec.params["docname"], item.callspec.params["with_names"])
        for item in request.session.items
        if getattr(item, "originalname", "") == "test_notebook_runs_top_to_bottom_and_shows_what_the_page_shows"
    ]
    runs = [(docname, with_names) for docname, with_names in runs if NAMES or not with_names]
    workers = min(2, os.cpu_count() or 1)
    slots = asyncio.Semaphore(workers)

    async def one(docname: str, with_names: bool) -> tuple[NotebookNode, dict[int, str], float]:
        async with slots:
            start = time.perf_counter()
            folder = tmp_path_factory.mktemp("notebook")
            run, skipped = await execute(notebooks()[docname], folder, NAMES if with_names else None)
            return run, skipped, time.perf_counter() - start

    async def all_runs() -> list[tuple[NotebookNode, dict[int, str], float]]:
        return await asyncio.gather(*(one(*run) for run in runs))

    start = time.perf_counter()
    results = dict(zip(runs, asyncio.run(all_runs()), strict=True))
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None and runs:  # the numbers the issue asks for, on every run
        pages = {docname for docname, _ in runs}
        cells = [cell for docname in pages for cell in notebooks()[docname].cells]
        code = [cell for cell in cells if cell.cell_type == "code"]
        slowest = sorted(results, key=lambda run: -results[run][2])[:3]
        with capture.global_and_fixture_disabled():
            reporter.write_line(
                f"notebooks: {len(pages)} pages, {len(runs)} runs, {len(cells)} cells ({len(code)} code, "
                f"{sum('doctest' in meta(c) for c in code)} of them >>> examples checked against the page); "
                f"executed in {time.perf_counter() - start:.0f} s, {workers} kernels at a time; slowest: "
                + ", ".join(f"{d} {'with' if n else 'without'} names {results[d, n][2]:.0f} s" for d, n in slowest)
            )
    return results


def shown(cell: NotebookNode) -> str:
    """What a cell printed, as doctest sees it: standard output, then the value of its last expression."""
    text = ""
    for output in cell.outputs:
        if output.output_type == "stream" and output.name == "stdout":
            text += output.text
        elif output.output_type == "execute_result" and "text/plain" in output.data:
            text += output.data["text/plain"] + "\n"
    return text


def mismatches(expected: NotebookNode, run: NotebookNode, skipped: dict[int, str]) -> list[str]:
    """Every executed code cell whose output differs from the page's, with a doctest-style report."""
    checker, problems = doctest.OutputChecker(), []
    for index, (page, got) in enumerate(zip(expected.cells, run.cells, strict=True)):
        if page.cell_type != "code" or index in skipped:
            continue
        where = f"cell {index} ({page.source.splitlines()[-1].strip()!r})"
        errors = [o for o in got.outputs if o.output_type == "error"]
        raised = "".join(f"{o.ename}: {o.evalue}\n" for o in errors)
        stderr = "".join(o.text for o in got.outputs if o.output_type == "stream" and o.name == "stderr")
        if WARNING.search(stderr):  # the page's doctests run with warnings as errors (pyproject.toml)
            problems.append(f"{where} warned:\n{stderr}")
        options = meta(page).get("doctest")
        flags = FLAGS
        for name, on in (options if isinstance(options, dict) else {}).items():
            flags = flags | doctest.OPTIONFLAGS_BY_NAME[name] if on else flags & ~doctest.OPTIONFLAGS_BY_NAME[name]
        wanted_errors = [o for o in page.outputs if o.output_type == "error"]
        if wanted_errors:
            want = f"{wanted_errors[0].ename}: {wanted_errors[0].evalue}\n"
            if not checker.check_output(want, raised, flags):
                problems.append(f"{where} should raise {want.strip()}, raised {raised.strip() or 'nothing'}")
            continue
        if errors:
            problems.append(f"{where} raised {raised.strip()}")
            continue
        if meta(page).get("figure"):
            images = sum("image/png" in o.get("data", {}) for o in got.outputs)
            if images != 1:
                problems.append(f"{where} showed {images} images, not one figure")
        if options is not None:
            want = "".join(o.text for o in page.outputs if o.output_type == "stream")
            if not checker.check_output(want, shown(got), flags):
                example = doctest.Example(page.source, want)
                problems.append(f"{where}:\n{checker.output_difference(example, shown(got), flags)}")
    return problems


# ---- the notebooks of the guide ----------------------------------------------------------------


def test_every_guide_page_has_a_notebook_with_a_recognisable_name() -> None:
    guide = {d for d in PATHS if not d.startswith("reference/")}
    assert set(NOTEBOOK_NAMES) == guide
    assert NOTEBOOK_NAMES["tutorial/counts-to-softmax"] == "counts-to-softmax.ipynb"
    assert NOTEBOOK_NAMES["explanation/index"] == "explanation.ipynb"
    assert NOTEBOOK_NAMES["index"] == f"{PROJECT}.ipynb"
    assert len(set(NOTEBOOK_NAMES.values())) == len(NOTEBOOK_NAMES)


@pytest.mark.parametrize("docname", sorted(NOTEBOOK_NAMES))
def test_notebook_is_valid_and_starts_with_what_to_install(docname: str) -> None:
    notebook = notebooks()[docname]
    nbformat.validate(notebook)
    assert notebook.nbformat == 4
    first = notebook.cells[0]
    assert first.cell_type == "code"
    assert '%pip install -c path/to/bigram_ref/constraints.txt -e "path/to/bigram_ref[torch,plots]"' in first.source
    assert "bigram_ref is not on PyPI" in first.source
    assert first.source.splitlines()[0] == f"# {notebook.metadata.title}"
    # written and read back unchanged: the file the site serves is this notebook
    assert nbformat.reads(nbformat.writes(notebook), as_version=4) == notebook


@pytest.mark.parametrize("docname", sorted(NOTEBOOK_NAMES))
def test_notebook_holds_every_example_of_its_page_in_order(docname: str) -> None:
    """The same examples, outputs and skips that Sybil finds on the page (docs/conftest.py)."""
    from sybil import Sybil
    from sybil.parsers.myst import DocTestDirectiveParser, PythonCodeBlockParser, SkipParser

    sybil = Sybil(parsers=[PythonCodeBlockParser(), DocTestDirectiveParser(), SkipParser()])
    examples, blocks, skipping = [], [], None
    for example in sybil.parse(PATHS[docname]):
        parsed = example.region.parsed
        if isinstance(parsed, tuple):
            skipping = None if parsed[0] == "end" else parsed[1] or "unconditional"
        elif isinstance(parsed, doctest.Example):
            examples.append((parsed.source, parsed.want, skipping))
        else:
            blocks.append(textwrap.dedent(str(parsed)).strip())
    cells = code_cells(notebooks()[docname])
    found = []
    for cell in cells:
        if "doctest" in meta(cell):
            want = "".join(o.get("text", "") for o in cell.outputs) or "".join(
                line + "\n" for o in cell.outputs for line in o.get("traceback", [])
            )
            skip = meta(cell).get("skip")
            found.append((cell.source + "\n", want, skip))
    assert [(source, want) for source, want, _ in found] == [(source, want) for source, want, _ in examples]
    for (_, _, skip), (_, _, sybil_skip) in zip(found, examples, strict=True):
        assert (skip is None) == (sybil_skip is None)
        if isinstance(skip, dict) and sybil_skip != "unconditional":
            assert skip["if"] in sybil_skip and skip["reason"] in sybil_skip
    sources = iter(cell.source for cell in cells)
    for block in blocks:  # plain and hidden Python blocks: each in a cell, in page order
        assert any(block in source for source in sources), f"not in the notebook, or out of order:\n{block}"


RUNS = [pytest.param(d, False, id=f"{d}-without-names") for d in sorted(NOTEBOOK_NAMES)] + [
    pytest.param(d, True, id=f"{d}-with-names") for d in sorted(NOTEBOOK_NAMES) if uses_skips(d)
]


@pytest.mark.parametrize(("docname", "with_names"), RUNS)
def test_notebook_runs_top_to_bottom_and_shows_what_the_page_shows(
    docname: str, with_names: bool, executed: dict[Run, tuple[NotebookNode, dict[int, str], float]]
) -> None:
    if with_names and not NAMES:
        pytest.skip("BIGRAM_REF_NAMES is not set: point it at names.txt to run the cells that need it")
    notebook = notebooks()[docname]
    run, skipped, _ = executed[docname, with_names]
    problems = mismatches(notebook, run, skipped)
    assert not problems, "\n\n".join(problems)
    expected_skips = {i for i, cell in enumerate(notebook.cells) if "skip" in meta(cell)}
    assert set(skipped) == (set() if with_names else expected_skips)
    for index, reason in skipped.items():  # the reader is told, before the cells, why they are skipped
        notes = [c.source for c in notebook.cells[:index] if c.source.startswith("> **Skip")]
        assert notes and reason in notes[-1]


# ---- the converter on every construct it knows, and on ones it does not ------------------------

PAGE = """\
(top)=
# A page

Prose with {func}`~bigram_ref.neural.train`, {mod}`bigram_ref.newton`, {math}`p - t`,
{ref}`the table <symbols>`, {abbr}`NLL (negative log-likelihood)`, a
[guide link](../tutorial/counts-to-softmax.md#two), a [reference link](../reference/neural.md), an
[outside link](https://numpy.org), a [local anchor](#top), `{func}` in code, $x_{{i}}$ in math,
and {{ answer }} and {{ missing }}.

% a comment that disappears

% invisible-code-block: python
%
% hidden = 41

term
: its definition,
  on two lines.

```{note}
Noted with {func}`bigram_ref.softmax`.
```

```{toctree}
:hidden:

secret-page
```

```{tabs}
something new
```

```{figure-function} flow_diagram
Drawn by `flow_diagram`, with {math}`p`.
```

```{eval-rst}
.. hint:: plain reStructuredText
```

<div data-explorable="x"><button>Go</button></div>

<script src="explorable.js"></script>

```{explorable} step
```

<!-- skip: next -->

```python
>>> hidden + 1
42
>>> print("a\\nb")  # doctest: +NORMALIZE_WHITESPACE
a b
```

1. In a list:

   ```python
   >>> 1 + 1
   2
   ```

2. After.

% skip: start if(missing_thing, reason="needs the thing")

```python
>>> int("x")
Traceback (most recent call last):
ValueError: invalid literal for int() with base 10: 'x'
```

% skip: end

```{code-block} python
plain = 1
```

```console
$ bigram-ref stats
```

```{include} included.md
:start-after: <!-- start -->
:end-before: <!-- end -->
```

$$
a = b
$$ (eq-label)

\\begin{equation}
c = d
\\end{equation}
"""


def convert_page(folder: Path, text: str) -> tuple[NotebookNode, list[str]]:
    (folder / "how-to").mkdir()
    (folder / "how-to" / "included.md").write_text("before <!-- start -->Included *text*.<!-- end --> after")
    (folder / "how-to" / "page.md").write_text(text, encoding="utf-8")
    names = {"how-to/page": "page.ipynb", "tutorial/counts-to-softmax": "counts-to-softmax.ipynb"}
    return convert(
        folder / "how-to" / "page.md",
        docname="how-to/page",
        root=folder,
        notebook_for=names.get,
        substitutions={"answer": "forty-two"},
    )


def test_converter_turns_each_construct_into_what_jupyter_shows(tmp_path: Path) -> None:
    notebook, unresolved = convert_page(tmp_path, PAGE)
    nbformat.validate(notebook)
    markdown = "\n\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    codes = code_cells(notebook)
    sources = [c.source for c in codes]
    assert notebook.metadata.title == "A page"
    # roles, links, math and substitutions
    for shown_text in [
        "Prose with `train()`, `bigram_ref.newton`, $p - t$,\nthe table, NLL (negative log-likelihood), a",
        "[guide link](counts-to-softmax.ipynb), a reference link, an",
        "[outside link](https://numpy.org), a local anchor, `{func}` in code, $x_{{i}}$ in math,",
        "and forty-two and {{ missing }}.",
    ]:
        assert shown_text in markdown
    assert unresolved == ["missing"]
    # dropped: comments, targets, the toctree
    for gone in ["a comment that disappears", "(top)=", "secret-page", "eq-label"]:
        assert gone not in markdown
    # the hidden set-up before the first example joins the first cell, after the install note
    assert sources[0].endswith("# The page runs this without showing it:\nhidden = 41")
    assert "- **term** — its definition, on two lines." in markdown
    assert "**Note.**\n\nNoted with `bigram_ref.softmax()`." in markdown
    # unknown things become notes that send the reader to the page
    assert "*The page shows a `tabs` block here; open the page to see it.*" in markdown
    assert "*The page shows a block of reStructuredText here; open the page to see it.*" in markdown
    assert markdown.count("an interactive part (it needs the page's JavaScript)") == 1  # two HTML blocks, one note
    assert "*The page shows an `explorable` block here; open the page to see it.*" in markdown
    # a figure: a cell that draws it by name (its value is the figure), then its caption
    figures = [c.source for c in codes if meta(c).get("figure")]
    assert figures == ["from bigram_ref.plots import flow_diagram\n\nflow_diagram()"]
    assert "*Figure: Drawn by `flow_diagram`, with $p$.*" in markdown
    # examples: one cell each, prompts gone, the page's output stored, options and skips kept
    examples = {c.source: c for c in codes if "doctest" in meta(c)}
    assert list(examples) == ["hidden + 1", 'print("a\\nb")  # doctest: +NORMALIZE_WHITESPACE', "1 + 1", 'int("x")']
    assert examples["hidden + 1"].outputs[0].text == "42\n"
    assert meta(examples["hidden + 1"])["skip"] == {"if": "True", "reason": None}
    assert "> **The page's tests do not run the next code cell**." in markdown
    assert meta(examples['print("a\\nb")  # doctest: +NORMALIZE_WHITESPACE'])["doctest"] == {
        "NORMALIZE_WHITESPACE": True
    }
    error = examples['int("x")'].outputs[0]
    assert (error.output_type, error.ename) == ("error", "ValueError")
    assert meta(examples['int("x")'])["skip"] == {"if": "missing_thing", "reason": "needs the thing"}
    assert "> **Skip the next code cell if `missing_thing`** — the page's own tests do: needs the thing" in markdown
    # an example inside a list item splits the list around its cell
    before = notebook.cells[notebook.cells.index(examples["1 + 1"]) - 1].source
    after = notebook.cells[notebook.cells.index(examples["1 + 1"]) + 1].source
    assert before.endswith("1. In a list:") and after.startswith("2. After.")
    # a Python code block without prompts is run but not compared; other languages stay Markdown
    assert "plain = 1" in sources and "doctest" not in meta(codes[sources.index("plain = 1")])
    assert "```console\n$ bigram-ref stats\n```" in markdown
    assert "Included *text*." in markdown and "before" not in markdown
    assert "$$\na = b\n$$" in markdown and "$$\n\\begin{equation}\nc = d\n\\end{equation}\n$$" in markdown


CHECKED = """\
# Checked

```python
>>> 1 + 1
2
>>> print("wrong")
right
>>> {}["k"]
Traceback (most recent call last):
KeyError: 'k'
>>> 1 / 0
0
>>> print(" ".join(["x"] * 40))
x x ... x
```

```{figure-function} flow_diagram
```

% skip: next if(True, reason="never on this page")

```python
>>> raise SystemExit
```
"""


def test_a_page_that_cannot_be_converted_is_named(tmp_path: Path) -> None:
    page = tmp_path / "broken.md"
    page.write_text("% skip: start if(\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken\.md: cannot build its notebook: "):
        build(tmp_path, {"broken": page}, {"broken": "broken.ipynb"})


def test_runner_flags_wrong_outputs_and_errors_and_passes_right_ones(tmp_path: Path) -> None:
    notebook, _ = convert_page(tmp_path, CHECKED)
    run, skipped = asyncio.run(execute(notebook, tmp_path, None))
    problems = mismatches(notebook, run, skipped)
    assert len(problems) == 2, problems
    assert 'print("wrong")' in problems[0] and "Expected:\n    right\nGot:\n    wrong" in problems[0]
    assert "'1 / 0'" in problems[1] and "raised ZeroDivisionError: division by zero" in problems[1]
    assert list(skipped.values()) == ["never on this page"]


def test_a_note_before_cells_that_need_names_says_how_to_run_them() -> None:
    note = skip_note(16, "not names_path", "BIGRAM_REF_NAMES is not set")
    assert note.startswith(
        "> **Skip the next 16 code cells if `not names_path`** — the page's own tests do: BIGRAM_REF"
    )
    assert "Run All stops at the first of them" in note
    assert "`%env BIGRAM_REF_NAMES=path/to/names.txt`" in note
    assert "%env" not in skip_note(1, "missing_thing", None)
