# Set-up and everyday commands. Each target creates .venv when it is missing.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: install run test bench tune lint clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found: set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# torch first, pinned: the CPU build of 2.13.0; anything else pulls GBs of CUDA packages.
$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet "torch==2.13.0"
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python app.py

test: $(TEST_STAMP)
	$(BIN)/python -m pytest

# The Quality table of the README: the whole SQuAD dev half and the seed set, each with the baselines.
bench: $(STAMP)
	$(BIN)/qa eval tests/data/squad-dev-v2.0.json --baseline --out eval-out/squad
	$(BIN)/qa eval tests/data/seeds-qa.jsonl --baseline --out eval-out/seeds
	$(BIN)/qa eval tests/data/seeds-more.jsonl --baseline --out eval-out/seeds-more

# Refit the answerer's feature weights (qa/answer.py WEIGHTS) and print held-out figures for its thresholds.
tune: $(STAMP)
	$(BIN)/python -m qa.tune tests/data/squad-dev-v2.0.json --out eval-out/squad

lint: $(TEST_STAMP)
	$(BIN)/pip install --quiet ruff mypy
	$(BIN)/ruff check qa index app.py tests
	$(BIN)/mypy qa index app.py

clean:
	rm -rf $(VENV) .qa-store eval-out .pytest_cache
