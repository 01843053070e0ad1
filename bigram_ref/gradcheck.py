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
difference no larger than it. Where the noise is more than :data:`RESOLUTION` (1%) of the
gradient's norm, as when :math:`|f|` is huge and the gradient is not, the finite differences
cannot check the gradient at all: the check is *inconclusive*, and
:meth:`GradCheck.ok` is False. The guide's how-to :doc:`/how-to/check-your-gradient`
explains the choice and walks through it.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bigram_ref import validate

__all__ = ["RESOLUTION", "GradCheck", "check_grad", "compare", "numerical_grad"]

RESOLUTION = 0.01
"""The largest noise, as a fraction of the gradient's norm, at which :func:`check_grad` can judge a gradient."""


def numerical_grad(f: Callable[[NDArray[np.float64]], float], w: ArrayLike, h: float = 1e-5) -> NDArray[np.float64]:
    """Central finite-difference gradient of a scalar function ``f`` at ``w``, in float64.

    ``f`` must return one real number (a Python or NumPy float or int), finite at every
    point :math:`w \\pm h e_k`; anything else raises an :class:`~bigram_ref.validate.InputError`
    that names the point. ``f`` is given a read-only array, so an ``f`` that writes into its
    argument raises NumPy's ``ValueError`` at once instead of corrupting the probes.

    Examples
    --------
    >>> from bigram_ref import numerical_grad
    >>> numerical_grad(lambda w: float((w ** 2).sum()), [1.0, -2.0]).round(6).tolist()
    [2.0, -4.0]
    """
    return _differences(_function(f, "f"), _point(w), h)[0]


def _function(f: object, name: str) -> Callable[[NDArray[np.float64]], Any]:
    """A function of the point ``w``, such as ``f`` or ``grad``."""
    if not callable(f):
        raise validate.InputError(f"{name}: expected a function of w, got {f!r:.40}")
    return f


def _point(w: ArrayLike) -> NDArray[np.float64]:
    """The point to differentiate at: finite real numbers, as a float64 copy (the probes write into it)."""
    return _finite(w, "w", "w: expected finite values to differentiate at")


def _finite(x: object, name: str, message: str) -> NDArray[np.float64]:
    """``x`` as an array (:func:`~bigram_ref.validate.array`) of finite real numbers, as a float64 copy."""
    arr = validate.array(x, name)
    if arr.dtype.kind not in "biuf" or not np.all(np.isfinite(arr)):
        raise validate.InputError(message)
    return arr.astype(np.float64)


def _differences(
    f: Callable[[NDArray[np.float64]], float], w: NDArray[np.float64], h: float
) -> tuple[NDArray[np.float64], float]:
    """Central differences of ``f`` at ``w`` (which the probes write into), and the largest ``|f|`` seen."""
    h = validate.number(h, "h", positive=True)
    grad = np.zeros_like(w)
    largest = 0.0
    seen = w.view()  # what f is given: read-only, so an f that writes into w fails at once, not silently
    seen.flags.writeable = False
    for k in np.ndindex(w.shape):
        old = w[k]
        for sign in (1.0, -1.0):
            with np.errstate(over="ignore"):
                w[k] = old + sign * h
            if not np.isfinite(w[k]):
                raise validate.InputError(f"h = {h:g} is too large for w{list(k)} = {old:g}: w ± h overflows")
            if w[k] == old:
                raise validate.InputError(f"h = {h:g} is too small for w{list(k)} = {old:g}: w + h == w")
            where = f" at w{list(k)} {'+' if sign > 0 else '-'} h"
            value = validate.real(f(seen), "f", where)
            if not np.isfinite(value):
                raise validate.InputError(
                    f"f: not finite ({value}){where} (h = {h:g}): finite differences need a finite f near w"
                )
            largest = max(largest, abs(value))
            if sign > 0:
                up = value
        w[k] = old
        with np.errstate(over="ignore"):
            grad[k] = (up - value) / 2 / h  # halved first: 2 · h may overflow where h does not
        if not np.isfinite(grad[k]):
            raise validate.InputError(
                f"f: its central difference at w{list(k)} (h = {h:g}) is beyond float64: f(w + h) = {up:g},"
                f" f(w - h) = {value:g}"
            )
    return grad, largest


