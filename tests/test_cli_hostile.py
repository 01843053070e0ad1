"""Hostile use of the command line, through the installed console script in a subprocess.

Each case is one from the hostile-input probe: standard input, divergence, options checked before
any output, size limits, a closed pipe, Ctrl-C, a failing write, running out of memory, empty words.
"""

import os
import resource
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bigram_ref import cli
from bigram_ref.cli import main

RunScript = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def script() -> str:
    """The path of the ``bigram-ref`` console script installed next to this Python."""
    path = shutil.which("bigram-ref", path=str(Path(sys.executable).parent))
    assert path is not None, "the bigram-ref console script is not installed next to this Python"
    return path


@pytest.fixture(scope="module")
def run_script(script: str) -> RunScript:
    """``run_script(*args, **kwargs)`` runs ``bigram-ref ARGS`` to completion, stdout and stderr captured as text."""

    def run(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        kwargs.setdefault("timeout", 300)
        return subprocess.run([script, *args], capture_output=True, text=True, check=False, **kwargs)

    return run


def error_line(out: subprocess.CompletedProcess[str]) -> str:
    """The one stderr line of a refused command (exit 2, nothing on stdout, no traceback)."""
    assert out.returncode == 2, out.stderr
    assert "Traceback" not in out.stderr
    lines = out.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), out.stderr
    return lines[0]


def test_corpus_dash_reads_standard_input(run_script: RunScript, tmp_path: Path) -> None:
    corpus = tmp_path / "w.txt"
    corpus.write_text("emma\nava\nzoë\n", encoding="utf-8")
    from_stdin = run_script("stats", "--corpus", "-", "--json", input=corpus.read_text(encoding="utf-8"))
    from_file = run_script("stats", "--corpus", str(corpus), "--json")
    assert from_stdin.returncode == 0, from_stdin.stderr
    assert from_stdin.stdout == from_file.stdout
    words = run_script("train", "--corpus", "-", "--steps", "0", input="ab\nb\n")
    assert words.stdout.startswith("2 words, 5 bigrams")


def test_dev_zero_is_refused_not_read_forever(run_script: RunScript) -> None:
    line = error_line(run_script("stats", "--corpus", "/dev/zero"))
    assert line == "error: /dev/zero:1: line longer than 16,777,216 bytes: not a word list"


@pytest.mark.parametrize(
    ("args", "corpus", "step"),
    [
        (["--lr", "1e6"], None, 1),
        (["--lr", "1.7e308"], None, 1),
        ([], "aaaa\na\n", 1),  # the default lr on a tiny corpus: the loss rose from 0.80 to 10.46
    ],
)
def test_divergence_stops_with_an_error(
    run_script, tmp_path: Path, args: list[str], corpus: str | None, step: int
) -> None:
    if corpus is not None:
        (tmp_path / "c.txt").write_text(corpus)
        args = [*args, "--corpus", str(tmp_path / "c.txt")]
    out = run_script("train", *args)
    assert out.returncode == 2
    assert out.stderr.startswith(f"error: training diverged at step {step} (loss ")
    assert out.stderr.rstrip().endswith("): try a smaller lr")
    assert "inf " not in out.stdout and "nan" not in out.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "--lr", "-1"], "error: --lr: expected a finite number > 0, got -1.0"),
        (["train", "--lr", "inf"], "error: --lr: expected a finite number > 0, got inf"),
        (["train", "--lr", "nan"], "error: --lr: expected a finite number > 0, got nan"),
        (["train", "--steps", "-1"], "error: --steps: expected an int from 0 to 10,000, got -1"),
        (["train", "--every", "0"], "error: --every: expected an int >= 1, got 0"),
        (["train", "--alpha", "-2"], "error: --alpha: expected a finite number >= 0, got -2.0"),
        (["sample", "-n", "-1"], "error: -n: expected an int from 0 to 1,000,000, got -1"),
        (["sample", "--alpha", "inf"], "error: --alpha: expected a finite number >= 0, got inf"),
        (["gradcheck", "--vocab-size", "100000"], "error: --vocab-size: expected an int from 2 to 200, got 100000"),
        (["gradcheck", "--vocab-size", "3000"], "error: --vocab-size: expected an int from 2 to 200, got 3000"),
        (["gradcheck", "--batch", "0"], "error: --batch: expected an int from 1 to 200, got 0"),
        (["gradcheck", "--seed", "-1"], "error: --seed: expected an int >= 0, got -1"),
        (["sample", "--seed", "-1"], "error: --seed: expected an int >= 0, got -1"),
        (["train", "--seed", "-1"], "error: --seed: expected an int >= 0, got -1"),
        (["bench", "--repeats", "0"], "error: --repeats: expected an int from 1 to 100, got 0"),
        (["bench", "--scales", "1,x"], "error: --scales: expected comma-separated integers, got '1,x'"),
        (["bench", "--scales", "100000000"], "error: --scales: expected an int from 1 to 100, got 100000000"),
        (["bench", "--scales", "1,101"], "error: --scales: expected an int from 1 to 100, got 101"),
        (["bench", "--scales", "150"], "error: --scales: expected an int from 1 to 100, got 150"),  # 11 GiB
        (["bench", "--scales", "1_0"], "error: --scales: expected comma-separated integers, got '1_0'"),
        (["bench", "--scales", "+1"], "error: --scales: expected comma-separated integers, got '+1'"),
        (["bench", "--scales", "\u0661"], "error: --scales: expected comma-separated integers, got '\u0661'"),
        (["bench", "--scales", "1,,10"], "error: --scales: expected comma-separated integers, got '1,,10'"),
        (
            ["bench", "--corpus", ""],
            "error: --corpus: the path is empty, expected a text file of words or - for standard input",
        ),
        (
            ["sample", "--alpha", "1e308"],
            "error: --alpha: too large, the row totals of N + alpha overflow (alpha = 1e+308)",
        ),
        (
            ["train", "--alpha", "1e308"],
            "error: --alpha: too large, the row totals of N + alpha overflow (alpha = 1e+308)",
        ),
        (["sample", "--out", ""], "error: --out: the path is empty, expected a file path"),
        (
            ["stats", "--corpus", ""],
            "error: --corpus: the path is empty, expected a text file of words or - for standard input",
        ),
    ],
)
def test_options_are_checked_before_anything_is_printed(run_script: RunScript, args: list[str], message: str) -> None:
    out = run_script(*args)
    assert out.stdout == ""
    assert error_line(out) == message


