"""bigram_ref.newton and the count-based identities: exact gradients, closed form, fast training.

Tolerances: identities between two float64 computations of the same sum are held to
1e-12 relative (rounding only); converged optimisation results to 1e-8 in loss.
"""

import numpy as np
import pytest

from bigram_ref import (
    CountModel,
    Vocab,
    bigrams,
    compare,
    count_matrix,
    grad_from_counts,
    grad_weights,
    init_weights,
    loss,
    numerical_grad,
    optimal_logits,
    penalised_loss,
    row_probabilities,
    softmax,
    train,
    train_from_counts,
)

WORDS = ["emma", "olivia", "ava", "isabella", "sophia", "mia", "amelia", "ella", "lea", "zoe"]


@pytest.fixture(scope="module")
def corpus() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    vocab = Vocab.from_words(WORDS)
    xs, ys = bigrams(WORDS, vocab)
    return xs, ys, count_matrix(xs, ys, vocab.size)


@pytest.mark.parametrize("seed", range(5))
def test_gradient_from_counts_equals_the_per_example_gradient(seed: int) -> None:
    rng = np.random.default_rng(seed)
    V = int(rng.integers(2, 30))
    xs, ys = rng.integers(0, V, 500), rng.integers(0, V, 500)
    W = rng.standard_normal((V, V)) * 3
    per_example = grad_weights(W, xs, ys, "sum")
    from_counts = grad_from_counts(W, count_matrix(xs, ys, V))
    assert np.abs(per_example - from_counts).max() <= 1e-12 * np.abs(per_example).max()
    assert compare(from_counts / 500, grad_weights(W, xs, ys, "mean")).max_abs < 1e-13


def test_penalised_loss_is_the_corpus_nll(corpus: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    xs, ys, N = corpus
    W = init_weights(N.shape[0], seed=0)
    assert penalised_loss(W, N) == pytest.approx(loss(W, xs, ys), rel=1e-13)


def test_penalised_loss_matches_train_objective(corpus: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    xs, ys, N = corpus
    W = init_weights(N.shape[0], seed=1)
    assert train(W, xs, ys, lr=1.0, steps=0, alpha=0.3).losses[0] == pytest.approx(
        penalised_loss(W, N, alpha=0.3), rel=1e-13
    )


def test_newton_reaches_the_count_model(corpus: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    _, _, N = corpus
    result = train_from_counts(init_weights(N.shape[0], seed=2), N, steps=40)
    optimum = CountModel.fit(WORDS).nll(WORDS)
    assert result.losses[-1] - optimum < 1e-8
    assert all(b <= a + 1e-15 for a, b in zip(result.losses, result.losses[1:], strict=False))
    seen = N.sum(axis=1) > 0
    assert np.abs(softmax(result.W)[seen] - row_probabilities(N[seen])).max() < 1e-6


@pytest.mark.parametrize("alpha", [0.01, 0.5, 1.0, 3.0])
def test_smoothing_is_exactly_the_uniform_target_penalty(
    corpus: tuple[np.ndarray, np.ndarray, np.ndarray], alpha: float
) -> None:
    """Add-α counts are the exact minimiser of NLL + α·Σ_j −log p_ij (the gradient vanishes there)."""
    _, _, N = corpus
    W_smoothed = np.log(row_probabilities(N, alpha))
    assert np.abs(grad_from_counts(W_smoothed, N + alpha)).max() < 1e-12
    fd = numerical_grad(lambda w: penalised_loss(w, N, alpha), W_smoothed)
    assert np.abs(fd).max() < 1e-8
    trained = train_from_counts(np.zeros_like(W_smoothed), N, steps=30, alpha=alpha)
    assert np.abs(softmax(trained.W) - row_probabilities(N, alpha)).max() < 1e-9


def test_l2_penalty_is_only_similar_to_smoothing(corpus: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    _, _, N = corpus
    l2_opt = train_from_counts(np.zeros(N.shape), N, steps=40, l2=0.01)
    grad = numerical_grad(lambda w: penalised_loss(w, N, l2=0.01), l2_opt.W)
    assert np.abs(grad).max() < 1e-7  # it is the optimum of its own objective
    P = softmax(l2_opt.W)
    closest = min(np.abs(P - row_probabilities(N, a)).max() for a in np.geomspace(1e-4, 10, 400))
    assert closest > 1e-3  # no add-alpha model matches it


def test_optimal_logits_handles_zero_counts_without_nan(corpus: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    _, _, N = corpus
    W_star = optimal_logits(N)
    assert not np.isnan(W_star).any()
    assert not np.isposinf(W_star).any()
    assert penalised_loss(np.where(np.isneginf(W_star), -1e4, W_star), N) == pytest.approx(
        CountModel.fit(WORDS).nll(WORDS), rel=1e-12
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"steps": -1}, r"^steps: expected an int >= 0"),
        ({"steps": 1, "alpha": -1.0}, r"^alpha: expected a finite number >= 0"),
        ({"steps": 1, "l2": float("nan")}, r"^l2: expected a finite number >= 0"),
    ],
)
def test_bad_arguments(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        train_from_counts(np.zeros((2, 2)), np.ones((2, 2)), **kwargs)  # type: ignore[arg-type]


def test_shape_mismatch() -> None:
    with pytest.raises(ValueError, match=r"^W and N: expected the same"):
        penalised_loss(np.zeros((2, 2)), np.ones((3, 3)))
