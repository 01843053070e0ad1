r"""Training from counts: exact full-batch steps in :math:`O(V^2)`, and Newton's method per row.

The batched view says the full-batch gradient of the summed loss depends on the
corpus only through the counts, :math:`\partial L / \partial W_{i,:} = N_i\,\hat p_i - N_{i,:}`
(:func:`~bigram_ref.neural.grad_from_counts`). The loss splits into :math:`V`
independent convex problems, one per row,

.. math::

   f_i(w) = n_i \log \sum_j e^{w_j} - \sum_j c_{ij} w_j,
   \qquad c_{ij} = N_{ij} + \alpha,\quad n_i = \sum_j c_{ij},

whose gradient is :math:`n_i p - c_i` and whose Hessian is
:math:`n_i(\operatorname{diag}(p) - p p^\top)`, the softmax Jacobian scaled by the row's
count. :func:`train_from_counts` takes a damped Newton step on every row: it converges
in a handful of steps, whatever the size of the corpus. With :math:`\alpha > 0` the
minimiser is the add-:math:`\alpha` smoothed count model (the uniform-target penalty of
:func:`~bigram_ref.neural.train`); with :math:`\alpha = 0` the logits of unseen pairs fall by
about one per step, so their probabilities vanish geometrically.

The guide's page *Why training from counts is exact* derives this.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bigram_ref.counting import as_counts
from bigram_ref.neural import TrainResult
from bigram_ref.softmax import _log_softmax, _softmax, as_logits

__all__ = ["penalised_loss", "train_from_counts"]


def penalised_loss(W: ArrayLike, N: ArrayLike, alpha: float = 0.0, l2: float = 0.0) -> float:
    r"""The mean loss per bigram from counts, with optional smoothing and L2 penalties.

    .. math::

       -\frac1n \sum_{ij} (N_{ij} + \alpha) \log p_{ij} + \lambda\,\overline{W^2}

    With ``alpha = 0`` and ``l2 = 0`` this is the average NLL of the corpus whose
    counts are ``N``. ``l2`` is the lecture's penalty, :math:`\lambda` times the mean of
    the squared weights.

    Examples
    --------
    >>> import numpy as np
    >>> from bigram_ref import penalised_loss
    >>> round(penalised_loss(np.zeros((2, 2)), [[3, 1], [0, 0]]), 6)  # log 2
    0.693147
    """
    W = as_logits(W, name="W", ndims=(2,))
    N = as_counts(N)
    if W.shape != N.shape:
        raise ValueError(f"W and N: expected the same (V, V) shape, got {W.shape} and {N.shape}")
    n = N.sum()
    if n == 0:
        raise ValueError("N: expected at least one counted bigram")
    C = N + float(alpha)  # (V, V) pseudo-counts
    W64 = W.astype(np.float64)
    logp = _log_softmax(W64)  # (V, V)
    data = -(C * np.where(C > 0, logp, 0.0)).sum() / n
    return float(data + (l2 * (W64**2).mean() if l2 else 0.0))


def _row_objective(w: NDArray[np.float64], c: NDArray[np.float64], total: float, mu: float) -> float:
    m = w.max()
    return float(total * (m + np.log(np.exp(w - m).sum())) - c @ np.where(c > 0, w, 0.0) + mu * (w @ w))


def _newton_row(w: NDArray[np.float64], c: NDArray[np.float64], mu: float) -> NDArray[np.float64]:
    """One damped Newton step on one row's convex loss (plus ``mu·|w|²``), with a backtracking line search."""
    total = float(c.sum())
    p = _softmax(w)  # (V,)
    g = total * p - c + 2 * mu * w  # (V,)
    H = total * (np.diag(p) - np.outer(p, p)) + 2 * mu * np.eye(w.size)  # (V, V); singular along 1 if mu = 0
    d = -np.linalg.lstsq(H, g, rcond=1e-12)[0]  # (minimum-norm) Newton direction
    if mu == 0:
        d -= d.mean()  # softmax ignores shifts: keep the step orthogonal to them
    f0, slope = _row_objective(w, c, total, mu), float(g @ d)
    if not slope < 0:  # already optimal to rounding, or a degenerate direction: fall back to the gradient
        d, slope = -g / max(total, 1.0), -float(g @ g) / max(total, 1.0)
        if not slope < 0:
            return w
    slack = 16 * np.finfo(np.float64).eps * max(1.0, abs(f0))  # near the optimum, f only changes by rounding
    step = 1.0
    while step > 1e-10:
        candidate = w + step * d
        if _row_objective(candidate, c, total, mu) <= f0 + 1e-4 * step * slope + slack:
            return candidate
        step *= 0.5
    return w


def train_from_counts(W: ArrayLike, N: ArrayLike, *, steps: int, alpha: float = 0.0, l2: float = 0.0) -> TrainResult:
    r"""Minimise the corpus loss from its counts alone, with one damped Newton step per row per step.

    The objective is :func:`penalised_loss`: the mean NLL, with ``alpha`` pseudo-counts
    (exactly add-``alpha`` smoothing at the optimum) and optionally the lecture's
    ``l2 * mean(W**2)`` penalty. Returns the weights and the objective before each
    step and at the end.
    Each step costs :math:`O(V^3)` (a :math:`V \times V` solve per row), independent of
    the number of bigrams.

    Examples
    --------
    >>> import numpy as np
    >>> from bigram_ref import penalised_loss, train_from_counts
    >>> from bigram_ref import optimal_logits, softmax
    >>> N = np.array([[0, 2, 1], [1, 0, 0], [1, 0, 0]])  # .a, .a, .b
    >>> result = train_from_counts(np.zeros((3, 3)), N, steps=20)
    >>> softmax(result.W[0]).round(4).tolist()
    [0.0, 0.6667, 0.3333]
    >>> round(result.losses[-1] - penalised_loss(optimal_logits(N), N), 8)
    0.0
    """
    W64: NDArray[np.float64] = np.array(as_logits(W, name="W", ndims=(2,)), dtype=np.float64)
    N = as_counts(N)
    if W64.shape != N.shape:
        raise ValueError(f"W and N: expected the same (V, V) shape, got {W64.shape} and {N.shape}")
    if not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps: expected an int >= 0, got {steps!r}")
    for name, value in (("alpha", alpha), ("l2", l2)):
        if not np.isfinite(value) or value < 0:
            raise ValueError(f"{name}: expected a finite number >= 0, got {value!r}")
    C = N + float(alpha)  # (V, V)
    V = W64.shape[0]
    mu = float(l2) * float(N.sum()) / V**2  # the mean-of-squares penalty, in the units of the summed loss
    rows = np.flatnonzero(C.sum(axis=1) > 0) if mu == 0 else np.arange(V)  # others have zero gradient
    losses = [penalised_loss(W64, N, alpha, l2)]
    for _ in range(steps):
        for i in rows:
            W64[i] = _newton_row(W64[i], C[i], mu)
        losses.append(penalised_loss(W64, N, alpha, l2))
    return TrainResult(W64, losses)
