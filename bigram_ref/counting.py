r"""The counting model: :math:`N[i, y] \mathrel{+}= 1`, rows normalised, smoothing, NLL, sampling.

For every bigram ``i -> y`` of the corpus the count ``N[i, y]`` goes up by one.
Normalising each row gives the maximum-likelihood bigram model
:math:`P_{ij} = N_{ij} / N_{i\cdot}`, where :math:`N_{i\cdot} = \sum_k N_{ik}` is the
total of row :math:`N_{i,:}`; add-:math:`\alpha` smoothing adds :math:`\alpha` to every
count first (:func:`pseudo_counts`). The guide compares this update with the
neural model's in *Counts versus softmax*.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bigram_ref import validate
from bigram_ref.corpus import Vocab, bigrams
from bigram_ref.validate import BOUNDARY, CorpusError

__all__ = [
    "MAX_SAMPLE_CHARS",
    "CountModel",
    "average_nll",
    "count_corpus",
    "count_matrix",
    "counts_nll",
    "pseudo_counts",
    "row_probabilities",
    "sample_words",
]


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
    V = validate.vocab_size(vocab_size, "vocab_size")
    xs = validate.examples(xs, ys, V, empty=True)
    ys = validate.indices(ys, "ys", V)
    return np.bincount(xs * V + ys, minlength=V * V).reshape(V, V)  # (V, V)


def count_corpus(chunks: Iterable[Iterable[str]], *, source: str = "words") -> tuple[Vocab, NDArray[np.int64], int]:
    r"""Count the bigrams of a corpus given in chunks of words: ``(vocab, N, number of words)``.

    Memory is bounded by the vocabulary, not the corpus: each chunk is encoded and counted,
    then dropped, so a file streamed by :func:`~bigram_ref.wordfile.iter_words` is never
    held whole. The result equals ``Vocab.from_words`` and :func:`count_matrix` on the
    concatenated words. A chunk may be empty; only a corpus with no words at all is refused,
    and so is one whose vocabulary would exceed :data:`~bigram_ref.validate.MAX_V`, before its
    (V, V) counts are made. ``source`` names the corpus in those two errors, such as the file
    the chunks were read from.

    Examples
    --------
    >>> from bigram_ref import count_corpus
    >>> vocab, N, words = count_corpus([["ab"], ["b"]])
    >>> vocab.chars, N.tolist(), words
    (('.', 'a', 'b'), [[0, 1, 1], [0, 0, 1], [2, 0, 0]], 2)
    """
    if isinstance(chunks, str | bytes) or not isinstance(chunks, Iterable):
        raise CorpusError(f"chunks: expected an iterable of word lists, got {chunks!r:.40}")
    lookup = np.full(sys.maxunicode + 1, -1, dtype=np.int64)  # code point -> index in order of first appearance
    lookup[ord(BOUNDARY)] = 0
    chars, N, words = [BOUNDARY], np.zeros((1, 1), dtype=np.int64), 0
    for c, chunk in enumerate(chunks):
        if isinstance(chunk, str | bytes):  # a flat list of words where chunks of them are expected
            raise CorpusError(
                f"chunks[{c}]: expected a list of words, got the {type(chunk).__name__} {chunk!r:.40}"
                " (count_corpus takes chunks of words, such as [words])"
            )
        chunk = validate.words(chunk, f"chunks[{c}]", empty=True)
        if not chunk:
            continue
        words += len(chunk)
        codes = np.frombuffer((BOUNDARY + BOUNDARY.join(chunk) + BOUNDARY).encode("utf-32-le"), dtype=np.uint32)
        new = np.unique(codes[lookup[codes] < 0])  # (k,) code points not seen before
        validate.vocab_size(len(chars) + new.size, source)  # before the (V, V) counts grow
        lookup[new] = np.arange(len(chars), len(chars) + new.size)
        chars += [chr(c) for c in new.tolist()]
        V = len(chars)
        if N.shape[0] < V:
            N = np.pad(N, (0, V - N.shape[0]))  # (V, V): the new symbols' rows and columns start at 0
        ids = lookup[codes]  # (n + 1,)
        N += np.bincount(ids[:-1] * V + ids[1:], minlength=V * V).reshape(V, V)
    if words == 0:
        raise CorpusError(f"{source}: no words (empty, or blank lines only)")
    order = [0, *sorted(range(1, len(chars)), key=chars.__getitem__)]  # '.' first, then sorted
    return Vocab(tuple(chars[k] for k in order)), N[np.ix_(order, order)], words


def pseudo_counts(N: ArrayLike, alpha: float = 0.0) -> NDArray[np.float64]:
    r"""Counts plus :math:`\alpha` in every cell, :math:`N + \alpha`, validated; float64 (V, V).

    The one place where add-:math:`\alpha` smoothing enters: :func:`row_probabilities`,
    :class:`CountModel`, the uniform-target penalty of :func:`~bigram_ref.neural.train`,
    :func:`~bigram_ref.newton.penalised_loss` and :func:`~bigram_ref.newton.train_from_counts`
    all use it. ``alpha`` so large that a row total :math:`N_{i\cdot} + V\alpha` overflows is
    refused.

    Examples
    --------
    >>> from bigram_ref import pseudo_counts
    >>> pseudo_counts([[0, 2], [1, 0]], alpha=0.5).tolist()
    [[0.5, 2.5], [1.5, 0.5]]
    """
    counts = validate.counts(N)
    validate.row_totals(counts)  # counts whose rows overflow on their own are not alpha's fault
    C = counts + validate.number(alpha, "alpha")  # (V, V)
    with np.errstate(over="ignore"):
        overflow = not np.isfinite(C.sum(axis=1)).all()
    if overflow:
        raise validate.too_large("alpha", alpha, "the row totals of N + alpha")
    return C


def row_probabilities(N: ArrayLike, alpha: float = 0.0) -> NDArray[np.float64]:
    r"""Row-normalised counts with add-:math:`\alpha` smoothing: :math:`(N_{i,:} + \alpha) / (N_{i\cdot} + V\alpha)`.

    :math:`N_{i\cdot} = \sum_k N_{ik}` is the row total. A row with no counts at all and
    :math:`\alpha = 0` (a symbol never followed by anything, possible only with a vocabulary
    larger than the corpus's own) is uniform: the limit of add-:math:`\alpha` smoothing as
    :math:`\alpha \to 0`, and the distribution of the logits
    :func:`~bigram_ref.neural.optimal_logits` leaves at 0 there. The same policy holds in
    :class:`CountModel`.

    Raises
    ------
    InputError
        If ``N`` is not a square matrix of non-negative finite counts, or ``alpha`` is not a
        finite number >= 0 (see :func:`pseudo_counts`).

    Examples
    --------
    >>> from bigram_ref import row_probabilities
    >>> row_probabilities([[0, 2, 1], [1, 0, 0], [0, 0, 0]]).round(3).tolist()
    [[0.0, 0.667, 0.333], [1.0, 0.0, 0.0], [0.333, 0.333, 0.333]]
    >>> row_probabilities([[0, 2, 1], [1, 0, 0], [1, 1, 1]], alpha=1)[0].round(3).tolist()
    [0.167, 0.5, 0.333]
    """
    C = pseudo_counts(N, alpha)  # (V, V)
    C[C.sum(axis=1) == 0] = 1.0  # an empty row: uniform (see above)
    totals = C.sum(axis=1, keepdims=True)  # (V, 1): keepdims, or each column would be divided by a row total
    P: NDArray[np.float64] = C / totals
    return P


def counts_nll(P: ArrayLike, N: ArrayLike) -> float:
    r"""Average negative log-likelihood of the bigrams counted in ``N``: :math:`-\frac1n \sum_{ij} N_{ij} \log P_{ij}`.

    Accumulated in float64 over at most :math:`V^2` terms, :math:`n = \sum_{ij} N_{ij}`, with
    the counts first divided by the largest (the average does not change), so that counts
    near the float64 limits neither overflow nor lose digits. A counted bigram of
    probability 0 gives ``inf`` (never NaN). Every row of ``P`` must be a probability
    distribution (non-negative, summing to 1 within ``numpy.allclose``'s default tolerance),
    or an ``InputError`` says so: a
    loss against rows that are not distributions means nothing. A perfect fit gives ``0.0``,
    never ``-0.0``.

    Examples
    --------
    >>> from bigram_ref import counts_nll
    >>> round(counts_nll([[0.5, 0.5], [0.25, 0.75]], [[0, 1], [0, 1]]), 6)
    0.490415
    """
    P = validate.distributions(P)
    N = validate.counts(N, nonzero=True)
    validate.same_shape(P, N, "P and N")
    used = N > 0
    if not P[used].all():
        return float("inf")
    weights = N[used] / N[used].max()  # (k,) in (0, 1]: a tiny weight may underflow to 0, and counts for nothing
    return float(0.0 - (weights * np.log(P[used])).sum() / weights.sum())  # 0.0 - 0.0 is 0.0, never -0.0


def average_nll(P: ArrayLike, xs: ArrayLike, ys: ArrayLike) -> float:
    r"""Average negative log-likelihood per bigram: :math:`-\frac1n \sum_k \log P[x_k, y_k]`.

    Computed from the counts of the pairs with :func:`counts_nll`: the same sum grouped by
    pair, which is also more accurate than adding :math:`n` terms one by one. A bigram of
    probability 0 gives ``inf`` (never NaN); the rows of ``P`` must be distributions, as
    :func:`counts_nll` checks.

    Examples
    --------
    >>> from bigram_ref import average_nll
    >>> round(average_nll([[0.5, 0.5], [0.25, 0.75]], [0, 1], [1, 1]), 6)
    0.490415
    """
    P = validate.distributions(P)
    xs = validate.examples(xs, ys, P.shape[0])
    return counts_nll(P, count_matrix(xs, ys, P.shape[0]))


MAX_SAMPLE_CHARS = 10**8
"""The most characters :func:`sample_words` may hold at once, ``n · max_length`` (the command line's -n cap times its
default ``max_length``)."""


def sample_words(P: ArrayLike, vocab: Vocab, n: int, seed: int, max_length: int = 100) -> list[str]:
    """Draw ``n`` words from a bigram model, reproducibly for a given ``seed``.

    Each word starts after ``.`` and ends when ``.`` is drawn (or after
    ``max_length`` characters); a word may be empty (``.`` drawn first). One uniform
    number per step is looked up in the row's cumulative distribution, using NumPy's
    PCG64 generator. NumPy promises the same stream for a seed only within one NumPy
    build, so samples are reproducible with the pinned NumPy (``constraints.txt``), not
    across every release. The words are held in memory, so ``n · max_length`` may be at
    most :data:`MAX_SAMPLE_CHARS` (draw more in batches, with different seeds).

    Examples
    --------
    >>> from bigram_ref import Vocab, sample_words
    >>> vocab = Vocab.from_words(["ab"])
    >>> P = [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]  # . -> a -> b -> .
    >>> sample_words(P, vocab, 2, seed=0)
    ['ab', 'ab']
    """
    P = validate.distributions(P)
    vocab = validate.instance(vocab, "vocab", Vocab)
    validate.same_shape(P, np.empty((vocab.size, vocab.size)), "P and the vocabulary")
    n = validate.integer(n, "n")
    max_length = validate.integer(max_length, "max_length", 1)
    seed = validate.integer(seed, "seed")
    if n * max_length > MAX_SAMPLE_CHARS:
        raise validate.InputError(
            f"n and max_length: up to n · max_length = {n * max_length:,} characters would be held at once;"
            f" expected at most {MAX_SAMPLE_CHARS:,} (draw in batches with different seeds)"
        )
    cdf = np.cumsum(P, axis=1)  # (V, V)
    cdf /= cdf[:, -1:]  # ends at exactly 1; a zero-probability bin stays empty, so it is never drawn
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
    def fit(cls, words: Iterable[str], alpha: float = 0.0, vocab: Vocab | None = None) -> CountModel:
        """Count the bigrams of ``words`` and normalise with add-``alpha`` smoothing.

        With a supplied ``vocab`` larger than the corpus's own, a symbol that is never
        followed by anything has no counts; with ``alpha = 0`` its row is uniform
        (the policy of :func:`row_probabilities`).
        """
        words = validate.words(words)  # a generator is read once
        vocab = Vocab.from_words(words) if vocab is None else vocab
        xs, ys = bigrams(words, vocab)
        return cls.from_counts(vocab, count_matrix(xs, ys, vocab.size), alpha)

    @classmethod
    def from_counts(cls, vocab: Vocab, counts: ArrayLike, alpha: float = 0.0) -> CountModel:
        """The model of counts already made (for example by :func:`count_corpus`)."""
        vocab = validate.instance(vocab, "vocab", Vocab)
        N = validate.integer_counts(counts)
        validate.same_shape(N, np.empty((vocab.size, vocab.size)), "N and the vocabulary")
        P = row_probabilities(N, alpha)
        return cls(vocab, N, validate.number(alpha, "alpha"), P)

    def nll(self, words: Iterable[str]) -> float:
        """Average negative log-likelihood per bigram of ``words`` under this model."""
        xs, ys = bigrams(words, self.vocab)
        return average_nll(self.probs, xs, ys)

    def counts_nll(self, N: ArrayLike) -> float:
        """Average negative log-likelihood per bigram of the bigrams counted in ``N``."""
        return counts_nll(self.probs, N)

    def sample(self, n: int, seed: int, max_length: int = 100) -> list[str]:
        """``n`` words drawn with :func:`sample_words`."""
        return sample_words(self.probs, self.vocab, n, seed, max_length)
