# The two commands of the quick start. Both create .venv on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: chat test lint bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## chat: hold a deal review in the terminal (SQLite file ./dealcoach.db)
chat: $(STAMP)
	$(BIN)/dealcoach chat

## test: lint, then the whole test suite (PostgreSQL tests skip with a reason if 127.0.0.1:5432 is down)
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python bench/steering.py

## clean: remove the virtualenv and caches; never ./dealcoach.db (your reviews live there)
clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
