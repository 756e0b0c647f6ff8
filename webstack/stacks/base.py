"""What every webstack stack shares: name, environment, protection, references."""

from __future__ import annotations

from aws_cdk import Environment, Stack
from constructs import Construct

from webstack.config import EnvironmentConfig


class EnvironmentStack(Stack):
    """A stack of one environment, in ``region``.

    The stack name is the construct id (stable, environment in the name only);
    termination protection follows config; cross-region references are on, and
    CDK renders them as ``Fn::GetStackOutput``, a weak reference resolved at
    deploy time: no export that "cannot be updated" (aws/aws-cdk#22842), no
    SSM-writer custom resource.
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, config: EnvironmentConfig, region: str, purpose: str
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            stack_name=construct_id,
            description=f"webstack {config.name}: {purpose}",
            env=Environment(account=config.account, region=region),
            termination_protection=config.deletion_protection,
            cross_region_references=True,
        )
