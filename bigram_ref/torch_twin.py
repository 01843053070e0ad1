r"""The same model in PyTorch: the autograd witness for the hand-written backward pass.

Nothing here is used to train; these functions exist so that tests (and
readers) can ask PyTorch's autograd for the gradients that
:mod:`bigram_ref.neural` and :mod:`bigram_ref.softmax` compute by hand, and
compare. The forward pass is the one-hot product of the guide's torch snippets,
``F.one_hot(xs, V) @ W`` (the one-hot cast to ``W``'s dtype, float64 here, where the
snippets use ``.float()``), then ``F.cross_entropy``.

Inputs and outputs are NumPy arrays (torch tensors where a function says so). The ``autograd_*``
functions and :func:`check_all` compute in float64; :func:`forward` and :func:`lecture_loss`
compute in the dtype of the ``W`` they are given, and :func:`lecture_train` in float32, as the
lecture does. Arguments are checked by :mod:`bigram_ref.validate`, as everywhere in the package, so a
bad one is an :class:`~bigram_ref.validate.InputError` naming it, never an error from inside torch.
A tensor argument must be dense and on the CPU, in a dtype NumPy has (not ``bfloat16``), as its
values are checked with NumPy; integer index tensors of any width are read as int64.

A ``-inf`` logit (a probability of exactly 0, as in :func:`~bigram_ref.neural.optimal_logits`) is
masked in the one-hot product as :func:`~bigram_ref.neural.forward_onehot` masks it, so that
:math:`0 \cdot (-\infty)`, which is NaN, never enters a sum; :func:`lecture_loss`, which spells the
lecture's form, refuses it instead.
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


def _tensor(value: object, name: str) -> tuple[torch.Tensor, NDArray[Any]]:
    """A tensor argument and its values as a NumPy array (no copy), for :mod:`~bigram_ref.validate`'s rules."""
    t = validate.instance(value, name, torch.Tensor)
    if t.layout == torch.strided and t.device.type == "cpu":
        try:
            return t, t.detach().numpy()
        except TypeError:  # a dtype NumPy lacks, such as bfloat16
            pass
        except RuntimeError as exc:  # no storage to read (torch.func, vmap), a negative or conjugate bit, ...
            reason = str(exc).strip().splitlines()[0].split(". ")[0].rstrip(".")  # torch's first sentence
            raise validate.InputError(
                f"{name}: expected a dense CPU tensor NumPy can read, got one it cannot ({reason})"
            ) from None
    layout, dtype = str(t.layout).removeprefix("torch."), str(t.dtype).removeprefix("torch.")
    raise validate.InputError(
        f"{name}: expected a dense CPU tensor of a NumPy dtype, got a {layout} {dtype} tensor on {t.device}"
    )


def _weights(value: object) -> tuple[torch.Tensor, NDArray[np.bool_]]:
    """``W`` checked as :func:`~bigram_ref.validate.square` logits (ints, bools become float64), and its -inf mask."""
    W, arr = _tensor(value, "W")
    arr = validate.square(arr)
    return (W if W.is_floating_point() else W.double()), np.isneginf(arr)


def _onehot_logits(X: torch.Tensor, W: torch.Tensor, dead: torch.Tensor) -> torch.Tensor:
    """``X @ W`` for one-hot rows ``X`` and finite ``W``, then -inf wherever the looked-up row of ``dead`` is True.

    The mask is added as a constant, so autograd passes each logit's gradient on to ``W`` whole: at a
    masked entry it is the limit of :math:`p - t` there (0, or -1 where a target is).
    """
    z = X @ W  # (n, V)
    if not dead.any():
        return z
    return z + torch.where(X @ dead.to(X.dtype) > 0, -torch.inf, 0.0).to(z.dtype)  # (n, V)


