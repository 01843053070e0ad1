"""The command line: ``bigram-ref`` or ``python -m bigram_ref``.

Subcommands: ``stats``, ``sample``, ``train``, ``gradcheck`` and ``bench``; each has ``--help``.
``--corpus -`` reads the word list from standard input, and ``sample --out -`` writes to standard
output, as ``sample`` does without ``--out``; ``sample`` ends a word at 100 characters, as
:meth:`~bigram_ref.counting.CountModel.sample` does by default. Every option is checked before
anything is printed or computed. The user's mistakes — a bad option, corpus or path
(:class:`~bigram_ref.validate.InputError`), a file or a standard output that cannot be
written (:class:`OSError`; ``> /dev/full`` is reported as ``standard output: No space left on
device``), not enough memory (:class:`MemoryError`, or PyTorch's allocator failing) — end
with one line ``error: …`` on stderr and exit status 2; any other exception is a bug and
keeps its traceback. A path whose bytes are not UTF-8 is shown with those bytes escaped
(``\\xff``), never as the surrogates Python decodes them to, and a character that cannot be
printed on the line (a newline, a terminal's escape) as its escape (``\\n``, ``\\x1b``). An
interrupt (Ctrl-C) exits with 130 (one in the first moment, while Python is still loading
NumPy, is Python's own: a traceback, and the exit of a process killed by ``SIGINT``); a
reader of standard output that goes away (``… | head``) ends the command quietly with 141, as
if killed by ``SIGPIPE``, while a standard output (or input, for ``--corpus -``)
that is closed from the start (a shell's ``>&-``, ``<&-``) is an error, while a standard error
that cannot be written loses the ``error:`` line but not the exit status. Standard output and
the ``error:`` line are UTF-8 whatever the locale or ``PYTHONIOENCODING`` says, like the corpus and the files written
with ``--out`` or ``--record``, which appear whole or not at all (:mod:`bigram_ref.files`).
No number is printed as ``-0``. Integer options are read in ASCII digits only, and real ones
as :class:`float` reads ASCII text without ``_`` or spaces, so ``-n 1_0``, ``-n ٣`` or
``--lr " 5"`` are refused by argparse like ``-n ten``; ``--lr -inf`` or ``--lr -1e3`` give the
option that value (refused by its range), and ``--out=--``, which argparse would turn into no
value at all, is refused by name. A path that no file name can hold (a
NUL byte, or a lone surrogate, given from Python) is an error naming its option.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import itertools
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bigram_ref import validate
from bigram_ref.corpus import BOUNDARY, Vocab, bigrams, default_words
from bigram_ref.counting import CountModel, count_corpus, count_matrix
from bigram_ref.files import check_target, path_text, write_text, write_texts
from bigram_ref.neural import descend, init_weights, loss
from bigram_ref.validate import InputError
from bigram_ref.wordfile import iter_words

__all__ = [
    "BENCH_MAX_REPEATS",
    "BENCH_MAX_SCALE",
    "GRADCHECK_LIMITS",
    "GRADCHECK_RTOL",
    "TRAIN_MAX_STEPS",
    "main",
]

GRADCHECK_RTOL = 1e-6
GRADCHECK_LIMITS = {"--vocab-size": validate.MAX_CHECK, "--batch": validate.MAX_CHECK}
"""The largest random check allowed, since its finite differences take 2·V² evaluations of the loss,
each of which reads all of the (V, V) matrix W, so the time grows towards V⁴ (``gradcheck --help``)."""

BENCH_MAX_SCALE = validate.MAX_SCALE
"""The most corpus repetitions ``bench --scales`` takes (:data:`~bigram_ref.validate.MAX_SCALE`)."""

BENCH_MAX_REPEATS = 100
"""The most timed runs per method that ``bench --repeats`` takes. Each is a full run at every scale (seconds
at 100 × the lecture's names), and a median of more runs than this changes no ratio worth reporting."""

TRAIN_MAX_STEPS = 10_000
"""The most gradient steps that ``train --steps`` takes. Each is a full pass over every bigram of the corpus,
so that many steps on the lecture's names take tens of minutes, and the gap to the count model's
optimum has stopped changing long before."""

SAMPLE_MAX_WORDS = 1_000_000  # sampled words are held in memory until written whole

_DIGITS = re.compile(r"[0-9]+")  # ASCII digits only: int() would also take 1_0, ' 5', +5 or ٣
_NEGATIVE = re.compile(r"^-(inf|infinity|nan|([0-9]+\.?[0-9]*|\.[0-9]+)(e[-+]?[0-9]+)?)$", re.IGNORECASE)
_DASHES_AS_VALUE = re.compile(r"^(-[^=]+)=--$")  # --out=--: argparse drops the -- and passes []


def _integer(text: str) -> int:
    """The argparse type of every integer option: ASCII digits, with a ``-`` that the option's range refuses."""
    if not _DIGITS.fullmatch(text.removeprefix("-")):
        raise argparse.ArgumentTypeError(f"expected an integer in ASCII digits, got {validate.shown(text)}")
    return _whole(text)


def _whole(digits: str) -> int:
    """``int(digits)`` however many digits there are: Python refuses more than 4,300 by default (a guard
    against slow conversions, which the 128 KiB limit on one command-line argument makes needless), and
    the option's range, not a ValueError, should name a number too large."""
    limit = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        return int(digits)
    finally:
        sys.set_int_max_str_digits(limit)


def _real(text: str) -> float:
    """The argparse type of every real option: what :class:`float` reads, but only in ASCII and with no ``_``
    or spaces (``1_0``, ``٣`` or `` 5`` are refused); ``inf`` and ``nan`` reach the option's range check."""
    try:
        if text.isascii() and "_" not in text and text == text.strip():
            return float(text)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"expected a number such as 0.5 or 1e-3, got {validate.shown(text)}")


