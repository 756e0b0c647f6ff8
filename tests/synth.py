"""Synthesizing environments for tests: one App per environment per test session
(the fixtures in tests/conftest.py cache them), and helpers to read templates."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_cdk import App
from aws_cdk.assertions import Template

from webstack.app import cdk_json_context
from webstack.config import EnvironmentConfig, load_config
from webstack.stacks import EnvironmentStacks, add_environment
from webstack_tools import local_pager

ROOT = Path(__file__).resolve().parents[1]


def make_app(**extra_context: Any) -> App:
    """An App with cdk.json's feature flags and asset bundling skipped.

    CDK's built-in CloudFormation validation (a WASM engine compiled once per
    synth, ~2 s) is off here: the compliance gate (tests/unit/test_compliance.py,
    make check) runs it together with cfn-lint on every configuration.
    """
    return App(
        context={**cdk_json_context(ROOT / "cdk.json"), "aws:cdk:bundling-stacks": [], **extra_context},
        builtin_cloud_formation_validation=False,
    )


@dataclass
class Synthesized:
    config: EnvironmentConfig
    stacks: EnvironmentStacks
    web: Template
    edge_monitoring: Template
    edge: Template | None = None

    def templates(self) -> dict[str, Template]:
        """Every stack's template, keyed by role."""
        found = {"web": self.web, "edge_monitoring": self.edge_monitoring}
        if self.edge is not None:
            found["edge"] = self.edge
        return found

    def alerting_templates(self) -> dict[str, Template]:
        """The stacks that own an alert topic and alarms."""
        return {"web": self.web, "edge_monitoring": self.edge_monitoring}


_CACHE: dict[str, Synthesized] = {}


def config_of(env_name: str, overrides: dict | None = None) -> EnvironmentConfig:
    """``env_name``'s configuration with ``overrides``, as ``make up`` deploys it: a protected
    environment that would page no one gets the local pager (webstack_tools.local_pager)."""
    return load_config(env_name, local_pager.completed(env_name, overrides))


def synthesize(env_name: str, overrides: dict | None = None) -> Synthesized:
    """``env_name`` with ``overrides``; a protected environment that would page no one
    gets the local pager ``make up`` subscribes, as it is deployed locally."""
    config = config_of(env_name, overrides)
    app = make_app()
    stacks = add_environment(app, config)
    return Synthesized(
        config=config,
        stacks=stacks,
        web=Template.from_stack(stacks.web),
        edge_monitoring=Template.from_stack(stacks.edge_monitoring),
        edge=Template.from_stack(stacks.edge) if stacks.edge is not None else None,
    )


def cached_synth(env_name: str) -> Synthesized:
    """The environment's synthesis, at most once per process."""
    if env_name not in _CACHE:
        _CACHE[env_name] = synthesize(env_name)
    return _CACHE[env_name]


def only(resources: dict[str, dict]) -> tuple[str, dict]:
    """The single (logical id, resource) of a find_resources result."""
    assert len(resources) == 1, f"expected exactly one resource, got {list(resources)}"
    return next(iter(resources.items()))


def alert_topic(template: Template) -> tuple[str, dict]:
    """The paging topic of a stack (not the routine-events topic)."""
    return only({k: v for k, v in template.find_resources("AWS::SNS::Topic").items() if k.startswith("AlertsTopic")})


def ref_id(value: Any) -> str | None:
    """Logical id behind a Ref or Fn::GetAtt, else None."""
    if isinstance(value, dict):
        if "Ref" in value:
            return value["Ref"]
        if "Fn::GetAtt" in value:
            return value["Fn::GetAtt"][0]
    return None
