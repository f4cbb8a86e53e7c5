# Augury: `make run` starts the demo exchange, `make test` runs the suite.
# Every target creates the virtualenv it needs, so both work on a fresh machine.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SDK_STAMP := $(VENV)/.sdk-installed

.PHONY: help install run test test-fast coverage check fmt bench sim clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

# The official Kalshi SDK declares Python >= 3.12 but runs on 3.11; it is the judge of
# wire compatibility in the end-to-end tests, so it is installed beside the dev tools.
$(SDK_STAMP): $(STAMP)
	$(BIN)/pip install -q --ignore-requires-python kalshi-python-sync==3.34.0
	touch $(SDK_STAMP)

install: $(STAMP) $(SDK_STAMP)  ## create .venv and install augury with its dev tools

run: install  ## start the demo exchange on 127.0.0.1:8000 (embedded SQLite in ./data)
	$(BIN)/augury demo --data ./data

# The whole suite under coverage.py (subprocess servers included), then line and branch
# figures by package; it fails if engine or ledger branch coverage drops under 95 %.
test: install  ## run the whole test suite with coverage figures (what CI runs; before you push)
	rm -f .coverage .coverage.* coverage.json
	$(BIN)/coverage run -m pytest -q
	$(BIN)/coverage combine -q
	$(BIN)/coverage json -q -o coverage.json
	$(BIN)/python -m tests.coverage_figures coverage.json

test-fast: install  ## unit and in-process API tests, no slow or process tests (while you work)
	$(BIN)/pytest -q -m "not slow and not process"

coverage: test  ## the same as `make test` (the suite always runs under coverage)

check: install  ## lint, format check and strict type check
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

fmt: install  ## format the code
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: install  ## run the benchmarks (prints figures; asserts nothing)
	$(BIN)/python -m bench.engine
	$(BIN)/python -m bench.journal
	$(BIN)/python -m bench.durable
	$(BIN)/python -m bench.ws
	$(BIN)/python -m bench.rest

sim: install  ## seeded random simulation: millions of commands, auditor + replay hash
	$(BIN)/python -m augury.sim --commands $${COMMANDS:-2000000}

clean:  ## remove the virtualenv and caches
	rm -rf $(VENV) .mypy_cache .ruff_cache .hypothesis .coverage .coverage.* coverage.json
