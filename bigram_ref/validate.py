r"""Input validation: every rule the package checks, each in one place with one message.

Every public function of the package checks its arguments with these functions
before computing, so a bad argument is reported the same way wherever it enters: an
:class:`InputError` whose message starts with the argument's name (or the file and line
of a corpus) and says what was expected. :class:`InputError` is a :class:`ValueError`;
the command line catches it (and :class:`OSError`, :class:`MemoryError`) and prints one
``error:`` line, while any other exception is a bug and keeps its traceback. The guide's
page *What happens when…* lists every message.

Examples
--------
>>> from bigram_ref import validate
>>> validate.number(0.5, "alpha")
0.5
>>> try:
...     validate.number(None, "alpha")
... except validate.InputError as error:
...     print(error)
...
alpha: expected a finite number >= 0, got None
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "BOUNDARY",
    "MAX_CHECK",
    "MAX_FIGURE_V",
    "MAX_SCALE",
    "MAX_V",
    "CorpusError",
    "InputError",
    "array",
    "batch",
    "budget",
    "choice",
    "counts",
    "distributions",
    "empty_batch",
    "examples",
    "figure_symbols",
    "float_dtype",
    "indices",
    "instance",
    "integer",
    "integer_counts",
    "label",
    "labels",
    "logits",
    "nfc",
    "number",
    "plottable",
    "probabilities",
    "real",
    "row_totals",
    "same_shape",
    "series",
    "shown",
    "square",
    "too_large",
    "total",
    "unknown_character",
    "vocab_size",
    "word",
    "word_error",
    "words",
]

BOUNDARY = "."
"""The start/end symbol of every word; always index 0 of a vocabulary."""

MAX_V = 8192
"""The largest vocabulary size, a memory budget.

