"""The "Step the gradient yourself" explorable, driven in Chromium as a reader would, against bigram_ref.

Every action is a click or a key press on the page. After each, the component's ``data-state``
(JSON: W, N, P, grad, lr, steps, feeds, loss, countNLL) must equal what bigram_ref computes
(``softmax``, ``grad_logits``, ``train``) to 1e-9, and a feed must leave every other row of W
exactly as it was. The component is docs/_static/explorable/step-the-gradient.js.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray
from playwright.sync_api import Browser, Locator, Page

from bigram_ref import (
    TrainingDiverged,
    Vocab,
    average_nll,
    bigrams,
    count_matrix,
    grad_logits,
    grad_weights,
    loss,
    row_probabilities,
    softmax,
    train,
)
from conftest import SCREENSHOTS, SITE, Visit, make_visit

PAGE = "explanation/micro-example.html"
ROOT = '[data-explorable="step-the-gradient"]'
TOL = 1e-9

SYMBOLS = (".", "a", "b")
WORDS = ["a", "a", "b"]
XS, YS = bigrams(WORDS, Vocab.from_words(WORDS))  # .a a. .a a. .b b.
START = np.zeros((3, 3))
START[0] = [0.20, -0.10, 0.05]  # the note's logits for row "."
FEEDS = {f"Feed {SYMBOLS[i]}{SYMBOLS[y]}": (i, y) for i, y in [(0, 1), (0, 2), (1, 0), (2, 0)]}
BUTTONS = [*FEEDS, "Train on the corpus", "Reset"]
STEPS_PER_CLICK = 100


@dataclass
class Reference:
    """What the explorable must hold, computed by bigram_ref."""

    lr: float = 1.0
    W: NDArray[np.float64] = field(default_factory=START.copy)
    N: NDArray[np.int64] = field(default_factory=lambda: np.zeros((3, 3), dtype=np.int64))
    grad: NDArray[np.float64] = field(default_factory=lambda: np.zeros((3, 3)))
    steps: int = 0
    feeds: int = 0

    def feed(self, i: int, y: int) -> None:
        """One SGD step on the bigram i -> y: row i moves by -lr (p - t); N[i, y] += 1."""
        g = grad_logits(self.W[i], y)  # p - t
        self.grad = np.zeros((3, 3))
        self.grad[i] = g
        self.W = self.W.copy()
        self.W[i] = self.W[i] - self.lr * g
        self.N[i, y] += 1
        self.feeds += 1

    def train_click(self) -> None:
        """100 full-batch steps on the mean loss; grad is the last step's; N counts every bigram per step."""
        self.grad = grad_weights(train(self.W, XS, YS, lr=self.lr, steps=STEPS_PER_CLICK - 1).W, XS, YS)
        self.W = train(self.W, XS, YS, lr=self.lr, steps=STEPS_PER_CLICK).W
        self.N += STEPS_PER_CLICK * count_matrix(XS, YS, 3)
        self.steps += STEPS_PER_CLICK

    def expected(self) -> dict[str, Any]:
        return {
            "W": self.W,
            "N": self.N,
            "P": softmax(self.W),
            "grad": self.grad,
            "lr": self.lr,
            "steps": self.steps,
            "feeds": self.feeds,
            "loss": loss(self.W, XS, YS),
            "countNLL": average_nll(row_probabilities(count_matrix(XS, YS, 3)), XS, YS),
        }


def assert_matches(shown: dict[str, Any], ref: Reference, after: str) -> None:
    want = ref.expected()
    assert set(shown) == set(want), f"data-state keys after {after}"
    for key in ("W", "P", "grad"):
        np.testing.assert_allclose(np.array(shown[key]), want[key], rtol=0, atol=TOL, err_msg=f"{key} after {after}")
    for key in ("loss", "countNLL"):
        assert abs(shown[key] - want[key]) <= TOL, f"{key} after {after}: {shown[key]} != {want[key]}"
    assert shown["N"] == want["N"].tolist(), f"N after {after}"
    assert (shown["lr"], shown["steps"], shown["feeds"]) == (want["lr"], want["steps"], want["feeds"]), after


def shown_number(text: str) -> float:
    """A number as the component writes it (with − for minus)."""
    return float(text.replace("\u2212", "-"))


