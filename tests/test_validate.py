"""bigram_ref.validate: one home per rule, one message per rule, the same at every entry point."""

import ast
from pathlib import Path

import numpy as np
import pytest

from bigram_ref import (
    CorpusError,
    CountModel,
    InputError,
    Vocab,
    average_nll,
    bigrams,
    count_matrix,
    cross_entropy,
    grad_from_counts,
    init_weights,
    penalised_loss,
    row_probabilities,
    sample_words,
    train,
    train_from_counts,
    validate,
)

PACKAGE = Path(validate.__file__).parent


def test_the_error_types_are_value_errors() -> None:
    assert issubclass(InputError, ValueError)
    assert issubclass(CorpusError, InputError)


def test_no_private_name_is_imported_across_modules() -> None:
    imported = [
        f"{path.name}: from {node.module} import {alias.name}"
        for path in sorted(PACKAGE.glob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("bigram_ref")
        for alias in node.names
        if alias.name.startswith("_")
    ]
    assert imported == []


def test_no_module_but_validate_raises_a_bare_value_error() -> None:
    """Every rule about the caller's input lives in validate: other modules raise InputError (or a subclass)."""
    offenders = [
        f"{path.name}:{node.lineno}"
        for path in sorted(PACKAGE.glob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Raise)
        and isinstance(node.exc, ast.Call)
        and getattr(node.exc.func, "id", None) in {"ValueError", "TypeError"}
    ]
    assert offenders == []


W2 = np.zeros((2, 2))
N2 = np.ones((2, 2))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        # non-negative finite parameters: one message wherever they enter
        (lambda: penalised_loss(W2, N2, alpha=-1), "alpha: expected a finite number >= 0, got -1"),
        (lambda: penalised_loss(W2, N2, alpha=float("nan")), "alpha: expected a finite number >= 0, got nan"),
        (lambda: penalised_loss(W2, N2, l2=-1), "l2: expected a finite number >= 0, got -1"),
        (lambda: row_probabilities(N2, alpha=None), "alpha: expected a finite number >= 0, got None"),  # type: ignore[arg-type]
        (lambda: CountModel.fit(["ab"], alpha=-0.5), "alpha: expected a finite number >= 0, got -0.5"),
        (lambda: train(W2, [0], [1], lr=1.0, steps=1, alpha=-1), "alpha: expected a finite number >= 0, got -1"),
        (lambda: train_from_counts(W2, N2, steps=1, alpha=-1), "alpha: expected a finite number >= 0, got -1"),
        (lambda: train(W2, [0], [1], lr=None, steps=1), "lr: expected a finite number > 0, got None"),  # type: ignore[arg-type]
        (lambda: train(W2, [0], [1], lr=float("inf"), steps=1), "lr: expected a finite number > 0, got inf"),
        # alpha so large that the smoothed row totals overflow
        (
            lambda: row_probabilities(N2, alpha=1e308),
            "alpha: too large, the row totals of N + alpha overflow (alpha = 1e+308)",
        ),
        # step counts and sizes: ints, numpy ints included, never bool or float
        (
            lambda: sample_words(row_probabilities(N2), Vocab((".", "a")), 1.5, seed=0),
            "n: expected an int >= 0, got 1.5",
        ),  # type: ignore[arg-type]
        (
            lambda: train(W2, [0], [1], lr=1.0, steps=True),
            "steps: expected an int from 0 to 9,223,372,036,854,775,806, got True",
        ),  # type: ignore[arg-type]
        (
            lambda: count_matrix([0], [0], 2**32),
            "vocab_size: expected at most 8,192 symbols, got 4,294,967,296"
            " (each (V, V) float64 matrix takes V² · 8 bytes, 1.37e+11 GiB here, and a model holds several)",
        ),
        (
            lambda: init_weights(2**32, seed=0),
            "V: expected at most 8,192 symbols, got 4,294,967,296"
            " (each (V, V) float64 matrix takes V² · 8 bytes, 1.37e+11 GiB here, and a model holds several)",
        ),
        # square W, counts, the same shape
        (
            lambda: train(np.zeros((2, 2), dtype=complex), [0], [1], lr=1.0, steps=1),
            "W: expected float32 or float64 logits, got dtype complex128",
        ),
        (
            lambda: train_from_counts(np.zeros((2, 3)), N2, steps=1),
            "W: expected a square (V, V) matrix, got shape (2, 3)",
        ),
        (
            lambda: grad_from_counts(W2, np.ones((3, 3))),
            "W and N: expected the same (V, V) shape, got (2, 2) and (3, 3)",
        ),
        (lambda: penalised_loss(W2, np.ones((3, 3))), "W and N: expected the same (V, V) shape, got (2, 2) and (3, 3)"),
        (
            lambda: train_from_counts(W2, np.ones((3, 3)), steps=1),
            "W and N: expected the same (V, V) shape, got (2, 2) and (3, 3)",
        ),
        # probabilities
        (
            lambda: average_nll([[-0.5, 1.5], [0.5, 0.5]], [0], [1]),
            "P: expected probabilities in [0, 1], got -0.5 at [0, 0]",
        ),
        (
            lambda: average_nll([[0.5, 0.5], [2.0, 0.0]], [0], [1]),
            "P: expected probabilities in [0, 1], got 2.0 at [1, 0]",
        ),
        # indices, everywhere the same
        (lambda: count_matrix([0, 5], [1, 1], 3), "xs[1] = 5 is out of range for V = 3"),
        (lambda: cross_entropy([[0.0, 1.0]], [2]), "y[0] = 2 is out of range for V = 2"),
        (lambda: Vocab((".", "a")).decode([1.0]), "ids: expected integer indices, got dtype float64"),  # type: ignore[list-item]
        (lambda: Vocab((".", "a")).decode([3]), "ids[0] = 3 is out of range for V = 2"),
        # word lists
        (lambda: bigrams(["ab", 3], Vocab((".", "a", "b"))), "words[1]: expected a non-empty str, got 3"),  # type: ignore[list-item]
        (lambda: bigrams([], Vocab((".", "a"))), "words: no words (empty, or blank lines only)"),
        (lambda: CountModel.fit([]), "words: no words (empty, or blank lines only)"),
        (
            lambda: Vocab.from_words(["ab", "c\ud800"]),
            r"words[1]: word 'c\ud800' contains '\ud800' (U+D800), a lone surrogate, not a character",
        ),
        (
            lambda: Vocab.from_words(["a\x0bb"]),
            r"words[0]: word 'a\x0bb' contains '\x0b' (U+000B), a control character",
        ),
    ],
)
def test_one_message_per_rule(call: object, message: str) -> None:
    with pytest.raises(InputError) as info:
        call()  # type: ignore[operator]
    assert str(info.value) == message


def test_numpy_integers_are_ints_everywhere() -> None:
    N = np.array([[0, 2], [1, 1]])
    result = train_from_counts(W2, N, steps=np.int64(2))
    assert len(result.losses) == 3
    assert len(train(W2, [0, 1], [1, 0], lr=1.0, steps=np.int64(2)).losses) == 3
    assert count_matrix([0], [1], np.int32(2)).tolist() == [[0, 1], [0, 0]]


def test_shown_keeps_a_message_short_and_on_one_line() -> None:
    assert validate.shown(0.5) == "0.5"
    long = validate.shown(10**400)
    assert len(long) == 40 and long.endswith("…") and long.startswith("1000")
    assert "\n" not in validate.shown(np.zeros((30, 30)))
    assert len(validate.shown("x" * 1000)) == 40
    with pytest.raises(validate.InputError, match=r"^alpha: expected a finite number >= 0, got 10{38}…$"):
        validate.number(10**400, "alpha")
    assert validate.shown(10**5000) == "1" + "0" * 38 + "…"  # beyond the 4,300 digits Python prints
    assert validate.shown(-(10**5000) + 1) == "-" + "9" * 38 + "…"
