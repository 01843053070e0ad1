"""The guide's figures, drawn from the package at build time (needs matplotlib: ``bigram_ref[plots]``).

Two layers. The drawing functions (:func:`count_heatmap`, :func:`training_curve`,
:func:`sgd_step_bars`, :func:`jacobian_heatmap`, :func:`flow_diagram`) draw any data
they are given. The guide's figures (:data:`GUIDE_FIGURES`) are named functions of
the theme alone that compute their data with this package and draw it; a page shows
one with the ``figure-function`` directive (``docs/_ext/figure_functions.py``), which
saves a light and a dark SVG of it.

Every function returns a :class:`~matplotlib.figure.Figure` made without pyplot (no
global figure list, nothing to close) whose label, :func:`alt_text`, says in words
what it draws, computed from the same numbers: the page uses it as the image's alt text.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import Colormap, LinearSegmentedColormap, Normalize, PowerNorm, to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from numpy.typing import ArrayLike, NDArray

from bigram_ref import validate
from bigram_ref.corpus import Vocab, bigrams, default_words
from bigram_ref.counting import CountModel, count_matrix
from bigram_ref.neural import init_weights, train
from bigram_ref.softmax import grad_logits, softmax, softmax_jacobian

__all__ = [
    "GUIDE_FIGURES",
    "Theme",
    "alt_text",
    "census_count_heatmap",
    "census_training_curve",
    "count_heatmap",
    "flow_diagram",
    "jacobian_heatmap",
    "sgd_step_bars",
    "training_curve",
    "worked_example_jacobian",
    "worked_example_sgd_step",
]

Theme = Literal["light", "dark"]
WIDTH = 7.6  # inches: drawn at about the width the guide's text column shows it (736 CSS px)


@dataclass(frozen=True)
class _Palette:
    background: str
    text: str
    row: str  # the input side: row i of W
    target: str  # the target side: t and what it touches
    muted: str  # "before" bars
    box: str
    row_fill: str
    target_fill: str
    counts: Colormap  # 0 at the background colour, more = further from it
    signed: Colormap  # 0 at the background colour, blue below, red above


def _ramp(name: str, *colours: str) -> Colormap:
    return LinearSegmentedColormap.from_list(name, list(colours))


PALETTES: dict[str, _Palette] = {  # the backgrounds are Furo's
    "light": _Palette(
        background="#ffffff",
        text="#1a1a1a",
        row="#1f77b4",
        target="#c42a2a",
        muted="#9ecae1",
        box="#f0f0f0",
        row_fill="#deebf7",
        target_fill="#fde0dd",
        counts=_ramp("counts-light", "#ffffff", "#9ecae1", "#2171b5", "#08306b"),
        signed=_ramp("signed-light", "#2166ac", "#ffffff", "#b2182b"),
    ),
    "dark": _Palette(
        background="#131416",
        text="#e8e8e8",
        row="#6baed6",
        target="#ff7b72",
        muted="#2f5f86",
        box="#2a2c30",
        row_fill="#17324d",
        target_fill="#4a1f22",
        counts=_ramp("counts-dark", "#131416", "#08519c", "#4292c6", "#c6dbef"),
        signed=_ramp("signed-dark", "#4393c3", "#131416", "#e0604d"),
    ),
}


@contextmanager
def _canvas(theme: Theme, size: tuple[float, float]) -> Iterator[tuple[Figure, Axes, _Palette]]:
    """A figure with one axes, every colour taken from the theme's palette."""
    p = PALETTES[validate.choice(theme, "theme", tuple(PALETTES))]
    with mpl.rc_context(
        {
            "figure.facecolor": p.background,
            "axes.facecolor": p.background,
            "text.color": p.text,
            "axes.edgecolor": p.text,
            "axes.labelcolor": p.text,
            "xtick.color": p.text,
            "ytick.color": p.text,
            "legend.labelcolor": p.text,
            "font.size": 10,
        }
    ):
        fig = Figure(figsize=size, layout="constrained")
        yield fig, fig.add_subplot(), p


def _ink(rgb: Sequence[float]) -> str:
    """Text colour for a cell of colour ``rgb``: dark on light cells, light on dark ones."""
    luminance = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]
    return "#111111" if luminance > 0.5 else "#f5f5f5"


def _fmt(x: float, digits: int = 3) -> str:
    return f"{x:.{digits}f}".replace("-", "−")


