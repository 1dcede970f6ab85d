# hybridplan developer entry points. `make demo` and `make test` are the whole quick start.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-fast lint bench clean help

help:
	@echo "make demo   - create .venv, install, plan examples/acme into out/"
	@echo "make test   - create .venv if needed, run the whole test suite"
	@echo "make test-fast - the edit-test loop: every test but those marked slow (memory and"
	@echo "                 fuzz tests, CLI runs over examples/acme, the import check of the"
	@echo "                 whole tree) or preview (offline Pulumi previews); make test runs all"
	@echo "make lint   - ruff and mypy"
	@echo "make bench  - run the benchmarks under bench/"

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/hybridplan plan examples/acme --out out

test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup -m "not slow and not preview"

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
