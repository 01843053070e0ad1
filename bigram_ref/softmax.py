r"""Softmax, log-softmax, cross-entropy, the gradient :math:`p - t` and the softmax Jacobian.

Everything works along the last axis, on a single logit vector ``z`` of shape
``(V,)`` or a batch of shape ``(n, V)``, in float32 or float64 (the dtype is
kept; integer input is promoted to float64). Each function subtracts the row
maximum before exponentiating, so logits as large as :math:`\pm 10^4` neither
overflow nor underflow into NaN. ``-inf`` is allowed (a probability of exactly
zero, as in :func:`~bigram_ref.neural.optimal_logits`); NaN, ``+inf``, a row that is
``-inf`` everywhere and a row whose finite logits differ by more than the dtype can
hold (``1e308`` and ``-1e308`` in float64: subtracting the maximum would overflow) are
rejected with a :class:`~bigram_ref.validate.InputError`.

The guide derives each formula in :doc:`/explanation/softmax-derivative`.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bigram_ref import validate

__all__ = [
    "cross_entropy",
    "grad_logits",
    "log_softmax",
    "logsumexp",
    "one_hot",
    "softmax",
    "softmax_jacobian",
]

FloatArray = NDArray[np.floating[Any]]
Reduction = Literal["mean", "sum", "none"]


def _softmax(z: FloatArray) -> FloatArray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))  # largest entry becomes exp(0) = 1: no overflow
    p: FloatArray = e / e.sum(axis=-1, keepdims=True)
    return p


def _log_softmax(z: FloatArray) -> FloatArray:
    shifted = z - z.max(axis=-1, keepdims=True)
    logp: FloatArray = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return logp


def _logsumexp(z: FloatArray) -> FloatArray:
    m = z.max(axis=-1, keepdims=True)  # finite: validation refuses a row that is -inf everywhere
    out: FloatArray = m + np.log(np.exp(z - m).sum(axis=-1, keepdims=True))
    return out


def logsumexp(z: ArrayLike) -> FloatArray:
    r"""Log-sum-exp along the last axis, :math:`\log \sum_k e^{z_k}`, computed as :math:`m + \log \sum_k e^{z_k - m}`.

    With :math:`m = \max_k z_k` no exponential overflows. One value per row (a 0-D array
    for 1-D ``z``); :math:`\log p_j = z_j - \operatorname{logsumexp}(z)`.

    Examples
    --------
    >>> from bigram_ref import logsumexp
    >>> logsumexp([[0.0, 0.0], [1000.0, 1000.0]]).round(6).tolist()  # log 2, and 1000 + log 2
    [0.693147, 1000.693147]
    """
    return _logsumexp(validate.logits(z))[..., 0]


def softmax(z: ArrayLike) -> FloatArray:
    r"""Softmax along the last axis: :math:`p_j = e^{z_j} / \sum_k e^{z_k}`.

    Examples
    --------
    >>> from bigram_ref import softmax
    >>> softmax([0.20, -0.10, 0.05]).round(3).tolist()
    [0.384, 0.285, 0.331]
    >>> softmax([1e4, 0.0]).tolist()
    [1.0, 0.0]
    """
    return _softmax(validate.logits(z))


def log_softmax(z: ArrayLike) -> FloatArray:
    r"""Log of softmax, computed directly: :math:`z_j - \max z - \log \sum_k e^{z_k - \max z}`.

    Finite wherever :func:`softmax` underflows to 0 but the logit is finite (logits whose
    spread overflows the dtype are refused, see above).

    Examples
    --------
    >>> from bigram_ref import log_softmax
    >>> float(log_softmax([1e4, 0.0])[1])
    -10000.0
    """
    return _log_softmax(validate.logits(z))


def cross_entropy(z: ArrayLike, y: ArrayLike, reduction: Reduction = "mean") -> FloatArray:
    r"""Cross-entropy with a one-hot target: :math:`L = -\log p_y = -\sum_j t_j \log p_j`.

    A target whose logit is ``-inf`` has probability 0, and then its loss is ``inf``, the
    right answer (never NaN). The mean and the sum are accumulated in float64, whatever the
    logits' dtype, and returned as float64; a mean of finite losses is finite.

    Parameters
    ----------
    z
        Logits, shape ``(V,)`` or ``(n, V)``.
    y
        The target index (an int for 1-D ``z``) or ``n`` indices.
    reduction
        ``"mean"`` or ``"sum"`` over examples, or ``"none"`` for one loss per example.

    Raises
    ------
    InputError
        If the logits or targets are invalid, or the batch has no examples (its mean is 0 / 0).

    Examples
    --------
    >>> from bigram_ref import cross_entropy
    >>> round(float(cross_entropy([0.20, -0.10, 0.05], 1)), 4)  # -log 0.285
    1.2561
    >>> cross_entropy([[0.0, 0.0], [0.0, 0.0]], [0, 1], reduction="none").round(4).tolist()
    [0.6931, 0.6931]
    """
    z = validate.logits(z)
    if z.ndim == 2 and z.shape[0] == 0:
        raise validate.empty_batch("z")
    y = validate.indices(y, "y", z.shape[-1], shape=z.shape[:-1])
    validate.choice(reduction, "reduction", ("mean", "sum", "none"))
    losses: FloatArray = 0.0 - np.take_along_axis(_log_softmax(z), y[..., None], axis=-1)[..., 0]  # never -0.0
    if reduction == "none":
        return losses
    with np.errstate(over="ignore"):  # accumulated in float64, whatever the logits' dtype
        total = losses.sum(dtype=np.float64)
        if reduction == "sum":
            return np.asarray(total)  # inf only where the true sum is beyond float64 (or a loss is inf)
        mean = total / losses.size
        if np.isinf(mean) and np.isfinite(losses).all():  # the sum overflowed, the mean need not
            mean = (losses / np.float64(losses.size)).sum(dtype=np.float64)
    return np.asarray(mean)


def one_hot(y: ArrayLike, V: int, dtype: type[np.floating[Any]] = np.float64) -> FloatArray:
    """One-hot rows: ``one_hot(y, V)[k, j] = 1`` if ``j == y[k]`` else 0.

    Examples
    --------
    >>> from bigram_ref import one_hot
    >>> one_hot(2, 4).tolist()
    [0.0, 0.0, 1.0, 0.0]
    """
    V = validate.vocab_size(V)
    arr = validate.indices(y, "y", V)
    validate.budget((*arr.shape, V), "y", "the one-hot rows")
    out = np.zeros((*arr.shape, V), dtype=validate.float_dtype(dtype))
    np.put_along_axis(out, arr[..., None].astype(np.intp), 1, axis=-1)
    return out


def grad_logits(z: ArrayLike, y: ArrayLike) -> FloatArray:
    r"""The gradient of :math:`-\log \operatorname{softmax}(z)_y` with respect to ``z``: :math:`p - t`.

    For a batch, one gradient row per example (not summed, not averaged).
    Every row sums to zero.

    Examples
    --------
    >>> from bigram_ref import grad_logits
    >>> grad_logits([0.20, -0.10, 0.05], 1).round(3).tolist()
    [0.384, -0.715, 0.331]
    """
    z = validate.logits(z)
    y = validate.indices(y, "y", z.shape[-1], shape=z.shape[:-1])
    g = _softmax(z)  # (…, V)
    np.put_along_axis(g, y[..., None], np.take_along_axis(g, y[..., None], axis=-1) - 1, axis=-1)
    return g  # p - t: the one-hot t only subtracts 1 at the target


def softmax_jacobian(z: ArrayLike) -> FloatArray:
    r"""The softmax Jacobian :math:`J_{jl} = \partial p_j / \partial z_l = \operatorname{diag}(p) - p p^\top`.

    Symmetric, positive semi-definite, and every row sums to zero.

    Examples
    --------
    >>> from bigram_ref import softmax_jacobian
    >>> softmax_jacobian([0.0, 0.0]).tolist()
    [[0.25, -0.25], [-0.25, 0.25]]
    """
    z = validate.logits(z, ndims=(1,))
    validate.vocab_size(z.shape[0], "z")  # before the (V, V) result is made
    p = _softmax(z)  # (V,)
    return np.diag(p) - np.outer(p, p)  # (V, V)
