# newscrawl: `make crawl` runs the Bisnis.com crawler, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SPIDER ?= bisnis
ARGS ?=

.PHONY: setup chromium faketime _apt crawl test lint typecheck unit bench clean

setup: $(STAMP) chromium faketime

# Debian packages, installed when missing and we are root with apt-get (never downloaded any
# other way): Chromium for pages behind a JavaScript check (never `playwright install`;
# without it the crawler counts such pages as blocked), faketime for the date-window tests.
CHROMIUM ?= $(or $(NEWSCRAWL_CHROMIUM),/usr/bin/chromium)
define apt_install
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Debian's $(1)"; \
	  apt-get install -y -q --no-install-recommends $(1) >/dev/null \
	    || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $(1) >/dev/null; } \
	    || echo "warning: could not install $(1)"; \
	else \
	  echo "note: $(1) is missing: $(2)"; \
	fi
endef

chromium:
	@[ -x "$(CHROMIUM)" ] || $(MAKE) --no-print-directory _apt PKG=chromium \
	  WHY="pages behind a JavaScript check will count as blocked"

faketime:
	@command -v faketime >/dev/null || $(MAKE) --no-print-directory _apt PKG=faketime \
	  WHY="the date-window tests need it"

_apt:
	$(call apt_install,$(PKG),$(WHY))

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

# The benchmark (a script that prints figures, not a test): BENCH_ARGS="--articles 2000 --large 20000"
BENCH_ARGS ?=
bench: setup
	$(BIN)/python bench/bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
