# webstack — the front door. `make up` runs the main job, `make test` the suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help
ENV ?= dev
CONFIG ?=
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
CONFIG_ARG := $(if $(CONFIG),--config $(CONFIG),)

.PHONY: help install synth summary test test-unit test-integration up down destroy clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed ## venv + pinned Python deps + pinned CDK CLI (idempotent)

synth: install ## synthesize ENV (default dev) into cdk.out; nothing is written on invalid config
	$(PY) -m webstack.cli synth --env $(ENV) $(CONFIG_ARG)

summary: synth ## synthesize ENV and print stacks, regions, resource counts, outputs
	$(PY) -m webstack.cli summary --env $(ENV)

up: install ## the main job: synthesize, check, deploy ENV to the local emulator, verify, print outputs
	$(PY) -m webstack.deploy up --env $(ENV) $(CONFIG_ARG)

down: ## stop the local emulator (all its state goes with it) and remove cfn-outputs
	$(PY) -m webstack.deploy down

destroy: install ## cdk destroy --all of ENV in the running emulator
	$(PY) -m webstack.deploy destroy --env $(ENV)

test-unit: install ## unit tests only (no deploy)
	$(PY) -m pytest tests/unit tests/local -q

test-integration: install ## deploy to the local emulator and test it with boto3
	$(PY) -m pytest tests/integration -q

test: install ## the whole test suite
	$(PY) -m pytest -q

clean: ## remove build output
	rm -rf cdk.out .cdk.out.* .pytest_cache reports cfn-outputs
