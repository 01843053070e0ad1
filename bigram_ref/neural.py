r"""The neural bigram model: :math:`z = x W`, :math:`p = \operatorname{softmax}(z)`, :math:`L = -\log p_y`.

``W`` is a (V, V) matrix of logits. The input one-hot :math:`x` of the current
index ``i`` selects row ``i``: :math:`x W = W_{i,:}`. The target ``y`` never
enters the forward pass; it only picks :math:`p_y` in the loss. The backward
pass is written by hand: :math:`\partial L / \partial z = p - t`, and
:math:`\partial L / \partial W = x \otimes (p - t)`, which is zero outside row ``i``.

:func:`forward_onehot` and :func:`grad_weights` spell this with the one-hot matrix, as
the guide does; :func:`loss_and_grad` (which :func:`train` uses) computes the same numbers
by the row lookup ``W[xs]`` and a scatter-add of :math:`p - t` into the looked-up rows,
a chunk of examples at a time, so no (bigrams, V) array is ever held whole.

Summed over a corpus and grouped by current index, the gradient depends on the
data only through the counts: :math:`\partial L / \partial W_{i,:} = N_{i\cdot} (\hat p_i - \tilde p_i)`,
with :math:`\hat p_i = \operatorname{softmax}(W_{i,:})` the model's prediction for row
:math:`i`, :math:`N_{i\cdot} = \sum_k N_{ik}` the total of row :math:`N_{i,:}` and
:math:`\tilde p_i = N_{i,:} / N_{i\cdot}` its counted distribution
(:func:`grad_from_counts`). The guide derives this in :doc:`/explanation/batched-view`.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bigram_ref import validate
from bigram_ref.counting import pseudo_counts
from bigram_ref.softmax import cross_entropy, grad_logits, log_softmax, one_hot, softmax

__all__ = [
    "CHUNK_ENTRIES",
    "TrainResult",
    "TrainingDiverged",
    "descend",
    "forward_lookup",
    "forward_onehot",
    "grad_from_counts",
    "grad_weights",
    "init_weights",
    "loss",
    "loss_and_grad",
    "optimal_logits",
    "train",
]

FloatArray = NDArray[np.floating[Any]]
Reduction = Literal["mean", "sum"]

CHUNK_ENTRIES = 1 << 20
"""Examples are processed in chunks of about this many logits (8 MiB of float64)."""


def init_weights(V: int, seed: int, scale: float = 1.0) -> NDArray[np.float64]:
    """Seeded standard-normal initial logits ``W`` of shape (V, V), times ``scale``.

    A ``scale`` so large that an entry of ``W`` overflows float64 is refused.

    Examples
    --------
    >>> from bigram_ref import init_weights
    >>> init_weights(3, seed=0).shape
    (3, 3)
    """
    V = validate.vocab_size(V)
    seed = validate.integer(seed, "seed")
    scale = validate.number(scale, "scale")
    with np.errstate(over="ignore"):
        W = scale * np.random.default_rng(seed).standard_normal((V, V))  # (V, V)
    if not np.isfinite(W).all():
        raise validate.too_large("scale", scale, "the logits scale * N(0, 1)")
    return W


def _check(W: ArrayLike, xs: ArrayLike) -> tuple[FloatArray, NDArray[np.int64]]:
    W = validate.square(W)
    return W, validate.batch(xs, W.shape[0])


def _check_pairs(W: ArrayLike, xs: ArrayLike, ys: ArrayLike) -> tuple[FloatArray, NDArray[np.int64], NDArray[np.int64]]:
    W = validate.square(W)
    xs = validate.examples(xs, ys, W.shape[0])
    return W, xs, np.asarray(ys, dtype=np.int64)


def _chunks(
    xs: NDArray[np.int64], ys: NDArray[np.int64], V: int
) -> Iterable[tuple[NDArray[np.int64], NDArray[np.int64]]]:
    """Consecutive slices of the examples, about :data:`CHUNK_ENTRIES` logits each."""
    rows = max(1, CHUNK_ENTRIES // V)
    for start in range(0, len(xs), rows):
        yield xs[start : start + rows], ys[start : start + rows]


def _reduction(reduction: str) -> None:
    validate.choice(reduction, "reduction", ("mean", "sum"))


def forward_onehot(W: ArrayLike, xs: ArrayLike) -> FloatArray:
    r"""Logits as the explicit product ``one_hot(xs) @ W``, shape (n, V).

    A ``-inf`` logit (a probability of exactly 0, as in :func:`optimal_logits`) is carried
    by a second product with its mask, so that :math:`0 \cdot (-\infty)`, which is NaN,
    never enters the sum: the result equals :func:`forward_lookup` entry for entry.

    Examples
    --------
    >>> import numpy as np
    >>> from bigram_ref import forward_onehot
    >>> W = np.arange(9.0).reshape(3, 3)
    >>> forward_onehot(W, [2, 0]).tolist()
    [[6.0, 7.0, 8.0], [0.0, 1.0, 2.0]]
    """
    W, xs = _check(W, xs)
    return _onehot_product(one_hot(xs, W.shape[0], dtype=W.dtype.type), W)


def _onehot_product(X: FloatArray, W: FloatArray) -> FloatArray:
    dead = np.isneginf(W)  # (V, V)
    if not dead.any():
        return X @ W  # (n, V)
    z = X @ np.where(dead, 0.0, W)  # (n, V): the finite part
    z[X @ dead > 0] = -np.inf  # (n, V): where the looked-up row is -inf
    return z


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

    Computed a chunk of examples at a time (see :func:`loss_and_grad`), so no (n, V) array of
    logits is ever held whole. A target of probability 0 (a ``-inf`` logit) makes it ``inf``.

    Examples
    --------
    >>> import numpy as np
    >>> from bigram_ref import loss
    >>> round(loss(np.zeros((3, 3)), [0, 1], [1, 2]), 6)  # uniform: log 3
    1.098612
    """
    W, xs, ys = _check_pairs(W, xs, ys)
    _reduction(reduction)
    total = sum(float(cross_entropy(W[x], y, reduction="sum")) for x, y in _chunks(xs, ys, W.shape[0]))
    return total / len(xs) if reduction == "mean" else total


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
    W, xs, ys = _check_pairs(W, xs, ys)
    _reduction(reduction)
    validate.budget((len(xs), W.shape[0]), "xs", "this teaching form's one-hot rows (loss_and_grad needs none)")
    X = one_hot(xs, W.shape[0], dtype=W.dtype.type)  # (n, V)
    dz = grad_logits(_onehot_product(X, W), ys)  # (n, V): p - t, one row per example
    dW: FloatArray = X.T @ dz  # (V, V): sum of outer products x_k ⊗ (p_k - t_k)
    return dW / len(xs) if reduction == "mean" else dW


