"""Audio files (WAV/FLAC/Ogg round trips, atomic writes, errors) and audio features (resampling,
log-mel against librosa, Griffin-Lim, BS.1770 loudness against the standard and pyloudnorm,
normalisation)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from orchestrion.audio import features as F  # noqa: N812
from orchestrion.errors import OrchestrionError

SR = 22050


def _tones(seconds: float = 1.0, sr: int = SR, channels: int = 2) -> np.ndarray:
    t = np.arange(round(seconds * sr)) / sr
    columns = [0.6 * np.sin(2 * np.pi * 440 * (c + 1) * t) * np.exp(-t) for c in range(channels)]
    return np.stack(columns, axis=1).astype(np.float32)


def _pinkish(seconds: float, sr: int, channels: int, seed: int = 0) -> np.ndarray:
    """Noise through Kellet's pink filter, with a quiet first second (exercises the gates)."""
    from scipy.signal import lfilter

    noise = np.random.default_rng(seed).standard_normal((round(seconds * sr), channels))
    b = [0.049922035, -0.095993537, 0.050612699, -0.004408786]
    a = [1.0, -2.494956002, 2.017265875, -0.522189400]
    pink = lfilter(b, a, noise, axis=0) * 0.3
    pink[:sr] *= 0.001
    return pink


# ------------------------------------------------------------------------------- audio files

@pytest.fixture
def audiofile():
    pytest.importorskip("soundfile")
    from orchestrion.audio import audiofile

    return audiofile


@pytest.mark.parametrize(("name", "subtype", "tolerance"), [
    ("a.wav", "FLOAT", 0.0),
    ("a.wav", None, 1.0 / 2 ** 15),         # PCM_16: within one quantisation step
    ("a.wav", "PCM_24", 1.0 / 2 ** 23),
    ("a.flac", None, 1.0 / 2 ** 15),
    ("a.flac", "PCM_24", 1.0 / 2 ** 23),
])
def test_lossless_round_trips(audiofile, tmp_path: Path, name: str, subtype: str | None,
                              tolerance: float) -> None:
    audio = _tones()
    audiofile.write_audio(tmp_path / name, audio, SR, subtype=subtype)
    back, rate = audiofile.read_audio(tmp_path / name)
    assert rate == SR
    assert back.dtype == np.float32
    assert back.shape == audio.shape
    assert np.abs(back - audio).max() <= tolerance


def test_ogg_round_trip_is_close(audiofile, tmp_path: Path) -> None:
    audio = _tones()
    audiofile.write_audio(tmp_path / "a.ogg", audio, SR)
    back, rate = audiofile.read_audio(tmp_path / "a.ogg")
    assert (rate, back.shape) == (SR, audio.shape)
    for channel in range(2):
        assert np.corrcoef(audio[:, channel], back[:, channel])[0, 1] > 0.99


def test_mono_input_resampling_and_downmix(audiofile, tmp_path: Path) -> None:
    audiofile.write_audio(tmp_path / "m.wav", _tones(channels=1)[:, 0], SR, subtype="FLOAT")
    back, _ = audiofile.read_audio(tmp_path / "m.wav")
    assert back.shape == (SR, 1)
    audiofile.write_audio(tmp_path / "s.flac", _tones(), SR)
    mono, rate = audiofile.read_audio(tmp_path / "s.flac", mono=True, sample_rate=16000)
    assert (mono.shape, rate) == ((16000, 1), 16000)


def test_clipping_warns_or_raises(audiofile, tmp_path: Path) -> None:
    loud = _tones() * 3
    with pytest.warns(audiofile.ClippingWarning, match="beyond"):
        audiofile.write_audio(tmp_path / "c.wav", loud, SR)
    back, _ = audiofile.read_audio(tmp_path / "c.wav")
    assert np.abs(back).max() <= 1.0
    with pytest.raises(audiofile.AudioFileError, match=r"r\.wav"):
        audiofile.write_audio(tmp_path / "r.wav", loud, SR, on_clip="raise")
    assert not (tmp_path / "r.wav").exists()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        audiofile.write_audio(tmp_path / "f.wav", loud, SR, subtype="FLOAT")  # floats keep it
    assert audiofile.read_audio(tmp_path / "f.wav")[0].max() > 1.5


