# The two commands of the README, plus what developers use day to day.
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test bootstrap lint unit integration sip browser e2e

bootstrap:
	@scripts/bootstrap.sh

demo:
	@scripts/bootstrap.sh demo
	$(BIN)/dialer demo

test: bootstrap
	$(BIN)/pytest

lint: bootstrap
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy && $(BIN)/lint-imports

unit integration sip browser e2e: bootstrap
	$(BIN)/pytest -m $@
