"""Writing the command line's output files (``sample --out``, ``bench --record``) safely.

:func:`check_target` runs before any work, so a path that cannot be written is refused at
once; :func:`write_text` checks it again, then never leaves a half-written file and never
replaces something that is not a regular file:

* a regular file (or a new path) is replaced atomically: the text goes to a temporary
  file in the same directory, which is flushed to disk (``fsync``) and renamed over the
  target. An existing file keeps its permission bits; a new one gets the ones the umask
  allows, as ``open`` would give it. A file you may not write (read-only, such as mode
  0444) is refused, as the shell's ``>`` refuses it, although the rename could replace it;
* the rename makes a new file: a target with other hard links gets the new text under the
  name you gave, and its other names keep the old text; and the new file belongs to you
  (your user and group), whoever owned the old one — only its permission bits are kept;
* the folder must let you make that new file and rename it: one where the file system
  cannot create files (``/proc``) or is read-only is refused before any work, with the
  system's reason, and so is a file of another user in a sticky folder (mode 1777, such as
  ``/tmp``), which only its owner may replace;
* a symbolic link is followed: its target is written atomically, and the link stays;
* anything else that exists — a device such as ``/dev/null``, a FIFO — is written to
  directly, never replaced; a directory is refused, and so is a path ending in ``/``,
  which names one;
* a name for one of this process's open descriptors (``/dev/stdout``, ``/dev/stderr``,
  ``/dev/fd/N``, ``/proc/self/fd/N``) is written through that descriptor, as the shell set it
  up: after ``>> log.txt`` the text is appended to ``log.txt``, never replacing it.

* :func:`write_texts` writes several files so: every check and every temporary file first,
  then the renames, so that a failure leaves all the regular files as they were;
* a name so long (over 200 bytes) that the temporary file's could not be made in the folder
  gets a temporary file named ``.bigram-ref.XXXXXXXX.tmp`` instead.

Errors name the path the user gave, never the temporary file (a symbolic link whose target
lies in a folder that does not exist is named with that folder); a path
too long for the file system is refused by that name too, and so is one no file system can
hold at all (:func:`path_text`: a NUL byte, a lone surrogate given from Python).
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from bigram_ref import validate
from bigram_ref.validate import InputError

__all__ = ["check_target", "path_text", "write_text", "write_texts"]


def path_text(path: object, name: str) -> str:
    """The text of a path (a ``str`` or an ``os.PathLike`` giving one), checked to be one a file name can hold.

    Raises
    ------
    InputError
        If ``path`` is not a ``str`` and no ``os.PathLike`` whose ``__fspath__()`` gives one, or it holds a NUL
        byte or a lone surrogate other than the escaped bytes of a name that is not UTF-8
        (which the operating system would refuse with a ``ValueError`` or ``UnicodeEncodeError``).
        The message starts with ``name`` and shows the path with those characters escaped.

    Examples
    --------
    >>> from bigram_ref.files import path_text
    >>> path_text("names.txt", "--corpus")
    'names.txt'
    >>> try:
    ...     path_text("a\\x00b", "--corpus")
    ... except ValueError as error:
    ...     print(error)
    ...
    --corpus: the path 'a\\x00b' contains a NUL byte, which no file name can hold
    """
    text = path.__fspath__() if isinstance(path, os.PathLike) else path
    if not isinstance(text, str):
        got = type(path).__name__
        if isinstance(path, os.PathLike):
            got += f" whose __fspath__() returned {type(text).__name__}"
        raise InputError(f"{name}: expected a path (str or os.PathLike), got {got}")
    if "\x00" in text:
        raise InputError(f"{name}: the path {text!r} contains a NUL byte, which no file name can hold")
    try:
        os.fsencode(text)
    except UnicodeEncodeError as exc:
        c = text[exc.start]
        raise InputError(
            f"{name}: the path {text!r} contains {c!r} (U+{ord(c):04X}), a lone surrogate, which no file name can hold"
        ) from None
    return text


def check_target(path: str | Path, option: str = "--out") -> Path:
    """Check, before any work, that ``path`` can be written as a file in a folder that exists.

    Returns the path to write: ``path`` itself, or the file a symbolic link points to.

    Raises
    ------
    InputError
        If ``path`` is empty or no file name can hold it (:func:`path_text`), ends in ``/`` (or ``.``,
        ``..``), is a directory, a loop of symbolic links or too long for the file system, or its
        folder does not exist or is not a directory.
    PermissionError
        If ``path`` is an existing file you may not write, another user's file in a sticky
        folder, or its folder is one you may not create files in.
    OSError
        If a file cannot be made in its folder for another reason (a read-only file system,
        ``/proc``), or the path cannot be examined; the error names ``path`` as given.
    """
    text = path_text(path, option)
    try:
        return _check(text, option)
    except InputError:
        raise
    except OSError as exc:
        if exc.filename == text:
            raise
        raise OSError(exc.errno, exc.strerror, text) from None  # the given path, not a resolved one


def _check(text: str, option: str) -> Path:
    if not text:
        raise InputError(f"{option}: the path is empty, expected a file path")
    fd = _descriptor(text)
    if fd is not None:
        try:
            os.fstat(fd)
        except OSError:
            raise InputError(f"{text}: descriptor {fd} is not open, expected a file path for {option}") from None
        return Path(text)
    if os.path.basename(text) in {"", ".", ".."}:  # newdir/ would otherwise become a file newdir
        raise InputError(f"{text}: names a directory (it ends in /, . or ..), expected a file path for {option}")
    given = Path(text)
    try:
        real = Path(os.path.realpath(given, strict=True))
    except OSError as exc:  # a new file, a dangling link, or a path that cannot exist
        if exc.errno == errno.ELOOP:
            raise InputError(f"{given}: a loop of symbolic links, expected a file path for {option}") from None
        if exc.errno == errno.ENAMETOOLONG:
            too_long = "the path or a name in it is too long for the file system"
            raise InputError(f"{given}: {too_long}, expected a file path for {option}") from None
        real = Path(os.path.realpath(given))  # follows every link, even a dangling one
    if real.is_dir():
        raise InputError(f"{given}: is a directory, expected a file path for {option}")
    if not real.parent.is_dir():
        if real.parent.exists():
            raise InputError(f"{given}: {real.parent} is not a directory")
        raise InputError(f"{given}: the directory {real.parent} does not exist")
    if real.is_file() and not os.access(real, os.W_OK):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), text)
    new_file = not real.exists() or real.is_file()  # a new file or a replaced one: made in the folder
    if new_file and not os.access(real.parent, os.W_OK | os.X_OK):
        denied = f"{os.strerror(errno.EACCES)} (cannot create files in {real.parent})"
        raise PermissionError(errno.EACCES, denied, text)
    if real.is_file() and _sticky_and_not_ours(real):
        why = f"{os.strerror(errno.EPERM)} (the folder {real.parent} is sticky and the file is another user's)"
        raise PermissionError(errno.EPERM, why, text)
    if new_file:
        _try_creating(real.parent, text)
    return real


def _sticky_and_not_ours(real: Path) -> bool:
    """Whether the rename over ``real`` would fail: a sticky folder (mode 1777, such as ``/tmp``) lets only
    the owner of a file (or of the folder, or root) replace it."""
    uid = os.geteuid()
    folder = os.stat(real.parent)
    return bool(folder.st_mode & stat.S_ISVTX) and uid not in {0, folder.st_uid, os.stat(real).st_uid}


def _try_creating(folder: Path, text: str) -> None:
    """Make (and remove at once) an empty file in ``folder``, as the write will: a file system that does not
    allow it (read-only, ``/proc``) is found before any work, with its reason."""
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")
    except OSError as exc:
        # ENOENT in a folder that exists: the file system has no way to make a file there
        reason = "the file system does not allow new files" if exc.errno == errno.ENOENT else exc.strerror
        raise OSError(exc.errno, f"{reason} (cannot create files in {folder})", text) from None
    os.close(fd)
    os.unlink(tmp)


def write_text(path: str | Path, text: str, option: str = "--out") -> None:
    """Write ``text`` (UTF-8) to ``path`` whole or not at all (see the module's rules).

    A target with other hard links gets the new text under ``path`` only: the rename makes
    a new file, and the other links keep the old one. That new file is yours: a file you
    may write but that another user owns becomes your file, with the old permission bits.
    """
    write_texts([(path, text)], option)


def write_texts(files: Sequence[tuple[str | Path, str]], option: str = "--out") -> None:
    """Write several texts, each as :func:`write_text` writes one, and replace all the regular files or none.

    Every path is checked and every new text is written to its temporary file and flushed to
    disk first; devices and open descriptors are written next; only then are the temporary
    files renamed over their targets. So a failure anywhere before the renames (a full disk,
    a device that refuses the text) leaves every regular file as it was: ``bench --record``
    never leaves a new ``bench.json`` beside an old ``bench.md``.
    """
    if isinstance(files, str | bytes) or not isinstance(files, Sequence):
        raise InputError(f"files: expected a list of (path, text) pairs, got {validate.shown(files)}")
    for k, item in enumerate(files):
        if not (isinstance(item, tuple | list) and len(item) == 2):
            raise InputError(f"files[{k}]: expected a (path, text) pair, got {validate.shown(item)}")
    plans = [(path, _encoded(text), check_target(path, option)) for path, text in files]
    staged: list[tuple[str, Path, str | Path]] = []  # (temporary file, target, the path as given)
    try:
        for path, data, real in plans:
            if _descriptor(os.fspath(path)) is None and _regular_or_new(real):
                staged.append((_stage(real, data, path), real, path))
        for path, data, real in plans:
            if _descriptor(os.fspath(path)) is not None or not _regular_or_new(real):
                _write_through(path, data, real)
        while staged:
            tmp, real, path = staged[0]
            _named(path, os.replace, tmp, real)
            staged.pop(0)
    finally:
        for tmp, _, _ in staged:  # not renamed: a failure came first
            Path(tmp).unlink(missing_ok=True)


def _encoded(text: object) -> bytes:
    text = validate.instance(text, "text", str)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate: no UTF-8 for it
        c = text[exc.start]
        raise InputError(f"text: contains {c!r} (U+{ord(c):04X}), a lone surrogate, which UTF-8 cannot hold") from None


def _regular_or_new(real: Path) -> bool:
    try:
        return stat.S_ISREG(os.stat(real).st_mode)
    except FileNotFoundError:
        return True


def _named(path: str | Path, action: Callable[..., object], *args: object) -> None:
    """Run ``action``; an OSError it raises names ``path`` as the user gave it, never a temporary file."""
    try:
        action(*args)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, os.fspath(path)) from None


def _write_through(path: str | Path, data: bytes, real: Path) -> None:
    """Write to an open descriptor (as the shell set it up: append, pipe, ...) or a device or FIFO, in place."""
    fd = _descriptor(os.fspath(path))

    def write() -> None:
        with os.fdopen(os.dup(fd), "wb") if fd is not None else open(real, "wb") as fh:
            fh.write(data)

    _named(path, write)


def _stage(real: Path, data: bytes, path: str | Path) -> str:
    """Write ``data`` to a new temporary file beside ``real``, flushed to disk, with the mode ``real`` will have."""
    try:
        mode: int | None = os.stat(real).st_mode
    except FileNotFoundError:
        mode = None
    # named after the target, unless that name is so long that the temporary one would pass the 255-byte limit
    prefix = f".{real.name}." if len(os.fsencode(real.name)) <= _LONGEST_NAMED else ".bigram-ref."
    fd, tmp = -1, ""

    def stage() -> None:
        nonlocal fd, tmp
        fd, tmp = tempfile.mkstemp(dir=real.parent, prefix=prefix, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, stat.S_IMODE(mode) if mode is not None else 0o666 & ~_umask())

    try:
        _named(path, stage)
    except BaseException:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


_LONGEST_NAMED = 200
"""The longest file name (in bytes) whose temporary file is named after it: ``.NAME.`` plus eight random
characters and ``.tmp`` stay within the 255 bytes that most file systems allow."""


_STANDARD = {"/dev/stdin": 0, "/dev/stdout": 1, "/dev/stderr": 2}


def _descriptor(text: str) -> int | None:
    """The descriptor number if ``text`` names one of this process's open descriptors, else None."""
    absolute = os.path.abspath(text)
    if absolute in _STANDARD:
        return _STANDARD[absolute]
    for folder in ("/dev/fd/", "/proc/self/fd/", f"/proc/{os.getpid()}/fd/"):
        number = absolute.removeprefix(folder)
        if absolute.startswith(folder) and number.isdigit():
            return int(number)
    return None


def _umask() -> int:
    mask = os.umask(0)  # the only way to read it is to set it: put it straight back
    os.umask(mask)
    return mask
