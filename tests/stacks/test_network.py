"""VPC over the configured zones, NAT per environment, flow logs, S3 endpoint."""

from __future__ import annotations

from aws_cdk.assertions import Match

from tests.synth import only, ref_id


def test_vpc_cidr_and_zones_from_config(each_env):
    cfg = each_env.config
    each_env.web.has_resource_properties("AWS::EC2::VPC", {"CidrBlock": cfg.vpc_cidr})
    subnets = each_env.web.find_resources("AWS::EC2::Subnet")
    zones = sorted({s["Properties"]["AvailabilityZone"] for s in subnets.values()})
    assert zones == sorted(cfg.availability_zones)
    # One public and one private-with-egress subnet per zone.
    assert len(subnets) == 2 * len(cfg.availability_zones)
    public = [s for s in subnets.values() if s["Properties"]["MapPublicIpOnLaunch"]]
    assert public == []


def test_nat_gateways_per_environment(each_env):
    nats = each_env.web.find_resources("AWS::EC2::NatGateway")
    assert len(nats) == each_env.config.nat_gateways


def test_private_subnets_route_through_nat(dev):
    routes = dev.web.find_resources("AWS::EC2::Route", {"Properties": {"NatGatewayId": Match.any_value()}})
    assert len(routes) == len(dev.config.availability_zones)


def test_flow_logs_to_encrypted_retention_limited_group(each_env):
    _, flow_log = only(each_env.web.find_resources("AWS::EC2::FlowLog"))
    assert flow_log["Properties"]["TrafficType"] == "ALL"
    assert flow_log["Properties"]["LogDestinationType"] == "cloud-watch-logs"
    group_id = ref_id(flow_log["Properties"]["LogGroupName"])
    group = each_env.web.to_json()["Resources"][group_id]
    assert group["Properties"]["RetentionInDays"] == each_env.config.log_retention_days
    assert "Fn::GetAtt" in group["Properties"]["KmsKeyId"]


def test_s3_gateway_endpoint(dev):
    _, endpoint = only(dev.web.find_resources("AWS::EC2::VPCEndpoint"))
    assert endpoint["Properties"]["VpcEndpointType"] == "Gateway"
    assert ".s3" in str(endpoint["Properties"]["ServiceName"])
