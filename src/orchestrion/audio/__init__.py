"""Audio: rendering music with General MIDI SoundFonts, audio files, features (resampling,
log-mel spectrograms, Griffin-Lim, loudness) and humanised performances with their note
alignment.

Importing this package loads numpy only; the synthesizers (TinySoundFont, FluidSynth),
soundfile, librosa and soxr are imported when first used. See ``docs/audio.md``.
"""

from orchestrion.audio.audiofile import AUDIO_FORMATS, ClippingWarning, read_audio, write_audio
from orchestrion.audio.features import (
    LoudnessWarning,
    griffin_lim,
    istft,
    k_weighting,
    log_mel,
    loudness,
    mel_filterbank,
    mel_to_audio,
    normalize_loudness,
    normalize_peak,
    resample,
    spectral_convergence,
    stft,
)
from orchestrion.audio.humanize import ALIGNMENT_DTYPE, Performance, humanize
from orchestrion.audio.render import Rendering, render, track_label
from orchestrion.audio.soundfont import find_soundfont

__all__ = [
    "ALIGNMENT_DTYPE", "AUDIO_FORMATS", "ClippingWarning", "LoudnessWarning", "Performance",
    "Rendering", "engines", "find_soundfont", "griffin_lim", "humanize", "istft",
    "k_weighting", "log_mel", "loudness", "mel_filterbank", "mel_to_audio",
    "normalize_loudness", "normalize_peak", "read_audio", "render", "resample",
    "spectral_convergence", "stft", "track_label", "write_audio",
]


def engines() -> list[str]:
    """The synthesis engines installed here, the default first (``[]`` when none)."""
    from orchestrion.audio._engines import available_engines

    return available_engines()
