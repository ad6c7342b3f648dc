# The two commands a newcomer needs: `make demo` and `make test`. Both install what is missing first.
# `make test` = `make lint` (ruff check and format check, import layers, mypy against its baseline) + the test suite.
PY := $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
JS_STAMP := node_modules/.installed

.PHONY: demo test lint fmt install bench clean

demo: install
	$(BIN)/tuijin demo $(ARGS)

test: lint
	$(BIN)/python -m pytest $(ARGS)

# Lint: ruff's rules over src and tests (pyproject [tool.ruff.lint]); the declared layers (import-linter, pyproject
# [tool.importlinter]); mypy with the Django plugin, failing only on errors not in mypy-baseline.txt.
# No app takes another's private name: tests/architecture/test_private_names.py (part of pytest).
lint: install
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	PYTHONPATH=src $(BIN)/lint-imports
	$(BIN)/python tools/mypy_baseline.py

# Format with ruff (`make test` fails on unformatted code: run `make fmt` before committing).
fmt: install
	$(BIN)/ruff format $(or $(FILES),src tests)
	$(BIN)/ruff check --fix src tests

install: $(PY_STAMP) $(JS_STAMP)

$(PY_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

$(JS_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

bench: install
	$(BIN)/tuijin bench $(ARGS)

clean:
	rm -rf $(VENV) node_modules var .pytest_cache
