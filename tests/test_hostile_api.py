"""The second break-it probe's findings against the Python API, each the exact case it reported.

Every case must raise an InputError whose whole message is the one given (never a TypeError,
ValueError or LinAlgError from inside NumPy, never a warning: pytest turns warnings into
errors), or return the documented value.
"""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch

from bigram_ref import (
    CountModel,
    Vocab,
    average_nll,
    bigrams,
    count_corpus,
    counts_nll,
    cross_entropy,
    grad_from_counts,
    grad_weights,
    loss,
    one_hot,
    optimal_logits,
    penalised_loss,
    read_words,
    row_probabilities,
    sample_words,
    softmax,
    softmax_jacobian,
    torch_twin,
    train,
    train_from_counts,
    validate,
)
from bigram_ref.files import write_text
from bigram_ref.gradcheck import check_grad, numerical_grad
from bigram_ref.neural import TrainingDiverged, descend
from bigram_ref.plots import alt_text, count_heatmap, jacobian_heatmap, sgd_step_bars
from bigram_ref.validate import InputError


def assert_message(call: Callable[[], object], message: str) -> None:
    """``call()`` raises an InputError whose whole message is ``message``."""
    with pytest.raises(InputError) as info:
        call()
    assert str(info.value) == message


HUGE = np.full((2, 2), 1e308)  # finite counts whose row totals overflow
ROW_OVERFLOW = "N: counts too large, the total of row 0 overflows float64"
NOT_DISTRIBUTIONS = "P: every row must be a probability distribution (non-negative, summing to 1)"
ab = Vocab((".", "a", "b"))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        # an L2 weight so large that the penalty's curvature overflows: not a LinAlgError from LAPACK
        (
            lambda: train_from_counts(np.zeros((2, 2)), [[1, 0], [0, 1]], steps=2, l2=1e308),
            "l2: too large, the penalty's curvature 2 · l2 · n / V² would overflow (l2 = 1e+308)",
        ),
        # counts whose row totals overflow: blamed on N, never on alpha = 0
        (lambda: grad_from_counts(np.zeros((2, 2)), HUGE), ROW_OVERFLOW),
        (lambda: optimal_logits(HUGE), ROW_OVERFLOW),
        (lambda: row_probabilities(HUGE), ROW_OVERFLOW),
        (lambda: penalised_loss(np.zeros((2, 2)), HUGE), ROW_OVERFLOW),
        # a total that overflows though every row's does not
        (
            lambda: penalised_loss(np.zeros((2, 2)), np.diag([1e308, 1e308])),
            "N: counts too large, their total overflows float64",
        ),
        # probabilities whose rows are not distributions
        (lambda: average_nll([[0.5, 0.2], [0.3, 0.3]], [0, 1], [1, 0]), NOT_DISTRIBUTIONS),
        (lambda: counts_nll([[0.5, 0.2], [0.3, 0.3]], np.ones((2, 2))), NOT_DISTRIBUTIONS),
        # raw TypeErrors before
        (lambda: ab.decode([[1, 2]]), "ids: expected a 1-D sequence of indices, got shape (1, 2)"),
        (lambda: ab.decode(None), "ids: expected a rectangular array of numbers, got None"),  # type: ignore[arg-type]
        (lambda: count_corpus(None), "chunks: expected an iterable of word lists, got None"),  # type: ignore[arg-type]
        (
            lambda: cross_entropy(np.zeros((2, 3)), [0, 1], reduction=np.array(["mean"])),  # type: ignore[arg-type]
            "reduction: expected one of 'mean', 'sum', 'none', got array(['mean'], dtype='<U4')",
        ),
        # integers beyond 64 bits: said so, not "not rectangular"
        (lambda: softmax([2**70, 1]), "z[0] = 1180591620717411303424 does not fit a 64-bit integer"),
        (lambda: cross_entropy([[0.0, 1.0]], [2**70]), "y[0] = 1180591620717411303424 does not fit a 64-bit integer"),
        (lambda: ab.decode([1, 2**70]), "ids[1] = 1180591620717411303424 does not fit a 64-bit integer"),
        # the boundary is not a character of a word
        (lambda: ab.encode("a.b"), "word: word 'a.b' contains the boundary character '.'"),
        # arrays of (V, V) or (n, V) beyond the memory budget, refused before they are allocated
        (
            lambda: softmax_jacobian(np.zeros(100_000)),
            "z: expected at most 8,192 symbols, got 100,000 (each (V, V) float64 matrix takes V² · 8 bytes,"
            " 74.5 GiB here, and a model holds several)",
        ),
        (
            lambda: one_hot(np.zeros(10**6, dtype=np.int64), 8192),
            "y: the one-hot rows would have shape (1000000, 8192), 8,192,000,000 numbers; expected at most"
            " 67,108,864 (the memory of one (8,192, 8,192) float64 matrix, 512 MiB)",
        ),
        (
            lambda: grad_weights(
                np.zeros((4096, 4096)), np.zeros(20_000, dtype=np.int64), np.zeros(20_000, dtype=np.int64)
            ),
            "xs: this teaching form's one-hot rows (loss_and_grad needs none) would have shape (20000, 4096),"
            " 81,920,000 numbers; expected at most 67,108,864 (the memory of one (8,192, 8,192) float64 matrix,"
            " 512 MiB)",
        ),
    ],
)
def test_bad_input_gets_its_own_message(call: Callable[[], object], message: str) -> None:
    assert_message(call, message)


