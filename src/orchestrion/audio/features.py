"""Audio features in numpy: resampling, STFT, log-mel spectrograms, Griffin-Lim inversion,
BS.1770 loudness and normalisation.

Audio arrays follow :mod:`orchestrion.audio.audiofile`: ``(samples,)`` for mono or
``(samples, channels)``, floating point, full scale = 1.0. Everything here is vectorised over
frames, blocks and channels; only :func:`resample` needs a third-party package (``soxr``, which
librosa installs) and :func:`loudness` needs ``scipy.signal``. Both are imported inside the
functions, so ``import orchestrion`` stays light.

References
----------
* ITU-R BS.1770-4 (2015), *Algorithms to measure audio programme loudness and true-peak audio
  level*: K-weighting, gating, LKFS. The filter coefficients for any sample rate follow
  libebur128's bilinear design, which reproduces the standard's 48 kHz table.
* D. W. Griffin and J. S. Lim (1984), *Signal estimation from modified short-time Fourier
  transform*, IEEE Trans. ASSP 32(2), 236-243; with the momentum of N. Perraudin, P. Balazs and
  P. L. Søndergaard (2013), *A fast Griffin-Lim algorithm*, WASPAA.
* M. Slaney (1998), *Auditory Toolbox*: the mel scale and the area-normalised filters that
  ``librosa.filters.mel`` uses by default.
"""

from __future__ import annotations

import warnings

import numpy as np

from orchestrion.errors import OrchestrionError

__all__ = [
    "AudioError",
    "LoudnessWarning",
    "griffin_lim",
    "istft",
    "k_weighting",
    "log_mel",
    "loudness",
    "mel_filterbank",
    "mel_to_audio",
    "normalize_loudness",
    "normalize_peak",
    "resample",
    "spectral_convergence",
    "stft",
]


class AudioError(OrchestrionError, ValueError):
    """Audio or an audio argument is unusable: wrong shape, NaN or infinite samples, a sample
    rate that is not positive, silence where a loudness is needed."""


class LoudnessWarning(UserWarning):
    """:func:`normalize_loudness` could not reach its target without passing the peak limit."""


def _as_audio(audio: np.ndarray, name: str = "audio") -> np.ndarray:
    """``audio`` as a float array of 1 or 2 dimensions with finite values."""
    array = np.asarray(audio)
    if array.ndim not in (1, 2):
        raise AudioError(f"{name} must have shape (samples,) or (samples, channels), "
                         f"got {array.shape}")
    if array.dtype.kind not in "fiu":
        raise AudioError(f"{name} must be numeric, got {array.dtype}")
    if array.dtype.kind != "f":
        array = array.astype(np.float64)
    if not np.isfinite(array).all():
        raise AudioError(f"{name} holds NaN or infinite samples")
    return array


def _check_rate(rate: float, name: str = "sample_rate") -> None:
    if not (np.isfinite(rate) and rate > 0):
        raise AudioError(f"{name} must be positive, got {rate}")


# ------------------------------------------------------------------------------ resampling


def resample(audio: np.ndarray, orig_sr: int, target_sr: int) -> np.ndarray:
    """Resample along the first axis with soxr (its "HQ" quality, librosa's default).

    The result has exactly ``round(n * target_sr / orig_sr)`` samples (``n`` the input's):
    soxr's own length is trimmed or zero-padded at the end by at most a sample or two. The
    dtype (float32 or float64) and the channel layout are kept.
    """
    array = _as_audio(audio)
    _check_rate(orig_sr, "orig_sr")
    _check_rate(target_sr, "target_sr")
    n_out = round(array.shape[0] * target_sr / orig_sr)
    if orig_sr == target_sr:
        return array.copy()
    if array.shape[0] == 0:
        return np.zeros((0, *array.shape[1:]), dtype=array.dtype)
    import soxr

    if array.dtype not in (np.float32, np.float64):
        array = array.astype(np.float64)
    out = soxr.resample(np.ascontiguousarray(array), orig_sr, target_sr, quality="HQ")
    if out.shape[0] >= n_out:
        return np.ascontiguousarray(out[:n_out])
    pad = [(0, n_out - out.shape[0])] + [(0, 0)] * (out.ndim - 1)
    return np.pad(out, pad)


# ------------------------------------------------------------------------------------ STFT


def _hann(n: int) -> np.ndarray:
    """The periodic Hann window (``scipy.signal.get_window('hann', n)``, librosa's default)."""
    return 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(n) / n)


