"""The benchmark behind ``nox -s bench`` and ``bigram-ref bench``: every method timed in one run.

Three questions, each answered as ratios of medians measured side by side:

* **counting** — the lecture's per-bigram loop on a torch tensor, the same loop on a
  NumPy array, the package's :func:`~bigram_ref.counting.count_matrix`, and a bare
  :func:`numpy.bincount` on pre-encoded ids (the floor);
* **one full-batch gradient step** — the lecture's one-hot matmul with autograd, the
  row lookup ``W[xs]`` with autograd, and :func:`~bigram_ref.neural.grad_from_counts`;
* **convergence** — the gap to the count model's optimum after 100 steps, for the
  lecture's set-up and for :func:`~bigram_ref.newton.train_from_counts`.

Corpus sizes 1×, 10× and 100× (the corpus repeated) show how each cost grows. Only
correctness is tested; speed is reported, never asserted.
"""

from __future__ import annotations

import platform
import statistics
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from numpy.typing import NDArray

from bigram_ref import validate
from bigram_ref.corpus import Vocab, bigrams
from bigram_ref.counting import CountModel, count_matrix
from bigram_ref.neural import grad_from_counts
from bigram_ref.newton import penalised_loss, train_from_counts
from bigram_ref.torch_twin import lecture_train

__all__ = ["COUNTING", "STEPS", "run"]

IntArray = NDArray[np.int64]

# the slow methods are only run while they finish in reasonable time
LOOP_LIMIT = 3_000_000  # bigrams
ONEHOT_LIMIT = 3_000_000


def count_tensor_loop(xs: IntArray, ys: IntArray, V: int) -> NDArray[Any]:
    """The lecture's counting: ``N[ix1, ix2] += 1`` on a torch tensor, one bigram at a time."""
    N = torch.zeros((V, V), dtype=torch.int32)
    for ix1, ix2 in zip(xs.tolist(), ys.tolist(), strict=True):
        N[ix1, ix2] += 1
    return N.numpy()


def count_numpy_loop(xs: IntArray, ys: IntArray, V: int) -> NDArray[Any]:
    """The same loop on a NumPy array."""
    N = np.zeros((V, V), dtype=np.int64)
    for ix1, ix2 in zip(xs.tolist(), ys.tolist(), strict=True):
        N[ix1, ix2] += 1
    return N


def count_package(xs: IntArray, ys: IntArray, V: int) -> NDArray[Any]:
    """The package's vectorised, validated count."""
    return count_matrix(xs, ys, V)


def count_bincount_floor(xs: IntArray, ys: IntArray, V: int) -> NDArray[Any]:
    """A bare bincount on pre-encoded ids: no validation, the floor."""
    return np.bincount(xs * V + ys, minlength=V * V).reshape(V, V)


COUNTING: dict[str, Callable[[IntArray, IntArray, int], NDArray[Any]]] = {
    "tensor_loop": count_tensor_loop,
    "numpy_loop": count_numpy_loop,
    "package": count_package,
    "bincount_floor": count_bincount_floor,
}


def step_onehot(W: torch.Tensor, xenc: torch.Tensor, y: torch.Tensor, lr: float) -> NDArray[Any]:
    """The lecture's step: one-hot matmul, softmax by hand, mean NLL, autograd, update.

    Spelled out as the lecture spells it, without the argument checks of
    :func:`~bigram_ref.torch_twin.lecture_loss`, so that the time is the lecture's computation
    alone: the same loss and step as that function's (a test asserts it).
    """
    W = W.detach().clone().requires_grad_(True)
    counts = (xenc @ W).exp()  # (n, V)
    probs = counts / counts.sum(1, keepdim=True)  # (n, V)
    (-probs[torch.arange(len(y)), y].log().mean()).backward()
    assert W.grad is not None
    with torch.no_grad():
        W -= lr * W.grad
    return W.detach().double().numpy()


def step_lookup(W: torch.Tensor, x: torch.Tensor, y: torch.Tensor, lr: float) -> NDArray[Any]:
    """Row lookup ``W[xs]`` and ``F.cross_entropy``, autograd, update."""
    W = W.detach().clone().requires_grad_(True)
    loss = F.cross_entropy(W[x], y)
    loss.backward()
    assert W.grad is not None
    with torch.no_grad():
        W -= lr * W.grad
    return W.detach().double().numpy()


