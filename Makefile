# aims: two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
PYTEST_ARGS ?=

.PHONY: run test lint typecheck check bench install dev vendor clean

# The virtual environment with aims installed; rebuilt when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

# The same, with the development tools (pytest, Playwright's Python driver, ruff, mypy).
$(VENV)/.dev: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed
dev: $(VENV)/.dev

## run: set up, load the demo organisation into ./aims.db if it is empty, and serve on :8000
run: $(VENV)/.installed
	$(BIN)/aims demo --if-empty
	@echo
	@echo "  aims:       http://$(HOST):$(PORT)"
	@echo "  demo login: daniel.kowalski@meridian.example / meridian-demo-42001 (or any person above)"
	@echo
	$(BIN)/aims serve --host $(HOST) --port $(PORT)

## test: install the dev tools and run the whole suite (SQLite, PostgreSQL if reachable, browser if Chromium)
test: $(VENV)/.dev
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(VENV)/.dev
	$(BIN)/mypy

check: lint typecheck test

## bench: measure hot paths against a baseline taken in the same run
bench: $(VENV)/.dev
	$(BIN)/python -m bench

## vendor: refresh the front-end files vendored from the npm registry (pinned versions)
vendor:
	scripts/vendor-assets.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
