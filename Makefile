# call-insights — `make run` and `make test` are all a fresh clone needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test lint schemas clean stack-up stack-down

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: install
	@eval "$$(scripts/devstack up)" && exec $(PY) -m consumer

test: install lint
	@scripts/chromium >/dev/null || echo "no Chromium: the dashboard test will fail" >&2
	@eval "$$(scripts/devstack up)" && $(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy consumer producer_tools schemas

schemas: install
	$(PY) -m schemas.generate

stack-up:
	@scripts/devstack up

stack-down:
	@scripts/devstack down

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
