# The two commands of the README: `make run` and `make test`. Needs only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# `make run` installs what running needs; `make test` adds the test tools on top.
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
# uv (from PyPI, installed into the venv first) resolves and installs in parallel: about 3x faster than
# pip on an empty cache. PORTAL_INSTALLER=pip falls back to plain pip.
PORTAL_INSTALLER ?= uv
# Python may cache compiled bytecode in the venv even where the shell sets PYTHONDONTWRITEBYTECODE (some
# machines and CI images do): without the cache every process of `make run` (serve, which migrates and
# loads the demo, then the web server, the worker, beat, collectstatic) and of `make test` compiled
# Django, scikit-learn and pandas again, about 6 s of CPU each on a 2-core machine. The first process
# writes it, the rest read it.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test install install-dev lint chromium migrate demo test-fast clean test-js

define venv_install
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@if [ "$(PORTAL_INSTALLER)" = uv ] && ($(BIN)/python -m pip --disable-pip-version-check install --quiet uv \
	     || true) && [ -x $(BIN)/uv ]; then \
	  echo "Installing $(1) with uv..."; $(BIN)/uv pip install --python $(BIN)/python $(2); \
	else \
	  echo "Installing $(1) with pip..."; $(BIN)/python -m pip install --progress-bar on $(2); \
	fi
endef

$(STAMP): pyproject.toml
	$(call venv_install,the portal,-e .)
	touch $(STAMP)

$(DEV_STAMP): $(STAMP)
	$(call venv_install,the test tools,-e '.[dev]')
	touch $(DEV_STAMP)

install: $(STAMP)

install-dev: $(DEV_STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

# One process migrates, loads the demo and starts the web server, the worker and beat.
run: install
	$(BIN)/python manage.py serve --migrate --demo

chromium:
	@bash scripts/install-chromium.sh

# Test-only browser tools from the npm registry (axe-core, injected into the test browser only).
TEST_JS := tests/js/node_modules/.package-lock.json
$(TEST_JS): tests/js/package.json tests/js/package-lock.json
	npm ci --prefix tests/js --no-audit --no-fund --loglevel=error
	touch $(TEST_JS)

test-js: $(TEST_JS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

# Tests keep their own var/ folder (test database file and embedded broker) apart from `make run`'s.
# One OpenMP thread per process: the suite and the processes it starts share two cores (tests/conftest.py).
# Two pytest-xdist processes, each with its own test database, broker database and var folder
# (tests/settings.py); whole files go to one process (`--dist loadfile`) so a file's class- and
# module-scoped rows are built once. More processes than cores only add a database and a session
# worker each. PYTEST_WORKERS=0 runs the suite in one process.
PYTEST_WORKERS ?= 2
PYTEST := OMP_NUM_THREADS=1 PORTAL_VAR_DIR=$(CURDIR)/var/test $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile

test: install-dev chromium test-js lint
	$(PYTEST)

test-fast: install-dev test-js
	$(PYTEST) -m "not slow"

clean:
	rm -rf var/test test-artifacts .pytest_cache
