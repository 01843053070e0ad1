"""The published figures of names.txt (see shared/data/README.md), when BIGRAM_REF_NAMES is set.

names.txt is never part of the project: these tests read its path from the
environment and skip, saying so, when it is not given.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from bigram_ref import CountModel, Vocab, bigrams, count_matrix, penalised_loss, read_words, train_from_counts
from bigram_ref.torch_twin import lecture_train

NAMES = os.environ.get("BIGRAM_REF_NAMES")
pytestmark = pytest.mark.skipif(
    not NAMES, reason="BIGRAM_REF_NAMES is not set: point it at names.txt to check the published figures"
)


@pytest.fixture(scope="module")
def words() -> list[str]:
    assert NAMES is not None
    return read_words(Path(NAMES))


def test_reference_figures(words: list[str]) -> None:
    vocab = Vocab.from_words(words)
    xs, ys = bigrams(words, vocab)
    N = count_matrix(xs, ys, vocab.size)
    assert len(words) == 32_033
    assert vocab.size == 27
    assert xs.size == 228_146
    assert round(CountModel.fit(words).nll(words), 6) == 2.454014
    assert round(CountModel.fit(words, alpha=1.0).nll(words), 6) == 2.454577
    assert int((N > 0).sum()) == 627
    assert len(set(words)) == 29_494
    assert {len(w) for w in words} == set(range(2, 16))
    assert (N.sum(axis=1) == N.sum(axis=0)).all()  # why the keepdim bug leaves the NLL unchanged
    assert np.isclose(N.sum(axis=1)[0], 32_033)


def test_cli_prints_the_reference_figures() -> None:
    assert NAMES is not None
    out = subprocess.run(
        [sys.executable, "-m", "bigram_ref", "stats", "--corpus", NAMES, "--json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    stats = json.loads(out.stdout)
    assert (stats["words"], stats["vocab_size"], stats["bigrams"]) == (32_033, 27, 228_146)
    assert (round(stats["nll"], 6), round(stats["nll_add1"], 6)) == (2.454014, 2.454577)


def test_newton_from_counts_is_within_a_millinat_in_100_steps(words: list[str]) -> None:
    vocab = Vocab.from_words(words)
    N = count_matrix(*bigrams(words, vocab), vocab.size)
    init = torch.randn((27, 27), generator=torch.Generator().manual_seed(2147483647)).double().numpy()
    result = train_from_counts(init, N, steps=100)
    optimum = CountModel.fit(words).nll(words)
    gaps = [loss - optimum for loss in result.losses]
    assert gaps[-1] <= 1e-3
    assert min(k for k, gap in enumerate(gaps) if gap <= 1e-3) <= 10  # in fact it gets there in a handful
    assert gaps[-1] < 1e-10


def test_the_lectures_training_is_reproduced(words: list[str]) -> None:
    vocab = Vocab.from_words(words)
    xs, ys = bigrams(words, vocab)
    losses, _ = lecture_train(xs, ys, steps=100)
    assert round(losses[0], 4) == 3.7686
    assert round(losses[99], 4) == 2.4901  # the 100th loss the lecture's loop prints (after 99 updates)
    assert round(losses[100] - CountModel.fit(words).nll(words), 3) == 0.036


def test_the_l2_optimum_of_the_lectures_objective(words: list[str]) -> None:
    vocab = Vocab.from_words(words)
    xs, ys = bigrams(words, vocab)
    N = count_matrix(xs, ys, vocab.size)
    result = train_from_counts(np.zeros((27, 27)), N, steps=30, l2=0.01)
    assert round(result.losses[-1], 6) == 2.480399
    assert round(penalised_loss(result.W, N), 6) == 2.460362
