"""The built site as a reader's browser shows it: math, figures, copy buttons, search, phone, dark.

Each test opens pages in headless Chromium with the network cut off (see conftest.py).
"""

from __future__ import annotations

import doctest
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SCREENSHOTS, Visit, content_pages

PAGES = content_pages()
REPL = Path(__file__).parent / "repl.py"
CHECKER = doctest.OutputChecker()
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


@pytest.mark.parametrize("path", PAGES)
def test_page_renders_offline(visit: Visit, path: str) -> None:
    page = visit.open(path)
    # math: MathJax has replaced every math node, with no errors and no raw TeX left over
    math = page.evaluate("document.querySelectorAll('.math').length")
    typeset = page.evaluate(
        "[...document.querySelectorAll('.math')].filter(e => e.querySelector('mjx-container')).length"
    )
    assert typeset == math, f"{math - typeset} of {math} formulas were not typeset"
    assert page.evaluate("document.querySelectorAll('mjx-merror').length") == 0, "a formula failed to render"
    raw = page.evaluate(
        r"""() => {
        const walker = document.createTreeWalker(document.querySelector('article'), NodeFilter.SHOW_TEXT);
        const found = [];
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            if (n.parentElement.closest('pre, code, mjx-container, script, style')) continue;
            if (/\\\(|\\\[|\$\$|\$[^$\s][^$]*\$|\\frac|\\sum/.test(n.textContent)) found.push(n.textContent.trim());
        }
        return found;
    }"""
    )
    assert raw == [], f"raw TeX left on the page: {raw[:3]}"
    # figures: every image loaded and has a size
    broken = page.evaluate(
        "[...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.getAttribute('src'))"
    )
    assert broken == [], f"images that did not load: {broken}"
    assert visit.problems() == []


@pytest.mark.parametrize("path", PAGES)
def test_copied_examples_run_and_print_what_the_page_shows(visit: Visit, path: str) -> None:
    page = visit.open(path)
    blocks = page.locator("article div.highlight")
    copied, shown = [], []
    for k in range(blocks.count()):
        block = blocks.nth(k)
        if block.locator(".gp").count() == 0:
            continue
        button = block.locator("button.copybtn")
        assert button.count() == 1, f"code block {k} has a prompt but no copy button"
        if not block.locator(".gp").first.inner_text().startswith(">>>"):
            continue  # a shell session ($ prompts): copied, but not Python
        page.evaluate("navigator.clipboard.writeText('')")
        block.hover()
        button.click()
        copied.append(page.evaluate("navigator.clipboard.readText()"))
        # what the page shows as output: the prompt-less, output-marked spans, in order
        shown.append(
            page.evaluate(
                "b => [...b.querySelectorAll('.go')].map(e => e.textContent).join('\\n')", block.element_handle()
            )
        )
    if not copied:
        return
    if any("BIGRAM_REF_NAMES" in text for text in copied) and not os.environ.get("BIGRAM_REF_NAMES"):
        pytest.skip("BIGRAM_REF_NAMES is not set: this page's examples need names.txt")
    assert all(">>>" not in text for text in copied), "a copied snippet still contains prompts"
    run = subprocess.run(
        [sys.executable, str(REPL)], input=json.dumps(copied), capture_output=True, text=True, timeout=600, check=False
    )
    assert run.returncode == 0, run.stderr
    outputs = json.loads(run.stdout)
    for k, (text, expected, got) in enumerate(zip(copied, shown, outputs, strict=True)):
        assert CHECKER.check_output(expected, got, FLAGS), (
            f"{path}, example block {k + 1}: pasted\n{text}\nexpected\n{expected}\ngot\n{got}"
        )


@pytest.mark.parametrize(
    ("term", "must_find"),
    [
        ("Jacobian", "explanation/softmax-derivative.html"),
        ("one-hot", "explanation/anatomy.html"),
        ("keepdim", "how-to/coming-from-the-lecture.html"),
        ("multinomial", "how-to/coming-from-the-lecture.html"),
    ],
)
def test_search_finds_the_page(visit: Visit, term: str, must_find: str) -> None:
    page = visit.open(f"search.html?q={term}")
    page.wait_for_selector("#search-results ul.search li a", timeout=15_000)
    # Sphinx adds the results one by one: read them only once it says the search has finished
    page.wait_for_function(
        "(document.querySelector('#search-results')?.textContent || '').includes('Search finished')", timeout=15_000
    )
    links = page.evaluate("[...document.querySelectorAll('#search-results ul.search li a')].map(a => a.pathname)")
    assert any(link.endswith(must_find) for link in links), f"{term!r} found only {links}"
    assert visit.problems() == []


@pytest.mark.parametrize("path", PAGES)
def test_no_horizontal_scrolling_on_a_phone(phone: Visit, path: str) -> None:
    page = phone.open(path)
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], f"the page is {width[0]}px wide on a {width[1]}px screen"


def luminance(css_colour: str) -> float:
    r, g, b = (int(x) for x in css_colour[css_colour.index("(") + 1 : css_colour.index(")")].split(",")[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


def test_dark_theme_renders(visit: Visit) -> None:
    visit.page.emulate_media(color_scheme="dark")
    page = visit.open("explanation/softmax-derivative.html")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    text = page.evaluate("getComputedStyle(document.querySelector('article p')).color")
    assert luminance(background) < 0.25 and luminance(text) > 0.6, (background, text)
    assert page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "softmax-derivative-dark.png"), full_page=True)
    assert visit.problems() == []


@pytest.mark.parametrize(("path", "name"), [("index.html", "landing"), ("explanation/gradient.html", "gradient")])
def test_screenshots_for_reviewers(visit: Visit, path: str, name: str) -> None:
    page = visit.open(path)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 10_000
    assert visit.problems() == []
