r"""Softmax, log-softmax, cross-entropy, the gradient :math:`p - t` and the softmax Jacobian.

Everything works along the last axis, on a single logit vector ``z`` of shape
``(V,)`` or a batch of shape ``(n, V)``, in float32 or float64 (the dtype is
kept; integer input is promoted to float64). Each function subtracts the row
maximum before exponentiating, so logits as large as :math:`\pm 10^4` neither
overflow nor underflow into NaN. ``-inf`` is allowed (a probability of exactly
zero, as in :func:`~bigram_ref.neural.optimal_logits`); NaN, ``+inf`` and a row that is
``-inf`` everywhere are rejected with a :class:`ValueError`.

The guide derives each formula in *The softmax derivative*.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "cross_entropy",
    "grad_logits",
    "log_softmax",
    "one_hot",
    "softmax",
    "softmax_jacobian",
]

FloatArray = NDArray[np.floating[Any]]
Reduction = Literal["mean", "sum", "none"]


def as_logits(z: ArrayLike, name: str = "z", ndims: tuple[int, ...] = (1, 2)) -> FloatArray:
    """Validate logits: a float array of an allowed rank, no NaN, no ``+inf``, no all-``-inf`` row."""
    arr = np.asarray(z)
    if arr.dtype.kind in "biu":
        arr = arr.astype(np.float64)
    if arr.dtype not in (np.float32, np.float64):
        raise ValueError(f"{name}: expected float32 or float64 logits, got dtype {arr.dtype}")
    if arr.ndim not in ndims:
        want = " or ".join(f"{d}-D" for d in ndims)
        raise ValueError(f"{name}: expected a {want} array, got shape {arr.shape}")
    if arr.shape[-1] == 0:
        raise ValueError(f"{name}: expected at least one logit per row, got shape {arr.shape}")
    if np.isfinite(arr).all():  # the common case: one pass, nothing more to check
        return arr
    if np.isnan(arr).any():
        raise ValueError(f"{name}: contains NaN at index {np.argwhere(np.isnan(arr))[0].tolist()}")
    if np.isposinf(arr).any():
        raise ValueError(f"{name}: contains +inf at index {np.argwhere(np.isposinf(arr))[0].tolist()}")
    dead = np.all(np.isneginf(arr), axis=-1)
    if np.any(dead):
        where = f"row {int(np.argmax(dead))} is" if arr.ndim == 2 else "every entry is"
        raise ValueError(f"{name}: {where} -inf, which leaves no probability anywhere")
    return arr


def as_targets(y: ArrayLike, z: FloatArray, name: str = "y") -> NDArray[np.int64]:
    """Validate target indices against logits ``z``: one int per row, each in ``[0, V)``."""
    arr = np.asarray(y)
    if arr.dtype.kind not in "iu":
        raise ValueError(f"{name}: expected integer class indices, got dtype {arr.dtype}")
    if arr.shape != z.shape[:-1]:
        raise ValueError(f"{name}: expected shape {z.shape[:-1]} to match logits of shape {z.shape}, got {arr.shape}")
    V = z.shape[-1]
    bad = (arr < 0) | (arr >= V)
    if np.any(bad):
        raise ValueError(f"{name}: index {int(arr[bad].flat[0])} is out of range for V = {V}")
    return arr.astype(np.int64)


def _softmax(z: FloatArray) -> FloatArray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))  # largest entry becomes exp(0) = 1: no overflow
    p: FloatArray = e / e.sum(axis=-1, keepdims=True)
    return p


def _log_softmax(z: FloatArray) -> FloatArray:
    shifted = z - z.max(axis=-1, keepdims=True)
    logp: FloatArray = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return logp


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
    return _softmax(as_logits(z))


def log_softmax(z: ArrayLike) -> FloatArray:
    r"""Log of softmax, computed directly: :math:`z_j - \max z - \log \sum_k e^{z_k - \max z}`.

    Finite wherever :func:`softmax` underflows to 0 but the logit is finite.

    Examples
    --------
    >>> from bigram_ref import log_softmax
    >>> float(log_softmax([1e4, 0.0])[1])
    -10000.0
    """
    return _log_softmax(as_logits(z))


def cross_entropy(z: ArrayLike, y: ArrayLike, reduction: Reduction = "mean") -> FloatArray:
    r"""Cross-entropy with a one-hot target: :math:`L = -\log p_y = -\sum_j t_j \log p_j`.

    Parameters
    ----------
    z
        Logits, shape ``(V,)`` or ``(n, V)``.
    y
        The target index (an int for 1-D ``z``) or ``n`` indices.
    reduction
        ``"mean"`` or ``"sum"`` over examples, or ``"none"`` for one loss per example.

    Examples
    --------
    >>> from bigram_ref import cross_entropy
    >>> round(float(cross_entropy([0.20, -0.10, 0.05], 1)), 4)  # -log 0.285
    1.2561
    >>> cross_entropy([[0.0, 0.0], [0.0, 0.0]], [0, 1], reduction="none").round(4).tolist()
    [0.6931, 0.6931]
    """
    z = as_logits(z)
    y = as_targets(y, z)
    logp = _log_softmax(z)
    losses: FloatArray = -np.take_along_axis(logp, y[..., None], axis=-1)[..., 0]
    if reduction == "none":
        return losses
    if reduction == "sum":
        return np.asarray(losses.sum())
    if reduction == "mean":
        return np.asarray(losses.mean())
    raise ValueError(f"reduction: expected 'mean', 'sum' or 'none', got {reduction!r}")


def one_hot(y: ArrayLike, V: int, dtype: type[np.floating[Any]] = np.float64) -> FloatArray:
    """One-hot rows: ``one_hot(y, V)[k, j] = 1`` if ``j == y[k]`` else 0.

    Examples
    --------
    >>> from bigram_ref import one_hot
    >>> one_hot(2, 4).tolist()
    [0.0, 0.0, 1.0, 0.0]
    """
    if not isinstance(V, int | np.integer) or V < 1:
        raise ValueError(f"V: expected a positive int, got {V!r}")
    arr = np.asarray(y)
    if arr.dtype.kind not in "iu":
        raise ValueError(f"y: expected integer indices, got dtype {arr.dtype}")
    if np.any((arr < 0) | (arr >= V)):
        raise ValueError(f"y: index {int(arr[(arr < 0) | (arr >= V)].flat[0])} is out of range for V = {V}")
    out = np.zeros((*arr.shape, V), dtype=dtype)
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
    z = as_logits(z)
    y = as_targets(y, z)
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
    z = as_logits(z, ndims=(1,))
    p = _softmax(z)  # (V,)
    return np.diag(p) - np.outer(p, p)  # (V, V)
