r"""Reading a word list: UTF-8 bytes to lines to checked words, streamed in bounded memory.

The rules, applied the same way to a file, standard input and a string:

* a line ends at ``\n`` only (a ``\r`` just before it is dropped, so Windows line ends
  work); other characters that ``str.splitlines`` would also break at are *inside*
  the line, so line numbers agree with ``grep -n``;
* spaces (any Unicode space separator) and tabs around a word are stripped, blank lines
  are skipped, one byte-order mark at the start is ignored (a second one is an error, below);
* a control character (``\t``, ``\x0b``, ``\x0c``, ``\x1c``–``\x1f``, ``\x85``, a lone
  ``\r``, NUL, …), a line or paragraph separator (U+2028, U+2029), an invisible format
  character (a zero-width space, a soft hyphen, a direction mark, a byte-order mark after the
  start), a noncharacter (U+FFFE, …) or the boundary ``.`` inside a word is an error naming
  the file and line (:func:`~bigram_ref.validate.word_error`);
* every word is normalised to Unicode NFC (``é`` typed as one code point or as ``e`` plus a
  combining accent is the same character; :func:`~bigram_ref.validate.nfc`, as for a list of
  words); case is kept as given;
* the bytes must be UTF-8 (an error names the line and byte offset), and a line may not
  exceed :data:`MAX_LINE_BYTES` — so that ``/dev/zero`` or a binary file is refused
  instead of read without limit.

:func:`iter_words` yields the words about a mebibyte of text at a time, so a caller that
only counts (``bigram-ref stats``, ``sample``) never holds the whole corpus.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO, TextIO

from bigram_ref import validate
from bigram_ref.files import path_text
from bigram_ref.validate import CorpusError, InputError, nfc, word_error

__all__ = ["CHUNK_BYTES", "MAX_LINE_BYTES", "iter_words", "split_words"]

CHUNK_BYTES = 1 << 20
"""How many bytes are read at a time."""

MAX_LINE_BYTES = 16 << 20
"""The longest line accepted, 16 MiB; a longer one means the file is not a word list."""

_SPACES = " \t\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"


def split_words(text: str, source: str = "<text>", first_line: int = 1) -> list[str]:
    """The words of whole lines of text (see the module's rules); ``first_line`` numbers its first line.

    Examples
    --------
    >>> from bigram_ref.wordfile import split_words
    >>> split_words("\\ufeffemma\\r\\n\\n  olivia \\n", source="f.txt")
    ['emma', 'olivia']
    >>> try:
    ...     split_words("ann\\nbo\\x0bb\\n", source="f.txt")
    ... except ValueError as error:
    ...     print(error)
    ...
    f.txt:2: word 'bo\\x0bb' contains '\\x0b' (U+000B), a control character
    """
    text = validate.instance(text, "text", str)
    source = validate.instance(source, "source", str)
    first_line = validate.integer(first_line, "first_line", 1)
    return _split(text.removeprefix("\ufeff") if first_line == 1 else text, source, first_line)


def _split(text: str, source: str, first_line: int) -> list[str]:
    """:func:`split_words` without dropping a byte-order mark: :func:`iter_words` drops one from the bytes."""
    lines = text.replace("\r\n", "\n").split("\n")
    words = [w for w in (line.strip(_SPACES) for line in lines) if w]
    if word_error("".join(words), source) is not None:  # the rare bad case: find its line
        for lineno, line in enumerate(lines, start=first_line):
            error = word_error(line.strip(_SPACES), f"{source}:{lineno}")
            if error is not None:
                raise error
    return nfc(words)


class _Source:
    """The bytes of a path or an open file, read a chunk at a time; a stream we were given is not closed."""

    def __init__(self, source: object) -> None:
        self.text = False  # whether read() gave characters: their lone surrogates are then words' errors
        self._stream: object = None  # the open file we were given, if one was
        self._read: Callable[[int], object]
        self.close: Callable[[], object]
        if isinstance(source, str | os.PathLike):
            path = path_text(source, "source")
            if not path:
                raise InputError("source: the path is empty, expected a text file of words")
            try:
                fh = open(path, "rb")  # noqa: SIM115 (closed by close(), after the last read)
            except FileNotFoundError:
                raise CorpusError(f"{path}: no such file") from None
            except IsADirectoryError:
                raise CorpusError(f"{path}: is a directory, expected a text file of words") from None
            except OSError as exc:
                raise CorpusError(f"{path}: cannot read: {exc.strerror}") from None
            self.name, self._read, self.close = path, fh.read, fh.close
            return
        read = getattr(source, "read", None)
        if not callable(read):  # bytes, a file descriptor, ...
            got = type(source).__name__
            raise InputError(f"source: expected a path (str or os.PathLike) or an open file, got {got}")
        self.name, self._read, self.close = str(getattr(source, "name", "<stream>")), read, lambda: None
        self._stream = source

    def read(self, size: int) -> bytes:
        if getattr(self._stream, "closed", False):
            raise CorpusError(f"{self.name}: the file is closed")
        try:
            data = self._read(size)
        except io.UnsupportedOperation:  # open(path, "w"), "wb", "a": no reading
            raise CorpusError(f"{self.name}: cannot read: not open for reading") from None
        except UnicodeDecodeError as exc:  # a text stream decodes for us, and cannot say at which line it failed
            byte = exc.object[exc.start : exc.start + 1].hex()
            raise CorpusError(
                f"{self.name}: not valid {exc.encoding} (byte 0x{byte}); open the file in binary mode ('rb'), or"
                " pass its path, to have the line named"
            ) from None
        if isinstance(data, str):  # a text stream (open(path), io.StringIO): back to UTF-8
            self.text = True
            return data.encode("utf-8", "surrogatepass")
        if not isinstance(data, bytes | bytearray | memoryview):  # None: a non-blocking stream with no data yet
            got = "None" if data is None else type(data).__name__
            raise CorpusError(f"{self.name}: read() returned {got}, expected bytes or str")
        return bytes(data)


def iter_words(source: str | Path | BinaryIO | TextIO) -> Iterable[list[str]]:
    """Yield the words of a UTF-8 word list, one list per chunk of about :data:`CHUNK_BYTES` bytes.

    ``source`` is a path (a ``str``, a :class:`~pathlib.Path` or any other ``os.PathLike``)
    or an open file: a binary stream (such as ``sys.stdin.buffer``), or a text stream
    (``open(path)``, ``io.StringIO``), whose characters are taken as already decoded. A
    stream we are given is not closed. A lone surrogate that a text stream gives (``'\\ud800'``) is a
    word's error, as in a list of words, never reported as bytes that are not UTF-8.

    Raises
    ------
    InputError
        If ``source`` is neither a path nor an open file (``bytes``, a file descriptor), is an
        empty path or one no file name can hold (:func:`~bigram_ref.files.path_text`: a NUL
        byte, a lone surrogate, an ``__fspath__()`` that gives no ``str``).
    CorpusError
        If the file cannot be opened or read (an open file that is closed, open for writing
        only, or whose ``read()`` returns ``None``, as a non-blocking stream with no data
        does, are named as such), its bytes are not UTF-8, a line is longer than
        :data:`MAX_LINE_BYTES`, a word breaks a rule, or there are no words at all.

    Examples
    --------
    >>> import io
    >>> from bigram_ref.wordfile import iter_words
    >>> chunks = list(iter_words(io.BytesIO("zoe\\u0308\\nZo\\u00eb\\n".encode())))  # e + combining diaeresis
    >>> chunks, [len(word) for word in chunks[0]]
    ([['zoë', 'Zoë']], [3, 3])
    """
    reader = _Source(source)
    name = reader.name
    try:
        pending, offset, line, total = b"", 0, 1, 0  # the unfinished line, its byte offset and line number
        while True:
            try:
                data = reader.read(CHUNK_BYTES)
                end = not data
            except OSError as exc:
                raise CorpusError(f"{name}: cannot read: {exc.strerror}") from None
            block = pending + data
            if offset == 0 and block.startswith(b"\xef\xbb\xbf"):  # the file's start, however the reads fell
                block, offset = block[3:], 3  # one byte-order mark: not part of the first word (a second is)
            cut = len(block) if end else block.rfind(b"\n") + 1  # whole lines only, until the end
            long = _long_line(block, cut)
            if long is not None:
                raise CorpusError(f"{name}:{line + long}: line longer than {MAX_LINE_BYTES:,} bytes: not a word list")
            words = _split(_decode(block[:cut], name, offset, line, reader.text), name, line)
            total += len(words)
            if words:
                yield words
            line += block.count(b"\n", 0, cut)
            offset += cut
            pending = block[cut:]
            if len(pending) > MAX_LINE_BYTES:  # no end in sight: stop reading
                raise CorpusError(f"{name}:{line}: line longer than {MAX_LINE_BYTES:,} bytes: not a word list")
            if end:
                break
    finally:
        reader.close()
    if total == 0:
        raise CorpusError(f"{name}: no words (empty, or blank lines only)")


def _long_line(block: bytes, cut: int) -> int | None:
    """Which line of ``block[:cut]`` (0 for the first) is longer than :data:`MAX_LINE_BYTES`, if one is."""
    if cut <= MAX_LINE_BYTES:
        return None
    start, k = 0, 0
    while start < cut:
        stop = block.find(b"\n", start, cut)
        stop = cut if stop < 0 else stop
        if stop - start > MAX_LINE_BYTES:
            return k
        start, k = stop + 1, k + 1
    return None


def _decode(raw: bytes, name: str, offset: int, line: int, text: bool) -> str:
    """``raw`` as text; from a text stream (``text``), its lone surrogates come back, for a word's error."""
    try:
        return raw.decode("utf-8", "surrogatepass" if text else "strict")
    except UnicodeDecodeError as exc:
        at = line + raw.count(b"\n", 0, exc.start)
        raise CorpusError(
            f"{name}:{at}: not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {offset + exc.start})"
        ) from None
