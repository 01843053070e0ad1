"""bigram_ref.plots: every figure draws, and says in its alt text, the package's own numbers.

Each guide figure (GUIDE_FIGURES, what the pages show) is checked against an independent
computation with the package: the data in its artists and the numbers in its description.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable, Iterator

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, Rectangle

from bigram_ref import CountModel, Vocab, bigrams, count_matrix, default_words, init_weights, softmax, train
from bigram_ref.plots import (
    GUIDE_FIGURES,
    PALETTES,
    WORKED_LOGITS,
    alt_text,
    count_heatmap,
    flow_diagram,
    jacobian_heatmap,
    sgd_step_bars,
    training_curve,
)
from bigram_ref.softmax import one_hot, softmax_jacobian
from bigram_ref.validate import InputError


class Census:
    """The census corpus, and the tutorial's training run on it, computed here independently of the plots."""

    def __init__(self) -> None:
        self.words = default_words()
        self.vocab = Vocab.from_words(self.words)
        self.xs, self.ys = bigrams(self.words, self.vocab)

    @functools.cached_property
    def training(self) -> tuple[list[float], float]:
        W0 = init_weights(self.vocab.size, seed=0)
        losses = train(W0, self.xs, self.ys, lr=50.0, steps=100).losses
        return losses, CountModel.fit(self.words).nll(self.words)


@pytest.fixture(scope="module")
def census() -> Census:
    return Census()


def bars(fig: Figure) -> list[float]:
    return [p.get_height() for p in fig.axes[0].patches if isinstance(p, Rectangle)]


def cell_texts(fig: Figure) -> dict[tuple[int, int], str]:
    """The text written in each heat-map cell, by (row, column)."""
    texts = {}
    for t in fig.axes[0].texts:
        x, y = t.get_position()
        texts[round(y), round(x)] = t.get_text()
    return texts


# -- each guide figure against the package's own numbers --------------------------------------------


def check_census_count_heatmap(fig: Figure, census: Census) -> None:
    vocab = census.vocab
    N = count_matrix(census.xs, census.ys, vocab.size)
    assert (fig.axes[0].images[0].get_array() == N).all(), "the colours are not the count matrix"
    assert cell_texts(fig) == {(i, y): str(N[i, y]) for i in range(vocab.size) for y in range(vocab.size) if N[i, y]}
    first = np.argsort(-N[0], kind="stable")[:3]  # row '.': how names start
    assert [vocab.chars[k] for k in first] == ["m", "l", "c"]
    assert f"first letters (row .): {', '.join(f'{vocab.chars[k]} ({N[0, k]:,})' for k in first)}." in alt_text(fig)
    assert f"{N.sum():,} in all" in alt_text(fig)


def check_census_training_curve(fig: Figure, census: Census) -> None:
    losses, optimum = census.training
    line, dashed = fig.axes[0].lines
    assert list(line.get_ydata()) == losses
    assert list(dashed.get_ydata()) == [optimum, optimum] and dashed.get_linestyle() == "--"
    for claim in [f"over {len(losses) - 1} gradient steps", f"{losses[0]:.4f}", f"{losses[-1]:.4f}", f"{optimum:.4f}"]:
        assert claim in alt_text(fig)
    assert "step size 50" in alt_text(fig)


def check_worked_example_sgd_step(fig: Figure, census: Census) -> None:
    z = np.array(WORKED_LOGITS)
    before = softmax(z)
    after = softmax(z - 1.0 * (softmax(z) - one_hot(1, 3)))
    assert np.allclose(bars(fig), [*before, *after], rtol=0, atol=1e-15)
    assert after[1] > before[1] and (after[[0, 2]] < before[[0, 2]]).all()
    assert f"a rises from {before[1]:.3f} to {after[1]:.3f}" in alt_text(fig)
    assert f"b falls from {before[2]:.3f} to {after[2]:.3f}" in alt_text(fig)


def check_worked_example_jacobian(fig: Figure, census: Census) -> None:
    J = softmax_jacobian(WORKED_LOGITS)
    assert np.array_equal(fig.axes[0].images[0].get_array(), J)
    written = {cell: float(text.replace("−", "-")) for cell, text in cell_texts(fig).items()}
    assert written == {(j, k): round(float(J[j, k]), 3) for j in range(3) for k in range(3)}
    assert f"({', '.join(f'{d:.3f}' for d in np.diag(J))})" in alt_text(fig)


