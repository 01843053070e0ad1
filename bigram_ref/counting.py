r"""The counting model: :math:`N[i, y] \mathrel{+}= 1`, rows normalised, smoothing, NLL, sampling.

For every bigram ``i -> y`` of the corpus the count ``N[i, y]`` goes up by one.
Normalising each row gives the maximum-likelihood bigram model
:math:`P[i, j] = N[i, j] / \sum_k N[i, k]`; add-:math:`\alpha` smoothing adds
:math:`\alpha` to every count first. The guide compares this update with the
neural model's in *Counts versus softmax*.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bigram_ref.corpus import Vocab, bigrams

__all__ = ["CountModel", "average_nll", "count_matrix", "row_probabilities", "sample_words"]


def _as_indices(a: ArrayLike, name: str, V: int) -> NDArray[np.int64]:
    arr = np.asarray(a)
    if arr.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D array of indices, got shape {arr.shape}")
    if arr.size and arr.dtype.kind not in "iu":
        raise ValueError(f"{name}: expected integer indices, got dtype {arr.dtype}")
    arr = arr.astype(np.int64, copy=False)
    if arr.size and (arr.min() < 0 or arr.max() >= V):  # two fast reductions; locate the culprit only on failure
        k = int(np.argmax((arr < 0) | (arr >= V)))
        raise ValueError(f"{name}[{k}] = {arr[k]} is out of range for vocab_size = {V}")
    return arr


def count_matrix(xs: ArrayLike, ys: ArrayLike, vocab_size: int) -> NDArray[np.int64]:
    r"""The (V, V) bigram counts: ``N[i, y]`` is how often ``i`` is followed by ``y``.

    Vectorised: each pair becomes the flat index :math:`iV + y`, and one
    :func:`numpy.bincount` counts them all.

    Examples
    --------
    >>> from bigram_ref import count_matrix
    >>> count_matrix([0, 0, 0, 1], [1, 1, 2, 0], vocab_size=3).tolist()
    [[0, 2, 1], [1, 0, 0], [0, 0, 0]]
    """
    if not isinstance(vocab_size, int | np.integer) or vocab_size < 1:
        raise ValueError(f"vocab_size: expected a positive int, got {vocab_size!r}")
    V = int(vocab_size)
    xs = _as_indices(xs, "xs", V)
    ys = _as_indices(ys, "ys", V)
    if xs.shape != ys.shape:
        raise ValueError(f"xs and ys: expected the same length, got {xs.shape[0]} and {ys.shape[0]}")
    return np.bincount(xs * V + ys, minlength=V * V).reshape(V, V)  # (V, V)


def row_probabilities(N: ArrayLike, alpha: float = 0.0) -> NDArray[np.float64]:
    r"""Row-normalised counts with add-:math:`\alpha` smoothing: :math:`(N + \alpha) / \sum_k (N_{ik} + \alpha)`.

    Raises
    ------
    ValueError
        If a row has no counts and ``alpha`` is 0 (its distribution is undefined),
        or ``N`` is not a square matrix of non-negative finite counts.

    Examples
    --------
    >>> from bigram_ref import row_probabilities
    >>> row_probabilities([[0, 2, 1], [1, 0, 0], [1, 1, 1]]).round(3).tolist()
    [[0.0, 0.667, 0.333], [1.0, 0.0, 0.0], [0.333, 0.333, 0.333]]
    >>> row_probabilities([[0, 2, 1], [1, 0, 0], [1, 1, 1]], alpha=1)[0].round(3).tolist()
    [0.167, 0.5, 0.333]
    """
    N = as_counts(N)
    if not np.isfinite(alpha) or alpha < 0:
        raise ValueError(f"alpha: expected a finite number >= 0, got {alpha!r}")
    smoothed = N + float(alpha)  # (V, V)
    totals = smoothed.sum(axis=1, keepdims=True)  # (V, 1): keepdims, or rows would divide by columns
    if np.any(totals == 0):
        row = int(np.argmax(totals[:, 0] == 0))
        raise ValueError(f"N: row {row} has no counts, so its distribution is undefined; use alpha > 0")
    P: NDArray[np.float64] = smoothed / totals
    return P


def as_counts(N: ArrayLike, name: str = "N") -> NDArray[np.float64]:
    """Validate a count matrix: square, 2-D, finite and non-negative; returned as float64."""
    arr = np.asarray(N)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.shape[0] == 0:
        raise ValueError(f"{name}: expected a square (V, V) matrix, got shape {arr.shape}")
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{name}: expected numeric counts, got dtype {arr.dtype}")
    arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError(f"{name}: expected finite, non-negative counts")
    return arr


def average_nll(P: ArrayLike, xs: ArrayLike, ys: ArrayLike) -> float:
    r"""Average negative log-likelihood per bigram: :math:`-\frac1n \sum_k \log P[x_k, y_k]`.

    Computed from the counts of the pairs, :math:`-\frac1n \sum_{ij} N_{ij} \log P_{ij}`: the same
    sum grouped by pair, accumulated in float64 over at most :math:`V^2` terms (which is also
    more accurate than adding :math:`n` terms one by one). A bigram of probability 0 gives
    ``inf`` (never NaN).

    Examples
    --------
    >>> from bigram_ref import average_nll
    >>> round(average_nll([[0.5, 0.5], [0.25, 0.75]], [0, 1], [1, 1]), 6)
    0.490415
    """
    P = np.asarray(P, dtype=np.float64)
    if P.ndim != 2 or P.shape[0] != P.shape[1]:
        raise ValueError(f"P: expected a square (V, V) matrix, got shape {P.shape}")
    V = P.shape[0]
    xs = _as_indices(xs, "xs", V)
    ys = _as_indices(ys, "ys", V)
    if xs.size == 0 or xs.shape != ys.shape:
        raise ValueError(f"xs and ys: expected the same non-zero length, got {xs.size} and {ys.size}")
    N = np.bincount(xs * V + ys, minlength=V * V).reshape(V, V)  # (V, V) counts of these pairs
    used = N > 0
    with np.errstate(divide="ignore"):
        return float(-(N[used] * np.log(P[used])).sum() / xs.size)


def sample_words(P: ArrayLike, vocab: Vocab, n: int, seed: int, max_length: int = 100) -> list[str]:
    """Draw ``n`` words from a bigram model, reproducibly for a given ``seed``.

    Each word starts after ``.`` and ends when ``.`` is drawn (or after
    ``max_length`` characters). One uniform number per step is looked up in
    the row's cumulative distribution, using NumPy's PCG64 generator, whose
    stream is stable across NumPy releases.

    Examples
    --------
    >>> from bigram_ref import Vocab, sample_words
    >>> vocab = Vocab.from_words(["ab"])
    >>> P = [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]  # . -> a -> b -> .
    >>> sample_words(P, vocab, 2, seed=0)
    ['ab', 'ab']
    """
    P = np.asarray(P, dtype=np.float64)
    if P.shape != (vocab.size, vocab.size):
        raise ValueError(f"P: expected shape {(vocab.size, vocab.size)} for this vocabulary, got {P.shape}")
    if not np.allclose(P.sum(axis=1), 1.0) or np.any(P < 0):
        raise ValueError("P: every row must be a probability distribution (non-negative, summing to 1)")
    if n < 0 or max_length < 1:
        raise ValueError(f"n and max_length: expected n >= 0 and max_length >= 1, got {n} and {max_length}")
    cdf = np.cumsum(P, axis=1)  # (V, V)
    cdf[:, -1] = 1.0  # guard against rounding leaving the last bin just short of 1
    rng = np.random.default_rng(seed)
    out: list[str] = []
    for _ in range(n):
        ids: list[int] = []
        i = 0
        while len(ids) < max_length:
            i = int(np.searchsorted(cdf[i], rng.random(), side="right"))
            if i == 0:
                break
            ids.append(i)
        out.append(vocab.decode(ids))
    return out


@dataclass(frozen=True)
class CountModel:
    """A fitted counting model: vocabulary, counts ``N`` and smoothed probabilities ``P``.

    Examples
    --------
    >>> from bigram_ref import CountModel
    >>> model = CountModel.fit(["ab", "b"])
    >>> model.counts.tolist()
    [[0, 1, 1], [0, 0, 1], [2, 0, 0]]
    >>> round(model.nll(["ab", "b"]), 6)
    0.277259
    """

    vocab: Vocab
    counts: NDArray[np.int64]
    alpha: float
    probs: NDArray[np.float64]

    @classmethod
    def fit(cls, words: Sequence[str], alpha: float = 0.0, vocab: Vocab | None = None) -> CountModel:
        """Count the bigrams of ``words`` and normalise with add-``alpha`` smoothing.

        With a supplied ``vocab`` larger than the corpus' own, a symbol that is never
        followed by anything has no counts; with ``alpha = 0`` its row is uniform.
        """
        vocab = Vocab.from_words(words) if vocab is None else vocab
        xs, ys = bigrams(words, vocab)
        N = count_matrix(xs, ys, vocab.size)
        if alpha == 0:
            N_for_P: NDArray[Any] = N + (N.sum(axis=1, keepdims=True) == 0)
        else:
            N_for_P = N
        return cls(vocab, N, float(alpha), row_probabilities(N_for_P, alpha))

    def nll(self, words: Sequence[str]) -> float:
        """Average negative log-likelihood per bigram of ``words`` under this model."""
        xs, ys = bigrams(words, self.vocab)
        return average_nll(self.probs, xs, ys)

    def sample(self, n: int, seed: int, max_length: int = 100) -> list[str]:
        """``n`` words drawn with :func:`sample_words`."""
        return sample_words(self.probs, self.vocab, n, seed, max_length)
