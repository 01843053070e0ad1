"""Hostile input: odd corpora and numerical edge cases get the right answer or a clear error.

Every bad input raises InputError (a ValueError; CorpusError is one) naming the argument or the
file and line, and the command line turns it into one `error:` line with exit status 2.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bigram_ref import (
    CorpusError,
    CountModel,
    Vocab,
    bigrams,
    count_matrix,
    cross_entropy,
    grad_from_counts,
    grad_logits,
    log_softmax,
    optimal_logits,
    read_words,
    row_probabilities,
    softmax,
    softmax_jacobian,
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
