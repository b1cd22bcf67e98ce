# One task runner a clean machine has. `make demo` and `make test` each set up what they need.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
RUN_STAMP  := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test

.PHONY: demo test lint bench system-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	@sh scripts/system-deps.sh
	$(BIN)/python -m pip install -q -e .
	@touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	@sh scripts/system-deps.sh
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $@ $(RUN_STAMP)

demo: $(RUN_STAMP)  ## set up and run the whole assessment on demo data (no network, no token)
	$(BIN)/opsmaturity demo --out reports/demo

test: $(TEST_STAMP)  ## set up with test extras and run the test suite
	$(BIN)/python -m pytest -n auto

lint: $(TEST_STAMP)  ## ruff check, ruff format --check, mypy
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

bench: $(TEST_STAMP)  ## print benchmark figures (requests, seconds, peak memory)
	@for script in bench/bench_*.py; do echo "== $$script"; PYTHONPATH=.:src $(BIN)/python $$script || exit 1; done

system-deps:  ## install the Debian libraries WeasyPrint needs (when root)
	sh scripts/system-deps.sh

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
