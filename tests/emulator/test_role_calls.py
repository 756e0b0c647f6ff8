"""ELB and CloudFront calls signed by an assumed role are authorized as that role
(webstack_emulator/role_calls.py): the role's identity policy decides, per
resource; the deployer's own calls are not restricted; an action whose resource
the emulator does not model is refused loudly; UpdateDistribution refuses a stale
ETag and puts the distribution back to InProgress."""

from __future__ import annotations

import itertools
import json
import urllib.request
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.emulator.conftest import client_as

REGION = "us-east-1"
_names = itertools.count()


def _distribution(aws) -> str:
    config = {
        "CallerReference": f"role-calls-{next(_names)}",
        "Comment": "role calls test",
        "Enabled": True,
        "Origins": {
            "Quantity": 1,
            "Items": [
                {
                    "Id": "alb",
                    "DomainName": "alb.example.com",
                    "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"},
                    "CustomHeaders": {"Quantity": 1, "Items": [{"HeaderName": "X-Origin-Verify", "HeaderValue": "a"}]},
                }
            ],
        },
        "DefaultCacheBehavior": {"TargetOriginId": "alb", "ViewerProtocolPolicy": "allow-all"},
    }
    return aws("cloudfront").create_distribution(DistributionConfig=config)["Distribution"]["Id"]


def _listener(aws) -> str:
    ec2, elbv2 = aws("ec2", REGION), aws("elbv2", REGION)
    vpc = ec2.create_vpc(CidrBlock="10.99.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.99.{i}.0/24", AvailabilityZone=f"{REGION}{zone}")["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate("ab")
    ]
    lb = elbv2.create_load_balancer(Name=f"role-calls-{next(_names)}", Subnets=subnets)["LoadBalancers"][0]
    return elbv2.create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"],
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "403"}}],
    )["Listeners"][0]["ListenerArn"]


def _rule(aws, listener: str, priority: int) -> str:
    return aws("elbv2", REGION).create_rule(
        ListenerArn=listener,
        Priority=priority,
        Conditions=[
            {"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": "X-Origin-Verify", "Values": ["a"]}}
        ],
        Actions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "200"}}],
    )["Rules"][0]["RuleArn"]


@pytest.fixture
def setup(aws, emulator) -> dict[str, Any]:
    """A listener with two rules, two distributions, and a role allowed on the first of each."""
    listener = _listener(aws)
    ours, other_rule = _rule(aws, listener, 10), _rule(aws, listener, 20)
    dist, other_dist = _distribution(aws), _distribution(aws)
    iam = aws("iam")
    name = f"role-calls-{next(_names)}"
    trust = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "elasticloadbalancing:ModifyRule", "Resource": ours},
            {"Effect": "Allow", "Action": "elasticloadbalancing:DescribeRules", "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": ["cloudfront:GetDistributionConfig", "cloudfront:UpdateDistribution"],
                "Resource": f"arn:aws:cloudfront::123456789012:distribution/{dist}",
            },
        ],
    }
    iam.put_role_policy(RoleName=name, PolicyName="steps", PolicyDocument=json.dumps(policy))
    credentials = aws("sts").assume_role(RoleArn=role, RoleSessionName="rotation")["Credentials"]
    return {
        "rule": ours,
        "other_rule": other_rule,
        "distribution": dist,
        "other_distribution": other_dist,
        "elbv2": client_as(emulator, "elbv2", REGION, credentials),
        "cloudfront": client_as(emulator, "cloudfront", REGION, credentials),
    }


def _header(values: list[str]) -> list[dict[str, Any]]:
    return [{"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": "X-Origin-Verify", "Values": values}}]


def _refused(call: Any, **kwargs: Any) -> dict[str, str]:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    return raised.value.response["Error"]


def test_the_role_modifies_its_rule_only(aws, setup):
    elbv2 = setup["elbv2"]
    elbv2.modify_rule(RuleArn=setup["rule"], Conditions=_header(["a", "b"]))
    (rule,) = elbv2.describe_rules(RuleArns=[setup["rule"]])["Rules"]
    assert rule["Conditions"][0]["HttpHeaderConfig"]["Values"] == ["a", "b"]

    error = _refused(elbv2.modify_rule, RuleArn=setup["other_rule"], Conditions=_header(["b"]))
    assert error["Code"] == "AccessDenied"
    assert error["Message"].endswith(
        f"is not authorized to perform: elasticloadbalancing:ModifyRule on resource: {setup['other_rule']} "
        "because no identity-based policy allows the elasticloadbalancing:ModifyRule action"
    )
    # The deployer is not restricted.
    aws("elbv2", REGION).modify_rule(RuleArn=setup["other_rule"], Conditions=_header(["b"]))


def test_an_action_whose_resource_is_not_modelled_is_refused_loudly(setup):
    error = _refused(setup["elbv2"].describe_load_balancers)
    assert (
        "authorizing elasticloadbalancing:DescribeLoadBalancers for an assumed role is not emulated"
        in (error["Message"])
    )


def test_the_role_reads_and_updates_its_distribution_only(setup):
    cloudfront = setup["cloudfront"]
    answer = cloudfront.get_distribution_config(Id=setup["distribution"])
    config = answer["DistributionConfig"]
    config["Origins"]["Items"][0]["CustomHeaders"]["Items"][0]["HeaderValue"] = "b"
    cloudfront.update_distribution(Id=setup["distribution"], IfMatch=answer["ETag"], DistributionConfig=config)
    headers = cloudfront.get_distribution_config(Id=setup["distribution"])["DistributionConfig"]["Origins"]
    assert headers["Items"][0]["CustomHeaders"]["Items"][0]["HeaderValue"] == "b"

    error = _refused(cloudfront.get_distribution_config, Id=setup["other_distribution"])
    assert error["Code"] == "AccessDenied"
    assert (
        "cloudfront:GetDistributionConfig on resource: arn:aws:cloudfront::123456789012:distribution/"
        in (error["Message"])
    )
    # GetDistribution is not in this role's policy.
    assert _refused(cloudfront.get_distribution, Id=setup["distribution"])["Code"] == "AccessDenied"


def test_a_stale_etag_is_refused_and_an_update_goes_back_to_in_progress(aws, emulator):
    cloudfront = aws("cloudfront")
    dist = _distribution(aws)
    answer = cloudfront.get_distribution_config(Id=dist)
    model = {"model_name": "cloudfront::distribution"}

    def transition(path: str, body: dict[str, Any]) -> None:
        request = urllib.request.Request(
            f"{emulator.endpoint}/moto-api/state-manager/{path}", data=json.dumps(body).encode(), method="POST"
        )
        urllib.request.urlopen(request, timeout=10).close()

    transition("set-transition", {**model, "transition": {"progression": "manual", "times": 10**6}})
    try:
        updated = cloudfront.update_distribution(
            Id=dist, IfMatch=answer["ETag"], DistributionConfig=answer["DistributionConfig"]
        )
        assert updated["ETag"] != answer["ETag"]
        assert cloudfront.get_distribution(Id=dist)["Distribution"]["Status"] == "InProgress"
    finally:
        transition("unset-transition", model)
    assert cloudfront.get_distribution(Id=dist)["Distribution"]["Status"] == "Deployed"

    with pytest.raises(ClientError) as raised:
        cloudfront.update_distribution(Id=dist, IfMatch=answer["ETag"], DistributionConfig=answer["DistributionConfig"])
    response = raised.value.response
    assert (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]) == ("PreconditionFailed", 412)