def loss_and_grad(
    W: ArrayLike, xs: ArrayLike, ys: ArrayLike, reduction: Reduction = "mean"
) -> tuple[float, NDArray[np.floating[Any]]]:
    r"""The loss and :math:`\partial L / \partial W` in one pass, by row lookup and scatter-add.

    Equal to :func:`loss` and :func:`grad_weights` (to rounding, about :math:`10^{-15}`
    relative), but without the one-hot matrix: each chunk of examples looks up its rows
    ``W[xs]``, computes :math:`p - t`, and adds each example's row into row ``xs[k]`` of the
    gradient (``numpy.add.at``). Memory is :math:`O(V^2)` plus one chunk of about
    :data:`CHUNK_ENTRIES` logits, whatever the number of examples.

    Examples
    --------
    >>> import numpy as np
    >>> from bigram_ref import grad_weights, loss_and_grad
    >>> W = np.arange(9.0).reshape(3, 3) / 10
    >>> value, g = loss_and_grad(W, [0, 2, 2], [1, 0, 2])
    >>> round(value, 6), bool(np.allclose(g, grad_weights(W, [0, 2, 2], [1, 0, 2]), rtol=0, atol=1e-15))
    (1.101943, True)
    """
    W, xs, ys = _check_pairs(W, xs, ys)
    _reduction(reduction)
    total, dW = 0.0, np.zeros_like(W)  # (V, V)
    for x, y in _chunks(xs, ys, W.shape[0]):
        z = W[x]  # (c, V): row x[k] of W for each example of the chunk
        total += float(cross_entropy(z, y, reduction="sum"))
        np.add.at(dW, x, grad_logits(z, y))  # scatter-add p - t into the looked-up rows
    if reduction == "mean":
        return total / len(xs), dW / len(xs)
    return total, dW


def grad_from_counts(W: ArrayLike, N: ArrayLike) -> NDArray[np.float64]:
    r"""The summed-loss gradient from the counts alone: :math:`N_{i\cdot} \operatorname{softmax}(W_{i,:}) - N_{i,:}`.

    Equal to :func:`grad_weights` with ``reduction="sum"`` on any corpus whose
    counts are ``N`` (divide by ``N.sum()`` for the mean loss), in O(V²) work.

    Examples
    --------
    >>> import numpy as np
    >>> from bigram_ref import grad_from_counts
    >>> grad_from_counts(np.zeros((2, 2)), [[3, 1], [0, 0]]).tolist()
    [[-1.0, 1.0], [0.0, 0.0]]
    """
    N = validate.counts(N)
    W = validate.square(W)
    validate.same_shape(W, N)
    totals = validate.row_totals(N)  # (V, 1): N_i·, the examples per current index
    grad: NDArray[np.float64] = totals * softmax(W.astype(np.float64)) - N  # (V, V) = N_i· (p̂_i − p̃_i)
    return grad


