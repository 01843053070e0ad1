r"""Training from counts: Newton's method per row, on the counts alone (:math:`O(V^4)` a step).

A full-batch gradient step from the counts costs :math:`O(V^2)`
(:func:`~bigram_ref.neural.grad_from_counts`); a Newton step solves one :math:`V \times V`
system per row, :math:`O(V^3)` each, so :math:`O(V^4)` in all.

The batched view says the full-batch gradient of the summed loss depends on the
corpus only through the counts, :math:`\partial L / \partial W_{i,:} = N_{i\cdot}\,\hat p_i - N_{i,:}`
(:func:`~bigram_ref.neural.grad_from_counts`), where :math:`\hat p_i = \operatorname{softmax}(W_{i,:})`
is the model's prediction for row :math:`i`, :math:`N_{i,:}` is row :math:`i` of the
counts and :math:`N_{i\cdot}` its total. With add-:math:`\alpha` pseudo-counts
:math:`N + \alpha` (:func:`~bigram_ref.counting.pseudo_counts`) in their place, the loss
splits into :math:`V` independent convex problems, one per row,

.. math::

   f_i(w) = (N_{i\cdot} + V\alpha) \log \sum_j e^{w_j} - \sum_j (N_{ij} + \alpha)\, w_j,

whose gradient, with :math:`p = \operatorname{softmax}(w)`, is
:math:`(N_{i\cdot} + V\alpha)\, p - (N_{i,:} + \alpha)` and whose Hessian is
:math:`(N_{i\cdot} + V\alpha)(\operatorname{diag}(p) - p p^\top)`, the softmax Jacobian scaled
by the row's total. :func:`train_from_counts` takes a damped Newton step on every row.
With :math:`\alpha > 0` every row has a minimiser with finite logits — the add-:math:`\alpha`
smoothed count model, the optimum of the uniform-target penalty of
:func:`~bigram_ref.neural.train` — and near it Newton's method converges quadratically
(the number of correct digits roughly doubles per step). With :math:`\alpha = 0` and a
zero count in a row there is no minimiser: the logits of unseen pairs fall by about one
per step, without end, so their probabilities and the gap to the optimal loss shrink
only by a constant factor per step — linear (geometric) convergence, not quadratic.

The guide's page :doc:`/explanation/training-from-counts` derives this.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bigram_ref import validate
from bigram_ref.counting import pseudo_counts
from bigram_ref.neural import TrainResult
from bigram_ref.softmax import log_softmax, logsumexp, softmax

__all__ = ["penalised_loss", "train_from_counts"]


def penalised_loss(W: ArrayLike, N: ArrayLike, alpha: float = 0.0, l2: float = 0.0) -> float:
    r"""The mean loss per bigram from counts, with optional smoothing and L2 penalties.

    .. math::

       -\frac1n \sum_{ij} (N_{ij} + \alpha) \log p_{ij} + \lambda\,\overline{W^2}

    Here :math:`n = \sum_{ij} N_{ij}` is the number of bigrams (the pseudo-counts are not
    counted in it) and :math:`p_{ij}` is :math:`\operatorname{softmax}(W_{i,:})_j`. With
    ``alpha = 0`` and ``l2 = 0`` this is the average NLL of the corpus whose counts are
    ``N``. ``l2`` is the lecture's penalty, :math:`\lambda` times the mean of the squared
    weights, :math:`\overline{W^2}`. It is ``inf`` where a pair with a (pseudo-)count has
    probability 0, or where the penalty overflows: never NaN.

    Examples
    --------
    >>> import numpy as np
    >>> from bigram_ref import penalised_loss
    >>> round(penalised_loss(np.zeros((2, 2)), [[3, 1], [0, 0]]), 6)  # log 2
    0.693147
    """
    W64 = validate.square(W).astype(np.float64)
    C = pseudo_counts(N, alpha)  # (V, V): N + α
    validate.same_shape(W64, C)
    l2 = validate.number(l2, "l2")
    n = validate.total(validate.counts(N, nonzero=True))
    logp = log_softmax(W64)  # (V, V)
    with np.errstate(over="ignore"):  # logits near the float64 limit: the objective is inf, not a warning
        data = -(C * np.where(C > 0, logp, 0.0)).sum() / n
        return float(data + (l2 * (W64**2).mean() if l2 else 0.0))


def _row_objective(w: NDArray[np.float64], c: NDArray[np.float64], total: float, mu: float) -> float:
    return float(total * logsumexp(w) - c @ np.where(c > 0, w, 0.0) + (mu * (w @ w) if mu else 0.0))


def _newton_row(w: NDArray[np.float64], c: NDArray[np.float64], mu: float) -> NDArray[np.float64]:
    """One damped Newton step on one row's convex loss (plus ``mu·|w|²``), with a backtracking line search.

    Where softmax saturates the Hessian is nearly singular and the Newton direction is useless
    (huge, or no descent): the scaled gradient is tried then, so a row far from its optimum
    still moves.
    """
    total = float(c.sum())
    p = softmax(w)  # (V,)
    g = total * p - c + 2 * mu * w  # (V,)
    H = total * (np.diag(p) - np.outer(p, p)) + 2 * mu * np.eye(w.size)  # (V, V); singular along 1 if mu = 0
    scale = max(1.0, total, 2 * mu)  # the direction is unchanged by scaling H and g; the solver is spared huge entries
    d = -np.linalg.lstsq(H / scale, g / scale, rcond=1e-12)[0]  # (minimum-norm) Newton direction
    if mu == 0:
        d -= d.mean()  # softmax ignores shifts: keep the step orthogonal to them
    f0 = _row_objective(w, c, total, mu)
    slack = 16 * np.finfo(np.float64).eps * max(1.0, abs(f0))  # near the optimum, f only changes by rounding
    for direction in (d, -g / max(total, 1.0)):  # Newton's, then the gradient's
        slope = float(g @ direction)
        step = 1.0
        while slope < 0 and step > 1e-10:
            candidate = w + step * direction
            if _row_objective(candidate, c, total, mu) <= f0 + 1e-4 * step * slope + slack:
                return candidate
            step *= 0.5
    return w


def train_from_counts(W: ArrayLike, N: ArrayLike, *, steps: int, alpha: float = 0.0, l2: float = 0.0) -> TrainResult:
    r"""Minimise the corpus loss from its counts alone, with one damped Newton step per row per step.

    The objective is :func:`penalised_loss`: the mean NLL, with ``alpha`` pseudo-counts
    (exactly add-``alpha`` smoothing at the optimum) and optionally the lecture's
    ``l2 * mean(W**2)`` penalty. Returns the weights and the objective before each
    step and at the end. Where a row's softmax saturates (logits hundreds apart) the Newton
    direction is useless and the row moves by the gradient instead, about one logit per step.
    Each step costs :math:`O(V^4)`: :math:`V` rows, each a :math:`V \times V` solve of
    :math:`O(V^3)`; it is independent of the number of bigrams.

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
    W64: NDArray[np.float64] = np.array(validate.square(W), dtype=np.float64)
    dead = np.isneginf(W64)
    if dead.any():
        k = [int(j) for j in np.argwhere(dead)[0]]
        raise validate.InputError(
            f"W{k} is -inf: Newton's method moves logits by finite steps and cannot start from a probability"
            " fixed at 0 (start from finite logits, such as zeros)"
        )
    C = pseudo_counts(N, alpha)  # (V, V): N + α
    validate.same_shape(W64, C)
    steps = validate.integer(steps, "steps")
    l2 = validate.number(l2, "l2")
    N = validate.counts(N)
    V = W64.shape[0]
    with np.errstate(over="ignore"):
        mu = float(
            np.float64(l2) * validate.total(N) / V**2
        )  # the mean-of-squares penalty, in the units of the summed loss
    if not np.isfinite(4 * mu * V):  # the Hessian's diagonal, 2·mu, summed over a row, must stay finite
        raise validate.too_large("l2", l2, "the penalty's curvature 2 · l2 · n / V² would")
    rows = np.flatnonzero(C.sum(axis=1) > 0) if mu == 0 else np.arange(V)  # others have zero gradient
    losses = [penalised_loss(W64, N, alpha, l2)]
    if not np.isfinite(losses[0]):
        raise validate.InputError(
            f"W: the objective is {losses[0]:g} before any step, so no step can lower it (start from smaller logits)"
        )
    for _ in range(steps):
        for i in rows:
            W64[i] = _newton_row(W64[i], C[i], mu)
        losses.append(penalised_loss(W64, N, alpha, l2))
    return TrainResult(W64, losses)