One (V, V) float64 matrix takes V² · 8 bytes, 512 MiB at this size, and a model holds several
at once (the counts, the probabilities, the weights and their gradient), so the peak is a few
times that. The same budget, ``MAX_V ** 2`` numbers, caps any other array whose size the caller
chooses, such as a batch of one-hot rows.
"""

MAX_CHECK = 200
"""The largest vocabulary and batch of a full gradient check by finite differences (its cost grows faster than V²)."""

MAX_SCALE = 100
"""The most corpus repetitions the benchmark times (``bench --scales``): its row-lookup step holds several
(bigrams · scale, V) float32 arrays at once, so its memory grows with the scale."""

MAX_FIGURE_V = 32
"""The most symbols a heat map draws, as it writes a number in each of its V² cells (unreadable beyond this)."""

FloatArray = NDArray[np.floating[Any]]
T = TypeVar("T")

# control characters (C0, DEL, C1), line/paragraph separators, lone surrogates: in no word, and in no label
_UNPRINTED = r"\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff"
_FORBIDDEN = re.compile(f"[.{_UNPRINTED}]")  # inside a word: those, and the boundary
_UNDRAWABLE = re.compile(f"[{_UNPRINTED}]")
# format characters that shape visible text, and so may be part of a word: zero-width non-joiner and joiner
_JOINERS = "\u200c\u200d"


class InputError(ValueError):
    """Input the caller can fix: a bad argument, option, path or corpus, named in the message."""


class CorpusError(InputError):
    """A word list that cannot be used, with the file and line (or list position) at fault."""


def _short(word: str, limit: int = 40) -> str:
    return word if len(word) <= limit else word[: limit - 1] + "…"


def shown(value: object) -> str:
    """A short, one-line repr of an argument for a message: an array's repr spans lines, and a
    number or string may be thousands of characters long. At most 40 characters are kept."""
    try:
        text = repr(value)
    except ValueError:  # an int of more digits than Python converts to text (4,300): its leading ones
        text = _leading_digits(value) if isinstance(value, int) else f"a {type(value).__name__}"
    return _short(" ".join(text.split()))


def _leading_digits(n: int) -> str:
    """The first 60 or so decimal digits of a huge int, without converting all of it."""
    drop = max(int(abs(n).bit_length() * math.log10(2)) - 60, 0)
    return ("-" if n < 0 else "") + str(abs(n) // 10**drop) + "…"


def _position(index: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(k) for k in index) + "]" if index else ""


def integer(value: object, name: str, minimum: int = 0, maximum: int | None = None) -> int:
    """An int (Python or NumPy, not bool) from ``minimum`` to ``maximum``, returned as a Python int."""
    if isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_):
        k = int(value)
        if minimum <= k and (maximum is None or k <= maximum):
            return k
    bounds = f">= {minimum}" if maximum is None else f"from {minimum} to {maximum:,}"
    raise InputError(f"{name}: expected an int {bounds}, got {shown(value)}")


def vocab_size(value: object, name: str = "V") -> int:
    """A vocabulary size: an int from 1 to :data:`MAX_V`, checked before any (V, V) array is allocated."""
    V = integer(value, name, 1)
    if V > MAX_V:
        raise InputError(
            f"{name}: expected at most {MAX_V:,} symbols, got {V:,}"
            f" (each (V, V) float64 matrix takes V² · 8 bytes, {V * V * 8 / 2**30:.3g} GiB here, and a model"
            " holds several)"
        )
    return V


def instance(value: object, name: str, kind: type[T]) -> T:
    """An object of the given type, such as a ``str``, a :class:`~bigram_ref.corpus.Vocab` or a figure."""
    if not isinstance(value, kind):
        raise InputError(f"{name}: expected a {kind.__name__}, got {shown(value)}")
    return value


def too_large(name: str, value: object, what: str) -> InputError:
    """The error for a parameter so large that ``what`` overflows float64."""
    return InputError(f"{name}: too large, {what} overflow ({name} = {shown(value)})")


def budget(shape: tuple[int, ...], name: str, what: str) -> None:
    """Refuse an array ``what`` of ``shape``, made from ``name``, with more than ``MAX_V ** 2`` numbers."""
    size = math.prod(shape)
    if size > MAX_V**2:
        raise InputError(
            f"{name}: {what} would have shape {shape}, {size:,} numbers; expected at most {MAX_V**2:,}"
            f" (the memory of one ({MAX_V:,}, {MAX_V:,}) float64 matrix, 512 MiB)"
        )


def figure_symbols(V: int, name: str) -> None:
    """Refuse a heat map of more than :data:`MAX_FIGURE_V` symbols, before anything is drawn."""
    if V > MAX_FIGURE_V:
        raise InputError(
            f"{name}: a heat map of {V:,} symbols would write {V * V:,} numbers, too many to read;"
            f" expected at most {MAX_FIGURE_V} symbols"
        )


def float_dtype(value: object, name: str = "dtype") -> type[np.floating[Any]]:
    """A floating-point dtype the package computes in: float32 or float64."""
    try:
        dtype = np.dtype(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        dtype = None
    if dtype not in (np.float32, np.float64):
        raise InputError(f"{name}: expected float32 or float64, got {_short(repr(value))}")
    kind: type[np.floating[Any]] = dtype.type
    return kind


def array(value: object, name: str) -> NDArray[Any]:
    """``value`` as a NumPy array of numbers (or strings, which the caller's dtype check refuses), never objects."""
    if getattr(value, "requires_grad", False) is True:  # a torch tensor in a graph: NumPy cannot read it
        raise InputError(f"{name}: a tensor that requires grad; pass {name}.detach() (the values, without the graph)")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError, RuntimeError):  # ragged nesting, elements numpy cannot hold together, torch
        arr = None
    if arr is not None and arr.dtype == object and not isinstance(value, np.ndarray):
        for k, item in np.ndenumerate(arr):  # an int beyond 64 bits makes an object array too
            if isinstance(item, int) and not isinstance(item, bool) and not -(2**63) <= item < 2**63:
                raise InputError(f"{name}{_position(k)} = {shown(item)} does not fit a 64-bit integer")
    if arr is None or (
        arr.dtype == object and not isinstance(value, np.ndarray)
    ):  # an object array: its dtype is named
        raise InputError(f"{name}: expected a rectangular array of numbers, got {shown(value)}")
    return arr


def number(value: object, name: str, *, positive: bool = False) -> float:
    """A finite real number, ``>= 0`` (or ``> 0`` with ``positive=True``), returned as a float."""
    x = math.nan
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool | np.bool_):
        try:
            x = float(value)
        except OverflowError:  # an int too large for a float
            x = math.inf
    if math.isfinite(x) and (x > 0 if positive else x >= 0):
        return x
    raise InputError(f"{name}: expected a finite number {'> 0' if positive else '>= 0'}, got {shown(value)}")


