"""Words, the vocabulary and the bigram arrays ``xs, ys``.

A corpus is a list of words. Each word is read as ``.word.``: the boundary
symbol ``.`` marks both its start and its end, so a word of length ``m`` gives
``m + 1`` bigrams. The vocabulary puts ``.`` at index 0 and then the distinct
characters of the corpus in sorted order, the convention of Karpathy's
*makemore* lecture, so that indices can be cross-checked against it.

The guide's page :doc:`/explanation/anatomy` explains the symbols ``i`` (a current
index, an entry of ``xs``) and ``y`` (the next index, an entry of ``ys``).
"""

from __future__ import annotations

import importlib.resources
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
from numpy.typing import NDArray

from bigram_ref import validate
from bigram_ref.validate import BOUNDARY, CorpusError
from bigram_ref.wordfile import iter_words, split_words

__all__ = [
    "BOUNDARY",
    "Vocab",
    "bigrams",
    "default_words",
    "parse_words",
    "read_words",
]

IntArray = NDArray[np.int64]


def parse_words(text: str, source: str = "<text>") -> list[str]:
    """Split text into words, one per line, by the rules of :mod:`bigram_ref.wordfile`.

    Lines end at ``\\n`` (``\\r\\n`` too); surrounding spaces and tabs are stripped,
    blank lines ignored, a leading byte-order mark dropped, and every word normalised to NFC.

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
        If a word contains the boundary ``.``, a control character, a line or paragraph
        separator or a lone surrogate, or there are no words at all.

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
    words = split_words(validate.instance(text, "text", str), source)
    if not words:
        raise CorpusError(f"{source}: no words (empty, or blank lines only)")
    return words


def read_words(source: str | Path | BinaryIO) -> list[str]:
    """Read a UTF-8 word list, one word per line, from a file or a binary stream (see :func:`parse_words`).

    Raises
    ------
    CorpusError
        If the path is missing or a directory, the bytes are not UTF-8 (the message names
        the line and the byte offset), or a rule of :mod:`bigram_ref.wordfile` is broken.

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
    return [word for chunk in iter_words(source) for word in chunk]


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
        chars = self.chars
        if isinstance(chars, list):  # a list of symbols is as good as a tuple; the vocabulary keeps a tuple
            chars = tuple(chars)
            object.__setattr__(self, "chars", chars)
        ok = isinstance(chars, tuple) and all(isinstance(c, str) and len(c) == 1 for c in chars)
        if not ok or len(set(chars)) != len(chars) or not chars or chars[0] != BOUNDARY:
            raise validate.InputError(
                f"chars: expected {BOUNDARY!r} and then distinct single characters, got {chars!r:.60}"
            )
        if list(chars[1:]) != sorted(chars[1:]):  # the layout of every (V, V) matrix follows this order
            raise validate.InputError(f"chars: expected the characters after {BOUNDARY!r} sorted, got {chars!r:.60}")
        validate.vocab_size(len(chars), "chars")
        error = validate.word_error("".join(chars[1:]), "chars")  # the symbols a word may hold
        if error is not None:
            raise error
        for c in () if "".join(chars).isascii() else chars:
            form = unicodedata.normalize("NFC", c)
            if form != c:  # such a symbol could never be encoded: words are read in NFC
                points = " ".join(f"U+{ord(k):04X}" for k in form)
                raise validate.InputError(
                    f"chars: {c!r} (U+{ord(c):04X}) is not in NFC form, which is {form!r} ({points}); words are read"
                    " in NFC, so no word could hold it"
                )
        object.__setattr__(self, "_index", {c: k for k, c in enumerate(self.chars)})

    @classmethod
    def from_words(cls, words: Iterable[str], *, source: str = "words") -> Vocab:
        """Build the vocabulary of a word list (``.`` first, then sorted characters).

        ``source`` names the words in an error, such as the file they were read from.
        """
        symbols = set(
            "".join(validate.words(words, source))
        )  # one pass in C; a set per word would cost far more memory
        validate.vocab_size(len(symbols) + 1, source)  # before anything of size (V, V) is made
        return cls((BOUNDARY, *sorted(symbols)))

    @property
    def size(self) -> int:
        """``V``, the number of symbols including ``.``."""
        return len(self.chars)

    def index(self, char: str) -> int:
        """The index of one symbol, read in NFC as a corpus is (``e`` and a combining acute accent is ``é``)."""
        try:
            return self._index[char]
        except (KeyError, TypeError):
            pass
        form = validate.nfc([char]) if isinstance(char, str) else []
        if len(form) == 1 and form[0] in self._index:
            return self._index[form[0]]
        raise validate.unknown_character(char)

    def encode(self, word: str) -> IntArray:
        """The indices of the characters of ``word`` (without boundaries), read in NFC as a corpus is."""
        text = validate.word(word)
        try:
            return np.array([self._index[c] for c in text], dtype=np.int64)
        except KeyError as exc:
            raise validate.unknown_character(exc.args[0], text) from None

    def decode(self, ids: Iterable[int]) -> str:
        """The string spelled by a sequence of indices (a list, a 1-D array or any iterable of ints)."""
        iterable = isinstance(ids, Iterable) and not isinstance(ids, np.ndarray | Sequence | str | bytes)
        arr = validate.array(list(ids) if iterable else ids, "ids")  # a generator, a dict's keys, …
        if arr.ndim != 1:
            raise validate.InputError(f"ids: expected a 1-D sequence of indices, got shape {arr.shape}")
        checked = validate.indices(arr, "ids", self.size)
        return "".join(self.chars[k] for k in checked.tolist())


def bigrams(words: Iterable[str], vocab: Vocab) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
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
    words = validate.words(words)
    vocab = validate.instance(vocab, "vocab", Vocab)
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
        raise validate.unknown_character(bad, word)
    ids = small.astype(np.int64)  # (n + 1,)
    return ids[:-1], ids[1:]
