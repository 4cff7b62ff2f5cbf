# One command to see it work (`make demo`), one to check it (`make test`).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
CHROMIUM ?= /usr/bin/chromium

.PHONY: demo dev test bench lint services clean browser

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-* && touch $(STAMP)

demo: $(STAMP)  ## servers (yours or embedded), schema, then the demo market through Dagster
	$(BIN)/investing demo

dev: $(STAMP)   ## dagster dev on http://127.0.0.1:3000 with the instance in PostgreSQL, the read API on :8000
	$(BIN)/investing dev

test: $(STAMP) browser  ## the test suite against real PostgreSQL and Redis (and the dashboard in Chromium)
	$(BIN)/python -m pytest -q

browser:        ## Debian's Chromium for the dashboard's browser tests: installed when missing and run as root
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing chromium (apt-get) for the dashboard's browser tests"; \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
	      || echo "apt-get could not install chromium: the browser tests will skip"; \
	  else echo "no $(CHROMIUM) and not root: the dashboard's browser tests will skip (apt-get install chromium)"; fi; }

bench: $(STAMP) ## speed figures with their targets, measured against baselines in the same run
	$(BIN)/python -m investing_assets.bench

lint: $(STAMP)  ## style and complexity (ruff, C90 <= 15), and the layer contracts (import-linter)
	$(BIN)/ruff check investing_assets investing_assets_tests
	$(BIN)/lint-imports

services: $(STAMP)
	$(BIN)/investing services up

clean:
	-$(BIN)/investing services stop
	rm -rf .investing
