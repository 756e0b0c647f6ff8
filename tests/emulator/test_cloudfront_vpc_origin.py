"""``AWS::CloudFront::VpcOrigin`` (providers/cloudfront_vpc_origin.py, pitfalls D22): Ref/GetAtt, the
AWS-managed security group that keeps the VPC from being deleted, the 409 of an update while a
distribution uses the origin, the internet-gateway prerequisite; and the local data plane reaching an
internal ALB through the VPC origin only (dataplane/edge.py, alb.py)."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError

from tests.emulator.test_dataplane_alb import (
    ACCOUNT,
    APP_COMMAND,
    CACHING_DISABLED,
    CLOUDFRONT_ONLY,
    SECRET,
    _edge_url,
    _healthy,
    _listener_url,
    _open,
    web_tier,
)
from webstack_emulator.dataplane import DataPlane

MANAGED_SG = "CloudFront-VPCOrigins-Service-SG"
IN_USE = "The specified VPC origin is currently associated with one or more distributions"


def _network(*, internet_gateway=True):
    subnet = lambda cidr, az: {  # noqa: E731
        "Type": "AWS::EC2::Subnet",
        "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": cidr, "AvailabilityZone": az},
    }
    resources = {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.8.0.0/16"}},
        "A": subnet("10.8.0.0/24", "us-east-1a"),
        "B": subnet("10.8.1.0/24", "us-east-1b"),
        "Lb": {
            "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
            "Properties": {"Type": "application", "Scheme": "internal", "Subnets": [{"Ref": "A"}, {"Ref": "B"}]},
        },
    }
    if internet_gateway:
        resources["Igw"] = {"Type": "AWS::EC2::InternetGateway"}
        resources["Attach"] = {
            "Type": "AWS::EC2::VPCGatewayAttachment",
            "Properties": {"VpcId": {"Ref": "Vpc"}, "InternetGatewayId": {"Ref": "Igw"}},
        }
    return resources


def _vpc_origin(policy="http-only", depends_on=("Attach",)):
    return {
        "Type": "AWS::CloudFront::VpcOrigin",
        "DependsOn": list(depends_on),
        "Properties": {
            "VpcOriginEndpointConfig": {
                "Name": "app",
                "Arn": {"Ref": "Lb"},
                "HTTPPort": 80,
                "HTTPSPort": 443,
                "OriginProtocolPolicy": policy,
            }
        },
    }


def _distribution():
    return {
        "Type": "AWS::CloudFront::Distribution",
        "Properties": {
            "DistributionConfig": {
                "Enabled": True,
                "Origins": [
                    {
                        "Id": "app",
                        "DomainName": {"Fn::GetAtt": ["Lb", "DNSName"]},
                        "VpcOriginConfig": {"VpcOriginId": {"Fn::GetAtt": ["Origin", "Id"]}},
                    }
                ],
                "DefaultCacheBehavior": {
                    "TargetOriginId": "app",
                    "ViewerProtocolPolicy": "redirect-to-https",
                    "CachePolicyId": CACHING_DISABLED,
                },
            }
        },
    }


def _managed_groups(aws, vpc_id):
    return aws("ec2").describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": [MANAGED_SG]}]
    )["SecurityGroups"]


def test_create_answers_ref_and_getatt_and_adds_the_managed_security_group(deploy, aws):
    stack = deploy(
        {**_network(), "Origin": _vpc_origin()},
        {"Id": {"Fn::GetAtt": ["Origin", "Id"]}, "Arn": {"Fn::GetAtt": ["Origin", "Arn"]}, "Ref": {"Ref": "Origin"}},
    )
    origin_id = stack.outputs["Ref"]
    assert origin_id.startswith("vo_") and stack.outputs["Id"] == origin_id
    assert stack.outputs["Arn"] == f"arn:aws:cloudfront::{ACCOUNT}:vpcorigin/{origin_id}"
    assert len(_managed_groups(aws, stack.resources["Vpc"])) == 1
    aws("cloudformation").delete_stack(StackName=stack.name)
    # Deleted with the origin: the stack's VPC is gone too, which the group would have blocked.
    assert not _managed_groups(aws, stack.resources["Vpc"])
    assert not aws("ec2").describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [stack.resources["Vpc"]]}])["Vpcs"]


def test_an_update_while_a_distribution_uses_it_fails_with_cloudfronts_409(deploy, aws):
    stack = deploy({**_network(), "Origin": _vpc_origin(), "Cdn": _distribution()}, {"Id": {"Ref": "Origin"}})
    served = aws("cloudfront").get_distribution_config(Id=stack.resources["Cdn"])["DistributionConfig"]
    assert served["Origins"]["Items"][0]["VpcOriginConfig"]["VpcOriginId"] == stack.outputs["Id"]
    updated = deploy(
        {**_network(), "Origin": _vpc_origin(policy="match-viewer"), "Cdn": _distribution()},
        update_of=stack,
        expect_ok=False,
    )
    assert updated.status == "UPDATE_ROLLBACK_COMPLETE", updated.failures()
    reasons = " ".join(updated.failures())
    assert IN_USE in reasons and "409" in reasons, reasons
    # Without a distribution using it, the same change goes through.
    detached = deploy({**_network(), "Origin": _vpc_origin()}, update_of=stack)
    assert deploy({**_network(), "Origin": _vpc_origin(policy="match-viewer")}, update_of=detached).status == (
        "UPDATE_COMPLETE"
    )
    aws("cloudformation").delete_stack(StackName=stack.name)


def test_the_managed_security_group_blocks_deleting_the_vpc_until_the_origin_is_gone(deploy, aws):
    ec2, elbv2 = aws("ec2"), aws("elbv2")
    vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=az)["Subnet"]["SubnetId"]
        for cidr, az in (("10.7.0.0/24", "us-east-1a"), ("10.7.1.0/24", "us-east-1b"))
    ]
    lb = elbv2.create_load_balancer(Name="vpc-origin-target", Subnets=subnets, Scheme="internal")["LoadBalancers"][0]
    origin = _vpc_origin(depends_on=())
    origin["Properties"]["VpcOriginEndpointConfig"]["Arn"] = lb["LoadBalancerArn"]
    stack = deploy({"Origin": origin})
    # Everything of the VPC but the VPC origin's group is gone, the way a stack destroy leaves it.
    elbv2.delete_load_balancer(LoadBalancerArn=lb["LoadBalancerArn"])
    for subnet in subnets:
        ec2.delete_subnet(SubnetId=subnet)
    ec2.detach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
    ec2.delete_internet_gateway(InternetGatewayId=gateway)
    with pytest.raises(ClientError) as refused:
        ec2.delete_vpc(VpcId=vpc)
    assert refused.value.response["Error"]["Code"] == "DependencyViolation"
    assert _managed_groups(aws, vpc)[0]["GroupId"] in str(refused.value)
    aws("cloudformation").delete_stack(StackName=stack.name)
    assert not _managed_groups(aws, vpc)
    ec2.delete_vpc(VpcId=vpc)


def test_a_vpc_without_an_internet_gateway_is_refused(deploy):
    stack = deploy({**_network(internet_gateway=False), "Origin": _vpc_origin(depends_on=())}, expect_ok=False)
    assert stack.status == "ROLLBACK_COMPLETE"
    assert "has no internet gateway attached" in " ".join(stack.failures()), stack.failures()


def test_a_distribution_naming_a_missing_vpc_origin_is_refused(deploy):
    dist = _distribution()
    dist["Properties"]["DistributionConfig"]["Origins"][0]["VpcOriginConfig"]["VpcOriginId"] = "vo_missing"
    stack = deploy({**_network(), "Cdn": dist}, expect_ok=False)
    assert "EntityNotFound" in " ".join(stack.failures()), stack.failures()


# ---------------------------------------------------------------- data plane


def _private_web_tier():
    """test_dataplane_alb's web tier with an internal ALB and the distribution's origin through a VPC origin."""
    resources = web_tier(ingress=CLOUDFRONT_ONLY)
    resources["Lb"]["Properties"]["Scheme"] = "internal"
    resources["Igw"] = {"Type": "AWS::EC2::InternetGateway"}
    resources["Attach"] = {
        "Type": "AWS::EC2::VPCGatewayAttachment",
        "Properties": {"VpcId": {"Ref": "Vpc"}, "InternetGatewayId": {"Ref": "Igw"}},
    }
    resources["Origin"] = _vpc_origin()
    origin = resources["Cdn"]["Properties"]["DistributionConfig"]["Origins"][0]
    del origin["CustomOriginConfig"]
    origin["VpcOriginConfig"] = {"VpcOriginId": {"Fn::GetAtt": ["Origin", "Id"]}}
    return resources


@pytest.fixture
def plane(emulator):
    started = DataPlane(ACCOUNT, app_command=APP_COMMAND, time_scale=0.05, reconcile_seconds=0.1).start()
    yield started
    started.stop()


def test_the_edge_reaches_an_internal_alb_through_the_vpc_origin_and_nothing_else_does(deploy, aws, plane):
    stack = deploy(_private_web_tier())
    try:
        plane.reconcile()
        (target,) = _healthy(plane, stack)
        status, _, body = _open(_edge_url(plane, stack) + "api/echo")
        assert status == 200, body
        seen = json.loads(body)
        assert seen["instance"] == target["instance_id"]
        assert {k.lower(): v for k, v in seen["headers"].items()}["x-origin-verify"] == SECRET
        # A direct client (anything on the internet) has no route to an internal ALB, secret or not.
        listener = _listener_url(plane, aws, stack)
        with pytest.raises((urllib.error.URLError, ConnectionError, http.client.HTTPException)):
            urllib.request.urlopen(
                urllib.request.Request(listener + "api/echo", headers={"X-Origin-Verify": SECRET}), timeout=5
            )
    finally:
        aws("cloudformation").delete_stack(StackName=stack.name)


def test_cloudfront_cannot_reach_an_internal_alb_as_a_public_custom_origin(deploy, aws, plane):
    resources = web_tier(ingress=CLOUDFRONT_ONLY)
    resources["Lb"]["Properties"]["Scheme"] = "internal"
    stack = deploy(resources)
    try:
        plane.reconcile()
        _healthy(plane, stack)
        status, _, body = _open(_edge_url(plane, stack) + "api/echo")
        assert status == 502, body
    finally:
        aws("cloudformation").delete_stack(StackName=stack.name)
