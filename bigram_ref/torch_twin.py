"""The same model in PyTorch: the autograd witness for the hand-written backward pass.

Nothing here is used to train; these functions exist so that tests (and
readers) can ask PyTorch's autograd for the gradients that
:mod:`bigram_ref.neural` and :mod:`bigram_ref.softmax` compute by hand, and
compare. The forward pass is spelled exactly as the guide's torch snippets:
``F.one_hot(xs, V).double() @ W``, then ``F.cross_entropy``.

Inputs and outputs are NumPy arrays; computation is in float64.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import torch
import torch.nn.functional as F
from numpy.typing import ArrayLike, NDArray

__all__ = ["autograd_grad_logits", "autograd_grad_weights", "autograd_jacobian", "forward"]


def forward(W: torch.Tensor, xs: torch.Tensor) -> torch.Tensor:
    """Logits ``one_hot(xs) @ W`` as a differentiable torch expression, shape (n, V)."""
    x = F.one_hot(xs, num_classes=W.shape[0]).to(W.dtype)  # (n, V)
    return x @ W  # (n, V)


def autograd_grad_weights(
    W: ArrayLike, xs: ArrayLike, ys: ArrayLike, reduction: Literal["mean", "sum"] = "mean"
) -> NDArray[np.float64]:
    """∂L/∂W by autograd, for the mean or summed cross-entropy of ``xs -> ys``.

    Examples
    --------
    >>> autograd_grad_weights(np.zeros((3, 3)), [1], [2], reduction="sum").round(3).tolist()
    [[0.0, 0.0, 0.0], [0.333, 0.333, -0.667], [0.0, 0.0, 0.0]]
    """
    Wt = torch.tensor(np.asarray(W, dtype=np.float64), requires_grad=True)
    logits = forward(Wt, torch.as_tensor(np.asarray(xs, dtype=np.int64)))
    loss = F.cross_entropy(logits, torch.as_tensor(np.asarray(ys, dtype=np.int64)), reduction=reduction)
    loss.backward()
    assert Wt.grad is not None
    return Wt.grad.numpy()


def autograd_grad_logits(z: ArrayLike, y: ArrayLike) -> NDArray[np.float64]:
    """∂/∂z of −log softmax(z)[y] by autograd, one row per example (like :func:`~bigram_ref.softmax.grad_logits`).

    Examples
    --------
    >>> autograd_grad_logits([0.20, -0.10, 0.05], 1).round(3).tolist()
    [0.384, -0.715, 0.331]
    """
    zt = torch.tensor(np.asarray(z, dtype=np.float64), requires_grad=True)
    yt = torch.as_tensor(np.asarray(y, dtype=np.int64))
    logp = torch.log_softmax(zt, dim=-1)
    # summing the per-example losses keeps each example's gradient in its own row
    (-logp.gather(-1, yt[..., None])).sum().backward()
    assert zt.grad is not None
    return zt.grad.numpy()


def autograd_jacobian(z: ArrayLike) -> NDArray[np.float64]:
    """The softmax Jacobian ∂p/∂z of a 1-D ``z`` by autograd, shape (V, V).

    Examples
    --------
    >>> autograd_jacobian([0.0, 0.0]).tolist()
    [[0.25, -0.25], [-0.25, 0.25]]
    """
    zt = torch.tensor(np.asarray(z, dtype=np.float64))
    J: Any = torch.autograd.functional.jacobian(lambda v: torch.softmax(v, dim=0), zt)
    return np.asarray(J.numpy())
