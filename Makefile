# orchestrion: `make demo` and `make test` work from a fresh clone on a fresh machine.
# They create .venv, install what they need (once: stamp files remember) and run.
#
# torch is not needed yet. When it is: install `torch==2.13.0` before the project, since
# these machines hold that CPU wheel on disk and a plain `pip install torch` pulls a
# multi-GB CUDA build.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check --quiet
DEMO := out/demo
DEMO_PIECES := bach/bwv66.6 bach/bwv7.7 mozart/k80/movement1 joplin/maple_leaf_rag

.PHONY: demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Editable installs with the extras a target needs; redone when pyproject.toml changes.
$(VENV)/.stamp-interop: pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[interop]'
	touch $@

$(VENV)/.stamp-dev: pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[dev]'
	touch $@

## demo: the toolkit on public-domain pieces of the music21 corpus (read, info, convert)
demo: $(VENV)/.stamp-interop
	@rm -rf $(DEMO) && mkdir -p $(DEMO)/midi
	$(BIN)/python scripts/corpus_to_midi.py $(DEMO)/midi $(DEMO_PIECES)
	$(BIN)/orchestrion info $(DEMO)/midi/bach_bwv66.6.mid
	$(BIN)/orchestrion convert $(DEMO)/midi/bach_bwv66.6.mid $(DEMO)/bwv66.6.json
	$(BIN)/orchestrion convert $(DEMO)/midi/bach_bwv66.6.mid $(DEMO)/bwv66.6.yaml
	$(BIN)/orchestrion convert $(DEMO)/bwv66.6.json $(DEMO)/bwv66.6.roundtrip.mid
	$(BIN)/orchestrion convert $(DEMO)/midi $(DEMO)/json --to json.gz
	@echo
	@echo "Outputs in $(DEMO)/: MIDI exported by music21 (midi/), the chorale as JSON, YAML"
	@echo "and MIDI again (bwv66.6.*), every piece as gzipped JSON (json/)."

## test: ruff, the import-layer contracts and the whole test suite (slow checks included)
test: $(VENV)/.stamp-dev
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

## lint: ruff and import-linter only
lint: $(VENV)/.stamp-dev
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/lint-imports

## bench: reading/writing speed against symusic, pretty_midi, mido and muspy
bench: $(VENV)/.stamp-dev
	$(BIN)/python benchmarks/bench_midi.py
	$(BIN)/python benchmarks/bench_json.py

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache .hypothesis build src/*.egg-info