class Explorable:
    """The component on the page, operated through its buttons and its learning-rate box."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.root = page.locator(ROOT)

    def state(self) -> dict[str, Any]:
        text = self.root.get_attribute("data-state")
        assert text is not None, "the component has no data-state"
        state: dict[str, Any] = json.loads(text)
        return state

    def button(self, name: str) -> Locator:
        return self.root.get_by_role("button", name=name, exact=True)

    def press(self, name: str) -> None:
        self.button(name).click()

    @property
    def lr_box(self) -> Locator:
        return self.root.get_by_role("spinbutton", name="Learning rate η")

    def set_lr(self, text: str) -> None:
        self.lr_box.fill(text)

    def status(self) -> str:
        """The live region's text as a screen reader reads it (without what is aria-hidden)."""
        said: str = self.root.get_by_role("status").evaluate(
            "e => { const c = e.cloneNode(true); c.querySelectorAll('[aria-hidden=true]').forEach(n => n.remove());"
            " return c.textContent; }"
        )
        return said

    def bar_labels(self, row: int) -> list[str]:
        labels: list[str] = self.root.locator(".xp-w tbody tr").nth(row).locator(".xp-value").all_text_contents()
        return labels


@pytest.fixture
def widget(visit: Visit) -> Iterator[Explorable]:
    page = visit.open(PAGE)
    yield Explorable(page)
    assert visit.problems() == []


def test_starts_at_the_reset_state_and_reset_returns_to_it(widget: Explorable) -> None:
    ref = Reference()
    assert_matches(widget.state(), ref, "loading the page")
    for name in ["Feed .a", "Feed b.", "Train on the corpus"]:
        widget.press(name)
    widget.press("Reset")
    assert_matches(widget.state(), ref, "Reset")
    assert "N is all zeros" in widget.status()


def test_feed_dot_a_shows_the_pages_numbers(widget: Explorable) -> None:
    ref = Reference()
    widget.press("Feed .a")
    ref.feed(0, 1)
    shown = widget.state()
    assert_matches(shown, ref, "Feed .a")
    # the sign intuition: W[., a] rose, W[., .] and W[., b] fell; rows a and b did not move
    change = np.array(shown["W"]) - START
    assert change[0, 1] > 0 > max(change[0, 0], change[0, 2])
    assert shown["W"][1:] == START[1:].tolist()
    # the numbers on the screen are the page's own (its doctests print them with round(3))
    z = START[0]
    step = widget.root.locator(".xp-step")
    assert str(softmax(z).round(3).tolist()) in step.text_content()  # p = [0.384, 0.285, 0.331]
    assert step.locator(".xp-vector").text_content() == "[+0.384, \u22120.715, +0.331]"  # p - t, signed
    assert widget.bar_labels(0) == [str(v) for v in softmax(ref.W[0]).round(3).tolist()]  # 0.242, 0.538, 0.22
    row = widget.root.locator(".xp-w tbody tr").first
    assert [shown_number(t) for t in row.locator(".xp-num").all_text_contents()] == ref.W[0].round(3).tolist()
    assert row.locator(".xp-delta").all_text_contents() == ["\u22120.384", "+0.715", "\u22120.331"]
    assert row.locator(".xp-tag").text_content() == "moved"
    assert widget.root.locator(".xp-w tbody tr .xp-tag").all_text_contents() == ["moved", "still", "still"]
    # the counting update beside it: one cell of N, +1
    assert widget.root.locator(".xp-n td.xp-new").all_text_contents() == ["1+1"]
    # the announcement, in words
    said = widget.status()
    assert "W[boundary, a] rose by 0.715" in said and "W[boundary, b] fell by 0.331" in said
    assert "Rows a and b did not move" in said and "a 0.538" in said


def test_five_feeds_show_the_rows_the_page_prints(widget: Explorable) -> None:
    ref = Reference()
    for k in range(5):
        widget.press("Feed .a")
        ref.feed(0, 1)
        assert widget.bar_labels(0) == [str(v) for v in softmax(ref.W[0]).round(3).tolist()], f"after feed {k + 1}"
    assert_matches(widget.state(), ref, "five feeds of .a")