def optimal_logits(N: ArrayLike) -> NDArray[np.float64]:
    r"""The closed-form minimiser of the summed loss: :math:`W^*_{ij} = \log (N_{ij} / N_{i\cdot})`.

    ``-inf`` where a count is zero (that probability must be exactly 0); rows
    with no counts at all are left at 0 (any logits are optimal there; 0 gives the
    uniform row of :func:`~bigram_ref.counting.row_probabilities`).

    Examples
    --------
    >>> from bigram_ref import optimal_logits
    >>> optimal_logits([[2, 1, 0], [0, 0, 0], [1, 1, 1]]).round(4).tolist()
    [[-0.4055, -1.0986, -inf], [0.0, 0.0, 0.0], [-1.0986, -1.0986, -1.0986]]
    """
    N = validate.counts(N)
    totals = validate.row_totals(N)  # (V, 1): N_i·
    with np.errstate(divide="ignore"):
        W = np.log(N) - np.log(np.where(totals > 0, totals, 1.0))
    W[totals[:, 0] == 0] = 0.0
    return W


@dataclass(frozen=True)
class TrainResult:
    """The outcome of :func:`train`: final weights and the loss before each step and at the end."""

    W: NDArray[np.float64]
    losses: list[float]


class TrainingDiverged(validate.InputError):
    """Gradient descent blew up: the loss became non-finite or rose far above where it started."""

    def __init__(self, step: int, loss: float, why: str = "") -> None:
        super().__init__(f"training diverged at step {step} (loss {loss:.6g}): try a smaller lr{why}")
        self.step, self.loss = step, loss


def _unreachable_target(
    W: FloatArray, xs: NDArray[np.int64], ys: ArrayLike, value: float, alpha: float, data: float
) -> validate.InputError:
    """The error for a loss that is not finite before the first step: the start (or ``alpha``), not the step
    size, is at fault. ``data`` is the loss's data term, without the penalty."""
    if alpha > 0 and np.isneginf(W).any():  # the prior puts alpha pseudo-counts on every pair
        i, j = (int(k) for k in np.argwhere(np.isneginf(W))[0])
        return validate.InputError(
            f"W[{i}, {j}] is -inf, but alpha = {alpha:g} gives every pair, {i} -> {j} too, pseudo-counts: its"
            f" probability is 0, so the loss is {value:.6g} before any step; no step size can fix that (give W"
            " finite logits, or use alpha = 0)"
        )
    ys = np.asarray(ys, dtype=np.int64)
    bad = np.flatnonzero(np.isneginf(W[xs, ys]))  # (k,): examples whose target logit is -inf
    if bad.size:
        k = int(bad[0])
        i, j = int(xs[k]), int(ys[k])
        return validate.InputError(
            f"W[{i}, {j}] is -inf, but example {k} is the pair {i} -> {j}: its probability is 0, so the loss is"
            f" {value:.6g} before any step; no step size can fix that (give W finite logits where the data has pairs)"
        )
    if alpha > 0 and np.isfinite(data):  # the data term is finite: the penalty overflowed
        return validate.too_large("alpha", alpha, "the penalty alpha · Σ −log p over all the (V, V) pairs would")
    return validate.InputError(
        f"the loss is {value:.6g} before any step: W's logits are so far apart that a target's probability"
        " underflows to 0; no step size can fix that"
    )