def test_a_minus_inf_logit_off_the_data_is_blamed_on_alpha_when_alpha_gives_it_pseudo_counts() -> None:
    W = np.zeros((3, 3))
    W[2, 1] = -np.inf  # no example is 2 -> 1, but alpha puts pseudo-counts there
    train(W, [0, 1], [1, 2], lr=1.0, steps=1)  # alpha = 0: the -inf is harmless
    with pytest.raises(InputError) as info:
        train(W, [0, 1], [1, 2], lr=1.0, steps=1, alpha=0.5)
    assert str(info.value) == (
        "W[2, 1] is -inf, but alpha = 0.5 gives every pair, 2 -> 1 too, pseudo-counts: its probability is 0,"
        " so the loss is inf before any step; no step size can fix that (give W finite logits, or use alpha = 0)"
    )


def test_a_large_but_representable_l2_still_trains_to_zero_weights() -> None:
    for l2 in (1e306, 1e300, 1e200):
        result = train_from_counts(np.ones((2, 2)), [[1, 0], [0, 1]], steps=2, l2=l2)
        assert np.abs(result.W).max() < 1e-190 and all(np.isfinite(result.losses))


DECOMPOSED, COMPOSED = "e\u0301", "\u00e9"  # é typed as e + combining acute, and as one code point


def test_the_list_api_normalises_words_to_nfc_as_files_do() -> None:
    vocab = Vocab.from_words([DECOMPOSED, COMPOSED])
    assert vocab.chars == (".", COMPOSED)
    xs, ys = bigrams([DECOMPOSED + "t", "t" + COMPOSED], Vocab.from_words(["\u00e9t"]))
    assert xs.tolist() == [0, 2, 1, 0, 1, 2] and ys.tolist() == [2, 1, 0, 1, 2, 0]  # "." "t" "é"
    assert vocab.encode(DECOMPOSED).tolist() == vocab.encode(COMPOSED).tolist() == [1]
    model = CountModel.fit([DECOMPOSED, COMPOSED])
    assert model.vocab.chars == (".", COMPOSED) and model.counts.tolist() == [[0, 2], [2, 0]]
    counted, N, words = count_corpus([[DECOMPOSED], [COMPOSED]])
    assert counted == model.vocab and N.tolist() == model.counts.tolist() and words == 2
    assert Vocab.from_words(["Zoë"]).chars == (".", "Z", "o", "ë")  # case is kept as given


@pytest.mark.parametrize(
    ("char", "kind"),
    [
        ("\u200b", "an invisible format character"),  # zero-width space
        ("\u202e", "an invisible format character"),  # right-to-left override
        ("\ufeff", "an invisible format character"),  # a byte-order mark inside a word
        ("\u00ad", "an invisible format character"),  # soft hyphen
        ("\u200e", "an invisible format character"),  # left-to-right mark
        ("\ufffe", "a noncharacter"),
        ("\U0010ffff", "a noncharacter"),
        ("\ufdd0", "a noncharacter"),
    ],
)
def test_invisible_characters_are_refused_in_words(char: str, kind: str) -> None:
    word = "a" + char + "b"
    with pytest.raises(InputError) as info:
        Vocab.from_words(["ok", word])
    assert str(info.value) == f"words[1]: word {word!r} contains {char!r} (U+{ord(char):04X}), {kind}"


def test_joiners_that_shape_letters_are_allowed() -> None:
    words = [
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
        "\U0001f469\u200d\U0001f4bb",
    ]  # Persian ZWNJ, emoji ZWJ
    assert "\u200c" in Vocab.from_words(words).chars and "\u200d" in Vocab.from_words(words).chars


