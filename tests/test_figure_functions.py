"""docs/_ext/figure_functions.py: the figure-function directive's files, its caption check and the
build-level check that no page shows one image twice; and every figure reference on the pages."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "docs" / "_ext"))

from figure_functions import check_pages, draw, file_names, numbers_not_in, references, shared_images

from bigram_ref.plots import GUIDE_FIGURES, alt_text

DOCS = Path(__file__).parent.parent / "docs"

MATH = re.compile(r"\$[^$]+\$|\{math\}`[^`]+`")


def all_references() -> list[tuple[str, str, str]]:
    return [
        (path.relative_to(DOCS).as_posix(), name, caption)
        for path in sorted(DOCS.rglob("*.md"))
        if "_build" not in path.parts
        for name, caption in references(path.read_text(encoding="utf-8"))
    ]


def test_the_pages_show_every_guide_figure() -> None:
    assert {name for _, name, _ in all_references()} == set(GUIDE_FIGURES)


def test_references_are_found_in_directives_but_not_in_code() -> None:
    page = (
        "Text.\n\n```{figure-function} flow_diagram\nCaption $p - t$.\n```\n\n"
        "````markdown\n```{figure-function} shown_as_code\nnot a figure\n```\n````\n\n"
        "````{note}\n```{figure-function} worked_example_jacobian\nIn a note.\n```\n````\n"
    )
    assert references(page) == [("flow_diagram", "Caption $p - t$."), ("worked_example_jacobian", "In a note.")]


@pytest.mark.parametrize(("page", "name", "caption"), all_references())
def test_each_caption_number_is_in_what_its_figure_draws(page: str, name: str, caption: str) -> None:
    assert name in GUIDE_FIGURES, f"{page}: no figure function {name!r}"
    alt = alt_text(GUIDE_FIGURES[name]("light"))
    assert numbers_not_in(MATH.sub("", caption), alt) == [], f"{page}, figure {name}: {alt}"


def test_caption_numbers_are_matched_whole() -> None:
    alt = "over 100 gradient steps, step size 50, ends at 2.3581; the largest count is 1,758"
    assert numbers_not_in("100 full-batch steps (step size 50)", alt) == []
    assert numbers_not_in("ends at 2.3581, largest 1,758", alt) == []
    assert numbers_not_in("200 steps of size 5", alt) == ["200", "5"]
    assert numbers_not_in("1 step to 2.35", alt) == ["1", "2.35"]  # parts of 1,758 and 2.3581 are not claims


def test_each_theme_has_its_own_stable_file() -> None:
    assert file_names("census_count_heatmap") == {
        "light": "census_count_heatmap.svg",
        "dark": "census_count_heatmap-dark.svg",
    }


def test_drawing_writes_both_themes_as_svg_with_text_reproducibly(tmp_path: Path) -> None:
    paths, alt = draw("worked_example_jacobian", tmp_path)
    assert {p.name for p in paths.values()} == set(file_names("worked_example_jacobian").values())
    light, dark = (paths[t].read_bytes() for t in ("light", "dark"))
    assert light != dark
    assert b"<text" in light and b"font-size: 11px" in light  # text kept as text, measurable in a browser
    assert alt == alt_text(GUIDE_FIGURES["worked_example_jacobian"]("dark"))
    draw("worked_example_jacobian", tmp_path)
    assert paths["light"].read_bytes() == light, "drawing the same figure twice gave different bytes"


def test_an_unknown_figure_names_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(KeyError, match=r"no figure function 'heatmap' .*census_count_heatmap"):
        draw("heatmap", tmp_path)


def page_with(tmp_path: Path, files: dict[str, bytes], srcs: list[str]) -> Path:
    for name, data in files.items():
        (tmp_path / "_images").mkdir(exist_ok=True)
        (tmp_path / "_images" / name).write_bytes(data)
    page = tmp_path / "page.html"
    page.write_text("".join(f'<p><img alt="x" src="{src}" /></p>' for src in srcs))
    return page


def test_distinct_images_pass(tmp_path: Path) -> None:
    page = page_with(tmp_path, {"a.svg": b"<svg>a</svg>", "b.svg": b"<svg>b</svg>"}, ["_images/a.svg", "_images/b.svg"])
    assert shared_images(page.read_text(), page) == []
    assert list(check_pages(tmp_path)) == []


def test_one_file_shown_twice_fails(tmp_path: Path) -> None:
    page = page_with(tmp_path, {"a.svg": b"<svg>a</svg>"}, ["_images/a.svg", "_images/a.svg"])
    assert shared_images(page.read_text(), page) == ["two images show the same file _images/a.svg"]


def test_two_files_with_identical_bytes_fail(tmp_path: Path) -> None:
    page_with(tmp_path, {"a.svg": b"<svg/>", "b.svg": b"<svg/>"}, ["_images/a.svg", "_images/b.svg"])
    assert list(check_pages(tmp_path)) == [
        (Path("page.html"), "images _images/a.svg and _images/b.svg have identical bytes")
    ]


def test_a_missing_image_fails(tmp_path: Path) -> None:
    page = page_with(tmp_path, {}, ["_images/gone.svg"])
    assert shared_images(page.read_text(), page) == ["image _images/gone.svg does not exist"]