def check_flow_diagram(fig: Figure, census: Census) -> None:
    arrows = {a.get_gid() for a in fig.axes[0].patches if isinstance(a, FancyArrowPatch)}
    assert {"p->dz", "t->dz", "dz->dW"} <= arrows, "the gradient p - t needs both p and t"
    assert not {f"t->{k}" for k in "ixzp"} & arrows, "the target one-hot entered the forward pass"
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    for part in ["x = one_hot(i)", "t = one_hot(y)", "W[i]", "∂L/∂z = p − t", "picks p[y]", "other rows: 0"]:
        assert part in texts
    assert "p and t both flow into ∂L/∂z = p − t" in alt_text(fig)
    assert "t = one_hot(y) takes no part in the forward pass" in alt_text(fig)  # t's arrows: to L and to dz only
    assert {a for a in arrows if a.startswith("t->")} == {"t->L", "t->dz"}


CHECKS: dict[str, Callable[[Figure, Census], None]] = {
    "census_count_heatmap": check_census_count_heatmap,
    "census_training_curve": check_census_training_curve,
    "worked_example_sgd_step": check_worked_example_sgd_step,
    "worked_example_jacobian": check_worked_example_jacobian,
    "flow_diagram": check_flow_diagram,
}


def test_every_guide_figure_has_a_check_and_is_named_by_its_function() -> None:
    assert set(CHECKS) == set(GUIDE_FIGURES)
    assert all(f.__name__ == name for name, f in GUIDE_FIGURES.items())


def brightness(fig: Figure) -> float:
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    rgb = np.asarray(canvas.buffer_rgba())[..., :3] / 255
    return float((rgb @ [0.2126, 0.7152, 0.0722]).mean())


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("name", sorted(GUIDE_FIGURES))
def test_guide_figure_draws_the_numbers_it_claims(name: str, theme: str, census: Census) -> None:
    fig = GUIDE_FIGURES[name](theme)  # type: ignore[arg-type]
    CHECKS[name](fig, census)
    assert to_hex(fig.get_facecolor()) == PALETTES[theme].background
    level = brightness(fig)
    assert (level < 0.5) if theme == "dark" else (level > 0.5), f"{name} in the {theme} theme: brightness {level:.2f}"


@pytest.mark.parametrize("name", sorted(GUIDE_FIGURES))
def test_light_and_dark_say_the_same(name: str) -> None:
    assert alt_text(GUIDE_FIGURES[name]("light")) == alt_text(GUIDE_FIGURES[name]("dark"))


# -- the drawing functions on small data --------------------------------------------------------------


def test_count_heatmap_writes_each_non_zero_count_in_its_cell() -> None:
    model = CountModel.fit(["ab", "ba", "b"])
    fig = count_heatmap(model.counts, model.vocab)
    N = model.counts
    assert cell_texts(fig) == {(i, y): str(N[i, y]) for i in range(3) for y in range(3) if N[i, y]}
    assert f"{int((N == 0).sum())} cells are empty" in alt_text(fig)


def test_count_heatmap_rejects_a_mismatched_vocabulary() -> None:
    model = CountModel.fit(["ab"])
    expected = r"^N and the vocabulary: expected the same \(V, V\) shape, got \(4, 4\) and \(3, 3\)"
    with pytest.raises(InputError, match=expected):
        count_heatmap(np.zeros((4, 4)), model.vocab)


def test_sgd_step_bars_show_before_and_after() -> None:
    z = np.array([0.20, -0.10, 0.05])
    fig = sgd_step_bars(z, y=1, lr=1.0, labels=[".", "a", "b"])
    before, after = np.array(bars(fig)[:3]), np.array(bars(fig)[3:])
    assert np.allclose(before, softmax(z))
    assert np.allclose(after, softmax(z - (softmax(z) - np.eye(3)[1])))


def test_sgd_step_bars_need_a_label_per_logit_and_a_target_among_them() -> None:
    with pytest.raises(InputError, match=r"^labels: expected 3 strings, one per symbol, got \['a', 'b'\]"):
        sgd_step_bars([0.0, 0.0, 0.0], y=1, lr=1.0, labels=["a", "b"])
    with pytest.raises(InputError, match=r"^y = 3 is out of range for V = 3"):
        sgd_step_bars([0.0, 0.0, 0.0], y=3, lr=1.0, labels=["a", "b", "c"])
    with pytest.raises(InputError, match=r"^lr: expected a finite number > 0, got nan"):
        sgd_step_bars([0.0, 0.0, 0.0], y=1, lr=float("nan"), labels=["a", "b", "c"])