def step_counts(W: NDArray[np.float64], N: NDArray[Any], n: int, lr: float) -> NDArray[np.float64]:
    """The gradient from counts alone (mean loss), then the update: O(V²)."""
    return W - lr * grad_from_counts(W, N) / n


STEPS = ("onehot_matmul", "row_lookup", "from_counts")


def median_seconds(fn: Callable[[], object], repeats: int, warmup: bool = True) -> float:
    """Median wall time of ``repeats`` calls (after one untimed warm-up call, unless told otherwise)."""
    if warmup:
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def time_scale(words: Sequence[str], vocab: Vocab, repeats: int) -> dict[str, Any]:
    """Median seconds of every counting method and gradient step on one corpus."""
    xs, ys = bigrams(words, vocab)
    V, n = vocab.size, int(xs.size)
    out: dict[str, Any] = {"bigrams": n, "count": {}, "step": {}}
    for name, fn in COUNTING.items():
        slow = name.endswith("loop")
        if slow and n > LOOP_LIMIT:
            out["count"][name] = None  # would take minutes
            continue
        r = max(1, min(repeats, 3 if n < 1_000_000 else 1)) if slow else repeats
        out["count"][name] = median_seconds(partial(fn, xs, ys, V), r, warmup=not slow)
    N = count_matrix(xs, ys, V)
    W = np.random.default_rng(0).standard_normal((V, V))
    Wt = torch.tensor(W, dtype=torch.float32)
    x, y = torch.as_tensor(xs), torch.as_tensor(ys)
    if n <= ONEHOT_LIMIT:
        xenc = F.one_hot(x, num_classes=V).float()  # built once, outside the step, as the lecture does
        out["step"]["onehot_matmul"] = median_seconds(lambda: step_onehot(Wt, xenc, y, 50.0), repeats)
        del xenc
    else:
        out["step"]["onehot_matmul"] = None
    out["step"]["row_lookup"] = median_seconds(lambda: step_lookup(Wt, x, y, 50.0), repeats)
    out["step"]["from_counts"] = median_seconds(lambda: step_counts(W, N, n, 50.0), repeats)
    return out


def convergence(words: Sequence[str], vocab: Vocab, steps: int = 100) -> dict[str, float]:
    """Gap to the count model's NLL after ``steps`` steps: the lecture's set-up and the package's Newton."""
    xs, ys = bigrams(words, vocab)
    optimum = CountModel.fit(words, vocab=vocab).nll(words)
    losses, W_lecture = lecture_train(xs, ys, steps=steps)
    N = count_matrix(xs, ys, vocab.size)
    init = torch.randn((vocab.size, vocab.size), generator=torch.Generator().manual_seed(2147483647))
    newton = train_from_counts(init.double().numpy(), N, steps=steps)
    return {
        "optimum_nll": optimum,
        "gap_after_100_lecture": losses[-1] - optimum,
        "gap_after_100_lecture_data_nll": penalised_loss(W_lecture, N) - optimum,
        "gap_after_100_package": newton.losses[-1] - optimum,
    }


