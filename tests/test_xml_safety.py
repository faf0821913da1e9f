"""The safety layer for untrusted score files: ``orchestrion.io._xml`` (entities, DTDs,
malformed and oversized XML) and ``orchestrion.io._archive`` (.mxl/.mscz zip archives:
bombs, lying sizes, paths, encryption). Every hostile input is built here."""

from __future__ import annotations

import io
import socket
import struct
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from orchestrion.errors import FormatError
from orchestrion.io import _archive, _xml
from orchestrion.io._archive import read_mscz, read_mxl
from orchestrion.io._xml import parse_xml

PATH = "scores/piece.xml"
MUSICXML_DOCTYPE = (
    b'<!DOCTYPE score-partwise PUBLIC "-//Recordare//DTD MusicXML 3.0 Partwise//EN" '
    b'"http://www.musicxml.org/dtds/partwise.dtd">\n')
SCORE = (b'<?xml version="1.0" encoding="UTF-8"?>\n' + MUSICXML_DOCTYPE
         + b'<score-partwise version="3.0"><part-list/></score-partwise>\n')


def refused(data: bytes, match: str, path: str | Path = PATH) -> FormatError:
    """Parse ``data`` expecting a ``FormatError`` whose message starts with ``path`` and
    contains ``match``; return it."""
    with pytest.raises(FormatError, match=match) as info:
        parse_xml(data, path)
    assert str(info.value).startswith(f"{path}: ")
    return info.value


# --- entities and DTDs ---------------------------------------------------------------------

