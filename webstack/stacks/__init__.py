"""Stacks compose constructs; :func:`add_environment` wires one environment's set."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import App, Stack, Tags

from webstack.config import EnvironmentConfig
from webstack.stacks.edge import EdgeStack
from webstack.stacks.edge_monitoring import EdgeMonitoringStack
from webstack.stacks.web import WebStack
from webstack.stateful_ids import pin


@dataclass(frozen=True)
class EnvironmentStacks:
    web: WebStack
    edge_monitoring: EdgeMonitoringStack
    edge: EdgeStack | None = None

    @property
    def all(self) -> list[Stack]:
        """In deploy order."""
        return [s for s in (self.edge, self.web, self.edge_monitoring) if s is not None]


def add_environment(app: App, config: EnvironmentConfig) -> EnvironmentStacks:
    """Add the stacks of one environment to ``app``, in deploy order."""
    prefix = config.stack_prefix
    edge = EdgeStack(app, f"{prefix}-edge", config=config) if config.has_edge_stack else None
    web = WebStack(
        app,
        f"{prefix}-web",
        config=config,
        web_acl_arn=edge.web_acl.arn if edge and edge.web_acl else None,
        web_acl_metric_name=edge.web_acl.metric_prefix if edge and edge.web_acl else None,
        certificate_arn=edge.certificate.certificate_arn if edge and edge.certificate else None,
    )
    if edge is not None:
        web.add_stack_dependency(edge, "the distribution uses the edge stack's web ACL and certificate")
    edge_monitoring = EdgeMonitoringStack(
        app,
        f"{prefix}-edge-monitoring",
        config=config,
        distribution_id=web.distribution.distribution_id,
        web_acl_metric_name=edge.web_acl.metric_prefix if edge and edge.web_acl else None,
    )
    edge_monitoring.add_stack_dependency(web, "alarms watch the distribution the web stack creates")

    stacks = EnvironmentStacks(web=web, edge_monitoring=edge_monitoring, edge=edge)
    # D14: each stack declares its stateful logical ids; the pitfall checks fault any other.
    for role, member in (("edge", edge), ("web", web), ("edge_monitoring", edge_monitoring)):
        if member is not None:
            pin(member, role)
    for stack in stacks.all:
        Tags.of(stack).add("Project", "webstack")
        Tags.of(stack).add("Environment", config.name)
        for key, value in config.tags.items():
            # Not on the VPC origin: changing a tag of a VPC origin that a distribution uses is an
            # update CloudFront refuses with 409 (pitfalls D22, aws/aws-cdk#35765), so editing
            # config.tags would fail the next deploy. Project and Environment never change.
            Tags.of(stack).add(key, value, exclude_resource_types=["AWS::CloudFront::VpcOrigin"])
    return stacks