def test_feeding_a_dot_moves_only_row_a(widget: Explorable) -> None:
    ref = Reference()
    widget.press("Feed .a")
    ref.feed(0, 1)
    before = widget.state()
    widget.press("Feed a.")
    ref.feed(1, 0)
    after = widget.state()
    assert_matches(after, ref, "Feed .a, Feed a.")
    assert after["W"][0] == before["W"][0], "row . moved when a. was fed"
    assert after["W"][2] == before["W"][2], "row b moved when a. was fed"
    assert after["W"][1] != before["W"][1], "row a did not move when a. was fed"
    # dL/dW of a single example is zero outside its row: the hand-written backward pass agrees
    full = grad_weights(np.array(before["W"]), [1], [0], reduction="sum")
    np.testing.assert_allclose(np.array(after["grad"]), full, rtol=0, atol=TOL)
    assert widget.root.locator(".xp-w tbody tr .xp-tag").all_text_contents() == ["still", "moved", "still"]


@pytest.mark.parametrize("lr", ["1", "2"])
def test_train_clicks_equal_train(widget: Explorable, lr: str) -> None:
    widget.set_lr(lr)
    widget.press("Reset")
    ref = Reference(lr=float(lr))
    for k in range(1, 11):
        widget.press("Train on the corpus")
        ref.train_click()
        shown = widget.state()
        assert_matches(shown, ref, f"{k} clicks of Train at lr {lr}")
        # k clicks are k * 100 steps of bigram_ref's train from the reset state
        want = train(START, XS, YS, lr=float(lr), steps=STEPS_PER_CLICK * k).W
        np.testing.assert_allclose(np.array(shown["W"]), want, rtol=0, atol=TOL)
        # what the grids show is what the page's doctests print: round(3)
        for i in range(3):
            assert widget.bar_labels(i) == [str(v) for v in softmax(want[i]).round(3).tolist()], (k, i)
            cells = widget.root.locator(".xp-w tbody tr").nth(i).locator(".xp-num").all_text_contents()
            assert [shown_number(t) for t in cells] == want[i].round(3).tolist(), (k, i)
        summary = widget.root.locator(".xp-summary").text_content() or ""
        assert f"steps: {STEPS_PER_CLICK * k} " in summary
        assert f"bigrams: {round(loss(want, XS, YS), 4)} " in summary
    # the rows walk toward the count model's: row . toward [0, 2/3, 1/3], rows a and b toward [1, 0, 0]
    P = np.array(widget.state()["P"])
    assert np.abs(P - row_probabilities(count_matrix(XS, YS, 3))).max() < 0.01
    assert "Mean loss" in widget.status()


@pytest.mark.parametrize("lr", ["30", "100"])
def test_train_stops_where_train_diverges_and_changes_nothing(widget: Explorable, lr: str) -> None:
    with pytest.raises(TrainingDiverged) as diverged:
        train(START, XS, YS, lr=float(lr), steps=STEPS_PER_CLICK)
    widget.set_lr(lr)
    widget.press("Reset")
    before = widget.state()
    widget.press("Train on the corpus")
    assert widget.state() == before, f"Train at lr {lr} changed the state although train() diverges"
    step, shown = diverged.value.step, f"{diverged.value.loss:.4f}".rstrip("0")
    said = widget.status()
    assert said.startswith(f"Training diverged at step {step} (mean loss {shown}, up from "), said
    assert said.endswith("try a smaller learning rate. Nothing was changed."), said
    widget.set_lr("1")
    widget.press("Train on the corpus")
    np.testing.assert_allclose(
        np.array(widget.state()["W"]), train(START, XS, YS, lr=1.0, steps=STEPS_PER_CLICK).W, rtol=0, atol=TOL
    )


def test_training_mixes_with_feeding(widget: Explorable) -> None:
    ref = Reference()
    for name in ["Feed .b", "Feed b.", "Train on the corpus", "Feed .a", "Train on the corpus"]:
        widget.press(name)
        if name in FEEDS:
            ref.feed(*FEEDS[name])
        else:
            ref.train_click()
        assert_matches(widget.state(), ref, name)


@pytest.mark.parametrize("seed", [13, 31])
def test_fifty_random_feeds_at_two_learning_rates(widget: Explorable, seed: int) -> None:
    rng = np.random.default_rng(seed)
    rates = ["0.25", "3"]
    ref = Reference()
    names = list(FEEDS)
    used = set()
    for k in range(50):
        lr = rates[int(rng.integers(2))]
        used.add(lr)
        if float(lr) != ref.lr:
            widget.set_lr(lr)
            ref.lr = float(lr)
        name = names[int(rng.integers(len(names)))]
        before = widget.state()["W"]
        widget.press(name)
        ref.feed(*FEEDS[name])
        shown = widget.state()
        assert_matches(shown, ref, f"feed {k + 1} ({name} at lr {lr})")
        i = FEEDS[name][0]
        for r in range(3):
            if r != i:
                assert shown["W"][r] == before[r], f"row {SYMBOLS[r]} moved when {name} was fed"
    assert ref.feeds == 50 and used == set(rates)


