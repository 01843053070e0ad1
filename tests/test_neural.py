"""bigram_ref.neural: the one-hot network, its hand-written backward pass, and training.

Each test is one claim of the seed note. Tolerances as in test_softmax: 1e-12 against
autograd (same float64 arithmetic, different order), 1e-6 relative against central
differences (their own truncation error).
"""

import numpy as np
import pytest

from bigram_ref import (
    CountModel,
    InputError,
    TrainingDiverged,
    Vocab,
    bigrams,
    check_grad,
    compare,
    count_matrix,
    cross_entropy,
    descend,
    forward_lookup,
    forward_onehot,
    grad_from_counts,
    grad_weights,
    init_weights,
    loss,
    loss_and_grad,
    optimal_logits,
    softmax,
    train,
)
from bigram_ref.torch_twin import autograd_grad_weights

WORDS = ["emma", "olivia", "ava", "isabella", "sophia", "mia", "amelia", "ella", "lea"]


@pytest.fixture(scope="module")
def data() -> tuple[Vocab, np.ndarray, np.ndarray]:
    vocab = Vocab.from_words(WORDS)
    xs, ys = bigrams(WORDS, vocab)
    return vocab, xs, ys


def test_one_hot_product_is_row_lookup(data: tuple[Vocab, np.ndarray, np.ndarray]) -> None:
    vocab, xs, _ = data
    W = init_weights(vocab.size, seed=0)
    assert np.array_equal(forward_onehot(W, xs), forward_lookup(W, xs))


def test_only_row_i_of_the_gradient_is_non_zero() -> None:
    V, i, y = 5, 2, 4
    W = init_weights(V, seed=1)
    g = grad_weights(W, [i], [y], reduction="sum")
    assert np.count_nonzero(g.any(axis=1)) == 1
    assert g[i].tolist() == (softmax(W[i]) - np.eye(V)[y]).tolist()
    witness = autograd_grad_weights(W, [i], [y], "sum")
    assert np.flatnonzero(np.abs(witness).sum(axis=1)).tolist() == [i]
    assert compare(g, witness).error < 1e-12


@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_manual_backward_against_autograd_and_finite_differences(
    data: tuple[Vocab, np.ndarray, np.ndarray], reduction: str
) -> None:
    vocab, xs, ys = data
    W = init_weights(vocab.size, seed=2)
    g = grad_weights(W, xs, ys, reduction)  # type: ignore[arg-type]
    assert compare(g, autograd_grad_weights(W, xs, ys, reduction)).error < 1e-12  # type: ignore[arg-type]
    result = check_grad(lambda w: loss(w, xs, ys, reduction), lambda w: grad_weights(w, xs, ys, reduction), W)  # type: ignore[arg-type]
    assert result.ok(1e-6), result


def test_rows_never_looked_up_get_no_gradient(data: tuple[Vocab, np.ndarray, np.ndarray]) -> None:
    vocab, xs, ys = data
    W = init_weights(vocab.size, seed=3)
    g = grad_weights(W, xs[:7], ys[:7])
    untouched = np.setdiff1d(np.arange(vocab.size), xs[:7])
    assert (g[untouched] == 0).all()
    assert (np.abs(g[np.unique(xs[:7])]).sum(axis=1) > 0).all()


def test_gradient_rows_sum_to_zero(data: tuple[Vocab, np.ndarray, np.ndarray]) -> None:
    vocab, xs, ys = data
    g = grad_weights(init_weights(vocab.size, seed=4), xs, ys, "sum")
    assert np.abs(g.sum(axis=1)).max() < 1e-12


def test_batched_gradient_grouped_by_row_is_N_i_times_p_hat_minus_p_tilde(
    data: tuple[Vocab, np.ndarray, np.ndarray],
) -> None:
    vocab, xs, ys = data
    W = init_weights(vocab.size, seed=5)
    N = count_matrix(xs, ys, vocab.size)
    N_i = N.sum(axis=1)
    g = grad_weights(W, xs, ys, "sum")
    for i in range(vocab.size):
        if N_i[i] == 0:
            assert (g[i] == 0).all()
            continue
        p_hat, p_tilde = softmax(W[i]), N[i] / N_i[i]
        assert np.allclose(g[i], N_i[i] * (p_hat - p_tilde), atol=1e-12)
    assert compare(grad_from_counts(W, N), g).max_abs < 1e-12
    assert compare(grad_from_counts(W, N) / len(xs), grad_weights(W, xs, ys, "mean")).max_abs < 1e-12


