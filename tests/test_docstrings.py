"""Every docstring example runs as pasted into a fresh session: no names borrowed from its module.

pytest's --doctest-modules runs the examples with the module's globals; a reader copying one
from the API reference has none. This runs each one again with an empty namespace.
"""

import doctest
import importlib
import inspect
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


# The reference index promises: in the model's modules, every function states its equation and
# carries an example that the tests run. The supporting modules (figures, benchmark, command line,
# files, validation) are documented by their pages and tested by their own test files instead.
MODEL_MODULES = ["corpus", "wordfile", "counting", "softmax", "neural", "newton", "torch_twin", "gradcheck"]


@pytest.mark.parametrize("name", MODEL_MODULES)
def test_every_model_function_has_an_example(name: str) -> None:
    module = importlib.import_module(f"bigram_ref.{name}")
    functions = [n for n in module.__all__ if inspect.isfunction(getattr(module, n))]
    assert functions, f"bigram_ref.{name} lists no functions"
    missing = [n for n in functions if ">>>" not in (getattr(module, n).__doc__ or "")]
    assert not missing, f"bigram_ref.{name}: functions without an example: {missing}"
