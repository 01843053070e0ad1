"""bigram_ref.bench: every timed method computes the same thing (speed itself is never asserted)."""

import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from bigram_ref import InputError, Vocab, bigrams, count_matrix, grad_weights
from bigram_ref.bench import COUNTING, format_table, run, step_counts, step_lookup, step_onehot
from bigram_ref.cli import main
from bigram_ref.torch_twin import lecture_loss

WORDS = ["emma", "olivia", "ava", "isabella", "sophia", "mia", "amelia", "ella", "lea", "zoe"]


@pytest.fixture(scope="module")
def data() -> tuple[Vocab, np.ndarray, np.ndarray]:
    vocab = Vocab.from_words(WORDS)
    xs, ys = bigrams(WORDS, vocab)
    return vocab, xs, ys


def test_every_counting_method_gives_the_same_counts(data: tuple[Vocab, np.ndarray, np.ndarray]) -> None:
    vocab, xs, ys = data
    expected = count_matrix(xs, ys, vocab.size)
    for name, fn in COUNTING.items():
        assert np.array_equal(fn(xs, ys, vocab.size), expected), name


def test_every_step_gives_the_same_update(data: tuple[Vocab, np.ndarray, np.ndarray]) -> None:
    """float32 steps (torch, as in the lecture) agree with the float64 reference to float32 rounding."""
    vocab, xs, ys = data
    W = np.random.default_rng(0).standard_normal((vocab.size, vocab.size))
    reference = W - 50.0 * grad_weights(W, xs, ys, "mean")
    Wt, x, y = torch.tensor(W, dtype=torch.float32), torch.as_tensor(xs), torch.as_tensor(ys)
    xenc = F.one_hot(x, num_classes=vocab.size).float()
    N = count_matrix(xs, ys, vocab.size)
    assert np.abs(step_onehot(Wt, xenc, y, 50.0) - reference).max() < 1e-4
    assert np.abs(step_lookup(Wt, x, y, 50.0) - reference).max() < 1e-4
    assert np.abs(step_counts(W, N, len(xs), 50.0) - reference).max() < 1e-12
    # the timed lecture step, unchecked, is lecture_loss's step exactly
    W_lecture = Wt.clone().requires_grad_(True)
    lecture_loss(W_lecture, xenc, y).backward()
    assert W_lecture.grad is not None
    assert np.array_equal(step_onehot(Wt, xenc, y, 50.0), (Wt - 50.0 * W_lecture.grad).numpy())


def test_run_reports_every_ratio_and_median() -> None:
    result = run(WORDS, repeats=1, scales=(1, 2))
    for key in (
        "count_speedup_vs_tensor_loop",
        "count_ratio_to_bincount_floor",
        "grad_speedup_vs_onehot",
        "gap_after_100_lecture",
        "gap_after_100_package",
    ):
        assert isinstance(result[key], float), key
        assert result[key] >= 0 or key.startswith("gap")
    assert result["scales"]["2"]["bigrams"] == 2 * result["scales"]["1"]["bigrams"]
    for scale in result["scales"].values():
        assert all(v > 0 for v in scale["count"].values())
        assert all(v > 0 for v in scale["step"].values())
    assert abs(result["gap_after_100_package"]) < 1e-9  # Newton from counts reaches the optimum
    assert result["gap_after_100_lecture"] > 1e-3  # the lecture's set-up does not, in 100 steps
    table = format_table(result)
    assert "count: tensor_loop" in table and "step: from_counts" in table
    json.dumps(result)  # serialisable as --json promises


