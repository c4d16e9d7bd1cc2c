# Two set-up commands for a fresh machine: `make demo` and `make test`. Each builds .venv itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# uv is a fast pip; --compile-bytecode matters because this machine sets PYTHONDONTWRITEBYTECODE,
# and without .pyc files Airflow imports 2-3x slower.
UV_INSTALL := $(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: demo test lint typecheck pytest clean bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(UV_INSTALL) -e ".[test]"
	touch $@

demo: $(STAMP)
	$(BIN)/python scripts/demo.py

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy --strict airflow_provider_tssession example_dags scripts bench

pytest: $(STAMP)
	$(BIN)/python -m pytest

# Benchmarks (BENCHMARKS.md): about 20 minutes; writes bench/results/. Never part of `make test`.
bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .demo dist build .mypy_cache .pytest_cache .ruff_cache
