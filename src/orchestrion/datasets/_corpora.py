"""The texts of the catalog of downloadable corpora: descriptions, licences, citations.

Unless a comment says otherwise, every description, home page, licence, citation, URL, size
and checksum is copied from MusPy 0.5's dataset modules (``muspy/datasets/lmd.py``,
``maestro.py``, ``nes.py``, ``jsb.py``, ``nmd.py``, ``essen.py``, ``haydn.py``,
``wikifonia.py``, ``emopia.py``, ``musicnet.py``, ``hymnal.py``): MusPy's ``_DESCRIPTION``,
``_HOMEPAGE``, ``_LICENSE`` and ``_CITATION`` values, with the line continuations joined.
Where MusPy states no licence or citation, the text says so and points to the home page,
or names the source used instead. Kept apart from :mod:`orchestrion.datasets.catalog` so
that the classes there stay short.
"""

from __future__ import annotations

#: The licence of a corpus whose licence MusPy 0.5 does not state.
NOT_STATED = "not stated (MusPy 0.5 gives none); see the home page before use"

LMD_DESCRIPTION = (
    "The Lakh MIDI dataset is a collection of 176,581 unique MIDI files, 45,129 of which "
    "have been matched and aligned to entries in the Million Song Dataset. Its goal is to "
    "facilitate large-scale music information retrieval, both symbolic (using the MIDI files "
    "alone) and audio content-based (using information extracted from the MIDI files as "
    "annotations for the matched audio files).")
LMD_HOMEPAGE = "https://colinraffel.com/projects/lmd/"
LMD_LICENCE = "Creative Commons Attribution 4.0 International License (CC-By 4.0)"
LMD_CITATION = """\
@phdthesis{raffel2016learning,
  author={Colin Raffel},
  title={Learning-Based Methods for Comparing Sequences, with Applications to Audio-to-{MIDI} Alignment and Matching},
  year=2016
}"""  # noqa: E501

MAESTRO_DESCRIPTION = (
    "MAESTRO (MIDI and Audio Edited for Synchronous TRacks and Organization) is a dataset "
    "composed of over 200 hours of virtuosic piano performances captured with fine alignment "
    "(~3 ms) between note labels and audio waveforms.")
MAESTRO_HOMEPAGE = "https://magenta.tensorflow.org/datasets/maestro"
MAESTRO_LICENCE = ("Creative Commons Attribution Non-Commercial Share-Alike 4.0 "
                   "(CC BY-NC-SA 4.0)")
MAESTRO_CITATION = """\
@inproceedings{hawthorne2018enabling,
  title={Enabling Factorized Piano Music Modeling and Generation with the {MAESTRO} Dataset},
  author={Curtis Hawthorne and Andriy Stasyuk and Adam Roberts and Ian Simon and Cheng-Zhi Anna Huang and Sander Dieleman and Erich Elsen and Jesse Engel and Douglas Eck},
  booktitle={Proceedings of the 7th International Conference on Learning Representations (ICLR)},
  year=2019,
  url={https://openreview.net/forum?id=r1lYRjC9F7}
}"""  # noqa: E501

NES_DESCRIPTION = (
    "The Nintendo Entertainment System Music Database (NES-MDB) is a dataset intended for "
    "building automatic music composition systems for the NES audio synthesizer. The NES "
    "synthesizer has highly constrained compositional parameters which are well-suited to a "
    "wide variety of current machine learning techniques. The synthesizer is typically "
    "programmed in assembly, but we parse the assembly into straightforward formats that are "
    "more suitable for machine learning.")
NES_HOMEPAGE = "https://github.com/chrisdonahue/nesmdb"
NES_CITATION = """\
@inproceedings{donahue2018nesmdb,
  author={Chris Donahue and Huanru Henry Mao and Julian McAuley},
  title={The {NES} Music Database: A multi-instrumental dataset with expressive performance attributes},
  booktitle={Proceedings of the 19th International Society for Music Retrieval Conference (ISMIR)},
  year=2018
}"""  # noqa: E501