def logits(z: ArrayLike, name: str = "z", ndims: tuple[int, ...] = (1, 2)) -> FloatArray:
    """Logits: float32/float64 (ints become float64), an allowed rank; no NaN, +inf, dead row or overflowing spread."""
    arr = array(z, name)
    if arr.dtype.kind in "iu":  # a bool is no logit: refused below
        arr = arr.astype(np.float64)
    if arr.dtype not in (np.float32, np.float64):
        raise InputError(f"{name}: expected float32 or float64 logits, got dtype {arr.dtype}")
    if arr.ndim not in ndims:
        want = " or ".join(f"{d}-D" for d in ndims)
        raise InputError(f"{name}: expected a {want} array, got shape {arr.shape}")
    if arr.shape[-1] == 0:
        raise InputError(f"{name}: expected at least one logit per row, got shape {arr.shape}")
    if np.isfinite(arr).all():  # the common case: one pass, then the spread of the whole array
        if arr.size:
            _spread(arr, name, arr.max(), arr.min())
        return arr
    for bad, label in ((np.isnan(arr), "NaN"), (np.isposinf(arr), "+inf")):
        if bad.any():
            raise InputError(f"{name}: contains {label} at index {np.argwhere(bad)[0].tolist()}")
    dead = np.all(np.isneginf(arr), axis=-1)
    if np.any(dead):
        where = f"row {int(np.argmax(dead))} is" if arr.ndim == 2 else "every entry is"
        raise InputError(f"{name}: {where} -inf, which leaves no probability anywhere")
    hi = arr.max()
    _spread(arr, name, hi, np.where(np.isneginf(arr), hi, arr).min())  # -inf is a probability 0, not a spread
    return arr


def _spread(arr: FloatArray, name: str, hi: Any, lo: Any) -> None:
    """Refuse logits whose largest and smallest finite entries in a row differ by more than the dtype holds."""
    with np.errstate(over="ignore"):
        if np.isfinite(hi - lo):  # the whole array's spread bounds every row's
            return
        finite = np.where(np.isneginf(arr), np.nan, arr)
        his, los = np.nanmax(finite, axis=-1), np.nanmin(finite, axis=-1)  # (n,) or ()
        k = int(np.argmax(~np.isfinite(np.atleast_1d(his - los))))
    where = f"row {k} spans" if arr.ndim == 2 else "the logits span"
    raise InputError(
        f"{name}: {where} {np.atleast_1d(los)[k]:g} to {np.atleast_1d(his)[k]:g}, a range wider than {arr.dtype}"
        " can hold, so softmax cannot subtract the maximum"
    )


def _square_shape(arr: NDArray[Any], name: str) -> None:
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.shape[0] == 0:
        raise InputError(f"{name}: expected a square (V, V) matrix, got shape {arr.shape}")


def square(W: ArrayLike, name: str = "W") -> FloatArray:
    """Square (V, V) logits, as :func:`logits` checks them."""
    arr = logits(W, name, ndims=(2,))
    _square_shape(arr, name)
    return arr


def counts(N: ArrayLike, name: str = "N", *, nonzero: bool = False) -> NDArray[np.float64]:
    """A count matrix: square (V, V), numeric, finite and non-negative (with ``nonzero``, not all 0); as float64."""
    arr = array(N, name)
    _square_shape(arr, name)
    if arr.dtype.kind not in "biuf":
        raise InputError(f"{name}: expected numeric counts, got dtype {arr.dtype}")
    arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise InputError(f"{name}: expected finite, non-negative counts")
    if nonzero and not arr.any():
        raise InputError(f"{name}: expected at least one counted bigram")
    return arr


def row_totals(N: NDArray[np.float64], name: str = "N") -> NDArray[np.float64]:
    """The row totals ``N.sum(axis=1, keepdims=True)``, (V, 1), of checked counts; none may overflow float64."""
    with np.errstate(over="ignore"):
        totals: NDArray[np.float64] = N.sum(axis=1, keepdims=True)  # (V, 1)
    if not np.isfinite(totals).all():
        k = int(np.argmax(~np.isfinite(totals[:, 0])))
        raise InputError(f"{name}: counts too large, the total of row {k} overflows float64")
    return totals


