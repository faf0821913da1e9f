"""Safe reading of the one XML document inside a zipped score (``.mxl``, ``.mscz``).

The archive is read from memory with the stdlib :mod:`zipfile` and never extracted to disk;
only the one member that holds the score (and ``META-INF/container.xml``, which names it) is
decompressed. What is refused (each raises :class:`~orchestrion.errors.FormatError` whose
message starts with the file's path):

- Data that is not a zip archive, or a corrupt or truncated one (bad headers, bad CRC,
  broken deflate stream), and archives with more than :data:`MAX_MEMBERS` entries.
- Zip bombs: before inflating, a member whose declared size exceeds
  :data:`MAX_MEMBER_BYTES` or whose declared compression ratio exceeds :data:`MAX_RATIO`
  (for members over :data:`RATIO_MIN_BYTES`); while inflating, reading stops with an error
  as soon as more than the limit has come out, since declared sizes can lie.
- Encrypted members, and compression methods other than stored and deflated (the only ones
  MusicXML and MuseScore write).
- A rootfile path in ``container.xml`` that is empty, absolute (``/x``, ``C:x``, ``\\\\x``)
  or has a ``..`` component; backslashes count as separators. A rootfile that is missing
  from the archive, or whose name appears more than once in it.
- A malformed ``container.xml`` (parsed with :func:`orchestrion.io._xml.parse_xml`, so with
  the same entity and size rules as the score).
"""

from __future__ import annotations

import io
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from typing import IO
from xml.etree.ElementTree import Element

from orchestrion.errors import FormatError
from orchestrion.io._xml import MAX_XML_BYTES, parse_xml

__all__ = [
    "MAX_CONTAINER_BYTES",
    "MAX_MEMBERS",
    "MAX_MEMBER_BYTES",
    "MAX_RATIO",
    "MUSICXML_MEDIA_TYPE",
    "RATIO_MIN_BYTES",
    "read_mscz",
    "read_mxl",
]

#: The most bytes the score member may inflate to (the XML size limit of ``_xml``, 256 MiB).
MAX_MEMBER_BYTES: int = MAX_XML_BYTES

#: The highest uncompressed / compressed size ratio of a member. Deflate reaches about 1030
#: on runs of one byte (a bomb); real MusicXML reaches about 55 in the music21 corpus.
MAX_RATIO: int = 200

#: Members up to this uncompressed size skip the ratio check (a small file of repeated
#: spaces can compress 300-fold and costs nothing to inflate).
RATIO_MIN_BYTES: int = 1024 * 1024

#: The most bytes ``META-INF/container.xml`` may inflate to.
MAX_CONTAINER_BYTES: int = 1024 * 1024

#: The most entries an archive may list.
MAX_MEMBERS: int = 10_000

#: The media type of an uncompressed MusicXML rootfile in ``container.xml``.
MUSICXML_MEDIA_TYPE = "application/vnd.recordare.musicxml+xml"

_CONTAINER = "META-INF/container.xml"
_CHUNK = 1024 * 1024
_ALLOWED_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}
_DRIVE = re.compile(r"^[A-Za-z]:")
# What a damaged archive or deflate stream can raise from zipfile, zlib and struct.
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError,
               NotImplementedError, IndexError, KeyError, OverflowError, struct.error)

_PathArg = str | os.PathLike[str] | None


