"""The command line: ``bigram-ref`` or ``python -m bigram_ref``.

Subcommands: ``stats``, ``sample``, ``train`` and ``gradcheck``; each has ``--help``.
Bad input ends with one line ``error: …`` on stderr (naming the file and line
where there is one) and exit status 2, never a traceback. Files written with
``--out`` appear whole or not at all.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from bigram_ref.corpus import CorpusError, Vocab, bigrams, default_words, read_words
from bigram_ref.counting import CountModel, average_nll, count_matrix, row_probabilities
from bigram_ref.gradcheck import compare, numerical_grad
from bigram_ref.neural import grad_from_counts, grad_weights, init_weights, loss, train
from bigram_ref.softmax import cross_entropy, grad_logits, softmax, softmax_jacobian

__all__ = ["main"]

GRADCHECK_RTOL = 1e-6


def _require_torch(command: str) -> None:
    """PyTorch is an optional extra: say how to get it instead of failing with an ImportError."""
    try:
        import torch  # noqa: F401
    except ImportError:
        raise ValueError(f"{command} needs PyTorch: pip install 'bigram_ref[torch]'") from None


def _words(corpus: str | None) -> list[str]:
    return default_words() if corpus is None else read_words(corpus)


def write_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all (a temporary file, then a rename)."""
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{path}: is a directory, expected a file path for --out")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise ValueError(f"{path}: the directory {parent} does not exist")
    fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def cmd_stats(args: argparse.Namespace) -> int:
    words = _words(args.corpus)
    vocab = Vocab.from_words(words)
    xs, ys = bigrams(words, vocab)  # once: the corpus may be large
    N = count_matrix(xs, ys, vocab.size)
    stats = {
        "words": len(words),
        "vocab_size": vocab.size,
        "bigrams": int(xs.size),
        "nll": average_nll(row_probabilities(N), xs, ys),
        "nll_add1": average_nll(row_probabilities(N, alpha=1.0), xs, ys),
    }
    if args.json:
        print(json.dumps(stats))
    else:
        print(f"words       {stats['words']:,}")
        print(f"vocab_size  {stats['vocab_size']}")
        print(f"bigrams     {stats['bigrams']:,}")
        print(f"nll         {stats['nll']:.6f}   (count model, no smoothing)")
        print(f"nll_add1    {stats['nll_add1']:.6f}   (count model, add-one smoothing)")
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    if args.n < 0:
        raise ValueError(f"-n: expected a count >= 0, got {args.n}")
    model = CountModel.fit(_words(args.corpus), alpha=args.alpha)
    text = "".join(w + "\n" for w in model.sample(args.n, seed=args.seed))
    if args.out is None:
        sys.stdout.write(text)
    else:
        write_atomic(args.out, text)
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    if args.steps < 0 or args.every < 1:
        raise ValueError(f"--steps and --every: expected steps >= 0 and every >= 1, got {args.steps} and {args.every}")
    words = _words(args.corpus)
    vocab = Vocab.from_words(words)
    xs, ys = bigrams(words, vocab)
    optimum = CountModel.fit(words, alpha=args.alpha).nll(words)
    W = init_weights(vocab.size, seed=args.seed)
    print(f"{len(words):,} words, {xs.size:,} bigrams; count model optimum {optimum:.6f}")
    print(f"{'step':>6}  {'nll':>9}  {'gap':>9}")
    done = 0
    while True:
        nll = loss(W, xs, ys)
        print(f"{done:>6}  {nll:9.6f}  {nll - optimum:9.6f}")
        if done >= args.steps:
            break
        chunk = min(args.every, args.steps - done)
        W = train(W, xs, ys, lr=args.lr, steps=chunk, alpha=args.alpha).W
        done += chunk
    return 0


def gradcheck_rows(V: int, n: int, seed: int) -> list[tuple[str, float, float]]:
    """(check, worst relative error vs autograd, worst relative error vs finite differences)."""
    from bigram_ref.torch_twin import autograd_grad_logits, autograd_grad_weights, autograd_jacobian

    rng = np.random.default_rng(seed)
    W = rng.standard_normal((V, V))
    xs = rng.integers(0, V, size=n)
    ys = rng.integers(0, V, size=n)
    z, y = W[xs[0]], int(ys[0])
    N = np.bincount(xs * V + ys, minlength=V * V).reshape(V, V)
    fd_logits = numerical_grad(lambda v: float(cross_entropy(v, y)), z)

    def prob(j: int) -> Callable[[np.ndarray], float]:
        return lambda v: float(softmax(v)[j])

    fd_jac = np.stack([numerical_grad(prob(j), z) for j in range(V)])  # row j: ∂p_j/∂z
    rows = []
    for name, manual, auto, fd in [
        ("dL/dz = p - t", grad_logits(z, y), autograd_grad_logits(z, y), fd_logits),
        ("softmax Jacobian", softmax_jacobian(z), autograd_jacobian(z), fd_jac),
        (
            "dL/dW (sum)",
            grad_weights(W, xs, ys, "sum"),
            autograd_grad_weights(W, xs, ys, "sum"),
            numerical_grad(lambda w: loss(w, xs, ys, "sum"), W),
        ),
        (
            "dL/dW (mean)",
            grad_weights(W, xs, ys, "mean"),
            autograd_grad_weights(W, xs, ys, "mean"),
            numerical_grad(lambda w: loss(w, xs, ys, "mean"), W),
        ),
        (
            "dL/dW from counts",
            grad_from_counts(W, N),
            autograd_grad_weights(W, xs, ys, "sum"),
            numerical_grad(lambda w: loss(w, xs, ys, "sum"), W),
        ),
    ]:
        rows.append((name, compare(manual, auto).max_rel, compare(manual, fd).max_rel))
    return rows