def test_errors_name_the_file(audiofile, tmp_path: Path) -> None:
    error_type = audiofile.AudioFileError
    assert issubclass(error_type, OrchestrionError)
    with pytest.raises(error_type, match=r"x\.mp3: unknown audio extension"):
        audiofile.write_audio(tmp_path / "x.mp3", _tones(), SR)
    with pytest.raises(error_type, match=r"missing\.wav"):
        audiofile.read_audio(tmp_path / "missing.wav")
    (tmp_path / "junk.flac").write_bytes(b"not audio at all" * 8)
    with pytest.raises(error_type, match=r"junk\.flac: cannot read"):
        audiofile.read_audio(tmp_path / "junk.flac")
    bad = _tones()
    bad[10, 0] = np.nan
    with pytest.raises(error_type, match="NaN"):
        audiofile.write_audio(tmp_path / "nan.wav", bad, SR)
    with pytest.raises(error_type, match="subtype"):
        audiofile.write_audio(tmp_path / "v.ogg", _tones(), SR, subtype="PCM_16")
    with pytest.raises(error_type, match="sample rate"):
        audiofile.write_audio(tmp_path / "z.wav", _tones(), 0)
    with pytest.raises(error_type, match="channels, samples"):
        audiofile.write_audio(tmp_path / "t.wav", _tones().T, SR)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["junk.flac"]


