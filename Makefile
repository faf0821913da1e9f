# orchestrion: `make demo` and `make test` work from a fresh clone on a fresh machine
# (Python 3.10+ with venv, PyPI reachable; Debian's apt for the optional system packages).
# They create .venv, install what they need once (stamp files remember; a changed
# pyproject.toml reinstalls) and run. Nothing here asks a question: pip runs with --no-input,
# apt-get with -y and DEBIAN_FRONTEND=noninteractive, sudo only with -n.
#
# torch ($(TORCH)) is installed into the venv BEFORE the project: these machines hold that
# CPU wheel on disk, while a plain `pip install torch` (or the range `torch>=2.4` resolved
# first) pulls a multi-GB CUDA build. Elsewhere set TORCH= to let pip pick from the range.
TORCH := torch==2.13.0

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check --no-input --quiet
DEMO := out/demo
# Public-domain pieces of the corpus bundled with music21 (a chorale, a string quartet
# movement, a rag); the first is the one converted file by file.
DEMO_PIECES := bach/bwv66.6 mozart/k80/movement1 joplin/maple_leaf_rag
# Debian packages that audio rendering uses: FluidSynth (libfluidsynth, for the fluidsynth
# engine and the benchmark's command line) and a General MIDI SoundFont (FluidR3_GM.sf2).
SYSDEPS := fluidsynth fluid-soundfont-gm
# The default synthesizer; --no-deps because its optional pyaudio dependency needs PortAudio's
# headers to build (docs/audio.md).
TINYSOUNDFONT := tinysoundfont>=0.3.7
# `make bench BENCH_ARGS=` for the full (several-minute) run.
BENCH_ARGS ?= --quick

.PHONY: all demo test lint bench sysdeps clean

all: test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

# Editable installs with the extras a target needs; redone when pyproject.toml changes.
$(VENV)/.stamp-interop: pyproject.toml | $(BIN)/python
	$(if $(TORCH),$(PIP) install '$(TORCH)')
	$(PIP) install -e '.[interop,viz,audio,torch]'
	$(PIP) install --no-deps '$(TINYSOUNDFONT)'
	touch $@

$(VENV)/.stamp-dev: pyproject.toml | $(BIN)/python
	$(if $(TORCH),$(PIP) install '$(TORCH)')
	$(PIP) install -e '.[dev,torch]'
	$(PIP) install --no-deps '$(TINYSOUNDFONT)'
	touch $@

## sysdeps: best effort; installed already -> one dpkg query; no apt-get, no root or no
## password-less sudo, or apt-get failing -> a message, and the tests that need them skip.
sysdeps:
	@if dpkg -s $(SYSDEPS) >/dev/null 2>&1; then \
	  echo "sysdeps: $(SYSDEPS) already installed"; \
	elif ! command -v apt-get >/dev/null 2>&1; then \
	  echo "sysdeps: no apt-get here; skipping $(SYSDEPS) (tests that need them will skip)"; \
	else \
	  if [ "$$(id -u)" = 0 ]; then sudo=""; \
	  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; \
	  else echo "sysdeps: not root and no password-less sudo; skipping $(SYSDEPS)"; exit 0; fi; \
	  echo "sysdeps: installing $(SYSDEPS) with apt-get"; \
	  if $$sudo env DEBIAN_FRONTEND=noninteractive apt-get -qq update \
	     && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get -qq install -y \
	          --no-install-recommends -o DPkg::Lock::Timeout=120 $(SYSDEPS) >/dev/null; then \
	    echo "sysdeps: installed $(SYSDEPS)"; \
	  else \
	    echo "sysdeps: apt-get failed; continuing without $(SYSDEPS) (tests that need them will skip)"; \
	  fi; \
	fi