def test_bench_help_states_the_largest_scale_and_why(run_script: RunScript) -> None:
    out = run_script("bench", "--help")
    assert (
        "each from 1 to 100 (default 1,10,100): the row-lookup step holds a few (bigrams × scale, V) float32 arrays"
        " at once, so memory grows with the scale (a peak of about 7.4 GiB at 100 × names.txt"
    ) in " ".join(out.stdout.split())


def test_scales_may_have_spaces_around_the_commas(monkeypatch: pytest.MonkeyPatch) -> None:
    """No false alarm: only what is not plain digits is refused."""
    import bigram_ref.bench

    seen: list[tuple[int, ...]] = []

    def run(words: object, *, repeats: int, scales: tuple[int, ...]) -> dict[str, Any]:
        seen.append(scales)
        raise KeyboardInterrupt  # stop here: only the parsed scales matter

    monkeypatch.setattr(bigram_ref.bench, "run", run)
    assert main(["bench", "--scales", " 1, 10 ,100"]) == 130
    assert seen == [(1, 10, 100)]


def test_gradcheck_help_states_how_the_cost_grows(run_script: RunScript) -> None:
    out = run_script("gradcheck", "--help")
    assert out.returncode == 0
    assert (
        "The cost is in the finite differences: 2·V² evaluations of the loss, each of which reads all of W,"
        " so the time grows faster than V², towards V⁴"
    ) in " ".join(out.stdout.split())


@pytest.mark.parametrize("variable", ["missing.txt", "folder"])
def test_a_bad_bigram_ref_names_is_named_as_the_variable(run_script: RunScript, tmp_path: Path, variable: str) -> None:
    (tmp_path / "folder").mkdir()
    path = tmp_path / variable
    out = run_script("bench", "--scales", "1", "--repeats", "1", env={**os.environ, "BIGRAM_REF_NAMES": str(path)})
    reason = "no such file" if variable == "missing.txt" else "is a directory, expected a text file of words"
    assert error_line(out) == f"error: BIGRAM_REF_NAMES={path}: {reason}"
    assert out.stdout == ""


def test_an_empty_bigram_ref_names_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    import bigram_ref.bench

    sizes: list[int] = []

    def run(words: list[str], **kwargs: object) -> dict[str, Any]:
        sizes.append(len(words))
        raise KeyboardInterrupt

    monkeypatch.setattr(bigram_ref.bench, "run", run)
    monkeypatch.setenv("BIGRAM_REF_NAMES", "")
    assert main(["bench"]) == 130
    assert sizes == [5163]  # the embedded census names