def stft(audio: np.ndarray, *, n_fft: int = 1024, hop_length: int = 256,
         center: bool = True) -> np.ndarray:
    """Short-time Fourier transform of mono ``audio`` with a periodic Hann window of ``n_fft``.

    ``X[k, m] = sum_n w[n] x[n + m H] exp(-2 pi i k n / N)`` for ``k = 0 .. N/2``; with
    ``center`` the signal is first padded with ``N // 2`` zeros on both sides, so frame ``m``
    is centred on sample ``m H`` (librosa's ``stft(..., pad_mode="constant")``).
    Returns complex ``(n_fft // 2 + 1, frames)``.
    """
    x = np.asarray(audio)
    if x.ndim != 1:
        raise AudioError(f"stft takes mono audio (samples,), got shape {x.shape}")
    if center:
        x = np.pad(x, n_fft // 2)
    if x.shape[0] < n_fft:
        x = np.pad(x, (0, n_fft - x.shape[0]))
    frames = np.lib.stride_tricks.sliding_window_view(x, n_fft)[::hop_length]
    return np.fft.rfft(frames * _hann(n_fft).astype(x.dtype, copy=False), axis=-1).T


def istft(spectrum: np.ndarray, *, hop_length: int = 256, center: bool = True,
          length: int | None = None) -> np.ndarray:
    """Inverse of :func:`stft`: weighted overlap-add with the squared-window normalisation
    ``x[n] = sum_m w[n - mH] y_m[n - mH] / sum_m w^2[n - mH]`` (Griffin & Lim 1984, eq. 6)."""
    n_fft = 2 * (spectrum.shape[0] - 1)
    window = _hann(n_fft)
    frames = np.fft.irfft(spectrum.T, n=n_fft, axis=-1) * window
    n_frames = frames.shape[0]
    total = n_fft + hop_length * (n_frames - 1)
    index = (np.arange(n_frames)[:, None] * hop_length + np.arange(n_fft)).ravel()
    signal = np.bincount(index, weights=frames.ravel(), minlength=total)
    norm = np.bincount(index, weights=np.tile(window ** 2, n_frames), minlength=total)
    signal = signal / np.where(norm > 1e-10, norm, 1.0)
    if center:
        signal = signal[n_fft // 2:]
    if length is not None:
        signal = signal[:length] if signal.shape[0] >= length else np.pad(
            signal, (0, length - signal.shape[0]))
    elif center:
        signal = signal[:signal.shape[0] - n_fft // 2]
    return signal


# ------------------------------------------------------------------------------------ mel


def _hz_to_mel(hz: np.ndarray) -> np.ndarray:
    """Slaney's mel scale: linear below 1 kHz (3 mel per 200 Hz), logarithmic above."""
    hz = np.asarray(hz, dtype=np.float64)
    f_sp, min_log_hz = 200.0 / 3.0, 1000.0
    logstep = np.log(6.4) / 27.0
    return np.where(hz >= min_log_hz,
                    min_log_hz / f_sp + np.log(np.maximum(hz, min_log_hz) / min_log_hz) / logstep,
                    hz / f_sp)


def _mel_to_hz(mel: np.ndarray) -> np.ndarray:
    mel = np.asarray(mel, dtype=np.float64)
    f_sp, min_log_hz = 200.0 / 3.0, 1000.0
    min_log_mel, logstep = min_log_hz / f_sp, np.log(6.4) / 27.0
    return np.where(mel >= min_log_mel, min_log_hz * np.exp(logstep * (mel - min_log_mel)),
                    mel * f_sp)


def mel_filterbank(sample_rate: float, n_fft: int, n_mels: int = 80, fmin: float = 0.0,
                   fmax: float | None = None) -> np.ndarray:
    """Triangular mel filters ``(n_mels, n_fft // 2 + 1)`` equal to ``librosa.filters.mel``
    (Slaney mel scale, ``norm="slaney"``: each filter scaled by ``2 / (f_{m+2} - f_m)`` so that
    all have the same area)."""
    fmax = sample_rate / 2.0 if fmax is None else fmax
    fft_hz = np.linspace(0.0, sample_rate / 2.0, n_fft // 2 + 1)
    mel_hz = _mel_to_hz(np.linspace(_hz_to_mel(fmin), _hz_to_mel(fmax), n_mels + 2))
    width = np.diff(mel_hz)
    ramps = mel_hz[:, None] - fft_hz[None, :]
    lower = -ramps[:-2] / width[:-1, None]
    upper = ramps[2:] / width[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_hz[2:] - mel_hz[:-2]))[:, None]
    return weights.astype(np.float32)


def log_mel(audio: np.ndarray, sample_rate: float, *, n_fft: int = 1024, hop_length: int = 256,
            n_mels: int = 80, fmin: float = 0.0, fmax: float | None = None, power: float = 1.0,
            log_floor: float = 1e-5) -> np.ndarray:
    """Log-mel spectrogram ``log(max(M @ |STFT(x)|^power, log_floor))`` (natural log).

    The defaults are HiFi-GAN's conventions (magnitude, ``power=1``, floor ``1e-5``; 80 bands,
    STFT 1024/256), which the vocoders and the Deep Performer setup in ``docs/audio.md`` use;
    ``power=2`` gives the power mel spectrogram. Before the log the values equal
    ``librosa.feature.melspectrogram(y=x, sr=sample_rate, n_fft=n_fft, hop_length=hop_length,
    n_mels=n_mels, fmin=fmin, fmax=fmax, power=power)`` (centred frames, zero padding, periodic
    Hann window, Slaney filters). Mono input gives ``(n_mels, frames)``; ``(samples, channels)``
    gives ``(channels, n_mels, frames)``. float32 input gives float32 output.
    """
    array = _as_audio(audio)
    _check_rate(sample_rate)
    if array.ndim == 2:
        return np.stack([log_mel(array[:, c], sample_rate, n_fft=n_fft,
                                 hop_length=hop_length, n_mels=n_mels, fmin=fmin, fmax=fmax,
                                 power=power, log_floor=log_floor)
                         for c in range(array.shape[1])])
    basis = mel_filterbank(sample_rate, n_fft, n_mels, fmin, fmax).astype(array.dtype)
    spectrum = np.abs(stft(array, n_fft=n_fft, hop_length=hop_length))
    if power != 1.0:
        spectrum = spectrum ** power
    return np.log(np.maximum(basis @ spectrum, log_floor)).astype(array.dtype, copy=False)


# ---------------------------------------------------------------------------- Griffin-Lim


def spectral_convergence(target: np.ndarray, estimate: np.ndarray) -> float:
    """``||S - S_hat||_F / ||S||_F`` between two magnitude spectrograms (0 = identical);
    frames beyond the shorter one are ignored."""
    frames = min(target.shape[-1], estimate.shape[-1])
    s, s_hat = target[..., :frames], estimate[..., :frames]
    return float(np.linalg.norm(s - s_hat) / max(np.linalg.norm(s), 1e-12))


def griffin_lim(magnitude: np.ndarray, *, n_iter: int = 32, hop_length: int = 256,
                momentum: float = 0.99, length: int | None = None,
                seed: int | None = 0) -> np.ndarray:
    """A signal whose STFT magnitude approximates ``magnitude`` ``(n_fft // 2 + 1, frames)``.

    Griffin & Lim (1984) alternate projections: ``x_{i+1} = ISTFT(S * exp(i angle(STFT(x_i))))``,
    which never increases the distance ``|| |STFT(x)| - S ||``. With ``momentum`` ``a > 0``
    this is the fast Griffin-Lim of Perraudin et al. (2013): the phase is taken from
    ``c_i + a (c_i - c_{i-1})`` (librosa's default ``a = 0.99``; ``0`` gives the original).
    The initial phase is random (``seed``; ``None`` for zero phase). ``n_fft`` follows from the
    number of bins; the STFT is :func:`stft`'s (centred, periodic Hann).
    """
    magnitude = np.asarray(magnitude, dtype=np.float64)
    if magnitude.ndim != 2 or magnitude.shape[0] < 2:
        raise AudioError(f"magnitude must have shape (bins, frames), got {magnitude.shape}")
    n_fft = 2 * (magnitude.shape[0] - 1)
    if seed is None:
        angles = np.ones(magnitude.shape, dtype=np.complex128)
    else:
        phase = np.random.default_rng(seed).uniform(0.0, 2.0 * np.pi, magnitude.shape)
        angles = np.exp(1j * phase)
    previous = np.zeros_like(angles)
    for _ in range(n_iter):
        signal = istft(magnitude * angles, hop_length=hop_length, length=length)
        rebuilt = stft(signal, n_fft=n_fft, hop_length=hop_length)[:, :magnitude.shape[1]]
        if rebuilt.shape[1] < magnitude.shape[1]:
            rebuilt = np.pad(rebuilt, ((0, 0), (0, magnitude.shape[1] - rebuilt.shape[1])))
        accelerated = rebuilt - (momentum / (1.0 + momentum)) * previous if momentum else rebuilt
        previous = rebuilt
        angles = accelerated / np.maximum(np.abs(accelerated), 1e-16)
    return istft(magnitude * angles, hop_length=hop_length, length=length)


def mel_to_audio(log_mel_spectrogram: np.ndarray, sample_rate: float, *, n_fft: int = 1024,
                 hop_length: int = 256, fmin: float = 0.0, fmax: float | None = None,
                 power: float = 1.0, n_iter: int = 32, nnls_iter: int = 50,
                 length: int | None = None, seed: int | None = 0) -> np.ndarray:
    """Invert :func:`log_mel` (same settings) to audio: ``exp``, then a non-negative linear
    spectrogram ``S`` with ``M S ~ mel`` (multiplicative non-negative least squares updates
    ``S <- S * (M^T mel) / (M^T M S)`` from the clipped pseudo-inverse), then
    :func:`griffin_lim`. Values at the log floor come back as near silence."""
    mel = np.exp(np.asarray(log_mel_spectrogram, dtype=np.float64))
    if mel.ndim != 2:
        raise AudioError(f"log-mel must have shape (n_mels, frames), got {mel.shape}")
    basis = mel_filterbank(sample_rate, n_fft, mel.shape[0], fmin, fmax).astype(np.float64)
    spectrum = np.maximum(np.linalg.pinv(basis) @ mel, 1e-10)
    numerator = basis.T @ mel
    for _ in range(nnls_iter):
        # (the floor keeps values out of the slow subnormal range)
        spectrum = np.maximum(
            spectrum * numerator / np.maximum(basis.T @ (basis @ spectrum), 1e-12), 1e-10)
    magnitude = spectrum ** (1.0 / power)
    return griffin_lim(magnitude, n_iter=n_iter, hop_length=hop_length, length=length,
                       seed=seed)


# -------------------------------------------------------------------------------- loudness

#: BS.1770-4 channel weights G_i for 5 channels (L, R, C, Ls, Rs) and 5.1 (L, R, C, LFE, Ls,
#: Rs; the LFE channel is left out of the measurement).
_SURROUND_WEIGHTS = {5: (1.0, 1.0, 1.0, 1.41, 1.41), 6: (1.0, 1.0, 1.0, 0.0, 1.41, 1.41)}


def k_weighting(sample_rate: float) -> np.ndarray:
    """The BS.1770 K-weighting as second-order sections ``(2, 6)`` for ``scipy.signal.sosfilt``:
    a high shelf (+4 dB above ~1.7 kHz, modelling the head) then a high pass (RLB, ~38 Hz).

    Both are bilinear transforms of analog prototypes (libebur128's design): with
    ``K = tan(pi f0 / fs)``, the shelf (``f0 = 1681.97 Hz``, ``G = 4.0 dB``, ``Q = 0.7072``) is
    ``b = [Vh + Vb K/Q + K^2, 2 (K^2 - Vh), Vh - Vb K/Q + K^2] / a0``, ``a = [1, 2 (K^2 - 1) /
    a0, (1 - K/Q + K^2) / a0]``, ``a0 = 1 + K/Q + K^2``, ``Vh = 10^(G/20)``, ``Vb =
    Vh^0.49967``; the high pass (``f0 = 38.135 Hz``, ``Q = 0.5003``) has ``b = [1, -2, 1]``.
    At 48 kHz these are the coefficients of BS.1770-4 Tables 1 and 2.
    """
    f0, gain_db, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = np.tan(np.pi * f0 / sample_rate)
    vh = 10.0 ** (gain_db / 20.0)
    vb = vh ** 0.4996667741545416
    a0 = 1.0 + k / q + k * k
    shelf = [(vh + vb * k / q + k * k) / a0, 2.0 * (k * k - vh) / a0,
             (vh - vb * k / q + k * k) / a0, 1.0, 2.0 * (k * k - 1.0) / a0,
             (1.0 - k / q + k * k) / a0]
    f0, q = 38.13547087602444, 0.5003270373238773
    k = np.tan(np.pi * f0 / sample_rate)
    a0 = 1.0 + k / q + k * k
    highpass = [1.0, -2.0, 1.0, 1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0]
    return np.array([shelf, highpass])


def loudness(audio: np.ndarray, sample_rate: float, *,
             channel_weights: tuple[float, ...] | None = None) -> float:
    """Integrated loudness in LUFS (= LKFS) by ITU-R BS.1770-4.

    Each channel ``i`` is K-weighted (:func:`k_weighting`) and cut into gating blocks of
    ``T_g = 400`` ms overlapping by 75% (a block starts every 100 ms; a last partial block is
    dropped). Block ``j`` has mean squares ``z_ij`` and loudness
    ``l_j = -0.691 + 10 log10(sum_i G_i z_ij)``. Blocks with ``l_j <= -70`` LKFS (absolute
    gate) are dropped; of the rest, those at most 10 LU below
    ``-0.691 + 10 log10(sum_i G_i mean_j z_ij)`` (relative gate) are dropped too; the loudness
    is ``-0.691 + 10 log10(sum_i G_i mean_j z_ij)`` over the blocks left.

    ``G_i`` is 1.0 for every channel, except for 5 channels (L, R, C, Ls, Rs: 1.41 on the
    surrounds) and 6 (5.1, LFE ignored); pass ``channel_weights`` to choose. A full-scale
    997 Hz sine in one channel reads -3.01 LUFS. Audio shorter than one block, or gated away
    entirely (silence), has loudness ``-inf``.
    """
    from scipy.signal import sosfilt

    array = _as_audio(audio).astype(np.float64, copy=False)
    _check_rate(sample_rate)
    if array.ndim == 1:
        array = array[:, None]
    n, channels = array.shape
    weights = np.asarray(channel_weights if channel_weights is not None
                         else _SURROUND_WEIGHTS.get(channels, (1.0,) * channels))
    if weights.shape != (channels,):
        raise AudioError(f"{len(weights)} channel weights for {channels} channels")
    block, step = round(0.4 * sample_rate), round(0.1 * sample_rate)
    if n < block:
        return float("-inf")
    filtered = sosfilt(k_weighting(sample_rate), array, axis=0)
    energy = np.concatenate([np.zeros((1, channels)), np.cumsum(filtered ** 2, axis=0)])
    starts = np.arange(0, n - block + 1, step)
    z = (energy[starts + block] - energy[starts]) / block          # (blocks, channels)
    weighted = z @ weights                                          # sum_i G_i z_ij
    with np.errstate(divide="ignore"):
        block_loudness = -0.691 + 10.0 * np.log10(weighted)
        gated = block_loudness > -70.0
        if not gated.any():
            return float("-inf")
        relative = -0.691 + 10.0 * np.log10(weighted[gated].mean()) - 10.0
        gated &= block_loudness > relative
        return float(-0.691 + 10.0 * np.log10(weighted[gated].mean()))


def _peak_gain(array: np.ndarray, peak: float) -> float:
    """The gain that brings the sample peak of ``array`` to ``peak`` dBFS (inf for silence)."""
    current = float(np.max(np.abs(array))) if array.size else 0.0
    return np.inf if current == 0.0 else 10.0 ** (peak / 20.0) / current


def normalize_peak(audio: np.ndarray, peak: float = -1.0) -> np.ndarray:
    """Scale ``audio`` so its sample peak is ``peak`` dBFS (``10^(peak/20)``); silence is
    returned unchanged. The dtype is kept (integers become float64)."""
    array = _as_audio(audio)
    gain = _peak_gain(array, peak)
    return array.copy() if not np.isfinite(gain) else (array * gain).astype(array.dtype)


def normalize_loudness(audio: np.ndarray, sample_rate: float, target: float = -23.0, *,
                       peak: float | None = -1.0) -> np.ndarray:
    """Scale ``audio`` to the integrated loudness ``target`` LUFS (-23: EBU R 128), one gain
    ``10^((target - loudness(audio)) / 20)`` for all channels (gating makes loudness scale
    exactly with gain, so one step suffices).

    ``peak`` (dBFS, sample peak; ``None`` for no limit) wins over ``target``: when the gain
    would push the peak above it, the gain is lowered to meet the peak and a
    :class:`LoudnessWarning` says how far below the target the result is. Nothing is
    compressed or limited. Raises :class:`AudioError` for audio without a measurable loudness
    (silence, under 400 ms).
    """
    array = _as_audio(audio)
    measured = loudness(array, sample_rate)
    if not np.isfinite(measured):
        raise AudioError("cannot normalise loudness: the audio is silent or shorter than 400 ms")
    gain_db = target - measured
    if peak is not None:
        limit = 20.0 * np.log10(_peak_gain(array, peak))
        if gain_db > limit:
            warnings.warn(f"loudness {target:.1f} LUFS would put the peak above {peak:.1f} "
                          f"dBFS; reached {measured + limit:.2f} LUFS instead",
                          LoudnessWarning, stacklevel=2)
            gain_db = limit
    return (array * 10.0 ** (gain_db / 20.0)).astype(array.dtype)