def run(words: Iterable[str], *, repeats: int = 5, scales: Iterable[int] = (1, 10, 100)) -> dict[str, Any]:
    """Run the whole benchmark on ``words`` (and on it repeated ``scales`` times); returns one dict.

    ``words`` may be any iterable of words (a generator is read once). The scales are timed
    smallest first (a repeated one once), each from 1 to :data:`~bigram_ref.validate.MAX_SCALE`,
    and the summary ratios are those of the smallest.
    """
    validate.integer(repeats, "repeats", 1)
    if isinstance(scales, int | str) or not isinstance(scales, Iterable):
        raise validate.InputError(f"scales: expected a list of corpus repetitions, got {validate.shown(scales)}")
    scales = sorted({validate.integer(k, "scales", 1, validate.MAX_SCALE) for k in scales})
    if not scales:
        raise validate.InputError("scales: expected at least one corpus repetition")
    if isinstance(words, Iterator):  # read once: the words are timed again at every scale
        words = list(words)
    vocab = Vocab.from_words(words)  # checks the words
    words = list(words)
    timings = {str(k): time_scale(list(words) * k, vocab, repeats) for k in scales}
    base = timings[str(scales[0])]
    result: dict[str, Any] = {
        "machine": f"{platform.machine()}, {platform.system()}, Python {platform.python_version()}, "
        f"numpy {np.__version__}, torch {torch.__version__}, {torch.get_num_threads()} threads",
        "words": len(words),
        "repeats": repeats,
        "scales": timings,
    }
    c, s = base["count"], base["step"]
    result["count_speedup_vs_tensor_loop"] = c["tensor_loop"] / c["package"] if c["tensor_loop"] else None
    result["count_ratio_to_bincount_floor"] = c["package"] / c["bincount_floor"]
    result["grad_speedup_vs_onehot"] = s["onehot_matmul"] / s["from_counts"] if s["onehot_matmul"] else None
    result["grad_speedup_lookup_vs_onehot"] = s["onehot_matmul"] / s["row_lookup"] if s["onehot_matmul"] else None
    result.update(convergence(words, vocab))
    return result


_RESULT_KEYS = (
    "scales",
    "words",
    "repeats",
    "machine",
    "count_ratio_to_bincount_floor",
    "optimum_nll",
    "gap_after_100_lecture",
    "gap_after_100_lecture_data_nll",
    "gap_after_100_package",
)


def _fmt(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds * 1e3:.3g} ms" if seconds < 1 else f"{seconds:.3g} s"


def _ratio(x: float) -> str:
    return f"{x:,.0f}×" if x >= 100 else f"{x:.3g}×"


def _compared(baseline: float | None, seconds: float | None) -> str:
    """How a method's time compares with its group's baseline: ``12.3× faster``, ``8.8× slower``, or ``—``."""
    if not baseline or not seconds:
        return "—"
    return f"{_ratio(baseline / seconds)} faster" if seconds <= baseline else f"{_ratio(seconds / baseline)} slower"


def _counted(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'s' * (n != 1)}"


def format_table(result: dict[str, Any]) -> str:
    """The benchmark as a Markdown table, with ratios to the lecture-style baseline of each group (never a -0).

    ``result`` is what :func:`run` returns. The ratio column is measured at the smallest scale,
    as the summary ratios of :func:`run` are: a method faster than the baseline is ``N× faster``,
    a slower one ``N× slower``.
    """
    result = validate.instance(result, "result", dict)
    missing = [k for k in _RESULT_KEYS if k not in result]
    if missing:
        raise validate.InputError(f"result: expected what run() returns, but it has no {missing[0]!r}")
    scales = sorted(result["scales"], key=int)
    head = "| method | " + " | ".join(f"{k}× ({result['scales'][k]['bigrams']:,} bigrams)" for k in scales)
    lines = [head + f" | ratio at {scales[0]}× |", "| --- |" + " --- |" * (len(scales) + 1)]
    groups = (("count", "tensor_loop", list(COUNTING)), ("step", "onehot_matmul", list(STEPS)))
    for group, baseline, names in groups:
        for name in names:
            cells = [_fmt(result["scales"][k][group][name]) for k in scales]
            first = result["scales"][scales[0]][group]
            ratio = _compared(first[baseline], first[name])
            if name == baseline:
                ratio = "baseline"
            lines.append(f"| {group}: {name} | " + " | ".join(cells) + f" | {ratio} |")
    lines.append("")
    lines.append(f"- counting, package vs bare bincount floor: {result['count_ratio_to_bincount_floor']:z.2f}×")
    lines.append(f"- count model optimum (average NLL): {result['optimum_nll']:z.6f}")
    lines.append(
        f"- after 100 steps, the lecture's set-up is {result['gap_after_100_lecture']:z.4f} nats above it "
        f"(its loss, with the L2 term; its data NLL alone: {result['gap_after_100_lecture_data_nll']:z.4f}); "
        f"the package's Newton-from-counts: {result['gap_after_100_package']:z.1e}"
    )
    lines.append(f"- corpus: {result.get('corpus', 'given word list')} ({_counted(result['words'], 'word')})")
    lines.append(f"- machine: {result['machine']}; median of {_counted(result['repeats'], 'run')}")
    return "\n".join(lines)
