"""bigram_ref.gradcheck: finite differences and the error report."""

import numpy as np
import pytest

from bigram_ref import GradCheck, check_grad, compare, numerical_grad


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
