"""Every docstring example runs as pasted into a fresh session: no names borrowed from its module.

pytest's --doctest-modules runs the examples with the module's globals; a reader copying one
from the API reference has none. This runs each one again with an empty namespace.
"""

import doctest
import importlib
import pkgutil
from types import ModuleType

import pytest

import bigram_ref

MODULES = [
    importlib.import_module(f"bigram_ref.{m.name}")
    for m in pkgutil.iter_modules(bigram_ref.__path__)
    if m.name != "__main__"
]
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def examples(module: ModuleType) -> list[doctest.DocTest]:
    return [t for t in doctest.DocTestFinder(exclude_empty=True).find(module) if t.examples]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_examples_need_nothing_but_their_own_imports(module: ModuleType) -> None:
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    for test in examples(module):
        test.globs = {}
        result = runner.run(test, out=lambda _: None)
        assert result.failed == 0, f"{test.name}: an example fails when pasted into a fresh session"


def test_every_public_function_has_an_example() -> None:
    missing = [
        name
        for name in bigram_ref.__all__
        if callable(getattr(bigram_ref, name))
        and not isinstance(getattr(bigram_ref, name), type)
        and ">>>" not in (getattr(bigram_ref, name).__doc__ or "")
    ]
    assert missing == []