def close_fd(fd: int) -> Callable[[], None]:
    """In the child: close a standard stream, as the shell's ``<&-`` (0), ``>&-`` (1) or ``2>&-`` (2) do."""
    return lambda: os.close(fd)


def test_closed_standard_input_is_an_error(run_script: RunScript) -> None:
    out = run_script("stats", "--corpus", "-", preexec_fn=close_fd(0))
    assert error_line(out) == "error: --corpus -: standard input is closed, so there are no words to read"


@pytest.mark.parametrize(
    "args", [["stats"], ["train", "--steps", "2"], ["sample", "-n", "3"], ["gradcheck"], ["--help"], ["train", "-h"]]
)
def test_closed_standard_output_is_an_error_before_any_work(run_script: RunScript, args: list[str]) -> None:
    out = run_script(*args, preexec_fn=close_fd(1))
    assert error_line(out) == "error: standard output is closed, so there is nowhere to print"


def test_sample_out_needs_no_standard_output(run_script: RunScript, tmp_path: Path) -> None:
    target = tmp_path / "s.txt"
    out = run_script("sample", "-n", "3", "--out", str(target), preexec_fn=close_fd(1))
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
    assert len(target.read_text().splitlines()) == 3


def test_closed_standard_error_keeps_the_error_off_standard_output(run_script: RunScript, tmp_path: Path) -> None:
    out = run_script("stats", "--corpus", str(tmp_path / "missing.txt"), preexec_fn=close_fd(2))
    assert out.returncode == 2
    assert out.stdout == ""


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_standard_output_is_utf8_whatever_the_locale_says(script: str, tmp_path: Path, encoding: str) -> None:
    corpus = tmp_path / "cafe.txt"
    corpus.write_text("café\n", encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    out = subprocess.run(
        [script, "sample", "--corpus", str(corpus), "-n", "40"], capture_output=True, env=env, check=False
    )
    assert out.returncode == 0, out.stderr
    words = out.stdout.decode("utf-8").splitlines()
    assert len(words) == 40 and "é" in "".join(words)
    assert set("".join(words)) <= set("café.")
    table = subprocess.run(
        [script, "bench", "--corpus", str(corpus), "--repeats", "1", "--scales", "1"],
        capture_output=True,
        env=env,
        check=False,
    )
    assert table.returncode == 0, table.stderr
    assert "ratio at 1×" in table.stdout.decode("utf-8")


def test_bench_record_directory_is_checked_before_the_benchmark_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import bigram_ref.bench

    monkeypatch.setattr(bigram_ref.bench, "run", lambda *a, **k: pytest.fail("the benchmark ran"))
    assert main(["bench", "--record", str(tmp_path / "missing")]) == 2
    assert capsys.readouterr().err == f"error: {tmp_path / 'missing'}: expected an existing directory for --record\n"
    (tmp_path / "bench.md").mkdir()
    assert main(["bench", "--record", str(tmp_path)]) == 2
    assert "bench.md: is a directory, expected a file path for --record" in capsys.readouterr().err


@pytest.mark.parametrize("unbuffered", ["", "1"])
@pytest.mark.parametrize(
    ("args", "first_line"),
    [
        (["train", "--steps", "10000", "--every", "1"], "5,163 words"),
        (["sample", "-n", "100000"], "ma"),  # one large write: with PYTHONUNBUFFERED it used to end with 0
    ],
)
def test_a_closed_pipe_ends_quietly(script: str, args: list[str], first_line: str, unbuffered: str) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": unbuffered}
    with subprocess.Popen([script, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        proc.stdout.close()  # like `| head -1`
        status = proc.wait(timeout=300)
        err = proc.stderr.read()
    assert first.decode().startswith(first_line)
    assert status == 141
    assert err == b""


def test_ctrl_c_exits_130(script: str) -> None:
    with subprocess.Popen(
        [script, "train", "--steps", "10000", "--every", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.readline()  # running: the corpus is read and the header printed
        proc.send_signal(signal.SIGINT)
        status = proc.wait(timeout=300)
        err = proc.stderr.read()
    assert status == 130
    assert err == b"error: interrupted\n"


def limit_file_size() -> None:
    """In the child: files may not grow past 1 KiB, and exceeding it is an error (EFBIG), not a signal."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))


def test_a_failing_write_names_the_path_and_leaves_the_old_file(run_script: RunScript, tmp_path: Path) -> None:
    target = tmp_path / "samples.txt"
    target.write_text("old\n")
    out = run_script("sample", "-n", "5000", "--out", str(target), preexec_fn=limit_file_size)
    assert error_line(out) == f"error: {target}: File too large"
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["samples.txt"]


def limit_memory() -> None:
    """In the child: at most 1.5 GiB of address space, so that a 3 GiB matrix cannot be allocated."""
    resource.setrlimit(resource.RLIMIT_AS, (3 << 29, 3 << 29))


def test_running_out_of_memory_is_an_error(run_script: RunScript, tmp_path: Path) -> None:
    corpus = tmp_path / "wide.txt"
    corpus.write_text("".join(chr(0x4E00 + k) for k in range(8_000)) + "\n", encoding="utf-8")  # V = 8,001
    out = run_script("train", "--corpus", str(corpus), "--steps", "1", preexec_fn=limit_memory)
    assert error_line(out).startswith("error: out of memory: Unable to allocate")


def test_a_vocabulary_above_the_cap_is_refused_before_anything_is_allocated(
    run_script: RunScript, tmp_path: Path
) -> None:
    corpus = tmp_path / "wider.txt"
    corpus.write_text("".join(chr(0x4E00 + k) for k in range(20_000)) + "\n", encoding="utf-8")  # V = 20,001
    cap = (
        ": expected at most 8,192 symbols, got 20,001 (each (V, V) float64 matrix takes V² · 8 bytes,"
        " 2.98 GiB here, and a model holds several)"
    )
    for command in ("stats", "sample", "train"):  # the message names the file
        out = run_script(command, "--corpus", str(corpus), preexec_fn=limit_memory)
        assert error_line(out) == f"error: {corpus}{cap}", command
    out = run_script("stats", "--corpus", "-", input=corpus.read_text(encoding="utf-8"), preexec_fn=limit_memory)
    assert error_line(out) == f"error: standard input{cap}"
    out = run_script("bench", env={**os.environ, "BIGRAM_REF_NAMES": str(corpus)})  # before any timing
    assert error_line(out) == f"error: BIGRAM_REF_NAMES={corpus}{cap}"


def test_a_path_with_control_characters_is_shown_on_one_line(run_script: RunScript, tmp_path: Path) -> None:
    for name, shown in [("no\nsuch", "no\\nsuch"), ("\x1b[31mred", "\\x1b[31mred"), ("a\rerror: b", "a\\rerror: b")]:
        out = run_script("stats", "--corpus", str(tmp_path / name))
        assert error_line(out) == f"error: {tmp_path}/{shown}: no such file", name


def test_an_integer_option_of_thousands_of_digits_is_out_of_range(run_script: RunScript) -> None:
    huge = "9" * 5000  # more digits than Python converts by default
    out = run_script("sample", "-n", huge)
    assert error_line(out) == "error: -n: expected an int from 0 to 1,000,000, got " + "9" * 39 + "…"
    out = run_script("bench", "--scales", f"1,{huge}")
    assert error_line(out) == "error: --scales: expected an int from 1 to 100, got " + "9" * 39 + "…"
    out = run_script("bench", "--scales", "2,1,2")
    assert error_line(out) == "error: --scales: expected each scale once, got '2,1,2'"


def test_a_huge_alpha_in_training_is_named_before_any_output(run_script: RunScript, tmp_path: Path) -> None:
    corpus = tmp_path / "alphabet.txt"
    corpus.write_text("abcdefghijklmnopqrstuvwxyz\n", encoding="utf-8")  # V = 27: 1e305 · 27² · log 27 > 1.8e308
    out = run_script("train", "--corpus", str(corpus), "--alpha", "1e305", "--steps", "3")
    assert error_line(out) == (
        "error: --alpha: too large, the penalty alpha · Σ −log p over all the (V, V) pairs would overflow"
        " (alpha = 1e+305)"
    )


def test_out_dash_is_standard_output(run_script: RunScript, tmp_path: Path) -> None:
    out = run_script("sample", "-n", "3", "--out", "-", cwd=tmp_path)
    assert out.returncode == 0 and len(out.stdout.splitlines()) == 3
    assert list(tmp_path.iterdir()) == []  # no file named -


def test_names_from_the_environment_cannot_be_standard_input(run_script: RunScript) -> None:
    out = run_script("bench", env={**os.environ, "BIGRAM_REF_NAMES": "-"})
    assert error_line(out) == (
        "error: BIGRAM_REF_NAMES=-: expected the path of a file (read standard input with --corpus -)"
    )


def test_bench_running_out_of_memory_in_torch_is_an_error(run_script: RunScript, tmp_path: Path) -> None:
    """torch's allocator raises RuntimeError, not MemoryError: 100 × 31,310 bigrams with V = 1,001 need
    (3,131,000, 1,001) float32 logits, 12.5 GB, in the row-lookup step (the loops and the one-hot are skipped)."""
    corpus = tmp_path / "wide.txt"
    chars = "".join(chr(0x4E00 + k) for k in range(1000))
    words = [chars[100 * (j % 10) : 100 * (j % 10) + 100] for j in range(310)]  # 310 words of 100: 31,310 bigrams
    corpus.write_text("".join(w + "\n" for w in words), encoding="utf-8")
    out = run_script("bench", "--corpus", str(corpus), "--scales", "100", "--repeats", "1", preexec_fn=limit_memory)
    assert error_line(out).startswith("error: out of memory: DefaultCPUAllocator: ")
    assert "allocate" in out.stderr and "enforce fail" not in out.stderr


def test_only_an_allocation_failure_is_reported_as_out_of_memory(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import bigram_ref.bench

    failure = (
        "[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't allocate memory: you tried to"
        " allocate 739193040 bytes. Error code 12 (Cannot allocate memory)"
    )

    def fail(message: str) -> Callable[..., object]:
        def run(*args: object, **kwargs: object) -> object:
            raise RuntimeError(message)

        return run

    monkeypatch.setattr(bigram_ref.bench, "run", fail(failure))
    assert main(["bench"]) == 2
    assert capsys.readouterr().err == (
        "error: out of memory: DefaultCPUAllocator: can't allocate memory: you tried to allocate 739193040 bytes."
        " Error code 12 (Cannot allocate memory)\n"
    )
    monkeypatch.setattr(bigram_ref.bench, "run", fail("mat1 and mat2 shapes cannot be multiplied"))
    with pytest.raises(RuntimeError, match="shapes cannot be multiplied"):  # a bug: its traceback is kept
        main(["bench"])


def test_any_other_exception_is_a_bug_and_keeps_its_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def buggy(args: object) -> int:
        raise ValueError("an internal bug, not the user's fault")

    monkeypatch.setattr(cli, "cmd_stats", buggy)
    with pytest.raises(ValueError, match="internal bug"):
        main(["stats"])


def test_an_empty_sampled_word_is_printed_visibly(run_script: RunScript, tmp_path: Path) -> None:
    corpus = tmp_path / "a.txt"
    corpus.write_text("a\n")  # with alpha = 1, '.' follows '.' a third of the time: many empty words
    out = run_script("sample", "--corpus", str(corpus), "-n", "60", "--seed", "0")
    lines = out.stdout.split("\n")
    assert lines[-1] == "" and len(lines) == 61
    assert all(lines[:60])  # 60 non-blank lines
    assert "." in lines
    assert set("".join(lines)) <= {".", "a"}


@pytest.mark.parametrize("V", [2, 10, 27, 60, 100])
def test_gradcheck_passes_at_every_size_and_seed(V: int, capsys: pytest.CaptureFixture[str]) -> None:
    for seed in range(5):
        assert main(["gradcheck", "--vocab-size", str(V), "--batch", "4", "--seed", str(seed)]) == 0
        assert capsys.readouterr().out.rstrip().endswith(": ok")


def test_out_through_a_symlink_keeps_the_link_and_the_mode(run_script: RunScript, tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_text("old\n")
    real.chmod(0o644)
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    out = run_script("sample", "-n", "3", "--out", str(link))
    assert out.returncode == 0, out.stderr
    assert link.is_symlink()
    assert len(real.read_text().splitlines()) == 3
    assert real.stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.txt", "real.txt"]


def no_write_permission(monkeypatch: pytest.MonkeyPatch) -> None:
    """``os.access`` as for a user who is not root: the owner's write bit decides (root may write anything)."""
    real_access = os.access

    def access(path: object, mode: int, **kwargs: Any) -> bool:
        if mode & os.W_OK and not os.stat(path).st_mode & 0o200:  # type: ignore[arg-type]
            return False
        return real_access(path, mode, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", access)


def no_counting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any sampling that starts fails the test: the path must be refused before the work."""
    monkeypatch.setattr(cli, "count_corpus", lambda *a: pytest.fail("the corpus was counted before the path check"))


def test_a_read_only_output_file_is_refused_not_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "ro.txt"
    target.write_text("old\n")
    target.chmod(0o444)
    no_write_permission(monkeypatch)
    no_counting(monkeypatch)
    assert main(["sample", "--out", str(target)]) == 2
    assert capsys.readouterr().err == f"error: {target}: Permission denied\n"
    assert target.read_text() == "old\n"


def test_a_read_only_folder_is_refused_before_the_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import bigram_ref.bench

    folder = tmp_path / "rodir"
    folder.mkdir()
    folder.chmod(0o555)
    no_write_permission(monkeypatch)
    no_counting(monkeypatch)
    monkeypatch.setattr(bigram_ref.bench, "run", lambda *a, **k: pytest.fail("the benchmark ran"))
    assert main(["sample", "--out", str(folder / "x.txt")]) == 2
    denied = f"Permission denied (cannot create files in {folder})"
    assert capsys.readouterr().err == f"error: {folder / 'x.txt'}: {denied}\n"
    assert main(["bench", "--record", str(folder)]) == 2
    assert capsys.readouterr().err == f"error: {folder / 'bench.json'}: {denied}\n"
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("newdir/", "newdir/: names a directory (it ends in /, . or ..), expected a file path for --out"),
        ("file.txt/x.txt", "file.txt/x.txt: {folder}/file.txt is not a directory"),
        ("loop", "loop: a loop of symbolic links, expected a file path for --out"),
        ("missing/x.txt", "missing/x.txt: the directory {folder}/missing does not exist"),
    ],
)
def test_bad_out_paths_are_refused_by_their_given_name_before_the_work(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    given: str,
    message: str,
) -> None:
    (tmp_path / "file.txt").write_text("old\n")
    (tmp_path / "loop").symlink_to("loop")
    monkeypatch.chdir(tmp_path)
    no_counting(monkeypatch)
    assert main(["sample", "--out", given]) == 2
    assert capsys.readouterr().err == f"error: {message.format(folder=tmp_path)}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt", "loop"]  # no newdir file made


@pytest.mark.parametrize("args", [["stats"], ["sample", "-n", "100000"], ["gradcheck"], ["--help"], ["bench", "-h"]])
def test_a_full_standard_output_is_named(script: str, args: list[str]) -> None:
    """`bigram-ref stats > /dev/full`: the error says it is standard output that failed, once."""
    with open("/dev/full", "wb") as full:
        out = subprocess.run([script, *args], stdout=full, stderr=subprocess.PIPE, text=True, check=False)
    assert out.returncode == 2
    assert out.stderr == "error: standard output: No space left on device\n"


def test_a_too_long_out_name_is_refused_by_the_given_name(run_script: RunScript, tmp_path: Path) -> None:
    name = "x" * 300
    out = run_script("sample", "--out", name, cwd=tmp_path)
    assert error_line(out) == (
        f"error: {name}: the path or a name in it is too long for the file system, expected a file path for --out"
    )
    record = run_script("bench", "--record", name, cwd=tmp_path)
    assert error_line(record) == f"error: {name}: File name too long"  # the system's reason, the given name
    assert list(tmp_path.iterdir()) == []


def test_out_in_a_folder_where_no_file_can_be_made_says_so_before_the_work(run_script: RunScript) -> None:
    """`--out /proc/version` said "No such file or directory" after the work (root may try to replace it)."""
    out = run_script("sample", "-n", "1000000", "--out", "/proc/version")
    if os.geteuid() == 0:
        reason = "the file system does not allow new files (cannot create files in /proc)"
    else:  # a user may not write /proc/version at all
        reason = "Permission denied"
    assert error_line(out) == f"error: /proc/version: {reason}"


def test_file_names_that_are_not_utf8_are_shown_with_escaped_bytes(script: str, tmp_path: Path) -> None:
    folder = os.fsencode(tmp_path)
    missing = subprocess.run(
        [script, "stats", "--corpus", folder + b"/caf\xe9.txt"], capture_output=True, text=True, check=False
    )
    assert error_line(missing) == f"error: {tmp_path}/caf\\xe9.txt: no such file"
    (tmp_path / os.fsdecode(b"\xff.txt")).write_text("emma\nava\n")
    bench = subprocess.run(
        [script, "bench", "--corpus", folder + b"/\xff.txt", "--scales", "1", "--repeats", "1"],
        capture_output=True,
        check=False,
    )
    assert bench.returncode == 0, bench.stderr  # printing the name used to raise UnicodeEncodeError
    assert "- corpus: \\xff.txt (2 words)" in bench.stdout.decode("utf-8").splitlines()


def test_no_negative_zero_is_printed(run_script: RunScript, tmp_path: Path) -> None:
    """With alpha > 0 the data's NLL can end a hair below the smoothed optimum: the gap was -0.000000."""
    corpus = tmp_path / "a.txt"
    corpus.write_text("a\n")
    out = run_script("train", "--corpus", str(corpus), "--alpha", "0.5", "--lr", "1", "--steps", "100", "--every", "1")
    assert out.returncode == 0, out.stderr
    rows = [line.split() for line in out.stdout.splitlines()[2:]]
    assert rows[79] == ["79", "0.287682", "0.000000"]  # the gap is -5.6e-17 here: it printed -0.000000
    assert "-0.0" not in out.stdout


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["stats", "--corpus", "a\x00b"], r"error: --corpus: the path 'a\x00b' contains a NUL byte"),
        (["sample", "-n", "1", "--out", "a\x00b"], r"error: --out: the path 'a\x00b' contains a NUL byte"),
        (["bench", "--record", "a\x00b"], r"error: --record: the path 'a\x00b' contains a NUL byte"),
        (
            ["sample", "-n", "1", "--out", "\ud800.txt"],
            r"error: --out: the path '\ud800.txt' contains '\ud800' (U+D800), a lone surrogate",
        ),
    ],
)
def test_a_path_no_file_name_can_hold_is_one_error_naming_its_option(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    """Only Python can pass these (a command line holds no NUL, and its bytes give no lone U+D800)."""
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "\x00" not in err and "\ud800" not in err  # shown escaped, never raw
    assert err == f"{message}, which no file name can hold\n"


INTEGER_OPTIONS = [
    ("sample", "-n"),
    ("sample", "--seed"),
    ("train", "--steps"),
    ("train", "--every"),
    ("train", "--seed"),
    ("gradcheck", "--vocab-size"),
    ("gradcheck", "--batch"),
    ("gradcheck", "--seed"),
    ("bench", "--repeats"),
]


def test_every_integer_and_real_option_uses_the_shared_type() -> None:
    """Every option parses with _integer or _real, never bare int or float (which take 1_0, ٣ and ' 5')."""
    kinds = {}
    for command, sub in cli.build_parser()._subparsers._group_actions[0].choices.items():  # type: ignore[union-attr]
        for action in sub._actions:
            if action.type is not None:
                kinds[command, action.option_strings[-1]] = action.type
    assert {k for k, t in kinds.items() if t is cli._integer} == set(INTEGER_OPTIONS)
    assert {k for k, t in kinds.items() if t is cli._real} == {
        ("sample", "--alpha"),
        ("train", "--lr"),
        ("train", "--alpha"),
    }


@pytest.mark.parametrize(("command", "option"), INTEGER_OPTIONS)
def test_integer_options_take_plain_ascii_digits_only(run_script: RunScript, command: str, option: str) -> None:
    out = run_script(command, option, "1_0")
    assert out.returncode == 2 and out.stdout == "" and "Traceback" not in out.stderr
    assert out.stderr.splitlines()[-1] == (
        f"bigram-ref {command}: error: argument {option}: expected an integer in ASCII digits, got '1_0'"
    )


@pytest.mark.parametrize("value", ["1_0", "\u0663", " 5", "5 ", "+5", "0x5", "5.0", ""])
def test_minus_n_refuses_what_int_would_take(run_script: RunScript, value: str) -> None:
    out = run_script("sample", "-n", value)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.splitlines()[-1] == (
        f"bigram-ref sample: error: argument -n: expected an integer in ASCII digits, got {value!r}"
    )


@pytest.mark.parametrize("option", ["--lr", "--alpha"])
@pytest.mark.parametrize("value", ["1_0", "\u0663", " 5", "5 ", "0.\u0665", "ten"])
def test_real_options_refuse_what_only_float_would_take(run_script: RunScript, option: str, value: str) -> None:
    out = run_script("train", option, value)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.splitlines()[-1] == (
        f"bigram-ref train: error: argument {option}: expected a number such as 0.5 or 1e-3, got {value!r}"
    )


def test_numbers_in_ascii_are_read_and_out_of_range_ones_reach_the_range_checks(
    run_script: RunScript, tmp_path: Path
) -> None:
    """No false alarm: digits (a leading 0 too), exponents and - are read; inf, nan and -3 are refused by range."""
    out = run_script("sample", "-n", "007", "--seed", "0012", "--alpha", "1.5E-1", "--out", str(tmp_path / "s.txt"))
    assert out.returncode == 0, out.stderr
    assert len((tmp_path / "s.txt").read_text(encoding="utf-8").splitlines()) == 7
    assert error_line(run_script("sample", "-n", "-3")) == "error: -n: expected an int from 0 to 1,000,000, got -3"
    assert error_line(run_script("train", "--lr", "inf")) == "error: --lr: expected a finite number > 0, got inf"
    assert error_line(run_script("train", "--lr", "NaN")) == "error: --lr: expected a finite number > 0, got nan"
    assert error_line(run_script("sample", "--alpha=-1e-3")) == (
        "error: --alpha: expected a finite number >= 0, got -0.001"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["bench", "--repeats", "100000000"], "error: --repeats: expected an int from 1 to 100, got 100000000"),
        (["bench", "--repeats", "101"], "error: --repeats: expected an int from 1 to 100, got 101"),
        (["train", "--steps", "10001"], "error: --steps: expected an int from 0 to 10,000, got 10001"),
    ],
)
def test_repeats_and_steps_above_their_maximum_are_refused_before_any_work(
    run_script: RunScript, args: list[str], message: str
) -> None:
    out = run_script(*args, timeout=60)
    assert out.stdout == ""
    assert error_line(out) == message


def test_the_maximum_repeats_and_steps_themselves_are_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    """No false alarm at the limits: the options pass their checks and the work starts (stopped at once here)."""

    def stop(corpus: object) -> list[str]:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_words", stop)
    assert main(["bench", "--repeats", str(cli.BENCH_MAX_REPEATS), "--corpus", "x.txt"]) == 130
    assert main(["train", "--steps", str(cli.TRAIN_MAX_STEPS)]) == 130


def test_help_states_the_largest_repeats_and_steps_and_why(run_script: RunScript) -> None:
    bench = " ".join(run_script("bench", "--help").stdout.split())
    assert "(default 5, at most 100: each run times every scale, and a median of more changes no ratio)" in bench
    train = " ".join(run_script("train", "--help").stdout.split())
    assert (
        "(default 100, at most 10,000: each is a pass over every bigram, so that many take tens of minutes on the"
        " lecture's names, and the gap to the optimum stops moving long before)"
    ) in train


@pytest.mark.parametrize("option", ["--scales", "--record", "--corpus", "--repeats"])
def test_dashes_as_an_options_value_are_named(run_script: RunScript, option: str) -> None:
    """Python's argparse drops the -- of --scales=-- and passes []: it used to crash in cmd_bench."""
    out = run_script("bench", f"{option}=--")
    assert error_line(out) == f"error: {option}=--: argparse reads -- as the end of the options, never as a value"
    out = run_script("sample", "--out=--")
    assert error_line(out) == "error: --out=--: argparse reads -- as the end of the options, never as a value"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sample", "--alpha", "-inf"], "error: --alpha: expected a finite number >= 0, got -inf"),
        (["train", "--lr", "-1e3"], "error: --lr: expected a finite number > 0, got -1000.0"),
        (["bench", "--scales", "1,-1"], "error: --scales: expected an int from 1 to 100, got -1"),
        (["bench", "--scales", "1,\t2"], "error: --scales: expected comma-separated integers, got '1,\\t2'"),
        (["gradcheck", "--vocab-size", "1"], "error: --vocab-size: expected an int from 2 to 200, got 1"),
    ],
)
def test_negative_values_spaces_and_a_check_of_nothing_are_named(
    run_script: RunScript, args: list[str], message: str
) -> None:
    assert error_line(run_script(*args)) == message


def test_a_standard_error_that_cannot_be_written_keeps_the_exit_status(script: str) -> None:
    with open("/dev/full", "wb") as full:
        out = subprocess.run([script, "stats", "--corpus", "nope"], stderr=full, stdout=subprocess.PIPE, check=False)
    assert out.returncode == 2 and out.stdout == b""


def test_the_error_line_is_utf8_whatever_the_locale_says(script: str) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "LC_ALL": "C"}
    out = subprocess.run([script, "stats", "--corpus", "café.txt"], capture_output=True, env=env, check=False)
    assert out.stderr.decode("utf-8") == "error: café.txt: no such file\n"  # not caf\xe9, the escape of a bad byte
