# The two commands a newcomer needs: `make demo` and `make test`. Both install what is missing first.
PY := $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
JS_STAMP := node_modules/.installed

.PHONY: demo test install serve bench clean

demo: install
	$(BIN)/tuijin demo $(ARGS)

test: install
	$(BIN)/python -m pytest $(ARGS)

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