JSB_DESCRIPTION = (
    "The JSB Chorales Dataset is a collection of 382 four-part chorales by Johann Sebastian "
    "Bach. This dataset is used in the paper \"Modeling Temporal Dependencies in "
    "High-Dimensional Sequences: Application to Polyphonic Music Generation and "
    "Transcription\" in ICML 2012. It comes with train, test and validation split used in "
    "the paper \"Harmonising Chorales by Probabilistic Inference\" in NIPS 2005.")
JSB_HOMEPAGE = "http://www-etud.iro.umontreal.ca/~boulanni/icml2012"
JSB_CITATION = """\
@inproceedings{boulangerlewandowski2012modeling,
  author={Nicolas Boulanger-Lewandowski and Yoshua Bengio and Pascal Vincent},
  title={Modeling Temporal Dependencies in High-Dimensional Sequences: Application to Polyphonic Music Generation and Transcription},
  booktitle={Proceedings of the 29th International Conference on Machine Learning (ICML)},
  year=2012
}"""  # noqa: E501

NOTTINGHAM_DESCRIPTION = (
    "This is a collection of 1200 British and American folk tunes, (hornpipe, jigs, and "
    "etc.) that was created by Eric Foxley. The database was converted to ABC music notation "
    "format and was posted on http://abc.sourceforge.net/. The collection was edited by "
    "Seymour Shlien correcting missing beats during repeats and transitions.")
NOTTINGHAM_HOMEPAGE = "https://ifdo.ca/~seymour/nottingham/nottingham.html"
# MusPy gives no citation; this names the authors its description names.
NOTTINGHAM_CITATION = ("Eric Foxley. Nottingham Music Database (ABC edition, edited by "
                       "Seymour Shlien). https://ifdo.ca/~seymour/nottingham/nottingham.html")

ESSEN_DESCRIPTION = (
    "This is a collection of about 8000 European and Chinese folk songs written in Essen "
    "Associative Code (EsAC). This database was started under the direction of the late "
    "Helmut Scaffrath who invented the EsAC code. Seymour Shlien converted the database into "
    "abc music notation using a tcl/tk script that Seymour Shlien wrote. Damien Sagrillo and "
    "Ewa Dahlig-Turek made available several other collections (HAYDN.SM, IRL.SM, LUX.SM, "
    "LOT.SM, HAN1.SM and HAN2.SM which were not publicly available.)")
ESSEN_HOMEPAGE = "https://ifdo.ca/~seymour/runabc/esac/esacdatabase.html"
# MusPy gives no citation; this is the usual one for the Essen collection.
ESSEN_CITATION = ("Helmut Schaffrath. The Essen Folksong Collection in Kern Format. Edited "
                  "by David Huron. Menlo Park, CA: Center for Computer Assisted Research in "
                  "the Humanities, 1995. ABC edition by Seymour Shlien: "
                  "https://ifdo.ca/~seymour/runabc/esac/esacdatabase.html")

HAYDN_DESCRIPTION = (
    "This dataset is a set of functional harmonic analysis annotations for the Op.20 string "
    "quartets from Joseph Haydn, commonly known as the 'Sun' quartets.")
HAYDN_HOMEPAGE = "https://doi.org/10.5281/zenodo.1095630"
# MusPy gives no licence; read from the LICENSE file of github.com/napulen/haydn_op20_harm
# and the !!!YEC/!!!YEM records of its .hrm files.
HAYDN_LICENCE = ("annotations: MIT License (github.com/napulen/haydn_op20_harm); the **kern "
                 "encodings: Copyright (c) 1994, 2000 Center for Computer Assisted Research "
                 "in the Humanities, rights to derivative editions reserved (the files' "
                 "!!!YEC/!!!YEM records)")
HAYDN_CITATION = """\
@dataset{nestor_napoles_lopez_2017_1095630,
  author={N\\'apoles L\\'opez, N\\'estor},
  title={{Joseph Haydn - String Quartets Op.20 - Harmonic Analysis Annotations Dataset}},
  month=dec,
  year=2017,
  publisher={Zenodo},
  version={v1.1-alpha},
  doi={10.5281/zenodo.1095630},
  url={https://doi.org/10.5281/zenodo.1095630}
}"""

