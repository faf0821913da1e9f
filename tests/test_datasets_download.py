"""Downloads and extraction of data sets, against a local HTTP server on 127.0.0.1 that can
fail, cut responses short and ignore ``Range``; archives are built by the tests."""

from __future__ import annotations

import hashlib
import importlib
import io
import json
import tarfile
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from orchestrion.datasets import DownloadError, ExtractError, Source, download, extract

# The package exports functions named like their modules, so fetch the modules themselves.
dl = importlib.import_module("orchestrion.datasets._download")
ex = importlib.import_module("orchestrion.datasets._extract")

PAYLOAD = bytes(range(256)) * 40  # 10,240 bytes


@dataclass
class ServerState:
    """What the server serves and how it misbehaves; what it was asked and sent."""

    files: dict[str, bytes] = field(default_factory=dict)
    fail_first: int = 0          # answer the first N requests with fail_status
    fail_status: int = 503
    cut_first: int = 0           # cut the first N successful responses ...
    cut_after: int = 0           # ... after this many body bytes
    ignore_range: bool = False
    requests: list[tuple[str, str | None]] = field(default_factory=list)
    sent: int = 0


class Handler(BaseHTTPRequestHandler):
    state: ServerState

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        state = self.state
        state.requests.append((self.path, self.headers.get("Range")))
        if state.fail_first > 0:
            state.fail_first -= 1
            self.send_error(state.fail_status)
            return
        data = state.files.get(self.path)
        if data is None:
            self.send_error(404)
            return
        start = 0
        wanted = self.headers.get("Range")
        if wanted and not state.ignore_range:
            start = int(wanted.removeprefix("bytes=").split("-")[0])
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        if state.cut_first > 0:
            state.cut_first -= 1
            body = body[:state.cut_after]
            self.close_connection = True
        # Counted before writing: the client may have read everything (and the test checked
        # the count) before this thread gets past write().
        state.sent += len(body)
        self.wfile.write(body)


@pytest.fixture
def server() -> Iterator[tuple[str, ServerState]]:
    state = ServerState(files={"/data.bin": PAYLOAD})
    handler = type("H", (Handler,), {"state": state})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", state
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def _no_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dl, "RETRY_DELAY", 0.0)


def source(base: str, path: str = "/data.bin", data: bytes = PAYLOAD, **kw: object) -> Source:
    return Source(url=base + path, filename="data.bin", size=len(data),
                  sha256=hashlib.sha256(data).hexdigest(), **kw)  # type: ignore[arg-type]


# --- Source -------------------------------------------------------------------------------

def test_source_needs_a_checksum_and_a_plain_name() -> None:
    with pytest.raises(ValueError, match="sha256 or md5"):
        Source("http://x/a", "a")
    with pytest.raises(ValueError, match="plain file name"):
        Source("http://x/a", "../a", md5="0" * 32)
    with pytest.raises(ValueError, match="64 hexadecimal"):
        Source("http://x/a", "a", sha256="abc")
    with pytest.raises(ValueError, match="http or https"):
        Source("ftp://x/a", "a", md5="0" * 32)
    s = Source("http://x/a", "a", md5="A" * 32, mirrors=["http://y/a"])  # type: ignore[arg-type]
    assert s.md5 == "a" * 32
    assert s.urls == ("http://x/a", "http://y/a")


# --- download -----------------------------------------------------------------------------

def test_good_download_then_no_network(server: tuple[str, ServerState], tmp_path: Path) -> None:
    base, state = server
    path = download(source(base), tmp_path / "d", progress=False)
    assert path == tmp_path / "d" / "data.bin"
    assert path.read_bytes() == PAYLOAD
    assert not (tmp_path / "d" / "data.bin.part").exists()
    assert len(state.requests) == 1
    assert download(source(base), tmp_path / "d") == path
    assert len(state.requests) == 1  # verified on disk: no request


def test_md5_only_source(server: tuple[str, ServerState], tmp_path: Path) -> None:
    base, _ = server
    src = Source(base + "/data.bin", "data.bin", md5=hashlib.md5(PAYLOAD).hexdigest())
    assert download(src, tmp_path, progress=False).read_bytes() == PAYLOAD


