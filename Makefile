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

.PHONY: help install graphviz synth summary check test test-unit test-integration up down destroy diagram docs bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

graphviz: ## Graphviz `dot` for the architecture diagram (Debian's package)
	@command -v dot >/dev/null || { $(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq && $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq graphviz >/dev/null; }

install: $(VENV)/.installed node_modules/.installed graphviz ## venv + pinned Python deps + pinned CDK CLI + graphviz (idempotent)

synth: install ## synthesize ENV (default dev) into cdk.out; nothing is written on invalid config
	$(PY) -m webstack.cli synth --env $(ENV) $(CONFIG_ARG)

summary: synth ## synthesize ENV and print stacks, regions, resource counts, outputs
	$(PY) -m webstack.cli summary --env $(ENV)

check: install ## compliance gate: cdk-nag packs + pitfall rules + cfn-lint on every env and combination; reports/
	$(PY) -m webstack.compliance

up: install ## the main job: synthesize, check, deploy ENV to the local emulator, verify, print outputs
	$(PY) -m webstack.compliance --env $(ENV) --quick $(CONFIG_ARG)
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

diagram: install ## draw ENV's architecture from its templates: docs/architecture-ENV.{dot,svg,png}
	$(PY) -m webstack.diagram --env $(ENV) $(CONFIG_ARG) --out docs

bench: install ## time synth (vs. empty-app floor), suites, compliance gate, local deploys; bench/results.json
	$(PY) -m webstack.bench

docs: install ## regenerate docs/configuration.md from webstack/config.py
	$(PY) -m webstack.docs

clean: ## remove build output
	rm -rf cdk.out .cdk.out.* .pytest_cache reports cfn-outputs
