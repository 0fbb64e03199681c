# Every target bootstraps .venv itself: on a fresh machine with only Python,
# `make clean-corpus` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Two levels of install into the one .venv: the package alone (what cleaning
# needs: small and quick), and the package with the dev extra (what the tests,
# the linters and the integrations need).
CORE   := $(VENV)/.core-stamp
DEV    := $(VENV)/.dev-stamp
RAW    := corpus/raw
CLEAN  := corpus/clean

.PHONY: help clean-corpus report test check fuzz lint format clean suggest bench bench-jsonl bench-names bench-edits \
        bench-damage count-capitals realworld

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 16

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(CORE): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $(CORE)

$(DEV): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(DEV) $(CORE)

clean-corpus: $(CORE)  ## clean corpus/raw/*.txt into corpus/clean/ (text + NAME.edits.jsonl)
	$(BIN)/normalize $(RAW) -o $(CLEAN) --edits

report: clean-corpus  ## review every edit of corpus/clean in a browser: build/report.html
	$(BIN)/normalize report $(CLEAN) -o build/report.html

test: $(DEV)  ## run the whole test suite (rule examples, golden files, CLI, properties)
	$(BIN)/python -m pytest

check: $(CORE)  ## validate rules/ and run every rule's examples
	$(BIN)/normalize check

FUZZ_EXAMPLES ?= 20000
fuzz: $(DEV)  ## fuzz the whole pipeline longer than the tests do (FUZZ_EXAMPLES per test)
	NORMALIZE_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q tests/test_fuzz.py

suggest: $(CORE)  ## propose name variants mined from corpus/raw into build/names-proposal.yaml
	$(BIN)/normalize suggest $(RAW) -o build/names-proposal.yaml

bench: $(CORE)  ## speed and memory over ../shared/bench against ftfy; 1 vs 2 workers; start-up
	$(BIN)/python bench/bench.py

bench-jsonl: $(CORE)  ## JSON Lines end to end: the command line against an ftfy loop over 20 MB; the JSON layer alone
	$(BIN)/python bench/bench_jsonl.py

bench-names: $(CORE)  ## names pass throughput: corpus gazetteer vs a generated 10,000-entry one
	$(BIN)/python bench/bench_names.py

lint: $(DEV)  ## ruff, and mypy on the package
	$(BIN)/ruff check normalize tests bench
	$(BIN)/ruff format --check normalize tests bench
	$(BIN)/mypy normalize

format: $(DEV)  ## apply ruff's formatting and safe fixes
	$(BIN)/ruff check --fix normalize tests bench
	$(BIN)/ruff format normalize tests bench

bench-edits: $(CORE)  ## list every glued-word and sentence edit over ../shared/bench into bench-edits.txt
	$(BIN)/python bench/list_edits.py -o bench-edits.txt

bench-damage: $(CORE)  ## inject the seeds' kinds of damage (and misspelt names) into ../shared/bench articles
	$(BIN)/python bench/damage.py -o bench-damage.txt
	$(BIN)/python bench/damage_names.py -o bench-damage-names.txt

realworld: $(CORE)  ## repaired rate per family over ../shared/realworld (tests/realworld/*.yaml); EDITS=1 lists every edit
	$(BIN)/python bench/realworld.py $(if $(EDITS),--edits)

count-capitals: $(CORE)  ## count over ../shared/bench the words news rarely capitalises: rules/data/lists/rarely-capitalised.txt
	$(BIN)/python bench/rarely_capitalised.py

clean:  ## remove the virtualenv and generated output
	rm -rf $(VENV) $(CLEAN)/*.txt $(CLEAN)/*.jsonl .pytest_cache .ruff_cache build bench-edits.txt bench-damage.txt bench-damage-names.txt
