# hybridplan developer entry points. `make demo` and `make test` are the whole quick start.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-fast test-deps lint bench clean help

help:
	@echo "make demo   - create .venv, install, plan examples/acme into out/"
	@echo "make test   - create .venv if needed, run the whole test suite"
	@echo "make test-fast - the edit-test loop: every test but those marked slow (memory and"
	@echo "                 fuzz tests, CLI runs over examples/acme, the import check of the"
	@echo "                 whole tree) or preview (offline Pulumi previews); make test runs all"
	@echo "make test-deps - install the prometheus package the Prometheus tests run (as root"
	@echo "                 with apt-get, when prometheus or promtool is missing); make test runs it"
	@echo "make lint   - ruff and mypy"
	@echo "make bench  - run the benchmarks under bench/"

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/hybridplan plan examples/acme --out out

# The tests under tests/prom_server/ start a real Prometheus (Debian/Ubuntu package
# `prometheus`: prometheus and promtool). test-deps installs it when missing and it can (root,
# apt-get); otherwise those tests skip with the reason, or fail when CI=true or
# HYBRIDPLAN_REQUIRE_PROMETHEUS=1. The workers share one server (tests/promserver.py).
test-deps:
	@if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then \
	  :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing the prometheus package (apt-get install -y prometheus)"; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus \
	    >/dev/null; } || echo "warning: apt-get could not install prometheus: the" \
	    "Prometheus tests will skip (fail in CI)"; \
	else \
	  echo "prometheus/promtool not found and not installable here (needs root and apt-get):" \
	    "the Prometheus tests will skip (fail in CI); install the prometheus package"; \
	fi

test: $(STAMP) test-deps
	$(BIN)/python -m pytest -q -n 2 --dist worksteal

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --dist worksteal -m "not slow and not preview"

lint: $(STAMP)
	$(BIN)/ruff format --check planner stacks policies tests bench examples
	$(BIN)/ruff check planner stacks policies tests bench examples
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/classify.py
	$(BIN)/python bench/solve.py
	$(BIN)/python bench/whatif.py
	$(BIN)/python bench/validate.py
	$(BIN)/python bench/cli_scale.py
	$(BIN)/python bench/baseline.py
	$(BIN)/python bench/waves.py

clean:
	rm -rf $(VENV) out