def _require_torch(command: str) -> None:
    """PyTorch is an optional extra: say how to get it instead of failing with an ImportError; and if it is
    installed but cannot be loaded (not enough memory to map its libraries), say that, with the reason."""
    if importlib.util.find_spec("torch") is None:
        raise InputError(
            f"{command} needs PyTorch: pip install torch (the tested version is pinned in constraints.txt)"
        )
    try:
        import torch  # noqa: F401
    except (ImportError, OSError) as exc:
        raise InputError(f"{command} needs PyTorch, which is installed but could not be loaded: {exc}") from None


def _shown(text: str) -> str:
    """``text`` as it can be printed on one line: bytes of a file name that are not UTF-8 (which Python
    decodes to lone surrogates, ``\\udcff``) are shown as ``\\xff``, and a character that is not
    printable (a newline, a carriage return, a terminal's escape) as its escape, such as ``\\n``."""
    with contextlib.suppress(UnicodeEncodeError):  # a surrogate that no file name's byte gives: escaped below
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def _chunks(corpus: str | None) -> Iterable[list[str]]:
    """The corpus streamed a chunk at a time: the file, standard input (``-``), or the embedded names."""
    if corpus is None:
        return [default_words()]
    if corpus == "":
        raise InputError("--corpus: the path is empty, expected a text file of words or - for standard input")
    if corpus != "-":
        return iter_words(path_text(corpus, "--corpus"))
    if sys.stdin is None:
        raise InputError("--corpus -: standard input is closed, so there are no words to read")
    return iter_words(sys.stdin.buffer)


def _words(corpus: str | None) -> list[str]:
    return [w for chunk in _chunks(corpus) for w in chunk]


def _source(corpus: str | None) -> str:
    """The corpus as an error names it: the file, standard input or the embedded names."""
    return "the embedded names" if corpus is None else "standard input" if corpus == "-" else corpus


def _count_model(vocab: Vocab, N: NDArray[np.int64], alpha: float) -> CountModel:
    """The count model, with a too large ``alpha`` reported under the option's name, ``--alpha``."""
    with _alpha_as_option():
        return CountModel.from_counts(vocab, N, alpha=alpha)


@contextlib.contextmanager
def _alpha_as_option() -> Iterator[None]:
    """The library names its argument ``alpha``; here the user typed ``--alpha``."""
    try:
        yield
    except InputError as exc:
        if str(exc).startswith("alpha: "):
            raise InputError(f"--{exc}") from None
        raise


