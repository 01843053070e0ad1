"""The command line: subcommands, --json, and bad input as `error:` lines with exit status 2."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bigram_ref.cli import main


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bigram_ref", *args], capture_output=True, text=True, timeout=300, check=False
    )


def test_stats_json_has_exactly_the_documented_keys(tmp_path: Path) -> None:
    corpus = tmp_path / "w.txt"
    corpus.write_text("ab\nb\n")
    out = run("stats", "--corpus", str(corpus), "--json")
    assert out.returncode == 0, out.stderr
    stats = json.loads(out.stdout)
    assert set(stats) == {"words", "vocab_size", "bigrams", "nll", "nll_add1"}
    assert stats["words"] == 2 and stats["vocab_size"] == 3 and stats["bigrams"] == 5
    assert stats["nll"] == pytest.approx(0.277259, abs=1e-6)


def test_stats_defaults_to_the_embedded_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["words"] == 5163 and stats["vocab_size"] == 27


@pytest.mark.parametrize("command", ["", "stats", "sample", "train", "gradcheck"])
def test_every_subcommand_has_help(command: str) -> None:
    out = run(*([command] if command else []), "--help")
    assert out.returncode == 0
    assert out.stdout.startswith("usage: bigram-ref")


def bad_inputs(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    cases = {
        "missing": (tmp_path / "missing.txt", r"missing\.txt: no such file"),
        "directory": (tmp_path, r"is a directory"),
        "empty": (tmp_path / "empty.txt", r"empty\.txt: no words"),
        "blank": (tmp_path / "blank.txt", r"blank\.txt: no words"),
        "latin1": (tmp_path / "latin1.txt", r"latin1\.txt:2: not valid UTF-8 \(byte 0xeb at offset 6\)"),
        "dot": (tmp_path / "dot.txt", r"dot\.txt:3: word 'ann\.e' contains the boundary character '\.'"),
    }
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b"\n  \r\n\t\n")
    (tmp_path / "latin1.txt").write_bytes("ann\nzoë\n".encode("latin-1"))
    (tmp_path / "dot.txt").write_text("ann\nbob\nann.e\n")
    return cases


@pytest.mark.parametrize("case", ["missing", "directory", "empty", "blank", "latin1", "dot"])
@pytest.mark.parametrize("command", ["stats", "sample", "train"])
def test_bad_corpus_is_one_error_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str, command: str
) -> None:
    path, pattern = bad_inputs(tmp_path)[case]
    assert main([command, "--corpus", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: ")
    assert re.search(pattern, lines[0]), lines[0]


def test_bad_corpus_through_the_real_entry_point_has_no_traceback(tmp_path: Path) -> None:
    out = run("stats", "--corpus", str(tmp_path / "nope.txt"))
    assert out.returncode == 2
    assert out.stderr.startswith("error: ") and "Traceback" not in out.stderr
    assert out.stdout == ""


def test_sample_is_reproducible_and_writes_out_atomically(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sample", "-n", "5", "--seed", "7"]) == 0
    printed = capsys.readouterr().out
    assert len(printed.splitlines()) == 5
    target = tmp_path / "samples.txt"
    assert main(["sample", "-n", "5", "--seed", "7", "--out", str(target)]) == 0
    assert target.read_text() == printed
    assert os.listdir(tmp_path) == ["samples.txt"]  # no temporary file left behind


def test_sample_out_failure_leaves_no_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "no-such-dir" / "s.txt"
    assert main(["sample", "--out", str(target)]) == 2
    assert capsys.readouterr().err.startswith("error: ")
    assert not target.exists()
    bad = tmp_path / "bad.txt"
    bad.write_text("a.b\n")
    out = tmp_path / "out.txt"
    assert main(["sample", "--corpus", str(bad), "--out", str(out)]) == 2
    assert not out.exists()


def test_train_prints_loss_and_gap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "w.txt"
    corpus.write_text("emma\nava\nmia\nella\n")
    assert main(["train", "--corpus", str(corpus), "--steps", "20", "--every", "10", "--lr", "5"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "count model optimum" in lines[0]
    rows = [line.split() for line in lines[2:]]
    assert [int(r[0]) for r in rows] == [0, 10, 20]
    gaps = [float(r[2]) for r in rows]
    assert gaps[0] > gaps[1] > gaps[2] > 0


def test_gradcheck_passes_and_reports_every_check(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gradcheck", "--vocab-size", "4", "--batch", "6"]) == 0
    out = capsys.readouterr().out
    for check in ["dL/dz = p - t", "softmax Jacobian", "dL/dW (sum)", "dL/dW (mean)", "dL/dW from counts"]:
        assert check in out
    assert out.rstrip().endswith(": ok")


@pytest.mark.parametrize(
    "args",
    [["sample", "-n", "-1"], ["train", "--steps", "-1"], ["gradcheck", "--batch", "0"], ["train", "--lr", "nan"]],
)
def test_bad_numbers_are_errors(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2
    assert capsys.readouterr().err.startswith("error: ")


def test_console_script_is_installed() -> None:
    script = shutil.which("bigram-ref", path=str(Path(sys.executable).parent))
    assert script is not None, "the bigram-ref console script is not installed next to this Python"
    out = subprocess.run([script, "stats", "--json"], capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["words"] == 5163


@pytest.mark.parametrize("command", ["gradcheck", "bench"])
def test_missing_torch_is_a_clear_error(
    command: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` raise ImportError
    assert main([command]) == 2
    assert (
        capsys.readouterr().err
        == f"error: {command} needs PyTorch: pip install torch (the tested version is pinned in constraints.txt)\n"
    )


def test_a_perfectly_predictable_corpus_prints_nll_zero_not_minus_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "a.txt"
    corpus.write_text("a\na\n")  # '.' -> 'a' -> '.' every time: no uncertainty at all
    assert main(["stats", "--corpus", str(corpus)]) == 0
    assert "nll         0.000000   (count model, no smoothing)" in capsys.readouterr().out.splitlines()
    assert main(["stats", "--corpus", str(corpus), "--json"]) == 0
    printed = capsys.readouterr().out
    assert '"nll": 0.0,' in printed and "-0" not in printed
    assert main(["train", "--corpus", str(corpus), "--steps", "0"]) == 0
    assert capsys.readouterr().out.startswith("2 words, 4 bigrams; count model optimum 0.000000\n")


@pytest.mark.parametrize(
    ("argv", "message"),
    [([1], "argv[0]: expected a str, got 1"), (["stats", None], "argv[1]: expected a str, got None")],
)
def test_an_argument_that_is_not_a_str_is_an_error(
    argv: list[object], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2  # type: ignore[arg-type]
    assert capsys.readouterr() == ("", f"error: {message}\n")