def test_training_curve_draws_losses_and_the_optimum() -> None:
    fig = training_curve([3.0, 2.5, 2.4], optimum=2.3)
    line, optimum = fig.axes[0].lines
    assert list(line.get_ydata()) == [3.0, 2.5, 2.4]
    assert list(optimum.get_ydata()) == [2.3, 2.3]
    assert "over 2 gradient steps: it starts at 3.0000 and ends at 2.4000" in alt_text(fig)


def test_training_curve_needs_a_loss() -> None:
    with pytest.raises(InputError, match=r"^losses: expected a non-empty 1-D sequence of finite numbers, got \[\]"):
        training_curve([], optimum=1.0)
    with pytest.raises(InputError, match=r"^losses: expected a non-empty 1-D sequence of finite numbers"):
        training_curve([3.0, float("nan")], optimum=1.0)


def test_training_curve_takes_losses_from_a_generator_and_shows_its_label_as_given() -> None:
    fig = training_curve((x / 2 for x in (6.0, 5.0, 4.8)), optimum=2.3, label="_run")
    assert list(fig.axes[0].lines[0].get_ydata()) == [3.0, 2.5, 2.4]
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["_run", "count model 2.3000"]  # matplotlib alone would hide a label starting with "_"
    assert alt_text(fig).startswith("Line chart of the _run's average NLL")
    with pytest.raises(InputError, match=r"^label: expected a label with something to show, got ' '$"):
        training_curve([1.0], optimum=0.5, label=" ")


def test_jacobian_heatmap_writes_the_jacobian() -> None:
    fig = jacobian_heatmap([0.20, -0.10, 0.05], labels=[".", "a", "b"])
    values = [float(t.get_text().replace("−", "-")) for t in fig.axes[0].texts]
    p = softmax([0.20, -0.10, 0.05])
    assert np.allclose(values, (np.diag(p) - np.outer(p, p)).ravel(), atol=5e-4)


def test_an_unknown_theme_is_refused() -> None:
    with pytest.raises(InputError, match=r"^theme: expected one of 'light', 'dark', got 'sepia'"):
        flow_diagram("sepia")  # type: ignore[arg-type]


def test_a_figure_without_a_description_has_no_alt_text() -> None:
    with pytest.raises(InputError, match=r"^fig: has no description"):
        alt_text(Figure())


# -- hostile but valid input: what the figure says must still be true -----------------------------


def drawn(fig: Figure) -> Figure:
    """The figure rendered (as the docs build renders it): any warning fails the test."""
    FigureCanvasAgg(fig).draw()
    return fig


def number(text: str) -> float:
    return float(text.replace("−", "-"))


def close_as_written(text: str, value: float) -> bool:
    """A value as a figure writes it: zero only if it is zero, of the same sign, and right to the digits shown."""
    written = number(text)
    return np.sign(written) == np.sign(value) and bool(np.isclose(written, value, rtol=0.05, atol=5e-4))


def check_jacobian_alt_text(fig: Figure, z: list[float]) -> None:
    """Every claim of the Jacobian's alt text and cells, checked against softmax_jacobian."""
    J = softmax_jacobian(z)
    text = alt_text(fig)
    shown = re.search(r"for the logits (.*) \(rows j", text)
    assert shown is not None, text
    for written, value in zip(shown.group(1).split(", "), z, strict=True):
        assert number(written) == value or np.isclose(number(written), value, rtol=1e-3, atol=5e-3), (written, value)
    for (j, k), written in cell_texts(fig).items():
        assert close_as_written(written, J[j, k]), (j, k, written, J[j, k])
    if not J.any():
        assert text.endswith("Every entry is 0: each probability is 0 or 1."), text
        return
    claim = re.search(r"The diagonal is (.+?) \((.+?)\) and every other entry (.+?), from (\S+) to (\S+);", text)
    assert claim is not None, text
    diag, off = np.diag(J), J[~np.eye(len(z), dtype=bool)]
    for words, values, sign in ((claim[1], diag, "positive"), (claim[3], off, "negative")):
        assert words == ("0" if not values.any() else sign if values.all() else f"{sign} or 0"), (words, values)
    assert all(close_as_written(w, v) for w, v in zip(claim[2].split(", "), diag, strict=True))
    assert close_as_written(claim[4], off.min()) and close_as_written(claim[5], off.max())
    assert ("An entry is 0 where a probability is 0 or 1." in text) == (not (diag.all() and off.all()))