def _entry(x: float) -> str:
    """A value as a cell shows it: 3 decimals, or e-notation where 3 decimals would show a non-zero value as 0."""
    return f"{x:.1e}".replace("-", "−") if x != 0 and round(x, 3) == 0 else _fmt(x + 0.0)  # + 0.0: no −0.000


def _value(x: float, digits: int = 4) -> str:
    """A loss or a logit as written: fixed decimals at ordinary sizes, else significant digits (1e+300)."""
    return f"{x:.{digits}f}" if x == 0 or 1e-3 <= abs(x) < 1e5 else f"{x:.{digits}g}"


def _count(x: float, grouping: str = ",") -> str:
    """A count as written: whole, its digits grouped (``32,033``; ``grouping=""``: none), else 4 significant digits."""
    if abs(float(x)) >= 1e15:  # beyond float64's exact integers: significant digits, not 300 of them
        return f"{x:.4g}"
    return f"{int(x):{grouping}}" if float(x).is_integer() else f"{x:.4g}"


def _literal(texts: Sequence[str]) -> list[str]:
    r"""Texts drawn as typed: a ``$`` escaped, so that matplotlib never parses a label as mathtext."""
    return [t.replace("$", r"\$") for t in texts]


def alt_text(fig: Figure) -> str:
    """What a figure of this module shows, in words (its label): the alt text of its image."""
    text = str(validate.instance(fig, "fig", Figure).get_label())
    if not text:
        raise validate.InputError("fig: has no description (label); every guide figure must say what it shows")
    return text


# -- drawing functions ------------------------------------------------------------------------------


def count_heatmap(N: ArrayLike, vocab: Vocab, *, theme: Theme = "light") -> Figure:
    """The count matrix as a heat map: cell ``(i, y)`` is coloured by ``N[i, y]`` and shows it (blank: 0).

    At most :data:`~bigram_ref.validate.MAX_FIGURE_V` symbols: every cell holds a number.
    """
    N = validate.counts(N)
    V = validate.instance(vocab, "vocab", Vocab).size
    validate.same_shape(N, np.empty((V, V)), "N and the vocabulary")
    validate.figure_symbols(V, "N")
    validate.total(N)  # the alt text states it
    with _canvas(theme, (WIDTH, WIDTH)) as (fig, ax, p):
        norm = PowerNorm(0.5, vmin=0, vmax=max(int(N.max()), 1))  # square-root scale: the many small counts show
        ax.imshow(N, cmap=p.counts, norm=norm, interpolation="nearest")
        for i in range(V):
            for y in range(V):
                if N[i, y]:
                    ink = _ink(to_rgb(p.counts(norm(N[i, y]))))
                    ax.text(y, i, _count(N[i, y], ""), ha="center", va="center", fontsize=7, color=ink)
        ax.set_xticks(range(V), _literal(vocab.chars))
        ax.set_yticks(range(V), _literal(vocab.chars))
        ax.tick_params(length=0, top=True, labeltop=True, bottom=False, labelbottom=False)
        ax.xaxis.set_label_position("top")
        ax.set_xlabel("next character y")
        ax.set_ylabel("current character i")
        for side in ax.spines.values():
            side.set_visible(False)
    fig.set_label(_describe_counts(N, vocab))
    return fig


def _describe_counts(N: NDArray[Any], vocab: Vocab) -> str:
    def top(counts: NDArray[Any]) -> str:
        best = np.argsort(-counts, kind="stable")[:3]
        return ", ".join(f"{vocab.chars[k]} ({_count(counts[k])})" for k in best)

    V = vocab.size
    i, y = np.unravel_index(int(np.argmax(N)), N.shape)
    # row 0 and column 0 are the boundary '.': how words start and how they end
    return (
        f"A {V} by {V} heat map of bigram counts, {_count(N.sum())} in all: row i is the current character, "
        f"column y the next, and a stronger colour is a larger count. Each non-zero cell shows its count; "
        f"{int((N == 0).sum()):,} cells are empty (zero). The largest, {_count(N[i, y])}, is '{vocab.chars[i]}' "
        f"followed by '{vocab.chars[y]}'. Most common first letters (row .): {top(N[0])}. "
        f"Most common last letters (column .): {top(N[:, 0])}."
    )


