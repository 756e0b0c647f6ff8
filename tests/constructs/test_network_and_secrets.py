"""Network and Secrets alone, per option (NAT count, origin-verify secret)."""

from __future__ import annotations

import pytest
from aws_cdk import RemovalPolicy, Stack

from tests.constructs.conftest import fresh_stack, key_in, only_one, resources
from webstack.constructs.network import Network
from webstack.constructs.secrets import Secrets


def network(stack: Stack, *, nat_gateways: int, zones: tuple[str, ...] = ("us-west-2a", "us-west-2b")) -> Network:
    return Network(
        stack,
        "Network",
        cidr="10.20.0.0/16",
        availability_zones=zones,
        nat_gateways=nat_gateways,
        flow_log_key=key_in(stack),
        log_retention_days=7,
        removal_policy=RemovalPolicy.DESTROY,
    )


@pytest.mark.parametrize(
    ("zones", "nat_gateways"), [(("us-west-2a", "us-west-2b"), 1), (("us-west-2a", "us-west-2b", "us-west-2c"), 3)]
)
def test_nat_gateways_and_zones_as_asked(zones, nat_gateways):
    stack = fresh_stack()
    network(stack, nat_gateways=nat_gateways, zones=zones)
    assert len(resources(stack, "AWS::EC2::NatGateway")) == nat_gateways
    subnets = resources(stack, "AWS::EC2::Subnet").values()
    assert sorted({s["Properties"]["AvailabilityZone"] for s in subnets}) == sorted(zones)
    assert len(subnets) == 2 * len(zones)


def test_flow_logs_encrypted_and_s3_gateway_endpoint(stack):
    network(stack, nat_gateways=1)
    group = only_one(resources(stack, "AWS::Logs::LogGroup"))["Properties"]
    assert "KmsKeyId" in group and group["RetentionInDays"] == 7
    flow = only_one(resources(stack, "AWS::EC2::FlowLog"))["Properties"]
    assert flow["TrafficType"] == "ALL" and flow["LogDestinationType"] == "cloud-watch-logs"
    endpoint = only_one(resources(stack, "AWS::EC2::VPCEndpoint"))["Properties"]
    assert endpoint["VpcEndpointType"] == "Gateway"
    public = [
        s for s in resources(stack, "AWS::EC2::Subnet").values() if "public" in str(s["Properties"]["Tags"]).lower()
    ]
    assert public and all(s["Properties"]["MapPublicIpOnLaunch"] is False for s in public)


def secrets(stack: Stack, *, origin_verify: bool) -> Secrets:
    return Secrets(
        stack,
        "Secrets",
        key=key_in(stack, "Data"),
        log_key=key_in(stack, "Telemetry"),
        log_retention_days=30,
        removal_policy=RemovalPolicy.RETAIN,
        origin_verify=origin_verify,
    )


def test_generated_secrets_never_carry_a_value(stack):
    secrets(stack, origin_verify=True)
    found = resources(stack, "AWS::SecretsManager::Secret")
    assert len(found) == 3
    for secret in found.values():
        assert "SecretString" not in secret["Properties"], "secrets are generated, never written"
        assert "GenerateSecretString" in secret["Properties"]
        assert "KmsKeyId" in secret["Properties"]
    rotation = only_one(resources(stack, "AWS::SecretsManager::RotationSchedule"))["Properties"]
    assert rotation["RotationRules"]["ScheduleExpression"] == "rate(30 days)"


def test_no_origin_verify_secret_when_not_asked(stack):
    built = secrets(stack, origin_verify=False)
    assert len(resources(stack, "AWS::SecretsManager::Secret")) == 2
    assert getattr(built, "origin_verify", None) is None