def total(N: NDArray[np.float64], name: str = "N") -> float:
    """The number of counted bigrams ``N.sum()`` of checked counts, which may not overflow float64."""
    with np.errstate(over="ignore"):
        n = float(N.sum())
    if not math.isfinite(n):
        raise InputError(f"{name}: counts too large, their total overflows float64")
    return n


def integer_counts(N: ArrayLike, name: str = "counts") -> NDArray[np.int64]:
    """Counts as :func:`counts` checks them, of an integer dtype and each small enough for int64; as int64."""
    arr = array(N, name)
    top = np.iinfo(np.int64).max
    if arr.dtype.kind == "f" and not isinstance(N, np.ndarray):  # NumPy reads a list holding 2**63 as floats
        for k, item in np.ndenumerate(np.array(N, dtype=object)):
            if isinstance(item, int | np.integer) and not isinstance(item, bool) and item > top:
                raise InputError(f"{name}: expected counts up to {top:,} (int64), got {shown(item)} at {list(k)}")
    if arr.dtype.kind not in "iu":
        raise InputError(f"{name}: expected integer counts, got dtype {arr.dtype}")
    counts(arr, name)
    if arr.dtype.kind == "u" and arr.max() > top:
        k = tuple(int(j) for j in np.argwhere(arr > top)[0])
        raise InputError(f"{name}: expected counts up to {top:,} (int64), got {arr[k]} at {list(k)}")
    return arr.astype(np.int64)


def same_shape(a: NDArray[Any], b: NDArray[Any], names: str = "W and N") -> None:
    """Two (V, V) matrices of one vocabulary."""
    if a.shape != b.shape:
        raise InputError(f"{names}: expected the same (V, V) shape, got {a.shape} and {b.shape}")


def indices(a: ArrayLike, name: str, V: int, shape: tuple[int, ...] | None = None) -> NDArray[np.int64]:
    """Integer indices into a vocabulary of size ``V`` (each in ``[0, V)``), of the given shape if one is given."""
    arr = array(a, name)
    if arr.size and arr.dtype.kind not in "iu":
        raise InputError(f"{name}: expected integer indices, got dtype {arr.dtype}")
    if shape is not None and arr.shape != shape:
        raise InputError(f"{name}: expected shape {shape}, got {arr.shape}")
    if arr.size and (arr.min() < 0 or arr.max() >= V):  # two fast reductions; locate the culprit only on failure
        k = tuple(int(j) for j in np.argwhere((arr < 0) | (arr >= V))[0])
        raise InputError(f"{name}{_position(k)} = {arr[k]} is out of range for V = {V}")
    return arr.astype(np.int64)


def batch(xs: ArrayLike, V: int, *, empty: bool = False) -> NDArray[np.int64]:
    """The current indices ``xs`` of a batch: 1-D, non-empty unless ``empty``, each in ``[0, V)``."""
    arr = array(xs, "xs")
    if arr.ndim != 1:
        raise InputError(f"xs: expected a 1-D array of indices, got shape {arr.shape}")
    if arr.size == 0 and not empty:
        raise empty_batch("xs")
    return indices(arr, "xs", V)


def examples(xs: ArrayLike, ys: ArrayLike, V: int, *, empty: bool = False) -> NDArray[np.int64]:
    """The pairs ``xs -> ys`` of a batch: ``xs`` as :func:`batch` checks it, ``ys`` indices of the same shape."""
    arr = batch(xs, V, empty=empty)
    indices(ys, "ys", V, shape=arr.shape)
    return arr


def empty_batch(name: str) -> InputError:
    """The error for an empty batch, whose mean loss would be 0 / 0."""
    return InputError(f"{name}: expected at least one example")


def choice(value: object, name: str, options: tuple[str, ...]) -> str:
    """One of a few strings, such as a ``reduction``."""
    if not isinstance(value, str) or value not in options:
        raise InputError(f"{name}: expected one of {', '.join(map(repr, options))}, got {shown(value)}")
    return str(value)