def training_curve(
    losses: Iterable[float], optimum: float, *, label: str = "neural model", theme: Theme = "light"
) -> Figure:
    """Training loss per step (a line) against the count model's loss (a dashed horizontal line).

    The losses are average NLLs, so each must be a number ``>= 0``, finite and within ±1e300:
    nearer float64's limit the axis' margins and ticks overflow, so such values are refused
    rather than drawn wrong. They may come from any iterable (a generator is read once).
    ``label`` names the line in the legend as given.
    """
    losses = validate.series(losses, "losses")
    optimum = validate.number(optimum, "optimum")
    label = validate.label(label)
    k = int(np.argmin(losses))
    validate.number(losses[k], f"losses[{k}]")  # an NLL is never negative
    k = int(np.argmax(losses))  # the largest: if it fits on the axis, all do
    validate.plottable(losses[k], f"losses[{k}]")
    validate.plottable(optimum, "optimum")
    with _canvas(theme, (WIDTH, 3.6)) as (fig, ax, p):
        (line,) = ax.plot(np.arange(len(losses)), losses, color=p.row, linewidth=2)
        level = ax.axhline(optimum, color=p.target, linestyle="--")
        ax.set_xlabel("gradient step")
        ax.set_ylabel("average NLL per bigram")
        # labels given here, not on the artists: matplotlib's legend would hide one that starts with "_"
        ax.legend([line, level], _literal([label, f"count model {_value(optimum)}"]), frameon=False)
    steps = len(losses) - 1
    last = losses[-1]
    where = "above" if last > optimum else "on" if last == optimum else "below"
    fig.set_label(
        f"Line chart of the {label}'s average NLL per bigram over {steps} gradient step{'s' * (steps != 1)}: "
        f"it starts at {_value(losses[0])} and ends at {_value(last)}, {where} a dashed horizontal line "
        f"at {_value(optimum)}, the count model's NLL."
    )
    return fig


def sgd_step_bars(z: ArrayLike, y: int, lr: float, labels: Sequence[str], *, theme: Theme = "light") -> Figure:
    """One SGD step on one row: probabilities before and after ``z ← z − lr (p − t)``, target marked.

    ``labels`` is any iterable of ``V`` non-blank strings (a generator is read once). The alt
    text says whether each probability rises, falls or stays at the 3 decimals it shows, and by
    how much when a change is too small to show.
    """
    z = validate.logits(z, ndims=(1,)).astype(np.float64)
    y = int(validate.indices(y, "y", z.size, shape=()))
    lr = validate.number(lr, "lr", positive=True)
    labels = validate.labels(labels, z.size)
    before = softmax(z)
    with np.errstate(over="ignore", invalid="ignore"):
        stepped = z - lr * grad_logits(z, y)
    if not np.isfinite(stepped[np.isfinite(z)]).all():  # a -inf logit stays -inf; the others must stay finite
        raise validate.too_large("lr", lr, "the logits after the step")
    after = softmax(stepped)
    x = np.arange(z.size)
    with _canvas(theme, (WIDTH, 3.4)) as (fig, ax, p):
        ax.bar(x - 0.2, before, width=0.4, label="p before", color=p.muted)
        ax.bar(x + 0.2, after, width=0.4, label="p after one step", color=p.row)
        ax.set_xticks(x, _literal(labels))
        ax.get_xticklabels()[y].set_color(p.target)
        ax.annotate(
            "target y",
            (y + 0.2, after[y]),
            xytext=(0, 14),
            textcoords="offset points",
            ha="center",
            color=p.target,
            arrowprops={"arrowstyle": "->", "color": p.target},
        )
        ax.set_ylabel("probability")
        ax.set_ylim(0, max(before.max(), after.max()) * 1.3)
        ax.legend(loc="upper right", frameon=False)
    moves = "; ".join(_move(labels[k], before[k], after[k]) for k in range(z.size))
    fig.set_label(
        f"Bar chart of the probabilities of {', '.join(labels)} before and after one gradient step of size "
        f"{lr:g} with target {labels[y]}: {moves}."
    )
    return fig


def _move(label: str, before: float, after: float) -> str:
    """How one probability moves, in words true at the 3 decimals shown: it rises, falls, or stays (and by how much)."""
    if f"{before:.3f}" != f"{after:.3f}":
        return f"{label} {'rises' if after > before else 'falls'} from {before:.3f} to {after:.3f}"
    if after == before:
        return f"{label} stays at {before:.3f}"
    return f"{label} stays at {before:.3f} ({'up' if after > before else 'down'} by {abs(after - before):.1e})"


