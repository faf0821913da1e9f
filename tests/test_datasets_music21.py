"""The offline collections of the music21 corpus (``orchestrion.datasets.music21_corpus``)."""

from __future__ import annotations

import itertools

import pytest

pytest.importorskip("music21")

from orchestrion.datasets import COLLECTIONS, collection
from orchestrion.datasets.music21_corpus import CHORALE_PARTS, QUARTET_PARTS
from orchestrion.errors import DatasetError


def test_bach_chorales_are_the_409_pieces_of_the_reference() -> None:
    bach = collection("bach-chorales")
    assert len(bach.paths()) == 410
    pieces = list(bach.pieces(errors="raise"))
    assert len(pieces) == 409
    assert bach.skipped == {}
    programs = dict(CHORALE_PARTS)
    for piece_id, music in pieces:
        assert piece_id.startswith("bach/")
        assert music.resolution == 24
        assert len(music.tracks) == 4 or sum(t.n_notes > 10 for t in music.tracks) >= 2
        for track in music.tracks:
            assert track.program == programs[track.name]
            assert (track.note_array().duration > 0).all()
    ids = [piece_id for piece_id, _ in pieces]
    assert len(set(ids)) == len(ids)
    assert "bach/bwv846" not in ids  # a piano prelude: no voice part
    # The two hand-mapped chorales keep their four voices.
    by_id = dict(pieces)
    for hand_mapped in ("bach/bwv171.6", "bach/bwv41.6"):
        assert [t.name for t in by_id[hand_mapped].tracks] == ["Soprano", "Alto", "Tenor", "Bass"]
    assert 90_000 < sum(m.n_notes for _, m in pieces) < 105_000


def test_string_quartets_are_46_four_part_movements() -> None:
    quartets = collection("string-quartets")
    paths = quartets.paths()
    assert len(paths) == 46
    assert not any("k545" in str(p) for p in paths)
    for path in paths[::9]:  # a sample (all 46 load in ~3 s)
        music = quartets.load(path)
        assert music is not None
        assert music.resolution == 24
        assert [(t.name, t.program) for t in music.tracks] == list(QUARTET_PARTS)


@pytest.mark.parametrize("name", ["palestrina", "monteverdi", "essen", "ryans-mammoth"])
def test_a_sample_of_each_collection_loads(name: str) -> None:
    books = collection(name)
    pieces = list(itertools.islice(books.pieces(errors="raise"), 3))
    assert len(pieces) == 3
    folder = books.paths()[0].relative_to(books.root).with_suffix("").as_posix()
    tunes = name in ("essen", "ryans-mammoth")
    assert pieces[0][0].startswith(folder + "#") if tunes else pieces[0][0] == folder
    for piece_id, music in pieces:
        assert music.n_notes > 0
        assert "#" in piece_id if name in ("essen", "ryans-mammoth") else "#" not in piece_id
    assert len({piece_id for piece_id, _ in pieces}) == 3


def test_ids_are_relative_to_the_corpus_stable_and_unique() -> None:
    quartets = collection("string-quartets")
    first = [piece_id for piece_id, _ in itertools.islice(quartets.pieces(), 2)]
    assert first == [piece_id for piece_id, _ in itertools.islice(quartets.pieces(), 2)]
    assert first == ["beethoven/opus132", "beethoven/opus133"]
    # music21-corpus: every readable file once; the .krn/.mxl twins keep their extensions.
    everything = collection("music21-corpus")
    paths = everything.paths()
    assert len(paths) > 3000
    assert all(p.suffix != ".rntxt" for p in paths)
    ids = everything.file_ids()
    assert list(ids) == paths
    assert len(set(ids.values())) == len(paths)
    assert "beethoven/opus18no1/movement1.krn" in ids.values()
    assert "bach/bwv66.6" in ids.values()


def test_unknown_collection_names_the_collections() -> None:
    with pytest.raises(DatasetError) as info:
        collection("bach")
    for name in COLLECTIONS:
        assert name in str(info.value)
    assert set(COLLECTIONS) == {"bach-chorales", "string-quartets", "palestrina", "monteverdi",
                                "essen", "ryans-mammoth", "multipart", "music21-corpus"}


def test_multipart_keeps_instruments_apart_and_sings_the_vocal_music() -> None:
    multipart = collection("multipart")
    paths = multipart.paths()
    bach = collection("bach-chorales").paths()
    assert len(paths) == len(bach) + 46 + len(collection("monteverdi").paths()) \
        + len(collection("palestrina").paths())
    by_name = {p.relative_to(multipart.root).as_posix(): p for p in paths}
    chorale = multipart.load(by_name["bach/bwv66.6.mxl"])
    assert [t.program for t in chorale.tracks] == [p for _, p in CHORALE_PARTS]
    quartet = multipart.load(by_name["beethoven/opus18no1/movement1.mxl"])
    assert [(t.name, t.program) for t in quartet.tracks] == list(QUARTET_PARTS)
    madrigal = multipart.load(next(p for k, p in by_name.items() if k.startswith("monteverdi")))
    assert len(madrigal.tracks) >= 2
    assert {t.program for t in madrigal.tracks} == {52}
    assert madrigal.resolution == 24
    assert madrigal.metadata.collection == "multipart"
    assert multipart.load(by_name["bach/bwv846.mxl"]) is None  # a prelude: no voice parts
