"""The SoundFont synthesizers behind :func:`orchestrion.audio.render`, behind one small API.

Two engines: ``"tinysoundfont"`` (TinySoundFont through the ``tinysoundfont`` wheel; the
default, ~2x faster and self-contained) and ``"fluidsynth"`` (libfluidsynth through
``pyfluidsynth``; needs the system library). Each engine object holds one loaded SoundFont
at one sample rate, renders float32 stereo and is reused (loading FluidR3_GM takes ~0.3 s),
so :func:`get_engine` caches them. The engine modules are imported only here, when first used.
"""

from __future__ import annotations

import ctypes
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

from orchestrion.errors import SoundFontError

ENGINES = ("tinysoundfont", "fluidsynth")
DEFAULT_ENGINE = "tinysoundfont"
#: A channel's number of samples rendered per engine call at most (bounds the buffers).
BLOCK = 1 << 16
DRUM_BANK = 128

INSTALL_HINT = {
    "tinysoundfont": "pip install --no-deps tinysoundfont  (--no-deps: its optional "
                     "pyaudio dependency does not build without PortAudio)",
    "fluidsynth": "pip install pyfluidsynth, with the FluidSynth library installed "
                  "(sudo apt-get install fluidsynth, brew install fluid-synth)",
}


class Engine:
    """A SoundFont synthesizer: MIDI-like calls in, float32 stereo ``(n, 2)`` blocks out.

    ``native_sustain`` says whether the engine interprets CC 64 itself; when not, the renderer
    holds note-offs while the pedal is down.
    """

    name = ""
    native_sustain = False
    #: Output gain in dB, set in the engine, bringing its level near the other engine's.
    level_db = 0.0

    def __init__(self, soundfont: Path, sample_rate: int) -> None:
        self.soundfont = soundfont
        self.sample_rate = sample_rate
        self.lock = threading.Lock()  # one rendering at a time per engine object

    def reset(self) -> None:
        """Silence every voice and reset every channel (programs, controllers, bends)."""
        raise NotImplementedError

    def program(self, channel: int, program: int, is_drum: bool) -> None:
        raise NotImplementedError

    def note_on(self, channel: int, key: int, velocity: int) -> None:
        raise NotImplementedError

    def note_off(self, channel: int, key: int) -> None:
        raise NotImplementedError

    def control(self, channel: int, number: int, value: int) -> None:
        raise NotImplementedError

    def pitch_bend(self, channel: int, value: int) -> None:
        """``value`` in -8192..8191, 0 = no bend."""
        raise NotImplementedError

    def render_into(self, out: np.ndarray) -> None:
        """Fill ``out`` (C-contiguous float32 ``(n, 2)``) with the next ``n`` samples."""
        raise NotImplementedError