def jacobian_heatmap(z: ArrayLike, labels: Sequence[str] | None = None, *, theme: Theme = "light") -> Figure:
    """The softmax Jacobian ``diag(p) − p pᵀ`` of a small logit vector, values written in the cells.

    At most :data:`~bigram_ref.validate.MAX_FIGURE_V` symbols, as every cell holds a number.
    Logits may be −inf or huge: an entry is then 0 where a probability is 0 or 1, and the alt
    text says so. A cell shows 3 decimals, or e-notation where 3 decimals would show a non-zero
    entry as 0.
    """
    z = validate.logits(z, ndims=(1,))
    validate.figure_symbols(z.size, "z")
    J = softmax_jacobian(z)
    V = J.shape[0]
    labels = [str(k) for k in range(V)] if labels is None else validate.labels(labels, V)
    lim = float(np.abs(J).max())
    with _canvas(theme, (5.2, 4.2)) as (fig, ax, p):
        norm = Normalize(-lim, lim)
        image = ax.imshow(J, cmap=p.signed, norm=norm)
        for j in range(V):
            for k in range(V):
                ink = _ink(to_rgb(p.signed(norm(J[j, k]))))
                ax.text(k, j, _entry(J[j, k]), ha="center", va="center", fontsize=11, color=ink)
        ax.set_xticks(range(V), _literal(labels))
        ax.set_yticks(range(V), _literal(labels))
        ax.set_xlabel(r"$l$  (logit $z_l$)")
        ax.set_ylabel(r"$j$  (probability $p_j$)")
        ax.set_title(r"$\partial p_j / \partial z_l = p_j\,(\delta_{jl} - p_l)$")
        fig.colorbar(image, ax=ax, shrink=0.8)
    fig.set_label(
        f"A {V} by {V} heat map of the softmax Jacobian for the logits "
        f"{', '.join(_value(float(v), 2).replace('-', '−') for v in np.ravel(z))}"
        f" (rows j and columns l: {', '.join(labels)}), each cell showing its value. {_describe_jacobian(J)}"
    )
    return fig


def _describe_jacobian(J: NDArray[np.floating[Any]]) -> str:
    """The signs and values of a softmax Jacobian, as they are: an entry is 0 where a probability is 0 or 1."""
    if J.shape[0] == 1:
        return "With one symbol its probability is always 1, so the only entry is 0."
    if not J.any():
        return "Every entry is 0: each probability is 0 or 1."
    diag, off = np.diag(J), J[~np.eye(J.shape[0], dtype=bool)]

    def sign(values: NDArray[np.floating[Any]], word: str) -> str:
        return "0" if not values.any() else word if values.all() else f"{word} or 0"

    text = (
        f"The diagonal is {sign(diag, 'positive')} ({', '.join(_entry(v) for v in diag)}) and every other entry "
        f"{sign(off, 'negative')}, from {_entry(off.min())} to {_entry(off.max())}; blue is negative, red positive."
    )
    if not (diag.all() and off.all()):
        text += " An entry is 0 where a probability is 0 or 1."
    return text


# the flow diagram as data: boxes (name -> position, text, kind) and arrows (from, to, kind)
FLOW_BOXES = {
    "i": ((1.1, 3.6), "current index i", "plain"),
    "x": ((3.5, 3.6), "x = one_hot(i)", "plain"),
    "z": ((5.9, 3.6), "z = x W = W[i]", "row"),
    "p": ((8.3, 3.6), "p = softmax(z)", "plain"),
    "L": ((10.9, 3.6), "L = −log p[y]", "plain"),
    "t": ((10.9, 1.4), "t = one_hot(y)", "target"),
    "dz": ((8.3, 1.4), "∂L/∂z = p − t", "target"),
    "dW": ((5.9, 1.4), "∂L/∂W[i] = p − t\nother rows: 0", "row"),
}
FLOW_ARROWS = [
    ("i", "x", "plain"),
    ("x", "z", "plain"),
    ("z", "p", "plain"),
    ("p", "L", "plain"),
    ("t", "L", "target"),
    ("p", "dz", "plain"),
    ("t", "dz", "target"),
    ("dz", "dW", "target"),
]


def _edge(a: tuple[float, float], b: tuple[float, float]) -> tuple[tuple[float, float], tuple[float, float]]:
    """From box ``a`` to box ``b``: start and end on the boxes' borders (they are 1.8 by 0.64)."""
    (ax, ay), (bx, by) = a, b
    if ay == by:
        step = 0.95 if bx > ax else -0.95
        return (ax + step, ay), (bx - step, by)
    step = 0.37 if by > ay else -0.37
    return (ax, ay + step), (bx, by - step)


