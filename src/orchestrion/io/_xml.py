"""Safe parsing of untrusted XML (MusicXML, MuseScore ``.mscx``, ``container.xml``).

:func:`parse_xml` turns bytes into a stdlib :class:`xml.etree.ElementTree.Element` tree with
the C-accelerated parser, after making every safety rule explicit instead of relying on the
defaults of the expat version at hand. What is refused (each raises
:class:`~orchestrion.errors.FormatError` whose message starts with the file's path):

- Entity declarations of any kind (``<!ENTITY ...>`` in an internal DTD subset, general or
  parameter, internal or external, parsed or unparsed): this refuses "billion laughs"
  expansion bombs and XXE (external entities that read local files or URLs).
- References to external entities, to entities expat had to skip, and parameter-entity
  references (``%name;``) in the internal DTD subset: nothing outside the given bytes is
  ever read. A reference to an undeclared entity in the document body is malformed XML.
  A ``<!DOCTYPE ... PUBLIC "..." "http://...">`` line, as every MusicXML file has, is
  accepted and ignored: the DTD is never fetched (expat has no network code and parameter
  entity parsing is switched off) and the document is not validated against it.
- Empty input, input that is not XML, malformed XML (reported with its line and column,
  columns counting from 1 as editors do), an encoding declaration that contradicts the bytes
  or names an encoding expat cannot use.
- Documents larger than :data:`MAX_XML_BYTES`, with more than :data:`MAX_TAGS` markup
  characters (``<``: this bounds the size of the tree in memory), or nested deeper than
  :data:`MAX_DEPTH` elements (real scores nest about ten deep; a limit keeps recursive code
  that walks the tree safe). Expat and the C tree builder are not recursive, so deep input
  cannot crash the parser itself.

Namespaces are left as they are: ElementTree spells a namespaced tag ``{uri}local``.
MusicXML and MuseScore files use no namespace, so their tags are plain names. XInclude and
processing instructions are not acted upon; comments and processing instructions are dropped.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Callable
from itertools import chain
from xml.parsers import expat

from orchestrion.errors import FormatError

__all__ = ["MAX_DEPTH", "MAX_TAGS", "MAX_XML_BYTES", "parse_xml"]

#: The largest XML document read, in bytes (256 MiB; the largest MusicXML file of the
#: music21 corpus is about 11 MB).
MAX_XML_BYTES: int = 256 * 1024 * 1024

#: At most this many ``<`` characters (every start tag, end tag, comment and declaration
#: begins with one). A tree costs about 90 bytes per element, so this keeps a hostile file
#: of tiny elements under about 1 GB of memory; real scores use ~20 bytes per ``<``.
MAX_TAGS: int = 10_000_000

#: The deepest element nesting accepted (the root element is depth 1).
MAX_DEPTH: int = 128

# The prolog check feeds expat this many bytes at a time and stops at the root element.
_PROLOG_CHUNK = 64 * 1024


class _RefusedError(Exception):
    """Raised inside an expat handler to stop parsing with a reason."""


class _RootReachedError(Exception):
    """Raised inside an expat handler when the root element starts: the prolog is over."""


def _refuse(reason: str) -> Callable[..., None]:
    """An expat handler that refuses the construct it is called for."""

    def handler(*_args: object) -> None:
        raise _RefusedError(reason)

    return handler


def _prolog_default(text: str) -> None:
    """Expat's handler for prolog text no other handler took: refuses a parameter-entity
    reference (``%name;`` in the internal DTD subset), which expat would otherwise skip."""
    if text.startswith("%"):
        raise _RefusedError("parameter entity references are not allowed")


def _root_reached(*_args: object) -> None:
    raise _RootReachedError


def _position(line: int, column: int) -> str:
    """``line L, column C`` with expat's 0-based column made 1-based."""
    return f"line {line}, column {column + 1}"


def _looks_like_xml(data: bytes) -> bool:
    """Whether ``data`` starts like an XML document: ``<`` after optional whitespace, or a
    UTF-8 or UTF-16 byte order mark, or ``<`` as UTF-16 without one."""
    head = data[:4096]
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")):
        return True
    return head.lstrip(b" \t\r\n").startswith(b"<")


