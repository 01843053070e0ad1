"""docs/_ext/offline_check.py: the build-time guard that the site loads nothing from the network."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent / "docs" / "_ext"))

from offline_check import external_loads, scan


def test_finds_external_scripts_styles_fonts_and_images() -> None:
    html = """
    <script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"></script>
    <link rel="stylesheet" href="//fonts.googleapis.com/css?family=Lato">
    <img src="http://example.org/figure.png">
    <style>@import url("https://fonts.example/x.css"); .a { src: url(https://f.example/a.woff2) }</style>
    """
    kinds = [kind for kind, _ in external_loads(html)]
    assert kinds.count("script") == 1
    assert kinds.count("stylesheet or preload") == 1
    assert kinds.count("image") == 1
    assert kinds.count("css import or font") == 2


def test_local_assets_and_plain_links_are_fine() -> None:
    html = """
    <script src="_static/mathjax/tex-chtml.js"></script>
    <link rel="stylesheet" href="_static/styles/furo.css">
    <a href="https://pypi.org/project/names/">names</a>
    <img src="_images/plot.png">
    """
    assert external_loads(html) == []


def test_scan_reports_the_file(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text('<script src="https://cdn.example/x.js"></script>')
    (tmp_path / "ok.html").write_text('<script src="x.js"></script>')
    assert scan(tmp_path) == [(Path("page.html"), "script", "https://cdn.example/x.js")]