def _write(text: str) -> None:
    """Write ``text`` to standard output in UTF-8, all of it.

    A short write is finished here: with ``PYTHONUNBUFFERED`` set, ``sys.stdout`` writes to
    the file descriptor directly and would drop the rest of a large text silently, so a
    reader that goes away would never be noticed.
    """
    out = sys.stdout
    buffer = getattr(out, "buffer", None)
    with _standard_output():
        if buffer is None:  # a text-only stream (io.StringIO, contextlib.redirect_stdout)
            out.write(text)
            return
        data = memoryview(text.encode("utf-8"))
        while data:
            data = data[buffer.write(data) :]
        if out.line_buffering:  # a terminal: show each line as it comes
            buffer.flush()


@contextlib.contextmanager
def _standard_output() -> Iterator[None]:
    """A failing write to standard output (``> /dev/full``) is reported as ``standard output: <reason>``.

    A reader that went away (:class:`BrokenPipeError`) is left as it is: :func:`main` ends quietly.
    """
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise _StandardOutputError(exc.errno, exc.strerror or str(exc), "standard output") from None


class _StandardOutputError(OSError):
    """Standard output could not be written (a full disk, a file-size limit): its ``filename`` says so."""


def _print(line: str) -> None:
    _write(line + "\n")


def cmd_stats(args: argparse.Namespace) -> int:
    vocab, N, words = count_corpus(_chunks(args.corpus), source=_source(args.corpus))  # memory: the vocabulary's
    stats = {
        "words": words,
        "vocab_size": vocab.size,
        "bigrams": int(N.sum()),
        "nll": CountModel.from_counts(vocab, N).counts_nll(N),  # -0.0 for a corpus with no uncertainty
        "nll_add1": CountModel.from_counts(vocab, N, alpha=1.0).counts_nll(N),
    }
    if args.json:
        _print(_json(stats))
    else:
        _print(f"words       {stats['words']:,}")
        _print(f"vocab_size  {stats['vocab_size']}")
        _print(f"bigrams     {stats['bigrams']:,}")
        _print(f"nll         {stats['nll']:z.6f}   (count model, no smoothing)")
        _print(f"nll_add1    {stats['nll_add1']:z.6f}   (count model, add-one smoothing)")
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    validate.integer(args.n, "-n", 0, SAMPLE_MAX_WORDS)
    validate.number(args.alpha, "--alpha")
    validate.integer(args.seed, "--seed")
    to_file = args.out not in {None, "-"}  # - is standard output, as for --corpus it is standard input
    if to_file:
        check_target(args.out)
    model = _count_model(*count_corpus(_chunks(args.corpus), source=_source(args.corpus))[:2], alpha=args.alpha)
    # an empty word (the boundary drawn first) is printed as the boundary alone: never a blank line
    text = "".join((w or BOUNDARY) + "\n" for w in model.sample(args.n, seed=args.seed))
    if to_file:
        write_text(args.out, text)
    else:
        _write(text)
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    steps = validate.integer(args.steps, "--steps", 0, TRAIN_MAX_STEPS)
    every = validate.integer(args.every, "--every", 1)
    validate.number(args.lr, "--lr", positive=True)
    validate.number(args.alpha, "--alpha")
    validate.integer(args.seed, "--seed")
    words = _words(args.corpus)
    vocab = Vocab.from_words(words, source=_source(args.corpus))
    xs, ys = bigrams(words, vocab)
    N = count_matrix(xs, ys, vocab.size)
    optimum = _count_model(vocab, N, alpha=args.alpha).counts_nll(N)
    W = init_weights(vocab.size, seed=args.seed)
    run = descend(W, xs, ys, lr=args.lr, alpha=args.alpha)
    with _alpha_as_option():
        start = next(run)  # the loss at the start: a start no step can fix is an error before any output
    _print(f"{len(words):,} words, {xs.size:,} bigrams; count model optimum {optimum:z.6f}")
    _print(f"{'step':>6}  {'nll':>9}  {'gap':>9}")
    for step, (_, W_k) in enumerate(itertools.chain([start], run)):
        if step % every == 0 or step == steps:
            nll = loss(W_k, xs, ys)  # the data's NLL (without the alpha term)
            _print(f"{step:>6}  {nll:z9.6f}  {nll - optimum:z9.6f}")  # z: a gap of -1e-9 is 0.000000
        if step == steps:
            break
    return 0


