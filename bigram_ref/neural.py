r"""The neural bigram model: :math:`z = x W`, :math:`p = \operatorname{softmax}(z)`, :math:`L = -\log p_y`.

``W`` is a (V, V) matrix of logits. The input one-hot :math:`x` of the current
index ``i`` selects row ``i``: :math:`x W = W_{i,:}`. The target ``y`` never
enters the forward pass; it only picks :math:`p_y` in the loss. The backward
pass is written by hand: :math:`\partial L / \partial z = p - t`, and
:math:`\partial L / \partial W = x \otimes (p - t)`, which is zero outside row ``i``.

Summed over a corpus and grouped by current index, the gradient depends on the
data only through the counts: :math:`\partial L / \partial W_{i,:} = N_i (\hat p_i - \tilde p_i)`
(:func:`grad_from_counts`). The guide derives this in *The batched view*.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bigram_ref.counting import as_counts
from bigram_ref.softmax import as_logits, cross_entropy, grad_logits, log_softmax, one_hot, softmax

__all__ = [
    "TrainResult",
    "forward_lookup",
    "forward_onehot",
    "grad_from_counts",
    "grad_weights",
    "init_weights",
    "loss",
    "optimal_logits",
    "train",
]

FloatArray = NDArray[np.floating[Any]]
Reduction = Literal["mean", "sum"]


def init_weights(V: int, seed: int, scale: float = 1.0) -> NDArray[np.float64]:
    """Seeded standard-normal initial logits ``W`` of shape (V, V), times ``scale``.

    Examples
    --------
    >>> from bigram_ref import init_weights
    >>> init_weights(3, seed=0).shape
    (3, 3)
    """
    if not isinstance(V, int | np.integer) or V < 1:
        raise ValueError(f"V: expected a positive int, got {V!r}")
    return scale * np.random.default_rng(seed).standard_normal((V, V))


def _check(W: ArrayLike, xs: ArrayLike, ys: ArrayLike | None = None) -> tuple[FloatArray, NDArray[np.int64]]:
    W = as_logits(W, name="W", ndims=(2,))
    if W.shape[0] != W.shape[1]:
        raise ValueError(f"W: expected a square (V, V) matrix, got shape {W.shape}")
    V = W.shape[0]
    xs = np.asarray(xs)
    if xs.ndim != 1 or (xs.size and xs.dtype.kind not in "iu"):
        raise ValueError(f"xs: expected a 1-D array of integer indices, got shape {xs.shape}, dtype {xs.dtype}")
    if xs.size == 0:
        raise ValueError("xs: expected at least one example")
    if np.any((xs < 0) | (xs >= V)):
        raise ValueError(f"xs: index {int(xs[(xs < 0) | (xs >= V)][0])} is out of range for V = {V}")
    if ys is not None and np.shape(ys) != xs.shape:
        raise ValueError(f"ys: expected shape {xs.shape} to match xs, got {np.shape(ys)}")
    return W, xs.astype(np.int64)


def forward_onehot(W: ArrayLike, xs: ArrayLike) -> FloatArray:
    """Logits as the explicit product ``one_hot(xs) @ W``, shape (n, V).

    Examples
    --------
    >>> import numpy as np
    >>> from bigram_ref import forward_onehot
    >>> W = np.arange(9.0).reshape(3, 3)
    >>> forward_onehot(W, [2, 0]).tolist()
    [[6.0, 7.0, 8.0], [0.0, 1.0, 2.0]]
    """
    W, xs = _check(W, xs)
    X = one_hot(xs, W.shape[0], dtype=W.dtype.type)  # (n, V)
    return X @ W  # (n, V)


def forward_lookup(W: ArrayLike, xs: ArrayLike) -> FloatArray:
    """Logits as the row lookup ``W[xs]``, equal to :func:`forward_onehot` (and cheaper).

    Examples
    --------
    >>> import numpy as np
    >>> from bigram_ref import forward_lookup, forward_onehot
    >>> W = np.arange(9.0).reshape(3, 3)
    >>> bool((forward_lookup(W, [2, 0]) == forward_onehot(W, [2, 0])).all())
    True
    """
    W, xs = _check(W, xs)
    return W[xs]  # (n, V)


def loss(W: ArrayLike, xs: ArrayLike, ys: ArrayLike, reduction: Reduction = "mean") -> float:
    r"""The cross-entropy of the examples ``xs -> ys``: mean (default) or sum of :math:`-\log p_y`.

    Examples
    --------
    >>> import numpy as np
    >>> from bigram_ref import loss
    >>> round(loss(np.zeros((3, 3)), [0, 1], [1, 2]), 6)  # uniform: log 3
    1.098612
    """
    W, xs = _check(W, xs, ys)
    if reduction not in ("mean", "sum"):
        raise ValueError(f"reduction: expected 'mean' or 'sum', got {reduction!r}")
    return float(cross_entropy(W[xs], ys, reduction=reduction))


def grad_weights(W: ArrayLike, xs: ArrayLike, ys: ArrayLike, reduction: Reduction = "mean") -> FloatArray:
    r"""The hand-written backward pass: :math:`\partial L / \partial W = \sum_k x_k \otimes (p_k - t_k)`.

    Each example adds the outer product of its input one-hot with ``p - t``,
    so only the rows of ``W`` that were looked up receive gradient. With
    ``reduction="mean"`` the sum is divided by the number of examples.

    Examples
    --------
    >>> import numpy as np
    >>> from bigram_ref import grad_weights
    >>> g = grad_weights(np.zeros((3, 3)), [1], [2], reduction="sum")
    >>> g.round(3).tolist()
    [[0.0, 0.0, 0.0], [0.333, 0.333, -0.667], [0.0, 0.0, 0.0]]
    """
    return _loss_and_grad(W, xs, ys, reduction)[1]


def _loss_and_grad(W: ArrayLike, xs: ArrayLike, ys: ArrayLike, reduction: Reduction) -> tuple[float, FloatArray]:
    """One forward and one backward pass: the loss and the hand-written ∂L/∂W."""
    W, xs = _check(W, xs, ys)
    if reduction not in ("mean", "sum"):
        raise ValueError(f"reduction: expected 'mean' or 'sum', got {reduction!r}")
    X = one_hot(xs, W.shape[0], dtype=W.dtype.type)  # (n, V)
    z = X @ W  # (n, V): row xs[k] of W for each example
    dz = grad_logits(z, ys)  # (n, V): p - t, one row per example
    dW = X.T @ dz  # (V, V): sum of outer products x_k ⊗ (p_k - t_k)
    total = float(cross_entropy(z, ys, reduction="sum"))
    if reduction == "mean":
        return total / len(xs), dW / len(xs)
    return total, dW


def grad_from_counts(W: ArrayLike, N: ArrayLike) -> NDArray[np.float64]:
    r"""The summed-loss gradient from the counts alone: :math:`N_i \operatorname{softmax}(W_i) - N[i, :]`.

    Equal to :func:`grad_weights` with ``reduction="sum"`` on any corpus whose
    counts are ``N`` (divide by ``N.sum()`` for the mean loss), in O(V²) work.

    Examples
    --------
    >>> import numpy as np
    >>> from bigram_ref import grad_from_counts
    >>> grad_from_counts(np.zeros((2, 2)), [[3, 1], [0, 0]]).tolist()
    [[-1.0, 1.0], [0.0, 0.0]]
    """
    N = as_counts(N)
    W = as_logits(W, name="W", ndims=(2,))
    if W.shape != N.shape:
        raise ValueError(f"W and N: expected the same (V, V) shape, got {W.shape} and {N.shape}")
    n_i = N.sum(axis=1, keepdims=True)  # (V, 1): examples per current index
    grad: NDArray[np.float64] = n_i * softmax(W.astype(np.float64)) - N  # (V, V) = N_i (p̂_i − p̃_i)
    return grad


def optimal_logits(N: ArrayLike) -> NDArray[np.float64]:
    r"""The closed-form minimiser of the summed loss: :math:`W^*_{ij} = \log (N_{ij} / \sum_k N_{ik})`.

    ``-inf`` where a count is zero (that probability must be exactly 0); rows
    with no counts at all are left at 0 (any logits are optimal there).

    Examples
    --------
    >>> from bigram_ref import optimal_logits
    >>> optimal_logits([[2, 1, 0], [0, 0, 0], [1, 1, 1]]).round(4).tolist()
    [[-0.4055, -1.0986, -inf], [0.0, 0.0, 0.0], [-1.0986, -1.0986, -1.0986]]
    """
    N = as_counts(N)
    totals = N.sum(axis=1, keepdims=True)  # (V, 1)
    with np.errstate(divide="ignore"):
        W = np.log(N) - np.log(np.where(totals > 0, totals, 1.0))
    W[totals[:, 0] == 0] = 0.0
    return W


@dataclass(frozen=True)
class TrainResult:
    """The outcome of :func:`train`: final weights and the loss before each step and at the end."""

    W: NDArray[np.float64]
    losses: list[float]


def train(
    W: ArrayLike,
    xs: ArrayLike,
    ys: ArrayLike,
    *,
    lr: float,
    steps: int,
    alpha: float = 0.0,
) -> TrainResult:
    r"""Full-batch gradient descent on the mean loss, with the hand-written backward pass.

    ``W ← W − lr · ∂L/∂W`` for ``steps`` steps. With ``alpha > 0`` the loss
    gains the term :math:`\frac{\alpha}{n}\sum_i \sum_j -\log p_{ij}` (a uniform
    target for every row), whose exact minimiser is the add-``alpha`` smoothed
    count model: training then converges to those probabilities with finite logits.

    Examples
    --------
    >>> import numpy as np
    >>> from bigram_ref import softmax, train
    >>> xs, ys = np.array([0, 0, 0]), np.array([1, 1, 2])  # .a, .a, .b
    >>> result = train(np.zeros((3, 3)), xs, ys, lr=2.0, steps=500)
    >>> softmax(result.W[0]).round(2).tolist()
    [0.0, 0.67, 0.33]
    """
    W64: NDArray[np.float64] = np.array(W, dtype=np.float64)
    _, xs = _check(W64, xs, ys)
    if not (np.isfinite(lr) and lr > 0) or steps < 0:
        raise ValueError(f"lr and steps: expected lr > 0 and steps >= 0, got {lr!r} and {steps!r}")
    if not np.isfinite(alpha) or alpha < 0:
        raise ValueError(f"alpha: expected a finite number >= 0, got {alpha!r}")
    n = len(xs)
    prior = np.full(W64.shape, float(alpha))  # (V, V): α pseudo-counts in every cell

    def step(W: FloatArray) -> tuple[float, FloatArray]:
        data, dW = _loss_and_grad(W, xs, ys, reduction="sum")  # only looked-up rows are non-zero
        penalty = float(alpha) * -log_softmax(W).sum()
        dW += grad_from_counts(W, prior)  # the uniform-target term: α·V·p_i − α
        return float(data + penalty) / n, dW / n

    losses = []
    for _ in range(steps):
        value, dW = step(W64)
        losses.append(value)
        W64 = W64 - lr * dW
    losses.append(step(W64)[0])
    return TrainResult(W64, losses)
