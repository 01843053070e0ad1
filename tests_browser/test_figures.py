"""The guide's figures as a reader sees them: every reference drawn, no image twice, one version per
theme with one caption, dark in the dark theme, and text large enough to read at the page's width.

Screenshots of every figure page in both themes land in docs/_build/screenshots/.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image, ImageStat
from playwright.sync_api import Browser

from conftest import ROOT, SCREENSHOTS, SITE, THEMES, Visit, content_pages, figure_pages, themed_visit

sys.path.insert(0, str(ROOT / "docs" / "_ext"))

from figure_functions import file_names, references, shared_images

SMALLEST_TEXT_PX = 9.0  # CSS px: the smallest text any figure may show at the desktop width
FIGURES_JS = """() => [...document.querySelectorAll('article figure.figure-function')].map(f => ({
    images: [...f.querySelectorAll('img')].map(i => ({
        cls: i.className, src: i.getAttribute('src'), shown: i.offsetParent !== null,
        filter: getComputedStyle(i).filter, loaded: i.complete && i.naturalWidth > 0})),
    captions: [...f.querySelectorAll('figcaption')].filter(c => c.offsetParent !== null).length,
}))"""
# the smallest font size in the shown SVG, times the scale at which the page draws it
TEXT_SIZE_JS = """async img => {
    const svg = await (await fetch(img.src)).text();
    const width = parseFloat(svg.match(/viewBox="[\\d.]+ [\\d.]+ ([\\d.]+)/)[1]);
    const sizes = [...svg.matchAll(/font-size: ?([\\d.]+)px/g)].map(m => parseFloat(m[1]));
    return {smallest: Math.min(...sizes), count: sizes.length, scale: img.getBoundingClientRect().width / width};
}"""


@pytest.fixture(params=THEMES)
def themed(request: pytest.FixtureRequest, browser: Browser, base_url: str) -> Iterator[Visit]:
    yield from themed_visit(browser, base_url, request.param)


def referenced(path: str) -> list[str]:
    """The figure names that the page's source asks for, in order."""
    source = SITE / "_sources" / Path(path).with_suffix(".md.txt")
    return [name for name, _ in references(source.read_text(encoding="utf-8"))] if source.is_file() else []


@pytest.mark.parametrize("path", content_pages())
def test_every_figure_reference_is_drawn_once_in_each_theme(visit: Visit, path: str) -> None:
    html = (SITE / path).read_text(encoding="utf-8")
    assert shared_images(html, SITE / path) == [], f"{path}: images repeat"
    page = visit.open(path)
    figures = page.evaluate(FIGURES_JS)
    names = referenced(path)
    assert len(figures) == len(names), (
        f"{path}: the source names {len(names)} figures {names}, the page shows {len(figures)}"
    )
    for name, figure in zip(names, figures, strict=True):
        files = [Path(image["src"]).name for image in figure["images"]]
        assert files == list(file_names(name).values()), f"{path}, figure {name}: images {files}"
        assert [image["cls"] for image in figure["images"]] == ["only-light", "only-dark"], f"{path}, figure {name}"
        assert all(image["loaded"] for image in figure["images"]), f"{path}, figure {name}: an image did not load"


def brightness(png: bytes) -> float:
    """Mean brightness of a screenshot, from 0 (black) to 1 (white)."""
    return float(ImageStat.Stat(Image.open(BytesIO(png)).convert("L")).mean[0]) / 255


@pytest.mark.parametrize("path", figure_pages())
def test_figures_in_each_theme_are_shown_once_dark_enough_and_legible(themed: Visit, path: str) -> None:
    page = themed.open(path)
    theme = page.evaluate("document.body.dataset.theme")
    page.wait_for_function("[...document.images].every(i => i.complete)")
    for k, figure in enumerate(page.evaluate(FIGURES_JS)):
        shown = [image for image in figure["images"] if image["shown"]]
        name = Path(figure["images"][0]["src"]).stem
        where = f"{path}, figure {name}, {theme} theme"
        assert [image["cls"] for image in shown] == [f"only-{theme}"], f"{where}: shown {shown}"
        assert figure["captions"] == 1, f"{where}: {figure['captions']} captions shown"
        assert shown[0]["filter"] == "none", f"{where}: a CSS filter ({shown[0]['filter']}) changes its colours"
        image = page.locator("article figure.figure-function").nth(k).locator(f"img.only-{theme}")
        level = brightness(image.screenshot())
        assert (level <= 0.5) if theme == "dark" else (level >= 0.5), f"{where}: mean brightness {level:.2f}"
        text = image.evaluate(TEXT_SIZE_JS)
        assert text["count"] > 0, f"{where}: no text in the SVG (was it saved with text as paths?)"
        smallest = text["smallest"] * text["scale"]
        assert smallest >= SMALLEST_TEXT_PX, f"{where}: its smallest text is {smallest:.1f} CSS px on the page"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{Path(path).stem}-{theme}.png"), full_page=True)
    assert themed.problems() == []
