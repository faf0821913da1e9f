"""File formats. ``read(path)`` / ``write(music, path)`` dispatch on the extension; the
format modules (``midi``, ``jsonio``, ...) load only when used."""

from orchestrion.io.registry import Format, format_of, formats, get_format, read, register, write

__all__ = ["Format", "format_of", "formats", "get_format", "read", "register", "write"]
