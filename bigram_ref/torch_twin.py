"""The same model in PyTorch: the autograd witness for the hand-written backward pass.

Nothing here is used to train; these functions exist so that tests (and
readers) can ask PyTorch's autograd for the gradients that
:mod:`bigram_ref.neural` and :mod:`bigram_ref.softmax` compute by hand, and
compare. The forward pass is the one-hot product of the guide's torch snippets,
``F.one_hot(xs, V) @ W`` (the one-hot cast to ``W``'s dtype, float64 here, where the
snippets use ``.float()``), then ``F.cross_entropy``.

Inputs and outputs are NumPy arrays (torch tensors where a function says so); computation is in
float64. Arguments are checked by :mod:`bigram_ref.validate`, as everywhere in the package, so a
bad one is an :class:`~bigram_ref.validate.InputError` naming it, never an error from inside torch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import numpy as np
import torch
import torch.nn.functional as F
from numpy.typing import ArrayLike, NDArray

from bigram_ref import validate
from bigram_ref.gradcheck import compare, numerical_grad
from bigram_ref.neural import TrainingDiverged, grad_from_counts, grad_weights, loss
from bigram_ref.softmax import cross_entropy, grad_logits, softmax, softmax_jacobian

__all__ = [
    "CHECKS",
    "autograd_grad_logits",
    "autograd_grad_weights",
    "autograd_jacobian",
    "check_all",
    "forward",
    "lecture_loss",
    "lecture_train",
]


def forward(W: torch.Tensor, xs: torch.Tensor) -> torch.Tensor:
    """Logits ``one_hot(xs) @ W`` as a differentiable torch expression, shape (n, V).

    Examples
    --------
    >>> import torch
    >>> from bigram_ref.torch_twin import forward
    >>> W = torch.arange(9.0, dtype=torch.float64).reshape(3, 3)
    >>> forward(W, torch.tensor([2, 0])).tolist()  # rows 2 and 0 of W
    [[6.0, 7.0, 8.0], [0.0, 1.0, 2.0]]
    """
    W = validate.instance(W, "W", torch.Tensor)
    V = validate.square(W.detach().cpu().numpy()).shape[0]
    validate.batch(validate.instance(xs, "xs", torch.Tensor).cpu().numpy(), V)
    x = F.one_hot(xs, num_classes=V).to(W.dtype)  # (n, V)
    return x @ W  # (n, V)


def autograd_grad_weights(
    W: ArrayLike, xs: ArrayLike, ys: ArrayLike, reduction: Literal["mean", "sum"] = "mean"
) -> NDArray[np.float64]:
    """∂L/∂W by autograd, for the mean or summed cross-entropy of ``xs -> ys``.

    Examples
    --------
    >>> import numpy as np
    >>> from bigram_ref.torch_twin import autograd_grad_weights
    >>> g = autograd_grad_weights(np.zeros((3, 3)), [1], [2], reduction="sum")
    >>> g.any(axis=1).tolist()  # only row 1 was looked up, so only row 1 has gradient
    [False, True, False]
    >>> g[1].round(3).tolist()
    [0.333, 0.333, -0.667]
    """
    W64 = validate.square(W).astype(np.float64)
    xs = validate.examples(xs, ys, W64.shape[0])
    ys = validate.indices(ys, "ys", W64.shape[0])
    validate.choice(reduction, "reduction", ("mean", "sum"))
    Wt = torch.tensor(W64, requires_grad=True)
    logits = forward(Wt, torch.as_tensor(xs))
    loss = F.cross_entropy(logits, torch.as_tensor(ys), reduction=reduction)
    loss.backward()
    assert Wt.grad is not None
    return Wt.grad.numpy()


def autograd_grad_logits(z: ArrayLike, y: ArrayLike) -> NDArray[np.float64]:
    """∂/∂z of −log softmax(z)[y] by autograd, one row per example (like :func:`~bigram_ref.softmax.grad_logits`).

    Examples
    --------
    >>> from bigram_ref.torch_twin import autograd_grad_logits
    >>> autograd_grad_logits([0.20, -0.10, 0.05], 1).round(3).tolist()
    [0.384, -0.715, 0.331]
    """
    z64 = validate.logits(z).astype(np.float64)
    y = validate.indices(y, "y", z64.shape[-1], shape=z64.shape[:-1])
    zt = torch.tensor(z64, requires_grad=True)
    yt = torch.as_tensor(y)
    logp = torch.log_softmax(zt, dim=-1)
    # summing the per-example losses keeps each example's gradient in its own row
    (-logp.gather(-1, yt[..., None])).sum().backward()
    assert zt.grad is not None
    return zt.grad.numpy()


def autograd_jacobian(z: ArrayLike) -> NDArray[np.float64]:
    """The softmax Jacobian ∂p/∂z of a 1-D ``z`` by autograd, shape (V, V).

    Examples
    --------
    >>> from bigram_ref.torch_twin import autograd_jacobian
    >>> autograd_jacobian([0.0, 0.0]).tolist()
    [[0.25, -0.25], [-0.25, 0.25]]
    """
    z64 = validate.logits(z, ndims=(1,)).astype(np.float64)
    validate.vocab_size(z64.size, "z")  # before the (V, V) result is made
    zt = torch.tensor(z64)
    J: Any = torch.autograd.functional.jacobian(lambda v: torch.softmax(v, dim=0), zt)
    return np.asarray(J.numpy())


def lecture_loss(W: torch.Tensor, xenc: torch.Tensor, y: torch.Tensor, reg: float = 0.0) -> torch.Tensor:
    """The lecture's loss, spelled as the lecture spells it: one-hot matmul, exp, normalise, mean NLL.

    Plus ``reg * (W**2).mean()``; ``xenc`` is the float one-hot encoding of the inputs, shape (n, V).

    Examples
    --------
    >>> import torch
    >>> import torch.nn.functional as F
    >>> from bigram_ref.torch_twin import lecture_loss
    >>> xenc = F.one_hot(torch.tensor([0, 0, 0]), 3).double()  # three examples that read row 0
    >>> round(lecture_loss(torch.zeros(3, 3, dtype=torch.float64), xenc, torch.tensor([1, 1, 2])).item(), 4)  # log 3
    1.0986
    """
    for name, t in (("W", W), ("xenc", xenc), ("y", y)):
        validate.instance(t, name, torch.Tensor)
    V = validate.square(W.detach().cpu().numpy()).shape[0]
    if xenc.shape != (len(y), V):
        raise validate.InputError(
            f"xenc: expected shape {(len(y), V)}, one one-hot row per target, got {tuple(xenc.shape)}"
        )
    validate.indices(y.cpu().numpy(), "y", V)
    reg = validate.number(reg, "reg")
    logits = xenc @ W  # (n, V): log-counts
    counts = logits.exp()  # (n, V)
    probs = counts / counts.sum(1, keepdim=True)  # (n, V); keepdim, or each column is divided by a row total
    return -probs[torch.arange(len(y)), y].log().mean() + reg * (W**2).mean()


def lecture_train(
    xs: ArrayLike, ys: ArrayLike, *, steps: int = 100, lr: float = 50.0, reg: float = 0.01, seed: int = 2147483647
) -> tuple[list[float], NDArray[np.float64]]:
    """The lecture's training loop, reproduced: full-batch one-hot forward, ``W -= lr * grad``.

    ``W = torch.randn((V, V), generator=g)`` with ``g = torch.Generator().manual_seed(seed)``,
    loss = mean NLL + ``reg * (W**2).mean()``, float32, as in Karpathy's *makemore* part 1.
    Returns the loss before each update and after the last, and the final ``W`` (float64).

    Examples
    --------
    >>> from bigram_ref.torch_twin import lecture_train
    >>> losses, W = lecture_train([0, 1, 0, 1, 0, 2], [1, 0, 1, 0, 2, 0], steps=10, lr=5.0)  # .a a. .a a. .b b.
    >>> len(losses), round(losses[0], 4), losses[-1] < losses[0], W.shape
    (11, 1.8052, True, (3, 3))
    """
    steps = validate.integer(steps, "steps")
    lr = validate.number(lr, "lr", positive=True)
    reg = validate.number(reg, "reg")
    seed = validate.integer(seed, "seed")
    xs, ys = validate.array(xs, "xs"), validate.array(ys, "ys")
    top = max(int(xs.max()), int(ys.max())) if xs.size and ys.size and xs.dtype.kind in "iu" else 0
    V = validate.vocab_size(top + 1)  # the lecture's V: the largest index seen, plus one
    x = torch.as_tensor(validate.examples(xs, ys, V))
    y = torch.as_tensor(validate.indices(ys, "ys", V))
    g = torch.Generator().manual_seed(seed)
    W = torch.randn((V, V), generator=g, requires_grad=True)
    xenc = F.one_hot(x, num_classes=V).float()  # (n, V)
    losses = []
    for step in range(steps + 1):
        loss = lecture_loss(W, xenc, y, reg)
        losses.append(float(loss.item()))
        if not np.isfinite(losses[-1]):  # float32 overflow: the step size is too large
            raise TrainingDiverged(step, losses[-1])
        if step == steps:
            break
        W.grad = None
        loss.backward()
        assert W.grad is not None
        with torch.no_grad():
            W -= lr * W.grad
    return losses, W.detach().double().numpy()


CHECKS = ("dL/dz = p - t", "softmax Jacobian", "dL/dW (sum)", "dL/dW (mean)", "dL/dW from counts")
"""The hand-written gradients that :func:`check_all` checks, in order."""


def _probability(j: int) -> Callable[[NDArray[np.float64]], float]:
    return lambda v: float(softmax(v)[j])


def check_all(V: int, n: int, seed: int) -> list[tuple[str, float, float]]:
    """Every hand-written gradient against autograd and finite differences, on a random batch.

    One row per entry of :data:`CHECKS`: (name, error vs autograd, error vs finite
    differences), each the norm-relative error of :func:`~bigram_ref.gradcheck.compare`.
    ``W`` is standard normal (V, V); ``n`` examples are drawn uniformly. The finite
    differences of the summed loss cost :math:`2V^2` loss evaluations; those of the mean
    loss are the same numbers divided by ``n``. ``V`` and ``n`` are each at most
    :data:`~bigram_ref.validate.MAX_CHECK`, as the cost grows quickly.

    Examples
    --------
    >>> from bigram_ref.torch_twin import check_all
    >>> all(auto < 1e-12 and fd < 1e-6 for _, auto, fd in check_all(4, 6, seed=0))
    True
    """
    V = validate.integer(V, "V", 1, validate.MAX_CHECK)
    n = validate.integer(n, "n", 1, validate.MAX_CHECK)
    rng = np.random.default_rng(validate.integer(seed, "seed"))
    W = rng.standard_normal((V, V))
    xs = rng.integers(0, V, size=n)
    ys = rng.integers(0, V, size=n)
    z, y = W[xs[0]], int(ys[0])
    N = np.bincount(xs * V + ys, minlength=V * V).reshape(V, V)
    fd_sum = numerical_grad(lambda w: loss(w, xs, ys, "sum"), W)  # (V, V): the costly part
    pairs = [
        (grad_logits(z, y), autograd_grad_logits(z, y), numerical_grad(lambda v: float(cross_entropy(v, y)), z)),
        (
            softmax_jacobian(z),
            autograd_jacobian(z),
            np.stack([numerical_grad(_probability(j), z) for j in range(V)]),  # row j: ∂p_j/∂z
        ),
        (grad_weights(W, xs, ys, "sum"), autograd_grad_weights(W, xs, ys, "sum"), fd_sum),
        (grad_weights(W, xs, ys, "mean"), autograd_grad_weights(W, xs, ys, "mean"), fd_sum / n),
        (grad_from_counts(W, N), autograd_grad_weights(W, xs, ys, "sum"), fd_sum),
    ]
    return [
        (name, compare(manual, auto).error, compare(manual, fd).error)
        for name, (manual, auto, fd) in zip(CHECKS, pairs, strict=True)
    ]