def test_wrong_checksum_is_a_clear_error_and_leaves_no_file(
        server: tuple[str, ServerState], tmp_path: Path) -> None:
    base, _ = server
    src = Source(base + "/data.bin", "data.bin", sha256="ab" * 32)
    with pytest.raises(DownloadError) as info:
        download(src, tmp_path, progress=False)
    message = str(info.value)
    got = hashlib.sha256(PAYLOAD).hexdigest()
    assert f"expected {'ab' * 32}, got {got}" in message
    assert f"Download {base}/data.bin yourself and put it at {tmp_path / 'data.bin'}" in message
    assert info.value.url == base + "/data.bin"
    assert list(tmp_path.iterdir()) == []


def test_wrong_size_is_refused(server: tuple[str, ServerState], tmp_path: Path) -> None:
    base, _ = server
    src = Source(base + "/data.bin", "data.bin", size=100,
                 sha256=hashlib.sha256(PAYLOAD).hexdigest())
    with pytest.raises(DownloadError, match="size mismatch: expected 100 bytes"):
        download(src, tmp_path, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_too_long_a_response_is_cut_and_refused(
        server: tuple[str, ServerState], tmp_path: Path) -> None:
    base, state = server
    state.files["/big.bin"] = PAYLOAD * 300  # 3 MB where 10 kB are expected
    with pytest.raises(DownloadError, match="size mismatch: expected 10240 bytes"):
        download(source(base, "/big.bin"), tmp_path, progress=False)
    assert len(state.requests) == 1
    assert list(tmp_path.iterdir()) == []


def test_complete_part_of_unknown_size_gets_a_416_then_restarts(
        server: tuple[str, ServerState], tmp_path: Path) -> None:
    base, state = server
    (tmp_path / "data.bin.part").write_bytes(PAYLOAD)
    src = Source(base + "/data.bin", "data.bin", sha256=hashlib.sha256(PAYLOAD).hexdigest())
    assert download(src, tmp_path, progress=False).read_bytes() == PAYLOAD
    assert state.requests == [("/data.bin", f"bytes={len(PAYLOAD)}-"), ("/data.bin", None)]


def test_interrupted_download_is_resumed_with_range(
        server: tuple[str, ServerState], tmp_path: Path) -> None:
    base, state = server
    state.cut_first, state.cut_after = 1, 3000
    path = download(source(base), tmp_path, progress=False)
    assert path.read_bytes() == PAYLOAD
    assert state.requests == [("/data.bin", None), ("/data.bin", "bytes=3000-")]
    assert state.sent == len(PAYLOAD)  # nothing sent twice


def test_part_left_by_an_earlier_run_is_continued(
        server: tuple[str, ServerState], tmp_path: Path) -> None:
    base, state = server
    (tmp_path / "data.bin.part").write_bytes(PAYLOAD[:4000])
    assert download(source(base), tmp_path, progress=False).read_bytes() == PAYLOAD
    assert state.requests == [("/data.bin", "bytes=4000-")]
    assert state.sent == len(PAYLOAD) - 4000


def test_stale_part_is_restarted_from_scratch(
        server: tuple[str, ServerState], tmp_path: Path) -> None:
    base, state = server
    (tmp_path / "data.bin.part").write_bytes(b"x" * 4000)  # not the start of the file
    assert download(source(base), tmp_path, progress=False).read_bytes() == PAYLOAD
    assert state.requests == [("/data.bin", "bytes=4000-"), ("/data.bin", None)]


def test_complete_part_is_verified_without_network(
        server: tuple[str, ServerState], tmp_path: Path) -> None:
    base, state = server
    (tmp_path / "data.bin.part").write_bytes(PAYLOAD)
    assert download(source(base), tmp_path, progress=False).read_bytes() == PAYLOAD
    assert state.requests == []


def test_server_ignoring_range_restarts_cleanly(
        server: tuple[str, ServerState], tmp_path: Path) -> None:
    base, state = server
    state.ignore_range = True
    (tmp_path / "data.bin.part").write_bytes(PAYLOAD[:5000])
    assert download(source(base), tmp_path, progress=False).read_bytes() == PAYLOAD
    assert state.requests == [("/data.bin", "bytes=5000-")]
    assert state.sent == len(PAYLOAD)


def test_dead_url_names_the_url_and_the_manual_step(
        server: tuple[str, ServerState], tmp_path: Path) -> None:
    base, state = server
    src = source(base, "/gone.bin")
    with pytest.raises(DownloadError) as info:
        download(src, tmp_path, progress=False)
    message = str(info.value)
    assert f"{base}/gone.bin: HTTP 404" in message
    assert f"Download {base}/gone.bin yourself and put it at {tmp_path / 'data.bin'}" in message
    assert len(state.requests) == 1  # a 404 is not retried
    assert list(tmp_path.iterdir()) == []


def test_503_is_retried(server: tuple[str, ServerState], tmp_path: Path) -> None:
    base, state = server
    state.fail_first = 2
    assert download(source(base), tmp_path, progress=False, retries=3).read_bytes() == PAYLOAD
    assert len(state.requests) == 3


def test_retries_run_out(server: tuple[str, ServerState], tmp_path: Path) -> None:
    base, state = server
    state.fail_first = 10
    with pytest.raises(DownloadError, match=r"HTTP 503 .*after 2 attempts.*yourself"):
        download(source(base), tmp_path, progress=False, retries=1)
    assert len(state.requests) == 2


def test_refused_connection_is_retried_then_reported(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    src = source(f"http://127.0.0.1:{port}")
    with pytest.raises(DownloadError, match=r"after 3 attempts.*yourself"):
        download(src, tmp_path, progress=False, retries=2, timeout=5)


def test_mirror_is_used_when_the_url_is_dead(
        server: tuple[str, ServerState], tmp_path: Path) -> None:
    base, state = server
    src = source(base, "/gone.bin", mirrors=(base + "/data.bin",))
    assert download(src, tmp_path, progress=False).read_bytes() == PAYLOAD
    assert [p for p, _ in state.requests] == ["/gone.bin", "/data.bin"]


def test_wrong_file_already_in_place_is_not_overwritten(
        server: tuple[str, ServerState], tmp_path: Path) -> None:
    base, state = server
    (tmp_path / "data.bin").write_bytes(b"mine")
    with pytest.raises(DownloadError, match="already there but does not match"):
        download(source(base), tmp_path, progress=False)
    assert (tmp_path / "data.bin").read_bytes() == b"mine"
    assert state.requests == []


def test_progress_bar_when_asked(server: tuple[str, ServerState], tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    base, _ = server
    download(source(base), tmp_path, progress=True)
    assert "data.bin" in capsys.readouterr().err


# --- extract ------------------------------------------------------------------------------

FILES = {"corpus/a.mid": b"MThd" + b"a" * 100, "corpus/sub/b.xml": b"<score/>" * 50}


def make_zip(path: Path, files: dict[str, bytes], level: int = 6) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return path


def make_tar(path: Path, files: dict[str, bytes], mode: str = "w:gz",
             extra: list[tarfile.TarInfo] = ()) -> Path:  # type: ignore[assignment]
    with tarfile.open(path, mode) as t:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
        for info in extra:
            t.addfile(info)
    return path


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != ex.MARKER}


@pytest.mark.parametrize("kind", ["zip", "w:", "w:gz", "w:bz2", "w:xz"])
def test_extract_zip_and_tar(tmp_path: Path, kind: str) -> None:
    archive = (make_zip(tmp_path / "a.zip", FILES) if kind == "zip"
               else make_tar(tmp_path / "a.archive", FILES, kind))  # kind read from content
    out = extract(archive, tmp_path / "out")
    assert out == tmp_path / "out"
    assert tree(out) == FILES
    marker = json.loads((out / ex.MARKER).read_text())
    assert marker["archive"] == archive.name
    assert marker["members"] == 2
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []


def test_rerun_after_completion_is_a_no_op(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    archive = make_tar(tmp_path / "a.tar.gz", FILES)
    out = extract(archive, tmp_path / "out")
    monkeypatch.setattr(ex, "_copy_member", None)  # would fail if anything were copied
    assert extract(archive, out) == out
    assert tree(out) == FILES


def _refused(archive: Path, tmp_path: Path, match: str) -> None:
    with pytest.raises(ExtractError, match=match):
        extract(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []
    assert not (tmp_path / "escape").exists()


@pytest.mark.parametrize("name", ["../escape", "corpus/../../escape", "..\\escape"])
def test_refuses_dotdot(tmp_path: Path, name: str) -> None:
    _refused(make_zip(tmp_path / "a.zip", {"ok": b"1", name: b"x"}), tmp_path, "'..'")
    (tmp_path / "a.zip").unlink()
    _refused(make_tar(tmp_path / "a.tgz", {"ok": b"1", name: b"x"}), tmp_path, "'..'")


@pytest.mark.parametrize("name", ["/tmp/escape", "C:/escape", "\\\\server\\escape"])
def test_refuses_absolute_paths(tmp_path: Path, name: str) -> None:
    _refused(make_tar(tmp_path / "a.tar", {name: b"x"}, "w"), tmp_path, "absolute path")


def _link(name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info


@pytest.mark.parametrize(("target", "kind"), [
    ("/etc/passwd", tarfile.SYMTYPE), ("../../escape", tarfile.SYMTYPE),
    ("corpus/a.mid", tarfile.SYMTYPE),  # inside the tree: refused as well (documented)
    ("corpus/a.mid", tarfile.LNKTYPE), ("/etc/passwd", tarfile.LNKTYPE)])
def test_refuses_links(tmp_path: Path, target: str, kind: bytes) -> None:
    archive = make_tar(tmp_path / "a.tgz", FILES, extra=[_link("corpus/link", target, kind)])
    _refused(archive, tmp_path, "link")


def test_refuses_a_zip_symlink(tmp_path: Path) -> None:
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as z:
        info = zipfile.ZipInfo("link")
        info.create_system = 3
        info.external_attr = (0o120777 << 16)
        z.writestr(info, "/etc/passwd")
    _refused(archive, tmp_path, "symbolic link")


@pytest.mark.parametrize("kind", [tarfile.CHRTYPE, tarfile.BLKTYPE, tarfile.FIFOTYPE])
def test_refuses_devices_and_fifos(tmp_path: Path, kind: bytes) -> None:
    info = tarfile.TarInfo("corpus/dev")
    info.type = kind
    _refused(make_tar(tmp_path / "a.tgz", FILES, extra=[info]), tmp_path, "special file")


def test_refuses_duplicate_members(tmp_path: Path) -> None:
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a", b"1")
        with pytest.warns(UserWarning, match="Duplicate name"):
            z.writestr("a", b"2")
    _refused(archive, tmp_path, "more than once")


def test_refuses_a_zip_bomb_before_inflating(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    archive = make_zip(tmp_path / "bomb.zip", {"zeros": bytes(8 * 1024 * 1024)}, level=9)
    assert archive.stat().st_size < 20_000  # declared small, inflates big
    monkeypatch.setattr(ex, "_copy_member", None)  # nothing may be inflated
    _refused(archive, tmp_path, "compression ratio above 200")


def test_total_size_cap(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "big.zip", {"a": bytes(600_000), "b": bytes(600_000)})
    with pytest.raises(ExtractError, match="more than the 1000000 allowed"):
        extract(archive, tmp_path / "out", max_bytes=1_000_000)
    tar = make_tar(tmp_path / "big.tgz", {"a": bytes(600_000), "b": bytes(600_000)})
    with pytest.raises(ExtractError, match="past the 1000000 bytes allowed"):
        extract(tar, tmp_path / "out", max_bytes=1_000_000)
    assert not (tmp_path / "out").exists()


def test_tar_gz_bomb_stops_while_inflating(tmp_path: Path) -> None:
    archive = make_tar(tmp_path / "bomb.tgz", {"zeros": bytes(8 * 1024 * 1024)})
    _refused(archive, tmp_path, "more than 200 times its size")


def test_member_cap(tmp_path: Path) -> None:
    archive = make_tar(tmp_path / "many.tar", {f"f{i}": b"" for i in range(5)}, "w")
    with pytest.raises(ExtractError, match="more than 4 members"):
        extract(archive, tmp_path / "out", max_members=4)


def test_interrupted_extraction_never_looks_complete(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = make_zip(tmp_path / "a.zip", FILES)
    real = ex._copy_member
    calls = []

    def flaky(*args: object, **kwargs: object) -> None:
        calls.append(args)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ex, "_copy_member", flaky)
    with pytest.raises(KeyboardInterrupt):
        extract(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["a.zip"]
    monkeypatch.setattr(ex, "_copy_member", real)
    assert tree(extract(archive, tmp_path / "out")) == FILES


def test_leftover_of_a_killed_run_is_cleaned(tmp_path: Path) -> None:
    (tmp_path / ".out.partial-abc" / "corpus").mkdir(parents=True)
    out = extract(make_tar(tmp_path / "a.tgz", FILES), tmp_path / "out")
    assert tree(out) == FILES
    assert not (tmp_path / ".out.partial-abc").exists()


def test_existing_folder_without_marker_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "mine.txt").write_text("keep")
    with pytest.raises(ExtractError, match="not a completed extraction"):
        extract(make_zip(tmp_path / "a.zip", FILES), tmp_path / "out")
    assert (tmp_path / "out" / "mine.txt").read_text() == "keep"


def test_folder_of_another_archive_is_an_error(tmp_path: Path) -> None:
    extract(make_zip(tmp_path / "a.zip", FILES), tmp_path / "out")
    with pytest.raises(ExtractError, match=r"holds the extraction of 'a\.zip'"):
        extract(make_zip(tmp_path / "b.zip", {"x": b"1"}), tmp_path / "out")


def test_not_an_archive(tmp_path: Path) -> None:
    (tmp_path / "junk.bin").write_bytes(b"not an archive at all" * 100)
    _refused(tmp_path / "junk.bin", tmp_path, "not a readable archive")


def test_download_then_extract(server: tuple[str, ServerState], tmp_path: Path) -> None:
    base, state = server
    data = make_tar(tmp_path / "src.tgz", FILES).read_bytes()
    state.files["/corpus.tgz"] = data
    src = Source(base + "/corpus.tgz", "corpus.tgz", size=len(data),
                 sha256=hashlib.sha256(data).hexdigest())
    archive = download(src, tmp_path / "root", progress=False)
    assert tree(extract(archive, tmp_path / "root" / "corpus")) == FILES


# --- unverified sources: trust on first use ----------------------------------------------

def test_unverified_source_needs_no_digest_and_takes_none() -> None:
    s = Source("http://x/a.zip", "a.zip", unverified=True)
    assert s.digests == {}
    with pytest.raises(ValueError, match="unverified=True"):
        Source("http://x/a.zip", "a.zip")
    with pytest.raises(ValueError, match="without a published checksum"):
        Source("http://x/a.zip", "a.zip", md5="0" * 32, unverified=True)


def test_unverified_download_records_then_checks_its_sha256(
        server: tuple[str, ServerState], tmp_path: Path) -> None:
    base, state = server
    src = Source(base + "/data.bin", "data.bin", unverified=True)
    path = download(src, tmp_path, progress=False)
    record = tmp_path / "data.bin.sha256"
    digest = hashlib.sha256(PAYLOAD).hexdigest()
    assert record.read_text() == f"{digest}  data.bin\n"
    assert dl.recorded_sha256(path) == digest
    assert download(src, tmp_path, progress=False) == path
    assert len(state.requests) == 1  # checked against the record, no request
    path.write_bytes(PAYLOAD[::-1])
    with pytest.raises(DownloadError, match=r"recorded in data\.bin\.sha256") as info:
        download(src, tmp_path, progress=False)
    message = str(info.value)
    assert f"sha256 mismatch: expected {digest}" in message
    assert f"got {hashlib.sha256(PAYLOAD[::-1]).hexdigest()}" in message
    assert "Remove it and data.bin.sha256" in message
    assert f"download {base}/data.bin yourself" in message
    assert path.read_bytes() == PAYLOAD[::-1]  # left alone
    assert len(state.requests) == 1


def test_unverified_file_placed_by_hand_is_recorded(
        server: tuple[str, ServerState], tmp_path: Path) -> None:
    base, state = server
    (tmp_path / "data.bin").write_bytes(b"placed by hand")
    src = Source(base + "/data.bin", "data.bin", unverified=True)
    assert download(src, tmp_path, progress=False).read_bytes() == b"placed by hand"
    assert dl.recorded_sha256(tmp_path / "data.bin") == hashlib.sha256(
        b"placed by hand").hexdigest()
    assert state.requests == []


def test_unverified_source_still_checks_a_known_size_and_resumes(
        server: tuple[str, ServerState], tmp_path: Path) -> None:
    base, state = server
    with pytest.raises(DownloadError, match="size mismatch: expected 100 bytes"):
        download(Source(base + "/data.bin", "data.bin", size=100, unverified=True), tmp_path,
                 progress=False)
    assert list(tmp_path.iterdir()) == []
    state.cut_first, state.cut_after = 1, 3000
    src = Source(base + "/data.bin", "data.bin", size=len(PAYLOAD), unverified=True)
    assert download(src, tmp_path, progress=False).read_bytes() == PAYLOAD
    assert state.requests[-1] == ("/data.bin", "bytes=3000-")
    assert (tmp_path / "data.bin.sha256").is_file()
