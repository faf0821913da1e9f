"""Reading and writing audio files (WAV, FLAC, Ogg Vorbis) through soundfile (libsndfile).

Audio in orchestrion is a float32 array ``(samples, channels)`` at full scale 1.0 plus a sample
rate; functions that take audio also accept a 1-D array as mono. The format follows the file's
extension (``.wav``, ``.flac``, ``.ogg``), as everywhere in orchestrion.

Writing is atomic: the file is written to a temporary sibling and renamed over the target
only when everything succeeded, so an error never leaves a half-written file (nor destroys an
existing one). Samples that are NaN or infinite are refused. Samples beyond ±1.0 cannot be
stored by the integer subtypes (``PCM_16``, ``PCM_24``, ...) nor played back from Vorbis; they
are **clipped to ±1.0 with a** :class:`ClippingWarning` (``on_clip="warn"``, the default), or
refused (``on_clip="raise"``). Float subtypes (``FLOAT``, ``DOUBLE``) store them unchanged.
Use :func:`orchestrion.audio.features.normalize_peak` to avoid clipping.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Literal

import numpy as np

from orchestrion.audio.features import AudioError, resample
from orchestrion.errors import FormatError
from orchestrion.io.files import atomic_open, check_readable

__all__ = ["AUDIO_FORMATS", "AudioFileError", "ClippingWarning", "read_audio", "write_audio"]

#: Extension -> (libsndfile format, default subtype). The defaults are soundfile's own:
#: 16-bit PCM for WAV and FLAC, Vorbis for Ogg.
AUDIO_FORMATS: dict[str, tuple[str, str]] = {
    ".wav": ("WAV", "PCM_16"),
    ".flac": ("FLAC", "PCM_16"),
    ".ogg": ("OGG", "VORBIS"),
}

_FLOAT_SUBTYPES = frozenset({"FLOAT", "DOUBLE"})


class AudioFileError(FormatError, AudioError):
    """An audio file cannot be read or written; the message starts with its path."""


class ClippingWarning(UserWarning):
    """Samples beyond ±1.0 were clipped to fit an integer (or Vorbis) file."""


def _format_of(path: Path) -> tuple[str, str]:
    try:
        return AUDIO_FORMATS[path.suffix.lower()]
    except KeyError:
        known = ", ".join(AUDIO_FORMATS)
        raise AudioFileError(f"unknown audio extension {path.suffix!r} (known: {known})",
                             path) from None


def read_audio(path: str | os.PathLike[str], *, sample_rate: int | None = None,
               mono: bool = False) -> tuple[np.ndarray, int]:
    """Read a WAV, FLAC or Ogg Vorbis file as float32 ``(samples, channels)`` and its rate.

    ``mono`` averages the channels (giving ``(samples, 1)``); ``sample_rate`` resamples to that
    rate with :func:`~orchestrion.audio.features.resample` (soxr). Integer files come back
    scaled to [-1, 1) (``x / 2^(bits-1)``). Raises :class:`AudioFileError` naming the file
    when it is missing, has an unknown extension or cannot be decoded.
    """
    import soundfile

    try:
        target = check_readable(path)
    except FormatError as error:
        raise AudioFileError(error.reason, path) from None
    _format_of(target)
    try:
        data, rate = soundfile.read(str(target), dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, ValueError) as error:
        raise AudioFileError(f"cannot read audio: {error}", target) from None
    if mono and data.shape[1] > 1:
        data = data.mean(axis=1, keepdims=True, dtype=np.float64).astype(np.float32)
    if sample_rate is not None and sample_rate != rate:
        data = resample(data, rate, sample_rate).astype(np.float32, copy=False)
        rate = sample_rate
    return np.ascontiguousarray(data), int(rate)


def write_audio(path: str | os.PathLike[str], audio: np.ndarray, sample_rate: int, *,
                subtype: str | None = None,
                on_clip: Literal["warn", "raise"] = "warn") -> None:
    """Write ``audio`` (``(samples, channels)``, or 1-D for mono) to ``path`` atomically.

    The format follows the extension (:data:`AUDIO_FORMATS`); ``subtype`` is a libsndfile
    subtype (``"PCM_16"``, ``"PCM_24"``, ``"FLOAT"`` for WAV; ``"PCM_16"``/``"PCM_24"`` for
    FLAC; ``"VORBIS"`` for Ogg), by default the format's default. Samples beyond ±1.0 in a
    non-float subtype are clipped with a :class:`ClippingWarning` or, with
    ``on_clip="raise"``, refused. Raises :class:`AudioFileError` naming the file for an
    unknown extension, an impossible subtype or sample rate, NaN or infinite samples, or an
    array of the wrong shape.
    """
    import soundfile

    target = Path(path)
    file_format, default_subtype = _format_of(target)
    subtype = (subtype or default_subtype).upper()
    if not soundfile.check_format(file_format, subtype):
        raise AudioFileError(f"{file_format} files cannot hold subtype {subtype!r}", target)
    if not (isinstance(sample_rate, (int, np.integer)) and sample_rate > 0):
        raise AudioFileError(f"sample rate must be a positive integer, got {sample_rate!r}",
                             target)
    data = np.asarray(audio)
    if data.ndim == 1:
        data = data[:, None]
    if data.ndim != 2 or data.shape[1] == 0:
        raise AudioFileError(f"audio must have shape (samples,) or (samples, channels), "
                             f"got {np.shape(audio)}", target)
    if data.shape[1] > 64 and data.shape[0] < data.shape[1]:
        raise AudioFileError(f"audio of shape {data.shape} looks like (channels, samples); "
                             "pass (samples, channels)", target)
    if data.dtype.kind not in "fiu":
        raise AudioFileError(f"audio must be numeric, got {data.dtype}", target)
    if data.dtype.kind != "f":
        data = data.astype(np.float64)
    if not np.isfinite(data).all():
        bad = int(np.count_nonzero(~np.isfinite(data)))
        raise AudioFileError(f"audio holds {bad} NaN or infinite samples", target)
    if subtype not in _FLOAT_SUBTYPES:
        over = np.abs(data) > 1.0
        if over.any():
            message = (f"{int(over.sum())} samples beyond ±1.0 (peak "
                       f"{float(np.abs(data).max()):.3f}) do not fit {subtype}")
            if on_clip == "raise":
                raise AudioFileError(message + "; normalise first (normalize_peak)", target)
            warnings.warn(f"{target}: {message}; clipped", ClippingWarning, stacklevel=2)
            data = np.clip(data, -1.0, 1.0)
    try:
        with atomic_open(target, "wb") as handle:
            soundfile.write(handle, data, int(sample_rate), subtype=subtype,
                            format=file_format)
    except AudioFileError:
        raise
    except FormatError as error:  # atomic_open: a folder in the way, no parent folder
        raise AudioFileError(error.reason, target) from None
    except (soundfile.LibsndfileError, RuntimeError, TypeError) as error:
        raise AudioFileError(f"cannot write audio: {error}", target) from None
