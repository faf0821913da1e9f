"""``orchestrion.pipelines.MMTPipeline``: the three generation modes of the Multitrack Music
Transformer from a checkpoint folder, seeds, instrument names and clear errors.

The model is the ``debug`` size, untrained; the decoder's grammar makes any model's output
valid. Its type and beat heads are set to constant biases (notes likely, end-of-song
unlikely, small beat steps) so that songs have notes and stay short.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("safetensors")

import orchestrion  # noqa: E402
from orchestrion import Music, Note, Track  # noqa: E402
from orchestrion.errors import CheckpointError  # noqa: E402
from orchestrion.models.checkpoint import save_checkpoint  # noqa: E402
from orchestrion.models.mmt import MMTConfig, MultitrackMusicTransformer  # noqa: E402
from orchestrion.pipelines import MMTPipeline, generate  # noqa: E402
from orchestrion.pipelines.mmt import GenerationError, output_paths  # noqa: E402
from orchestrion.representations import get  # noqa: E402

CODEC = get("mmt")
#: Type logits SOS, instrument, SON, note, EOS: greedy decoding goes SOS -> SON -> notes;
#: sampled, about 40 % of rows after SOS declare one more instrument.
TYPE_BIAS = (0.0, 1.0, 1.5, 4.0, -4.0)
RANDOM_TYPES = {"type": 0}  # top-k off for the type field: sample it


def make_checkpoint(folder: Path) -> Path:
    """A ``debug`` MMT checkpoint for the full ``mmt`` codec, biased as the module says."""
    config = MMTConfig.from_codec(CODEC, "debug")
    torch.manual_seed(0)
    model = MultitrackMusicTransformer(config)
    with torch.no_grad():
        model.heads[0].weight.zero_()
        model.heads[0].bias.copy_(torch.tensor(TYPE_BIAS))
        model.heads[1].weight.zero_()
        model.heads[1].bias.copy_(-1.0 * torch.arange(config.vocabulary[1]))
    return save_checkpoint(folder, model, family="mmt", config=config, codec=CODEC)


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_checkpoint(tmp_path_factory.mktemp("mmt") / "debug")


@pytest.fixture(scope="module")
def pipe(checkpoint: Path) -> MMTPipeline:
    return MMTPipeline.from_pretrained(checkpoint)


def _notes(music: Music) -> list[tuple[int, int, int, int, int]]:
    """(program, time, pitch, duration, velocity) of every note, sorted."""
    rows = []
    for track in music.tracks:
        a = track.note_array()
        rows += [(track.program, *map(int, r)) for r in zip(a.time, a.pitch, a.duration,
                                                             a.velocity, strict=True)]
    return sorted(rows)


def _note_instruments(tokens: np.ndarray) -> set[int]:
    return set(tokens[tokens[:, 0] == 3, 5].tolist())


def _declared(tokens: np.ndarray) -> set[int]:
    return set(tokens[tokens[:, 0] == 1, 5].tolist())


def test_loads_a_folder_and_reports_itself(pipe: MMTPipeline) -> None:
    assert "M parameters" in repr(pipe)
    assert str(pipe.device) == "cpu"
    assert pipe.max_events == 128
    assert not pipe.model.training


def test_unconditioned_songs_are_valid_and_use_declared_instruments(pipe: MMTPipeline
                                                                     ) -> None:
    samples = pipe.sample(n=4, seed=0, top_k=RANDOM_TYPES)
    declaring = 0
    for sample in samples:
        assert sample.mode == "unconditioned"
        CODEC.check(sample.tokens)
        assert sample.tokens[-1, 0] == 4
        assert sample.n_events <= pipe.max_events
        assert sample.n_notes > 0
        declared = _declared(sample.tokens)
        if declared:
            declaring += 1
            assert _note_instruments(sample.tokens) <= declared
        music = sample.music
        assert music.resolution == 12
        assert [t.qpm for t in music.tempos] == [120.0]
        assert all(t.name for t in music.tracks)
    assert declaring >= 2  # the restriction was exercised


def test_instrument_informed_plays_only_the_given_instruments(pipe: MMTPipeline) -> None:
    songs = pipe.generate(instruments="piano, Violin,cello", n=2, seed=1)
    for music in songs:
        assert [(t.program, t.name) for t in music.tracks] == [
            (0, "Piano"), (40, "Violin"), (42, "Cello")]
        assert music.n_notes > 0
        assert {p for p, *_ in _notes(music)} <= {0, 40, 42}
    # Programs and General MIDI names work too; merged programs play as their instrument.
    music = pipe.generate(instruments=[0, "String Ensemble 1", "english_horn", "41"],
                          seed=2)[0]
    assert [t.name for t in music.tracks] == ["Piano", "Viola", "Strings", "English Horn"]


def test_without_the_restriction_notes_may_use_other_instruments(pipe: MMTPipeline) -> None:
    free = pipe.sample(instruments="piano", seed=3, restrict_instruments=False)[0]
    assert _note_instruments(free.tokens) - _declared(free.tokens)  # an untrained model
    kept = pipe.sample(instruments="piano", seed=3)[0]
    assert _note_instruments(kept.tokens) == {1}


def test_seeds_reproduce(pipe: MMTPipeline) -> None:
    first = pipe.sample(instruments="piano,violin", n=2, seed=11)
    again = pipe.sample(instruments="piano,violin", n=2, seed=11)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a.tokens, b.tokens)
        assert _notes(a.music) == _notes(b.music)
    assert [s.seed for s in first] == [11, 12]
    assert _notes(first[0].music) != _notes(first[1].music)
    other = pipe.sample(instruments="piano,violin", seed=99)[0]
    assert _notes(other.music) != _notes(first[0].music)
    # Sample i of seed s is seed s + i alone.
    alone = pipe.sample(instruments="piano,violin", seed=12)[0]
    np.testing.assert_array_equal(alone.tokens, first[1].tokens)
    # No seed: a fresh one, reported.
    fresh = pipe.sample(seed=None)[0]
    replay = pipe.sample(seed=fresh.seed)[0]
    np.testing.assert_array_equal(fresh.tokens, replay.tokens)


def _piece() -> Music:
    """Piano and violin, a note on every half beat for 8 beats."""
    piano = [Note(6 * k, 60 + k % 7, 6, 90) for k in range(16)]
    violin = [Note(12 * k, 72 - k, 12, 70) for k in range(8)]
    return Music(resolution=12, tracks=[Track(program=0, notes=piano),
                                        Track(program=40, notes=violin)])


@pytest.mark.parametrize("beats", [0, 3, 4])
def test_continuation_keeps_the_prompt(pipe: MMTPipeline, beats: int) -> None:
    piece = _piece()
    _, prompt = pipe.prompt(prompt=piece, beats=beats)
    sample = pipe.sample(prompt=piece, beats=beats, seed=5)[0]
    assert sample.mode == "continuation"
    np.testing.assert_array_equal(sample.tokens[: len(prompt)], prompt)
    assert sample.n_events > len(prompt)
    # The prompt's notes: those of the piece starting before beat `beats`.
    expected = [n for n in _notes(CODEC.decode(CODEC.encode(piece))) if n[1] < 12 * beats]
    got = _notes(sample.music)
    assert set(expected) <= set(got)
    # Before the prompt's last beat the output is exactly the prompt.
    last = max((n[1] // 12 for n in expected), default=0)
    assert [n for n in got if n[1] < 12 * last] == [n for n in expected if n[1] < 12 * last]
    assert {p for p, *_ in got} <= {0, 40}


def test_continuation_of_a_file(pipe: MMTPipeline, tmp_path: Path) -> None:
    path = tmp_path / "piece.mid"
    orchestrion.write(_piece(), path)
    from_file = pipe.sample(prompt=path, beats=4, seed=6)[0]
    from_music = pipe.sample(prompt=orchestrion.read(path), beats=4, seed=6)[0]
    np.testing.assert_array_equal(from_file.tokens, from_music.tokens)


def test_settings_reach_the_sampler(pipe: MMTPipeline) -> None:
    short = pipe.sample(instruments="piano", seed=1, max_events=10)[0]
    assert short.n_events == 10
    greedy = pipe.generate(instruments="piano", seed=1, temperature=0, max_events=20)
    assert _notes(greedy[0]) == _notes(pipe.generate(instruments="piano", seed=2,
                                                     temperature=0, max_events=20)[0])
    nucleus = pipe.generate(instruments="piano", seed=1, top_p=0.5, top_k=0, max_events=20)
    assert nucleus[0].n_notes > 0


def test_module_level_generate(checkpoint: Path) -> None:
    songs = generate(checkpoint, instruments="flute", seed=4, n=2, max_events=16)
    assert len(songs) == 2
    assert all(isinstance(m, Music) for m in songs)
    assert [t.name for t in songs[0].tracks] == ["Flute"]


def test_unknown_names_and_bad_requests_are_clear(pipe: MMTPipeline) -> None:
    with pytest.raises(GenerationError, match=r"unknown instrument 'kazoo'.*piano, violin"):
        pipe.generate(instruments="piano,kazoo")
    with pytest.raises(GenerationError, match=r"Gunshot.*does not play"):
        pipe.generate(instruments=[127])
    with pytest.raises(GenerationError, match="outside 0-127"):
        pipe.generate(instruments=[128])
    with pytest.raises(GenerationError, match="no instruments"):
        pipe.generate(instruments=" , ")
    with pytest.raises(GenerationError, match="a prompt needs beats"):
        pipe.generate(prompt=_piece())
    with pytest.raises(GenerationError, match="beats needs a prompt"):
        pipe.generate(beats=4)
    with pytest.raises(GenerationError, match="not both"):
        pipe.generate(instruments="piano", prompt=_piece(), beats=2)
    with pytest.raises(GenerationError, match="n must be"):
        pipe.generate(n=0)
    with pytest.raises(GenerationError, match="max_events must be 1-128"):
        pipe.generate(max_events=129)
    with pytest.raises(GenerationError, match="no room"):
        pipe.generate(instruments="piano,violin", max_events=4)
    with pytest.raises(GenerationError, match="beats must be 0-256"):
        pipe.generate(prompt=_piece(), beats=300)
    long = Music(resolution=12, tracks=[Track(notes=[Note(3 * k, 60, 3) for k in range(200)])])
    with pytest.raises(GenerationError, match="at most 128: give fewer beats"):
        pipe.generate(prompt=long, beats=50)
    with pytest.raises(GenerationError, match="temperature"):
        pipe.generate(temperature=-1)


def test_missing_models_name_what_is_shipped(tmp_path: Path) -> None:
    from orchestrion.models.checkpoint import shipped

    if "mmt-small" not in shipped():
        with pytest.raises(CheckpointError, match=r"not shipped.*shipped: .*checkpoint folder"):
            MMTPipeline.from_pretrained()
    with pytest.raises(CheckpointError, match="no checkpoint folder or shipped model"):
        MMTPipeline.from_pretrained("no-such-model")
    with pytest.raises(CheckpointError, match="not a checkpoint"):
        MMTPipeline.from_pretrained(tmp_path)
    with pytest.raises(GenerationError, match="unknown device"):
        MMTPipeline.from_pretrained(tmp_path, device="abacus")
    if not torch.cuda.is_available():
        with pytest.raises(GenerationError, match="no CUDA device"):
            MMTPipeline.from_pretrained(tmp_path, device="cuda")


def test_output_paths() -> None:
    assert output_paths("out/song.mid", 1) == [Path("out/song.mid")]
    assert output_paths("out/song.mid", 2) == [Path("out/song-1.mid"), Path("out/song-2.mid")]
    assert output_paths("a.b/song.json.gz", 2)[1] == Path("a.b/song-2.json.gz")
    assert output_paths("song.wav", 3)[2] == Path("song-3.wav")


def test_importing_pipelines_is_light() -> None:
    code = "import sys, orchestrion.pipelines; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"