def test_bench_cli_json(tmp_path: object, capsys: pytest.CaptureFixture[str]) -> None:
    from pathlib import Path

    corpus = Path(str(tmp_path)) / "w.txt"
    corpus.write_text("\n".join(WORDS))
    assert main(["bench", "--corpus", str(corpus), "--json", "--repeats", "1", "--scales", "1"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["corpus"] == corpus.name
    assert set(result["scales"]) == {"1"}


@pytest.mark.parametrize("args", [["--scales", "1,x"], ["--scales", "0"], ["--repeats", "0"]])
def test_bench_cli_bad_arguments(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", *args]) == 2
    assert capsys.readouterr().err.startswith("error: ")


def test_bench_record_writes_json_and_the_table_made_from_it(tmp_path: object) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    corpus = folder / "w.txt"
    corpus.write_text("\n".join(WORDS))
    assert main(["bench", "--corpus", str(corpus), "--repeats", "1", "--scales", "1", "--record", str(folder)]) == 0
    recorded = json.loads((folder / "bench.json").read_text())
    assert (folder / "bench.md").read_text() == format_table(recorded) + "\n"


def test_the_docs_record_is_a_real_run() -> None:
    """The timing table on the site is the benchmark's own output for its recorded JSON, not typed."""
    from pathlib import Path

    records = Path(__file__).parent.parent / "docs" / "_records"
    recorded = json.loads((records / "bench.json").read_text())
    assert (records / "bench.md").read_text() == format_table(recorded) + "\n"
    assert set(recorded["scales"]) == {"1", "10", "100"}
    assert recorded["corpus"] == "names.txt"


def test_scales_are_timed_smallest_first_and_the_ratio_column_says_which() -> None:
    """--scales 10,1 used to label a ratio "at 1x" that was measured at 10x; the JSON used the smallest."""
    result = run(WORDS, repeats=1, scales=(3, 1, 3))
    assert list(result["scales"]) == ["1", "3"]  # sorted, each once
    count = result["scales"]["1"]["count"]
    assert result["count_speedup_vs_tensor_loop"] == count["tensor_loop"] / count["package"]
    result["scales"] = {"3": result["scales"]["3"], "1": result["scales"]["1"]}  # a record listed the other way
    lines = format_table(result).splitlines()
    assert lines[0].startswith("| method | 1× (") and lines[0].endswith(" | ratio at 1× |")
    row = next(line for line in lines if line.startswith("| count: package |"))
    speedup = count["tensor_loop"] / count["package"]
    expected = f"{speedup:,.0f}×" if speedup >= 100 else f"{speedup:.3g}×"
    assert row.endswith(f" | {expected} faster |")
    result["scales"] = {"3": result["scales"]["3"]}  # only a larger scale: the column says so
    assert format_table(result).splitlines()[0].endswith(" | ratio at 3× |")


def test_the_table_never_prints_a_negative_zero() -> None:
    """A gap of -0.0 or -1e-9 (Newton lands on the optimum, to rounding) prints as 0, never -0."""
    from pathlib import Path

    records = Path(__file__).parent.parent / "docs" / "_records"
    result = json.loads((records / "bench.json").read_text())
    result.update(gap_after_100_lecture=-0.0, gap_after_100_lecture_data_nll=-1e-9, optimum_nll=-0.0)
    result["gap_after_100_package"] = -0.0
    table = format_table(result)
    assert "-0" not in table
    assert (
        "(its loss, with the L2 term; its data NLL alone: 0.0000); the package's Newton-from-counts: 0.0e+00" in table
    )


def test_the_json_never_has_a_negative_zero(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import bigram_ref.bench

    monkeypatch.setattr(bigram_ref.bench, "run", lambda *a, **k: {"gap": -0.0, "scales": {"1": {"x": [-0.0, 1.5]}}})
    monkeypatch.delenv("BIGRAM_REF_NAMES", raising=False)
    assert main(["bench", "--json"]) == 0
    printed = capsys.readouterr().out
    assert "-0" not in printed
    assert json.loads(printed) == {
        "gap": 0.0,
        "scales": {"1": {"x": [0.0, 1.5]}},
        "corpus": "embedded census first names",
    }


def test_a_slower_method_is_called_slower_and_counts_are_in_words() -> None:
    from pathlib import Path

    records = Path(__file__).parent.parent / "docs" / "_records"
    result = json.loads((records / "bench.json").read_text())
    smallest = result["scales"]["1"]["step"]
    smallest["row_lookup"] = smallest["onehot_matmul"] * 8.8  # as on a machine where the lookup lost
    result.update(words=1, repeats=1)
    table = format_table(result)
    assert "| step: row_lookup |" in table and " | 8.8× slower |" in table
    assert "(1 word)" in table and "median of 1 run" in table and "1 runs" not in table


def test_run_takes_a_generator_and_refuses_bad_scales() -> None:
    result = run((w for w in WORDS), repeats=1, scales=[1])
    assert result["words"] == len(WORDS)
    with pytest.raises(InputError, match=r"^scales: expected a list of corpus repetitions, got 5$"):
        run(WORDS, repeats=1, scales=5)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"^scales: expected an int from 1 to 100, got 1000000000$"):
        run(WORDS, repeats=1, scales=[10**9])  # refused before the corpus is repeated in memory
    with pytest.raises(InputError, match=r"^result: expected what run\(\) returns, but it has no 'scales'$"):
        format_table({})