def cmd_gradcheck(args: argparse.Namespace) -> int:
    V = validate.integer(args.vocab_size, "--vocab-size", 2, GRADCHECK_LIMITS["--vocab-size"])  # V = 1: all 0
    n = validate.integer(args.batch, "--batch", 1, GRADCHECK_LIMITS["--batch"])
    seed = validate.integer(args.seed, "--seed")
    _require_torch("gradcheck")
    from bigram_ref.torch_twin import check_all

    rows = check_all(V, n, seed)
    _print(f"{'check':<20} {'vs autograd':>12} {'vs finite diff':>15}")
    for name, auto, fd in rows:
        _print(f"{name:<20} {auto:z12.2e} {fd:z15.2e}")
    worst = max(max(a, f) for _, a, f in rows)
    verdict = "ok" if worst <= GRADCHECK_RTOL else "FAILED"
    _print(f"worst relative error {worst:z.2e} (tolerance {GRADCHECK_RTOL:.0e}): {verdict}")
    return 0 if worst <= GRADCHECK_RTOL else 1


def cmd_bench(args: argparse.Namespace) -> int:
    entries = [k.strip(" ") for k in args.scales.split(",")]  # spaces around the commas, as in "1, 10, 100"
    if not all(_DIGITS.fullmatch(k.removeprefix("-")) for k in entries):  # as _integer reads: not 1_0, +1 or ١
        raise InputError(f"--scales: expected comma-separated integers, got {validate.shown(args.scales)}")
    scales = tuple(validate.integer(_whole(k), "--scales", 1, BENCH_MAX_SCALE) for k in entries)
    if len(set(scales)) < len(scales):
        raise InputError(f"--scales: expected each scale once, got {validate.shown(args.scales)}")
    validate.integer(args.repeats, "--repeats", 1, BENCH_MAX_REPEATS)
    if args.record == "":
        raise InputError("--record: the path is empty, expected an existing directory")
    record = None if args.record is None else Path(path_text(args.record, "--record"))
    if record is not None:
        if not record.is_dir():
            raise InputError(f"{record}: expected an existing directory for --record")
        for name in ("bench.json", "bench.md"):
            check_target(record / name, "--record")
    _require_torch("bench")
    from bigram_ref.bench import format_table, run

    corpus = args.corpus
    from_environment = corpus is None and bool(os.environ.get("BIGRAM_REF_NAMES"))  # empty counts as unset
    if from_environment:
        corpus = os.environ["BIGRAM_REF_NAMES"]
        if corpus == "-":
            raise InputError("BIGRAM_REF_NAMES=-: expected the path of a file (read standard input with --corpus -)")
    try:
        words = _words(corpus)  # --corpus "" is refused here, as for the other commands
        Vocab.from_words(words, source=_source(corpus))  # a vocabulary too large is named before the timing
    except InputError as exc:
        if from_environment:  # the path came from the environment: say so
            raise type(exc)(f"BIGRAM_REF_NAMES={exc}") from None
        raise
    result = run(words, repeats=args.repeats, scales=scales)
    result["corpus"] = _shown(Path(corpus).name) if corpus else "embedded census first names"
    if record is not None:  # both files new, or both as they were
        write_texts(
            [
                (record / "bench.json", _json(result, indent=1) + "\n"),
                (record / "bench.md", format_table(result) + "\n"),
            ],
            "--record",
        )
    _print(_json(result) if args.json else format_table(result))
    return 0


def _json(value: object, indent: int | None = None) -> str:
    """``value`` as JSON, with every -0.0 written as 0.0."""

    def positive_zero(x: object) -> object:
        if isinstance(x, dict):
            return {k: positive_zero(v) for k, v in x.items()}
        if isinstance(x, list | tuple):
            return [positive_zero(v) for v in x]
        return x + 0.0 if isinstance(x, float) else x  # -0.0 + 0.0 == +0.0; every other float is unchanged

    return json.dumps(positive_zero(value), indent=indent)


