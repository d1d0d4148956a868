# call-insights — `make run` and `make test` are all a fresh clone needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Pinned and hashed: every package of the dev install (runtime, dev extras, build backend); the image
# installs the runtime one. `make lock` rewrites both from pyproject.toml.
LOCK := requirements.lock
RUNTIME_LOCK := requirements-runtime.lock
UV_VERSION := 0.13.9

.PHONY: install lock run test lint schemas clean stack-up stack-down go-tools core

install: $(STAMP)

# pip first, from its own pinned entry in the lock: the venv's bundled pip installs far more slowly.
# Then everything else from the lock, hash-checked, and the project itself from the local tree.
$(STAMP): pyproject.toml $(LOCK)
	@# a venv whose creation was interrupted has no pip: make it again
	@$(PY) -m pip --version >/dev/null 2>&1 || $(PYTHON) -m venv --clear $(VENV)
	awk '/^pip==/ {p = 1; print; next} p && /^[^ ]/ {exit} p' $(LOCK) \
		| $(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r /dev/stdin
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r $(LOCK)
	@# --no-index: the project's own dependencies must all be installed by now, i.e. in the lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-index --no-build-isolation -e '.[dev]' \
		|| { echo "$(LOCK) lacks a dependency of pyproject.toml: run 'make lock' and commit it" >&2; exit 1; }
	@touch $(STAMP)

# Python 3.11+ on any platform (--universal); the build backend comes from [build-system] requires,
# pip is locked too (the install uses it).
LOCK_ARGS := --generate-hashes --universal --python-version 3.11 --custom-compile-command "make lock"
BUILD_REQUIRES := $(PY) -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"], sep="\n")'
lock:
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check 'uv==$(UV_VERSION)'
	{ $(BUILD_REQUIRES); echo pip; } | $(VENV)/bin/uv pip compile --quiet pyproject.toml - --extra dev $(LOCK_ARGS) -o $(LOCK)
	$(BUILD_REQUIRES) | $(VENV)/bin/uv pip compile --quiet pyproject.toml - -c $(LOCK) $(LOCK_ARGS) -o $(RUNTIME_LOCK)

run: install
	@eval "$$(scripts/devstack up)" && exec $(PY) -m consumer

test: install lint
	@# the Go tools and the compiled analysis core build side by side on a fresh machine
	@$(MAKE) --no-print-directory -j2 go-tools core
	@scripts/chromium >/dev/null || echo "no Chromium: the dashboard test will fail" >&2
	@eval "$$(scripts/devstack up)" && $(PY) -m pytest $(PYTEST_ARGS)

# helm (chart tests) and promtool (alert rules, dashboard queries), built once from the Go module
# proxy into ~/.cache/call-insights: minutes on a fresh machine (side by side, so one downloads
# while the other compiles), then instant.
go-tools:
	@scripts/go-tool helm >/dev/null & helm=$$!; \
		scripts/go-tool promtool >/dev/null; promtool=$$?; wait $$helm && exit $$promtool

# The offline analyzer's hot modules compiled with mypyc (consumer/analyzer/native.py): about two
# minutes of CPU the first time, then copied from ~/.cache/call-insights; without it the same
# modules run as Python. Fails unless the build fits the sources, so `make test` tests what ships.
core: install
	@$(PY) scripts/build_core.py

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
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info consumer/analyzer/_core