def test_keyboard_alone_drives_it(widget: Explorable) -> None:
    page = widget.page
    # start where a reader would: click the section's heading, then Tab down the page
    page.locator("section#step-the-gradient-yourself > h2").click()
    inside = "document.activeElement.closest('[data-explorable]') !== null"
    for _ in range(40):  # past the formulas of the prose (MathJax makes each one focusable)
        page.keyboard.press("Tab")
        if page.evaluate(inside):
            break
    name = "(e => e.labels && e.labels.length ? e.labels[0].textContent : e.textContent)(document.activeElement)"
    order = [page.evaluate(name)]
    for _ in BUTTONS:
        page.keyboard.press("Tab")
        order.append(page.evaluate(name))
    assert order == ["Learning rate η", *BUTTONS], "the tab order through the component"
    # focus is visible on a button reached by keyboard
    outline = page.evaluate("(s => [s.outlineStyle, s.outlineWidth])(getComputedStyle(document.activeElement))")
    assert outline[0] != "none" and float(outline[1].removesuffix("px")) >= 2, outline

    def focus(target: str) -> None:
        for _ in range(len(BUTTONS) + 1):
            if page.evaluate(name) == target:
                return
            page.keyboard.press("Shift+Tab")
        raise AssertionError(f"Shift+Tab never reached {target!r}")

    ref = Reference()
    focus("Learning rate η")
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    page.keyboard.press("Tab")  # leaving the box commits the value
    ref.lr = 2.0
    assert widget.state()["lr"] == 2
    assert page.evaluate(name) == "Feed .a"
    page.keyboard.press("Enter")
    ref.feed(0, 1)
    assert_matches(widget.state(), ref, "Enter on Feed .a")
    assert page.evaluate(name) == "Feed .a", "focus left the button after it was pressed"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    ref.feed(1, 0)
    assert_matches(widget.state(), ref, "Space on Feed a.")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    ref.train_click()
    assert_matches(widget.state(), ref, "Enter on Train on the corpus")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert_matches(widget.state(), Reference(lr=2.0), "Enter on Reset")


def test_a_bad_learning_rate_is_refused_with_a_clear_message(widget: Explorable) -> None:
    ref = Reference()
    widget.press("Feed .a")
    ref.feed(0, 1)
    error = widget.root.locator(".xp-error")
    message = "Learning rate: expected a number above 0 and at most 100, got"
    for typed, got in [("", "an empty box"), ("0", "0"), ("-1", "-1"), ("1000", "1000")]:
        before = widget.state()
        widget.set_lr(typed)
        widget.press("Feed .b")
        widget.press("Train on the corpus")
        assert widget.state() == before, f"an action ran with the learning rate {typed!r}"
        assert error.is_visible() and error.text_content() == f"{message} {got}. Nothing was changed."
        assert widget.lr_box.get_attribute("aria-invalid") == "true"
        assert widget.status().startswith(message)
        widget.set_lr("2")
        widget.press("Feed .b")
        assert not error.is_visible() and widget.lr_box.get_attribute("aria-invalid") == "false"
        ref.lr = 2.0
        ref.feed(0, 2)
        assert_matches(widget.state(), ref, f"a good learning rate after {typed!r}")


def test_controls_are_named_buttons_and_a_labelled_box(widget: Explorable) -> None:
    for name in BUTTONS:
        assert widget.button(name).count() == 1, name
        assert widget.button(name).evaluate("e => e.tagName") == "BUTTON"
    assert widget.lr_box.evaluate("e => [e.tagName, e.type, e.value]") == ["INPUT", "number", "1"]
    tree = widget.root.aria_snapshot()
    assert 'group "Step the gradient yourself"' in tree
    assert all(f'button "{name}"' in tree for name in BUTTONS), tree
    status = widget.root.get_by_role("status")
    assert status.get_attribute("aria-live") == "polite"
    # every bar chart is an image with a description in words
    labels = widget.root.locator("svg[role=img]").evaluate_all("es => es.map(e => e.getAttribute('aria-label'))")
    assert len(labels) == 3, labels
    assert labels[0].startswith("softmax of row boundary: boundary 0.384, a 0.285, b 0.331")


