"""Intersphinx without the network: small inventories of the external names our API mentions.

Sphinx's intersphinx normally downloads each project's ``objects.inv`` at build time, which
a hermetic build must not do. Instead, this module writes tiny inventories — only the names
that appear in our signatures and docstrings, with their addresses in each project's own
documentation — so that those names become real links while the build stays offline.
"""

from __future__ import annotations

import zlib
from pathlib import Path

# project -> (base URL, version, {name: (roles, path within the docs)})
INVENTORIES: dict[str, tuple[str, str, dict[str, tuple[tuple[str, ...], str]]]] = {
    "python": (
        "https://docs.python.org/3/",
        "3.11",
        {
            "typing.Any": (("data", "class"), "library/typing.html#typing.Any"),
            "typing.Literal": (("data", "class"), "library/typing.html#typing.Literal"),
            "typing.Union": (("data", "class"), "library/typing.html#typing.Union"),
            "Ellipsis": (("data",), "library/constants.html#Ellipsis"),
            "collections.abc.Sequence": (("class",), "library/collections.abc.html#collections.abc.Sequence"),
            "collections.abc.Callable": (("class",), "library/collections.abc.html#collections.abc.Callable"),
            "collections.abc.Iterable": (("class",), "library/collections.abc.html#collections.abc.Iterable"),
            "collections.abc.Iterator": (("class",), "library/collections.abc.html#collections.abc.Iterator"),
            "pathlib.Path": (("class",), "library/pathlib.html#pathlib.Path"),
            "importlib.resources": (("module",), "library/importlib.resources.html#module-importlib.resources"),
        },
    ),
    "numpy": (
        "https://numpy.org/doc/stable/",
        "2.4",
        {
            "numpy.ndarray": (("class",), "reference/generated/numpy.ndarray.html#numpy.ndarray"),
            "numpy.dtype": (("class",), "reference/generated/numpy.dtype.html#numpy.dtype"),
            "numpy.float64": (("class", "attribute"), "reference/arrays.scalars.html#numpy.float64"),
            "numpy.floating": (("class",), "reference/arrays.scalars.html#numpy.floating"),
            "numpy.int64": (("class", "attribute"), "reference/arrays.scalars.html#numpy.int64"),
            "numpy.typing.ArrayLike": (("data", "class"), "reference/typing.html#numpy.typing.ArrayLike"),
            "numpy.typing.NDArray": (("data", "class"), "reference/typing.html#numpy.typing.NDArray"),
            "numpy.bincount": (("function",), "reference/generated/numpy.bincount.html#numpy.bincount"),
        },
    ),
    "torch": (
        "https://docs.pytorch.org/docs/stable/",
        "2.13",
        {"torch.Tensor": (("class",), "tensors.html#torch.Tensor")},
    ),
    "matplotlib": (
        "https://matplotlib.org/stable/",
        "3.11",
        {
            "matplotlib.figure.Figure": (
                ("class",),
                "api/_as_gen/matplotlib.figure.Figure.html#matplotlib.figure.Figure",
            ),
            "matplotlib.pyplot": (("module",), "api/pyplot_summary.html#module-matplotlib.pyplot"),
        },
    ),
}


def write(folder: Path) -> dict[str, tuple[str, str]]:
    """Write one ``objects.inv`` per project into ``folder``; returns an ``intersphinx_mapping``."""
    folder.mkdir(parents=True, exist_ok=True)
    mapping = {}
    for project, (url, version, names) in INVENTORIES.items():
        lines = [f"{name} py:{role} 1 {path} -" for name, (roles, path) in sorted(names.items()) for role in roles]
        header = f"# Sphinx inventory version 2\n# Project: {project}\n# Version: {version}\n"
        header += "# The remainder of this file is compressed using zlib.\n"
        target = folder / f"{project}.inv"
        target.write_bytes(header.encode() + zlib.compress(("\n".join(lines) + "\n").encode()))
        mapping[project] = (url, str(target))
    return mapping
