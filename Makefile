# Set-up and run targets over a project-local virtualenv.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install model index run serve test lint bench bench-api eval clean

$(BIN)/python:
	$(PY) -m venv $(VENV) || python3 -m venv $(VENV)

# torch is pinned in the same pip command as everything else: an unpinned torch pulls the CUDA build.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0 -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

model: install
	$(BIN)/python -m indexer.embedding_model build

index: model
	$(BIN)/hoidap index

run: index
	$(BIN)/hoidap serve --host 127.0.0.1 --port 8000

test: model
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check .

bench: index
	$(BIN)/python -m indexer.bench

bench-api: index
	$(BIN)/python -m service.bench

eval: index
	$(BIN)/hoidap eval --split test --out eval/report

clean:
	rm -rf .cache data
