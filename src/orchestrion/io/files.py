"""File helpers shared by every format: atomic writes and path checks.

Writers never leave a half-written file: they write to a temporary file in the target's
folder and ``os.replace`` it over the target only when everything succeeded.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from orchestrion.errors import FormatError


def _read_umask() -> int:
    mask = os.umask(0o022)  # the only portable way to read it is to set it...
    os.umask(mask)          # ...and put it back, once, at import
    return mask


#: The process's umask: files written here get ``0o666 & ~umask``, like ``open()`` gives,
#: not the ``0o600`` of ``tempfile.mkstemp``.
UMASK = _read_umask()


def new_file_mode(path: str | os.PathLike[str]) -> None:
    """Give a file made by ``tempfile.mkstemp`` the mode ``open()`` would have given it."""
    os.chmod(path, 0o666 & ~UMASK)


def check_readable(path: str | os.PathLike[str]) -> Path:
    """Return ``path`` as a ``Path`` or raise ``FormatError`` if it is not a readable file."""
    p = Path(path)
    if not p.exists():
        raise FormatError("no such file", p)
    if p.is_dir():
        raise FormatError("is a directory, not a file", p)
    return p


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "wb",
                encoding: str | None = None) -> Iterator[IO]:
    """Open a temporary sibling of ``path`` for writing; rename it to ``path`` on success.

    On any exception the temporary file is removed and ``path`` is left as it was.
    """
    target = Path(path)
    if target.is_dir():
        raise FormatError("is a directory, cannot write a file there", target)
    if not target.parent.exists():
        raise FormatError("parent folder does not exist", target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        new_file_mode(tmp)
        with os.fdopen(fd, mode, encoding=encoding) as handle:
            yield handle
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_open`)."""
    with atomic_open(path, "wb") as handle:
        handle.write(data)
