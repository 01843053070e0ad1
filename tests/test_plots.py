"""bigram_ref.plots: each figure draws what its caption claims, from the package's own numbers."""

from collections.abc import Iterator

import matplotlib.pyplot as plt
import numpy as np
import pytest

from bigram_ref import CountModel, softmax
from bigram_ref.plots import count_heatmap, flow_diagram, jacobian_heatmap, sgd_step_bars, training_curve


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def test_count_heatmap_labels_every_cell_with_its_count() -> None:
    model = CountModel.fit(["ab", "ba", "b"])
    fig = count_heatmap(model.counts, model.vocab)
    texts = [t.get_text() for t in fig.axes[0].texts]
    V = model.vocab.size
    assert len(texts) == 2 * V * V
    assert texts[0::2] == [a + b for a in model.vocab.chars for b in model.vocab.chars]
    assert texts[1::2] == [str(n) for n in model.counts.ravel()]


def test_count_heatmap_rejects_a_mismatched_vocabulary() -> None:
    model = CountModel.fit(["ab"])
    with pytest.raises(ValueError, match=r"^N: expected shape \(3, 3\)"):
        count_heatmap(np.zeros((4, 4)), model.vocab)


def test_sgd_step_bars_show_before_and_after() -> None:
    z = np.array([0.20, -0.10, 0.05])
    fig = sgd_step_bars(z, y=1, lr=1.0, labels=[".", "a", "b"])
    heights = [bar.get_height() for bar in fig.axes[0].patches]
    before, after = np.array(heights[:3]), np.array(heights[3:])
    assert np.allclose(before, softmax(z))
    assert np.allclose(after, softmax(z - (softmax(z) - np.eye(3)[1])))
    assert after[1] > before[1]


def test_training_curve_draws_losses_and_the_optimum() -> None:
    fig = training_curve([3.0, 2.5, 2.4], optimum=2.3)
    line, optimum = fig.axes[0].lines
    assert list(line.get_ydata()) == [3.0, 2.5, 2.4]
    assert list(optimum.get_ydata()) == [2.3, 2.3]


def test_jacobian_heatmap_writes_the_jacobian() -> None:
    fig = jacobian_heatmap([0.20, -0.10, 0.05], labels=[".", "a", "b"])
    values = [float(t.get_text()) for t in fig.axes[0].texts]
    p = softmax([0.20, -0.10, 0.05])
    assert np.allclose(values, (np.diag(p) - np.outer(p, p)).ravel(), atol=5e-4)


def test_flow_diagram_names_both_one_hots() -> None:
    texts = " ".join(t.get_text() for t in flow_diagram().axes[0].texts)
    for part in ["x = one_hot(i)", "t = one_hot(y)", "W[i]", "p − t", "picks p[y]"]:
        assert part in texts
