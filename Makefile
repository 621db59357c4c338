# Wraps venv creation and installation so the README's two commands work on a fresh machine.
# Windows (no make): see README "Windows".
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CLAUDE := .tools/node_modules/.bin/claude

.PHONY: install run test bench lint claude

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[offline,dev,anthropic]"
	touch $(STAMP)

install: $(STAMP)

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
