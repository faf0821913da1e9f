"""Verified, resumable, retried downloads of one file (the first step of every data set).

:func:`download` fetches a :class:`Source` into a folder with the standard library's
:mod:`urllib` (pooch was considered, but it neither resumes a partial download nor keeps
one: it writes to a temporary file that it deletes on failure). The rules:

- The file is written as ``NAME.part`` and renamed to ``NAME`` only after its size (when the
  source gives one) and every checksum it gives (sha256 and/or md5) match. A file under the
  final name is therefore always a verified one, whatever interrupted the download.
- A file already present under the final name is verified and returned without touching the
  network; if it does not match, :class:`~orchestrion.errors.DownloadError` is raised and the
  file is left alone (it was placed by hand, or the source changed).
- A ``NAME.part`` left by an interrupted run is continued with an HTTP ``Range`` request. A
  server that ignores ``Range`` (answers 200 with the whole file) restarts the file from its
  first byte; a ``206`` whose ``Content-Range`` does not start where the part ends, or a
  ``416``, discards the part and starts over.
- Network errors (refused or reset connections, timeouts, a response cut short, HTTP 408,
  425, 429 and 5xx) are retried ``retries`` times per URL, waiting :data:`RETRY_DELAY`
  seconds and doubling; the part kept so far is continued. Other HTTP errors (404, 403, ...)
  are not retried. Then the source's ``mirrors`` are tried in order.
- A checksum or size mismatch removes the part (a resumed part is first retried once from
  scratch, in case the part was stale) and moves on to the next mirror.
- When nothing works, :class:`~orchestrion.errors.DownloadError` names the URL, what went
  wrong (HTTP status, expected and actual checksum) and says: download the URL yourself and
  put the file at the final path.
- A progress bar (tqdm, on standard error) is shown when standard error is a terminal, or
  always with ``progress=True``; never with ``progress=False``.
- A source whose maintainers publish no checksum is declared ``unverified=True``: only its
  size (when known) is checked, and the SHA-256 of the first file downloaded (or found in
  place) is written beside it as ``NAME.sha256`` (trust on first use, in the
  ``sha256sum`` format). From then on the file is verified against that record: a file that
  no longer matches raises :class:`~orchestrion.errors.DownloadError` as a checksum mismatch
  does. Deleting both files downloads it again.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from orchestrion.errors import DownloadError

__all__ = ["CHUNK_BYTES", "RECORD_SUFFIX", "RETRY_DELAY", "Source", "download", "file_digest",
           "recorded_sha256", "verify"]

#: Seconds to wait before the first retry of a URL; each further retry waits twice as long.
RETRY_DELAY: float = 1.0

#: Bytes read from the network (and from disk when hashing) at a time.
CHUNK_BYTES: int = 1024 * 1024

#: Suffix of the file beside an unverified download that records its SHA-256 (trust on first
#: use): ``SOD.zip`` -> ``SOD.zip.sha256``.
RECORD_SUFFIX: str = ".sha256"

_HEX = re.compile(r"^[0-9a-f]+$")
_DIGEST_LENGTHS = {"sha256": 64, "md5": 32}
_TRANSIENT_STATUS = {408, 425, 429}
_CONTENT_RANGE = re.compile(r"^bytes\s+(\d+)-(\d+)/(\d+|\*)$")


@dataclass(frozen=True)
class Source:
    """One file of a data set: where it is, what it is called and how to check it.

    Attributes:
        url: Where the file is downloaded from (http or https).
        filename: The name it gets on disk: a plain file name, no folders.
        size: Its size in bytes, or ``None`` when unknown.
        sha256: Its SHA-256 digest in hexadecimal (lower or upper case).
        md5: Its MD5 digest in hexadecimal; at least one of ``sha256`` and ``md5`` is needed
            unless ``unverified`` is set.
        mirrors: Further URLs serving the same file, tried in order after ``url``.
        unverified: ``True`` for a file whose publisher gives no checksum (then neither
            ``sha256`` nor ``md5`` may be given): its SHA-256 is recorded on the first
            download and checked from then on (see the module docstring).
    """

    url: str
    filename: str
    size: int | None = None
    sha256: str | None = None
    md5: str | None = None
    mirrors: tuple[str, ...] = ()
    unverified: bool = False

    def __post_init__(self) -> None:
        if self.unverified and (self.sha256 or self.md5):
            raise ValueError(f"source {self.url!r}: unverified=True is for a file without a "
                             "published checksum; drop it or the sha256/md5")
        if not self.sha256 and not self.md5 and not self.unverified:
            raise ValueError(f"source {self.url!r}: give sha256 or md5 (or both), or "
                             "unverified=True when none is published")
        for kind in _DIGEST_LENGTHS:
            value = getattr(self, kind)
            if value is None:
                continue
            value = value.strip().lower()
            if len(value) != _DIGEST_LENGTHS[kind] or not _HEX.match(value):
                raise ValueError(f"source {self.url!r}: {kind} must be "
                                 f"{_DIGEST_LENGTHS[kind]} hexadecimal digits, not {value!r}")
            object.__setattr__(self, kind, value)
        name = self.filename
        if (not name or name in (".", "..") or "/" in name or "\\" in name or "\x00" in name
                or name.endswith(".part")):
            raise ValueError(f"source {self.url!r}: filename must be a plain file name not "
                             f"ending in .part, not {name!r}")
        if self.size is not None and (not isinstance(self.size, int) or self.size < 0):
            raise ValueError(f"source {self.url!r}: size must be a non-negative int or None")
        object.__setattr__(self, "mirrors", tuple(self.mirrors))
        for url in self.urls:
            if not url.lower().startswith(("http://", "https://")):
                raise ValueError(f"source URL must be http or https, not {url!r}")

    @property
    def urls(self) -> tuple[str, ...]:
        """``url`` followed by the mirrors."""
        return (self.url, *self.mirrors)

    @property
    def digests(self) -> dict[str, str]:
        """The expected digests by algorithm name (``sha256`` first)."""
        return {kind: value for kind in _DIGEST_LENGTHS
                if (value := getattr(self, kind)) is not None}


def file_digest(path: str | os.PathLike[str], kinds: Iterable[str] = ("sha256",)
                ) -> dict[str, str]:
    """The hexadecimal digests of the file at ``path``, one per algorithm in ``kinds``."""
    hashes = {kind: hashlib.new(kind, usedforsecurity=False) for kind in kinds}
    with open(path, "rb") as stream:
        while chunk := stream.read(CHUNK_BYTES):
            for h in hashes.values():
                h.update(chunk)
    return {kind: h.hexdigest() for kind, h in hashes.items()}


def verify(source: Source, path: str | os.PathLike[str]) -> str | None:
    """``None`` if the file at ``path`` has the size and digests of ``source``, else a
    sentence saying what differs (expected against got). An ``unverified`` source has only
    its size checked here; :func:`download` checks its recorded SHA-256."""
    size = os.path.getsize(path)
    if source.size is not None and size != source.size:
        return f"size mismatch: expected {source.size} bytes, got {size}"
    if not source.digests:
        return None
    got = file_digest(path, source.digests)
    for kind, expected in source.digests.items():
        if got[kind] != expected:
            return f"{kind} mismatch: expected {expected}, got {got[kind]}"
    return None


def recorded_sha256(path: str | os.PathLike[str]) -> str | None:
    """The SHA-256 recorded beside an unverified download (``NAME.sha256``), or ``None``
    when there is no record or it does not hold one."""
    record = Path(str(path) + RECORD_SUFFIX)
    try:
        words = record.read_text(encoding="utf-8").split()
    except (OSError, UnicodeDecodeError):
        return None
    value = words[0].lower() if words else ""
    return value if len(value) == 64 and _HEX.match(value) else None


def _record(path: Path) -> None:
    """Write the SHA-256 of ``path`` beside it (``sha256sum`` format), atomically."""
    digest = file_digest(path)["sha256"]
    record = Path(str(path) + RECORD_SUFFIX)
    temporary = record.with_name(record.name + ".tmp")
    temporary.write_text(f"{digest}  {path.name}\n", encoding="utf-8")
    os.replace(temporary, record)


def _check_existing(source: Source, final: Path) -> str | None:
    """What is wrong with a file already at ``final``, or ``None``. An unverified source's
    file is checked against its recorded SHA-256, and recorded now when it has none."""
    problem = verify(source, final)
    if problem is not None or not source.unverified:
        return problem
    expected = recorded_sha256(final)
    if expected is None:
        _record(final)  # placed by hand, or a run stopped before the record: trust it now
        return None
    got = file_digest(final)["sha256"]
    if got != expected:
        return (f"sha256 mismatch: expected {expected} (recorded in "
                f"{final.name}{RECORD_SUFFIX} at the first download; the source publishes "
                f"no checksum), got {got}")
    return None


def _hint(url: str, final: Path) -> str:
    return f"Download {url} yourself and put it at {final}"


class _TransientError(Exception):
    """A failure worth retrying (network error, 5xx, a response cut short)."""


class _RestartError(Exception):
    """The part on disk cannot be continued: discard it and retry from scratch."""


def download(source: Source, folder: str | os.PathLike[str], *, progress: bool | None = None,
             retries: int = 3, timeout: float = 60) -> Path:
    """Download ``source`` into ``folder`` (created if needed) and return the verified file.

    Args:
        source: What to download and how to check it.
        folder: Where the file goes, as ``folder / source.filename``.
        progress: ``True`` always shows a progress bar on standard error, ``False`` never,
            ``None`` (the default) only when standard error is a terminal.
        retries: How many times one URL is retried after a network error.
        timeout: Seconds a connection or a read may wait before it counts as failed.

    Raises:
        DownloadError: No URL gave a file with the expected size and checksums, or a file
            already at the final path does not match them. The message says how to place
            the file by hand.
    """
    if retries < 0:
        raise ValueError("retries must be >= 0")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / source.filename
    part = folder / (source.filename + ".part")
    if final.exists():
        problem = _check_existing(source, final)
        if problem is None:
            return final
        remove = (f"Remove it and {final.name}{RECORD_SUFFIX}" if source.unverified
                  else "Remove it")
        raise DownloadError(f"{final} is already there but does not match its source "
                            f"({problem}). {remove}, or download {source.url} yourself and "
                            f"put it at {final}", source.url, final)
    if part.exists() and source.size is not None and part.stat().st_size >= source.size:
        # A complete part left by a run stopped before the rename: check it, no network.
        if part.stat().st_size == source.size and verify(source, part) is None:
            os.replace(part, final)
            if source.unverified:
                _record(final)
            return final
        part.unlink()
    show = sys.stderr.isatty() if progress is None else progress
    errors: list[str] = []
    for url in source.urls:
        error = _from_url(source, url, part, final, show=show, retries=retries,
                          timeout=timeout)
        if error is None:
            if source.unverified:
                _record(final)  # trust on first use
            return final
        errors.append(error)
    if len(errors) == 1:
        message = f"{errors[0]}. {_hint(source.url, final)}"
    else:
        message = ("every URL failed: " + "; ".join(errors)
                   + f". Download one of them yourself and put it at {final}")
    raise DownloadError(message, source.url, final)


def _from_url(source: Source, url: str, part: Path, final: Path, *, show: bool,
              retries: int, timeout: float) -> str | None:
    """Try one URL; ``None`` once ``final`` holds the verified file, else what went wrong."""
    attempt = 0
    restarted = False
    while True:
        resumed = part.exists() and part.stat().st_size > 0
        try:
            _fetch(source, url, part, show=show, timeout=timeout)
        except _RestartError:
            part.unlink(missing_ok=True)
            if restarted:
                return f"{url}: the server's ranges do not fit the partial file"
            restarted = True
            continue
        except _TransientError as exc:
            if attempt >= retries:
                return f"{url}: {exc} (after {attempt + 1} attempts)"
            time.sleep(RETRY_DELAY * 2 ** attempt)
            attempt += 1
            continue
        except urllib.error.HTTPError as exc:
            return f"{url}: HTTP {exc.code} {exc.reason}"
        except (urllib.error.URLError, ValueError) as exc:
            # Not a network hiccup (an unknown host is retried through _TransientError).
            return f"{url}: {getattr(exc, 'reason', exc)}"
        problem = verify(source, part)
        if problem is None:
            os.replace(part, final)
            return None
        part.unlink(missing_ok=True)
        if resumed and not restarted:
            restarted = True  # the old part may have been stale: try once from scratch
            continue
        return f"{url}: {problem}; the download was removed"


def _fetch(source: Source, url: str, part: Path, *, show: bool, timeout: float) -> None:
    """Fetch ``url`` into ``part``, continuing it when it exists; raise ``_TransientError``,
    ``_RestartError`` or an ``HTTPError`` on failure."""
    offset = part.stat().st_size if part.exists() else 0
    headers = {"User-Agent": "orchestrion-datasets", "Accept-Encoding": "identity"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    request = urllib.request.Request(url, headers=headers)
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and offset:
            raise _RestartError from None
        if exc.code in _TRANSIENT_STATUS or 500 <= exc.code < 600:
            raise _TransientError(f"HTTP {exc.code} {exc.reason}") from None
        raise
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, (OSError, TimeoutError)):
            raise _TransientError(str(exc.reason)) from None
        raise
    except (OSError, http.client.HTTPException) as exc:
        raise _TransientError(f"{type(exc).__name__}: {exc}") from None
    with response:
        status = response.status
        if offset and status == 206:
            match = _CONTENT_RANGE.match(response.headers.get("Content-Range", "").strip())
            if match is None or int(match.group(1)) != offset:
                raise _RestartError
            mode = "ab"
        else:
            offset, mode = 0, "wb"  # a 200 answer: the whole file, from the first byte
        length = response.headers.get("Content-Length")
        expected = int(length) if length and length.isdigit() else None
        total = offset + expected if expected is not None else source.size
        with open(part, mode) as out:
            received = _copy(response, out, total=total, initial=offset, show=show,
                             desc=source.filename, limit=source.size)
    overflow = source.size is not None and offset + received > source.size
    if expected is not None and received < expected and not overflow:
        raise _TransientError(f"the response was cut after {received} of {expected} bytes")


def _copy(response: IO[bytes], out: IO[bytes], *, total: int | None, initial: int,
          show: bool, desc: str, limit: int | None) -> int:
    """Copy the response into ``out`` with an optional progress bar; return the bytes
    received. Stops early once the file would exceed ``limit`` (it then fails its check)."""
    bar: Any = None
    if show:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, initial=initial, unit="B", unit_scale=True,
                   unit_divisor=1024, desc=desc, file=sys.stderr, leave=False)
    received = 0
    try:
        while True:
            try:
                chunk = response.read(CHUNK_BYTES)
            except (OSError, http.client.HTTPException) as exc:
                raise _TransientError(f"{type(exc).__name__}: {exc}") from None
            if not chunk:
                return received
            out.write(chunk)
            received += len(chunk)
            if bar is not None:
                bar.update(len(chunk))
            if limit is not None and initial + received > limit:
                return received
    finally:
        if bar is not None:
            bar.close()
