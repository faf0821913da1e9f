"""One registry of file formats: ``read(path)`` and ``write(music, path)`` dispatch on the
extension to the format's module, imported only when first used (keeps ``import
orchestrion`` light).

A format's module provides a reader ``(path, **options) -> Music`` and, when it can write, a
writer ``(music, path, **options) -> None``, named ``read`` and ``write`` unless the format
says otherwise (one module may serve several formats, as JSON and YAML share one). Formats
added by later modules register here with :func:`register`.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchestrion.errors import FormatError
from orchestrion.io.files import check_readable

if TYPE_CHECKING:
    from orchestrion.core.model import Music


@dataclass(frozen=True)
class Format:
    """A file format: its ``name``, lower-case ``extensions`` and implementing ``module``,
    whose functions ``reader`` and ``writer`` read and write it."""

    name: str
    extensions: tuple[str, ...]
    module: str
    can_write: bool = True
    reader: str = "read"
    writer: str = "write"

    def read(self, path: str | os.PathLike[str], **options: Any) -> Music:
        return getattr(importlib.import_module(self.module), self.reader)(path, **options)

    def write(self, music: Music, path: str | os.PathLike[str], **options: Any) -> None:
        if not self.can_write:
            raise FormatError(f"orchestrion cannot write {self.name} files", path)
        getattr(importlib.import_module(self.module), self.writer)(music, path, **options)


_FORMATS: dict[str, Format] = {}


def register(fmt: Format) -> None:
    """Add (or replace) a format; its extensions must not belong to another format."""
    for other in _FORMATS.values():
        clash = set(other.extensions) & set(fmt.extensions)
        if other.name != fmt.name and clash:
            raise ValueError(f"extensions {sorted(clash)} already belong to {other.name}")
    _FORMATS[fmt.name] = fmt


register(Format("midi", (".mid", ".midi", ".smf", ".kar"), "orchestrion.io.midi"))
register(Format("musicxml", (".musicxml", ".xml", ".mxl"), "orchestrion.io.musicxml",
                reader="read_musicxml", writer="write_musicxml"))
register(Format("musescore", (".mscx", ".mscz"), "orchestrion.io.musescore", can_write=False,
                reader="read_musescore"))
register(Format("abc", (".abc",), "orchestrion.io.abc", reader="read_abc", writer="write_abc"))
register(Format("kern", (".krn",), "orchestrion.io.kern", can_write=False,
                reader="read_kern"))
register(Format("json", (".json", ".json.gz"), "orchestrion.io.jsonio",
                reader="read_json", writer="write_json"))
register(Format("yaml", (".yaml", ".yml", ".yaml.gz", ".yml.gz"), "orchestrion.io.jsonio",
                reader="read_yaml", writer="write_yaml"))


def formats() -> list[Format]:
    """All registered formats, in registration order."""
    return list(_FORMATS.values())


def get_format(name: str) -> Format:
    """The format called ``name`` (case-insensitive), or ``FormatError`` listing the known."""
    fmt = _FORMATS.get(name.lower().lstrip("."))
    if fmt is None:
        for candidate in _FORMATS.values():  # allow an extension such as 'mid' or 'yml'
            if "." + name.lower().lstrip(".") in candidate.extensions:
                return candidate
        raise FormatError(f"unknown format {name!r}; known: {', '.join(_FORMATS)}")
    return fmt


def format_of(path: str | os.PathLike[str]) -> Format:
    """The format whose extension ends ``path`` (longest match, so '.json.gz' beats '.gz')."""
    name = Path(path).name.lower()
    best: tuple[int, Format] | None = None
    for fmt in _FORMATS.values():
        for ext in fmt.extensions:
            if name.endswith(ext) and (best is None or len(ext) > best[0]):
                best = (len(ext), fmt)
    if best is None:
        known = ", ".join(e for f in _FORMATS.values() for e in f.extensions)
        raise FormatError(f"unknown file extension (known: {known})", path)
    return best[1]


def read(path: str | os.PathLike[str], format: str | None = None, **options: Any) -> Music:
    """Read a file into :class:`~orchestrion.core.model.Music`, choosing the reader by
    extension (or by ``format``). Problems raise ``FormatError`` naming the file."""
    fmt = get_format(format) if format else format_of(path)
    check_readable(path)
    return fmt.read(path, **options)


def write(music: Music, path: str | os.PathLike[str], format: str | None = None,
          **options: Any) -> None:
    """Write ``music`` to ``path`` in the format its extension (or ``format``) names.

    The file appears whole or not at all (written to a temporary file, then renamed).
    """
    fmt = get_format(format) if format else format_of(path)
    fmt.write(music, path, **options)
