# Augury: `make run` starts the demo exchange, `make test` runs the suite.
# Every target creates the virtualenv it needs, so both work on a fresh machine.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SDK_STAMP := $(VENV)/.sdk-installed
NATIVE_STAMP := $(VENV)/.native-built
NATIVE_SOURCES := $(wildcard native/Cargo.toml native/*/Cargo.toml native/*/src/*.rs)

.PHONY: help install run test test-fast test-native coverage check fmt bench sim clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q -e '.[dev,toolkit]'
	touch $(STAMP)

# The official Kalshi SDK declares Python >= 3.12 but runs on 3.11; it is the judge of
# wire compatibility in the end-to-end tests, so it is installed beside the dev tools.
$(SDK_STAMP): $(STAMP)
	$(BIN)/pip install -q --ignore-requires-python kalshi-python-sync==3.34.0
	touch $(SDK_STAMP)

# The native engine (Rust, docs/decisions/0036) is built in the release profile where cargo
# exists, profile-guided where the toolchain has llvm-profdata (native/build.sh, decision
# 0065; AUGURY_NATIVE_PGO=0 skips that); without a Rust toolchain the install still
# succeeds and Augury runs the Python engine (it says so once at startup).
$(NATIVE_STAMP): $(STAMP) $(NATIVE_SOURCES) native/build.sh bench/pgo_train.py
	@if command -v cargo >/dev/null 2>&1; then \
		native/build.sh $(VENV) && touch $@; \
	else \
		echo "make install: no Rust toolchain (cargo): the native engine is not built;" \
			"Augury runs the Python engine"; \
	fi

install: $(STAMP) $(SDK_STAMP) $(NATIVE_STAMP)  ## create .venv and install augury, its dev tools and the native engine

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

# One worker per core (pytest-xdist); a file's tests stay on one worker, so module-scoped
# fixtures are built once (docs/decisions/0017).
test-fast: install  ## unit and in-process API tests, no slow or process tests (while you work)
	$(BIN)/pytest -q -m "not slow and not process" -n auto --dist loadfile

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
	cd native && cargo bench -p augury-core
	$(BIN)/python -m bench.journal
	$(BIN)/python -m bench.durable
	$(BIN)/python -m bench.ws
	$(BIN)/python -m bench.backtest
	$(BIN)/python -m bench.rest
	$(BIN)/python -m bench.web

sim: install  ## seeded simulation: native engine vs the Python one, auditor + replay hash
	$(BIN)/python -m augury.sim --engine $${ENGINE:-native} --compare --commands $${COMMANDS:-10000000}

test-native: install  ## the Rust tests (unit, proptest invariants, decoder fuzzing)
	cd native && cargo test --release -p augury-core

clean:  ## remove the virtualenv and caches
	rm -rf $(VENV) .mypy_cache .ruff_cache .hypothesis .coverage .coverage.* coverage.json native/target
