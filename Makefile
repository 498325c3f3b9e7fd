# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench manifest demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps, so a changed pyproject.toml reinstalls and an unchanged one costs nothing.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed-run

## run the bot on the embedded SQLite default (settings from the environment or .env); on a fresh machine
## it makes the key that encrypts stored client text, into .env, and says so
run: $(VENV)/.installed-run
	@if [ -z "$$LIAISON_DATA_KEY" ] && ! grep -qs '^LIAISON_DATA_KEY=..*' .env; then \
		echo "make run: warning: no LIAISON_DATA_KEY, so a new key was written to .env; keep a copy somewhere safe (without it the stored client text can't be read)" >&2; \
		echo "LIAISON_DATA_KEY=$$($(BIN)/liaison keys new)" >> .env; \
	fi
	$(BIN)/liaison run

## run every test (PostgreSQL tests too, when one is reachable)
test: $(VENV)/.installed-dev
	$(BIN)/pytest

## measure Liaison beside a bare Bolt app (about five minutes); prints a table, writes bench/results.md
bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## an offline walk-through of a referral against the Slack stand-in
demo: $(VENV)/.installed-run
	$(BIN)/liaison demo

## regenerate manifest.yml from the command registry
manifest: $(VENV)/.installed-run
	$(BIN)/liaison manifest > manifest.yml

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
