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
reports where the largest entry-wise difference is. Near an optimum the gradient itself
shrinks toward the finite differences' own rounding error, and no relative measure can
confirm it there; :func:`check_grad` therefore also estimates that error, the *noise*
:math:`\sqrt{m}\,\epsilon \max|f| / h` over the :math:`m` entries, and accepts a
difference no larger than it. The guide's how-to :doc:`/how-to/check-your-gradient`
explains the choice and walks through it.
"""

from __future__ import annotations

import dataclasses
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
    return _differences(f, w, h)[0]


def _differences(
    f: Callable[[NDArray[np.float64]], float], w: ArrayLike, h: float
) -> tuple[NDArray[np.float64], float]:
    """Central differences of ``f`` at ``w``, and the largest ``|f|`` seen (for the rounding noise)."""
    try:
        w = np.array(w, dtype=np.float64)  # a copy: the probes write into it
    except (TypeError, ValueError):
        raise validate.InputError("w: expected finite values to differentiate at") from None
    if not np.all(np.isfinite(w)):
        raise validate.InputError("w: expected finite values to differentiate at")
    h = validate.number(h, "h", positive=True)
    grad = np.zeros_like(w)
    largest = 0.0
    for k in np.ndindex(w.shape):
        old = w[k]
        for sign in (1.0, -1.0):
            w[k] = old + sign * h
            if w[k] == old:
                raise validate.InputError(f"h = {h:g} is too small for w{list(k)} = {old:g}: w + h == w")
            value = float(f(w))
            if not np.isfinite(value):
                raise validate.InputError(
                    f"f: not finite ({value}) at w{list(k)} {'+' if sign > 0 else '-'} h (h = {h:g}): "
                    "finite differences need a finite f near w"
                )
            largest = max(largest, abs(value))
            if sign > 0:
                up = value
        w[k] = old
        grad[k] = (up - value) / (2 * h)
    return grad, largest


@dataclass(frozen=True)
class GradCheck:
    r"""The result of :func:`compare`: the norm-relative error, the largest entry-wise difference, and where.

    ``diff`` is :math:`\lVert a - r \rVert` itself, and ``noise`` the size of difference that
    finite differences cannot resolve (0 unless :func:`check_grad` estimated it).
    """

    error: float
    max_abs: float
    where: tuple[int, ...]
    diff: float = 0.0
    noise: float = 0.0

    def ok(self, rtol: float = 1e-6) -> bool:
        """True when the norm-relative error is at most ``rtol``, or the difference is within the noise."""
        return self.error <= rtol or self.diff <= self.noise


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
    a = _gradient(analytic, "analytic")
    r = _gradient(reference, "reference")
    if a.shape != r.shape:
        raise validate.InputError(f"analytic and reference: expected the same shape, got {a.shape} and {r.shape}")
    if a.size == 0:
        raise validate.InputError("analytic and reference: expected non-empty, finite gradients")
    unit = max(float(np.abs(a).max()), float(np.abs(r).max()))
    if unit == 0.0:  # two zero gradients agree
        return GradCheck(0.0, 0.0, (0,) * a.ndim)
    # divided by their largest entry first: no overflow near 1e308, no underflow near 1e-308
    a, r = a / unit, r / unit
    diff = np.abs(a - r)
    error = float(np.linalg.norm(diff)) / max(float(np.linalg.norm(a)), float(np.linalg.norm(r)))
    worst = np.unravel_index(int(np.argmax(diff)), diff.shape)
    with np.errstate(over="ignore"):  # sizes near float64's limit may print as inf; the error above is exact
        return GradCheck(
            error, float(diff.max()) * unit, tuple(int(k) for k in worst), float(np.linalg.norm(diff)) * unit
        )


def _gradient(x: ArrayLike, name: str) -> NDArray[np.float64]:
    """A gradient to compare: numbers, finite (the message names both arguments, as one rule)."""
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise validate.InputError("analytic and reference: expected non-empty, finite gradients") from None
    if not np.all(np.isfinite(arr)):
        raise validate.InputError("analytic and reference: expected non-empty, finite gradients")
    return arr


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
    reference, largest = _differences(f, w, h)
    w = np.asarray(w, dtype=np.float64)
    report = compare(grad(w.copy()), reference)
    noise = float(np.sqrt(w.size)) * float(np.finfo(np.float64).eps) * largest / float(h)
    return dataclasses.replace(report, noise=noise)
