# One Makefile for newcomers, CI and the team. `make demo` and `make test` are the two commands.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
PYTEST_FLAGS ?= -q

.PHONY: help install demo demo-cluster down-cluster up down status test unit integration test-cluster check lint format typecheck schemas eval bench bench-cluster clean

help:
	@echo "make demo   - start Kafka, Elasticsearch and both services; post the demo articles; search them"
	@echo "make test   - lint, type-check, unit tests, integration tests on real Kafka + Elasticsearch, then cluster fault tests"
	@echo "make demo-cluster - the demo on three Kafka brokers and two Elasticsearch nodes (make down-cluster stops it)"
	@echo "make down   - stop everything make demo started"
	@echo "make eval   - enrichment accuracy on ../shared/corpus (test split blind, dev split) and the regression sets; EVAL_FLAGS=--check fails on a missed test-split target"
	@echo "make bench  - throughput, latency and memory against the model's own limit (BENCH_FLAGS=--quick: < 2 min)"
	@echo "make bench-cluster - end to end with 1, 2 and 3 workers on three Kafka brokers and two Elasticsearch nodes (benchmarks/results/cluster-latest.md)"
	@echo "other: install unit integration check format schemas status clean"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

demo: install
	$(BIN)/newsflow demo

demo-cluster: install
	$(BIN)/newsflow demo --cluster

down-cluster: install
	$(BIN)/newsflow down --cluster

up: install
	$(BIN)/newsflow up

down: install
	$(BIN)/newsflow down

status: install
	$(BIN)/newsflow infra status

test: check unit integration test-cluster

unit: install
	$(BIN)/pytest tests/unit $(PYTEST_FLAGS)

integration: install
	$(BIN)/pytest tests/integration -m integration $(PYTEST_FLAGS)

# Three real Kafka brokers and two real Elasticsearch nodes (infra/local --cluster), after the single node's tests.
test-cluster: install
	$(BIN)/pytest tests/cluster -m cluster $(PYTEST_FLAGS)

check: lint typecheck

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: install
	$(BIN)/mypy

schemas: install
	$(BIN)/python -m schemas.export

EVAL_FLAGS ?=
eval: install
	$(BIN)/python -m evaluation $(EVAL_FLAGS)

bench: install
	$(BIN)/python -m benchmarks $(BENCH_FLAGS)

bench-cluster: install
	$(BIN)/python -m benchmarks --cluster $(BENCH_FLAGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