def test_failing_write_leaves_no_file(audiofile, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import soundfile

    target = tmp_path / "a.wav"
    target.write_bytes(b"old contents")

    def broken(handle, *args, **kwargs):
        handle.write(b"RIFF half a file")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(soundfile, "write", broken)
    with pytest.raises(audiofile.AudioFileError, match="disk on fire"):
        audiofile.write_audio(target, _tones(), SR)
    assert target.read_bytes() == b"old contents"
    with pytest.raises(audiofile.AudioFileError):
        audiofile.write_audio(tmp_path / "new.flac", _tones(), SR)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.wav"]


# -------------------------------------------------------------------------------- resampling

@pytest.mark.parametrize(("orig", "target", "n"), [(44100, 16000, 44100), (22050, 48000, 12345),
                                                   (16000, 22050, 7), (48000, 44100, 48001)])
def test_resample_length(orig: int, target: int, n: int) -> None:
    pytest.importorskip("soxr")
    mono = F.resample(np.zeros(n, np.float32), orig, target)
    assert mono.shape == (round(n * target / orig),)
    assert mono.dtype == np.float32
    assert F.resample(np.zeros((n, 2)), orig, target).shape == (round(n * target / orig), 2)


def test_resample_keeps_a_sine_frequency() -> None:
    pytest.importorskip("soxr")
    t = np.arange(44100) / 44100
    out = F.resample(np.sin(2 * np.pi * 1000 * t), 44100, 16000)
    spectrum = np.abs(np.fft.rfft(out * np.hanning(len(out))))
    assert np.fft.rfftfreq(len(out), 1 / 16000)[spectrum.argmax()] == pytest.approx(1000, abs=1)
    assert np.abs(out[1000:-1000]).max() == pytest.approx(1.0, abs=0.01)


# ----------------------------------------------------------------------------------- log-mel

@pytest.mark.parametrize(("power", "fmin", "fmax", "n_mels"), [(1.0, 0.0, None, 80),
                                                               (2.0, 0.0, 8000.0, 80),
                                                               (1.0, 50.0, 7600.0, 64)])
def test_log_mel_matches_librosa(power: float, fmin: float, fmax: float | None,
                                 n_mels: int) -> None:
    librosa = pytest.importorskip("librosa")
    audio = np.random.default_rng(0).standard_normal(SR).astype(np.float32) * 0.1
    expected = np.log(np.maximum(librosa.feature.melspectrogram(
        y=audio, sr=SR, n_fft=1024, hop_length=256, n_mels=n_mels, fmin=fmin, fmax=fmax,
        power=power), 1e-5))
    got = F.log_mel(audio, SR, n_mels=n_mels, fmin=fmin, fmax=fmax, power=power)
    assert got.shape == expected.shape == (n_mels, 1 + SR // 256)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, expected, atol=1e-4)
    np.testing.assert_allclose(F.mel_filterbank(SR, 1024, n_mels, fmin, fmax),
                               librosa.filters.mel(sr=SR, n_fft=1024, n_mels=n_mels,
                                                   fmin=fmin, fmax=fmax), atol=1e-7)


def test_log_mel_channels_and_floor() -> None:
    stereo = _tones()
    both = F.log_mel(stereo, SR)
    assert both.shape == (2, 80, 1 + SR // 256)
    np.testing.assert_array_equal(both[1], F.log_mel(stereo[:, 1], SR))
    assert F.log_mel(np.zeros(4096), SR).max() == pytest.approx(np.log(1e-5))


def test_stft_inverts() -> None:
    audio = np.random.default_rng(1).standard_normal(5000)
    back = F.istft(F.stft(audio), length=len(audio))
    np.testing.assert_allclose(back, audio, atol=1e-10)


# ------------------------------------------------------------------------------- Griffin-Lim

def test_griffin_lim_converges() -> None:
    audio = _tones(1.0, 16000, 1)[:, 0].astype(np.float64)
    target = np.abs(F.stft(audio))
    errors = {}
    for n_iter, momentum in ((4, 0.99), (32, 0.0), (32, 0.99)):
        out = F.griffin_lim(target, n_iter=n_iter, momentum=momentum, length=len(audio))
        assert out.shape == audio.shape
        errors[n_iter, momentum] = F.spectral_convergence(target, np.abs(F.stft(out)))
    # measured: 0.28 (4 iterations), 0.099 (32, plain), 0.057 (32, fast), 0.034 (64, fast)
    assert errors[32, 0.99] < 0.12
    assert errors[32, 0.99] < errors[32, 0.0] < errors[4, 0.99]


def test_mel_to_audio_round_trip() -> None:
    audio = _tones(1.0, 16000, 1)[:, 0]
    mel = F.log_mel(audio, 16000, fmax=8000.0)
    out = F.mel_to_audio(mel, 16000, fmax=8000.0, length=len(audio))
    assert out.shape == audio.shape
    again = F.log_mel(out.astype(np.float32), 16000, fmax=8000.0)
    # measured 0.055: the mel magnitudes come back within a few percent
    assert F.spectral_convergence(np.exp(mel), np.exp(again)) < 0.1


# ---------------------------------------------------------------------------------- loudness

def test_k_weighting_is_the_standards_at_48k() -> None:
    # BS.1770-4 Table 1 (pre-filter) and Table 2 (RLB filter)
    expected = [[1.53512485958697, -2.69169618940638, 1.19839281085285,
                 1.0, -1.69065929318241, 0.73248077421585],
                [1.0, -2.0, 1.0, 1.0, -1.99004745483398, 0.99007225036621]]
    np.testing.assert_allclose(F.k_weighting(48000), expected, atol=1e-8)


@pytest.mark.parametrize("sr", [48000, 44100])
def test_loudness_of_the_standard_sine(sr: int) -> None:
    pytest.importorskip("scipy")
    t = np.arange(5 * sr) / sr
    sine = np.sin(2 * np.pi * 997 * t)
    assert F.loudness(sine, sr) == pytest.approx(-3.01, abs=0.1)
    assert F.loudness(sine, sr) == pytest.approx(-3.01, abs=0.01)
    # the same sine in one of two channels reads the same; at -20 dBFS it reads 20 LU less
    stereo = np.stack([sine, np.zeros_like(sine)], axis=1)
    assert F.loudness(stereo, sr) == pytest.approx(-3.01, abs=0.01)
    assert F.loudness(sine * 0.1, sr) == pytest.approx(-23.01, abs=0.01)


def test_loudness_gates() -> None:
    pytest.importorskip("scipy")
    sr = 48000
    assert F.loudness(np.zeros(sr * 2), sr) == -np.inf
    assert F.loudness(np.ones(sr // 4), sr) == -np.inf            # shorter than one block
    t = np.arange(4 * sr) / sr
    tone = np.sin(2 * np.pi * 997 * t)
    # A quiet half at -63 LUFS passes the absolute gate but not the relative one: only the
    # 37 loud blocks and the 3 straddling ones (3/4, 1/2, 1/4 tone) count; ungated, the 40
    # quiet ones would lower the loudness by another 3 LU.
    mixed = np.concatenate([tone, tone * 1e-3])
    expected = -3.0103 + 10 * np.log10((37 + 0.75 + 0.5 + 0.25) / 40)
    assert F.loudness(mixed, sr) == pytest.approx(expected, abs=0.01)


@pytest.mark.parametrize(("sr", "channels"), [(48000, 2), (44100, 1), (16000, 5)])
def test_loudness_agrees_with_pyloudnorm(sr: int, channels: int) -> None:
    pyloudnorm = pytest.importorskip("pyloudnorm")
    audio = _pinkish(5.0, sr, channels)
    ours = F.loudness(audio, sr)
    # pyloudnorm's "DeMan" filters are the same bilinear design: agreement to rounding
    deman = pyloudnorm.Meter(sr, filter_class="DeMan").integrated_loudness(audio)
    assert ours == pytest.approx(deman, abs=1e-6)
    # its default filters are a slightly different fit (it reads the 997 Hz sine as -3.05)
    default = pyloudnorm.Meter(sr).integrated_loudness(audio)
    assert ours == pytest.approx(default, abs=0.15)


def test_normalize_loudness_hits_the_target() -> None:
    pytest.importorskip("scipy")
    sr = 44100
    audio = _pinkish(4.0, sr, 2).astype(np.float32)
    out = F.normalize_loudness(audio, sr, -23.0)
    assert out.dtype == np.float32
    assert F.loudness(out, sr) == pytest.approx(-23.0, abs=0.1)
    assert np.abs(out).max() <= 10 ** (-1.0 / 20) + 1e-6


def test_normalize_loudness_respects_the_peak_limit() -> None:
    pytest.importorskip("scipy")
    sr = 44100
    audio = _pinkish(4.0, sr, 2)
    with pytest.warns(F.LoudnessWarning, match="peak"):
        out = F.normalize_loudness(audio, sr, -3.0, peak=-1.0)
    assert np.abs(out).max() == pytest.approx(10 ** (-1.0 / 20))
    assert F.loudness(out, sr) < -3.0
    unlimited = F.normalize_loudness(audio, sr, -3.0, peak=None)
    assert F.loudness(unlimited, sr) == pytest.approx(-3.0, abs=0.1)
    with pytest.raises(F.AudioError, match="silent"):
        F.normalize_loudness(np.zeros(sr), sr)


def test_normalize_peak() -> None:
    audio = _tones()
    out = F.normalize_peak(audio, -3.0)
    assert np.abs(out).max() == pytest.approx(10 ** (-3 / 20), rel=1e-6)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(F.normalize_peak(np.zeros(10)), np.zeros(10))


def test_bad_audio_is_refused() -> None:
    with pytest.raises(F.AudioError, match="NaN"):
        F.log_mel(np.array([0.0, np.inf]), SR)
    with pytest.raises(F.AudioError, match="shape"):
        F.normalize_peak(np.zeros((2, 2, 2)))
    with pytest.raises(F.AudioError, match="sample_rate"):
        F.loudness(np.zeros(100), 0)