def flow_diagram(theme: Theme = "light") -> Figure:
    """Where each one-hot goes: the input one-hot selects a row; the target one-hot only reaches the loss."""
    with _canvas(theme, (WIDTH, 3.3)) as (fig, ax, p):
        fills = {"plain": (p.box, p.text), "row": (p.row_fill, p.row), "target": (p.target_fill, p.target)}
        ax.set_xlim(0, 12.2)
        ax.set_ylim(0.3, 4.5)
        ax.axis("off")
        for name, ((x, y), text, kind) in FLOW_BOXES.items():
            fill, edge = fills[kind]
            box = FancyBboxPatch((x - 0.9, y - 0.32), 1.8, 0.64, boxstyle="round,pad=0.05", linewidth=1.2)
            box.set(facecolor=fill, edgecolor=edge, gid=f"box-{name}")
            ax.add_patch(box)
            ax.text(x, y, text, ha="center", va="center", fontsize=9.5)
        for a, b, kind in FLOW_ARROWS:
            start, end = _edge(FLOW_BOXES[a][0], FLOW_BOXES[b][0])
            colour = fills[kind][1] if kind == "target" else p.text
            arrow = FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=14, color=colour, linewidth=1.4)
            arrow.set_gid(f"{a}->{b}")
            ax.add_patch(arrow)
        ax.text(11.05, 2.5, "picks p[y]\nfor the loss", color=p.target, fontsize=9, va="center")
        ax.text(0.2, 4.3, "forward", fontsize=11, weight="bold")
        ax.text(
            0.2, 0.5, "backward: p − t, where the target sets the gradient", fontsize=11, weight="bold", color=p.target
        )
    fig.set_label(
        "Flow of one training example. Forward (top row): "
        + " → ".join(FLOW_BOXES[k][1] for k in "ixzpL")
        + ". The target one-hot t = one_hot(y) takes no part in the forward pass; the loss uses it to pick p[y]. "
        "Backward (bottom row): p and t both flow into ∂L/∂z = p − t, which becomes the gradient "
        "of row i of W; every other row gets zero."
    )
    return fig


# -- the guide's figures: each a function of the theme alone --------------------------------------

WORKED_LOGITS = (0.20, -0.10, 0.05)  # the row of '.' in the three-symbol worked example
WORKED_SYMBOLS = (".", "a", "b")
CENSUS_LR, CENSUS_STEPS = 50.0, 100  # the tutorial's training run


@functools.cache
def _census() -> tuple[list[str], Vocab, NDArray[np.int64], NDArray[np.int64]]:
    words = default_words()
    vocab = Vocab.from_words(words)
    xs, ys = bigrams(words, vocab)
    return words, vocab, xs, ys


@functools.cache
def _census_training() -> tuple[list[float], float]:
    words, vocab, xs, ys = _census()
    result = train(init_weights(vocab.size, seed=0), xs, ys, lr=CENSUS_LR, steps=CENSUS_STEPS)
    return result.losses, CountModel.fit(words).nll(words)


def census_count_heatmap(theme: Theme = "light") -> Figure:
    """The count matrix of the census first names (tutorial)."""
    _, vocab, xs, ys = _census()
    return count_heatmap(count_matrix(xs, ys, vocab.size), vocab, theme=theme)


def census_training_curve(theme: Theme = "light") -> Figure:
    """The neural model on the census names, from ``init_weights(V, seed=0)`` (tutorial)."""
    losses, optimum = _census_training()
    fig = training_curve(losses, optimum, theme=theme)
    fig.set_label(f"{alt_text(fig)} Full-batch gradient descent on the census names, step size {CENSUS_LR:g}.")
    return fig


def worked_example_sgd_step(theme: Theme = "light") -> Figure:
    """One step of size 1 on the row of '.' in the worked example, target 'a' (gradient page)."""
    return sgd_step_bars(WORKED_LOGITS, y=1, lr=1.0, labels=WORKED_SYMBOLS, theme=theme)


def worked_example_jacobian(theme: Theme = "light") -> Figure:
    """The softmax Jacobian of the worked example's logits (softmax-derivative page)."""
    return jacobian_heatmap(WORKED_LOGITS, labels=WORKED_SYMBOLS, theme=theme)


GUIDE_FIGURES: dict[str, Callable[[Theme], Figure]] = {
    f.__name__: f
    for f in (
        flow_diagram,
        census_count_heatmap,
        census_training_curve,
        worked_example_sgd_step,
        worked_example_jacobian,
    )
}
"""The figures the guide shows, by name; a page shows one with the ``figure-function`` directive."""
