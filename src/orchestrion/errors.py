"""The one exception hierarchy of orchestrion.

Every error the library raises on purpose derives from :class:`OrchestrionError`, so callers
(and the command line, which prints one line and exits non-zero) can catch them together.
Messages name the file (when there is one) and what is wrong with it.
"""

from __future__ import annotations

from os import PathLike


class OrchestrionError(Exception):
    """Base class of all orchestrion errors."""


class ValidationError(OrchestrionError, ValueError):
    """An object of the music model holds an impossible value (pitch 200, tempo 0, ...)."""


class FormatError(OrchestrionError, ValueError):
    """A file cannot be read or written in the format its extension names."""

    def __init__(self, message: str, path: str | PathLike[str] | None = None) -> None:
        self.path = None if path is None else str(path)
        self.reason = message
        super().__init__(f"{self.path}: {message}" if self.path else message)


class DatasetError(OrchestrionError):
    """A data set cannot be downloaded, verified, extracted or converted."""


class DownloadError(DatasetError):
    """A file cannot be downloaded, or what came does not match its size or checksum.

    The message names the URL and says how to place the file by hand. ``url`` and ``path``
    (where the file belongs) are kept as attributes.
    """

    def __init__(self, message: str, url: str | None = None,
                 path: str | PathLike[str] | None = None) -> None:
        self.url = url
        self.path = None if path is None else str(path)
        self.reason = message
        super().__init__(message)


class ExtractError(DatasetError):
    """An archive is unreadable or unsafe to extract (paths out of the folder, links,
    device files, bombs); the message starts with the archive's path."""


class CheckpointError(OrchestrionError):
    """A model checkpoint is missing, incomplete or of another family."""


class SoundFontError(OrchestrionError):
    """No SoundFont (or no synthesizer) to render audio with, or one that cannot be loaded;
    the message says how to get one."""