@pytest.mark.parametrize(
    "z",
    [
        [0.20, -0.10, 0.05],  # the worked example: all diagonal entries positive
        [0.0, -np.inf, 1.0],  # a probability 0: its row and column are 0
        [0.0, 1e300, 1.0],  # one probability 1, the rest 0: every entry 0
        [0.0, -20.0, -30.0],  # entries of 1e-9 and below: never written as 0.000
        [0.0, 745.0],  # p = (e^-745, 1): a diagonal of 0 and 5e-324
    ],
)
def test_jacobian_alt_text_is_true_for_extreme_logits(z: list[float]) -> None:
    fig = drawn(jacobian_heatmap(z))
    check_jacobian_alt_text(fig, z)
    assert "positive (0.000" not in alt_text(fig)  # the probe's case: "positive" next to a zero


def test_jacobian_alt_text_of_the_probes_cases() -> None:
    assert alt_text(jacobian_heatmap([0.0, -np.inf, 1.0])).endswith(
        "The diagonal is positive or 0 (0.197, 0.000, 0.197) and every other entry negative or 0, "
        "from −0.197 to 0.000; blue is negative, red positive. An entry is 0 where a probability is 0 or 1."
    )
    huge = alt_text(jacobian_heatmap([0.0, 1e300, 1.0]))
    assert "for the logits 0.00, 1e+300, 1.00 (rows" in huge and len(huge) < 200, huge


def moves(fig: Figure) -> dict[str, str]:
    """Each label's sentence in the bar chart's alt text."""
    text = alt_text(fig)
    return dict(part.split(" ", 1) for part in text[text.index(": ") + 2 : -1].split("; "))


def check_sgd_alt_text(fig: Figure, z: list[float], y: int, lr: float, labels: list[str]) -> None:
    """Each 'rises', 'falls' or 'stays' against the probabilities before and after the step, computed here."""
    before = softmax(z)
    after = softmax(np.asarray(z) - lr * (before - one_hot(y, len(z))))
    assert np.array_equal(bars(fig), [*before, *after])
    said = moves(fig)
    assert list(said) == labels
    for k, label in enumerate(labels):
        b, a = f"{before[k]:.3f}", f"{after[k]:.3f}"
        sentence = said[label]
        if sentence.startswith(("rises", "falls")):
            assert b != a, sentence  # never "falls from 0.500 to 0.500"
            assert sentence == f"{'rises' if after[k] > before[k] else 'falls'} from {b} to {a}"
        elif after[k] == before[k]:
            assert sentence == f"stays at {b}"
        else:
            assert b == a
            change = "up" if after[k] > before[k] else "down"
            assert sentence == f"stays at {b} ({change} by {abs(after[k] - before[k]):.1e})"


@pytest.mark.parametrize(
    ("z", "y", "lr"),
    [
        ([0.20, -0.10, 0.05], 1, 1.0),  # the worked example
        ([0.0, 0.0], 0, 1e-9),  # the probe's case: a change too small for 3 decimals
        ([0.0, -np.inf, 1.0], 1, 1.0),  # a target of probability 0 stays at 0
        ([0.0, 1e300], 0, 1.0),  # probabilities 0 and 1 that one step cannot move
        ([0.0, 1.0], 0, 1e308),  # a huge step
    ],
)
def test_sgd_step_alt_text_is_true(z: list[float], y: int, lr: float) -> None:
    labels = [chr(ord("a") + k) for k in range(len(z))]
    check_sgd_alt_text(drawn(sgd_step_bars(z, y=y, lr=lr, labels=labels)), z, y, lr, labels)


def test_sgd_step_alt_text_of_the_probes_case() -> None:
    fig = sgd_step_bars([0.0, 0.0], y=0, lr=1e-9, labels=["a", "b"])
    assert moves(fig) == {"a": "stays at 0.500 (up by 2.5e-10)", "b": "stays at 0.500 (down by 2.5e-10)"}