def test_musicxml_doctype_parses_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    attempts: list[object] = []

    def no_network(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("network access attempted")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    root = parse_xml(SCORE, PATH)
    assert root.tag == "score-partwise"
    assert root.get("version") == "3.0"
    assert [child.tag for child in root] == ["part-list"]
    system_only = b'<!DOCTYPE s SYSTEM "http://127.0.0.1:9/evil.dtd"><s>x</s>'
    assert parse_xml(system_only, PATH).text == "x"
    assert attempts == []


def test_xxe_file_entity_reads_nothing(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-7f3a")
    uri = secret.as_uri().encode()
    for doc in (
        b'<!DOCTYPE s [<!ENTITY e SYSTEM "' + uri + b'">]><s>&e;</s>',
        b'<!DOCTYPE s [<!ENTITY e PUBLIC "-//X//EN" "' + uri + b'">]><s a="&e;"/>',
        b'<?xml version="1.0"?>\n' + MUSICXML_DOCTYPE.replace(b">\n", b" [\n<!ENTITY e SYSTEM '"
                                                             + uri + b"'>]>\n")
        + b"<score-partwise>&e;</score-partwise>",
    ):
        error = refused(doc, "entity declarations are not allowed")
        assert "TOP-SECRET" not in str(error)
        assert "TOP-SECRET" not in repr(error.__context__)


def test_xxe_error_gives_position() -> None:
    doc = b'<!DOCTYPE s [\n  <!ENTITY e SYSTEM "file:///etc/passwd">\n]>\n<s>&e;</s>'
    refused(doc, r"entity declarations are not allowed \(at line 2, column \d+\)")


def test_parameter_entities_are_refused(tmp_path: Path) -> None:
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY leak "TOP-SECRET-pe">')
    uri = dtd.as_uri().encode()
    declared = b'<!DOCTYPE s [<!ENTITY % pe SYSTEM "' + uri + b'"> %pe;]><s>&leak;</s>'
    error = refused(declared, "entity declarations are not allowed")
    assert "TOP-SECRET" not in str(error)
    refused(b"<!DOCTYPE s [ %pe; ]><s/>", "parameter entity references are not allowed")
    internal = b'<!DOCTYPE s [<!ENTITY % pe "<!ENTITY x \'y\'>"> %pe;]><s>&x;</s>'
    refused(internal, "entity declarations are not allowed")


def test_billion_laughs_is_refused_quickly() -> None:
    lines = [b'<!ENTITY lol0 "lol">']
    lines += [b'<!ENTITY lol%d "' % i + b"&lol%d;" % (i - 1) * 10 + b'">' for i in range(1, 10)]
    doc = b"<!DOCTYPE lolz [" + b"\n".join(lines) + b"]>\n<lolz>&lol9;</lolz>"
    refused(doc, "entity declarations are not allowed")


@pytest.mark.parametrize("doc", [
    b'<!DOCTYPE s [<!ENTITY a "harmless">]><s>&a;</s>',
    b'<!DOCTYPE s [<!ENTITY a "unused">]><s/>',
    b'<!DOCTYPE s [<!NOTATION n SYSTEM "x"><!ENTITY u SYSTEM "x" NDATA n>]><s/>',
])
def test_any_entity_declaration_is_refused(doc: bytes) -> None:
    refused(doc, "entity declarations are not allowed")


def test_undefined_entity_is_malformed() -> None:
    refused(b"<s>&nbsp;</s>", r"malformed XML at line 1, column 4: undefined entity$")
    # An external DTD that might declare it is not read, so it stays undefined.
    refused(MUSICXML_DOCTYPE + b"<score-partwise>&nbsp;</score-partwise>", "undefined entity")


def test_predefined_and_character_references_expand() -> None:
    root = parse_xml(b'<a t="&quot;&#233;">&lt;&amp;&gt;&#x41;&apos;</a>', PATH)
    assert root.text == "<&>A'"
    assert root.get("t") == '"é'


def test_internal_subset_without_entities_is_accepted() -> None:
    root = parse_xml(b'<!DOCTYPE s [<!ELEMENT s ANY><!ATTLIST s a CDATA "d">]><s/>', PATH)
    assert root.get("a") == "d"


# --- malformed, empty, garbage, encodings ---------------------------------------------------

def test_malformed_xml_names_line_and_column() -> None:
    error = refused(b"<a>\n <b>\n  <c></b>\n</a>",
                    r"malformed XML at line 3, column 8: mismatched tag$")
    assert str(error) == f"{PATH}: malformed XML at line 3, column 8: mismatched tag"
    assert error.path == PATH


@pytest.mark.parametrize(("data", "match"), [
    (b"", "empty file"),
    (b" \n\t\n", "empty file"),
    (bytes(range(256)) * 4, r"not an XML document \(malformed XML at line 1, column 1"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not an XML document"),
    (b"MThd\x00\x00\x00\x06", "not an XML document"),
    (b"<a><b></a>", "line 1, column 9: mismatched tag"),
    (b"<a>", "line 1, column 4: no element found"),
    (b"<a/><b/>", "line 1, column 5: junk after document element"),
    (b"<a x='1' x='2'/>", "duplicate attribute"),
    (b"<a>\x00</a>", "not well-formed"),
    (b'<?xml version="1.0" encoding="UTF-16"?><a/>', "encoding specified in XML declaration"),
    ('<?xml version="1.0" encoding="UTF-8"?><a>é</a>'.encode("latin-1"), "not well-formed"),
    (b'<?xml version="1.0" encoding="no-such-codec"?><a/>', "unsupported encoding"),
    (b'<?xml version="1.0" encoding="shift_jis"?><a/>', "unsupported encoding"),
    (b"<a>" + "é".encode()[:1] + b"</a>", "not well-formed"),
])
def test_bad_input_is_refused(data: bytes, match: str) -> None:
    refused(data, match)


def test_message_starts_with_path_object(tmp_path: Path) -> None:
    refused(b"<a>", "no element found", tmp_path / "x.musicxml")
    with pytest.raises(FormatError, match=r"^malformed XML at line 1"):
        parse_xml(b"<a>")


def test_declared_encodings_that_tell_the_truth_parse() -> None:
    latin = '<?xml version="1.0" encoding="ISO-8859-1"?><a>Dvořák é</a>'.replace("ř", "r")
    assert parse_xml(latin.encode("latin-1"), PATH).text == "Dvorák é"
    utf16 = '<?xml version="1.0" encoding="UTF-16"?><a>Dvořák</a>'.encode("utf-16")
    assert parse_xml(utf16, PATH).text == "Dvořák"
    assert parse_xml(b"\xef\xbb\xbf<a>x</a>", PATH).text == "x"
    assert parse_xml(bytearray(b"<a>y</a>"), PATH).text == "y"


def test_non_bytes_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        parse_xml("<a/>", PATH)  # type: ignore[arg-type]


def test_namespaces_are_kept() -> None:
    root = parse_xml(b'<a xmlns="urn:x"><b/></a>', PATH)
    assert root.tag == "{urn:x}a"
    assert root[0].tag == "{urn:x}b"


# --- size and depth -------------------------------------------------------------------------

def test_million_nested_elements_are_refused() -> None:
    depth = 1_000_000
    refused(b"<a>" * depth + b"</a>" * depth,
            f"nested more than {_xml.MAX_DEPTH} levels deep")


def test_depth_limit_is_exact() -> None:
    def nested(depth: int) -> bytes:
        return b"<a>" * depth + b"</a>" * depth

    root = parse_xml(nested(_xml.MAX_DEPTH), PATH)
    levels = 1
    while len(root):
        root = root[0]
        levels += 1
    assert levels == _xml.MAX_DEPTH
    refused(nested(_xml.MAX_DEPTH + 1), "nested more than")


def test_deep_nesting_in_an_unclosed_document_is_malformed() -> None:
    refused(b"<a>" * 500_000, "no element found")


def test_wide_document_parses() -> None:
    count = 500_000
    root = parse_xml(b"<r>" + b"<note><pitch>60</pitch></note>" * count + b"</r>", PATH)
    assert len(root) == count
    assert root[-1][0].text == "60"


def test_size_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = b"<r>" + b"<a/>" * 100 + b"</r>"
    monkeypatch.setattr(_xml, "MAX_XML_BYTES", len(doc) - 1)
    refused(doc, "larger than")
    monkeypatch.setattr(_xml, "MAX_XML_BYTES", len(doc))
    assert len(parse_xml(doc, PATH)) == 100
    monkeypatch.setattr(_xml, "MAX_TAGS", 101)
    refused(doc, "more than 101 tags")


# --- zip archives: helpers ------------------------------------------------------------------

def container(*rootfiles: tuple[str, str | None]) -> bytes:
    """A ``META-INF/container.xml`` listing ``(full-path, media-type)`` rootfiles."""
    items = "".join(f'<rootfile full-path="{name}"'
                    + ("" if media is None else f' media-type="{media}"') + "/>"
                    for name, media in rootfiles)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<container><rootfiles>{items}'
            "</rootfiles></container>").encode()


def make_zip(*members: tuple[str, bytes],
             compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip archive of ``members`` in order (duplicate names allowed)."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # duplicate names
        with zipfile.ZipFile(buffer, "w", compression) as archive:
            for name, data in members:
                archive.writestr(name, data)
    return buffer.getvalue()


def mxl(*members: tuple[str, bytes], rootfile: str | None = "score.xml") -> bytes:
    """An .mxl archive: mimetype, a container naming ``rootfile`` (none if ``None``),
    then ``members``."""
    head = [("mimetype", b"application/vnd.recordare.musicxml")]
    if rootfile is not None:
        head.append(("META-INF/container.xml",
                     container((rootfile, _archive.MUSICXML_MEDIA_TYPE))))
    return make_zip(*head, *members)


def patch_member(data: bytes, *, local: tuple[int, str, int] | None = None,
                 central: tuple[int, str, int] | None = None) -> bytes:
    """``data`` (a one-member archive) with a field of its local header and/or its central
    directory entry overwritten: ``(offset, struct format, value)``."""
    out = bytearray(data)
    for signature, field in ((b"PK\x03\x04", local), (b"PK\x01\x02", central)):
        if field is not None:
            start = out.index(signature)
            offset, fmt, value = field
            struct.pack_into("<" + fmt, out, start + offset, value)
    return bytes(out)


def archive_refused(data: bytes, match: str,
                    reader: Callable[[bytes, str], bytes] = read_mxl) -> FormatError:
    """Read ``data`` with ``reader`` expecting a ``FormatError`` that starts with the path
    and contains ``match``."""
    with pytest.raises(FormatError, match=match) as info:
        reader(data, "in/piece.mxl")
    assert str(info.value).startswith("in/piece.mxl: ")
    return info.value


# --- .mxl -----------------------------------------------------------------------------------

def test_mxl_with_container() -> None:
    other = b"<score-partwise><other/></score-partwise>"
    data = mxl(("other.xml", other), ("score.xml", SCORE))
    assert read_mxl(data, "x.mxl") == SCORE
    assert parse_xml(read_mxl(data, "x.mxl"), "x.mxl").tag == "score-partwise"


def test_mxl_container_skips_other_media_types() -> None:
    listing = container(("score.pdf", "application/pdf"), ("sub/score.musicxml", None),
                        ("other.xml", None))
    data = make_zip(("META-INF/container.xml", listing), ("score.pdf", b"%PDF"),
                    ("other.xml", b"<x/>"), ("sub/score.musicxml", SCORE))
    assert read_mxl(data) == SCORE


def test_mxl_without_container() -> None:
    data = mxl(("META-INF/manifest.xml", b"<m/>"), ("images/", b""),
               ("notes.txt", b"hi"), ("piece.MusicXML", SCORE), ("later.xml", b"<x/>"),
               rootfile=None)
    assert read_mxl(data) == SCORE


def test_mxl_container_without_musicxml_rootfile_falls_back() -> None:
    data = make_zip(("META-INF/container.xml", container(("a.pdf", "application/pdf"))),
                    ("a.pdf", b"%PDF"), ("score.xml", SCORE))
    assert read_mxl(data) == SCORE


def test_mxl_missing_rootfile() -> None:
    error = archive_refused(mxl(("other.xml", SCORE)),
                            "rootfile 'score.xml' named in META-INF/container.xml is not in")
    assert str(error) == ("in/piece.mxl: rootfile 'score.xml' named in META-INF/container.xml"
                          " is not in the archive")


@pytest.mark.parametrize("rootfile", [
    "../score.xml", "a/../../score.xml", "a/../score.xml", "/score.xml", "/etc/passwd",
    "C:/score.xml", "c:score.xml", "..\\score.xml", "\\\\server\\share\\score.xml",
    "a\\..\\score.xml", "./", "//score.xml",
])
def test_mxl_rootfile_path_leaving_the_archive(rootfile: str) -> None:
    data = make_zip(("META-INF/container.xml", container((rootfile, None))),
                    ("score.xml", SCORE), ("a/score.xml", SCORE))
    error = archive_refused(data, "is empty, absolute or leaves the archive")
    assert f"rootfile path '{rootfile}'" in str(error)


def test_mxl_rootfile_with_backslashes_and_dots() -> None:
    data = mxl(("scores/score.xml", SCORE), rootfile="scores\\score.xml")
    assert read_mxl(data) == SCORE
    data = mxl(("scores\\score.xml", SCORE), rootfile="./scores/score.xml")
    assert read_mxl(data) == SCORE


def test_mxl_bad_container() -> None:
    data = make_zip(("META-INF/container.xml", b"<container>\n<rootfiles>\n</container>"),
                    ("score.xml", SCORE))
    archive_refused(data, r"META-INF/container.xml: malformed XML at line 3, column 3")
    xxe = (b'<!DOCTYPE c [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
           b'<container><rootfiles><rootfile full-path="&e;"/></rootfiles></container>')
    archive_refused(make_zip(("META-INF/container.xml", xxe), ("score.xml", SCORE)),
                    "container.xml: entity declarations are not allowed")
    for no_path in (b'<rootfile/>', b'<rootfile full-path=""/>'):
        listing = b"<container><rootfiles>" + no_path + b"</rootfiles></container>"
        archive_refused(make_zip(("META-INF/container.xml", listing), ("score.xml", SCORE)),
                        "a <rootfile> in META-INF/container.xml has no full-path")


def test_mxl_no_musicxml_member() -> None:
    archive_refused(mxl(("readme.txt", b"x"), ("META-INF/x.xml", b"<x/>"), rootfile=None),
                    "no MusicXML document")


def test_mxl_duplicate_rootfile_member() -> None:
    data = mxl(("score.xml", SCORE), ("score.xml", b"<evil/>"))
    archive_refused(data, "member 'score.xml' appears 2 times")


@pytest.mark.parametrize(("data", "match"), [
    (b"", "empty file"),
    (b"not a zip at all", "not a readable zip archive"),
    (SCORE, "not a readable zip archive"),
    (bytes(range(256)) * 64, "not a readable zip archive"),
])
def test_not_a_zip(data: bytes, match: str) -> None:
    archive_refused(data, match)
    archive_refused(data, match, reader=read_mscz)


def test_truncated_and_corrupt_zip() -> None:
    data = mxl(("score.xml", SCORE * 50))
    for cut in (len(data) // 2, len(data) - 10, 30):
        archive_refused(data[:cut], "not a readable zip archive|corrupt")
    # Damage the compressed bytes of the score (the central directory stays intact).
    start = data.index(b"score.xml", data.index(b"PK\x03\x04", 100)) + 20
    damaged = data[:start] + bytes(b ^ 0x5A for b in data[start:start + 40]) + data[start + 40:]
    archive_refused(damaged, "corrupt")


def test_zip_bomb_declared_size() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive, \
            archive.open("score.xml", "w", force_zip64=True) as member:
        zeros = bytes(1 << 20)
        for _ in range(300):  # 300 MiB of zeros compress to about 300 KB
            member.write(zeros)
    data = buffer.getvalue()
    assert len(data) < 1_000_000
    archive_refused(data, r"declares 314572800 bytes uncompressed, more than the 268435456")


def test_zip_bomb_ratio() -> None:
    data = make_zip(("score.xml", bytes(8 << 20)))
    archive_refused(data, "compression ratio above 200")
    small = b"<a>" + b" " * 500_000 + b"</a>"  # compresses ~1000-fold but is small
    assert read_mxl(make_zip(("score.xml", small))) == small


def test_zip_bomb_lower_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    data = make_zip(("score.xml", SCORE))
    monkeypatch.setattr(_archive, "MAX_MEMBER_BYTES", len(SCORE) - 1)
    archive_refused(data, "more than the")
    monkeypatch.setattr(_archive, "MAX_MEMBER_BYTES", len(SCORE))
    assert read_mxl(data) == SCORE
    monkeypatch.setattr(_archive, "MAX_MEMBERS", 1)
    archive_refused(mxl(("score.xml", SCORE)), "more than 1 entries")


def test_lying_declared_size_is_caught() -> None:
    payload = b"<a>" + b"x" * 100_000 + b"</a>"
    data = make_zip(("score.xml", payload))
    # Both headers claim 1000 bytes: inflating stops there and the CRC no longer matches.
    small = patch_member(data, local=(22, "I", 1000), central=(24, "I", 1000))
    archive_refused(small, "corrupt")
    # Both claim more than the stream holds: the stream ends, the CRC matches, and the true
    # (smaller) content comes back; what is read never exceeds the caps either way.
    large = patch_member(data, local=(22, "I", 200_000), central=(24, "I", 200_000))
    assert read_mxl(large) == payload


def test_chunked_read_cap_holds_even_if_declared_sizes_lie() -> None:
    stream = io.BytesIO(b"x" * (3 << 20))
    with pytest.raises(FormatError, match=r"^f.mxl: member 'm' inflates to more than"):
        _archive._read_capped(stream, 2 << 20, 3 << 20, "m", "f.mxl")
    with pytest.raises(FormatError, match="inflates more than 200 times"):
        _archive._read_capped(io.BytesIO(bytes(3 << 20)), 8 << 20, 1000, "m", "f.mxl")
    assert _archive._read_capped(io.BytesIO(b"abc"), 3, 3, "m", None) == b"abc"


def test_local_header_name_must_match_directory() -> None:
    data = make_zip(("score.xml", SCORE))
    local = data.index(b"PK\x03\x04")
    forged = data[:local + 30] + b"evil!.xml" + data[local + 39:]
    archive_refused(forged, "member 'score.xml' is corrupt")


def test_encrypted_member_is_refused() -> None:
    data = make_zip(("score.xml", SCORE))
    encrypted = patch_member(data, local=(6, "H", 0x1), central=(8, "H", 0x1))
    archive_refused(encrypted, "member 'score.xml' is encrypted")


def test_other_compression_methods_are_refused() -> None:
    archive_refused(make_zip(("score.xml", SCORE), compression=zipfile.ZIP_BZIP2),
                    "compression method 12")
    assert read_mxl(make_zip(("score.xml", SCORE), compression=zipfile.ZIP_STORED)) == SCORE


# --- .mscz ----------------------------------------------------------------------------------

MSCX = b'<?xml version="1.0" encoding="UTF-8"?>\n<museScore version="4.20"><Score/></museScore>'


def test_mscz_musescore4_layout() -> None:
    listing = container(("score.mscx", None), ("Thumbnails/thumbnail.png", None),
                        ("audiosettings.json", None), ("viewsettings.json", None))
    data = make_zip(("META-INF/container.xml", listing), ("audiosettings.json", b"{}"),
                    ("Excerpts/Flute/Flute.mscx", b"<museScore><Part/></museScore>"),
                    ("score_style.mss", b"<museScore/>"), ("score.mscx", MSCX),
                    ("Thumbnails/thumbnail.png", b"\x89PNG"), ("viewsettings.json", b"{}"))
    assert read_mscz(data, "x.mscz") == MSCX
    assert parse_xml(read_mscz(data), "x.mscz").tag == "museScore"


def test_mscz_musescore3_layout() -> None:
    mscx3 = MSCX.replace(b"4.20", b"3.02")
    listing = container(("Thumbnails/thumbnail.png", None), ("My Song.mscx", None))
    data = make_zip(("My Song.mscx", mscx3), ("Thumbnails/thumbnail.png", b"\x89PNG"),
                    ("META-INF/container.xml", listing))
    assert read_mscz(data) == mscx3


def test_mscz_without_container_takes_the_shallowest() -> None:
    data = make_zip(("Excerpts/Flute/Flute.mscx", b"<part/>"), ("score.mscx", MSCX))
    assert read_mscz(data) == MSCX
    assert read_mscz(make_zip(("a/b/deep.mscx", MSCX))) == MSCX


def test_mscz_errors() -> None:
    archive_refused(make_zip(("score.mscz.txt", b"x")), "no MuseScore document",
                    reader=read_mscz)
    missing = make_zip(("META-INF/container.xml", container(("score.mscx", None))))
    archive_refused(missing, "rootfile 'score.mscx' named in META-INF/container.xml is not",
                    reader=read_mscz)
    escape = make_zip(("META-INF/container.xml", container(("../score.mscx", None))),
                      ("score.mscx", MSCX))
    archive_refused(escape, "leaves the archive", reader=read_mscz)


# --- the music21 corpus ---------------------------------------------------------------------

def corpus_root() -> Path:
    corpus = pytest.importorskip("music21.corpus")
    return Path(corpus.__file__).parent


def test_corpus_mxl_files_read_and_parse() -> None:
    files = sorted(corpus_root().rglob("*.mxl"))
    assert files
    for path in files[::20] + [p for p in files if p.name == "opus133.mxl"]:
        root = parse_xml(read_mxl(path.read_bytes(), path), path)
        assert root.tag in ("score-partwise", "score-timewise"), path
        assert root.find("part-list") is not None, path


def test_corpus_xml_files_parse() -> None:
    root = corpus_root()
    files = sorted(root.rglob("*.xml")) + sorted(root.rglob("*.musicxml"))
    assert files
    for path in files[::4]:
        assert parse_xml(path.read_bytes(), path).tag, path