def forward(W: torch.Tensor, xs: torch.Tensor) -> torch.Tensor:
    """Logits ``one_hot(xs) @ W`` as a differentiable torch expression, shape (n, V).

    A ``-inf`` in ``W`` gives ``-inf`` logits where its row is looked up, equal to
    :func:`~bigram_ref.neural.forward_onehot` entry for entry (never NaN); autograd gives such an
    entry of ``W`` no gradient.

    Examples
    --------
    >>> import torch
    >>> from bigram_ref.torch_twin import forward
    >>> W = torch.arange(9.0, dtype=torch.float64).reshape(3, 3)
    >>> forward(W, torch.tensor([2, 0])).tolist()  # rows 2 and 0 of W
    [[6.0, 7.0, 8.0], [0.0, 1.0, 2.0]]
    >>> forward(torch.tensor([[0.0, -torch.inf], [0.0, 0.0]]), torch.tensor([0, 1])).tolist()
    [[0.0, -inf], [0.0, 0.0]]
    """
    W, dead = _weights(W)
    V = W.shape[0]
    x = torch.as_tensor(validate.batch(_tensor(xs, "xs")[1], V))  # int64, whatever the index dtype
    validate.budget((len(x), V), "xs", "the one-hot rows")
    X = F.one_hot(x, num_classes=V).to(W.dtype)  # (n, V)
    mask = torch.as_tensor(dead)  # (V, V)
    return _onehot_logits(X, W.masked_fill(mask, 0.0), mask)  # (n, V): the finite part, then the mask


def autograd_grad_weights(
    W: ArrayLike, xs: ArrayLike, ys: ArrayLike, reduction: Literal["mean", "sum"] = "mean"
) -> NDArray[np.float64]:
    """∂L/∂W by autograd, for the mean or summed cross-entropy of ``xs -> ys``.

    ``W`` may hold ``-inf`` logits (probabilities of exactly 0): the result then equals
    :func:`~bigram_ref.neural.grad_weights`, whose gradient there is the limit of :math:`p - t`.

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
    V = W64.shape[0]
    xs = validate.examples(xs, ys, V)
    ys = validate.indices(ys, "ys", V)
    validate.choice(reduction, "reduction", ("mean", "sum"))
    validate.budget((len(xs), V), "xs", "the one-hot rows")
    dead = np.isneginf(W64)  # (V, V)
    Wt = torch.tensor(np.where(dead, 0.0, W64), requires_grad=True)  # the finite part is the leaf
    X = F.one_hot(torch.as_tensor(xs), num_classes=V).double()  # (n, V)
    loss = F.cross_entropy(_onehot_logits(X, Wt, torch.as_tensor(dead)), torch.as_tensor(ys), reduction=reduction)
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

    Plus ``reg * (W**2).mean()``; ``xenc`` is the one-hot encoding of the inputs, shape (n, V), one
    row per target of the 1-D ``y`` (cast to ``W``'s dtype if it has another). This form does not
    subtract the row maximum before ``exp``, as softmax does: logits so large (or so far below the
    rest) that ``exp`` overflows (or underflows to 0) in ``W``'s dtype, logits whose loss is finite
    but whose gradient in this form is not (found by running its backward pass on a copy of ``W``),
    or a ``-inf`` logit, which its product turns into NaN, are refused with an
    :class:`~bigram_ref.validate.InputError` that says so, never returned as NaN.

    Examples
    --------
    >>> import torch
    >>> import torch.nn.functional as F
    >>> from bigram_ref.torch_twin import lecture_loss
    >>> xenc = F.one_hot(torch.tensor([0, 0, 0]), 3).double()  # three examples that read row 0
    >>> round(lecture_loss(torch.zeros(3, 3, dtype=torch.float64), xenc, torch.tensor([1, 1, 2])).item(), 4)  # log 3
    1.0986
    """
    W, dead = _weights(W)
    V = W.shape[0]
    xenc, onehot = _tensor(xenc, "xenc")
    _, targets = _tensor(y, "y")
    if targets.ndim != 1:  # one target per row of xenc
        validate.indices(targets, "y", V, shape=onehot.shape[:1] if onehot.ndim else (0,))
    if onehot.shape != (len(targets), V):
        raise validate.InputError(
            f"xenc: expected shape {(len(targets), V)}, one one-hot row per target, got {onehot.shape}"
        )
    if not len(targets):
        raise validate.empty_batch("y")
    ys = torch.as_tensor(validate.indices(targets, "y", V))
    reg = validate.number(reg, "reg")
    sums = onehot.sum(1) if onehot.dtype.kind in "biuf" else np.full(len(onehot), np.nan)  # (n,)
    # n non-zeros in all and every row summing to 1: one non-zero per row, and it is a 1 (a NaN sums to NaN)
    if not (np.count_nonzero(onehot) == len(onehot) and (sums == 1).all()):
        k = int(np.argmin((sums == 1) & (np.count_nonzero(onehot, axis=1) == 1)))  # the first row at fault
        raise validate.InputError(
            f"xenc: expected one-hot rows (a single 1, the rest 0), got {validate.shown(onehot[k].tolist())} in row {k}"
        )
    if dead.any():
        raise validate.InputError(
            f"W: contains -inf at index {np.argwhere(dead)[0].tolist()}, which the lecture's product xenc @ W turns"
            " into NaN (0 · -inf); forward masks it, this form does not"
        )
    xenc = xenc.to(W.dtype)
    fault = _lecture_fault(W, xenc, onehot.argmax(1), ys)
    if fault is not None:
        raise fault
    nll, penalty = _lecture_terms(W, xenc, ys, reg)
    if not torch.isfinite(penalty):
        raise _penalty_overflow(W, reg)
    return nll + penalty


