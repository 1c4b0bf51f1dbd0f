# The two commands of the README: `make run` and `make test`. Needs only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lint chromium migrate demo test-fast clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

run: demo
	$(BIN)/python manage.py serve

chromium:
	@bash scripts/install-chromium.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

# Tests keep their own var/ folder (test database file and embedded broker) apart from `make run`'s.
test: install chromium lint
	PORTAL_VAR_DIR=$(CURDIR)/var/test $(BIN)/pytest

test-fast: install
	PORTAL_VAR_DIR=$(CURDIR)/var/test $(BIN)/pytest -m "not slow"

clean:
	rm -rf var/test test-artifacts .pytest_cache