def test_the_refused_characters_are_exactly_the_documented_classes() -> None:
    expected, refused = set(), set()
    for code in range(sys.maxunicode + 1):
        c = chr(code)
        category = unicodedata.category(c)
        noncharacter = 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE
        if (
            c == "."
            or category in ("Cc", "Cs", "Zl", "Zp")
            or (category == "Cf" and c not in "\u200c\u200d")
            or noncharacter
        ):
            expected.add(code)
        if validate.word_error("a" + c, "w") is not None:
            refused.add(code)
    assert refused == expected


def test_no_loss_is_a_negative_zero() -> None:
    P = np.array([[0.0, 1.0], [1.0, 0.0]])
    N = np.array([[0, 3], [2, 0]])
    values = [
        counts_nll(P, N),
        average_nll(P, [0, 1], [1, 0]),
        CountModel.from_counts(Vocab((".", "a")), N).counts_nll(N),
        float(cross_entropy([0.0, -np.inf], 0)),
        loss(np.array([[0.0, -np.inf], [0.0, -np.inf]]), [0, 1], [0, 0]),
    ]
    assert values == [0.0] * 5 and all(np.copysign(1.0, v) == 1.0 for v in values)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        # probe 3: heat maps write a number per cell; a big one ran for minutes inside matplotlib
        (
            lambda: jacobian_heatmap(np.zeros(3000)),
            "z: a heat map of 3,000 symbols would write 9,000,000 numbers, too many to read;"
            " expected at most 32 symbols",
        ),
        (
            lambda: count_heatmap(np.ones((40, 40), int), Vocab((".", *(chr(0x4E00 + k) for k in range(39))))),
            "N: a heat map of 40 symbols would write 1,600 numbers, too many to read; expected at most 32 symbols",
        ),
        # sampled words are held in memory: the API has the command line's bound too
        (
            lambda: sample_words([[0.5, 0.5], [1.0, 0.0]], Vocab((".", "a")), 10**12, seed=0),
            "n and max_length: up to n · max_length = 100,000,000,000,000 characters would be held at once;"
            " expected at most 100,000,000 (draw in batches with different seeds)",
        ),
        # a symbol not in NFC could never be encoded, as words are read in NFC
        (
            lambda: Vocab((".", "\u212b")),
            "chars: '\u212b' (U+212B) is not in NFC form, which is '\u00c5' (U+00C5); words are read in NFC, so no"
            " word could hold it",
        ),
        # a list holding 2**63 is read by NumPy as floats: the message still names the count
        (
            lambda: CountModel.from_counts(Vocab((".", "a")), [[2**63, 1], [1, 1]]),
            "counts: expected counts up to 9,223,372,036,854,775,807 (int64), got 9223372036854775808 at [0, 0]",
        ),
        # alpha's pseudo-counts outweighing the data make the stable step tiny: said so
        (
            lambda: train(np.zeros((3, 3)), [0], [1], lr=1.0, steps=2, alpha=1e300),
            "training diverged at step 2 (loss inf): try a smaller lr (alpha = 1e+300 adds 9e+300 pseudo-counts to"
            " n = 1 examples: a stable lr shrinks as alpha grows)",
        ),
    ],
)
def test_probe_3_findings_get_their_own_message(call: Callable[[], object], message: str) -> None:
    assert_message(call, message)


def test_the_largest_heat_maps_allowed_are_drawn() -> None:
    z = np.linspace(-1.0, 1.0, 32)
    assert len(jacobian_heatmap(z).axes[0].texts) == 32 * 32  # a number in every cell


def test_a_vocabulary_may_be_given_as_a_list() -> None:
    vocab = Vocab([".", "a"])  # type: ignore[arg-type]
    assert vocab.chars == (".", "a") and vocab == Vocab((".", "a"))


def test_sampling_up_to_the_bound_is_allowed() -> None:
    words = sample_words([[0.5, 0.5], [1.0, 0.0]], Vocab((".", "a")), 1_000_000, seed=0, max_length=100)
    assert len(words) == 1_000_000


