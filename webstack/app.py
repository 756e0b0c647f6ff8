"""Build the webstack app from context: environment name and optional overrides."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aws_cdk import App, Validations
from cdk_nag import AwsSolutionsChecks, NIST80053R5Checks

from webstack.config import ConfigError, load_config, parse_overrides
from webstack.config.loading import shown
from webstack.stacks import EnvironmentStacks, add_environment
from webstack_pitfalls import RULES, PitfallChecks


def cdk_json_context(cdk_json: Path) -> dict[str, Any]:
    """Feature flags and context from cdk.json.

    The CDK CLI passes these to the app; ``python app.py`` and the tests do
    not go through the CLI, so they hand them to ``App(context=...)``, where
    anything the CLI passes still takes precedence.
    """
    return dict(json.loads(cdk_json.read_text()).get("context", {}))


class ConfigInputError(Exception):
    """Configuration that cannot be used; the message says what to change."""


def read_overrides(value: Any) -> dict[str, Any]:
    """``-c config=`` takes a JSON file path or an inline JSON object (strictly parsed)."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    try:
        return parse_overrides(str(value))
    except ConfigError as err:
        raise ConfigInputError(str(err)) from None


# Context a change review (`make plan`) synthesizes with: the plan itself classifies a
# renamed stateful construct as replace + delete and fails on it unless allow-listed, so
# the synth-time D14 rule, which would stop the synth before the plan could show it, is off.
PLAN_REVIEW_CONTEXT = "webstack:plan-review"
_REVIEWED_BY_THE_PLAN = frozenset({"StatefulLogicalIdPinned"})


def pitfall_checks(app: App) -> PitfallChecks:
    """The pitfall pack of a synth: every rule, but for a plan review's synth (above)."""
    if app.node.try_get_context(PLAN_REVIEW_CONTEXT) in (True, "true"):
        return PitfallChecks(rules=[r for r in RULES if r.name not in _REVIEWED_BY_THE_PLAN])
    return PitfallChecks()


def attach_rule_packs(app: App) -> None:
    """Every synth runs these; an unacknowledged finding fails it (README "Compliance gate")."""
    Validations.of(app).add_plugins(AwsSolutionsChecks(app), NIST80053R5Checks(app), pitfall_checks(app))


def build_app(app: App) -> EnvironmentStacks:
    """Add the selected environment's stacks; raise ConfigInputError on bad input."""
    env_name = app.node.try_get_context("env")
    if env_name is None:
        env_name = "dev"
    try:
        config = load_config(env_name, read_overrides(app.node.try_get_context("config")))
    except ConfigError as err:
        raise ConfigInputError(f"invalid configuration for env {shown(env_name)}: {err}") from None
    return add_environment(app, config)