@dataclass(frozen=True)
class GradCheck:
    r"""The result of :func:`compare`: the norm-relative error, the largest entry-wise difference, and where.

    ``diff`` is :math:`\lVert a - r \rVert` itself, ``norm`` is
    :math:`\max(\lVert a \rVert, \lVert r \rVert)`, and ``noise`` the size of difference that
    finite differences cannot resolve (0 unless :func:`check_grad` estimated it). ``error`` is
    computed on the gradients scaled by their largest entry, so it is exact at any size, while
    ``max_abs``, ``diff`` and ``norm`` are in the gradients' own units and may be ``inf`` for
    gradients near float64's limit. Each is a number >= 0, NaN never; one built by hand is
    checked so.

    Examples
    --------
    >>> from bigram_ref import check_grad
    >>> huge = check_grad(lambda w: 1e12 + float(w @ w), lambda w: 3 * w, [1.0, 2.0])  # wrong: 3w, not 2w
    >>> huge.conclusive, huge.ok()
    (False, False)
    >>> print(huge.verdict())
    inconclusive: the finite differences' noise, 3.1e+01, is over 1% of the larger gradient norm, 6.7e+00
    """

    error: float
    max_abs: float
    where: tuple[int, ...]
    diff: float = 0.0
    noise: float = 0.0
    norm: float = 0.0

    def __post_init__(self) -> None:
        for field in ("error", "max_abs", "diff", "noise", "norm"):
            value = validate.real(getattr(self, field), field)
            if not value >= 0:  # NaN too
                raise validate.InputError(f"{field}: expected a number >= 0, got {validate.shown(value)}")
            object.__setattr__(self, field, value)
        where = self.where
        if not isinstance(where, tuple) or not all(isinstance(k, int) and not isinstance(k, bool) for k in where):
            raise validate.InputError(f"where: expected a tuple of indices, got {validate.shown(where)}")

    @property
    def conclusive(self) -> bool:
        """Whether finite differences can judge this gradient, as they can if the noise is finite and
        ``noise <= RESOLUTION * norm``."""
        return math.isfinite(self.noise) and self.noise <= RESOLUTION * self.norm

    def ok(self, rtol: float = 1e-6) -> bool:
        """True when the check is conclusive and the error is at most ``rtol``, or the difference within the noise.

        A difference within the noise passes whatever ``rtol`` is, so a passing gradient's error is
        at most ``max(rtol, noise / norm)``, and a conclusive check keeps ``noise / norm`` at most
        :data:`RESOLUTION` (1%). For a strict bound, test ``error <= rtol`` yourself;
        :meth:`verdict` says which way a gradient passed.
        """
        rtol = validate.number(rtol, "rtol")
        return self.conclusive and (self.error <= rtol or (self.noise > 0 and self.diff <= self.noise))

    def verdict(self, rtol: float = 1e-6) -> str:
        """:meth:`ok`'s answer in words, with its reason: ``ok: ...``, ``wrong: ...`` or ``inconclusive: ...``."""
        passed = self.ok(rtol)
        if not self.conclusive:
            return (
                f"inconclusive: the finite differences' noise, {self.noise:.1e}, is over {RESOLUTION:.0%} "
                f"of the larger gradient norm, {self.norm:.1e}"
            )
        if passed and self.error <= rtol:
            return f"ok: error {self.error:.1e} <= rtol {rtol:g}"
        if passed:
            within = f"the difference, {self.diff:.1e}, is within the noise, {self.noise:.1e}"
            return f"ok: error {self.error:.1e}, but {within}"
        within = f" and the difference, {self.diff:.1e}, is above the noise, {self.noise:.1e}" if self.noise else ""
        return f"wrong: error {self.error:.1e} > rtol {rtol:g}{within}; the largest difference is at {self.where}"


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
    norm = max(float(np.linalg.norm(a)), float(np.linalg.norm(r)))
    error = float(np.linalg.norm(diff)) / norm
    worst = np.unravel_index(int(np.argmax(diff)), diff.shape)
    with np.errstate(over="ignore"):  # sizes near float64's limit may print as inf; the error above is exact
        return GradCheck(
            error,
            float(diff.max()) * unit,
            tuple(int(k) for k in worst),
            float(np.linalg.norm(diff)) * unit,
            norm=norm * unit,
        )


def _gradient(x: ArrayLike, name: str) -> NDArray[np.float64]:
    """A gradient to compare: finite real numbers (the message names both arguments, as one rule)."""
    return _finite(x, name, "analytic and reference: expected non-empty, finite gradients")


def check_grad(
    f: Callable[[NDArray[np.float64]], float],
    grad: Callable[[NDArray[np.float64]], NDArray[np.floating[Any]]],
    w: ArrayLike,
    h: float = 1e-5,
) -> GradCheck:
    """Check an analytic gradient function against central finite differences at ``w``.

    The result also holds the finite differences' rounding noise: a difference within it
    passes, and where it is more than :data:`RESOLUTION` of the gradient's norm the check is
    inconclusive (:attr:`GradCheck.conclusive`), so :meth:`GradCheck.ok` is False whatever the
    gradient, and :meth:`GradCheck.verdict` says why. That happens where :math:`|f|` is huge
    next to the gradient, and also where the gradient is zero, as at an exact optimum: the
    finite differences then see only their own noise, so check at a point away from it.

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
    w = _point(w)
    grad = _function(grad, "grad")
    reference, largest = _differences(_function(f, "f"), w.copy(), h)
    report = compare(grad(w.copy()), reference)
    noise = float(np.sqrt(w.size)) * float(np.finfo(np.float64).eps) * largest / float(h)
    return dataclasses.replace(report, noise=noise)
