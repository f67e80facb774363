# newscrawl: `make crawl` runs the Bisnis.com crawler, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SPIDER ?= bisnis
ARGS ?=

.PHONY: setup crawl test lint typecheck unit clean

setup: $(STAMP)

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

crawl: setup
	$(BIN)/scrapy crawl $(SPIDER) $(ARGS)

lint: setup
	$(BIN)/ruff check newscrawl tests
	$(BIN)/ruff format --check newscrawl tests

typecheck: setup
	$(BIN)/mypy newscrawl

unit: setup
	$(BIN)/python -m pytest

test: lint typecheck unit

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