@pytest.mark.parametrize(
    ("call", "message"),
    [
        # probe 4: a torch tensor that requires grad cannot be read by NumPy; say what to do
        (
            lambda: softmax(torch.tensor([1.0, 2.0], requires_grad=True)),
            "z: a tensor that requires grad; pass z.detach() (the values, without the graph)",
        ),
        # the torch twin checks its arguments like the rest of the package
        (lambda: torch_twin.forward(torch.zeros(3, 3), torch.tensor([0, 5])), "xs[1] = 5 is out of range for V = 3"),
        (lambda: torch_twin.autograd_grad_logits([0.0, 1.0], 5), "y = 5 is out of range for V = 2"),
        (
            lambda: torch_twin.lecture_loss(torch.zeros(3, 3), torch.eye(2), torch.tensor([1, 2])),
            "xenc: expected shape (2, 3), one one-hot row per target, got (2, 2)",
        ),
        (lambda: torch_twin.lecture_train([], []), "xs: expected at least one example"),
        (lambda: torch_twin.lecture_train([-1, 1], [1, 0]), "xs[0] = -1 is out of range for V = 2"),
        (
            lambda: torch_twin.lecture_train([0, 1], [1, 0], steps=2, lr=np.nan),
            "lr: expected a finite number > 0, got nan",
        ),
        (lambda: torch_twin.check_all(0, 3, 0), "V: expected an int from 2 to 200, got 0"),
        (lambda: torch_twin.check_all(3, 10**8, 0), "n: expected an int from 1 to 200, got 100000000"),
        (lambda: torch_twin.autograd_grad_weights([[0, np.nan], [0, 0]], [0], [1]), "W: contains NaN at index [0, 1]"),
        (lambda: torch_twin.autograd_jacobian([[0.0]]), "z: expected a 1-D array, got shape (1, 1)"),
        # the step, not the logits, overflows
        (
            lambda: sgd_step_bars([1.7e308, 1.7e308], 0, 1e308, ["a", "b"]),
            "lr: too large, the logits after the step overflow (lr = 1e+308)",
        ),
        # chunks of words: a flat list is named as such, and a bad word by its chunk
        (
            lambda: count_corpus(["ab", "ba"]),
            "chunks[0]: expected a list of words, got the str 'ab' (count_corpus takes chunks of words, such as"
            " [words])",
        ),
        (lambda: count_corpus([["ab"], ["ok", 3]]), "chunks[1][1]: expected a non-empty str, got 3"),
        # a heat map's alt text states the total: it must exist
        (
            lambda: count_heatmap([[1e308, 1e308, 0], [0, 0, 0], [0, 0, 0]], ab),
            "N: counts too large, their total overflows float64",
        ),
        # a hand-built vocabulary keeps the sorted order every (V, V) matrix follows
        (lambda: Vocab((".", "b", "a")), "chars: expected the characters after '.' sorted, got ('.', 'b', 'a')"),
        (lambda: numerical_grad(3, [1.0]), "f: expected a function of w, got 3"),  # type: ignore[arg-type]
        (lambda: check_grad(lambda w: 0.0, None, [1.0]), "grad: expected a function of w, got None"),  # type: ignore[arg-type]
    ],
)
def test_probe_4_findings_get_their_own_message(call: Callable[[], object], message: str) -> None:
    assert_message(call, message)


def test_descend_checks_its_arguments_when_called() -> None:
    with pytest.raises(InputError, match=r"^lr: expected a finite number > 0, got -1$"):
        descend(np.zeros((2, 2)), [0], [1], lr=-1)  # no next() needed


def test_the_twin_raises_on_divergence_instead_of_returning_nan() -> None:
    with pytest.raises(TrainingDiverged):
        torch_twin.lecture_train([0, 1], [1, 0], steps=3, lr=1e6)


def test_decode_takes_any_iterable_of_ints() -> None:
    assert ab.decode({1: 0, 2: 0}.keys()) == ab.decode(iter([1, 2])) == ab.decode(np.array([1, 2])) == "ab"


def test_a_huge_count_is_shown_in_significant_digits() -> None:
    text = alt_text(count_heatmap([[1e300, 1, 0], [0, 0, 0], [0, 0, 0]], ab))
    assert "1e+300 in all" in text and len(text) < 600


def test_a_text_stream_that_is_not_utf8_is_a_corpus_error(tmp_path: Path) -> None:
    (tmp_path / "bin.bin").write_bytes(b"a\x8b\x00\n")
    with open(tmp_path / "bin.bin", encoding="utf-8") as fh, pytest.raises(InputError) as info:
        read_words(fh)
    assert str(info.value) == (
        f"{tmp_path / 'bin.bin'}: not valid utf-8 (byte 0x8b); open the file in binary mode ('rb'), or pass its"
        " path, to have the line named"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, "text: expected a str, got None"),
        (b"abc", "text: expected a str, got b'abc'"),
        ("a\ud800", "text: contains '\\ud800' (U+D800), a lone surrogate, which UTF-8 cannot hold"),
    ],
)
def test_write_text_checks_its_text_before_touching_the_file(tmp_path: Path, text: object, message: str) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(InputError) as info:
        write_text(target, text)  # type: ignore[arg-type]
    assert str(info.value) == message
    assert target.read_text(encoding="utf-8") == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]