def _lecture_terms(
    W: torch.Tensor, xenc: torch.Tensor, y: torch.Tensor, reg: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """The mean NLL and the penalty of :func:`lecture_loss`, on checked arguments."""
    logits = xenc @ W  # (n, V): log-counts
    counts = logits.exp()  # (n, V)
    probs = counts / counts.sum(1, keepdim=True)  # (n, V); keepdim, or each column is divided by a row total
    return -probs[torch.arange(len(y)), y].log().mean(), reg * (W**2).mean() if reg else torch.zeros((), dtype=W.dtype)


def _lecture_fault(
    W: torch.Tensor, xenc: torch.Tensor, xs: NDArray[np.int64], ys: torch.Tensor
) -> validate.InputError | None:
    """The error for examples that the lecture's form cannot compute, or whose gradient it cannot: the first
    example at fault, by its row; None if there is none.

    The gradient is found out by computing it: the form's own backward pass, on a copy of ``W``, as the
    caller's would run. Where the loss is finite but that gradient is not (a row total or a target's
    probability so small, subnormal, that dividing by it overflows), the loss is refused too.
    """
    rows = W.detach()[torch.as_tensor(xs)]  # (n, V): the looked-up rows
    totals = rows.exp().sum(1)  # (n,)
    target = rows.gather(1, ys[:, None])[:, 0].exp() / totals  # (n,): p[y] as this form computes it
    bad = ~torch.isfinite(totals) | (totals == 0) | ~(target > 0)
    if not bad.any():
        probe = W.detach().clone().requires_grad_(True)
        _lecture_terms(probe, xenc, ys, 0.0)[0].backward()
        assert probe.grad is not None
        broken = ~torch.isfinite(probe.grad).all(1)  # (V,): rows whose gradient is not finite
        if not broken.any():
            return None
        bad = broken[torch.as_tensor(xs)]  # (n,): the examples that look up such a row
    k = int(torch.argmax(bad.to(torch.uint8)))
    i, j = int(xs[k]), int(ys[k])
    why = (
        "overflows"
        if not torch.isfinite(totals[k])
        else "underflows to 0 everywhere"
        if totals[k] == 0
        else f"gives the target y[{k}] = {j} probability 0"
        if not target[k] > 0
        else f"leaves the target y[{k}] = {j} so small a probability (or row total) that its gradient overflows"
    )
    lo, hi = float(rows[k].min()), float(rows[k].max())
    dtype = str(W.dtype).removeprefix("torch.")
    return validate.InputError(
        f"W: row {i}, with logits from {lo:g} to {hi:g}, {why} in the lecture's exp/normalise form ({dtype}),"
        " which does not subtract the row maximum as softmax does"
    )


def _penalty_overflow(W: torch.Tensor, reg: float) -> validate.InputError:
    """The error for a penalty ``reg * (W**2).mean()`` that overflows ``W``'s dtype."""
    dtype = str(W.dtype).removeprefix("torch.")
    if torch.isfinite((W.detach() ** 2).mean()):
        return validate.too_large("reg", reg, f"the penalty reg · mean(W²) in {dtype} would")
    return validate.InputError(
        f"W: an entry of size {float(W.detach().abs().max()):g} overflows the penalty mean(W²) in {dtype}"
    )


def lecture_train(
    xs: ArrayLike, ys: ArrayLike, *, steps: int = 100, lr: float = 50.0, reg: float = 0.01, seed: int = 2147483647
) -> tuple[list[float], NDArray[np.float64]]:
    """The lecture's training loop, reproduced: full-batch one-hot forward, ``W -= lr * grad``.

    ``W = torch.randn((V, V), generator=g)`` with ``g = torch.Generator().manual_seed(seed)``,
    loss = mean NLL + ``reg * (W**2).mean()``, float32, as in Karpathy's *makemore* part 1.
    ``V`` is the largest index in ``xs`` or ``ys``, plus one. Returns the loss before each update
    and after the last, and the final ``W`` (float64).

    Raises
    ------
    TrainingDiverged
        If the loss or ``W`` stops being finite in float32: the step size ``lr`` is too large (or
        ``reg`` is: the message says so when ``lr · reg > V²``, where the penalty alone overshoots).

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
    seed = validate.integer(seed, "seed", 0, 2**64 - 1)  # the range torch.Generator.manual_seed takes
    if lr <= float(np.finfo(np.float32).smallest_subnormal) / 2:  # rounds to 0 in float32
        raise validate.InputError(f"lr = {lr:g} is 0 in float32, the lecture's dtype: no step would move W")
    xs, ys = validate.array(xs, "xs"), validate.array(ys, "ys")
    for name, a in (("xs", xs), ("ys", ys)):
        if a.dtype.kind not in "iu":  # named before V is taken from the largest index
            validate.indices(a, name, 1)
    V = 1
    if xs.size and ys.size and xs.dtype.kind in "iu" and ys.dtype.kind in "iu":
        name, a = max((("xs", xs), ("ys", ys)), key=lambda item: int(item[1].max()))
        k = np.unravel_index(int(np.argmax(a)), a.shape)
        V = validate.vocab_size(max(int(a[k]) + 1, 1), f"V = {name}[{', '.join(map(str, k))}] + 1")
    x = torch.as_tensor(validate.examples(xs, ys, V))
    y = torch.as_tensor(validate.indices(ys, "ys", V))
    validate.budget((len(x), V), "xs", "the lecture's one-hot rows")
    g = torch.Generator().manual_seed(seed)
    W = torch.randn((V, V), generator=g, requires_grad=True)
    xenc = F.one_hot(x, num_classes=V).float()  # (n, V)
    losses = []
    for step in range(steps + 1):
        nll, penalty = _lecture_terms(W, xenc, y, reg)
        if step == 0 and not torch.isfinite(penalty):  # W ~ N(0, 1): only reg can be at fault
            raise _penalty_overflow(W, reg)
        loss = nll + penalty
        losses.append(float(loss.item()))
        if not np.isfinite(losses[-1]):  # float32 overflow: the step size is too large
            raise TrainingDiverged(step, losses[-1], _penalty_hint(lr, reg, V))
        if step == steps:
            break
        W.grad = None
        loss.backward()
        assert W.grad is not None
        with torch.no_grad():
            W -= lr * W.grad
    return losses, W.detach().double().numpy()


def _penalty_hint(lr: float, reg: float, V: int) -> str:
    """Why a divergence may be ``reg``'s: the penalty ``reg · mean(W²)`` alone scales ``W`` by
    ``1 − 2 · lr · reg / V²`` each step, which grows without end once ``lr · reg > V²``."""
    if lr * reg <= V * V:
        return ""
    return f" or a smaller reg (lr · reg = {lr * reg:g} > V² = {V * V}: the penalty alone makes each step overshoot)"


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
    :data:`~bigram_ref.validate.MAX_CHECK`, as the cost grows quickly; ``V`` is at least 2, since
    with one symbol every gradient is exactly 0 and nothing would be compared.

    Examples
    --------
    >>> from bigram_ref.torch_twin import check_all
    >>> all(auto < 1e-12 and fd < 1e-6 for _, auto, fd in check_all(4, 6, seed=0))
    True
    """
    V = validate.integer(V, "V", 2, validate.MAX_CHECK)
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
