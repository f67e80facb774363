# newscrawl: `make crawl` runs the Bisnis.com crawler, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# What is installed into the venv, each from its requirements file once it changes:
# what a crawl needs (requirements.txt), then tests, lint, types, the benchmark (-dev).
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev
SPIDER ?= bisnis
ARGS ?=

.PHONY: setup setup-dev bytecode chromium faketime redis _apt crawl dataset search report test lint typecheck unit bench bench-backfill bench-distributed bench-quality bench-realworld mutation clean

setup: $(RUNTIME_STAMP) bytecode chromium faketime redis

setup-dev: $(DEV_STAMP) bytecode chromium faketime redis

# The package's bytecode, compiled ahead (only the modules that changed): every crawl starts
# ~0.1 s sooner where Python does not cache it itself (PYTHONDONTWRITEBYTECODE=1, a read-only
# checkout), as a pip-installed package's does. A stale file is never used: Python checks it.
bytecode: $(RUNTIME_STAMP)
	@$(BIN)/python -m compileall -q newscrawl >/dev/null

# Debian packages, installed when missing and we are root with apt-get (never downloaded any
# other way): Chromium for pages behind a JavaScript check (never `playwright install`;
# without it the crawler counts such pages as blocked), faketime for the date-window tests,
# redis-server for distributed mode and its tests (the package's own service is not started:
# tests start their own servers on loopback ports).
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

redis:
	@command -v redis-server >/dev/null || $(MAKE) --no-print-directory _apt PKG=redis-server \
	  WHY="distributed mode (NEWSCRAWL_REDIS_URL) needs a Redis; its tests fail under CI=true"

_apt:
	$(call apt_install,$(PKG),$(WHY))

$(RUNTIME_STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(RUNTIME_STAMP)

$(DEV_STAMP): $(RUNTIME_STAMP) requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(DEV_STAMP)

# The crawl's last line says how it went and why (exit status N); a failed crawl then gets one
# line more, as make itself exits 2 whatever the crawl's status was (2 is "bad arguments" only
# for the crawl: see docs/operations.md). Cron and scripts: scripts/cron-crawl.sh or
# .venv/bin/scrapy crawl, which exit with the crawl's own status.
crawl: setup
	@echo "$(BIN)/scrapy crawl $(SPIDER) $(ARGS)"
	@$(BIN)/scrapy crawl $(SPIDER) $(ARGS) || { status=$$?; \
	  echo "make crawl: the crawl exited with status $$status (make exits 2 for any failed crawl)" >&2; \
	  exit $$status; }

# The analysts' dataset: Parquet under output/dataset/, the view `articles` in output/newscrawl.duckdb
dataset: setup
	$(BIN)/python -m newscrawl.dataset

# Full-text search of the dataset's articles (the index `make dataset` keeps): make search Q="harga saham"
Q ?=
search: setup
	$(BIN)/python -m newscrawl.search "$(Q)"

# output/report.html from the run manifests and the dataset (one self-contained page)
report: setup
	$(BIN)/python -m newscrawl.report

lint: setup-dev
	$(BIN)/ruff check newscrawl tests
	$(BIN)/ruff format --check newscrawl tests

typecheck: setup-dev
	$(BIN)/mypy newscrawl

# The tests on both cores (pytest-xdist): each test file runs whole on one worker, so its module
# fixtures (replayed sites, generated sites, a Redis server) are made once; every fixture picks
# free ports and temporary folders. Three workers on two cores: a crawl test waits on its
# subprocess much of the time (2 workers kept the cores ~60% busy; 4 were no faster than 3).
# TEST_WORKERS=0 runs them all in one process.
TEST_WORKERS ?= 3
unit: setup-dev
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

test: lint typecheck unit

# The benchmark (a script that prints figures, not a test): BENCH_ARGS="--articles 2000 --large 20000"
BENCH_ARGS ?=
bench: setup-dev
	$(BIN)/python bench/bench.py $(BENCH_ARGS)

# A year's backfill and its resume after a kill (prints the figures): BACKFILL_ARGS="--days 365"
BACKFILL_ARGS ?=
bench-backfill: setup-dev
	$(BIN)/python bench/backfill.py $(BACKFILL_ARGS)

# One worker against three on one Redis frontier, 50 ms a response (prints the tables)
DISTRIBUTED_ARGS ?=
bench-distributed: setup-dev
	$(BIN)/python bench/distributed.py $(DISTRIBUTED_ARGS)

# `scrapy crawl news` against the trafilatura route on the fixture sites (prints the table)
bench-quality: setup-dev
	$(BIN)/python bench/generic_quality.py

# `scrapy crawl news` on real pages of real publishers, field by field, beside trafilatura
# (prints the table): REALWORLD_ARGS="--set fundus --details /tmp/pages.jsonl"
REALWORLD_ARGS ?=
bench-realworld: setup-dev
	$(BIN)/python bench/realworld.py $(REALWORLD_ARGS)

# Mutation testing of the pure modules (a development tool, minutes long; not part of `make
# test`): mutmut, each module against its own unit tests, survivors rechecked in a fresh
# process; then the hand-made mutants of their tables and patterns. Prints each module's
# score and its survivors, then the hand-made mutants' caught rate (docs/mutation.md).
# MUTATION_ARGS="ledger urls" for some modules.
MUTATION_ARGS ?=
mutation: setup-dev
	@status=0; $(BIN)/python scripts/mutation.py $(MUTATION_ARGS) || status=1; \
	$(BIN)/python scripts/hand_mutants.py $(if $(MUTATION_ARGS),--module $(MUTATION_ARGS)) \
	  || status=1; exit $$status

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
