"""The "Download notebook" button (docs/_ext/notebooks.py) as a reader meets it in the browser.

On every guide page the button is there and visible, it downloads offline from the site itself,
under a name the reader recognises (``counts-to-softmax.ipynb``), and the file is that page's
notebook: one code cell for each ``>>>`` example the page shows. Reference pages have none.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath

import pytest

from conftest import Visit, content_pages

GUIDE = [path for path in content_pages() if not path.startswith("reference/")]
REFERENCE = [path for path in content_pages() if path.startswith("reference/")]


def expected_name(path: str) -> str:
    """The page's own name; an index page is named after its folder, the landing page after the project."""
    page = PurePosixPath(path)
    if page.stem != "index":
        return f"{page.stem}.ipynb"
    return f"{page.parent.name or 'bigram_ref'}.ipynb"


def test_the_tutorial_notebook_has_the_tutorials_name() -> None:
    assert "tutorial/counts-to-softmax.html" in GUIDE
    assert expected_name("tutorial/counts-to-softmax.html") == "counts-to-softmax.ipynb"
    assert len(GUIDE) >= 15 and len(REFERENCE) >= 5


@pytest.mark.parametrize("path", GUIDE)
def test_download_notebook_gives_the_pages_notebook(visit: Visit, path: str) -> None:
    page = visit.open(path)
    link = page.get_by_role("link", name="Download notebook")
    assert link.count() == 1, "one Download notebook button on the page"
    assert link.is_visible()
    assert link.get_attribute("download") == expected_name(path)
    href = link.get_attribute("href") or ""
    assert not href.startswith(("http:", "https:", "//")), f"the notebook must come from the site itself: {href}"
    with page.expect_download() as event:
        link.click()
    download = event.value
    assert download.failure() is None
    assert download.suggested_filename == expected_name(path)
    assert download.url.startswith(visit.base_url)
    notebook = json.loads(download.path().read_text(encoding="utf-8"))
    assert notebook["nbformat"] == 4
    assert notebook["metadata"]["title"] in page.locator("h1").first.inner_text()
    prompts = page.locator("article pre .gp").all_inner_texts()
    examples = [c for c in notebook["cells"] if "doctest" in c["metadata"].get("bigram_ref", {})]
    assert len(examples) == sum(prompt.strip() == ">>>" for prompt in prompts)
    assert visit.problems() == []


@pytest.mark.parametrize("path", REFERENCE)
def test_reference_pages_offer_no_notebook(visit: Visit, path: str) -> None:
    page = visit.open(path)
    assert page.get_by_role("link", name="Download notebook").count() == 0
    assert visit.problems() == []
