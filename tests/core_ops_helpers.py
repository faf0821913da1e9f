"""Helpers shared by the tests of orchestrion.core.ops: compact note rows, small tracks,
the same piece built in MusPy, and a hypothesis strategy for pieces MusPy can hold too."""


from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from orchestrion.core import (
    Annotation,
    Chord,
    KeySignature,
    Lyric,
    Music,
    Note,
    Tempo,
    TimeSignature,
    Track,
)


def rows(track: Track) -> list[tuple[int, int, int, int]]:
    a = track.note_array()
    return list(zip(a.time.tolist(), a.pitch.tolist(), a.duration.tolist(),
                    a.velocity.tolist(), strict=True))


def track_of(*notes: tuple[int, int, int] | tuple[int, int, int, int], **fields: Any) -> Track:
    return Track(notes=[Note(*n) for n in notes], **fields)


def to_muspy(muspy: Any, music: Music) -> Any:
    """The same piece as a ``muspy.Music`` (MusPy's fields only)."""
    return muspy.Music(
        resolution=music.resolution,
        tempos=[muspy.Tempo(time=t.time, qpm=t.qpm) for t in music.tempos],
        key_signatures=[muspy.KeySignature(time=k.time, root=k.root, mode=k.mode,
                                           fifths=k.fifths) for k in music.key_signatures],
        time_signatures=[muspy.TimeSignature(time=t.time, numerator=t.numerator,
                                             denominator=t.denominator)
                         for t in music.time_signatures],
        lyrics=[muspy.Lyric(time=x.time, lyric=x.lyric) for x in music.lyrics],
        annotations=[muspy.Annotation(time=x.time, annotation=x.annotation)
                     for x in music.annotations],
        tracks=[muspy.Track(program=t.program, is_drum=t.is_drum, name=t.name,
                            notes=[muspy.Note(time=n.time, pitch=n.pitch, duration=n.duration,
                                              velocity=n.velocity) for n in t.notes],
                            chords=[muspy.Chord(time=c.time, pitches=list(c.pitches),
                                                duration=c.duration, velocity=c.velocity)
                                    for c in t.chords],
                            lyrics=[muspy.Lyric(time=x.time, lyric=x.lyric) for x in t.lyrics])
                for t in music.tracks],
    )


def muspy_rows(track: Any) -> list[tuple[int, int, int, int]]:
    return [(n.time, n.pitch, n.duration, n.velocity) for n in track.notes]


def timed(events: list[Any]) -> list[int]:
    return [e.time for e in events]


# ------------------------------------------------------------------------------ strategies

note_tuples = st.tuples(st.integers(0, 200), st.integers(0, 127), st.integers(0, 50),
                        st.integers(0, 127))


@st.composite
def pieces(draw: st.DrawFn, pitches: tuple[int, int] = (0, 127), chords: bool = True,
           key_fifths: tuple[int, int] = (-7, 7)) -> Music:
    """A small piece with MusPy's kinds of events (so it can be built in MusPy too)."""
    notes = st.builds(Note, time=st.integers(0, 200), pitch=st.integers(*pitches),
                      duration=st.integers(0, 50), velocity=st.integers(0, 127))
    chord = st.builds(Chord, time=st.integers(0, 200),
                      pitches=st.lists(st.integers(*pitches), min_size=1, max_size=3),
                      duration=st.integers(0, 50), velocity=st.integers(0, 127))
    tracks = [Track(program=draw(st.integers(0, 127)), is_drum=draw(st.booleans()),
                    notes=draw(st.lists(notes, max_size=8)),
                    chords=draw(st.lists(chord, max_size=2)) if chords else [],
                    lyrics=draw(st.lists(st.builds(Lyric, st.integers(0, 300), st.just("la")),
                                         max_size=1)))
              for _ in range(draw(st.integers(0, 3)))]
    return Music(
        resolution=draw(st.sampled_from([1, 4, 12, 24, 48, 480])),
        tempos=sorted(draw(st.lists(st.builds(Tempo, st.integers(0, 300),
                                              st.sampled_from([60.0, 90.0, 120.0, 150.5])),
                                    max_size=3)), key=lambda t: t.time),
        key_signatures=draw(st.lists(st.builds(
            KeySignature, st.integers(0, 300), root=st.none() | st.integers(0, 11),
            mode=st.sampled_from(["major", "minor"]),
            fifths=st.none() | st.integers(*key_fifths)), max_size=2)),
        time_signatures=draw(st.lists(st.builds(TimeSignature, st.integers(0, 300),
                                                st.integers(1, 12), st.sampled_from([2, 4, 8])),
                                      max_size=2)),
        lyrics=draw(st.lists(st.builds(Lyric, st.integers(0, 300), st.just("a")), max_size=2)),
        annotations=draw(st.lists(st.builds(Annotation, st.integers(0, 300), st.just("x")),
                                  max_size=2)),
        tracks=tracks,
    )
