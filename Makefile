# Two set-up commands for a fresh machine: `make demo` and `make test`. Each builds .venv itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# uv is a fast pip; --compile-bytecode matters because this machine sets PYTHONDONTWRITEBYTECODE,
# and without .pyc files Airflow imports 2-3x slower.
UV_INSTALL := $(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode
export PATH := $(CURDIR)/$(BIN):$(PATH)

# Airflow 2.11, the bridge release many deployments still run: the whole pytest suite runs again in a
# second environment. No constraints file for 2.11 here; nothing needed a pin yet (add pins to AF2_PINS).
AF2_VENV := .venv-af2
AF2_STAMP := $(AF2_VENV)/.installed
AF2_PINS := "apache-airflow==2.11.*"

.PHONY: demo test lint typecheck pytest pytest-airflow2 clean browser-deps service-deps screenshot bench hunt

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(UV_INSTALL) -e ".[test]"
	touch $@

demo: $(STAMP)
	$(BIN)/python scripts/demo.py

test: lint typecheck pytest pytest-airflow2

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy --strict airflow_provider_tssession example_dags scripts bench

pytest: $(STAMP) browser-deps service-deps
	$(BIN)/python -m pytest

$(AF2_STAMP): pyproject.toml $(STAMP)
	$(BIN)/uv venv --quiet --allow-existing --python $(PYTHON) $(AF2_VENV)
	$(BIN)/uv pip install --quiet --python $(AF2_VENV)/bin/python --compile-bytecode -e ".[test]" $(AF2_PINS)
	touch $@

pytest-airflow2: $(AF2_STAMP)
	$(AF2_VENV)/bin/python -m pytest

# Property tests with fresh random examples, 20 times as many (the suite itself is derandomized, so a
# commit is green or red every time): pin each counterexample found here with @example in the test.
hunt: $(STAMP)
	HYPOTHESIS_PROFILE=hunt $(BIN)/python -m pytest -q -m hypothesis tests/test_hostile_input.py tests/test_lockout_safety.py

# Release artefacts for contributors (not a set-up command): sdist and wheel in dist/, checked as PyPI would.
.PHONY: dist
dist: $(STAMP)
	rm -rf dist
	UV_PYTHON_DOWNLOADS=never $(BIN)/uv build --python $(BIN)/python --out-dir dist
	$(BIN)/twine check --strict dist/*

# The browser tests drive Debian's Chromium with Playwright (which can download no browser of its own here).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser-deps:
	@test -x /usr/bin/chromium || { $(SUDO) apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q chromium; }

# The CeleryExecutor end-to-end test (tests/test_e2e_celery.py) runs Debian's PostgreSQL and Redis servers.
service-deps:
	@{ ls /usr/lib/postgresql/*/bin/initdb && command -v redis-server; } >/dev/null 2>&1 || { \
		$(SUDO) apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q postgresql redis-server; }

# Regenerate the README's pictures of the connection form (runs the browser test, saving what it fills).
screenshot: $(STAMP) browser-deps
	THOUGHTSPOT_FORM_SCREENSHOTS=docs $(BIN)/python -m pytest -q -m browser tests/test_connection_ui.py

# Benchmarks (BENCHMARKS.md): about 40 minutes; writes bench/results/. Never part of `make test`.
bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(AF2_VENV) .demo dist build .mypy_cache .pytest_cache .ruff_cache
