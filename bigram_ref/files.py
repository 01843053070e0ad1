"""Writing the command line's output files (``sample --out``, ``bench --record``) safely.

:func:`write_text` never leaves a half-written file and never replaces something that is
not a regular file:

* a regular file (or a new path) is replaced atomically: the text goes to a temporary
  file in the same directory, which is flushed to disk (``fsync``) and renamed over the
  target. An existing file keeps its permission bits; a new one gets the ones the umask
  allows, as ``open`` would give it;
* a symbolic link is followed: its target is written atomically, and the link stays;
* anything else that exists — a device such as ``/dev/null``, a FIFO — is written to
  directly, never replaced; a directory is refused.

Errors name the path the user gave, never the temporary file.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from bigram_ref.validate import InputError

__all__ = ["check_target", "write_text"]


def check_target(path: str | Path, option: str = "--out") -> Path:
    """Check, before any work, that ``path`` can be written: not a directory, in a directory that exists.

    Returns the path to write: ``path`` itself, or the file a symbolic link points to.
    """
    given = Path(path)
    real = Path(os.path.realpath(given))  # follows every link, even a dangling one
    if real.is_dir():
        raise InputError(f"{given}: is a directory, expected a file path for {option}")
    if not real.parent.is_dir():
        raise InputError(f"{given}: the directory {real.parent} does not exist")
    return real


def write_text(path: str | Path, text: str, option: str = "--out") -> None:
    """Write ``text`` (UTF-8) to ``path`` whole or not at all (see the module's rules)."""
    given = Path(path)
    real = check_target(given, option)
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
        raise OSError(exc.errno, exc.strerror, str(given)) from None


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


def _umask() -> int:
    mask = os.umask(0)  # the only way to read it is to set it: put it straight back
    os.umask(mask)
    return mask