def descend(
    W: ArrayLike, xs: ArrayLike, ys: ArrayLike, *, lr: float, alpha: float = 0.0
) -> Iterator[tuple[float, NDArray[np.floating[Any]]]]:
    r"""Full-batch gradient descent without end: yield the mean loss and ``W`` before each step.

    ``W ← W − lr · ∂L/∂W``, the gradient from :func:`loss_and_grad`. With ``alpha > 0``
    the loss gains the term :math:`\frac{\alpha}{n}\sum_i \sum_j -\log p_{ij}` (a uniform
    target for every row: :math:`\alpha` pseudo-counts in every cell, as
    :func:`~bigram_ref.counting.pseudo_counts` adds them), whose exact minimiser is the
    add-``alpha`` smoothed count model. :func:`train` takes a given number of steps of it;
    the command line prints its losses as they come. The arguments are checked when it is
    called, before the first step is asked for.

    Raises
    ------
    TrainingDiverged
        If the loss becomes non-finite or rises above :math:`L_0 + \max(1, L_0)` (its
        start :math:`L_0`, plus at least one nat): the step size is too large. It is an
        :class:`~bigram_ref.validate.InputError` naming the step and the loss.

    Examples
    --------
    >>> import numpy as np
    >>> from bigram_ref import descend
    >>> steps = descend(np.zeros((3, 3)), [0, 0, 0], [1, 1, 2], lr=2.0)
    >>> [round(next(steps)[0], 4) for _ in range(3)]
    [1.0986, 0.7972, 0.7412]
    """
    W64: NDArray[np.float64] = validate.square(W).astype(np.float64)
    xs = validate.examples(xs, ys, W64.shape[0])
    lr = validate.number(lr, "lr", positive=True)
    prior = pseudo_counts(np.zeros(W64.shape), alpha)  # (V, V): α pseudo-counts in every cell
    alpha = float(prior[0, 0])
    n = len(xs)
    pseudo = alpha * W64.size  # the pseudo-counts in all: where they outweigh the data, the stable lr shrinks with them
    why = (
        f" (alpha = {alpha:g} adds {pseudo:.3g} pseudo-counts to n = {n} examples: a stable lr shrinks as alpha grows)"
    )
    why = why if pseudo > n else ""
    return _descend(
        W64, xs, validate.indices(ys, "ys", W64.shape[0]), lr, alpha, prior, why
    )  # checked before the first step


def _descend(
    W64: NDArray[np.float64],
    xs: NDArray[np.int64],
    ys: NDArray[np.int64],
    lr: float,
    alpha: float,
    prior: NDArray[np.float64],
    why: str,
) -> Iterator[tuple[float, NDArray[np.floating[Any]]]]:
    """The steps of :func:`descend`, on arguments it has checked (so a bad one is refused at the call)."""
    n = len(xs)
    finite = np.isfinite(W64)  # (V, V): -inf logits stay -inf; anything else must stay finite
    start = None
    for k in itertools.count():
        if not np.isfinite(W64[finite]).all():  # the last update overflowed
            raise TrainingDiverged(k, np.inf, why)
        with np.errstate(over="ignore", invalid="ignore"):  # huge logits may overflow: divergence, below
            try:
                data, dW = loss_and_grad(W64, xs, ys, reduction="sum")  # only looked-up rows are non-zero
            except validate.InputError:
                if k == 0:  # the caller's W (checked by descend, so this is rare): its message stands
                    raise
                raise TrainingDiverged(k, np.inf, why) from None  # a step made logits no float64 row holds
            penalty = alpha * -log_softmax(W64).sum() if alpha else 0.0
            dW += grad_from_counts(W64, prior)  # the uniform-target term: α·V·p_i − α
            value, dW = float(data + penalty) / n, dW / n
        if start is None and not np.isfinite(value):  # before any step: no step size is to blame
            raise _unreachable_target(W64, xs, ys, value, alpha, float(data))
        start = value if start is None else start
        if not np.isfinite(value) or value > start + max(1.0, start):
            raise TrainingDiverged(k, value, why)
        yield value, W64
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is caught above, as divergence
            W64 = W64 - lr * dW


def train(
    W: ArrayLike,
    xs: ArrayLike,
    ys: ArrayLike,
    *,
    lr: float,
    steps: int,
    alpha: float = 0.0,
) -> TrainResult:
    r"""Full-batch gradient descent on the mean loss for ``steps`` steps (:func:`descend`).

    Returns the final weights and the loss before each step and at the end. With
    ``alpha > 0`` the loss gains the uniform-target penalty of :func:`descend`, and training
    converges to the add-``alpha`` smoothed count model with finite logits. Raises
    :class:`TrainingDiverged` if the step size ``lr`` makes the loss blow up.

    Examples
    --------
    >>> import numpy as np
    >>> from bigram_ref import softmax, train
    >>> xs, ys = np.array([0, 0, 0]), np.array([1, 1, 2])  # .a, .a, .b
    >>> result = train(np.zeros((3, 3)), xs, ys, lr=2.0, steps=500)
    >>> softmax(result.W[0]).round(2).tolist()
    [0.0, 0.67, 0.33]
    """
    steps = validate.integer(steps, "steps", 0, sys.maxsize - 1)  # islice takes steps + 1
    losses: list[float] = []
    W_last: FloatArray = np.empty(0)
    for value, W_k in itertools.islice(descend(W, xs, ys, lr=lr, alpha=alpha), steps + 1):
        losses.append(value)
        W_last = W_k  # only the last is kept
    return TrainResult(W_last.astype(np.float64, copy=False), losses)