def test_optimum_is_the_count_model(data: tuple[Vocab, np.ndarray, np.ndarray]) -> None:
    _vocab, xs, ys = data
    model = CountModel.fit(WORDS)
    W_star = optimal_logits(model.counts)
    assert not np.isnan(W_star).any()
    assert np.isneginf(W_star).sum() == (model.counts == 0).sum()
    assert np.allclose(softmax(W_star), model.probs, atol=1e-15)
    assert loss(W_star, xs, ys) == pytest.approx(model.nll(WORDS), rel=1e-13)
    assert np.abs(grad_from_counts(W_star, model.counts)).max() < 1e-12


def test_training_converges_to_the_smoothed_count_model(data: tuple[Vocab, np.ndarray, np.ndarray]) -> None:
    vocab, xs, ys = data
    model = CountModel.fit(WORDS, alpha=0.1)
    result = train(init_weights(vocab.size, seed=6), xs, ys, lr=20.0, steps=3000, alpha=0.1)
    assert np.abs(softmax(result.W) - model.probs).max() < 1e-6
    assert loss(result.W, xs, ys) == pytest.approx(model.nll(WORDS), abs=1e-9)


def test_training_without_smoothing_approaches_the_counts(data: tuple[Vocab, np.ndarray, np.ndarray]) -> None:
    vocab, xs, ys = data
    model = CountModel.fit(WORDS)
    result = train(init_weights(vocab.size, seed=7), xs, ys, lr=20.0, steps=2000)
    assert all(b <= a for a, b in zip(result.losses, result.losses[1:], strict=False))  # monotone descent
    assert result.losses[-1] - model.nll(WORDS) < 2e-3
    assert np.abs(softmax(result.W)[np.unique(xs)] - model.probs[np.unique(xs)]).max() < 2e-2


def test_micro_example_row_converges_to_two_thirds_one_third() -> None:
    xs, ys = np.array([0, 0, 0]), np.array([1, 1, 2])  # .a, .a, .b over ('.', 'a', 'b')
    W0 = np.zeros((3, 3))
    W0[0] = [0.20, -0.10, 0.05]
    result = train(W0, xs, ys, lr=2.0, steps=2000)
    p = softmax(result.W[0])
    assert p[1:].round(3).tolist() == [0.667, 0.333]
    assert p[0] < 1e-3
    assert result.W[0, 1] - result.W[0, 2] == pytest.approx(np.log(2), abs=1e-3)  # only differences matter
    assert (result.W[1:] == 0).all()  # rows that were never the current index never moved


