"""bigram_ref.softmax: stable softmax, cross-entropy, p − t and the Jacobian.

Tolerances: analytic vs autograd agree to rounding (1e-12, both float64); analytic vs
central differences with h = 1e-5 carry the O(h²) truncation and cancellation error
of the difference quotient, so they are compared at 1e-6 relative.
"""

import numpy as np
import pytest

from bigram_ref import (
    check_grad,
    compare,
    cross_entropy,
    grad_logits,
    log_softmax,
    numerical_grad,
    one_hot,
    softmax,
    softmax_jacobian,
)
from bigram_ref.torch_twin import autograd_grad_logits, autograd_jacobian
from bigram_ref.validate import InputError

MICRO_Z = [0.20, -0.10, 0.05]  # the guide's micro example: row '.' over ('.', 'a', 'b')


def test_micro_example_numbers() -> None:
    assert softmax(MICRO_Z).round(3).tolist() == [0.384, 0.285, 0.331]
    assert grad_logits(MICRO_Z, 1).round(3).tolist() == [0.384, -0.715, 0.331]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("scale", [1e-3, 1.0, 1e2, 1e4])
def test_softmax_is_a_distribution_at_any_scale(dtype: type, scale: float) -> None:
    z = (np.random.default_rng(0).standard_normal((8, 11)) * scale).astype(dtype)
    p = softmax(z)
    assert p.dtype == dtype
    assert np.isfinite(p).all() and (p >= 0).all()
    assert np.allclose(p.sum(axis=-1), 1.0, atol=1e-6 if dtype == np.float32 else 1e-12)


def test_softmax_extreme_logits_are_exact() -> None:
    assert softmax(np.array([1e4, -1e4], dtype=np.float32)).tolist() == [1.0, 0.0]
    assert log_softmax([1e4, -1e4]).tolist() == [0.0, -2e4]
    assert cross_entropy([1e4, -1e4], 1).item() == 2e4


def test_shift_invariance() -> None:
    z = np.random.default_rng(1).standard_normal(6)
    assert np.allclose(softmax(z), softmax(z + 123.0), atol=1e-15)


def test_log_softmax_is_log_of_softmax() -> None:
    z = np.random.default_rng(2).standard_normal((4, 9)) * 5
    assert np.allclose(log_softmax(z), np.log(softmax(z)), atol=1e-12)


def test_minus_inf_is_a_zero_probability() -> None:
    p = softmax([0.0, -np.inf, np.log(2.0)])
    assert p.round(12).tolist() == [round(1 / 3, 12), 0.0, round(2 / 3, 12)]


def test_cross_entropy_reductions() -> None:
    z = np.random.default_rng(3).standard_normal((5, 4))
    y = np.array([0, 1, 2, 3, 0])
    each = cross_entropy(z, y, reduction="none")
    assert each.shape == (5,)
    assert each == pytest.approx(-np.log(softmax(z)[np.arange(5), y]), rel=1e-12)
    assert cross_entropy(z, y, reduction="sum") == pytest.approx(each.sum(), rel=1e-12)
    assert cross_entropy(z, y) == pytest.approx(each.mean(), rel=1e-12)
    assert cross_entropy(z, y) == pytest.approx(-(one_hot(y, 4) * np.log(softmax(z))).sum(axis=1).mean())


def test_grad_is_p_minus_t_against_autograd_and_finite_differences() -> None:
    rng = np.random.default_rng(4)
    for V in (2, 3, 7, 27):
        z = rng.standard_normal(V) * 2
        y = int(rng.integers(V))
        g = grad_logits(z, y)
        assert compare(g, softmax(z) - one_hot(y, V)).max_abs == 0.0
        assert compare(g, autograd_grad_logits(z, y)).error < 1e-12
        assert check_grad(lambda v, y=y: float(cross_entropy(v, y)), lambda v, y=y: grad_logits(v, y), z).ok(1e-6)


def test_batched_grad_is_one_row_per_example() -> None:
    rng = np.random.default_rng(5)
    z = rng.standard_normal((6, 5))
    y = rng.integers(0, 5, 6)
    g = grad_logits(z, y)
    assert g.shape == (6, 5)
    for k in range(6):
        assert np.array_equal(g[k], grad_logits(z[k], int(y[k])))
    assert compare(g, autograd_grad_logits(z, y)).error < 1e-12


