"""orchestrion.metrics on small hand-made pieces, every value worked out by hand in the
comments; the registry and ``evaluate``."""

from __future__ import annotations

import math

import numpy as np
import pytest

from orchestrion import KeySignature, Music, Note, Tempo, TimeSignature, Track
from orchestrion import metrics as om

nan = math.nan


def piece_a(**fields: object) -> Music:
    """Resolution 4 (ticks per beat). Pitched: C4+E4 for a beat, G4 for two beats from beat
    1, C5 for beat 2. Drums: four 1-tick hits at ticks 0, 2, 4, 6. Length 12 ticks."""
    return Music(resolution=4, tracks=[
        Track(notes=[Note(0, 60, 4), Note(0, 64, 4), Note(4, 67, 8), Note(8, 72, 4)]),
        Track(is_drum=True, notes=[Note(0, 36, 1), Note(2, 38, 1), Note(4, 36, 1),
                                   Note(6, 42, 1)]),
    ], **fields)


def piece_b() -> Music:
    """Resolution 4: a beat of C4 at tick 0, a beat of D4 at tick 12. Length 16."""
    return Music(resolution=4, tracks=[Track(notes=[Note(0, 60, 4), Note(12, 62, 4)])])


def kicks() -> Music:
    """MusPy issue 73: two identical 4/4 measures of quarter-note kicks (resolution 4, 16
    ticks a measure); the piece ends exactly on the barline, tick 32."""
    return Music(resolution=4, time_signatures=[TimeSignature(0, 4, 4)], tracks=[
        Track(is_drum=True, notes=[Note(t, 36, 4) for t in range(0, 32, 4)])])


def drums_12() -> Music:
    """Resolution 12; drum onsets at ticks 0, 3, 4, 8, 13, 14 (positions in the beat 0, 3,
    4, 8, 1, 2)."""
    return Music(resolution=12, tracks=[Track(is_drum=True, notes=[
        Note(t, 38, 1) for t in (0, 3, 4, 8, 13, 14)])])


def test_pitch_metrics_of_piece_a() -> None:
    music = piece_a()
    assert om.pitch_range(music) == 12                      # 72 - 60; drums ignored
    assert om.n_pitches_used(music) == 4                    # 60, 64, 67, 72
    assert om.n_pitch_classes_used(music) == 3              # C, E, G
    assert om.pitch_in_scale_rate(music, 0, "major") == 1.0
    assert om.pitch_in_scale_rate(music, 9, "minor") == 1.0  # A minor = C major's notes
    assert om.pitch_in_scale_rate(music, 2, "major") == 0.5  # D major: E, G in; C, C out
    assert om.scale_consistency(music) == 1.0
    assert om.pitch_entropy(music) == 2.0                   # 4 pitches once each: log2 4
    # pitch classes C: 2, E: 1, G: 1 -> .5 * 1 + .25 * 2 + .25 * 2
    assert om.pitch_class_entropy(music) == 1.5


def test_polyphony_of_piece_a() -> None:
    music = piece_a()
    # sounding cells: 60 [0,4) 4 + 64 [0,4) 4 + 67 [4,12) 8 + 72 [8,12) 4 = 20; ticks
    # with a pitch on: [0, 12) = 12 -> 20 / 12
    assert om.polyphony(music) == 20 / 12
    # pitches per tick: 2 on [0,4), 1 on [4,8), 2 on [8,12); length 12
    assert om.polyphony_rate(music) == 0.0                  # > 2: none (MusPy)
    assert om.polyphony_rate(music, corrected=True) == 8 / 12   # >= 2
    assert om.polyphony_rate(music, 1) == 8 / 12            # > 1
    assert om.polyphony_rate(music, 1, corrected=True) == 1.0   # >= 1: every tick
    assert om.polyphony_rate(music, 0) == 1.0


def test_empty_beats_and_measures() -> None:
    music = piece_b()
    # MusPy: 16 // 4 + 1 = 5 beats; C4 marks beats 0..4//4 = 0..1, D4 12//4..16//4 = 3..4
    # -> used {0, 1, 3, 4}: 1 empty of 5
    assert om.empty_beat_rate(music) == pytest.approx(0.2, abs=0, rel=1e-15)
    # corrected: ceil(16 / 4) = 4 beats, C4 fills [0,4) = beat 0, D4 [12,16) = beat 3
    assert om.empty_beat_rate(music, corrected=True) == 0.5
    # measures of 6 ticks: MusPy 16 // 6 + 1 = 3; C4 -> 0..0, D4 -> 2..2: 1 of 3 empty;
    # corrected ceil(16 / 6) = 3, the same measures
    assert om.empty_measure_rate(music, 6) == 1 - 2 / 3
    assert om.empty_measure_rate(music, 6, corrected=True) == 1 - 2 / 3
    # measures of 8: MusPy 3 measures, D4 marks 12//8..16//8 = 1..2 -> none empty;
    # corrected: 2 measures, both used
    assert om.empty_measure_rate(music, 8) == 0.0
    assert om.empty_measure_rate(music, 8, corrected=True) == 0.0
    with pytest.raises(ValueError, match="measure_resolution"):
        om.empty_measure_rate(music, 0)


