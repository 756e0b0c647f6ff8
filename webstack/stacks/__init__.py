"""Stacks compose constructs; :func:`add_environment` wires one environment's set."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import App, Stack, Tags

from webstack.config import EnvironmentConfig
from webstack.stacks.edge_monitoring import EdgeMonitoringStack
from webstack.stacks.web import WebStack


@dataclass(frozen=True)
class EnvironmentStacks:
    web: WebStack
    edge_monitoring: EdgeMonitoringStack

    @property
    def all(self) -> list[Stack]:
        return [self.web, self.edge_monitoring]


def add_environment(app: App, config: EnvironmentConfig) -> EnvironmentStacks:
    """Add the stacks of one environment to ``app``, in deploy order."""
    prefix = config.stack_prefix
    web = WebStack(app, f"{prefix}-web", config=config)
    edge_monitoring = EdgeMonitoringStack(
        app, f"{prefix}-edge-monitoring", config=config, distribution_id=web.distribution.distribution_id
    )
    edge_monitoring.add_stack_dependency(web, "alarms watch the distribution the web stack creates")

    for stack in (web, edge_monitoring):
        Tags.of(stack).add("Project", "webstack")
        Tags.of(stack).add("Environment", config.name)
        for key, value in config.tags.items():
            Tags.of(stack).add(key, value)
    return EnvironmentStacks(web=web, edge_monitoring=edge_monitoring)
