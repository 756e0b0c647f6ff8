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
# The four packages: product, rule pack, emulator, tools.
SOURCES := webstack pitfalls/webstack_pitfalls emulator/webstack_emulator tools/webstack_tools

.PHONY: help install graphviz chromium synth summary check lint format test test-fast $(addprefix test-,$(LAYERS)) up down plan destroy diagram docs site-hashes bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

PACKAGES := pyproject.toml pitfalls/pyproject.toml emulator/pyproject.toml tools/pyproject.toml
$(VENV)/.installed: $(PACKAGES) constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]' -e ./emulator -e ./tools
	touch $@

# checkov (the compliance gate's independent CloudFormation scanner) pins boto3, packaging and
# networkx older than the project's, so it gets a venv of its own inside .venv (constraints-checkov.txt).
CHECKOV_VENV := $(VENV)/checkov
$(CHECKOV_VENV)/.installed: constraints-checkov.txt | $(VENV)/.installed
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --disable-pip-version-check -c constraints-checkov.txt checkov
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

graphviz: ## Graphviz `dot` for the architecture diagram (Debian's package)
	@command -v dot >/dev/null || { $(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq && $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq graphviz >/dev/null; }

chromium: ## Chromium and its WebDriver for the browser test (Debian's chromium + chromium-driver)
	@{ command -v chromium && command -v chromedriver; } >/dev/null || { $(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq && $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq chromium chromium-driver >/dev/null; }

install: $(VENV)/.installed $(CHECKOV_VENV)/.installed node_modules/.installed graphviz chromium ## venv + pinned Python deps + pinned CDK CLI + graphviz + chromium (idempotent)

synth: install ## synthesize ENV (default dev) into cdk.out; nothing is written on invalid config
	$(PY) -m webstack_tools synth --env $(ENV) $(CONFIG_ARG)

summary: synth ## synthesize ENV and print stacks, regions, resource counts, outputs
	$(PY) -m webstack_tools summary --env $(ENV)

check: lint ## hygiene gates, then the compliance gate: cdk-nag packs + pitfall rules + cfn-lint + checkov on every env and combination; reports/
	$(PY) -m webstack_tools check

up: install ## the main job: synthesize, check, deploy ENV to the local emulator, verify, print outputs (ALLOW_REPLACE=Id,...: an intended replacement, docs/runbook.md)
	$(PY) -m webstack_tools up --env $(ENV) --gate $(CONFIG_ARG) $(if $(ALLOW_REPLACE),--allow-replace $(ALLOW_REPLACE),)

down: ## stop the local emulator (all its state goes with it) and remove cfn-outputs
	$(PY) -m webstack_tools down

plan: install ## review ENV's change offline against the emulator (AGAINST=git:REF: a commit); reports/plan.md; fails on stateful replace/delete
	$(PY) -m webstack_tools plan --env $(ENV) $(CONFIG_ARG) $(if $(AGAINST),--against $(AGAINST),)

destroy: install ## destroy exactly ENV's stacks in the running emulator (asks; YES=1 does not, UNPROTECT=1 for prod)
	$(PY) -m webstack_tools destroy --env $(ENV) $(if $(filter 1,$(YES)),--yes,) $(if $(filter 1,$(UNPROTECT)),--unprotect,)

# Test layers, by intent (tests/README.md); `make test` runs them all.
LAYERS := config constructs stacks app rules emulator compliance tools packaging integration
define layer_target
test-$(1): install ## tests/$(1) only
	$$(PY) -m pytest tests/$(1) -q
endef
$(foreach layer,$(LAYERS),$(eval $(call layer_target,$(layer))))

test-fast: install ## every layer that deploys nothing (all but integration)
	$(PY) -m pytest $(addprefix tests/,$(filter-out integration,$(LAYERS))) -q

lint: install ## hygiene gates: ruff format + lint (complexity limit), mypy, xenon (no function worse than C)
	$(PY) -m ruff format --check .
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) -m xenon --max-absolute C $(SOURCES)

format: install ## apply ruff's formatter and safe fixes
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

test: lint ## the whole test suite (after the hygiene gates)
	$(PY) -m pytest -q

diagram: install ## draw ENV's architecture from its templates: docs/architecture-ENV.{dot,svg,png}
	$(PY) -m webstack_tools diagram --env $(ENV) $(CONFIG_ARG) --out docs

bench: install ## time synth (vs. empty-app floor), suites, gate, local deploys (bench/results.json); request path req/s, p50/p99 (reports/bench-requests.md)
	@rc=0; $(PY) -m webstack_tools bench || rc=1; $(PY) -m webstack_tools bench-requests || rc=1; exit $$rc

docs: install ## regenerate docs/configuration.md from webstack/config.py
	$(PY) -m webstack_tools docs

site-hashes: install ## check the content hashes in the site's asset names (FIX=1 renames stale files and their references)
	$(PY) -m webstack_tools site-hashes --env $(ENV) $(if $(filter 1,$(FIX)),--fix,)

clean: ## remove build output
	rm -rf cdk.out .cdk.out.* .pytest_cache reports cfn-outputs
