"""The guide's figures, drawn from the package at build time (needs matplotlib: ``bigram_ref[plots]``).

Each function draws one figure with :mod:`matplotlib.pyplot` and returns it, so
that Sphinx's ``plot`` directive can pick it up while the site builds; no image
is ever pasted into the docs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from numpy.typing import ArrayLike

from bigram_ref.corpus import Vocab
from bigram_ref.softmax import grad_logits, softmax, softmax_jacobian

__all__ = ["count_heatmap", "flow_diagram", "jacobian_heatmap", "sgd_step_bars", "training_curve"]

TARGET_COLOUR = "#d62728"
ROW_COLOUR = "#1f77b4"


def count_heatmap(N: ArrayLike, vocab: Vocab) -> Figure:
    """The count matrix as a labelled heat map: each cell shows its bigram and its count."""
    N = np.asarray(N)
    V = vocab.size
    if N.shape != (V, V):
        raise ValueError(f"N: expected shape {(V, V)} for this vocabulary, got {N.shape}")
    fig, ax = plt.subplots(figsize=(0.62 * V, 0.62 * V))
    ax.imshow(N, cmap="Blues")
    high = N.max() * 0.6
    for i in range(V):
        for j in range(V):
            colour = "white" if N[i, j] > high else "#333333"
            ax.text(j, i - 0.15, vocab.chars[i] + vocab.chars[j], ha="center", va="center", fontsize=7, color=colour)
            ax.text(j, i + 0.22, str(int(N[i, j])), ha="center", va="center", fontsize=6, color=colour)
    ax.set_xticks(range(V), vocab.chars)
    ax.set_yticks(range(V), vocab.chars)
    ax.set_xlabel("next character y")
    ax.set_ylabel("current character i")
    ax.set_title("bigram counts N[i, y]")
    return fig


def sgd_step_bars(z: ArrayLike, y: int, lr: float, labels: Sequence[str]) -> Figure:
    """One SGD step on one row: probabilities before and after ``z ← z − lr (p − t)``, target marked."""
    z = np.asarray(z, dtype=np.float64)
    before = softmax(z)
    after = softmax(z - lr * grad_logits(z, y))
    x = np.arange(z.size)
    fig, ax = plt.subplots(figsize=(6, 3.4))
    ax.bar(x - 0.2, before, width=0.4, label="p before", color="#9ecae1")
    ax.bar(x + 0.2, after, width=0.4, label="p after one step", color=ROW_COLOUR)
    ax.set_xticks(x, list(labels))
    ax.get_xticklabels()[y].set_color(TARGET_COLOUR)
    ax.annotate(
        "target y",
        (y + 0.2, after[y]),
        xytext=(0, 12),
        textcoords="offset points",
        ha="center",
        color=TARGET_COLOUR,
        arrowprops={"arrowstyle": "->", "color": TARGET_COLOUR},
    )
    ax.set_ylabel("probability")
    ax.set_ylim(0, max(before.max(), after.max()) * 1.3)
    ax.set_title(f"one step, lr = {lr:g}: mass moves to the target")
    ax.legend(loc="upper right", frameon=False)
    return fig


def training_curve(losses: Sequence[float], optimum: float, label: str = "neural model") -> Figure:
    """Training loss per step against the count model's optimum (a horizontal line)."""
    fig, ax = plt.subplots(figsize=(6, 3.4))
    ax.plot(np.arange(len(losses)), losses, color=ROW_COLOUR, label=label)
    ax.axhline(optimum, color=TARGET_COLOUR, linestyle="--", label=f"count model optimum {optimum:.4f}")
    ax.set_xlabel("gradient step")
    ax.set_ylabel("average NLL per bigram")
    ax.legend(frameon=False)
    ax.set_title("training reaches the counts")
    return fig


def jacobian_heatmap(z: ArrayLike, labels: Sequence[str] | None = None) -> Figure:
    """The softmax Jacobian diag(p) − p pᵀ of a small logit vector, values written in the cells."""
    J = softmax_jacobian(z)
    V = J.shape[0]
    labels = [str(k) for k in range(V)] if labels is None else list(labels)
    lim = float(np.abs(J).max())
    fig, ax = plt.subplots(figsize=(4.2, 3.6))
    image = ax.imshow(J, cmap="RdBu_r", vmin=-lim, vmax=lim)
    for j in range(V):
        for k in range(V):
            ax.text(k, j, f"{J[j, k]:.3f}", ha="center", va="center", fontsize=9)
    ax.set_xticks(range(V), labels)
    ax.set_yticks(range(V), labels)
    ax.set_xlabel("l  (logit z_l)")
    ax.set_ylabel("j  (probability p_j)")
    ax.set_title("∂p_j/∂z_l = p_j(δ_jl − p_l)")
    fig.colorbar(image, ax=ax, shrink=0.8)
    return fig


def _box(ax: Any, xy: tuple[float, float], text: str, colour: str = "#f0f0f0", edge: str = "#555555") -> None:
    x, y = xy
    ax.add_patch(
        FancyBboxPatch(
            (x - 0.9, y - 0.32), 1.8, 0.64, boxstyle="round,pad=0.05", facecolor=colour, edgecolor=edge, linewidth=1.2
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=10)


def _arrow(ax: Any, a: tuple[float, float], b: tuple[float, float], colour: str = "#333333", **kw: Any) -> None:
    ax.add_patch(FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=14, color=colour, linewidth=1.4, **kw))


def flow_diagram() -> Figure:
    """Where each one-hot goes: the input one-hot selects a row; the target one-hot only reaches the loss."""
    fig, ax = plt.subplots(figsize=(10, 4.2))
    ax.set_xlim(0, 12.5)
    ax.set_ylim(0, 4.6)
    ax.axis("off")
    top, low = 3.6, 1.4
    _box(ax, (1.1, top), "current index i")
    _box(ax, (3.5, top), "x = one_hot(i)")
    _box(ax, (5.9, top), "z = x W = W[i]", colour="#deebf7", edge=ROW_COLOUR)
    _box(ax, (8.3, top), "p = softmax(z)")
    _box(ax, (10.9, top), "L = −log p[y]")
    for a, b in [(2.0, 2.6), (4.4, 5.0), (6.8, 7.4), (9.2, 10.0)]:
        _arrow(ax, (a, top), (b, top))
    _box(ax, (10.9, low), "t = one_hot(y)", colour="#fde0dd", edge=TARGET_COLOUR)
    _arrow(ax, (10.9, low + 0.35), (10.9, top - 0.35), colour=TARGET_COLOUR)
    ax.text(11.05, (low + top) / 2, "picks p[y]\n(loss only)", color=TARGET_COLOUR, fontsize=9, va="center")
    _box(ax, (8.3, low), "∂L/∂z = p − t", colour="#fde0dd", edge=TARGET_COLOUR)
    _arrow(ax, (10.0, low), (9.2, low), colour=TARGET_COLOUR)
    _box(ax, (5.9, low), "∂L/∂W[i] = p − t\nother rows: 0", colour="#deebf7", edge=ROW_COLOUR)
    _arrow(ax, (7.4, low), (6.8, low), colour=TARGET_COLOUR)
    ax.text(0.2, 4.35, "forward", fontsize=11, weight="bold")
    ax.text(0.2, 0.45, "backward: the target's only effect", fontsize=11, weight="bold", color=TARGET_COLOUR)
    return fig