WIKIFONIA_DESCRIPTION = (
    "Wikifonia dataset is a collection of 6675 lead sheets in MusicMXL format. It was "
    "originally hosted at http://www.wikifonia.org/.")
WIKIFONIA_HOMEPAGE = "http://www.wikifonia.org/"
# MusPy gives no citation.
WIKIFONIA_CITATION = ("Wikifonia (lead sheets formerly at http://www.wikifonia.org/, closed "
                      "in 2013), as mirrored at http://www.synthzone.com/files/Wikifonia/")

EMOPIA_DESCRIPTION = (
    "EMOPIA (pronounced \u2018yee-m\u00f2-pi-uh\u2019) dataset is a shared multi-modal "
    "(audio and MIDI) database focusing on perceived emotion in pop piano music, to "
    "facilitate research on various tasks related to music emotion. The dataset contains "
    "1,087 music clips from 387 songs and clip-level emotion labels annotated by four "
    "dedicated annotators.")
EMOPIA_HOMEPAGE = "https://annahung31.github.io/EMOPIA/"
EMOPIA_LICENCE = "Creative Commons Attribution 4.0 International License (CC-By 4.0)"
EMOPIA_CITATION = """\
@inproceedings{hung2021emopia,
  author={Hung, Hsiao-Tzu and Ching, Joann and Doh, Seungheon and Kim, Nabin and Nam, Juhan and Yang, Yi-Hsuan},
  title={{EMOPIA}: A Multi-Modal Pop Piano Dataset For Emotion Recognition and Emotion-based Music Generation},
  booktitle={Proceedings of the 22nd International Society for Music Information Retrieval Conference (ISMIR)},
  year=2021
}"""  # noqa: E501

MUSICNET_DESCRIPTION = (
    "MusicNet is a collection of 330 freely-licensed classical music recordings, together "
    "with over 1 million annotated labels indicating the precise time of each note in every "
    "recording, the instrument that plays each note, and the note's position in the metrical "
    "structure of the composition.")
MUSICNET_HOMEPAGE = "https://homes.cs.washington.edu/~thickstn/musicnet.html"
MUSICNET_CITATION = """\
@inproceedings{thickstun2017learning,
  author={John Thickstun and Zaid Harchaoui and Sham M. Kakade},
  title={Learning Features of Music from Scratch},
  booktitle={International Conference on Learning Representations (ICLR)},
  year=2017
}"""

HYMNAL_DESCRIPTION = (
    "The Hymnal Dataset is a collection of hymns in MIDI format available at hymnal.net.")
HYMNAL_HOMEPAGE = "https://www.hymnal.net/"
HYMNAL_LICENCE = ("not stated (MusPy 0.5 gives none); the hymns' own terms at "
                  "https://www.hymnal.net/ apply")
# MusPy gives no citation.
HYMNAL_CITATION = "Hymnal.net, https://www.hymnal.net/ (MIDI files of its hymns)"

# Not in MusPy: the data of the Multitrack Music Transformer paper (Dong et al., ICASSP
# 2023), from the Live Orchestral Piano (LOP) project's page.
SOD_DESCRIPTION = (
    "The Symbolic Orchestral Database (SOD): about 5,743 pieces of classical and orchestral "
    "music as MIDI (.mid) and MusicXML (.xml) files, gathered from online collections such "
    "as Kunstderfuge and Musicalion by the Live Orchestral Piano project, which pairs piano "
    "scores with their orchestrations; the data of the Multitrack Music Transformer paper "
    "(which trains on the orchestral *_orch.mid files). When a file exists as both X.mid and "
    "X.xml, only X.mid is kept.")
SOD_HOMEPAGE = "https://qsdfo.github.io/LOP/database.html"
SOD_CITATION = ("L\u00e9opold Crestel, Philippe Esling, Lena Heng and Stephen McAdams. A "
                "database linking piano and orchestral MIDI scores with application to "
                "automatic projective orchestration. Late-Breaking Demo, 18th International "
                "Society for Music Information Retrieval Conference (ISMIR), 2017.")
