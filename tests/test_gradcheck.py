"""bigram_ref.gradcheck: finite differences and the error report."""

import numpy as np
import pytest

from bigram_ref import (
    GradCheck,
    Vocab,
    bigrams,
    check_grad,
    compare,
    default_words,
    grad_weights,
    init_weights,
    loss,
    numerical_grad,
    softmax,
)


def test_numerical_grad_of_a_quadratic_is_exact_to_rounding() -> None:
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    w = np.array([0.5, -1.5])
    g = numerical_grad(lambda v: float(v @ A @ v / 2), w)
    assert np.allclose(g, A @ w, atol=1e-9)


def test_numerical_grad_does_not_modify_its_input() -> None:
    w = np.array([1.0, 2.0])
    numerical_grad(lambda v: float(v.sum()), w)
    assert w.tolist() == [1.0, 2.0]


def test_compare_reports_the_norm_relative_error_and_the_worst_entry() -> None:
    result = compare([1.0, 2.0, 0.0], [1.0, 2.2, 0.0])
    assert result.where == (1,)
    assert result.max_abs == pytest.approx(0.2)
    assert result.error == pytest.approx(0.2 / np.hypot(1.0, 2.2))
    assert isinstance(result, GradCheck)


def test_compare_zero_gradients_agree() -> None:
    assert compare([0.0, 1.0], [0.0, 1.0]).error == 0.0
    assert compare([0.0, 0.0], [0.0, 0.0]).error == 0.0


def test_check_grad_catches_a_wrong_gradient() -> None:
    f = lambda w: float(np.exp(w).sum())  # noqa: E731
    assert check_grad(f, np.exp, [0.3, -0.2]).ok()
    assert not check_grad(f, lambda w: np.exp(w) * 1.01, [0.3, -0.2]).ok()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: compare([1.0], [1.0, 2.0]), r"expected the same shape"),
        (lambda: compare([np.nan], [1.0]), r"finite"),
        (lambda: numerical_grad(lambda w: 0.0, [np.inf]), r"^w: expected finite"),
        (lambda: numerical_grad(lambda w: 0.0, [1.0], h=0.0), r"^h: expected a finite number > 0, got 0.0"),
    ],
)
def test_bad_input(call: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()  # type: ignore[operator]


# --- the error measure on real gradients ---------------------------------------------------------


@pytest.fixture(scope="module")
def census() -> tuple[np.ndarray, np.ndarray]:
    words = default_words()
    return bigrams(words, Vocab.from_words(words))


@pytest.mark.parametrize("n", [500, 2000, None])
def test_the_census_gradient_passes(census: tuple[np.ndarray, np.ndarray], n: int | None) -> None:
    """The package's own gradient on the census bigrams (first 500, 2,000, all): correct, so it must pass."""
    xs, ys = census[0][:n], census[1][:n]
    W = init_weights(27, seed=0)
    result = check_grad(lambda w: loss(w, xs, ys), lambda w: grad_weights(w, xs, ys), W)
    assert result.ok(), result
    assert result.error < 1e-8


def small_problem(V: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """W, xs, ys of a random batch at vocabulary size V, and central differences of its summed loss."""
    rng = np.random.default_rng(V)
    W = rng.standard_normal((V, V))
    xs, ys = rng.integers(0, V, 3), rng.integers(0, V, 3)
    return W, xs, ys, numerical_grad(lambda w: loss(w, xs, ys, "sum"), W)


@pytest.mark.parametrize("V", [2, 5, 27, 60, 100])
def test_correct_gradients_pass_and_slightly_wrong_ones_fail(V: int) -> None:
    W, xs, ys, fd = small_problem(V)
    right = grad_weights(W, xs, ys, "sum")
    assert compare(right, fd).ok()
    one_entry_off = right.copy()
    k = np.unravel_index(np.argmax(np.abs(right)), right.shape)
    one_entry_off[k] *= 1 + 1e-3  # one entry off by 1e-3 relative
    X, T = np.eye(V)[xs], np.eye(V)[ys]
    missing_minus_one = X.T @ softmax(W[xs])  # p instead of p - t
    assert np.allclose(missing_minus_one - X.T @ T, right)
    for wrong in (one_entry_off, missing_minus_one, right.T):
        report = compare(wrong, fd)
        assert not report.ok(), report
    assert compare(one_entry_off, fd).where == tuple(int(j) for j in k)  # and it says where