def test_groove_consistency() -> None:
    music = piece_a()
    # onsets of all tracks: {0, 2, 4, 6, 8}, length 12.
    # measure 8: MusPy 12 // 8 + 1 = 2 measures, G0 = {0,2,4,6}, G1 = {0}: distance 3
    assert om.groove_consistency(music, 8) == 1 - 3 / 8
    assert om.groove_consistency(music, 8, corrected=True) == 1 - 3 / 8  # ceil(12/8) = 2
    # measure 4: MusPy 4 measures {0,2} {0,2} {0} {}: distances 0 + 1 + 1 = 2 over 4 * 3
    assert om.groove_consistency(music, 4) == 1 - 2 / 12
    # corrected: 3 measures, distances 0 + 1 over 4 * 2
    assert om.groove_consistency(music, 4, corrected=True) == 1 - 1 / 8
    # issue 73: MusPy 32 // 16 + 1 = 3 measures, the phantom third one empty:
    # distances 0 + 4 over 16 * 2 -> 0.875; corrected: 2 identical measures -> 1
    assert om.groove_consistency(kicks(), 16) == 0.875
    assert om.groove_consistency(kicks(), 16, corrected=True) == 1.0
    # one measure: MusPy counts 2 (a value); corrected 1 measure -> NaN
    one = Music(resolution=4, tracks=[Track(notes=[Note(0, 60, 16)])])
    assert om.groove_consistency(one, 16) == 1 - 1 / 16
    assert math.isnan(om.groove_consistency(one, 16, corrected=True))
    with pytest.raises(ValueError, match="measure_resolution"):
        om.groove_consistency(music, 0)


def test_drum_patterns() -> None:
    music = drums_12()
    # duple grid at resolution 12: 0, 3, 6, 9 (16ths) -> hits at 0, 3: 2 of 6
    assert om.drum_in_pattern_rate(music, "duple") == 2 / 6
    # triple grid: 0, 4, 8 -> hits at 0, 4, 8: 3 of 6
    assert om.drum_in_pattern_rate(music, "triple") == 3 / 6
    assert om.drum_pattern_consistency(music) == 0.5
    with pytest.raises(ValueError, match="meter"):
        om.drum_in_pattern_rate(music, "quintuple")


def test_edge_cases_follow_muspy() -> None:
    drums_only = Music(tracks=[Track(is_drum=True, notes=[Note(0, 36, 24)])])
    assert om.pitch_range(drums_only) == -127                # MusPy: 0 - 127
    assert om.pitch_range(drums_only, corrected=True) == 0
    assert math.isnan(om.pitch_entropy(drums_only))
    assert math.isnan(om.polyphony(drums_only))
    assert om.polyphony_rate(drums_only) == 0.0              # length 24, nothing pitched
    assert math.isnan(om.drum_in_pattern_rate(piece_b(), "duple"))
    assert math.isnan(om.drum_pattern_consistency(piece_b()))
    empty = Music()  # no tracks: MusPy raises ValueError (max of nothing); here NaN or 0
    assert om.pitch_range(empty) == 0
    for metric in (om.polyphony, om.polyphony_rate, om.empty_beat_rate, om.scale_consistency,
                   om.pitch_entropy, om.pitch_class_entropy):
        assert math.isnan(metric(empty))
    assert math.isnan(om.groove_consistency(empty, 96))
    with pytest.raises(ValueError, match="mode"):
        om.pitch_in_scale_rate(piece_a(), 0, "dorian")


