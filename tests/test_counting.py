"""bigram_ref.counting: N[i, y] += 1, normalised rows, smoothing, NLL, sampling."""

import math

import numpy as np
import pytest

from bigram_ref import (
    CountModel,
    Vocab,
    average_nll,
    bigrams,
    count_matrix,
    optimal_logits,
    row_probabilities,
    sample_words,
    softmax,
)

WORDS = ["emma", "olivia", "ava", "isabella", "sophia", "mia", "amelia", "ella"]


def test_count_matrix_equals_the_increment_loop() -> None:
    rng = np.random.default_rng(0)
    xs, ys = rng.integers(0, 7, 500), rng.integers(0, 7, 500)
    N = np.zeros((7, 7), dtype=np.int64)
    for i, y in zip(xs, ys, strict=True):
        N[i, y] += 1
    got = count_matrix(xs, ys, 7)
    assert got.dtype == np.int64
    assert (got == N).all()


@pytest.mark.parametrize(
    ("xs", "ys", "V", "message"),
    [
        ([0, 3], [0, 1], 3, r"^xs\[1\] = 3 is out of range for V = 3$"),
        ([0, 1], [0, -1], 3, r"ys\[1\] = -1 is out of range"),
        ([0, 1], [0], 3, r"^ys: expected shape \(2,\), got \(1,\)$"),
        ([0.5], [0], 3, r"expected integer indices"),
        ([0], [0], 0, r"^vocab_size: expected an int >= 1, got 0$"),
        ([[0]], [[0]], 3, r"expected a 1-D array"),
    ],
)
def test_count_matrix_rejects_bad_input(xs: list[int], ys: list[int], V: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        count_matrix(xs, ys, V)


def test_rows_sum_to_one_with_and_without_smoothing() -> None:
    N = CountModel.fit(WORDS).counts
    for alpha in (0.0, 0.5, 1.0):
        P = row_probabilities(N, alpha)
        assert np.allclose(P.sum(axis=1), 1.0, atol=1e-12, rtol=0)


def test_smoothing_formula() -> None:
    N = np.array([[0, 2, 1], [1, 0, 0], [3, 3, 0]])
    P = row_probabilities(N, alpha=0.5)
    assert P[0].tolist() == pytest.approx([0.5 / 4.5, 2.5 / 4.5, 1.5 / 4.5], abs=1e-15)


def test_an_empty_row_is_uniform_everywhere() -> None:
    """One policy: a row with no counts is uniform (the alpha -> 0 limit), in every function that normalises."""
    assert row_probabilities([[1, 3], [0, 0]]).tolist() == [[0.25, 0.75], [0.5, 0.5]]
    assert row_probabilities([[1, 1], [0, 0]], alpha=1.0)[1].tolist() == [0.5, 0.5]
    assert np.allclose(row_probabilities([[1, 3], [0, 0]], alpha=1e-12), [[0.25, 0.75], [0.5, 0.5]])
    model = CountModel.fit(["ab"], vocab=Vocab((".", "a", "b", "c")))  # 'c' is never followed by anything
    assert model.counts[3].tolist() == [0, 0, 0, 0]
    assert model.probs[3].tolist() == [0.25] * 4
    assert np.allclose(softmax(optimal_logits(model.counts)), model.probs, atol=1e-15)


@pytest.mark.parametrize("bad", [[[1, -1], [0, 1]], [[1, np.nan], [0, 1]], [[1, 2, 3]], [["a"]]])
def test_row_probabilities_rejects_bad_counts(bad: object) -> None:
    with pytest.raises(ValueError, match=r"^N: expected"):
        row_probabilities(bad)  # type: ignore[arg-type]


def test_average_nll_is_mean_negative_log() -> None:
    model = CountModel.fit(WORDS)
    xs, ys = bigrams(WORDS, model.vocab)
    expected = -sum(math.log(model.probs[i, y]) for i, y in zip(xs, ys, strict=True)) / len(xs)
    assert model.nll(WORDS) == pytest.approx(expected, rel=1e-13)
    assert average_nll(model.probs, xs, ys) == model.nll(WORDS)


def test_unseen_bigram_gives_inf_not_nan() -> None:
    model = CountModel.fit(["ab"])
    assert model.nll(["ba"]) == math.inf
    assert math.isfinite(CountModel.fit(["ab"], alpha=1).nll(["ba"]))


def test_count_model_maximises_likelihood_among_row_stochastic_matrices() -> None:
    model = CountModel.fit(WORDS)
    rng = np.random.default_rng(1)
    for _ in range(20):
        other = row_probabilities(model.counts + rng.uniform(0, 0.5, model.counts.shape))
        xs, ys = bigrams(WORDS, model.vocab)
        assert average_nll(other, xs, ys) > model.nll(WORDS)


def test_sampling_is_reproducible_and_follows_the_model() -> None:
    model = CountModel.fit(WORDS, alpha=0.0)
    a = model.sample(50, seed=3)
    assert a == model.sample(50, seed=3)
    assert a != model.sample(50, seed=4)
    # with no smoothing every sampled bigram must have been seen in the corpus
    seen = {(i, y) for i, y in zip(*bigrams(WORDS, model.vocab), strict=True)}
    for w in a:
        xs, ys = bigrams([w], model.vocab)
        assert set(zip(xs.tolist(), ys.tolist(), strict=True)) <= seen


def test_sampling_frequencies_match_probabilities() -> None:
    vocab = Vocab.from_words(["a", "b"])
    P = np.array([[0.0, 0.25, 0.75], [1.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    words = sample_words(P, vocab, 4000, seed=0)
    share_a = words.count("a") / len(words)
    assert abs(share_a - 0.25) < 4 * math.sqrt(0.25 * 0.75 / 4000)  # four standard errors


def test_sampling_rejects_rows_that_do_not_sum_to_one() -> None:
    vocab = Vocab.from_words(["a"])
    with pytest.raises(ValueError, match="every row must be a probability distribution"):
        sample_words(np.array([[0.5, 0.4], [1.0, 0.0]]), vocab, 1, seed=0)


def test_sampling_stops_at_max_length() -> None:
    vocab = Vocab.from_words(["a"])
    P = np.array([[0.0, 1.0], [0.0, 1.0]])  # never returns to '.'
    assert sample_words(P, vocab, 2, seed=0, max_length=5) == ["aaaaa", "aaaaa"]


def test_a_bytes_chunk_is_named_as_bytes() -> None:
    from bigram_ref import CorpusError, count_corpus

    with pytest.raises(CorpusError, match=r"^chunks\[0\]: expected a list of words, got the bytes b'abc'"):
        count_corpus([b"abc"])  # type: ignore[list-item]