def cmd_gradcheck(args: argparse.Namespace) -> int:
    _require_torch("gradcheck")
    if args.vocab_size < 1 or args.batch < 1:
        raise ValueError(f"--vocab-size and --batch: expected >= 1, got {args.vocab_size} and {args.batch}")
    rows = gradcheck_rows(args.vocab_size, args.batch, args.seed)
    print(f"{'check':<20} {'vs autograd':>12} {'vs finite diff':>15}")
    for name, auto, fd in rows:
        print(f"{name:<20} {auto:12.2e} {fd:15.2e}")
    worst = max(max(a, f) for _, a, f in rows)
    verdict = "ok" if worst <= GRADCHECK_RTOL else "FAILED"
    print(f"worst relative error {worst:.2e} (tolerance {GRADCHECK_RTOL:.0e}): {verdict}")
    return 0 if worst <= GRADCHECK_RTOL else 1


def cmd_bench(args: argparse.Namespace) -> int:
    _require_torch("bench")
    from bigram_ref.bench import format_table, run

    try:
        scales = tuple(int(k) for k in args.scales.split(","))
    except ValueError:
        raise ValueError(f"--scales: expected comma-separated integers, got {args.scales!r}") from None
    corpus = args.corpus or os.environ.get("BIGRAM_REF_NAMES") or None
    words = _words(corpus)
    result = run(words, repeats=args.repeats, scales=scales)
    result["corpus"] = Path(corpus).name if corpus else "embedded census first names"
    if args.record is not None:
        record = Path(args.record)
        write_atomic(record / "bench.json", json.dumps(result, indent=1) + "\n")
        write_atomic(record / "bench.md", format_table(result) + "\n")
    if args.json:
        print(json.dumps(result))
    else:
        print(format_table(result))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bigram-ref", description="The character bigram model, counted and trained, with checked gradients."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    corpus_help = "a UTF-8 text file, one word per line (default: the embedded census first names)"

    p = sub.add_parser("stats", help="corpus size and the count model's average NLL")
    p.add_argument("--corpus", metavar="FILE", help=corpus_help)
    p.add_argument(
        "--json", action="store_true", help="print one JSON object: words, vocab_size, bigrams, nll, nll_add1"
    )
    p.set_defaults(run=cmd_stats)

    p = sub.add_parser("sample", help="draw words from the count model")
    p.add_argument("--corpus", metavar="FILE", help=corpus_help)
    p.add_argument("-n", type=int, default=10, help="how many words (default 10)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--alpha", type=float, default=1.0, help="add-alpha smoothing (default 1)")
    p.add_argument("--out", metavar="FILE", help="write the words here (whole or not at all) instead of stdout")
    p.set_defaults(run=cmd_sample)

    p = sub.add_parser("train", help="train the neural model by gradient descent; print loss and gap to the optimum")
    p.add_argument("--corpus", metavar="FILE", help=corpus_help)
    p.add_argument("--steps", type=int, default=100, help="full-batch steps (default 100)")
    p.add_argument("--lr", type=float, default=50.0, help="learning rate on the mean loss (default 50)")
    p.add_argument("--alpha", type=float, default=0.0, help="uniform-target penalty = add-alpha smoothing (default 0)")
    p.add_argument("--seed", type=int, default=0, help="seed of the initial W (default 0)")
    p.add_argument("--every", type=int, default=10, help="print every this many steps (default 10)")
    p.set_defaults(run=cmd_train)

    p = sub.add_parser("gradcheck", help="manual backward vs autograd vs finite differences")
    p.add_argument("--vocab-size", type=int, default=6, help="V of the random check (default 6)")
    p.add_argument("--batch", type=int, default=16, help="examples in the random batch (default 16)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.set_defaults(run=cmd_gradcheck)

    p = sub.add_parser("bench", help="time counting, gradient steps and convergence, as ratios from one run")
    p.add_argument(
        "--corpus", metavar="FILE", help=corpus_help.replace("(default:", "(default: $BIGRAM_REF_NAMES, else")
    )
    p.add_argument("--json", action="store_true", help="print one JSON object with the ratios and raw medians")
    p.add_argument("--repeats", type=int, default=5, help="timed runs per method; the median is reported (default 5)")
    p.add_argument("--scales", default="1,10,100", help="corpus repetitions to time (default 1,10,100)")
    p.add_argument("--record", metavar="DIR", help="also write bench.json and bench.md (the table) into DIR")
    p.set_defaults(run=cmd_bench)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (2 for bad input)."""
    args = build_parser().parse_args(argv)
    try:
        status: int = args.run(args)
    except (CorpusError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    return status
