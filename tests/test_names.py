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

from bigram_ref import CountModel, Vocab, bigrams, count_matrix, read_words

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