class _Parser(argparse.ArgumentParser):
    """argparse, but ``--help`` to a standard output that is closed or fails is an error, as any other output,
    and a value such as ``-inf`` or ``-1e3`` after an option is its value (argparse takes only ``-1`` and
    ``-1.5`` for numbers, and anything else that starts with ``-`` for an option)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = _NEGATIVE

    def print_help(self, file: Any = None) -> None:  # any object with write(), as argparse takes
        if file is not None:
            super().print_help(file)
            return
        if sys.stdout is None:  # argparse would print the help on stderr instead and exit 0
            raise InputError("standard output is closed, so there is nowhere to print")
        _write(self.format_help())  # argparse would ignore a failing write and exit 0
        with _standard_output():
            sys.stdout.flush()


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="bigram-ref", description="The character bigram model, counted and trained, with checked gradients."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    corpus_help = "a UTF-8 text file, one word per line; - for standard input (default: the embedded census names)"

    p = sub.add_parser("stats", help="corpus size and the count model's average NLL")
    p.add_argument("--corpus", metavar="FILE", help=corpus_help)
    p.add_argument(
        "--json", action="store_true", help="print one JSON object: words, vocab_size, bigrams, nll, nll_add1"
    )
    p.set_defaults(run=cmd_stats)

    p = sub.add_parser(
        "sample",
        help="draw words from the count model (an empty word prints as '.'; a word stops at 100 characters)",
    )
    p.add_argument("--corpus", metavar="FILE", help=corpus_help)
    p.add_argument(
        "-n",
        type=_integer,
        default=10,
        help=f"how many words (default 10, at most {SAMPLE_MAX_WORDS:,}: they are held until written)",
    )
    p.add_argument("--seed", type=_integer, default=0, help="random seed (default 0)")
    p.add_argument("--alpha", type=_real, default=1.0, help="add-alpha smoothing (default 1)")
    p.add_argument(
        "--out", metavar="FILE", help="write the words here (whole or not at all); - or no --out: standard output"
    )
    p.set_defaults(run=cmd_sample)

    p = sub.add_parser("train", help="train the neural model by gradient descent; print loss and gap to the optimum")
    p.add_argument("--corpus", metavar="FILE", help=corpus_help)
    p.add_argument(
        "--steps",
        type=_integer,
        default=100,
        help=f"full-batch steps (default 100, at most {TRAIN_MAX_STEPS:,}: each is a pass over every bigram, so"
        " that many take tens of minutes on the lecture's names, and the gap to the optimum stops moving long"
        " before)",
    )
    p.add_argument("--lr", type=_real, default=50.0, help="learning rate on the mean loss (default 50)")
    p.add_argument("--alpha", type=_real, default=0.0, help="uniform-target penalty = add-alpha smoothing (default 0)")
    p.add_argument("--seed", type=_integer, default=0, help="seed of the initial W (default 0)")
    p.add_argument("--every", type=_integer, default=10, help="print every this many steps (default 10)")
    p.set_defaults(run=cmd_train)

    p = sub.add_parser(
        "gradcheck",
        help="manual backward vs autograd vs finite differences",
        description="Check every hand-written gradient against autograd and finite differences on a random"
        " (V, V) matrix W and batch. The cost is in the finite differences: 2·V² evaluations of the loss,"
        " each of which reads all of W, so the time grows faster than V², towards V⁴ (measured: each"
        " doubling of --vocab-size from 50 to 200 made the check 4 to 6 times slower). The default, V = 6,"
        " takes a moment; the largest, V = 200, tens of seconds or more.",
    )
    limits = GRADCHECK_LIMITS
    p.add_argument(
        "--vocab-size",
        type=_integer,
        default=6,
        help=f"V of the random check (default 6, from 2 to {limits['--vocab-size']}: with one symbol every"
        " gradient is 0)",
    )
    p.add_argument(
        "--batch",
        type=_integer,
        default=16,
        help=f"examples in the random batch (default 16, at most {limits['--batch']})",
    )
    p.add_argument("--seed", type=_integer, default=0, help="random seed (default 0)")
    p.set_defaults(run=cmd_gradcheck)

    p = sub.add_parser("bench", help="time counting, gradient steps and convergence, as ratios from one run")
    p.add_argument(
        "--corpus", metavar="FILE", help=corpus_help.replace("(default:", "(default: $BIGRAM_REF_NAMES, else")
    )
    p.add_argument("--json", action="store_true", help="print one JSON object with the ratios and raw medians")
    p.add_argument(
        "--repeats",
        type=_integer,
        default=5,
        help=f"timed runs per method; the median is reported (default 5, at most {BENCH_MAX_REPEATS}: each run"
        " times every scale, and a median of more changes no ratio)",
    )
    p.add_argument(
        "--scales",
        default="1,10,100",
        help=f"corpus repetitions to time, comma-separated (spaces around the commas allowed), each from 1 to"
        f" {BENCH_MAX_SCALE} (default 1,10,100): the row-lookup"
        " step holds a few (bigrams × scale, V) float32 arrays at once, so memory grows with the scale"
        " (a peak of about 7.4 GiB at 100 × names.txt, the lecture's 32,033 names)",
    )
    p.add_argument("--record", metavar="DIR", help="also write bench.json and bench.md (the table) into DIR")
    p.set_defaults(run=cmd_bench)
    return parser


def _quiet_stdout() -> None:
    """Point standard output at /dev/null, so that the interpreter's last flush cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status: 0 on success (1 for a gradient check that fails), 2 for
    the user's mistakes, 130 on Ctrl-C and 141 when the reader of standard output goes away.

    A value that is wrong in itself (a negative ``--lr``, a missing file) is reported as one
    ``error:`` line and returned as 2. An option argparse cannot parse at all (``--lr abc``, an
    unknown option) is argparse's own: it prints the usage and an error line and raises
    ``SystemExit(2)``.
    """
    try:
        if argv is not None:  # argparse would fail inside with a TypeError
            argv = [validate.instance(item, f"argv[{k}]", str) for k, item in enumerate(argv)]
        for item in sys.argv[1:] if argv is None else argv:
            dashes = _DASHES_AS_VALUE.match(item)
            if dashes:
                raise InputError(f"{dashes[1]}=--: argparse reads -- as the end of the options, never as a value")
        args = build_parser().parse_args(argv)
        if sys.stdout is None and getattr(args, "out", None) in {None, "-"}:  # only sample --out FILE prints nothing
            raise InputError("standard output is closed, so there is nowhere to print")
        if sys.stdout is not None:
            with _standard_output():
                sys.stdout.flush()  # anything already written as text goes first: _write adds bytes
        status: int = args.run(args)
        if sys.stdout is not None:
            with _standard_output():
                sys.stdout.flush()  # inside the try: a reader that went away is noticed here
    except BrokenPipeError as exc:
        if exc.filename is not None:  # an output file (a FIFO), not our standard output
            _error(f"{exc.filename}: {exc.strerror}")
            return 2
        _quiet_stdout()
        return 141
    except (InputError, MemoryError) as exc:
        prefix = "out of memory" if isinstance(exc, MemoryError) else ""
        _error(": ".join(filter(None, [prefix, str(exc)])))
        return 2
    except OSError as exc:
        if isinstance(exc, _StandardOutputError):
            _quiet_stdout()  # what is still buffered would fail again at exit
        where = f"{exc.filename}: " if exc.filename else ""
        _error(f"{where}{exc.strerror or exc}")
        return 2
    except RuntimeError as exc:
        reason = _allocation_failure(exc)
        if reason is None:  # any other RuntimeError is a bug
            raise
        _error(f"out of memory: {reason}")
        return 2
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    return status


def _allocation_failure(exc: RuntimeError) -> str | None:
    """PyTorch's report of a CPU allocation that failed (a RuntimeError, not a MemoryError), else None."""
    message = str(exc)
    start = message.find("DefaultCPUAllocator: ")  # after torch's "[enforce fail at alloc_cpu.cpp:…]"
    if start < 0 or "allocate" not in message:
        return None
    return message[start:]


def _error(message: str) -> None:
    """The one ``error:`` line, on standard error if there is one (never on standard output instead), in
    UTF-8 as standard output is; a standard error that cannot be written (``2> /dev/full``) loses the line
    but changes nothing else, the exit status included."""
    err = sys.stderr
    if err is None:
        return
    line = f"error: {_shown(message)}\n"
    try:
        err.flush()  # what argparse or Python already wrote as text goes first
        buffer = getattr(err, "buffer", None)
        if buffer is None:  # a text-only stream (io.StringIO, contextlib.redirect_stderr)
            err.write(line)
        else:
            buffer.write(line.encode("utf-8"))
            buffer.flush()
    except OSError:
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)  # so that the interpreter's last flush cannot fail again
            os.dup2(devnull, err.fileno())
            os.close(devnull)
