"""Hypothesis strategies for whole pieces of music: every field of the model, within its
valid ranges, so that round-trip properties cover what files can hold."""

from __future__ import annotations

from hypothesis import strategies as st

from orchestrion import (
    Annotation,
    Barline,
    Beat,
    Chord,
    ControlChange,
    KeySignature,
    Lyric,
    Metadata,
    Music,
    Note,
    PitchBend,
    Tempo,
    TimeSignature,
    Track,
)

times = st.integers(0, 100_000)
texts = st.text(max_size=12)
small_lists = {"max_size": 4}


notes = st.builds(Note, time=times, pitch=st.integers(0, 127), duration=st.integers(0, 5_000),
                  velocity=st.integers(0, 127),
                  pitch_str=st.none() | st.sampled_from(["C4", "F#5"]))
chords = st.builds(Chord, time=times, pitches=st.lists(st.integers(0, 127), max_size=4),
                   duration=st.integers(0, 500), velocity=st.integers(0, 127))
tempos = st.builds(Tempo, time=times,
                   qpm=st.floats(1.0, 400.0, allow_nan=False, allow_infinity=False))
key_signatures = st.builds(KeySignature, time=times, root=st.none() | st.integers(0, 11),
                           mode=st.none() | st.sampled_from(["major", "minor", "dorian"]),
                           fifths=st.none() | st.integers(-7, 7),
                           root_str=st.none() | st.sampled_from(["C", "F#", "Bb"]))
time_signatures = st.builds(TimeSignature, time=times, numerator=st.integers(1, 13),
                            denominator=st.sampled_from([1, 2, 4, 8, 16]))
lyrics = st.builds(Lyric, time=times, lyric=texts)
# Annotations hold any JSON value; keep to ones both JSON and YAML give back unchanged.
annotation_values = st.recursive(
    st.none() | st.booleans() | st.integers(-1000, 1000) | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=6,
).filter(lambda value: value is not None)
annotations = st.builds(Annotation, time=times, annotation=annotation_values,
                        group=st.none() | st.sampled_from(["text", "marker", "cue"]))
controls = st.builds(ControlChange, time=times, number=st.integers(0, 127),
                     value=st.integers(0, 127))
pitch_bends = st.builds(PitchBend, time=times, value=st.integers(-8192, 8191))


@st.composite
def tracks(draw: st.DrawFn) -> Track:
    return Track(
        program=draw(st.integers(0, 127)),
        is_drum=draw(st.booleans()),
        name=draw(st.none() | texts),
        notes=draw(st.lists(notes, max_size=12)),
        chords=draw(st.lists(chords, **small_lists)),
        lyrics=draw(st.lists(lyrics, **small_lists)),
        annotations=draw(st.lists(annotations, **small_lists)),
        controls=draw(st.lists(controls, **small_lists)),
        pitch_bends=draw(st.lists(pitch_bends, **small_lists)),
    )


@st.composite
def musics(draw: st.DrawFn) -> Music:
    """A piece with every kind of event, including orchestrion's additions to MusPy's model
    (controls, pitch bends)."""
    return Music(
        metadata=Metadata(title=draw(st.none() | texts),
                          creators=draw(st.none() | st.lists(texts, min_size=1, max_size=2)),
                          copyright=draw(st.none() | texts),
                          collection=draw(st.none() | texts),
                          source_filename=draw(st.none() | texts),
                          source_format=draw(st.none() | st.sampled_from(["midi", "json"]))),
        resolution=draw(st.integers(1, 960)),
        tempos=draw(st.lists(tempos, **small_lists)),
        key_signatures=draw(st.lists(key_signatures, **small_lists)),
        time_signatures=draw(st.lists(time_signatures, **small_lists)),
        barlines=draw(st.lists(st.builds(Barline, time=times), **small_lists)),
        beats=draw(st.lists(st.builds(Beat, time=times), **small_lists)),
        lyrics=draw(st.lists(lyrics, **small_lists)),
        annotations=draw(st.lists(annotations, **small_lists)),
        tracks=draw(st.lists(tracks(), max_size=3)),
    )


# --------------------------------------------------------------- scores (MusicXML and kin)

# Text a score can hold: no control characters but tab, newline and carriage return.
score_texts = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\t\n\r-"),
                      max_size=6)
chord_symbols = st.fixed_dictionaries(
    {"root": st.sampled_from(["C", "F#", "Bb", "Ebb"]),
     "kind": st.sampled_from(["major", "minor-seventh", "dominant"])},
    optional={"text": st.sampled_from(["m7", "", " 7 "]), "bass": st.sampled_from(["E", "G#"])})


@st.composite
def score_musics(draw: st.DrawFn, *, max_tracks: int = 3) -> Music:
    """A piece that a score format can hold, spanning a few measures: notes of any length
    (zero: grace notes) that overlap, repeat and cross barlines; tempos, keys (also given by
    root only, or with an unknown mode), meters and barlines anywhere; lyrics on note onsets;
    chord symbols as the readers make them (track annotations of group "harmony")."""
    resolution = draw(st.integers(1, 48))
    times = st.integers(0, 12 * resolution)
    tracks = []
    for _ in range(draw(st.integers(1, max_tracks))):
        notes = draw(st.lists(st.builds(Note, time=times, pitch=st.integers(0, 127),
                                        duration=st.integers(0, 6 * resolution),
                                        velocity=st.integers(0, 127)), max_size=15))
        onsets = sorted({note.time for note in notes})
        track_lyrics = draw(st.lists(st.builds(Lyric, time=st.sampled_from(onsets),
                                               lyric=score_texts),
                                     max_size=3, unique_by=lambda x: x.time)) if onsets else []
        symbols = draw(st.lists(st.builds(Annotation, time=times, annotation=chord_symbols,
                                          group=st.just("harmony")), max_size=3))
        tracks.append(Track(program=draw(st.integers(0, 127)), is_drum=draw(st.booleans()),
                            name=draw(st.none() | score_texts), notes=notes,
                            lyrics=track_lyrics, annotations=symbols))
    return Music(
        metadata=Metadata(title=draw(st.none() | score_texts),
                          creators=draw(st.none() | st.lists(score_texts, max_size=2)),
                          copyright=draw(st.none() | score_texts)),
        resolution=resolution,
        tempos=draw(st.lists(st.builds(Tempo, time=times, qpm=st.floats(1.0, 400.0)),
                             **small_lists)),
        key_signatures=draw(st.lists(st.builds(
            KeySignature, time=times, root=st.none() | st.integers(0, 11),
            mode=st.none() | st.sampled_from(["major", "minor", "dorian", "Minor ", "modal"]),
            fifths=st.none() | st.integers(-7, 7)), **small_lists)),
        time_signatures=draw(st.lists(st.builds(TimeSignature, time=times,
                                                numerator=st.integers(1, 13),
                                                denominator=st.sampled_from([1, 2, 4, 8, 16])),
                                      **small_lists)),
        barlines=draw(st.lists(st.builds(Barline, time=times), **small_lists)),
        tracks=tracks,
    )
