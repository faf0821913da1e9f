"""Conversion between :class:`Music` and the MIDI libraries symusic and mido.

Both go through :mod:`orchestrion.io.midi`, so they keep exactly what a MIDI file written and
read by orchestrion keeps (see ``docs/midi.md``): one way to do each thing.
"""

from __future__ import annotations

import io
from typing import Any

from orchestrion.core.model import Music
from orchestrion.io import midi


def to_symusic(music: Music) -> Any:
    """Convert ``music`` into a ``symusic.Score`` in ticks at the same resolution.

    The score is what symusic reads from the MIDI file :func:`orchestrion.write` would write
    (``symusic.Score.from_midi(midi.to_bytes(music))``), so it keeps and loses what MIDI does:
    kept are tempos, time and key signatures, markers (``score.markers``), tracks with
    program, drum flag, name, notes, control changes and pitch bends, and lyrics (symusic puts
    each chunk's lyrics on a track of their own when no note shares it). Lost: chords, the
    title and copyright, text and cue annotations (symusic keeps none of them), key spellings
    beyond fifths and minor/major, barlines, beats. What MIDI cannot store (a time-signature
    denominator that is not a power of two, say) raises ``FormatError``.
    """
    import symusic

    return symusic.Score.from_midi(midi.to_bytes(music))


def from_symusic(score: Any) -> Music:
    """Convert a ``symusic.Score`` into :class:`Music`, exactly as :func:`orchestrion.read`
    converts the score symusic parses from a MIDI file (:func:`midi.from_symusic_score`).

    A score in quarters or seconds is first converted to ticks (``score.to("tick")``). Kept:
    the resolution (``ticks_per_quarter``), tempos, time and key signatures, markers (group
    ``"marker"``), lyrics (all in ``music.lyrics``), every track with notes (program,
    ``is_drum``, name, notes sorted, control changes, pitch bends). Lost: tracks without
    notes, sustain pedals as symusic's ``Pedal`` objects (their control changes are kept),
    and what symusic did not read (title, copyright, text and cue events).
    """
    import symusic.core

    if not isinstance(score, symusic.core.ScoreTick):
        score = score.to("tick")
    music = midi.from_symusic_score(score)
    music.metadata.source_format = "symusic"
    return music


def to_mido(music: Music) -> Any:
    """Convert ``music`` into a ``mido.MidiFile``: the file :func:`orchestrion.write` would
    write, parsed by mido. It keeps and loses what orchestrion's MIDI writer does
    (``docs/midi.md``): chords, barlines, beats, key spellings and non-string annotations are
    lost, everything else is kept.
    """
    import mido

    return mido.MidiFile(file=io.BytesIO(midi.to_bytes(music)))


def from_mido(midi_file: Any) -> Music:
    """Convert a ``mido.MidiFile`` into :class:`Music`: it is saved to bytes and read by
    :func:`orchestrion.io.midi.from_bytes`, so the result equals ``orchestrion.read`` of the
    same file (title, copyright, markers and text included). Type-2 files raise
    ``FormatError``.
    """
    buffer = io.BytesIO()
    midi_file.save(file=buffer)
    return midi.from_bytes(buffer.getvalue())