def probabilities(P: ArrayLike, name: str = "P") -> NDArray[np.float64]:
    """A square (V, V) matrix of probabilities: every entry in ``[0, 1]``; returned as float64."""
    arr = array(P, name)
    _square_shape(arr, name)
    if arr.dtype.kind not in "biuf":
        raise InputError(f"{name}: expected probabilities in [0, 1], got dtype {arr.dtype}")
    arr = arr.astype(np.float64)
    bad = ~((arr >= 0) & (arr <= 1))  # NaN fails both comparisons
    if bad.any():
        k = tuple(int(j) for j in np.argwhere(bad)[0])
        raise InputError(f"{name}: expected probabilities in [0, 1], got {arr[k]} at {list(k)}")
    return arr


def distributions(P: ArrayLike, name: str = "P") -> NDArray[np.float64]:
    """Probabilities whose every row sums to 1 within ``numpy.allclose``'s default tolerance: row-stochastic."""
    arr = probabilities(P, name)
    if not np.allclose(arr.sum(axis=1), 1.0):
        raise InputError(f"{name}: every row must be a probability distribution (non-negative, summing to 1)")
    return arr


def series(values: object, name: str) -> list[float]:
    """A non-empty 1-D sequence of finite numbers (such as the losses of a training run), as floats.

    An iterator, such as a generator, is read once into a list first.
    """
    if isinstance(values, Iterator):
        values = list(values)
    arr = array(values, name)
    if arr.ndim != 1 or arr.size == 0 or arr.dtype.kind not in "biuf" or not np.all(np.isfinite(arr)):
        raise InputError(f"{name}: expected a non-empty 1-D sequence of finite numbers, got {_short(repr(values))}")
    return [float(v) for v in arr]


def labels(items: Iterable[str], V: int, name: str = "labels") -> list[str]:
    """One text label (str) per symbol, exactly ``V`` of them, none blank; from any iterable (a generator is read once).

    A blank label would leave a bar or a row that the figure's description cannot name.
    """
    given = items
    if not isinstance(items, str | Sequence):
        try:
            items = given = list(items)  # a generator's items are named, not the generator
        except TypeError:  # not iterable at all
            items = "not a list"
    if isinstance(items, str) or len(items) != V or not all(isinstance(s, str) for s in items):
        strings = "string" if V == 1 else "strings"
        raise InputError(f"{name}: expected {V} {strings}, one per symbol, got {_short(repr(given))}")
    return [label(text, f"{name}[{k}]") for k, text in enumerate(items)]


def label(text: object, name: str = "label") -> str:
    """One text label, such as a legend's: a str with something to show (not empty, not only spaces),
    and no control character, line separator or lone surrogate, which a figure's fonts cannot draw."""
    text = instance(text, name, str)
    if not text.strip():
        raise InputError(f"{name}: expected a label with something to show, got {shown(text)}")
    bad = _UNDRAWABLE.search(text)
    if bad is not None:
        c = bad.group()
        raise InputError(f"{name}: {shown(text)} contains {c!r} (U+{ord(c):04X}), which a figure cannot draw")
    return text


def plottable(value: float, name: str) -> float:
    """A value a figure's axis can show: within ±1e300 (near float64's limit, the axis' margins and ticks overflow)."""
    if not abs(value) <= 1e300:
        raise InputError(f"{name} = {float(value)!r}: expected a value within ±1e+300, which a figure's axis can hold")
    return value


def real(value: object, name: str, where: str = "") -> float:
    """One real number, such as the value of a function: a Python or NumPy int or float, or a 0-d array of one.

    Returned as a float. A bool, a complex number, a string, an array of several values or None
    is refused; ``where`` (such as ``" at w[0] + h"``) ends the message. NaN and ±inf pass (an
    int too large for float64 becomes ±inf): what a value that is not finite means is the
    caller's rule.
    """
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:  # an int beyond float64
            return math.inf if value > 0 else -math.inf
    if isinstance(value, np.ndarray) and value.shape == () and value.dtype.kind in "iuf":
        return float(value)
    raise InputError(f"{name}: expected a real number (a scalar), got {_short(repr(value))}{where}")


