"""A real browser on the built site: Debian's Chromium, driven by Playwright, served on 127.0.0.1.

Run with `nox -s browser` after `nox -s docs`. Every request that would leave 127.0.0.1 is
aborted and recorded, so a page that needs the network fails at once instead of hanging.
The accessibility tests inject axe-core from the npm package that `nox -s browser` installs
(`npm ci`, path in $BIGRAM_REF_AXE); their findings below the failing level are listed at the end.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest
from _pytest.terminal import TerminalReporter
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "docs" / "_build" / "html"
SCREENSHOTS = SITE.parent / "screenshots"
CHROMIUM = os.environ.get("BIGRAM_REF_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NOT_CONTENT = {"genindex.html", "search.html", "py-modindex.html"}
AXE = Path(os.environ.get("BIGRAM_REF_AXE") or ROOT / "node_modules" / "axe-core" / "axe.min.js")
THEMES = ("light", "dark")


def all_pages() -> list[str]:
    """Every HTML page of the built site, the index, search and module pages included."""
    if not (SITE / "index.html").exists():
        raise RuntimeError(f"no built site at {SITE}: run `nox -s docs` first")
    return sorted(
        p.relative_to(SITE).as_posix() for p in SITE.rglob("*.html") if not p.relative_to(SITE).parts[0].startswith("_")
    )


def content_pages() -> list[str]:
    """Every page of the built site that a reader reads (not the index, search or module pages)."""
    return [p for p in all_pages() if Path(p).name not in NOT_CONTENT]


def figure_pages() -> list[str]:
    """The built pages that show at least one figure drawn by the figure-function directive."""
    return [p for p in content_pages() if 'class="figure-function' in (SITE / p).read_text(encoding="utf-8")]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # one request per connection: nothing left open at shutdown

    def log_message(self, format: str, *args: object) -> None:
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # a tab closed while a file was still on its way: not the site's fault
        super().handle_error(request, client_address)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    content_pages()  # fails clearly if the site was not built
    handler = functools.partial(QuietHandler, directory=str(SITE))
    server = QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"no Chromium at {CHROMIUM}: install Debian's chromium (see .ci/run)")
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
    yield browser
    browser.close()


@dataclass
class Visit:
    """A browser tab with everything that went wrong while it was open."""

    page: Page
    base_url: str
    external: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def open(self, path: str) -> Page:
        self.page.goto(f"{self.base_url}/{path}", wait_until="load")
        if self.page.evaluate("typeof MathJax !== 'undefined' && !!MathJax.startup"):
            self.page.evaluate("MathJax.startup.promise")
        return self.page

    def problems(self) -> list[str]:
        return (
            [f"request left 127.0.0.1: {u}" for u in self.external]
            + [f"console error: {m}" for m in self.console_errors]
            + [f"failed request: {u}" for u in self.failed]
        )


def make_visit(browser: Browser, base_url: str, theme: str | None = None, **context: object) -> Iterator[Visit]:
    ctx = browser.new_context(**context)  # type: ignore[arg-type]
    if theme is not None:  # Furo reads the reader's choice from localStorage before it paints
        ctx.add_init_script(f"localStorage.setItem('theme', {theme!r})")
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    page = ctx.new_page()
    visit = Visit(page, base_url)

    def route(r: object) -> None:
        url = r.request.url  # type: ignore[attr-defined]
        if urlparse(url).hostname in {"127.0.0.1"} or url.startswith(("data:", "blob:")):
            r.continue_()  # type: ignore[attr-defined]
        else:
            visit.external.append(url)
            r.abort()  # type: ignore[attr-defined]

    ctx.route("**/*", route)
    page.on("console", lambda m: visit.console_errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: visit.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    yield visit
    ctx.close()


@pytest.fixture
def visit(browser: Browser, base_url: str) -> Iterator[Visit]:
    yield from make_visit(browser, base_url, viewport={"width": 1280, "height": 900})


def themed_visit(browser: Browser, base_url: str, theme: str) -> Iterator[Visit]:
    """A desktop tab in Furo's light or dark theme, chosen as its theme switch stores it."""
    yield from make_visit(browser, base_url, viewport={"width": 1280, "height": 900}, color_scheme=theme, theme=theme)


# what axe found below the failing level (moderate, minor), listed once at the end of the run
AXE_NOTES: list[str] = []


def pytest_terminal_summary(terminalreporter: TerminalReporter) -> None:
    if AXE_NOTES:
        terminalreporter.section(f"axe-core: {len(AXE_NOTES)} findings below serious (not failures)")
        for note in AXE_NOTES:
            terminalreporter.write_line(note)


@pytest.fixture
def phone(browser: Browser, base_url: str) -> Iterator[Visit]:
    yield from make_visit(
        browser, base_url, viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
