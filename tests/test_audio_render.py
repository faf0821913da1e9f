"""orchestrion.audio.render: SoundFont rendering checked by listening with numpy (pitch,
timing, stems, drums, pedal, levels) and SoundFont discovery."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from orchestrion import ControlChange, Music, Note, PitchBend, Tempo, Track
from orchestrion.audio import engines, find_soundfont, render
from orchestrion.audio import soundfont as soundfont_module
from orchestrion.errors import SoundFontError


def _soundfont() -> Path | None:
    try:
        return find_soundfont()
    except SoundFontError:
        return None


SOUNDFONT = _soundfont()
ENGINES = engines()
needs_synth = pytest.mark.skipif(
    SOUNDFONT is None or not ENGINES,
    reason="needs a GM SoundFont (sudo apt-get install fluid-soundfont-gm) and a synthesizer "
           "(pip install --no-deps tinysoundfont, or pyfluidsynth with libfluidsynth)")
each_engine = pytest.mark.parametrize("engine", ENGINES or ["tinysoundfont"])


def _one(track: Track, **music: object) -> Music:
    return Music(resolution=24, tracks=[track], **music)  # type: ignore[arg-type]


def _a4(program: int = 0, ticks: int = 48) -> Music:
    return _one(Track(program=program, notes=[Note(0, 69, ticks, 100)]))


def _peak_frequency(x: np.ndarray, sample_rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x)), n=8 * len(x)))
    return float(np.fft.rfftfreq(8 * len(x), 1 / sample_rate)[spectrum.argmax()])


def _flatness(x: np.ndarray) -> float:
    """Spectral flatness (geometric over arithmetic mean of the power), frames of 512."""
    frames = x[: len(x) // 512 * 512].reshape(-1, 512)
    power = np.abs(np.fft.rfft(frames * np.hanning(512), axis=1)) ** 2 + 1e-12
    return float(np.mean(np.exp(np.log(power).mean(axis=1)) / power.mean(axis=1)))


def _energy(x: np.ndarray, sample_rate: int, start: float, stop: float) -> float:
    return float(np.sum(x[int(start * sample_rate):int(stop * sample_rate)] ** 2))


# ----------------------------------------------------------------------------- sound
@needs_synth
@each_engine
def test_a4_sounds_at_440_hz(engine: str) -> None:
    rendering = render(_a4(), engine=engine)
    assert rendering.audio.dtype == np.float32
    assert rendering.audio.shape == (round(2.0 * 44100), 2)  # 2 beats at 120 qpm + 1 s tail
    assert rendering.engine == engine
    assert rendering.soundfont == SOUNDFONT
    left = rendering.audio[: 44100, 0]
    assert abs(_peak_frequency(left, 44100) - 440.0) < 2.0


@needs_synth
def test_sample_rate_16000_and_channels() -> None:
    mono = render(_a4(), sample_rate=16000, channels=1)
    assert mono.audio.shape == (32000, 1)
    assert mono.sample_rate == 16000
    assert abs(_peak_frequency(mono.audio[:16000, 0], 16000) - 440.0) < 2.0
    stereo = render(_a4(), sample_rate=16000)
    assert stereo.audio.shape == (32000, 2)
    # Mono is the mean of the two channels.
    np.testing.assert_allclose(mono.audio[:, 0], stereo.audio.mean(axis=1), atol=1e-6)


@needs_synth
def test_pitch_bend_raises_the_pitch() -> None:
    music = _a4()
    music.tracks[0].pitch_bends = [PitchBend(0, 8191)]  # +2 semitones (GM's default range)
    rendering = render(music, channels=1)
    assert abs(_peak_frequency(rendering.audio[:44100, 0], 44100) - 493.9) < 4.0


@needs_synth
@each_engine
def test_length_and_onsets_follow_the_tempo_map(engine: str) -> None:
    # Woodblock every quarter: 120 qpm for four beats, then 60 qpm.
    notes = [Note(24 * k, 72, 6, 110) for k in range(7)]
    music = _one(Track(program=115, notes=notes), tempos=[Tempo(0, 120), Tempo(96, 60)])
    rendering = render(music, engine=engine, channels=1, tail=0.5)
    end = music.tempo_map().to_seconds(7 * 24 - 24 + 6)
    assert end == pytest.approx(4.25)
    assert len(rendering.audio) == round((end + 0.5) * 44100)
    x = rendering.audio[:, 0]

    def rise(t: float) -> float:  # energy in the 40 ms after t over the 40 ms before it
        return _energy(x, 44100, t, t + 0.04) / (_energy(x, 44100, t - 0.04, t) + 1e-9)

    for onset in (0.5, 1.0, 1.5, 2.0, 3.0, 4.0):
        assert rise(onset) > 4, onset
    for silent in (2.5, 3.5):  # where a tempo map ignoring the change would put onsets
        assert rise(silent) < 2, silent


@needs_synth
def test_stems_sum_to_the_mix() -> None:
    music = Music(resolution=24, tracks=[
        Track(program=40, name="Fiddle", notes=[Note(12 * k, 64 + k % 5, 12, 90)
                                                for k in range(8)]),
        Track(program=0, notes=[Note(0, 48, 96, 80)]),
        Track(is_drum=True, name="Kit", notes=[Note(12 * k, 42, 3, 100) for k in range(8)]),
    ])
    rendering = render(music, stems=True)
    assert rendering.stems is not None
    assert list(rendering.stems) == ["00-Fiddle", "01-Acoustic Grand Piano", "02-Kit"]
    total = np.sum(list(rendering.stems.values()), axis=0)
    np.testing.assert_allclose(total, rendering.audio, atol=1e-6)
    assert all(np.abs(s).max() > 1e-3 for s in rendering.stems.values())
    # The mix rendered in one pass agrees with the stems' sum (same engine, same level).
    alone = render(music)
    np.testing.assert_allclose(alone.audio, rendering.audio, atol=2e-3)


@needs_synth
@each_engine
def test_drums_are_percussive_not_pitched(engine: str) -> None:
    hats = render(_one(Track(is_drum=True, notes=[Note(0, 42, 12, 100)])), engine=engine,
                  channels=1, tail=0.3)
    organ = render(_one(Track(program=19, notes=[Note(0, 42, 12, 100)])), engine=engine,
                   channels=1, tail=0.3)
    drum_flatness = _flatness(hats.audio[: 13000, 0])
    assert drum_flatness > 0.05
    assert drum_flatness > 20 * _flatness(organ.audio[: 13000, 0])


@needs_synth
@each_engine
def test_sustain_pedal_lengthens_the_sound(engine: str) -> None:
    def piano(pedal: bool) -> np.ndarray:
        controls = [ControlChange(0, 64, 127), ControlChange(96, 64, 0)] if pedal else []
        music = _one(Track(program=0, notes=[Note(0, 60, 6, 100)], controls=controls))
        return render(music, engine=engine, channels=1).audio[:, 0]

    held, dry = piano(True), piano(False)
    # Note-off at 0.125 s; the pedal holds it to 2 s.
    assert _energy(held, 44100, 0.5, 1.8) > 10 * _energy(dry, 44100, 0.5, 1.8)
    assert _energy(held, 44100, 0, 0.1) == pytest.approx(_energy(dry, 44100, 0, 0.1), rel=0.05)


@needs_synth
def test_velocity_makes_it_louder() -> None:
    soft = render(_one(Track(notes=[Note(0, 60, 24, 30)])), channels=1).audio
    loud = render(_one(Track(notes=[Note(0, 60, 24, 120)])), channels=1).audio
    assert np.abs(loud).max() > 2 * np.abs(soft).max()


@needs_synth
def test_gain_keeps_the_peak_at_most_one() -> None:
    cluster = [Note(0, p, 48, 127) for p in range(36, 96)]
    music = Music(tracks=[Track(program=0, notes=cluster), Track(program=61, notes=cluster)])
    rendering = render(music, gain=20.0, stems=True)
    assert np.abs(rendering.audio).max() <= 1.0
    assert rendering.gain < 20.0  # turned down
    assert rendering.stems is not None
    np.testing.assert_allclose(sum(rendering.stems.values()), rendering.audio, atol=1e-6)
    quiet = render(_a4(), gain=0.5)
    assert quiet.gain == 0.5
    assert np.abs(quiet.audio).max() == pytest.approx(
        0.5 * np.abs(render(_a4()).audio).max(), rel=1e-5)


@needs_synth
def test_more_tracks_than_channels_and_empty_music() -> None:
    tracks = [Track(program=k) for k in range(16)] + [Track(program=0, notes=[Note(0, 69, 24)])]
    rendering = render(Music(tracks=tracks), tail=0.2)
    assert np.abs(rendering.audio).max() > 1e-3  # the 17th track, in a second pass
    silence = render(Music(), tail=0.25)
    assert silence.audio.shape == (round(0.25 * 44100), 2)
    assert not silence.audio.any()
    assert render(Music(), stems=True).stems == {}


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="channels"):
        render(_a4(), channels=3)
    with pytest.raises(ValueError, match="tail"):
        render(_a4(), tail=-1)
    with pytest.raises(ValueError, match="gain"):
        render(_a4(), gain=0)


@needs_synth
def test_unknown_engine() -> None:
    with pytest.raises(SoundFontError, match="unknown synthesis engine"):
        render(_a4(), engine="timidity")


# ----------------------------------------------------------------------------- discovery
def test_missing_soundfont_says_how_to_get_one(monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    monkeypatch.delenv(soundfont_module.ENV_VAR, raising=False)
    monkeypatch.setattr(soundfont_module, "candidates", list)
    with pytest.raises(SoundFontError) as caught:
        find_soundfont()
    message = str(caught.value)
    assert "sudo apt-get install fluid-soundfont-gm" in message
    assert "timgm6mb-soundfont" in message
    assert "--soundfont FILE" in message
    assert soundfont_module.ENV_VAR in message
    with pytest.raises(SoundFontError, match="no SoundFont found"):
        render(_a4())
    with pytest.raises(SoundFontError, match=r"no such SoundFont file \(given explicitly\)"):
        find_soundfont(tmp_path / "missing.sf2")
    monkeypatch.setenv(soundfont_module.ENV_VAR, str(tmp_path / "env.sf2"))
    with pytest.raises(SoundFontError, match="ORCHESTRION_SOUNDFONT"):
        find_soundfont()
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(SoundFontError, match="not a SoundFont"):
        find_soundfont(tmp_path / "notes.txt")


def test_soundfont_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    explicit, from_env = tmp_path / "a.sf2", tmp_path / "b.sf3"
    explicit.write_bytes(b"RIFF")
    from_env.write_bytes(b"RIFF")
    monkeypatch.setenv(soundfont_module.ENV_VAR, str(from_env))
    assert find_soundfont(explicit) == explicit.resolve()
    assert find_soundfont() == from_env.resolve()
    monkeypatch.delenv(soundfont_module.ENV_VAR)
    monkeypatch.setattr(soundfont_module, "candidates", lambda: [explicit])
    assert find_soundfont() == explicit.resolve()


@needs_synth
def test_a_broken_soundfont_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.sf2"
    broken.write_bytes(b"RIFF\x00\x00\x00\x00sfbk")
    with pytest.raises(SoundFontError, match=r"broken\.sf2"):
        render(_a4(), soundfont=broken)