def test_labels_may_come_from_a_generator() -> None:
    fig = sgd_step_bars([0.0, 1.0], y=1, lr=1.0, labels=(c for c in "xy"))  # type: ignore[arg-type]
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["x", "y"]
    assert list(moves(fig)) == ["x", "y"]
    fig = jacobian_heatmap([0.0, 1.0], labels=iter(["p", "q"]))  # type: ignore[arg-type]
    assert "(rows j and columns l: p, q)" in alt_text(fig)


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (5, r"^labels: expected 2 strings, one per symbol, got 5$"),
        (None, r"^labels: expected 2 strings, one per symbol, got None$"),
        ((c for c in "xyz"), r"^labels: expected 2 strings, one per symbol, got \['x', 'y', 'z'\]$"),
        ((k for k in range(2)), r"^labels: expected 2 strings, one per symbol, got \[0, 1\]$"),
        (["", ""], r"^labels\[0\]: expected a label with something to show, got ''$"),
        (["a", " "], r"^labels\[1\]: expected a label with something to show, got ' '$"),
        ("ab", r"^labels: expected 2 strings, one per symbol, got 'ab'$"),
    ],
)
def test_bad_labels_are_refused_by_both_figures(labels: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        sgd_step_bars([0.0, 1.0], y=1, lr=1.0, labels=labels)  # type: ignore[arg-type]
    if labels is not None and not isinstance(labels, Iterator):  # None: numbered labels; a generator is spent
        with pytest.raises(InputError, match=message):
            jacobian_heatmap([0.0, 1.0], labels=labels)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("losses", "optimum", "message"),
    [
        ([1e308, 1.0], 0.0, r"^losses\[0\] = 1e\+308: expected a value within ±1e\+300"),
        ([1.0, 1e308], 0.0, r"^losses\[1\] = 1e\+308: expected a value within ±1e\+300"),
        ([1.0, -0.5], 0.0, r"^losses\[1\]: expected a finite number >= 0, got -0.5$"),  # an NLL is never negative
        ([1e308, 1e308], 1e308, r"^losses\[0\] = 1e\+308: expected a value within ±1e\+300"),
        ([1.0, 2.0], 1e308, r"^optimum = 1e\+308: expected a value within ±1e\+300, which a figure's axis can hold$"),
        ([1e300, 1e300 * (1 + 1e-15)], 1.0, r"^losses\[1\] = 1.0000000000000011e\+300: expected a value within"),
    ],
)
def test_training_curve_refuses_values_no_axis_can_hold(losses: list[float], optimum: float, message: str) -> None:
    with pytest.raises(InputError, match=message):
        training_curve(losses, optimum)


def check_curve_alt_text(fig: Figure, losses: list[float], optimum: float) -> None:
    pattern = r"over (\d+) gradient steps?: it starts at (\S+) and ends at (\S+), (\w+) a dashed .* at (\S+),"
    said = re.search(pattern, alt_text(fig))
    assert said is not None, alt_text(fig)
    assert int(said[1]) == len(losses) - 1
    for written, value in ((said[2], losses[0]), (said[3], losses[-1]), (said[5], optimum)):
        assert np.isclose(float(written), value, rtol=1e-3, atol=0), (written, value)
    assert said[4] == ("above" if losses[-1] > optimum else "below" if losses[-1] < optimum else "on")


@pytest.mark.parametrize(
    ("losses", "optimum"),
    [
        ([3.0, 2.5, 2.4], 2.3),
        ([1e300, 0.0], 1e300),  # the largest values an axis takes: drawn, said in e-notation
        ([3.0, 0.5], 1.0),  # ends below the dashed line
        ([2.0], 2.0),  # no step: on the line
        ([1e-7, 2e-9], 0.0),  # small values not written as 0.0000
    ],
)
def test_training_curve_draws_extreme_values_and_says_them(losses: list[float], optimum: float) -> None:
    fig = drawn(training_curve(losses, optimum))
    fig.savefig(io.BytesIO(), format="svg")  # as the docs build saves it: no warning either
    assert list(fig.axes[0].lines[0].get_ydata()) == losses
    check_curve_alt_text(fig, losses, optimum)
    assert len(alt_text(fig)) < 250  # no 300-digit numbers


@pytest.mark.parametrize("label", ["a\ud800", "a\x00b", "run\n2"])
def test_a_label_no_font_can_draw_is_refused_before_drawing(label: str) -> None:
    with pytest.raises(InputError, match=r"^label: .* contains .*, which a figure cannot draw$"):
        training_curve([2.0, 1.0], 0.5, label=label)
    with pytest.raises(InputError, match=r"^labels\[1\]: .* contains .*, which a figure cannot draw$"):
        sgd_step_bars([0.0, 1.0], y=1, lr=1.0, labels=["a", label])