def _open(data: bytes, path: _PathArg, kind: str) -> zipfile.ZipFile:
    """Open ``data`` as a zip archive or raise ``FormatError`` naming ``kind``."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"archive data must be bytes, not {type(data).__name__}")
    if not data:
        raise FormatError(f"empty file: not a {kind} (zip archive)", path)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except _ZIP_ERRORS as exc:
        raise FormatError(f"not a {kind} (not a readable zip archive: {exc})", path) from None
    if len(archive.infolist()) > MAX_MEMBERS:
        raise FormatError(f"zip archive lists more than {MAX_MEMBERS} entries", path)
    return archive


def _clean_name(name: str) -> str | None:
    """``name`` with backslashes as ``/`` and no empty or ``.`` components, or ``None`` if it
    is empty, absolute or climbs out of the archive with ``..``."""
    name = name.replace("\\", "/")
    if "\x00" in name or name.startswith("/") or _DRIVE.match(name):
        return None
    parts = name.split("/")
    if ".." in parts:
        return None
    cleaned = "/".join(part for part in parts if part not in ("", "."))
    return cleaned or None


def _index(archive: zipfile.ZipFile) -> dict[str, list[zipfile.ZipInfo]]:
    """The archive's files (no folders) by cleaned name; unsafe names are left out."""
    members: dict[str, list[zipfile.ZipInfo]] = {}
    for info in archive.infolist():
        name = _clean_name(info.filename)
        if name is not None and not info.filename.endswith(("/", "\\")):
            members.setdefault(name, []).append(info)
    return members


def _read_capped(stream: IO[bytes], limit: int, compressed: int, name: str,
                 path: _PathArg) -> bytes:
    """Read ``stream`` in chunks, raising ``FormatError`` as soon as more than ``limit``
    bytes, or more than :data:`MAX_RATIO` times ``compressed`` bytes (past
    :data:`RATIO_MIN_BYTES`), have come out."""
    chunks: list[bytes] = []
    total = 0
    while chunk := stream.read(_CHUNK):
        total += len(chunk)
        if total > limit:
            raise FormatError(
                f"member '{name}' inflates to more than {limit} bytes (zip bomb?)", path)
        if total > RATIO_MIN_BYTES and total > MAX_RATIO * max(compressed, 1):
            raise FormatError(f"member '{name}' inflates more than {MAX_RATIO} times its "
                              f"compressed size of {compressed} bytes (zip bomb?)", path)
        chunks.append(chunk)
    return b"".join(chunks)


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int,
                 path: _PathArg) -> bytes:
    """The bytes of one member, checked before and while inflating (see module docstring)."""
    name = info.filename
    if info.flag_bits & 0x1:
        raise FormatError(f"member '{name}' is encrypted", path)
    if info.compress_type not in _ALLOWED_METHODS:
        raise FormatError(f"member '{name}' uses compression method {info.compress_type}; "
                          "only stored and deflated are supported", path)
    if info.file_size > limit:
        raise FormatError(f"member '{name}' declares {info.file_size} bytes uncompressed, "
                          f"more than the {limit} allowed", path)
    if (info.file_size > RATIO_MIN_BYTES
            and info.file_size > MAX_RATIO * max(info.compress_size, 1)):
        raise FormatError(f"member '{name}' declares a compression ratio above {MAX_RATIO} "
                          f"({info.file_size} from {info.compress_size} bytes; zip bomb?)",
                          path)
    try:
        with archive.open(info) as stream:
            return _read_capped(stream, limit, info.compress_size, name, path)
    except _ZIP_ERRORS as exc:
        raise FormatError(f"member '{name}' is corrupt: {exc}", path) from None


def _only(members: dict[str, list[zipfile.ZipInfo]], name: str, path: _PathArg
          ) -> zipfile.ZipInfo:
    """The one member called ``name``; ``FormatError`` if it appears more than once."""
    found = members[name]
    if len(found) > 1:
        raise FormatError(f"member '{name}' appears {len(found)} times in the archive", path)
    return found[0]


def _rootfiles(archive: zipfile.ZipFile, members: dict[str, list[zipfile.ZipInfo]],
               path: _PathArg) -> list[Element] | None:
    """The ``<rootfile>`` elements of ``META-INF/container.xml`` in document order, or
    ``None`` if the archive has no container."""
    if _CONTAINER not in members:
        return None
    data = _read_member(archive, _only(members, _CONTAINER, path), MAX_CONTAINER_BYTES, path)
    try:
        root = parse_xml(data)
    except FormatError as exc:
        raise FormatError(f"{_CONTAINER}: {exc.reason}", path) from None
    # Match the local name, so a namespaced container (as in EPUB's OCF) works too.
    return [el for el in root.iter() if isinstance(el.tag, str)
            and el.tag.rpartition("}")[2] == "rootfile"]