def _invisible(c: str) -> bool:
    """An invisible format character (other than a joiner) or a noncharacter: nothing a word is spelled with."""
    o = ord(c)
    return (unicodedata.category(c) == "Cf" and c not in _JOINERS) or 0xFDD0 <= o <= 0xFDEF or (o & 0xFFFE) == 0xFFFE


def _first_forbidden(word: str) -> str | None:
    """The first character of ``word`` that no word may hold, or None."""
    bad = _FORBIDDEN.search(word)
    end = len(word) if bad is None else bad.start()
    if not word.isprintable():  # a format character or noncharacter is not printable: look closer, rarely
        odd = {c for c in set(word[:end]) if _invisible(c)}
        if odd:
            return next(c for c in word if c in odd)
    return None if bad is None else bad.group()


def word_error(word: str, where: str) -> CorpusError | None:
    """The error for one word at ``where`` (``file:line`` or ``words[k]``), or None if the word is usable.

    A word may not hold the boundary ``.``, a control character, a line or paragraph separator,
    a lone surrogate, an invisible format character (a zero-width space, a soft hyphen, a
    direction mark or override, a byte-order mark; the zero-width joiner and non-joiner, which
    shape the letters around them, are allowed) or a noncharacter (U+FFFE, U+FDD0, …).
    """
    c = _first_forbidden(word)
    if c is None:
        return None
    if c == BOUNDARY:
        return CorpusError(f"{where}: word {_short(word)!r} contains the boundary character {BOUNDARY!r}")
    kind = (
        "a line or paragraph separator"
        if c in "\u2028\u2029"
        else "a lone surrogate, not a character"
        if "\ud800" <= c <= "\udfff"
        else "an invisible format character"
        if unicodedata.category(c) == "Cf"
        else "a noncharacter"
        if _invisible(c)
        else "a control character"
    )
    return CorpusError(f"{where}: word {_short(word)!r} contains {c!r} (U+{ord(c):04X}), {kind}")


def nfc(words: list[str]) -> list[str]:
    """The words normalised to Unicode NFC (one code point for ``é``, however it was typed); case is kept."""
    joined = "\n".join(words)
    if joined.isascii() or unicodedata.is_normalized("NFC", joined):
        return words
    return unicodedata.normalize("NFC", joined).split("\n")


def word(value: object, name: str = "word") -> str:
    """One word (possibly empty) as :func:`words` checks each of its items, normalised to NFC."""
    text = instance(value, name, str)
    error = word_error(text, name)
    if error is not None:
        raise error
    return unicodedata.normalize("NFC", text)


def unknown_character(char: object, word: str | None = None) -> InputError:
    """The error for a character (of ``word``, if given) that a vocabulary does not have."""
    prefix = "" if word is None else f"word {_short(word)!r}: "
    return InputError(f"{prefix}character {char!r} is not in the vocabulary")


def words(items: Iterable[str], source: str = "words", *, empty: bool = False) -> Sequence[str]:
    """Non-empty str words that :func:`word_error` accepts, in NFC; one or more unless ``empty``.

    Any iterable of words is accepted (a generator is read once) and returned as a sequence,
    normalised to Unicode NFC as a file's words are (:func:`nfc`); a single ``str`` is refused,
    as its characters are not words.
    """
    if isinstance(items, str):
        raise CorpusError(f"{source}: expected a list of words, got a single str")
    if not isinstance(items, Sequence):
        try:
            items = list(items)
        except TypeError:  # not iterable
            raise CorpusError(f"{source}: expected a list of words, got {_short(repr(items))}") from None
    if len(items) == 0 and not empty:
        raise CorpusError(f"{source}: no words (empty, or blank lines only)")
    try:
        joined = "".join(items)
    except TypeError:
        joined = None
    if joined is None or not all(items) or _first_forbidden(joined) is not None:
        for k, item in enumerate(items):  # the rare bad case: find the culprit
            if not isinstance(item, str) or not item:
                raise CorpusError(f"{source}[{k}]: expected a non-empty str, got {shown(item)}")
            error = word_error(item, f"{source}[{k}]")
            if error is not None:
                raise error
    if joined is not None and not joined.isascii() and not unicodedata.is_normalized("NFC", joined):
        return nfc(list(items))
    return items
