"""General MIDI level 1: the 128 program (instrument) names and their 16 families.

Names are spelled as in the MIDI Manufacturers Association's *General MIDI System Level 1*
sound set table (1991), program numbers counted from 0 as in MIDI data bytes (the table counts
from 1). A few names differ from pretty_midi's ``INSTRUMENT_MAP``, which respells some of
them (``Clavi`` / ``Clavinet``, ``SynthStrings 1`` / ``Synth Strings 1``, ``Synth Voice`` /
``Synth Choir``, ``Bag pipe`` / ``Bagpipe``, ...).

On a drum track (MIDI channel 10) the program selects a drum kit, not an instrument, so
:func:`program_name` answers ``"Drums"`` there.
"""

from __future__ import annotations

import operator

from orchestrion.errors import ValidationError

PROGRAM_NAMES: tuple[str, ...] = (
    # Piano (0-7)
    "Acoustic Grand Piano", "Bright Acoustic Piano", "Electric Grand Piano", "Honky-tonk Piano",
    "Electric Piano 1", "Electric Piano 2", "Harpsichord", "Clavi",
    # Chromatic Percussion (8-15)
    "Celesta", "Glockenspiel", "Music Box", "Vibraphone",
    "Marimba", "Xylophone", "Tubular Bells", "Dulcimer",
    # Organ (16-23)
    "Drawbar Organ", "Percussive Organ", "Rock Organ", "Church Organ",
    "Reed Organ", "Accordion", "Harmonica", "Tango Accordion",
    # Guitar (24-31)
    "Acoustic Guitar (nylon)", "Acoustic Guitar (steel)", "Electric Guitar (jazz)",
    "Electric Guitar (clean)", "Electric Guitar (muted)", "Overdriven Guitar",
    "Distortion Guitar", "Guitar harmonics",
    # Bass (32-39)
    "Acoustic Bass", "Electric Bass (finger)", "Electric Bass (pick)", "Fretless Bass",
    "Slap Bass 1", "Slap Bass 2", "Synth Bass 1", "Synth Bass 2",
    # Strings (40-47)
    "Violin", "Viola", "Cello", "Contrabass",
    "Tremolo Strings", "Pizzicato Strings", "Orchestral Harp", "Timpani",
    # Ensemble (48-55)
    "String Ensemble 1", "String Ensemble 2", "SynthStrings 1", "SynthStrings 2",
    "Choir Aahs", "Voice Oohs", "Synth Voice", "Orchestra Hit",
    # Brass (56-63)
    "Trumpet", "Trombone", "Tuba", "Muted Trumpet",
    "French Horn", "Brass Section", "SynthBrass 1", "SynthBrass 2",
    # Reed (64-71)
    "Soprano Sax", "Alto Sax", "Tenor Sax", "Baritone Sax",
    "Oboe", "English Horn", "Bassoon", "Clarinet",
    # Pipe (72-79)
    "Piccolo", "Flute", "Recorder", "Pan Flute",
    "Blown Bottle", "Shakuhachi", "Whistle", "Ocarina",
    # Synth Lead (80-87)
    "Lead 1 (square)", "Lead 2 (sawtooth)", "Lead 3 (calliope)", "Lead 4 (chiff)",
    "Lead 5 (charang)", "Lead 6 (voice)", "Lead 7 (fifths)", "Lead 8 (bass + lead)",
    # Synth Pad (88-95)
    "Pad 1 (new age)", "Pad 2 (warm)", "Pad 3 (polysynth)", "Pad 4 (choir)",
    "Pad 5 (bowed)", "Pad 6 (metallic)", "Pad 7 (halo)", "Pad 8 (sweep)",
    # Synth Effects (96-103)
    "FX 1 (rain)", "FX 2 (soundtrack)", "FX 3 (crystal)", "FX 4 (atmosphere)",
    "FX 5 (brightness)", "FX 6 (goblins)", "FX 7 (echoes)", "FX 8 (sci-fi)",
    # Ethnic (104-111)
    "Sitar", "Banjo", "Shamisen", "Koto",
    "Kalimba", "Bag pipe", "Fiddle", "Shanai",
    # Percussive (112-119)
    "Tinkle Bell", "Agogo", "Steel Drums", "Woodblock",
    "Taiko Drum", "Melodic Tom", "Synth Drum", "Reverse Cymbal",
    # Sound Effects (120-127)
    "Guitar Fret Noise", "Breath Noise", "Seashore", "Bird Tweet",
    "Telephone Ring", "Helicopter", "Applause", "Gunshot",
)

FAMILY_NAMES: tuple[str, ...] = (
    "Piano", "Chromatic Percussion", "Organ", "Guitar",
    "Bass", "Strings", "Ensemble", "Brass",
    "Reed", "Pipe", "Synth Lead", "Synth Pad",
    "Synth Effects", "Ethnic", "Percussive", "Sound Effects",
)

DRUMS = "Drums"


def _check_program(program: int) -> int:
    """``program`` as an ``int`` in 0-127; ``TypeError`` / ``ValidationError`` otherwise."""
    if isinstance(program, bool):
        raise TypeError("MIDI program must be an integer, not bool")
    try:
        value = operator.index(program)  # int and numpy integers; not floats or strings
    except TypeError:
        raise TypeError(f"MIDI program must be an integer, got {type(program).__name__} "
                        f"{program!r}") from None
    if not 0 <= value <= 127:
        raise ValidationError(f"MIDI program {value} outside 0-127")
    return value


def program_name(program: int, is_drum: bool = False) -> str:
    """The General MIDI name of ``program`` (0-127), or ``"Drums"`` on a drum track.

    >>> program_name(0), program_name(40), program_name(0, is_drum=True)
    ('Acoustic Grand Piano', 'Violin', 'Drums')
    """
    value = _check_program(program)
    return DRUMS if is_drum else PROGRAM_NAMES[value]


def program_family(program: int, is_drum: bool = False) -> str:
    """The General MIDI family of ``program`` (eight programs each), or ``"Drums"``.

    >>> program_family(0), program_family(40), program_family(127)
    ('Piano', 'Strings', 'Sound Effects')
    """
    value = _check_program(program)
    return DRUMS if is_drum else FAMILY_NAMES[value // 8]