def _named_rootfile(archive: zipfile.ZipFile, members: dict[str, list[zipfile.ZipInfo]],
                    path: _PathArg, wanted: Callable[[Element], bool]) -> bytes | None:
    """The bytes of the first rootfile of the container that ``wanted`` accepts, or ``None``
    when there is no container or it names no such rootfile."""
    rootfiles = _rootfiles(archive, members, path)
    chosen = next((el for el in rootfiles or () if wanted(el)), None)
    if chosen is None:
        return None
    full_path = chosen.get("full-path")
    if not full_path:
        raise FormatError(f"a <rootfile> in {_CONTAINER} has no full-path", path)
    name = _clean_name(full_path)
    if name is None:
        raise FormatError(f"rootfile path '{full_path}' in {_CONTAINER} is empty, absolute "
                          "or leaves the archive", path)
    if name not in members:
        raise FormatError(
            f"rootfile '{full_path}' named in {_CONTAINER} is not in the archive", path)
    return _read_member(archive, _only(members, name, path), MAX_MEMBER_BYTES, path)


def read_mxl(data: bytes, path: str | os.PathLike[str] | None = None) -> bytes:
    """The MusicXML document inside a compressed .mxl file: the rootfile that
    META-INF/container.xml names (the first <rootfile> whose media-type is absent or
    'application/vnd.recordare.musicxml+xml'), else the only/first .xml or .musicxml member
    outside META-INF.

    The second rule also applies when a container exists but names no MusicXML rootfile.
    ``path`` only names the file in error messages; the bytes returned are not parsed (hand
    them to :func:`orchestrion.io._xml.parse_xml`).

    Raises:
        FormatError: see the module docstring for what is refused.
    """
    archive = _open(data, path, "compressed MusicXML file (.mxl)")
    with archive:
        members = _index(archive)

        def is_musicxml(el: Element) -> bool:
            media = el.get("media-type")
            return media is None or media.strip() == MUSICXML_MEDIA_TYPE

        found = _named_rootfile(archive, members, path, is_musicxml)
        if found is not None:
            return found
        names = [name for name in members if not name.upper().startswith("META-INF/")
                 and name.lower().endswith((".xml", ".musicxml"))]
        if not names:
            raise FormatError("no MusicXML document (.xml or .musicxml) in the archive", path)
        return _read_member(archive, _only(members, names[0], path), MAX_MEMBER_BYTES, path)


def read_mscz(data: bytes, path: str | os.PathLike[str] | None = None) -> bytes:
    """The .mscx document inside a MuseScore .mscz file (MuseScore 3 and 4: container.xml
    rootfile, else the first .mscx at any depth).

    The container's first rootfile whose path ends in ``.mscx`` wins. Without one, the
    shallowest ``.mscx`` member is taken (the first in archive order among equals), so a
    MuseScore 4 part under ``Excerpts/`` never replaces the main score. ``path`` only names
    the file in error messages; the bytes returned are not parsed.

    Raises:
        FormatError: see the module docstring for what is refused.
    """
    archive = _open(data, path, "MuseScore file (.mscz)")
    with archive:
        members = _index(archive)

        def is_mscx(el: Element) -> bool:
            return (el.get("full-path") or "").lower().endswith(".mscx")

        found = _named_rootfile(archive, members, path, is_mscx)
        if found is not None:
            return found
        names = [name for name in members if name.lower().endswith(".mscx")]
        if not names:
            raise FormatError("no MuseScore document (.mscx) in the archive", path)
        name = min(names, key=lambda n: n.count("/"))
        return _read_member(archive, _only(members, name, path), MAX_MEMBER_BYTES, path)