def _malformed(data: bytes, line: int, column: int, reason: str,
               path: str | os.PathLike[str] | None) -> FormatError:
    """The error for expat's complaint ``reason`` at (``line``, 0-based ``column``) in
    ``data``; input that does not even start like XML says so."""
    message = f"malformed XML at {_position(line, column)}: {reason}"
    if (line, column) == (1, 0) or not _looks_like_xml(data):
        message = f"not an XML document ({message})"
    return FormatError(message, path)


def _check_prolog(data: bytes, path: str | os.PathLike[str] | None) -> None:
    """Run expat with explicit refusing handlers over the prolog (everything before the root
    element: the XML declaration and the DOCTYPE with its internal subset).

    Declarations can only appear there, so the rest of the document needs no such hooks and
    is left to the fast C parser. Raises ``FormatError`` for a refused construct or for a
    prolog expat cannot parse.
    """
    parser = expat.ParserCreate()
    # Explicit: never read the external DTD subset or external parameter entities.
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.EntityDeclHandler = _refuse("entity declarations are not allowed")
    parser.UnparsedEntityDeclHandler = _refuse("entity declarations are not allowed")
    parser.ExternalEntityRefHandler = _refuse("external entity references are not allowed")
    parser.SkippedEntityHandler = _refuse(
        "references to undeclared or parameter entities are not allowed")
    parser.DefaultHandler = _prolog_default
    parser.StartElementHandler = _root_reached
    try:
        for start in range(0, len(data), _PROLOG_CHUNK):
            parser.Parse(data[start:start + _PROLOG_CHUNK], False)
        parser.Parse(b"", True)
    except _RootReachedError:
        return
    except _RefusedError as exc:
        where = _position(parser.CurrentLineNumber, parser.CurrentColumnNumber)
        raise FormatError(f"{exc} (at {where})", path) from None
    except expat.ExpatError as exc:
        raise _malformed(data, exc.lineno, exc.offset, expat.ErrorString(exc.code), path) from None
    except (LookupError, ValueError) as exc:  # unknown or multi-byte declared encoding
        raise FormatError(f"unsupported encoding declaration: {exc}", path) from None


def _check_depth(root: ET.Element, path: str | os.PathLike[str] | None) -> None:
    """Raise ``FormatError`` if the tree is deeper than :data:`MAX_DEPTH`.

    Walks the tree level by level without recursion (each level is gathered at C speed).
    """
    level = [root]
    depth = 1
    while True:
        level = list(chain.from_iterable(level))
        if not level:
            return
        depth += 1
        if depth > MAX_DEPTH:
            raise FormatError(f"elements are nested more than {MAX_DEPTH} levels deep", path)


def parse_xml(data: bytes, path: str | os.PathLike[str] | None = None) -> ET.Element:
    """Parse untrusted XML bytes into an Element tree (stdlib ElementTree, C accelerated).

    ``path`` only names the file in error messages. Entity declarations, external and
    skipped entities are refused, the DTD named by a DOCTYPE is never fetched, and the size,
    markup count and nesting depth are bounded (see the module docstring for the rules and
    :data:`MAX_XML_BYTES`, :data:`MAX_TAGS`, :data:`MAX_DEPTH`). Tags keep their namespace
    as ``{uri}local``.

    Raises:
        FormatError: for empty, non-XML, malformed, oversized or refused input; the message
            starts with ``path`` when one is given, and gives the line and (1-based) column of
            a syntax error.
        TypeError: if ``data`` is not bytes-like.
    """
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise TypeError(f"parse_xml needs bytes, not {type(data).__name__}")
    if not data or data.isspace():
        raise FormatError("empty file: no XML data", path)
    if len(data) > MAX_XML_BYTES:
        raise FormatError(
            f"XML document of {len(data)} bytes is larger than the {MAX_XML_BYTES} allowed", path)
    if data.count(b"<") > MAX_TAGS:
        raise FormatError(f"XML document has more than {MAX_TAGS} tags", path)
    _check_prolog(data, path)
    parser = ET.XMLParser()
    try:
        parser.feed(data)
        root = parser.close()
    except ET.ParseError as exc:
        line, column = exc.position
        raise _malformed(data, line, column, expat.ErrorString(exc.code), path) from None
    except (LookupError, ValueError) as exc:  # unknown or multi-byte declared encoding
        raise FormatError(f"unsupported encoding declaration: {exc}", path) from None
    _check_depth(root, path)
    return root
