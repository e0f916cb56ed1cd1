# Set-up and run targets over a project-local virtualenv.
# The package is installed non-editable (as users get it), so a leftover import of a source-tree path
# fails here as it would for them; sources changed since the last install are reinstalled (a few seconds).
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
DEPS := $(VENV)/.deps-installed
PKG := $(VENV)/.pkg-installed
SOURCES := $(shell find hoidap -type f -not -name '*.pyc' 2>/dev/null) pyproject.toml

# Writable state of `make run`/`make eval` stays in the checkout; an installed hoidap uses the user's
# data and cache directories instead (see hoidap/settings.py).
export HOIDAP_DATA_DIR ?= $(CURDIR)/data
export HOIDAP_CACHE_DIR ?= $(CURDIR)/.cache

.PHONY: install model index run serve test test-unit lint bench bench-api bench-chat bench-ocr eval ranker clean

$(BIN)/python:
	$(PY) -m venv $(VENV) || python3 -m venv $(VENV)

# The dev extra includes `build` (torch & co. for `hoidap model build`; serving alone is `pip install .`).
# torch is pinned in the same pip command as everything else: an unpinned torch pulls the CUDA build.
$(DEPS): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip "setuptools>=68,<81" wheel
	$(BIN)/pip install --quiet torch==2.13.0 ".[dev]"
	touch $(DEPS)

$(PKG): $(DEPS) $(SOURCES)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation --force-reinstall .
	rm -rf build
	touch $(PKG)

install: $(PKG)

model: install
	$(BIN)/hoidap model build

index: model
	$(BIN)/hoidap index

run: index
	$(BIN)/hoidap serve --host 127.0.0.1 --port 8000

# -P: the checkout is not on sys.path, so the tests import the installed package.
test: model
	$(BIN)/python -P -m pytest -q

test-unit: install
	$(BIN)/python -P -m pytest -q tests/unit

lint: install
	$(BIN)/ruff check .

bench: index
	$(BIN)/python -P benchmarks/bench_speed.py
	$(BIN)/python -P benchmarks/bench_index.py
	$(BIN)/python -P benchmarks/bench_backends.py

bench-api: index
	$(BIN)/python -P benchmarks/bench_api.py

bench-chat: index
	$(BIN)/python -P benchmarks/bench_chat.py

bench-ocr: $(PKG)
	$(BIN)/python -P benchmarks/bench_ocr.py

eval: index
	$(BIN)/hoidap eval --split test --out reports/eval
	$(BIN)/hoidap eval --split test --without-diacritics --out reports/eval-plain

# Refit the answer ranker on development questions (the dev split and the development document sets of
# evalsets/devsets.json, never test) into the package's data; the sets' data folders are kept in .cache.
ranker: index
	$(BIN)/hoidap eval --train-ranker --out hoidap/service/data/ranker.json \
		--devsets evalsets/devsets.json --devsets-data .cache/devsets

clean:
	rm -rf .cache data build