def test_descriptive_statistics_of_piece_a() -> None:
    music = piece_a()
    # 4 pitched notes, the last ends at tick 12 = 3 beats = 1.5 s at the default 120 qpm
    assert om.notes_per_beat(music) == 4 / 3
    assert om.notes_per_second(music) == 4 / 1.5
    # 120 qpm for ticks 0-8 (1 s), 60 qpm for 8-12 (1 s): 4 notes in 2 s
    assert om.notes_per_second(piece_a(tempos=[Tempo(0, 120), Tempo(8, 60)])) == 2.0
    stats = om.pitch_statistics(music)
    # deviations from 65.75: -5.75 -1.75 1.25 6.25; squares sum 76.75; / 4 = 19.1875
    assert stats == {"mean": 65.75, "std": math.sqrt(19.1875), "min": 60.0, "max": 72.0}
    durations = om.duration_statistics(music)   # 1, 1, 2, 1 beats; deviations sum sq .75
    assert durations == {"mean": 1.25, "std": math.sqrt(0.1875), "min": 1.0, "max": 2.0}
    assert om.inter_onset_intervals(music).tolist() == [1.0, 1.0]  # onsets 0, 4, 8 ticks
    assert om.ioi_statistics(music)["mean"] == 1.0
    assert om.ioi_histogram(music).tolist() == [0, 0, 1] + [0] * 9  # class 2 = quarter
    assert om.ioi_histogram(music, bins=[0, 0.5, 1.5]).tolist() == [0.0, 1.0]
    assert om.mean_pitch_interval(music) == 4.0           # |4|, |3|, |5|
    assert om.n_notes(music) == 4
    assert math.isnan(om.notes_per_beat(Music()))
    assert math.isnan(om.pitch_statistics(Music())["mean"])


def test_histograms_and_transition_matrices_of_piece_a() -> None:
    music = piece_a()
    expected = np.zeros(12)
    expected[[0, 4, 7]] = [0.5, 0.25, 0.25]                # C twice, E, G
    assert om.pitch_class_histogram(music).tolist() == expected.tolist()
    expected[[0, 4, 7]] = [8 / 20, 4 / 20, 8 / 20]         # C 4 + 4 ticks, E 4, G 8
    assert om.pitch_class_histogram(music, weighted=True).tolist() == expected.tolist()
    # order by (time, pitch): C4 E4 G4 C5 -> C->E, E->G, G->C
    pctm = om.pitch_class_transition_matrix(music)
    assert pctm[0, 4] == pctm[4, 7] == pctm[7, 0] == 1 / 3
    assert pctm.sum() == 1.0
    counts = om.pitch_class_transition_matrix(music, normalize="none")
    assert counts.sum() == 3
    rows = om.pitch_class_transition_matrix(music, normalize="row")
    assert rows[0, 4] == 1.0
    assert rows[1].sum() == 0
    # lengths 1, 1, 2, 1 beats: quarter (class 2) x3, half (class 1) x1
    assert om.note_length_histogram(music).tolist() == [0, 0.25, 0.75] + [0] * 9
    nltm = om.note_length_transition_matrix(music)       # q->q, q->h, h->q
    assert nltm[2, 2] == nltm[2, 1] == nltm[1, 2] == 1 / 3
    assert om.pitch_class_histogram(Music()).tolist() == [0.0] * 12
    with pytest.raises(ValueError, match="normalize"):
        om.pitch_class_transition_matrix(music, normalize="columns")  # type: ignore[arg-type]


def test_note_length_classes_are_yang_and_lerchs() -> None:
    beats = np.array([4, 2, 1, 0.5, 0.25, 3, 1.5, 0.75, 0.375, 4 / 3, 2 / 3, 1 / 3, 9.0])
    assert om.statistics.length_classes(beats).tolist() == [*range(12), 0]


def test_measure_ticks_from_the_first_time_signature() -> None:
    assert om.measure_ticks(Music(resolution=4)) == 16                     # 4/4 default
    assert om.measure_ticks(Music(resolution=4, time_signatures=[
        TimeSignature(8, 4, 4), TimeSignature(0, 3, 4)])) == 12          # the earliest
    assert om.measure_ticks(Music(resolution=4,
                                  time_signatures=[TimeSignature(0, 6, 8)])) == 12


def test_registry_and_evaluate() -> None:
    music = piece_a(time_signatures=[TimeSignature(0, 2, 4)])   # measure = 8 ticks
    values = om.evaluate(music)
    assert list(values) == list(om.METRICS)
    assert all(isinstance(v, float) for v in values.values())
    assert values["groove_consistency"] == 1 - 3 / 8            # as computed above
    assert values["pitch_range"] == 12.0
    assert values["drum_in_pattern_rate"] == 1.0    # duple at resolution 4: every tick
    assert math.isnan(values["pitch_in_scale_rate"])            # no key signature
    keyed = piece_a(key_signatures=[KeySignature(0, root=2, mode="major")])
    assert om.evaluate(keyed, ["pitch_in_scale_rate"]) == {"pitch_in_scale_rate": 0.5}
    assert om.evaluate(music, ["polyphony", "n_notes"]) == {"polyphony": 20 / 12,
                                                            "n_notes": 4.0}
    with pytest.raises(KeyError, match="no_such_metric"):
        om.evaluate(music, ["no_such_metric"])


def test_import_orchestrion_does_not_load_metrics() -> None:
    import subprocess
    import sys

    code = "import sys, orchestrion; print('orchestrion.metrics' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "False"