def test_grad_sums_to_zero() -> None:
    z = np.random.default_rng(6).standard_normal((10, 27)) * 3
    y = np.arange(10)
    assert np.abs(grad_logits(z, y).sum(axis=-1)).max() < 1e-15 * 27


def test_jacobian_formula_against_autograd_and_finite_differences() -> None:
    z = np.random.default_rng(7).standard_normal(6)
    J = softmax_jacobian(z)
    p = softmax(z)
    explicit = np.array([[p[j] * ((j == l) - p[l]) for l in range(6)] for j in range(6)])  # noqa: E741
    assert np.allclose(J, explicit, atol=1e-16)
    assert compare(J, autograd_jacobian(z)).error < 1e-12
    fd = np.stack([numerical_grad(lambda v, j=j: float(softmax(v)[j]), z) for j in range(6)])
    assert compare(J, fd).error < 1e-6


def test_jacobian_is_symmetric_psd_with_zero_row_sums() -> None:
    J = softmax_jacobian(np.random.default_rng(8).standard_normal(9) * 4)
    assert np.array_equal(J, J.T)
    assert np.abs(J.sum(axis=1)).max() < 1e-16 * 9
    assert np.linalg.eigvalsh(J).min() > -1e-15


def test_chain_rule_collapses_to_p_minus_t() -> None:
    """∂L/∂z = Jᵀ ∂L/∂p with ∂L/∂p = −t/p: the appendix's derivation, numerically."""
    z = np.random.default_rng(9).standard_normal(5)
    y = 2
    dL_dp = -one_hot(y, 5) / softmax(z)
    assert np.allclose(softmax_jacobian(z).T @ dL_dp, grad_logits(z, y), atol=1e-15)


def test_single_symbol_vocabulary_has_a_defined_answer() -> None:
    assert softmax([3.0]).tolist() == [1.0]
    assert grad_logits([3.0], 0).tolist() == [0.0]
    assert softmax_jacobian([3.0]).tolist() == [[0.0]]


def test_integer_logits_are_promoted_to_float64() -> None:
    assert softmax([0, 0]).dtype == np.float64


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: softmax([0.0, np.nan]), r"^z: contains NaN at index \[1\]"),
        (lambda: softmax([np.inf, 0.0]), r"^z: contains \+inf"),
        (lambda: softmax([-np.inf, -np.inf]), r"^z: every entry is -inf"),
        (lambda: softmax(np.zeros((2, 2, 2))), r"^z: expected a 1-D or 2-D array, got shape \(2, 2, 2\)"),
        (lambda: softmax(np.zeros(0)), r"^z: expected at least one logit"),
        (lambda: softmax(["a"]), r"^z: expected float32 or float64 logits"),
        (lambda: grad_logits([0.0, 1.0], 2), r"^y = 2 is out of range for V = 2$"),
        (lambda: grad_logits([0.0, 1.0], 0.5), r"^y: expected integer indices, got dtype float64$"),
        (lambda: grad_logits(np.zeros((3, 2)), [0, 1]), r"^y: expected shape \(3,\)"),
        (lambda: softmax_jacobian(np.zeros((2, 2))), r"^z: expected a 1-D array"),
        (lambda: cross_entropy([0.0], 0, reduction="max"), r"^reduction: expected"),  # type: ignore[arg-type]
        (lambda: one_hot(3, 3), r"^y = 3 is out of range for V = 3$"),
    ],
)
def test_bad_input_is_a_clear_value_error(call: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()  # type: ignore[operator]


def test_bool_logits_are_refused() -> None:
    """A bool is no logit (ints are promoted; True and False would be read as 1 and 0 silently)."""
    with pytest.raises(InputError, match=r"^z: expected float32 or float64 logits, got dtype bool$"):
        softmax(np.array([True, False]))


def test_a_mean_of_huge_finite_losses_is_finite_and_accumulated_in_float64() -> None:
    z = np.array([[1.7e308, 0.0]] * 3)  # each loss is 1.7e308; their sum is beyond float64, their mean is not
    assert float(cross_entropy(z, [1, 1, 1])) == 1.7e308
    z32 = np.tile(np.array([3e38, 0.0], np.float32), (4, 1))
    mean = cross_entropy(z32, [1] * 4)
    assert mean.dtype == np.float64 and float(mean) == float(np.float32(3e38))
