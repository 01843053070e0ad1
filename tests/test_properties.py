"""Identities that hold for every input (hypothesis property tests), in NumPy and in torch.

Inputs: vocabulary sizes 2…256, batch sizes 1…64, logit scales 1e-3…1e4, float32 and float64.
Tolerances, one sentence each:

* SUM32 / SUM64 — a softmax row is a sum of up to 256 rounded terms, so it may miss 1 by
  about V·ε of its dtype.
* AUTOGRAD — autograd and the hand-written formula do the same float64 arithmetic in a
  different order, so they agree to a few ulps of the largest gradient entry (|entries| ≤ 1).
* central differences — their rounding error is about ε·|L|/h and |L| grows with the logit
  scale, so they are compared at 100·ε·(1 + |L|)/h plus h² for the truncation error.
* COUNTS — the count-based gradient regroups the same float64 sum, agreeing to rounding of
  the largest entry, 1e-12 relative.
"""

import numpy as np
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bigram_ref import (
    count_matrix,
    cross_entropy,
    grad_from_counts,
    grad_logits,
    grad_weights,
    log_softmax,
    numerical_grad,
    softmax,
    softmax_jacobian,
)
from bigram_ref.torch_twin import autograd_grad_logits, autograd_grad_weights, autograd_jacobian

SUM32, SUM64, AUTOGRAD, COUNTS = 1.2e-7, 2.3e-16, 1e-13, 1e-12
EPS = float(np.finfo(np.float64).eps)
H = 1e-5

settings.register_profile(
    "bigram",
    deadline=None,
    max_examples=60,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("bigram")


@st.composite
def logits(draw: st.DrawFn, max_V: int = 256, max_n: int = 64) -> np.ndarray:
    """A batch of logits: shape (n, V), standard normal times a scale between 1e-3 and 1e4."""
    V = draw(st.integers(2, max_V))
    n = draw(st.integers(1, max_n))
    scale = 10 ** draw(st.floats(-3, 4))
    seed = draw(st.integers(0, 2**32 - 1))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    return (np.random.default_rng(seed).standard_normal((n, V)) * scale).astype(dtype)


@st.composite
def logits_and_targets(draw: st.DrawFn, max_V: int = 256, max_n: int = 64) -> tuple[np.ndarray, np.ndarray]:
    z = draw(logits(max_V, max_n))
    seed = draw(st.integers(0, 2**32 - 1))
    return z, np.random.default_rng(seed).integers(0, z.shape[1], z.shape[0])


@given(logits())
def test_softmax_rows_are_distributions(z: np.ndarray) -> None:
    p = softmax(z)
    tol = (SUM32 if z.dtype == np.float32 else SUM64) * z.shape[1]
    assert p.dtype == z.dtype
    assert np.isfinite(p).all()
    assert (p >= 0).all()
    assert np.abs(p.sum(axis=1) - 1).max() <= tol


@given(logits())
def test_torch_softmax_rows_are_distributions(z: np.ndarray) -> None:
    p = torch.softmax(torch.from_numpy(z), dim=-1)
    tol = (SUM32 if z.dtype == np.float32 else SUM64) * z.shape[1] * 4  # torch sums in a different order
    assert torch.isfinite(p).all()
    assert (p >= 0).all()
    assert float((p.sum(dim=-1) - 1).abs().max()) <= tol


@given(logits())
def test_log_softmax_is_log_of_softmax_where_finite(z: np.ndarray) -> None:
    z = z.astype(np.float64)
    p = softmax(z)
    ok = p > 1e-300  # where log(p) is finite and not denormal
    assert np.allclose(log_softmax(z)[ok], np.log(p[ok]), rtol=1e-12, atol=1e-12)


@given(logits(), st.floats(-1e3, 1e3))
def test_adding_a_constant_to_a_row_changes_nothing(z: np.ndarray, c: float) -> None:
    z = z.astype(np.float64)
    shifted = z + c
    # the shift itself rounds z by up to ulp(|z| + |c|), which moves p by that much relative
    tol = 4 * EPS * (np.abs(z).max() + abs(c) + 1)
    assert np.abs(softmax(shifted) - softmax(z)).max() <= tol


@given(logits_and_targets())
def test_gradient_is_p_minus_t_sums_to_zero_and_matches_autograd(data: tuple[np.ndarray, np.ndarray]) -> None:
    z, y = data
    z = z.astype(np.float64)
    g = grad_logits(z, y)
    assert np.abs(g.sum(axis=1)).max() <= SUM64 * z.shape[1] * 2
    assert np.abs(g - autograd_grad_logits(z, y)).max() <= AUTOGRAD


@given(logits_and_targets(max_V=12, max_n=3))
def test_gradient_matches_central_differences(data: tuple[np.ndarray, np.ndarray]) -> None:
    z, y = data
    z, target = z[0].astype(np.float64), int(y[0])
    value = float(cross_entropy(z, target))
    fd = numerical_grad(lambda v: float(cross_entropy(v, target)), z, h=H)
    assert np.abs(grad_logits(z, target) - fd).max() <= 100 * EPS * (1 + abs(value)) / H + H**2


@given(st.integers(2, 40), st.integers(1, 64), st.integers(0, 2**32 - 1), st.floats(-3, 4))
def test_weight_gradient_lives_on_looked_up_rows_and_matches_autograd(
    V: int, n: int, seed: int, log_scale: float
) -> None:
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((V, V)) * 10**log_scale
    xs, ys = rng.integers(0, V, n), rng.integers(0, V, n)
    dW = grad_weights(W, xs, ys, "sum")
    untouched = np.setdiff1d(np.arange(V), xs)
    assert (dW[untouched] == 0).all()
    assert np.abs(dW - autograd_grad_weights(W, xs, ys, "sum")).max() <= AUTOGRAD * n


@given(st.floats(-3, 4), st.integers(2, 64), st.integers(0, 2**32 - 1))
def test_jacobian_is_symmetric_psd_with_zero_row_sums(log_scale: float, V: int, seed: int) -> None:
    z = np.random.default_rng(seed).standard_normal(V) * 10**log_scale
    J = softmax_jacobian(z)
    assert np.array_equal(J, J.T)
    assert np.abs(J.sum(axis=1)).max() <= SUM64 * V * 2
    assert np.linalg.eigvalsh(J).min() >= -SUM64 * V * 4
    assert np.abs(J - autograd_jacobian(z)).max() <= AUTOGRAD


@given(st.integers(2, 60), st.integers(1, 2000), st.integers(0, 2**32 - 1), st.floats(-3, 2))
def test_gradient_from_counts_equals_per_example_gradient(V: int, n: int, seed: int, log_scale: float) -> None:
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((V, V)) * 10**log_scale
    xs, ys = rng.integers(0, V, n), rng.integers(0, V, n)
    per_example = grad_weights(W, xs, ys, "sum")
    from_counts = grad_from_counts(W, count_matrix(xs, ys, V))
    assert np.abs(per_example - from_counts).max() <= COUNTS * max(1.0, np.abs(per_example).max())
