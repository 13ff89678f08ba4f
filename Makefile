# Each target sets up .venv itself (Python 3.12, chosen by .python-version).
PYTHON_VERSION := $(shell cat .python-version)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test validation dashboard lint format benchmark clean

setup: $(STAMP)

$(STAMP): pyproject.toml $(wildcard */__init__.py)
	@if [ ! -x $(BIN)/python ]; then \
		PY=$$(command -v python$(PYTHON_VERSION) || true); \
		if [ -z "$$PY" ] && command -v pyenv >/dev/null 2>&1; then PY=$$(pyenv root)/versions/$$(pyenv versions --bare | grep -E "^$(PYTHON_VERSION)(\.|$$)" | tail -n 1)/bin/python; fi; \
		if [ -z "$$PY" ] || [ ! -x "$$PY" ]; then PY=$$(ls -d $$HOME/.pyenv/versions/$(PYTHON_VERSION)*/bin/python 2>/dev/null | tail -n 1); fi; \
		if [ -z "$$PY" ] || [ ! -x "$$PY" ]; then echo "error: Python $(PYTHON_VERSION) not found (install it, e.g. with pyenv or your package manager)" >&2; exit 1; fi; \
		echo "Creating $(VENV) with $$PY"; \
		"$$PY" -m venv $(VENV); \
	fi
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

demo: setup
	$(BIN)/orgsim compare product-launch

test: setup
	$(BIN)/python -m pytest

EXPERIMENTS := $(basename $(notdir $(wildcard experiments/files/*.yaml)))

validation: setup
	$(BIN)/python -m pytest -m slow tests/validation
	@for name in $(EXPERIMENTS); do \
		$(BIN)/orgsim sweep experiments/files/$$name.yaml --out results/$$name --resume || exit 1; \
		$(BIN)/orgsim report results/$$name || exit 1; \
	done
	$(BIN)/python -m tests.validation.report docs/validation.md --experiments results

dashboard: setup
	$(BIN)/orgsim dashboard

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

benchmark: setup
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
