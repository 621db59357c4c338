# Wraps venv creation and installation so the README's two commands work on a fresh machine.
# Installs are locked: uv.lock (refresh with `make lock`); `uv sync --frozen` installs exactly it.
# Windows (no make): see README "Windows".
PY ?= python3
UV_VERSION := 0.13.9
UVENV := .tools/uv
UV := $(UVENV)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CLAUDE := .tools/node_modules/.bin/claude
EXTRAS := --extra offline --extra dev --extra anthropic

.PHONY: install run test bench lint claude lock lock-check

# uv itself, pinned, in its own small venv (so `uv sync` never removes it from .venv).
$(UV):
	$(PY) -m venv $(UVENV)
	$(UVENV)/bin/python -m pip install -q uv==$(UV_VERSION)

$(STAMP): pyproject.toml uv.lock $(UV)
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --frozen -q --python $(PY) $(EXTRAS)
	touch $(STAMP)

install: $(STAMP)

# Re-resolve after changing a dependency in pyproject.toml (then commit uv.lock and say why).
lock: $(UV)
	$(UV) lock --python $(PY)

# Fails when pyproject.toml and uv.lock disagree (also run by the tests).
lock-check: $(UV)
	$(UV) lock --check --offline --python $(PY)

# The real Claude Code CLI, for the plugin's end-to-end tests (npm registry only).
$(CLAUDE):
	npm install --silent --no-fund --no-audit --prefix .tools @anthropic-ai/claude-code

claude: $(CLAUDE)

run: install
	$(BIN)/goldloop run

test: install claude
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

bench: install
	$(BIN)/python -m bench

lint: install
	$(BIN)/ruff check goldloop mcp_server tests bench hooks
