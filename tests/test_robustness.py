"""Hostile input: odd corpora and numerical edge cases get the right answer or a clear error.

Every bad input raises InputError (a ValueError; CorpusError is one) naming the argument or the
file and line, and the command line turns it into one `error:` line with exit status 2.
"""

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bigram_ref import (
    CorpusError,
    CountModel,
    InputError,
    Vocab,
    bigrams,
    count_corpus,
    count_matrix,
    counts_nll,
    cross_entropy,
    grad_from_counts,
    grad_logits,
    init_weights,
    log_softmax,
    loss,
    loss_and_grad,
    one_hot,
    optimal_logits,
    parse_words,
    penalised_loss,
    plots,
    read_words,
    row_probabilities,
    sample_words,
    softmax,
    softmax_jacobian,
    train,
    train_from_counts,
)
from bigram_ref.cli import main

# --- corpora -------------------------------------------------------------------------------


def test_very_long_line_is_one_word(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("ab" * 500_000 + "\nba\n")
    words = read_words(path)
    assert len(words[0]) == 1_000_000
    xs, _ = bigrams(words, Vocab.from_words(words))
    assert xs.size == 1_000_001 + 3


def test_long_word_in_an_error_is_shortened(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("a" * 10_000 + ".b\n")
    with pytest.raises(CorpusError, match=r"long\.txt:1: word 'a{39}…' contains") as info:
        read_words(path)
    assert len(str(info.value)) < 200 + len(str(path))


def test_tabs_trailing_spaces_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "messy.txt"
    path.write_bytes(b"\xef\xbb\xbf\tanna  \r\n\r\n  bob\t\r\n \t \r\ncy")
    assert read_words(path) == ["anna", "bob", "cy"]


def test_inner_space_is_a_character(tmp_path: Path) -> None:
    path = tmp_path / "spaces.txt"
    path.write_text("mary ann\n")
    assert Vocab.from_words(read_words(path)).chars == (".", " ", "a", "m", "n", "r", "y")


def test_non_utf8_names_line_and_byte_offset(tmp_path: Path) -> None:
    path = tmp_path / "cp1252.txt"
    path.write_bytes(b"anna\nbob\nren\xe9e\n")
    with pytest.raises(CorpusError, match=r"cp1252\.txt:3: not valid UTF-8 \(byte 0xe9 at offset 12\)"):
        read_words(path)


def test_utf16_file_is_reported_not_misread(tmp_path: Path) -> None:
    path = tmp_path / "utf16.txt"
    path.write_text("anna\nbob\n", encoding="utf-16")
    with pytest.raises(CorpusError, match=r"utf16\.txt:1: not valid UTF-8 \(byte 0xff at offset 0\)"):
        read_words(path)


def test_unknown_character_at_encode_names_it_and_the_word() -> None:
    vocab = Vocab.from_words(["anna"])
    with pytest.raises(ValueError, match=r"word 'zoë': character 'z' is not in the vocabulary"):
        bigrams(["anna", "zoë"], vocab)
    model = CountModel.fit(["anna"])
    with pytest.raises(ValueError, match=r"word 'ann!': character '!' is not in the vocabulary"):
        model.nll(["ann!"])


def test_empty_word_in_a_list_is_rejected() -> None:
    with pytest.raises(CorpusError, match=r"^words\[1\]: expected a non-empty str, got ''$"):
        bigrams(["a", ""], Vocab.from_words(["a"]))


def test_ten_million_bigrams_finish_in_memory_proportional_to_the_text(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    lengths = rng.integers(2, 12, 1_500_000)
    flat = letters[rng.integers(0, 26, int(lengths.sum()))]
    cuts = np.cumsum(lengths)[:-1]
    text = "\n".join("".join(w) for w in np.split(flat, cuts))
    path = tmp_path / "big.txt"
    path.write_text(text)
    # peak memory of the child alone: VmHWM (ru_maxrss would carry the parent's peak across fork and exec)
    script = (
        "import re, resource, sys; from pathlib import Path; from bigram_ref.cli import main; "
        f"status = main(['stats', '--corpus', {str(path)!r}, '--json']); "
        "status_file = Path('/proc/self/status'); "
        "peak = int(re.search(r'VmHWM:\\s+(\\d+) kB', status_file.read_text()).group(1)) * 1024 "
        "if status_file.exists() else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024; "
        "print(peak, file=sys.stderr); sys.exit(status)"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600, check=False)
    assert out.returncode == 0, out.stderr
    bigram_count = int(lengths.sum()) + len(lengths)
    assert f'"bigrams": {bigram_count}' in out.stdout
    assert bigram_count > 10_000_000
    peak = int(out.stderr.strip().splitlines()[-1])
    assert peak < 200e6 + 40 * len(text), f"peak RSS {peak / 1e6:.0f} MB for {len(text) / 1e6:.0f} MB of text"


# --- command line: whole or not at all -------------------------------------------------------


def test_cli_out_to_a_directory_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sample", "--out", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err


def test_cli_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["stats", "--no-such-option"])
    assert info.value.code == 2
    assert "error: unrecognized arguments" in capsys.readouterr().err


# --- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_logits_of_ten_thousand(dtype: type) -> None:
    z = np.array([1e4, -1e4, 0.0], dtype=dtype)
    assert softmax(z).tolist() == [1.0, 0.0, 0.0]
    assert log_softmax(z).tolist() == [0.0, -2e4, -1e4]
    assert float(cross_entropy(z, 1)) == 2e4
    assert grad_logits(z, 1).tolist() == [1.0, -1.0, 0.0]
    assert np.isfinite(softmax_jacobian(z)).all()


def test_all_equal_logits_are_uniform() -> None:
    assert softmax(np.full(4, 7.5)).tolist() == [0.25] * 4
    assert grad_logits(np.full(4, -3.0), 2).tolist() == [0.25, 0.25, -0.75, 0.25]


def test_minus_inf_row_from_the_closed_form_optimum() -> None:
    W_star = optimal_logits([[0, 2, 1], [1, 0, 0], [1, 0, 0]])
    p = softmax(W_star)
    assert not np.isnan(p).any()
    assert p[0].tolist() == pytest.approx([0.0, 2 / 3, 1 / 3])
    assert float(cross_entropy(W_star[0], 0)) == np.inf  # the impossible bigram: infinite loss, not NaN
    assert grad_logits(W_star[0], 0).tolist() == pytest.approx([-1.0, 2 / 3, 1 / 3])
    assert not np.isnan(grad_from_counts(W_star, [[0, 2, 1], [1, 0, 0], [1, 0, 0]])).any()


def test_vocabulary_of_one_symbol_has_a_defined_answer() -> None:
    """V = 1: the only symbol has probability 1, the loss is 0 and so is its gradient."""
    assert softmax([[5.0]]).tolist() == [[1.0]]
    assert float(cross_entropy([5.0], 0)) == 0.0
    assert grad_logits([5.0], 0).tolist() == [0.0]
    assert count_matrix([0, 0], [0, 0], 1).tolist() == [[2]]
    assert row_probabilities([[2]]).tolist() == [[1.0]]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: softmax(np.array([1 + 2j])), r"^z: expected float32 or float64 logits, got dtype complex128"),
        (lambda: softmax(np.array(["a", "b"], dtype=object)), r"^z: expected float32 or float64 logits"),
        (lambda: softmax(np.float64(3.0)), r"^z: expected a 1-D or 2-D array, got shape \(\)"),
        (lambda: grad_logits([0.0, np.nan], 0), r"^z: contains NaN at index \[1\]"),
        (lambda: cross_entropy([[0.0, 1.0]], [-1]), r"^y\[0\] = -1 is out of range for V = 2$"),
        (lambda: cross_entropy([[0.0, 1.0]], [[0]]), r"^y: expected shape \(1,\)"),
        (lambda: count_matrix(np.array([0, 1], dtype=float), [0, 1], 2), r"^xs: expected integer indices"),
        (lambda: row_probabilities([[np.inf, 1.0], [1.0, 1.0]]), r"^N: expected finite, non-negative counts"),
        (lambda: row_probabilities([[1, 1], [1, 1]], alpha=-0.5), r"^alpha: expected a finite number >= 0"),
    ],
)
def test_bad_numbers_name_the_argument(call: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()  # type: ignore[operator]


def test_a_dead_row_in_a_batch_is_named() -> None:
    with pytest.raises(ValueError, match=r"^z: row 1 is -inf, which leaves no probability anywhere"):
        softmax([[0.0, 1.0], [-np.inf, -np.inf]])


# --- the break-it probe's findings, each by its number: a clear InputError or the right answer -----

GiB_2_32 = "1.37e+11 GiB"  # (2**32)² · 8 bytes


@pytest.mark.parametrize(
    ("call", "message"),
    [
        # 4: ys=None is a missing argument, not "no targets"
        (lambda: loss(np.zeros((2, 2)), [0, 1], None), "ys: expected a rectangular array of numbers, got None"),
        (
            lambda: loss_and_grad(np.zeros((2, 2)), [0, 1], None),
            "ys: expected a rectangular array of numbers, got None",
        ),
        (
            lambda: train(np.zeros((2, 2)), [0, 1], None, lr=1, steps=1),
            "ys: expected a rectangular array of numbers, got None",
        ),
        # 7: wrong types, by name
        (lambda: Vocab((".", "a")).encode(123), "word: expected a str, got 123"),
        (lambda: Vocab((".", "a")).encode(None), "word: expected a str, got None"),
        (lambda: Vocab.from_words(None), "words: expected a list of words, got None"),
        (lambda: Vocab.from_words(5), "words: expected a list of words, got 5"),
        (lambda: parse_words(b"ab\n"), r"text: expected a str, got b'ab\n'"),
        (lambda: parse_words(None), "text: expected a str, got None"),
        (lambda: one_hot([1], 3, dtype="foo"), "dtype: expected float32 or float64, got 'foo'"),
        (lambda: bigrams(["ab"], None), "vocab: expected a Vocab, got None"),
        (lambda: plots.count_heatmap(np.ones((2, 2)), None), "vocab: expected a Vocab, got None"),
        (lambda: plots.alt_text("x"), "fig: expected a Figure, got 'x'"),
        (lambda: plots.training_curve([1.0], 0.5, label=None), "label: expected a str, got None"),
        # 8: ragged nesting and strings, with the argument's name
        (lambda: softmax([[1.0, 2.0], [3.0]]), "z: expected a rectangular array of numbers, got [[1.0, 2.0], [3.0]]"),
        (
            lambda: count_matrix([[0], [1, 2]], [0, 1], 3),
            "xs: expected a rectangular array of numbers, got [[0], [1, 2]]",
        ),
        (lambda: softmax("abc"), "z: expected float32 or float64 logits, got dtype <U3"),
        (
            lambda: counts_nll([[0.5, 0.5], [1.0]], [[1, 1], [1, 1]]),
            "P: expected a rectangular array of numbers, got [[0.5, 0.5], [1.0]]",
        ),
        # 15: unsigned counts that do not fit int64
        (
            lambda: CountModel.from_counts(Vocab((".", "a")), np.array([[2**64 - 1, 1], [1, 1]], np.uint64)),
            "counts: expected counts up to 9,223,372,036,854,775,807 (int64), got 18446744073709551615 at [0, 0]",
        ),
        # 17: an empty batch has no mean
        (lambda: cross_entropy(np.zeros((0, 3)), []), "z: expected at least one example"),
        # 21: a scale that overflows W
        (
            lambda: init_weights(100, seed=0, scale=1e308),
            "scale: too large, the logits scale * N(0, 1) overflow (scale = 1e+308)",
        ),
        # 22: starting weights Newton's method cannot use
        (
            lambda: train_from_counts(optimal_logits(N3), N3, steps=3, alpha=1.0),
            "W[0, 0] is -inf: Newton's method moves logits by finite steps and cannot start from a probability"
            " fixed at 0 (start from finite logits, such as zeros)",
        ),
        (
            lambda: train_from_counts(1e300 * np.eye(3), N3, steps=3, l2=0.1),
            "W: the objective is inf before any step, so no step can lower it (start from smaller logits)",
        ),
        # 23: logits whose spread overflows
        (
            lambda: log_softmax([1e308, -1e308]),
            "z: the logits span -1e+308 to 1e+308, a range wider than float64 can hold, so softmax cannot subtract"
            " the maximum",
        ),
        (
            lambda: cross_entropy([[0.0, 1.0], [1e308, -1e308]], [0, 1]),
            "z: row 1 spans -1e+308 to 1e+308, a range wider than float64 can hold, so softmax cannot subtract"
            " the maximum",
        ),
        (
            lambda: softmax(np.array([3e38, -3e38], dtype=np.float32)),
            "z: the logits span -3e+38 to 3e+38, a range wider than float32 can hold, so softmax cannot subtract"
            " the maximum",
        ),
        # 24: the vocabulary budget, checked before any (V, V) allocation
        (
            lambda: count_matrix([0], [0], vocab_size=1114113),
            "vocab_size: expected at most 8,192 symbols, got 1,114,113 (each (V, V) float64 matrix takes V² · 8 bytes,"
            " 9.25e+03 GiB here, and a model holds several)",
        ),
        (
            lambda: init_weights(2**32, seed=0),
            "V: expected at most 8,192 symbols, got 4,294,967,296 (each (V, V) float64 matrix takes V² · 8 bytes,"
            f" {GiB_2_32} here, and a model holds several)",
        ),
        (
            lambda: Vocab.from_words([WIDE]),
            "words: expected at most 8,192 symbols, got 9,001 (each (V, V) float64 matrix takes V² · 8 bytes,"
            " 0.604 GiB here, and a model holds several)",
        ),
        (
            lambda: count_corpus([["ab"], [WIDE]]),
            "words: expected at most 8,192 symbols, got 9,003 (each (V, V) float64 matrix takes V² · 8 bytes,"
            " 0.604 GiB here, and a model holds several)",
        ),
        (
            lambda: Vocab((".", *WIDE)),
            "chars: expected at most 8,192 symbols, got 9,001 (each (V, V) float64 matrix takes V² · 8 bytes,"
            " 0.604 GiB here, and a model holds several)",
        ),
        # cosmetic: a hand-built vocabulary obeys the word rules
        (lambda: Vocab((".", "\n")), r"chars: word '\n' contains '\n' (U+000A), a control character"),
        (
            lambda: Vocab((".", "\ud800")),
            r"chars: word '\ud800' contains '\ud800' (U+D800), a lone surrogate, not a character",
        ),
    ],
)
def test_probe_findings_raise_a_clear_input_error(call: object, message: str) -> None:
    with pytest.raises(InputError) as info:
        call()  # type: ignore[operator]
    assert str(info.value) == message


N3 = np.array([[0, 2, 1], [1, 0, 0], [1, 0, 0]])
WIDE = "".join(chr(0x4E00 + k) for k in range(9000))  # 9,000 distinct CJK characters: V = 9,001


def test_generators_of_words_are_read_once_everywhere() -> None:  # 6
    expected = [[0, 1, 1], [0, 0, 1], [2, 0, 0]]
    assert CountModel.fit(w for w in ["ab", "b"]).counts.tolist() == expected
    assert CountModel.fit(iter(["ab", "b"])).counts.tolist() == expected
    xs, ys = bigrams((w for w in ["ab"]), Vocab.from_words(["ab"]))
    assert (xs.tolist(), ys.tolist()) == ([0, 1, 2], [1, 2, 0])
    assert count_corpus(iter([iter(["ab"]), (w for w in ["b"])]))[1].tolist() == expected
    with pytest.raises(CorpusError, match=r"^words: expected a list of words, got a single str$"):
        CountModel.fit("ab")


def test_an_empty_chunk_is_fine_but_no_words_at_all_is_not() -> None:  # 13
    assert (
        count_corpus([["ab"], []])[1].tolist()
        == count_corpus([[], ["ab"]])[1].tolist()
        == count_corpus([["ab"]])[1].tolist()
    )
    with pytest.raises(CorpusError, match=r"^words: no words \(empty, or blank lines only\)$"):
        count_corpus([[], []])


def test_counts_nll_at_the_float64_limits() -> None:  # 14
    half = [[0.5, 0.5], [0.5, 0.5]]
    assert counts_nll(half, [[1e308, 1e308], [1, 1]]) == pytest.approx(np.log(2), rel=1e-15)
    assert counts_nll(half, [[5e-324, 0], [0, 0]]) == pytest.approx(np.log(2), rel=1e-15)
    assert counts_nll([[1.0, 0.0], [0.5, 0.5]], [[1e-320, 1e300], [1, 1]]) == np.inf  # a counted bigram of P = 0


def test_unsigned_counts_are_exact() -> None:  # 15
    big = np.array([[2**63 - 1, 1], [1, 1]], np.uint64)
    assert CountModel.from_counts(Vocab((".", "a")), big).counts[0, 0] == 2**63 - 1


def test_a_zero_probability_symbol_is_never_sampled() -> None:  # 16
    P = np.array([[0, 0.5, 0.49999, 0], [1, 0, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0]])  # 'c' has probability 0
    words = sample_words(P, Vocab((".", "a", "b", "c")), 200_000, seed=0)
    assert set("".join(words)) == {"a", "b"}


def test_empty_batches_are_fine_where_nothing_is_averaged() -> None:  # 17
    assert softmax(np.zeros((0, 3))).shape == (0, 3)


def test_train_from_counts_far_from_its_optimum_moves_without_warnings() -> (
    None
):  # 22 (pytest turns warnings into errors)
    start = 10 * np.eye(3)
    result = train_from_counts(start, N3, steps=20)
    assert result.losses[-1] == pytest.approx(penalised_loss(optimal_logits(N3), N3), abs=1e-6)
    stuck = train_from_counts(1e300 * np.eye(3), N3, steps=3)  # finite: runs, warning-free, at about one logit per step
    assert all(np.isfinite(stuck.losses))


def test_log_softmax_is_finite_for_the_widest_spread_float64_holds() -> None:  # 23
    assert log_softmax([8e307, -8e307]).tolist() == [0.0, -1.6e308]
    assert float(cross_entropy([8e307, -8e307], 1)) == 1.6e308


def test_the_code_point_table_is_separate_from_the_budget() -> None:  # 24
    vocab, N, words = count_corpus([["\U0010fffd\u4e00"]])  # the last code point that is a character
    assert vocab.chars == (".", "\u4e00", "\U0010fffd") and int(N.sum()) == 3 and words == 1


def test_plot_labels_are_drawn_as_typed() -> None:  # 10
    figures = [
        plots.sgd_step_bars([0.0, 0.0], 1, 1.0, ["$\\foo$", "b"]),
        plots.training_curve([1.0, 0.5], 0.4, label="$\\frac$"),
        plots.jacobian_heatmap([1.0, 2.0], labels=["$\\foo$", "$"]),
        plots.count_heatmap([[0, 1], [2, 0]], Vocab((".", "$"))),
    ]
    for fig in figures:
        fig.savefig(io.BytesIO(), format="svg")  # no mathtext parse error
    ticks = [t.get_text() for t in figures[0].axes[0].get_xticklabels()]
    assert ticks == ["\\$\\foo\\$", "b"]  # escaped: matplotlib shows "$\foo$"
    assert "$\\foo$, b" in plots.alt_text(figures[0])  # the alt text says it as given


def test_a_jacobian_of_one_symbol_is_described() -> None:  # 9
    label = plots.alt_text(plots.jacobian_heatmap([1.0]))
    assert label.endswith("With one symbol its probability is always 1, so the only entry is 0.")


def test_a_float_count_is_shown_as_it_is() -> None:  # cosmetic
    fig = plots.count_heatmap([[0.5, 1.0], [2.0, 0.0]], Vocab((".", "a")))
    assert sorted(t.get_text() for t in fig.axes[0].texts) == ["0.5", "1", "2"]
    assert "3.5 in all" in plots.alt_text(fig)
