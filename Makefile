# The README's two commands: `make demo` (the main job) and `make test` (the whole test suite).
# Each installs everything it needs first (system packages when run as root, then a venv).
SHELL := /bin/bash
VENV ?= .venv

.PHONY: demo test install lint docs bench clean

demo:
	@scripts/bootstrap
	@scripts/demo

test:
	@scripts/bootstrap
	@scripts/test

install:
	@scripts/bootstrap

lint:
	@$(VENV)/bin/ruff check . && $(VENV)/bin/mypy

clean:
	rm -rf $(VENV) $(VENV)-checkov $(VENV)-checkov.log .mypy_cache .pytest_cache .ruff_cache

docs:
	@$(VENV)/bin/python -m tests.docs_help
