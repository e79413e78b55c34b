# Partnership Fund platform: developer commands. `make help` lists them.
SHELL := /bin/bash
UV ?= uv
# Two xdist workers match the two cores of the reference machine; override with XDIST=auto.
XDIST ?= 2

.PHONY: help install run test test-fast bench lint format typecheck clean

help:  ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

install:  ## Install uv if missing, then the locked dependencies
	@command -v $(UV) >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --locked

run: install  ## Start everything locally, load the sample district and run its cycle
	$(UV) run --locked python scripts/run_local.py

test: install  ## Run the whole suite (SQLite; PostgreSQL too when TEST_DATABASE_URL is set)
	$(UV) run --locked pytest -n $(XDIST) --dist loadgroup

test-fast: install  ## Run the suite on SQLite without the end-to-end tests
	TEST_DATABASE_URL= $(UV) run --locked pytest -n $(XDIST) -m "not e2e"

bench: install  ## Run the benchmarks against PostgreSQL and print their figures
	$(UV) run --locked pytest tests/benchmarks -p no:xdist -s -q -o addopts="--import-mode=importlib -p no:cacheprovider" --benchmarks

lint: install  ## Check style, formatting and types
	$(UV) run --locked ruff check .
	$(UV) run --locked ruff format --check .
	$(UV) run --locked mypy

format: install  ## Rewrite files to the project's format
	$(UV) run --locked ruff format .
	$(UV) run --locked ruff check --fix .

clean:  ## Delete local databases, mail and generated sample files under var/
	rm -rf var