## demo: the toolkit on public-domain pieces of music21's corpus: export MIDI, info, convert
demo: sysdeps $(VENV)/.stamp-interop
	@rm -rf $(DEMO) && mkdir -p $(DEMO)/midi
	$(BIN)/python scripts/corpus_to_midi.py $(DEMO)/midi $(DEMO_PIECES)
	@cp $(DEMO)/midi/bach_bwv66.6.mid $(DEMO)/bwv66.6.mid
	$(BIN)/orchestrion info $(DEMO)/bwv66.6.mid
	$(BIN)/orchestrion convert $(DEMO)/bwv66.6.mid $(DEMO)/bwv66.6.json
	$(BIN)/orchestrion convert $(DEMO)/bwv66.6.mid $(DEMO)/bwv66.6.yaml
	$(BIN)/orchestrion convert $(DEMO)/bwv66.6.json $(DEMO)/bwv66.6.roundtrip.mid
	$(BIN)/orchestrion convert $(DEMO)/midi $(DEMO)/json --to json.gz
	@score=$$($(BIN)/python -c "import music21; print(music21.corpus.getWork('bach/bwv66.6'))") \
	  && echo "$(BIN)/orchestrion convert $$score $(DEMO)/bwv66.6.musicxml" \
	  && $(BIN)/orchestrion convert "$$score" $(DEMO)/bwv66.6.musicxml
	$(BIN)/orchestrion convert $(DEMO)/bwv66.6.musicxml $(DEMO)/bwv66.6.abc
	$(BIN)/python scripts/demo.py $(DEMO)/bwv66.6.mid $(DEMO)/bwv66.6.roundtrip.mid
	$(BIN)/orchestrion dataset prepare bach-chorales --root $(DEMO)/bach-chorales \
	  --representation mmt --quiet
	$(BIN)/orchestrion plot $(DEMO)/bwv66.6.mid -o $(DEMO)/bwv66.6.png
	$(BIN)/orchestrion plot $(DEMO)/bwv66.6.musicxml -o $(DEMO)/bwv66.6.score.svg --kind score
	$(BIN)/orchestrion evaluate $(DEMO)/midi --reference $(DEMO)/bach-chorales/music --quiet \
	  --metrics pitch_class_entropy,scale_consistency,groove_consistency,polyphony
	@if $(BIN)/python -c "from orchestrion.audio import find_soundfont; find_soundfont()"; then \
	  echo "$(BIN)/orchestrion render $(DEMO)/bwv66.6.mid $(DEMO)/bwv66.6.wav --stems $(DEMO)/stems"; \
	  $(BIN)/orchestrion render $(DEMO)/bwv66.6.mid $(DEMO)/bwv66.6.wav --stems $(DEMO)/stems \
	  && $(BIN)/orchestrion render $(DEMO)/bwv66.6.mid $(DEMO)/bwv66.6.humanized.wav --humanize 1; \
	else echo "render skipped: no SoundFont (the message above says how to get one)"; fi
	@render=""; if $(BIN)/python -c "from orchestrion.audio import find_soundfont; find_soundfont()" \
	  2>/dev/null; then render="--render $(DEMO)/mmt-trio.wav"; fi; \
	echo "$(BIN)/orchestrion generate --model mmt-small --instruments violin,viola,cello --seed 1 --max-events 512 -o $(DEMO)/mmt-trio.mid --plot $(DEMO)/mmt-trio.png $$render"; \
	$(BIN)/orchestrion generate --model mmt-small --instruments violin,viola,cello --seed 1 \
	  --max-events 512 -o $(DEMO)/mmt-trio.mid --plot $(DEMO)/mmt-trio.png $$render
	@render=""; if $(BIN)/python -c "from orchestrion.audio import find_soundfont; find_soundfont()" \
	  2>/dev/null; then render="--render $(DEMO)/maple_leaf_rag.quartet.wav"; fi; \
	echo "$(BIN)/orchestrion arrange $(DEMO)/bwv66.6.mid -o $(DEMO)/bwv66.6.arranged.mid --plot $(DEMO)/bwv66.6.arranged.png"; \
	$(BIN)/orchestrion arrange $(DEMO)/bwv66.6.mid -o $(DEMO)/bwv66.6.arranged.mid \
	  --plot $(DEMO)/bwv66.6.arranged.png \
	&& echo "$(BIN)/orchestrion arrange $(DEMO)/midi/joplin_maple_leaf_rag.mid -o $(DEMO)/maple_leaf_rag.quartet.mid --model quartet-bilstm --plot $(DEMO)/maple_leaf_rag.quartet.png $$render" \
	&& $(BIN)/orchestrion arrange $(DEMO)/midi/joplin_maple_leaf_rag.mid \
	  -o $(DEMO)/maple_leaf_rag.quartet.mid --model quartet-bilstm \
	  --plot $(DEMO)/maple_leaf_rag.quartet.png $$render
	@echo
	@echo "Outputs in $(DEMO)/:"
	@echo "  bwv66.6.mid              Bach's chorale BWV 66.6, written to MIDI by music21"
	@echo "  bwv66.6.json, .yaml      the same piece in orchestrion's (MusPy-compatible) JSON and YAML"
	@echo "  bwv66.6.roundtrip.mid    MIDI written back from the JSON file"
	@echo "  midi/, json/             every demo piece as MIDI, and converted folder-wise to .json.gz"
	@echo "  bwv66.6.musicxml, .abc   the chorale's score read from music21's corpus (.mxl), written as MusicXML and ABC"
	@echo "  bach-chorales/           the 409 chorales prepared for training: music/*.json, splits.json, shards/mmt/"
	@echo "  bwv66.6.png, .score.svg  the chorale's piano roll and its engraved score"
	@echo "  bwv66.6.wav, stems/      the chorale rendered through a GM SoundFont, and one file per voice"
	@echo "  bwv66.6.humanized.wav    a humanised performance of it (seed 1)"
	@echo "  mmt-trio.mid, .png, .wav a string trio generated by the shipped Multitrack Music Transformer"
	@echo "  bwv66.6.arranged.mid/.png  the chorale merged to one part and spread over flute, oboe, bassoon, clarinet by bach-bilstm"
	@echo "  maple_leaf_rag.quartet.* the Maple Leaf Rag (piano) arranged for string quartet by quartet-bilstm"

## test: ruff, the import-layer contracts and the whole test suite (slow tests included)
test: sysdeps $(VENV)/.stamp-dev
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

## lint: ruff and import-linter only
lint: $(VENV)/.stamp-dev
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/lint-imports

## bench: reading/writing speed against symusic, pretty_midi, mido and muspy (quick run)
$(VENV)/.stamp-bench: pyproject.toml | $(BIN)/python
	$(if $(TORCH),$(PIP) install '$(TORCH)')
	$(PIP) install -e '.[bench,torch]'
	$(PIP) install --no-deps '$(TINYSOUNDFONT)'
	touch $@

bench: $(VENV)/.stamp-bench
	$(BIN)/python benchmarks/bench_midi.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/bench_json.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/bench_musicxml.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/bench_musescore.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/bench_representations.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/bench_datasets.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/bench_metrics.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/bench_audio.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/bench_mmt.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache .hypothesis .import_linter_cache .benchmarks \
	  build dist src/*.egg-info
	find src tests benchmarks scripts -name __pycache__ -type d -prune -exec rm -rf {} +
