"""Transposition of encoded arrays: ``Representation.pitch_range`` and ``transpose`` agree with
the core operation (``orchestrion.core.ops.transpose``) for every registered codec."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestrion import Music, Note, Track
from orchestrion.core import ops
from orchestrion.errors import ValidationError
from orchestrion.representations import NAMES, Representation, get
from orchestrion.representations.base import REGISTRY
from strategies import musics

#: Every registered codec, in a few configurations (name, config).
CONFIGS: dict[str, tuple[str, dict[str, object]]] = {
    "pitch": ("pitch", {}),
    "pitch-hold": ("pitch", {"use_hold_state": True}),
    "event": ("event", {}),
    "event-velocity": ("event", {"encode_velocity": True, "force_velocity_event": False}),
    "event-single-eos": ("event", {"use_single_note_off_event": True,
                                   "use_end_of_sequence_event": True, "max_time_shift": 7}),
    "note": ("note", {}),
    "note-start-end": ("note", {"use_start_end": True, "encode_velocity": False}),
    "pianoroll": ("pianoroll", {}),
    "pianoroll-plain": ("pianoroll", {"use_onset_channel": False, "encode_velocity": False}),
    "mmt": ("mmt", {"max_events": None}),
    "remi": ("remi", {}),
    "remi-velocity-tempo": ("remi", {"use_velocity": True, "use_tempo": True}),
    "parts-order": ("parts", {"parts": ("a", "b", "c", "d"), "assign": "order"}),
    "parts-family": ("parts", {"parts": ("Piano", "Strings", "Organ"), "assign": "family"}),
}
#: Codecs that keep drum tracks apart (they drop them); the others merge every track.
DRUM_AWARE = {"mmt", "remi", "parts"}


def codec(key: str, **extra: object) -> Representation:
    name, config = CONFIGS[key]
    return get(name, **config, **extra)  # type: ignore[arg-type]


def hand_piece(resolution: int = 12, *, drums: bool = True) -> Music:
    """Two pitched tracks (pitches 48-79) and, with ``drums``, a drum track (35-81)."""
    tracks = [
        Track(program=0, notes=[Note(0, 60, 12, 80), Note(12, 64, 6, 70), Note(12, 67, 24, 90),
                                Note(36, 48, 12, 60)]),
        Track(program=40, notes=[Note(6, 72, 12, 64), Note(30, 79, 6, 100)]),
    ]
    if drums:
        tracks.append(Track(program=0, is_drum=True,
                            notes=[Note(0, 35, 3, 100), Note(12, 81, 3, 100)]))
    return Music(resolution=resolution, tracks=tracks)


def pitched_range(music: Music) -> tuple[int, int] | None:
    """Lowest and highest pitch of the non-drum notes of ``music``."""
    pitches = np.concatenate([t.note_array().pitch for t in music.tracks if not t.is_drum]
                             + [np.zeros(0, np.int64)])
    return (int(pitches.min()), int(pitches.max())) if len(pitches) else None


def transposed(music: Music, k: int) -> Music:
    return ops.transpose(music.copy(), k)


def test_every_registered_codec_is_covered() -> None:
    for name in NAMES:
        get(name)
    assert {name for name, _ in CONFIGS.values()} == set(REGISTRY) == set(NAMES)


@pytest.mark.parametrize("key", CONFIGS)
def test_hand_piece_pitch_range_and_transpose(key: str) -> None:
    c = codec(key)
    music = hand_piece(resolution=c.resolution)
    array = c.encode(music)
    expected = (48, 79) if c.name in DRUM_AWARE else (35, 81)  # merged codecs see the drums
    if c.name == "pitch":  # monophonic: later notes overwrite the steps they cover
        expected = (pitched_range(c.decode(array)))
    assert c.pitch_range(array) == expected
    lo, hi = expected
    for k in (-lo, -7, 0, 5, 127 - hi):
        shifted = c.transpose(array, k)
        assert shifted is not array
        assert shifted.shape == array.shape
        assert shifted.dtype == array.dtype
        c.check(shifted)
        assert c.pitch_range(shifted) == (lo + k, hi + k)
        assert c.decode(shifted) == transposed(c.decode(array), k)
        if c.name in DRUM_AWARE:  # the drum track stays where it is
            assert c.decode(shifted) == c.decode(c.encode(transposed(music, k)))
    np.testing.assert_array_equal(c.transpose(array, 0), array)
    before = array.copy()
    for k in (-lo - 1, 128 - hi, 200):
        with pytest.raises(ValueError, match="outside 0-127"):
            c.transpose(array, k)
    with pytest.raises(ValueError, match="whole number"):
        c.transpose(array, 1.5)  # type: ignore[arg-type]
    np.testing.assert_array_equal(array, before)  # never changed in place


@pytest.mark.parametrize("key", CONFIGS)
def test_drum_free_piece_encodes_the_same_either_way(key: str) -> None:
    c = codec(key)
    music = hand_piece(resolution=c.resolution, drums=False)
    array = c.encode(music)
    for k in (-48, -1, 3, 48):
        np.testing.assert_array_equal(c.transpose(array, k), c.encode(transposed(music, k)))


@pytest.mark.parametrize("key", CONFIGS)
def test_empty_and_drum_only_pieces(key: str) -> None:
    c = codec(key)
    empty = c.encode(Music(resolution=c.resolution))
    assert c.pitch_range(empty) is None
    np.testing.assert_array_equal(c.transpose(empty, 100), empty)
    drums = Music(resolution=c.resolution,
                  tracks=[Track(is_drum=True, notes=[Note(0, 36, 6, 90), Note(6, 42, 6, 90)])])
    array = c.encode(drums)
    if c.name in DRUM_AWARE:
        assert c.pitch_range(array) is None
        np.testing.assert_array_equal(c.transpose(array, 120), array)
    else:
        assert c.pitch_range(array) == (36, 42)


@pytest.mark.parametrize("key", [k for k, (name, _) in CONFIGS.items()
                                 if name not in DRUM_AWARE])
def test_merged_codecs_configured_as_drums_move_nothing(key: str) -> None:
    c = codec(key, is_drum=True)
    array = c.encode(hand_piece(resolution=c.resolution))
    assert c.pitch_range(array) is None
    np.testing.assert_array_equal(c.transpose(array, 60), array)
    assert c.decode(c.transpose(array, 60)) == transposed(c.decode(array), 60)


def test_base_class_names_the_codec_that_cannot() -> None:
    class Plain(Representation):
        name = "plain-test"

        @property
        def vocabulary(self) -> dict[str, int]:
            return {"x": 2}

        def encode(self, music: Music) -> np.ndarray:
            return np.zeros(0, np.int64)

        def decode(self, array: np.ndarray) -> Music:
            return Music()

    with pytest.raises(NotImplementedError, match="Plain"):
        Plain().transpose(np.zeros(3, np.int64), 1)
    with pytest.raises(NotImplementedError, match="plain-test"):
        Plain().pitch_range(np.zeros(3, np.int64))


def test_dtype_kept_for_narrow_arrays() -> None:
    c = codec("mmt")
    array = c.encode(hand_piece()).astype(np.int16)
    shifted = c.transpose(array, 12)
    assert shifted.dtype == np.int16
    np.testing.assert_array_equal(shifted, c.transpose(array.astype(np.int64), 12))
    with pytest.raises(ValidationError):
        c.transpose(array, 49)


# --- properties ----------------------------------------------------------------------------
@st.composite
def small_musics(draw: st.DrawFn, *, drums: bool) -> Music:
    """Short pieces (codecs with one row per tick stay small) of up to three tracks."""
    resolution = draw(st.sampled_from([4, 12, 24]))
    tracks = []
    for _ in range(draw(st.integers(0, 3))):
        notes = draw(st.lists(st.builds(Note, time=st.integers(0, 16 * resolution),
                                        pitch=st.integers(0, 127),
                                        duration=st.integers(0, 4 * resolution),
                                        velocity=st.integers(0, 127)), max_size=10))
        tracks.append(Track(program=draw(st.integers(0, 127)),
                            is_drum=drums and draw(st.booleans()), notes=notes))
    return Music(resolution=resolution, tracks=tracks)


def without_chords(music: Music) -> Music:
    """The codecs ignore chords; drop them so that the core operation's range is the notes'."""
    for track in music.tracks:
        track.chords = []
    return music


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(key=st.sampled_from(sorted(CONFIGS)), data=st.data())
def test_transpose_commutes_with_encoding(key: str, data: st.DataObject) -> None:
    c = codec(key)
    drum_aware = c.name in DRUM_AWARE
    strategy = small_musics(drums=drum_aware)
    if drum_aware:  # one row per note: any piece is small
        strategy = st.one_of(strategy, musics().map(without_chords))
    music = data.draw(strategy)
    array = c.encode(music)
    span = c.pitch_range(array)
    whole = pitched_range(music)
    if span is not None:
        assert whole is not None
        assert whole[0] <= span[0] <= span[1] <= whole[1]
    lo, hi = whole if whole is not None else (0, 127)
    k = data.draw(st.integers(-lo, 127 - hi), label="k")
    shifted = c.transpose(array, k)
    c.check(shifted)
    assert c.decode(shifted) == c.decode(c.encode(transposed(music, k)))
    assert c.decode(shifted) == transposed(c.decode(array), k)
    if span is not None:
        assert c.pitch_range(shifted) == (span[0] + k, span[1] + k)
        with pytest.raises(ValueError, match="outside 0-127"):
            c.transpose(array, 128 - span[1])