class TinySoundFontEngine(Engine):
    """TinySoundFont (``pip install --no-deps tinysoundfont``). No reverb or chorus; CC 64 is
    not interpreted by TinySoundFont, so the renderer emulates the sustain pedal."""

    name = "tinysoundfont"
    native_sustain = False
    level_db = -6.0

    def __init__(self, soundfont: Path, sample_rate: int) -> None:
        super().__init__(soundfont, sample_rate)
        try:
            from tinysoundfont import _tinysoundfont as tsf
        except ImportError as error:
            raise SoundFontError(f"the tinysoundfont engine is not installed: "
                                 f"{INSTALL_HINT['tinysoundfont']}") from error
        try:
            self._sf = tsf.SoundFont(str(soundfont))
        except Exception as error:  # the binding raises plain exceptions for bad files
            raise SoundFontError(f"{soundfont}: not a SoundFont TinySoundFont can load "
                                 f"({error})") from error
        self._sf.set_output(tsf.OutputMode.StereoInterleaved, sample_rate, self.level_db)
        self._sf.set_max_voices(512)
        self.reset()

    def reset(self) -> None:
        sf = self._sf
        sf.reset()  # voices end with a 10 ms fade, not at once: render it away
        for channel in range(16):
            sf.channel_midi_control(channel, 121, 0)  # reset all controllers
        flush = np.empty((self.sample_rate // 20 + 1, 2), dtype=np.float32)
        sf.render(memoryview(flush).cast("B"), False)

    def program(self, channel: int, program: int, is_drum: bool) -> None:
        sf = self._sf
        sf.channel_set_bank(channel, DRUM_BANK if is_drum else 0)
        try:
            sf.channel_set_preset_number(channel, program, is_drum)
        except RuntimeError:  # no such preset in this bank: GM's fallbacks
            sf.channel_set_bank(channel, DRUM_BANK if is_drum else 0)
            sf.channel_set_preset_number(channel, 0, is_drum)

    def note_on(self, channel: int, key: int, velocity: int) -> None:
        self._sf.channel_note_on(channel, key, velocity / 127.0)

    def note_off(self, channel: int, key: int) -> None:
        self._sf.channel_note_off(channel, key)

    def control(self, channel: int, number: int, value: int) -> None:
        self._sf.channel_midi_control(channel, number, value)

    def pitch_bend(self, channel: int, value: int) -> None:
        self._sf.channel_set_pitch_wheel(channel, value + 8192)

    def render_into(self, out: np.ndarray) -> None:
        self._sf.render(memoryview(out).cast("B"), False)


class FluidSynthEngine(Engine):
    """libfluidsynth through pyfluidsynth, rendering float32 with ``fluid_synth_write_float``
    (pyfluidsynth's own ``get_samples`` gives int16 only). Reverb and chorus on, as FluidSynth
    defaults; sustain pedal and every GM controller interpreted natively."""

    name = "fluidsynth"
    native_sustain = True
    level_db = 6.0  # on FluidSynth's default gain of 0.2

    def __init__(self, soundfont: Path, sample_rate: int) -> None:
        super().__init__(soundfont, sample_rate)
        try:
            import fluidsynth
        except (ImportError, OSError) as error:
            raise SoundFontError(f"the fluidsynth engine is not installed: "
                                 f"{INSTALL_HINT['fluidsynth']}") from error
        fl = fluidsynth._fl
        self._write = fl.fluid_synth_write_float
        self._write.restype = ctypes.c_int
        self._write.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_int,
                                ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
        self._bend = fl.fluid_synth_pitch_bend
        self._bend.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
        fl.fluid_set_log_function.restype = ctypes.c_void_p
        for level in range(5):  # panic .. debug: keep stderr quiet
            fl.fluid_set_log_function(level, None, None)
        self._synth = fluidsynth.Synth(gain=0.2 * 10 ** (self.level_db / 20),
                                       samplerate=float(sample_rate), channels=16)
        self._synth.setting("synth.polyphony", 512)
        self._synth.setting("synth.cpu-cores", 1)
        self._sfid = self._synth.sfload(str(soundfont))
        if self._sfid < 0:
            self._synth.delete()
            raise SoundFontError(f"{soundfont}: not a SoundFont FluidSynth can load")
        self._handle = self._synth.synth
        self._rendered = 0
        self.reset()

    def reset(self) -> None:
        # FluidSynth applies events at its 64-sample blocks, and what was rendered before
        # rings on in the reverb and chorus for a while: a rendering starts on a block
        # boundary after 0.25 s of silence, so that earlier renderings barely leak into it
        # (chorus modulation still makes repeated renderings differ by ~0.1%).
        synth = self._synth
        synth.system_reset()
        for channel in range(16):
            synth.sfont_select(channel, self._sfid)
        flush = np.empty(((-self._rendered) % 64 + self.sample_rate // 4, 2), dtype=np.float32)
        self.render_into(flush)

    def program(self, channel: int, program: int, is_drum: bool) -> None:
        if self._synth.program_select(channel, self._sfid, DRUM_BANK if is_drum else 0,
                                      program) != 0:
            self._synth.program_select(channel, self._sfid, DRUM_BANK if is_drum else 0, 0)

    def note_on(self, channel: int, key: int, velocity: int) -> None:
        self._synth.noteon(channel, key, velocity)

    def note_off(self, channel: int, key: int) -> None:
        self._synth.noteoff(channel, key)

    def control(self, channel: int, number: int, value: int) -> None:
        self._synth.cc(channel, number, value)

    def pitch_bend(self, channel: int, value: int) -> None:
        self._bend(self._handle, channel, value + 8192)

    def render_into(self, out: np.ndarray) -> None:
        pointer = out.ctypes.data
        self._write(self._handle, len(out), pointer, 0, 2, pointer + 4, 0, 2)
        self._rendered += len(out)


_CLASSES: dict[str, type[Engine]] = {"tinysoundfont": TinySoundFontEngine,
                                      "fluidsynth": FluidSynthEngine}


def available_engines() -> list[str]:
    """The engines whose Python package (and library) import here, default first."""
    names = []
    for name in ENGINES:
        try:
            if name == "tinysoundfont":
                import tinysoundfont  # noqa: F401
            else:
                import fluidsynth  # noqa: F401
        except (ImportError, OSError):
            continue
        names.append(name)
    return names


def choose_engine(engine: str | None) -> str:
    """``engine`` checked, or the first installed of :data:`ENGINES` when ``None``."""
    if engine is not None:
        if engine not in _CLASSES:
            raise SoundFontError(f"unknown synthesis engine {engine!r}; the engines are: "
                                 f"{', '.join(ENGINES)}")
        return engine
    installed = available_engines()
    if not installed:
        raise SoundFontError("no SoundFont synthesizer is installed: "
                             f"{INSTALL_HINT['tinysoundfont']}; or "
                             f"{INSTALL_HINT['fluidsynth']}")
    return installed[0]


@lru_cache(maxsize=4)
def _cached(name: str, soundfont: Path, sample_rate: int, mtime_ns: int) -> Engine:
    return _CLASSES[name](soundfont, sample_rate)


def get_engine(name: str, soundfont: Path, sample_rate: int) -> Engine:
    """An engine ``name`` with ``soundfont`` loaded at ``sample_rate``, reused between calls
    (a changed SoundFont file is loaded again)."""
    return _cached(name, soundfont, int(sample_rate), soundfont.stat().st_mtime_ns)