def test_sgd_step_raises_the_target_and_lowers_the_rest() -> None:
    W = np.zeros((3, 3))
    W[0] = [0.20, -0.10, 0.05]
    after = train(W, [0], [1], lr=1.0, steps=1).W
    assert after[0, 1] > W[0, 1]
    assert (after[0, [0, 2]] < W[0, [0, 2]]).all()
    assert softmax(after[0])[1] > softmax(W[0])[1]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: forward_onehot(np.zeros((2, 3)), [0]), r"^W: expected a square"),
        (lambda: forward_lookup(np.zeros((2, 2)), [2]), r"^xs\[0\] = 2 is out of range for V = 2$"),
        (lambda: forward_lookup(np.zeros((2, 2)), []), r"^xs: expected at least one example"),
        (lambda: grad_weights(np.zeros((2, 2)), [0, 1], [0]), r"^ys: expected shape \(2,\)"),
        (lambda: grad_weights(np.full((2, 2), np.nan), [0], [0]), r"^W: contains NaN"),
        (lambda: grad_from_counts(np.zeros((2, 2)), np.zeros((3, 3))), r"^W and N: expected the same"),
        (lambda: train(np.zeros((2, 2)), [0], [1], lr=-1.0, steps=1), r"^lr: expected a finite number > 0, got -1.0$"),
        (lambda: init_weights(0, seed=0), r"^V: expected an int >= 1, got 0$"),
    ],
)
def test_bad_input_is_a_clear_value_error(call: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()  # type: ignore[operator]


# --- the lookup + scatter-add path, -inf logits, divergence --------------------------------------


@pytest.mark.parametrize("V", [1, 2, 7, 40])
def test_lookup_and_scatter_add_equal_the_one_hot_form(V: int, monkeypatch: pytest.MonkeyPatch) -> None:
    import bigram_ref.neural

    rng = np.random.default_rng(V)
    W = rng.standard_normal((V, V)) * 3
    xs, ys = rng.integers(0, V, 300), rng.integers(0, V, 300)
    for chunk in (V, 7 * V, bigram_ref.neural.CHUNK_ENTRIES):  # one example per chunk, several, all at once
        monkeypatch.setattr(bigram_ref.neural, "CHUNK_ENTRIES", chunk)
        for reduction in ("sum", "mean"):
            value, g = loss_and_grad(W, xs, ys, reduction)
            reference = grad_weights(W, xs, ys, reduction)
            assert np.abs(g - reference).max() <= 1e-12 * max(1.0, np.abs(reference).max())
            assert value == pytest.approx(loss(W, xs, ys, reduction), rel=1e-12)
            whole = float(cross_entropy(W[xs], ys, reduction=reduction))  # every example at once
            assert loss(W, xs, ys, reduction) == pytest.approx(whole, rel=1e-12)


def test_minus_inf_logits_give_the_same_logits_in_both_forwards() -> None:
    N = np.array([[0, 2, 1], [1, 0, 0], [1, 0, 0]])
    W_star = optimal_logits(N)  # -inf where a count is zero
    xs = np.array([0, 1, 2, 0])
    onehot, lookup = forward_onehot(W_star, xs), forward_lookup(W_star, xs)
    assert not np.isnan(onehot).any()
    assert np.array_equal(onehot, lookup)
    g = grad_weights(W_star, xs, [1, 0, 0, 2])
    assert not np.isnan(g).any()
    assert np.allclose(g, grad_from_counts(W_star, count_matrix(xs, [1, 0, 0, 2], 3)) / 4, atol=1e-15)


def test_a_dead_row_of_W_is_named_as_W() -> None:
    W = np.zeros((2, 2))
    W[1] = -np.inf
    with pytest.raises(ValueError, match=r"^W: row 1 is -inf, which leaves no probability anywhere$"):
        grad_weights(W, [1], [0])


@pytest.mark.parametrize(("lr", "step"), [(1e6, 1), (1.7e308, 1)])
def test_divergence_raises_naming_the_step(data: tuple[Vocab, np.ndarray, np.ndarray], lr: float, step: int) -> None:
    vocab, xs, ys = data
    with pytest.raises(
        TrainingDiverged, match=rf"^training diverged at step {step} \(loss .*\): try a smaller lr$"
    ) as info:
        train(init_weights(vocab.size, seed=0), xs, ys, lr=lr, steps=10)
    assert info.value.step == step


def test_an_infinite_loss_at_the_start_blames_the_weights_not_the_step_size() -> None:
    W = optimal_logits(count_matrix([0, 0], [1, 1], 3))  # -inf wherever the counts are 0, W[0, 2] among them
    with pytest.raises(InputError) as info:
        train(W, [0, 1, 0], [1, 0, 2], lr=1.0, steps=3)
    assert not isinstance(info.value, TrainingDiverged)
    assert str(info.value) == (
        "W[0, 2] is -inf, but example 2 is the pair 0 -> 2: its probability is 0, so the loss is inf before any step;"
        " no step size can fix that (give W finite logits where the data has pairs)"
    )


def test_the_tiny_corpus_that_rose_from_080_to_1046_now_stops() -> None:
    vocab = Vocab.from_words(["aaaa", "a"])
    xs, ys = bigrams(["aaaa", "a"], vocab)
    with pytest.raises(TrainingDiverged) as info:
        train(init_weights(vocab.size, seed=0), xs, ys, lr=50.0, steps=100)
    assert info.value.loss > 0.80 + 1


def test_descend_yields_what_train_returns(data: tuple[Vocab, np.ndarray, np.ndarray]) -> None:
    vocab, xs, ys = data
    W0 = init_weights(vocab.size, seed=8)
    result = train(W0, xs, ys, lr=5.0, steps=4, alpha=0.2)
    steps = descend(W0, xs, ys, lr=5.0, alpha=0.2)
    path = [next(steps) for _ in range(5)]
    assert [value for value, _ in path] == result.losses
    assert np.array_equal(path[-1][1], result.W)


@pytest.mark.parametrize(
    ("W", "xs", "ys", "options"),
    [
        ([[3.0, 0.0], [0.0, 0.0]], [0], [1], {"lr": 1.5e308}),
        ([[0.0, 3.0], [0.0, 0.0]], [0], [1], {"lr": 1e307, "alpha": 10.0}),
    ],
)
def test_a_step_that_overflows_the_logits_is_divergence_not_the_callers_w(
    W: list[list[float]], xs: list[int], ys: list[int], options: dict[str, float]
) -> None:
    """The given W spans 0 to 3; it is the iterate after step 1 that no float64 row can hold."""
    with pytest.raises(TrainingDiverged, match=r"^training diverged at step 1 \(loss inf\): try a smaller lr"):
        train(np.array(W), xs, ys, steps=3, **options)  # type: ignore[arg-type]


def test_steps_beyond_what_a_loop_can_count_are_refused_by_name() -> None:
    with pytest.raises(InputError, match=r"^steps: expected an int from 0 to 9,223,372,036,854,775,806, got"):
        train(np.zeros((3, 3)), [0], [1], lr=1.0, steps=2**63 - 1)
