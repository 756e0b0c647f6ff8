"""Each construct alone, in a fresh Stack per option (cdk-nag / Solutions Constructs style).

These tests do not go through the environment configs: they build the one
construct under test with the option being tested, and read its template.
A fresh App per test is cheap (no bundling, no built-in validation).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from aws_cdk import App, Environment, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Template
from constructs import IConstruct

from tests.synth import ROOT
from webstack.app import cdk_json_context
from webstack_pitfalls import ACKNOWLEDGED_RULES_METADATA_KEY

ACCOUNT = "111111111111"


def fresh_stack(region: str = "us-west-2") -> Stack:
    app = App(
        context={**cdk_json_context(ROOT / "cdk.json"), "aws:cdk:bundling-stacks": []},
        builtin_cloud_formation_validation=False,
    )
    return Stack(app, "UnderTest", env=Environment(account=ACCOUNT, region=region))


@pytest.fixture
def stack() -> Stack:
    return fresh_stack()


def template(stack: Stack) -> Template:
    return Template.from_stack(stack)


def resources(stack: Stack, cfn_type: str) -> dict[str, Any]:
    return template(stack).find_resources(cfn_type)


def vpc_in(stack: Stack) -> ec2.Vpc:
    return ec2.Vpc(
        stack,
        "Vpc",
        availability_zones=["us-west-2a", "us-west-2b"],
        nat_gateways=1,
        subnet_configuration=[
            ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24),
            ec2.SubnetConfiguration(name="app", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=22),
        ],
    )


def key_in(stack: Stack, construct_id: str = "Key") -> kms.Key:
    return kms.Key(stack, construct_id, enable_key_rotation=True, removal_policy=RemovalPolicy.DESTROY)


def bucket_in(stack: Stack, construct_id: str = "Bucket", **kwargs: Any) -> s3.Bucket:
    return s3.Bucket(stack, construct_id, **kwargs)


def only_one(found: dict[str, Any]) -> dict[str, Any]:
    assert len(found) == 1, f"expected exactly one resource, got {sorted(found)}"
    return next(iter(found.values()))


def props_of(found: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for resource in found.values():
        yield resource.get("Properties", {})


def acknowledged_ids(construct: IConstruct) -> set[str]:
    """Rule ids acknowledged on ``construct`` itself (without the ``Annotation::`` prefix)."""
    return {
        rule_id.split("::")[-1]
        for entry in construct.node.metadata
        if entry.type == ACKNOWLEDGED_RULES_METADATA_KEY and isinstance(entry.data, dict)
        for rule_id in entry.data
    }
