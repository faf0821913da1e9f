"""Differential checks of the MIDI reader against pretty_midi and mido (independent parsers)
on music21-corpus pieces written to MIDI by music21."""

from __future__ import annotations

import warnings
from collections import Counter
from pathlib import Path

import mido
import numpy as np
import pytest

import orchestrion as o


def mido_notes(path: Path) -> Counter:
    """(track chunk, channel, program, pitch, start, end, velocity) multiset, paired FIFO by
    a reference implementation written here over mido's messages."""
    found: Counter = Counter()
    for index, track in enumerate(mido.MidiFile(path).tracks):
        tick, programs, open_notes = 0, {}, {}
        for message in track:
            tick += message.time
            if message.type == "program_change":
                programs[message.channel] = message.program
            elif message.type in ("note_on", "note_off"):
                key = (message.channel, message.note)
                if message.type == "note_on" and message.velocity > 0:
                    open_notes.setdefault(key, []).append((tick, message.velocity,
                                                           programs.get(message.channel, 0)))
                elif open_notes.get(key):
                    start, velocity, program = open_notes[key].pop(0)
                    found[(index, message.channel, program, message.note, start, tick,
                           velocity)] += 1
    return found


def orchestrion_notes(music: o.Music) -> Counter:
    """The same multiset without chunk and channel, which orchestrion does not keep."""
    found: Counter = Counter()
    for track in music.tracks:
        a = track.note_array()
        for t, p, e, v in zip(a.time.tolist(), a.pitch.tolist(), a.end.tolist(),
                              a.velocity.tolist(), strict=True):
            found[(track.program, track.is_drum, p, t, e, v)] += 1
    return found


def test_notes_equal_a_mido_reference(corpus_midi: list[Path]) -> None:
    for path in corpus_midi:
        expected = Counter()
        for (_, channel, program, pitch, start, end, velocity), n in mido_notes(path).items():
            expected[(program, channel == 9, pitch, start, end, velocity)] += n
        assert orchestrion_notes(o.read(path)) == expected, path.name


def test_signatures_and_tempos_equal_mido(corpus_midi: list[Path]) -> None:
    for path in corpus_midi:
        mf = mido.MidiFile(path)
        tempos, signatures, keys = [], [], []
        for track in mf.tracks:
            tick = 0
            for message in track:
                tick += message.time
                if message.type == "set_tempo":
                    tempos.append((tick, mido.tempo2bpm(message.tempo)))
                elif message.type == "time_signature":
                    signatures.append((tick, message.numerator, message.denominator))
                elif message.type == "key_signature":
                    keys.append((tick, message.key))
        music = o.read(path)
        ours_tempos = sorted((t.time, t.qpm) for t in music.tempos)
        assert [t for t, _ in ours_tempos] == [t for t, _ in sorted(tempos)]
        np.testing.assert_allclose([q for _, q in ours_tempos], [q for _, q in sorted(tempos)])
        assert sorted((s.time, s.numerator, s.denominator)
                      for s in music.time_signatures) == sorted(signatures)
        names = ["C", "G", "D", "A", "E", "B", "F#", "C#", "Cb", "Gb", "Db", "Ab", "Eb", "Bb",
                 "F"]
        ours = [(k.time, names[k.fifths % 15] if k.mode == "major"
                 else _minor_name(k.fifths)) for k in music.key_signatures]
        assert sorted(ours) == sorted(keys), path.name


def _minor_name(fifths: int) -> str:
    minors = {-7: "Abm", -6: "Ebm", -5: "Bbm", -4: "Fm", -3: "Cm", -2: "Gm", -1: "Dm", 0: "Am",
              1: "Em", 2: "Bm", 3: "F#m", 4: "C#m", 5: "G#m", 6: "D#m", 7: "A#m"}
    return minors[fifths]


def _overlapping_pitches(music: o.Music) -> set[tuple[int, bool, int]]:
    """(program, is_drum, pitch) of tracks where a note starts before the previous note of
    the same pitch has ended."""
    keys = set()
    for track in music.tracks:
        a = track.note_array()
        order = np.lexsort((a.time, a.pitch))
        pitch, time, end = a.pitch[order], a.time[order], a.end[order]
        clash = (pitch[1:] == pitch[:-1]) & (time[1:] < end[:-1])
        keys.update((track.program, track.is_drum, int(p)) for p in pitch[1:][clash])
    return keys


def test_notes_in_seconds_equal_pretty_midi(corpus_midi: list[Path]) -> None:
    """pretty_midi converts ticks to seconds itself, so this checks the tempo map too.

    pretty_midi ends *every* open note of a pitch at a note-off, where orchestrion (like MusPy
    and the mido reference above) pairs first-in-first-out; so pitches that overlap
    themselves are left out here (music21 writes a few, from two voices in unison).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pretty_midi
    compared = 0
    for path in corpus_midi:
        try:
            midi_object = pretty_midi.PrettyMIDI(str(path))
        except ValueError as error:  # pretty_midi refuses files past 10^7 ticks as "corrupt"
            if "largest tick" not in str(error):
                raise
            continue
        music = o.read(path)
        skip = _overlapping_pitches(music)
        tempo_map = music.tempo_map()
        ours = []
        for track in music.tracks:
            a = track.note_array()
            starts = tempo_map.to_seconds(a.time).tolist()
            ends = tempo_map.to_seconds(a.end).tolist()
            ours.extend((track.program, track.is_drum, p, s, e, v) for p, s, e, v in
                        zip(a.pitch.tolist(), starts, ends, a.velocity.tolist(), strict=True)
                        if (track.program, track.is_drum, p) not in skip)
        theirs = [(int(inst.program), inst.is_drum, n.pitch, n.start, n.end, n.velocity)
                  for inst in midi_object.instruments for n in inst.notes
                  if (int(inst.program), inst.is_drum, n.pitch) not in skip]
        ours.sort(key=lambda r: (*r[:3], round(r[3], 6)))
        theirs.sort(key=lambda r: (*r[:3], round(r[3], 6)))
        assert len(ours) == len(theirs), path.name
        assert [r[:3] + r[5:] for r in ours] == [r[:3] + r[5:] for r in theirs]
        np.testing.assert_allclose([r[3:5] for r in ours], [r[3:5] for r in theirs],
                                   atol=1e-6)
        assert music.get_real_end_time() >= midi_object.get_end_time() - 1e-6
        compared += len(ours)
    assert compared > 5_000  # the exclusions must leave most notes in the comparison


@pytest.mark.slow
def test_many_corpus_pieces_against_mido_and_round_trip(corpus_midi_large: list[Path]) -> None:
    from orchestrion.io import midi

    for path in corpus_midi_large:
        music = o.read(path)
        expected = Counter()
        for (_, channel, program, pitch, start, end, velocity), n in mido_notes(path).items():
            expected[(program, channel == 9, pitch, start, end, velocity)] += n
        assert orchestrion_notes(music) == expected, path.name
        back = midi.from_bytes(midi.to_bytes(music))
        back.metadata.source_filename = music.metadata.source_filename
        assert back == music, path.name
