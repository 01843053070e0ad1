"""WCAG 2.1 AA as axe-core measures it, on every page in both themes; and the keyboard alone.

axe-core is injected from the local npm package (never fetched). A critical or serious
violation fails the test, naming page, theme, rule and elements; the rest are listed at the
end of the run (conftest.AXE_NOTES).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from conftest import AXE, AXE_NOTES, THEMES, Visit, all_pages, themed_visit

FAILING = {"critical", "serious"}
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@pytest.fixture(params=THEMES)
def themed(request: pytest.FixtureRequest, browser: Browser, base_url: str) -> Iterator[Visit]:
    yield from themed_visit(browser, base_url, request.param)


def run_axe(page: Page) -> list[dict[str, Any]]:
    if not AXE.is_file():
        raise RuntimeError(f"no axe-core at {AXE}: run `nox -s browser` (it installs it with npm ci)")
    page.add_script_tag(path=str(AXE))
    violations: list[dict[str, Any]] = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
            .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                              targets: v.nodes.map(n => n.target.join(' '))})))""",
        TAGS,
    )
    return violations


def describe(v: dict[str, Any]) -> str:
    targets = ", ".join(v["targets"][:3]) + (f" and {len(v['targets']) - 3} more" if len(v["targets"]) > 3 else "")
    return f"{v['impact']} {v['id']} ({v['help']}): {targets}"


@pytest.mark.parametrize("path", all_pages())
def test_axe_finds_no_serious_violation(themed: Visit, path: str) -> None:
    page = themed.open(path)
    theme = page.evaluate("document.body.dataset.theme")
    violations = run_axe(page)
    AXE_NOTES.extend(f"{path} [{theme}]: {describe(v)}" for v in violations if v["impact"] not in FAILING)
    failing = [describe(v) for v in violations if v["impact"] in FAILING]
    assert not failing, f"{path} in the {theme} theme:\n" + "\n".join(failing)


def focus_ring(page: Page) -> dict[str, Any]:
    """What the focused element looks like: its name, whether it is on screen, and its focus indicator."""
    ring: dict[str, Any] = page.evaluate(
        """() => {
            const e = document.activeElement, s = getComputedStyle(e), r = e.getBoundingClientRect();
            return {tag: e.tagName, text: (e.getAttribute('aria-label') || e.textContent).trim().slice(0, 40),
                    onScreen: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0
                              && r.top < innerHeight && r.left < innerWidth,
                    outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1,
                    shadow: s.boxShadow !== 'none'};
        }"""
    )
    return ring


def test_skip_link_is_the_first_stop_and_jumps_to_the_content(visit: Visit) -> None:
    page = visit.open("explanation/gradient.html")
    page.keyboard.press("Tab")
    assert focus_ring(page)["text"] == "Skip to content", f"first Tab stop: {focus_ring(page)}"
    page.wait_for_function("document.activeElement.getBoundingClientRect().top >= 0")  # it slides in
    ring = focus_ring(page)
    assert ring["onScreen"], f"the focused skip link stays off screen: {ring}"
    assert ring["outline"] or ring["shadow"], f"the skip link shows no focus indicator: {ring}"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#furo-main-content"
    page.keyboard.press("Tab")  # the next stop is inside the article, not back in the navigation
    assert page.evaluate("!!document.activeElement.closest('article')"), focus_ring(page)


def test_every_tab_stop_shows_where_the_focus_is(themed: Visit) -> None:
    page = themed.open("tutorial/counts-to-softmax.html")
    unseen = []
    for _ in range(60):
        page.keyboard.press("Tab")
        ring = focus_ring(page)
        if ring["onScreen"] and not (ring["outline"] or ring["shadow"]):
            unseen.append(ring)
    theme = page.evaluate("document.body.dataset.theme")
    assert not unseen, f"{theme}: focused elements with no visible focus indicator: {unseen}"


def test_a_wide_code_block_scrolls_from_the_keyboard(visit: Visit) -> None:
    page = visit.open("explanation/batched-view.html")
    blocks = page.locator("article div.highlight pre")
    index = blocks.evaluate_all("ps => ps.findIndex(p => p.scrollWidth > p.clientWidth)")
    assert index >= 0, "no code block on this page is wider than the column: pick a page that has one"
    page.keyboard.press("Tab")
    for _ in range(200):  # Tab until the wide block has the focus, as a keyboard user would
        if blocks.nth(index).evaluate("p => p === document.activeElement"):
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail("Tab never reaches the wide code block")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    # Chromium scrolls smoothly: the offset grows over a few frames, so wait for it rather than read it
    # at once (an immediate read raced the animation and saw 0 on a slow machine)
    scrolled = blocks.nth(index).element_handle()
    try:
        page.wait_for_function("p => p.scrollLeft > 0", arg=scrolled, timeout=5_000)
    except PlaywrightTimeout:
        pytest.fail("the focused code block did not scroll with the keys (scrollLeft stayed 0 for 5 s)")
