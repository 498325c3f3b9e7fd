# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test test-fast lint bench manifest demo facts clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps, so a changed pyproject.toml reinstalls and an unchanged one costs nothing. setuptools' notice that
# an install is editable is information only, and would bury a real warning.
QUIET_INSTALL := PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip install --quiet

# matplotlib asks fontconfig for the machine's fonts the first time it runs and caches them: done at set-up,
# not in the first report a person asks for.
FONTS = $(BIN)/python -c "import matplotlib.font_manager"

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(QUIET_INSTALL) -e .
	$(FONTS)
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(QUIET_INSTALL) -e '.[dev]'
	$(FONTS)
	touch $@ $(VENV)/.installed-run

## run the bot on the embedded SQLite default (settings from the environment or .env); the first time it
## makes .env from .env.example, with a new key that encrypts stored client text, and says so
run: $(VENV)/.installed-run
	$(BIN)/liaison init
	$(BIN)/liaison run

# The tests in 4 processes (pytest-xdist), each test module in one of them, so a module's bot starts once;
# Python may keep its bytecode (a shell that says PYTHONDONTWRITEBYTECODE would have every process the
# tests start compile the bot again).
PYTEST := env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest -n 4 --dist loadscope

## run every test, both layers (PostgreSQL tests too, when one is reachable); about 3 min on two cores
## (14 to 19 minutes before the fast layer and pytest-xdist)
test: $(VENV)/.installed-dev
	$(PYTEST)

## the fast layer alone: the bot in the tests' own process, nothing started (`pytest -m "not e2e"`); 52 s
## on two cores
test-fast: $(VENV)/.installed-dev
	$(PYTEST) -m "not e2e"

## measure Liaison beside a bare Bolt app (about five minutes); prints a table, writes bench/results.md
bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench

## ruff, and the type checker (strict on storage/ and commands/; see [tool.mypy] in pyproject.toml)
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## an offline walk-through of a referral against the Slack stand-in
demo: $(VENV)/.installed-run
	$(BIN)/liaison demo

## derive bot/sandbox/facts/ again from Slack's own files (LIAISON_SLACK_ORACLES; see docs/slack-facts.md)
facts: $(VENV)/.installed-dev
	$(BIN)/python -m tools.derive_slack_facts

## regenerate manifest.yml from the command registry
manifest: $(VENV)/.installed-run
	$(BIN)/liaison manifest > manifest.yml

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