def test_the_files_load_only_on_its_page() -> None:
    pages = sorted(p.relative_to(SITE).as_posix() for p in SITE.rglob("*.html") if "_static" not in p.parts)
    for asset in ("explorable/step-the-gradient.js", "explorable/step-the-gradient.css"):
        using = [p for p in pages if asset in (SITE / p).read_text(encoding="utf-8")]
        assert using == [PAGE], f"{asset} is linked from {using}"


def test_without_javascript_the_page_still_reads(browser: Browser, base_url: str) -> None:
    for visit in make_visit(browser, base_url, java_script_enabled=False):
        page = visit.page
        page.goto(f"{base_url}/{PAGE}", wait_until="load")
        assert not page.locator(ROOT).is_visible()
        assert page.get_by_role("button", name="Feed .a").count() == 0
        note = page.locator(".explorable-noscript")  # (Playwright's text search skips <noscript>)
        assert note.is_visible() and "needs JavaScript, which is off" in note.inner_text()
        # the worked example stays: the static outputs of one step
        assert page.locator("div.highlight", has_text="[0.242, 0.538, 0.22]").first.is_visible()
        assert visit.problems() == []


def relative_luminance(css: str) -> float:
    channels = [int(v) / 255 for v in css[css.index("(") + 1 : css.index(")")].split(",")[:3]]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    hi, lo = sorted([relative_luminance(a), relative_luminance(b)], reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_both_themes_keep_text_and_bars_legible(visit: Visit, scheme: str) -> None:
    visit.page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
    widget = Explorable(visit.open(PAGE))
    widget.press("Feed .a")
    colours = widget.root.evaluate(
        """root => {
        const css = (sel, prop) => getComputedStyle(root.querySelector(sel))[prop];
        return {
            background: getComputedStyle(root).backgroundColor,
            text: css('.xp-status', 'color'),
            muted: css('.xp-legend', 'color'),
            probability: css('.xp-w .xp-up', 'fill'),
            plus: css('.xp-signed .xp-up', 'fill'),
            minus: css('.xp-signed .xp-down', 'fill'),
        };
    }"""
    )
    page_background = visit.page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert (relative_luminance(page_background) < 0.1) == (scheme == "dark"), page_background
    assert contrast(colours["text"], colours["background"]) >= 4.5, colours
    assert contrast(colours["muted"], colours["background"]) >= 4.5, colours
    for bar in ("probability", "plus", "minus"):
        assert contrast(colours[bar], colours["background"]) >= 3, (bar, colours)
    assert colours["plus"] != colours["minus"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    widget.root.screenshot(path=str(SCREENSHOTS / f"explorable-{scheme}.png"), animations="disabled")
    assert visit.problems() == []


def test_mid_training_screenshot(widget: Explorable) -> None:
    for name in ["Feed .a", "Feed .a", "Feed a.", "Train on the corpus"]:
        widget.press(name)
    assert widget.state()["steps"] == STEPS_PER_CLICK
    assert widget.root.locator(".xp-w tbody tr .xp-tag").all_text_contents() == ["moved"] * 3
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    widget.root.screenshot(path=str(SCREENSHOTS / "explorable-mid-training.png"), animations="disabled")


def test_fits_a_phone_without_sideways_scrolling(phone: Visit) -> None:
    page = phone.open(PAGE)
    widget = Explorable(page)
    widget.press("Feed .a")
    widget.press("Train on the corpus")
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], f"the page is {width[0]}px wide on a {width[1]}px screen"
    inner = widget.root.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert inner[0] <= inner[1], f"the component overflows its box: {inner}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    widget.root.screenshot(
        path=str(SCREENSHOTS / "explorable-phone.png"),
        animations="disabled",
        style=".mobile-header, .back-to-top { visibility: hidden; }",  # Furo's floating parts would cover it
    )
    assert phone.problems() == []


@pytest.mark.parametrize(("motion", "duration"), [("reduce", "0s"), ("no-preference", "0.3s")])
def test_bars_move_only_when_motion_is_welcome(browser: Browser, base_url: str, motion: str, duration: str) -> None:
    for visit in make_visit(browser, base_url, reduced_motion=motion):
        widget = Explorable(visit.open(PAGE))
        assert widget.root.locator(".xp-bar").first.evaluate("e => getComputedStyle(e).transitionDuration") == duration
        assert visit.problems() == []
