r"""Gradient checking: central finite differences and an error measure for whole gradients.

For a scalar function :math:`f` of an array :math:`w`, the central difference
:math:`(f(w + h e_k) - f(w - h e_k)) / 2h` approximates :math:`\partial f / \partial w_k`
with truncation error :math:`O(h^2)` and a rounding error of about
:math:`\epsilon |f| / h` (:math:`\epsilon` is float64's machine epsilon). Both are
absolute errors, of about the same size in every entry, so an entry that is itself
close to zero can have a large *relative* error even when the gradient is right.
:func:`compare` therefore measures the whole gradient at once,

.. math::

   \text{error} = \frac{\lVert a - r \rVert}{\max(\lVert a \rVert, \lVert r \rVert)},

the size of the difference relative to the size of the gradient (Frobenius norms), and
reports where the largest entry-wise difference is. The guide's how-to *Check the
gradient of your own function* explains the choice and walks through it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bigram_ref import validate

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
        raise validate.InputError("w: expected finite values to differentiate at")
    h = validate.number(h, "h", positive=True)
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
    """The result of :func:`compare`: the norm-relative error, the largest entry-wise difference, and where."""

    error: float
    max_abs: float
    where: tuple[int, ...]

    def ok(self, rtol: float = 1e-6) -> bool:
        """True when the norm-relative error is at most ``rtol``."""
        return self.error <= rtol


def compare(analytic: ArrayLike, reference: ArrayLike) -> GradCheck:
    r"""Compare two gradients: :math:`\lVert a - r \rVert / \max(\lVert a \rVert, \lVert r \rVert)`.

    Entries near zero weigh by their size, not by their relative error, so the rounding
    noise of finite differences in an entry of :math:`10^{-7}` cannot fail a correct
    gradient. Also reported: the largest absolute difference :math:`\max_k |a_k - r_k|`
    and its index. Two zero gradients agree (error 0).

    Examples
    --------
    >>> from bigram_ref import compare
    >>> report = compare([1.0, 2.0, 0.0], [1.0, 2.002, 0.0])
    >>> round(report.error, 6), report.where
    (0.000894, (1,))
    """
    a = np.asarray(analytic, dtype=np.float64)
    r = np.asarray(reference, dtype=np.float64)
    if a.shape != r.shape:
        raise validate.InputError(f"analytic and reference: expected the same shape, got {a.shape} and {r.shape}")
    if a.size == 0 or not (np.all(np.isfinite(a)) and np.all(np.isfinite(r))):
        raise validate.InputError("analytic and reference: expected non-empty, finite gradients")
    diff = np.abs(a - r)
    scale = max(float(np.linalg.norm(a)), float(np.linalg.norm(r)))
    error = float(np.linalg.norm(diff)) / scale if scale > 0 else 0.0
    worst = np.unravel_index(int(np.argmax(diff)), diff.shape)
    return GradCheck(error, float(diff.max()), tuple(int(k) for k in worst))


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
