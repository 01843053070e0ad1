"""Words, the vocabulary and the bigram arrays ``xs, ys``.

A corpus is a list of words. Each word is read as ``.word.``: the boundary
symbol ``.`` marks both its start and its end, so a word of length ``m`` gives
``m + 1`` bigrams. The vocabulary puts ``.`` at index 0 and then the distinct
characters of the corpus in sorted order, the convention of Karpathy's
*makemore* lecture, so that indices can be cross-checked against it.

The guide's page *Single-example anatomy* explains the symbols ``i`` (a current
index, an entry of ``xs``) and ``y`` (the next index, an entry of ``ys``).
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "BOUNDARY",
    "CorpusError",
    "Vocab",
    "bigrams",
    "default_words",
    "parse_words",
    "read_words",
]

BOUNDARY = "."
"""The start/end symbol; always index 0 of a :class:`Vocab`."""

IntArray = NDArray[np.int64]


class CorpusError(ValueError):
    """A word list that cannot be used, with the file and line at fault in the message."""


def parse_words(text: str, source: str = "<text>") -> list[str]:
    """Split text into words: one per line, surrounding whitespace stripped, blanks ignored.

    Accepts ``\\n`` and ``\\r\\n`` line ends and a leading byte-order mark.

    Parameters
    ----------
    text
        The whole corpus as one string.
    source
        Where the text came from; error messages start with it.

    Returns
    -------
    list of str
        The words, in file order (duplicates kept: each occurrence is data).

    Raises
    ------
    CorpusError
        If a word contains the boundary ``.``, or there are no words at all.

    Examples
    --------
    >>> from bigram_ref import parse_words
    >>> parse_words("\\ufeffemma\\r\\n\\n  olivia \\n")
    ['emma', 'olivia']
    >>> try:
    ...     parse_words("ann.e", source="my.txt")
    ... except ValueError as error:
    ...     print(error)
    ...
    my.txt:1: word 'ann.e' contains the boundary character '.'
    """
    text = text.removeprefix("\ufeff")
    words: list[str] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        word = line.strip()
        if not word:
            continue
        if BOUNDARY in word:
            raise CorpusError(f"{source}:{lineno}: word {_short(word)!r} contains the boundary character {BOUNDARY!r}")
        words.append(word)
    if not words:
        raise CorpusError(f"{source}: no words (the text is empty or only blank lines)")
    return words


def read_words(path: str | Path) -> list[str]:
    """Read a UTF-8 word list from a file, one word per line (see :func:`parse_words`).

    Raises
    ------
    CorpusError
        If the path is missing or a directory, the bytes are not UTF-8 (the
        message names the line and the byte offset), or :func:`parse_words` fails.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from bigram_ref import read_words
    >>> path = Path(tempfile.mkdtemp()) / "words.txt"
    >>> _ = path.write_bytes(b"emma\\r\\nolivia\\r\\n\\r\\n")
    >>> read_words(path)
    ['emma', 'olivia']
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CorpusError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CorpusError(f"{path}: is a directory, expected a text file of words") from None
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CorpusError(
            f"{path}:{line}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None
    return parse_words(text, source=str(path))


def default_words() -> list[str]:
    """The embedded default corpus: 5,163 distinct US first names, lower-cased.

    The names are the 1990 US Census first-name lists (female list first, then
    the male names not already in it), as shipped in the ``names`` package on
    PyPI (MIT licence; the census data are public domain). They arrive with the
    install and are read with :mod:`importlib.resources`; nothing is downloaded.

    Examples
    --------
    >>> from bigram_ref import default_words
    >>> words = default_words()
    >>> len(words), words[:3]
    (5163, ['mary', 'patricia', 'linda'])
    """
    package = importlib.resources.files("names")
    seen: dict[str, None] = {}
    for name in ("dist.female.first", "dist.male.first"):
        text = package.joinpath(name).read_text(encoding="ascii")
        for line in text.splitlines():
            if line.strip():
                seen.setdefault(line.split()[0].lower(), None)
    return list(seen)


def _short(word: str, limit: int = 40) -> str:
    return word if len(word) <= limit else word[: limit - 1] + "…"


@dataclass(frozen=True)
class Vocab:
    """The symbols of a corpus: ``.`` at index 0, then its sorted distinct characters.

    Examples
    --------
    >>> from bigram_ref import Vocab
    >>> vocab = Vocab.from_words(["emma", "ava"])
    >>> vocab.chars, vocab.size
    (('.', 'a', 'e', 'm', 'v'), 5)
    >>> vocab.encode("ava").tolist()
    [1, 4, 1]
    >>> vocab.decode([2, 3, 3, 1])
    'emma'
    """

    chars: tuple[str, ...]
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.chars or self.chars[0] != BOUNDARY:
            raise ValueError(f"chars: expected {BOUNDARY!r} at index 0, got {self.chars[:1]!r}")
        if len(set(self.chars)) != len(self.chars):
            raise ValueError("chars: expected distinct symbols")
        object.__setattr__(self, "_index", {c: k for k, c in enumerate(self.chars)})

    @classmethod
    def from_words(cls, words: Iterable[str]) -> Vocab:
        """Build the vocabulary of a word list (``.`` first, then sorted characters)."""
        symbols = set("".join(words))  # one pass in C; a set per word would cost far more memory
        if BOUNDARY in symbols:
            raise CorpusError(f"a word contains the boundary character {BOUNDARY!r}")
        return cls((BOUNDARY, *sorted(symbols)))

    @property
    def size(self) -> int:
        """``V``, the number of symbols including ``.``."""
        return len(self.chars)

    def index(self, char: str) -> int:
        """The index of one symbol."""
        try:
            return self._index[char]
        except KeyError:
            raise ValueError(f"character {char!r} is not in the vocabulary") from None

    def encode(self, word: str) -> IntArray:
        """The indices of the characters of ``word`` (without boundaries)."""
        try:
            return np.array([self._index[c] for c in word], dtype=np.int64)
        except KeyError as exc:
            raise ValueError(f"word {_short(word)!r}: character {exc.args[0]!r} is not in the vocabulary") from None

    def decode(self, ids: Iterable[int]) -> str:
        """The string spelled by a sequence of indices."""
        ids = list(ids)
        for k in ids:
            if not 0 <= k < self.size:
                raise ValueError(f"index {k} is out of range for a vocabulary of size {self.size}")
        return "".join(self.chars[k] for k in ids)


def bigrams(words: Sequence[str], vocab: Vocab) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The bigram arrays of a corpus: ``xs[k]`` is followed by ``ys[k]``.

    Every word is read as ``.word.``. Joining the corpus as ``.w1.w2. … .wn.``
    yields exactly the same pairs (each shared ``.`` ends one word and starts
    the next), so the whole corpus is encoded in one vectorised pass.

    Examples
    --------
    >>> from bigram_ref import Vocab, bigrams
    >>> vocab = Vocab.from_words(["ab", "b"])
    >>> xs, ys = bigrams(["ab", "b"], vocab)
    >>> xs.tolist(), ys.tolist()
    ([0, 1, 2, 0, 2], [1, 2, 0, 2, 0])
    """
    if isinstance(words, str):
        raise TypeError("words: expected a sequence of words, got a single str")
    for k, word in enumerate(words):
        if not word or BOUNDARY in word:
            raise CorpusError(f"word {k} {_short(word)!r}: expected a non-empty word without {BOUNDARY!r}")
    text = BOUNDARY + BOUNDARY.join(words) + BOUNDARY
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)  # (n + 1,) code points
    del text
    table = np.array([ord(c) for c in vocab.chars], dtype=np.int64)  # (V,)
    lookup = np.full(max(int(codes.max()), int(table.max())) + 1, -1, dtype=np.int32)  # code point -> index
    lookup[table] = np.arange(vocab.size, dtype=np.int32)
    small = lookup[codes]  # (n + 1,) int32: a quarter of the memory of int64 until the end
    del codes
    if small.min() < 0:
        bad = next(c for w in words for c in w if c not in vocab._index)  # the error path may be slow
        word = next(w for w in words if bad in w)
        raise ValueError(f"word {_short(word)!r}: character {bad!r} is not in the vocabulary")
    ids = small.astype(np.int64)  # (n + 1,)
    return ids[:-1], ids[1:]
