r"""Gradient checking: central finite differences and a worst-error report.

For a scalar function :math:`f` of an array :math:`w`, the central difference
:math:`(f(w + h e_k) - f(w - h e_k)) / 2h` approximates :math:`\partial f / \partial w_k`
with truncation error :math:`O(h^2)` and a rounding error of about
:math:`\epsilon |f| / h` (:math:`\epsilon \approx 2 \times 10^{-16}` in float64). The
default :math:`h = 10^{-5}` balances the two for losses of order 1 to 100, leaving
relative errors near :math:`10^{-7}` for a correct analytic gradient: a worst
relative error below :math:`10^{-6}` passes, and a wrong formula (errors of order
1) fails loudly. The guide's how-to *Check the gradient of your own
function* walks through it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["GradCheck", "check_grad", "compare", "numerical_grad"]


def numerical_grad(f: Callable[[NDArray[np.float64]], float], w: ArrayLike, h: float = 1e-5) -> NDArray[np.float64]:
    """Central finite-difference gradient of a scalar function ``f`` at ``w``, in float64.

    Examples
    --------
    >>> from bigram_ref import numerical_grad
    >>> numerical_grad(lambda w: float((w ** 2).sum()), [1.0, -2.0]).round(6).tolist()
    [2.0, -4.0]
    """
    w = np.array(w, dtype=np.float64)
    if not np.all(np.isfinite(w)):
        raise ValueError("w: expected finite values to differentiate at")
    if not h > 0:
        raise ValueError(f"h: expected a positive step, got {h!r}")
    grad = np.zeros_like(w)
    for k in np.ndindex(w.shape):
        old = w[k]
        w[k] = old + h
        up = float(f(w))
        w[k] = old - h
        down = float(f(w))
        w[k] = old
        grad[k] = (up - down) / (2 * h)
    return grad


@dataclass(frozen=True)
class GradCheck:
    """The result of :func:`compare`: the worst absolute and relative errors, and where."""

    max_abs: float
    max_rel: float
    where: tuple[int, ...]

    def ok(self, rtol: float = 1e-6) -> bool:
        """True when the worst relative error is at most ``rtol``."""
        return self.max_rel <= rtol


def compare(analytic: ArrayLike, reference: ArrayLike, floor: float = 1e-8) -> GradCheck:
    r"""Compare two gradients entry by entry: :math:`|a - r| / \max(|a|, |r|, \text{floor})`.

    The ``floor`` keeps entries that are both (nearly) zero from dividing by zero.

    Examples
    --------
    >>> from bigram_ref import compare
    >>> compare([1.0, 2.0], [1.0, 2.002]).max_rel < 1e-3
    True
    """
    a = np.asarray(analytic, dtype=np.float64)
    r = np.asarray(reference, dtype=np.float64)
    if a.shape != r.shape:
        raise ValueError(f"analytic and reference: expected the same shape, got {a.shape} and {r.shape}")
    if a.size == 0 or not (np.all(np.isfinite(a)) and np.all(np.isfinite(r))):
        raise ValueError("analytic and reference: expected non-empty, finite gradients")
    diff = np.abs(a - r)
    rel = diff / np.maximum(np.maximum(np.abs(a), np.abs(r)), floor)
    worst = np.unravel_index(int(np.argmax(rel)), rel.shape)
    return GradCheck(float(diff.max()), float(rel.max()), tuple(int(k) for k in worst))


def check_grad(
    f: Callable[[NDArray[np.float64]], float],
    grad: Callable[[NDArray[np.float64]], NDArray[np.floating[Any]]],
    w: ArrayLike,
    h: float = 1e-5,
) -> GradCheck:
    """Check an analytic gradient function against central finite differences at ``w``.

    Examples
    --------
    >>> import numpy as np
    >>> from bigram_ref import check_grad
    >>> result = check_grad(lambda w: float(np.sin(w).sum()), np.cos, [0.1, 0.7])
    >>> result.ok()
    True
    >>> check_grad(lambda w: float(np.sin(w).sum()), np.sin, [0.1, 0.7]).ok()  # wrong derivative
    False
    """
    w = np.array(w, dtype=np.float64)
    return compare(grad(w.copy()), numerical_grad(f, w, h))
