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
  name you gave, and its other names keep the old text;
* a symbolic link is followed: its target is written atomically, and the link stays;
* anything else that exists — a device such as ``/dev/null``, a FIFO — is written to
  directly, never replaced; a directory is refused, and so is a path ending in ``/``,
  which names one;
* a name for one of this process's open descriptors (``/dev/stdout``, ``/dev/stderr``,
  ``/dev/fd/N``, ``/proc/self/fd/N``) is written through that descriptor, as the shell set it
  up: after ``>> log.txt`` the text is appended to ``log.txt``, never replacing it.

Errors name the path the user gave, never the temporary file or a resolved link.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

from bigram_ref.validate import InputError

__all__ = ["check_target", "write_text"]


def check_target(path: str | Path, option: str = "--out") -> Path:
    """Check, before any work, that ``path`` can be written as a file in a folder that exists.

    Returns the path to write: ``path`` itself, or the file a symbolic link points to.

    Raises
    ------
    InputError
        If ``path`` is empty, ends in ``/`` (or ``.``, ``..``), is a directory or a loop of symbolic links, or
        its folder does not exist or is not a directory.
    PermissionError
        If ``path`` is an existing file you may not write, or its folder is one you may not
        create files in.
    """
    text = os.fspath(path)
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
    return real


def write_text(path: str | Path, text: str, option: str = "--out") -> None:
    """Write ``text`` (UTF-8) to ``path`` whole or not at all (see the module's rules).

    A target with other hard links gets the new text under ``path`` only: the rename makes
    a new file, and the other links keep the old one.
    """
    real = check_target(path, option)
    fd = _descriptor(os.fspath(path))
    if fd is not None:  # already open, as the shell set it up (append, pipe, ...): write through it
        try:
            with os.fdopen(os.dup(fd), "wb") as fh:
                fh.write(text.encode("utf-8"))
        except OSError as exc:
            raise OSError(exc.errno, exc.strerror, os.fspath(path)) from None
        return
    try:
        mode = os.stat(real).st_mode
    except FileNotFoundError:
        mode = None
    try:
        if mode is not None and not stat.S_ISREG(mode):  # a device or FIFO: never replace it
            with open(real, "w", encoding="utf-8") as fh:
                fh.write(text)
            return
        _replace(real, text.encode("utf-8"), mode)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, os.fspath(path)) from None


def _replace(real: Path, data: bytes, mode: int | None) -> None:
    fd, tmp = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, stat.S_IMODE(mode) if mode is not None else 0o666 & ~_umask())
        os.replace(tmp, real)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
