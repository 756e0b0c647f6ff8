"""ALB, origin protection and the Auto Scaling group."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.synth import config_of

from .conftest import CONFIG, ENV_NAME
from .helpers import distribution_config, key_arn, lb_label, load_balancer

ORIGIN_HEADER = "X-Origin-Verify"
CLOUDFRONT_PREFIX_LIST_NAME = "com.amazonaws.global.cloudfront.origin-facing"


@pytest.fixture(scope="module")
def lb(aws, outputs) -> dict:
    return load_balancer(aws, outputs["LoadBalancerDNS"])


@pytest.fixture(scope="module")
def listeners(aws, lb) -> dict[int, dict]:
    found = aws("elbv2").describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
    return {listener["Port"]: listener for listener in found}


@pytest.fixture(scope="module")
def target_group(aws, lb) -> dict:
    groups = aws("elbv2").describe_target_groups(LoadBalancerArn=lb["LoadBalancerArn"])["TargetGroups"]
    assert len(groups) == 1, [g["TargetGroupArn"] for g in groups]
    return groups[0]


@pytest.fixture(scope="module")
def serving_listener(listeners, outputs) -> dict:
    """The listener CloudFront talks to: HTTPS with a custom domain, else HTTP."""
    return listeners[443 if "SiteCertificateArn" in outputs else 80]


@pytest.fixture(scope="module")
def group(aws, outputs) -> dict:
    groups = aws("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[outputs["AutoScalingGroupName"]])
    assert len(groups["AutoScalingGroups"]) == 1
    return groups["AutoScalingGroups"][0]


def _expected_prefix_list() -> str:
    overrides = json.loads(Path(CONFIG).read_text()) if CONFIG else None
    return config_of(ENV_NAME, overrides).cloudfront_prefix_list_id


# ---------------------------------------------------------------- load balancer
def _private_origin() -> bool:
    overrides = json.loads(Path(CONFIG).read_text()) if CONFIG else None
    return config_of(ENV_NAME, overrides).origin.private


def test_load_balancer_found_by_dns(lb, outputs):
    assert lb["Type"] == "application"
    # origin.private: an internal ALB behind a CloudFront VPC origin; else internet-facing.
    assert lb["Scheme"] == ("internal" if _private_origin() else "internet-facing")
    assert lb["VpcId"] == outputs["VpcId"]


def test_load_balancer_attributes(aws, lb, outputs):
    attributes = {
        a["Key"]: a["Value"]
        for a in aws("elbv2").describe_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"])["Attributes"]
    }
    assert attributes.get("routing.http.drop_invalid_header_fields.enabled") == "true"
    assert attributes.get("access_logs.s3.enabled") == "true"
    assert attributes.get("access_logs.s3.bucket") == outputs["AlbLogBucketName"]


def test_listeners(listeners, outputs):
    if "SiteCertificateArn" in outputs:
        assert set(listeners) == {80, 443}
        assert listeners[443]["Protocol"] == "HTTPS"
        redirect = listeners[80]["DefaultActions"][0]
        assert redirect["Type"] == "redirect"
        assert redirect["RedirectConfig"]["Protocol"] == "HTTPS"
    else:
        assert set(listeners) == {80}
        assert listeners[80]["Protocol"] == "HTTP"


def test_target_group_health_check(target_group):
    assert target_group["HealthCheckEnabled"] is True
    assert target_group["HealthCheckPath"] == "/api/health"  # the origin application's (app/)
    assert target_group["TargetType"] == "instance"


# ------------------------------------------------------------- origin protection
def test_security_groups_admit_only_cloudfront_prefix_list(aws, lb):
    groups = aws("ec2").describe_security_groups(GroupIds=lb["SecurityGroups"])["SecurityGroups"]
    assert groups
    expected = _expected_prefix_list()
    for sg in groups:
        assert sg["IpPermissions"], f"{sg['GroupId']} admits nothing"
        for rule in sg["IpPermissions"]:
            assert not rule.get("IpRanges") and not rule.get("Ipv6Ranges"), f"{sg['GroupId']} admits CIDRs: {rule}"
            assert not rule.get("UserIdGroupPairs"), f"{sg['GroupId']} admits security groups: {rule}"
            assert [p["PrefixListId"] for p in rule.get("PrefixListIds", [])] == [expected], rule


def test_prefix_list_is_cloudfronts_origin_facing_list(aws):
    expected = _expected_prefix_list()
    lists = aws("ec2").describe_managed_prefix_lists(PrefixListIds=[expected])["PrefixLists"]
    assert [p["PrefixListName"] for p in lists] == [CLOUDFRONT_PREFIX_LIST_NAME], (
        f"{expected} is not {CLOUDFRONT_PREFIX_LIST_NAME} in this region: {lists}"
    )


def test_listener_default_is_403(serving_listener):
    default = serving_listener["DefaultActions"]
    assert len(default) == 1
    assert default[0]["Type"] == "fixed-response"
    assert default[0]["FixedResponseConfig"]["StatusCode"] == "403"


def _origin_rule(aws, listener) -> dict:
    rules = aws("elbv2").describe_rules(ListenerArn=listener["ListenerArn"])["Rules"]
    matching = [
        r
        for r in rules
        if not r["IsDefault"]
        and any(
            c.get("Field") == "http-header" and c["HttpHeaderConfig"]["HttpHeaderName"] == ORIGIN_HEADER
            for c in r["Conditions"]
        )
    ]
    assert len(matching) == 1, rules
    return matching[0]


def test_rule_forwards_only_with_origin_verify_header(aws, serving_listener, target_group):
    rule = _origin_rule(aws, serving_listener)
    assert [a["Type"] for a in rule["Actions"]] == ["forward"]
    action = rule["Actions"][0]
    forwards_to = action.get("TargetGroupArn") or next(
        t["TargetGroupArn"] for t in action["ForwardConfig"]["TargetGroups"]
    )
    assert forwards_to == target_group["TargetGroupArn"]
    header = next(c for c in rule["Conditions"] if c.get("Field") == "http-header")
    assert len(header["HttpHeaderConfig"]["Values"]) == 1
    assert len(header["HttpHeaderConfig"]["Values"][0]) >= 32, "origin-verify value is too short to be a secret"


def test_origin_verify_value_shared_by_secret_cloudfront_and_listener(aws, outputs, serving_listener, web_resources):
    """The value CloudFront sends is the value the ALB demands is the value in
    Secrets Manager (rotating the secret must be able to reach both)."""
    rule = _origin_rule(aws, serving_listener)
    listener_value = next(c for c in rule["Conditions"] if c.get("Field") == "http-header")["HttpHeaderConfig"][
        "Values"
    ][0]
    config = distribution_config(aws, outputs["CloudFrontDistributionId"])["DistributionConfig"]
    sent = {
        h["HeaderValue"]
        for o in config["Origins"]["Items"]
        for h in o.get("CustomHeaders", {}).get("Items", [])
        if h["HeaderName"] == ORIGIN_HEADER
    }
    assert sent == {listener_value}
    sm = aws("secretsmanager")
    secrets = [r["PhysicalResourceId"] for r in web_resources if r["ResourceType"] == "AWS::SecretsManager::Secret"]
    values = [sm.get_secret_value(SecretId=arn).get("SecretString", "") for arn in secrets]
    assert any(v == listener_value or listener_value in v for v in values), "no secret holds the origin-verify value"


# ------------------------------------------------------------ auto scaling group
def test_group_in_private_subnets_of_the_vpc(aws, group, outputs):
    subnet_ids = group["VPCZoneIdentifier"].split(",")
    assert len(subnet_ids) >= 2
    subnets = aws("ec2").describe_subnets(SubnetIds=subnet_ids)["Subnets"]
    assert {s["VpcId"] for s in subnets} == {outputs["VpcId"]}
    assert not any(s["MapPublicIpOnLaunch"] for s in subnets), "instances would get public IPs"


def _route_table(aws, vpc_id: str, subnet_id: str) -> dict:
    tables = aws("ec2").describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["RouteTables"]
    for table in tables:
        if any(a.get("SubnetId") == subnet_id for a in table.get("Associations", [])):
            return table
    # An unassociated subnet uses the VPC's main route table.
    return next(t for t in tables if any(a.get("Main") for a in t.get("Associations", [])))


def test_group_subnets_route_to_internet_through_nat(aws, group, outputs):
    for subnet_id in group["VPCZoneIdentifier"].split(","):
        table = _route_table(aws, outputs["VpcId"], subnet_id)
        default = [r for r in table["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
        assert default, f"{subnet_id} (route table {table['RouteTableId']}) has no default route"
        assert default[0].get("NatGatewayId"), f"{subnet_id} reaches the internet via {default[0]}, not a NAT gateway"
        assert not default[0].get("GatewayId", "").startswith("igw-")


def _launch_template_data(aws, group) -> dict:
    spec = group.get("LaunchTemplate") or group["MixedInstancesPolicy"]["LaunchTemplate"]["LaunchTemplateSpecification"]
    version = spec.get("Version", "$Default")
    ec2 = aws("ec2")
    versions = ec2.describe_launch_template_versions(LaunchTemplateId=spec["LaunchTemplateId"], Versions=[version])
    return versions["LaunchTemplateVersions"][0]["LaunchTemplateData"]


def test_launch_template_requires_imdsv2(aws, group):
    data = _launch_template_data(aws, group)
    assert data["MetadataOptions"]["HttpTokens"] == "required"
    assert "KeyName" not in data, "instances are reached through SSM, not SSH key pairs"


def test_launch_template_ebs_encrypted_with_data_key(aws, group, outputs):
    data = _launch_template_data(aws, group)
    volumes = [m["Ebs"] for m in data.get("BlockDeviceMappings", []) if "Ebs" in m]
    assert volumes, "no EBS block device mapping"
    for ebs in volumes:
        assert ebs.get("Encrypted") is True
        assert key_arn(aws, ebs["KmsKeyId"]) == outputs["DataKeyArn"]


def test_in_service_instances_run_as_the_launch_template_says(aws, group, outputs, web_resources):
    """What each running instance *is*, not what the template asks for: IMDSv2
    required, the stack's instance profile, no key pair, and exactly one EBS
    volume, encrypted with the stack's data key (D1)."""
    in_service = [i["InstanceId"] for i in group["Instances"] if i["LifecycleState"] == "InService"]
    assert in_service, f"no instance of {group['AutoScalingGroupName']} is in service"
    profiles = [r["PhysicalResourceId"] for r in web_resources if r["ResourceType"] == "AWS::IAM::InstanceProfile"]
    assert len(profiles) == 1, profiles
    profile_arn = aws("iam").get_instance_profile(InstanceProfileName=profiles[0])["InstanceProfile"]["Arn"]
    stack_keys = {key_arn(aws, r["PhysicalResourceId"]) for r in web_resources if r["ResourceType"] == "AWS::KMS::Key"}
    assert outputs["DataKeyArn"] in stack_keys, "the DataKeyArn output is not a key of the web stack"
    ec2 = aws("ec2")
    instances = [i for r in ec2.describe_instances(InstanceIds=in_service)["Reservations"] for i in r["Instances"]]
    assert sorted(i["InstanceId"] for i in instances) == sorted(in_service)
    for instance in instances:
        name = instance["InstanceId"]
        assert instance["MetadataOptions"]["HttpTokens"] == "required", f"{name} accepts IMDSv1"
        assert instance.get("IamInstanceProfile", {}).get("Arn") == profile_arn, name
        assert "KeyName" not in instance, f"{name} has an SSH key pair"
        volumes = [m["Ebs"]["VolumeId"] for m in instance.get("BlockDeviceMappings", []) if "Ebs" in m]
        assert len(volumes) == 1, f"{name} has volumes {volumes}, expected exactly one"
        (volume,) = ec2.describe_volumes(VolumeIds=volumes)["Volumes"]
        assert volume["Encrypted"] is True, f"{volumes[0]} of {name} is not encrypted"
        assert key_arn(aws, volume["KmsKeyId"]) == outputs["DataKeyArn"], f"{volumes[0]} of {name}"


def test_group_serves_the_target_group(group, target_group):
    assert group["TargetGroupARNs"] == [target_group["TargetGroupArn"]]
    assert group["HealthCheckType"] == "ELB"


def test_target_tracking_on_cpu_and_requests(aws, group, lb, target_group):
    policies = aws("autoscaling").describe_policies(AutoScalingGroupName=group["AutoScalingGroupName"])[
        "ScalingPolicies"
    ]
    tracking = {
        p["TargetTrackingConfiguration"]["PredefinedMetricSpecification"]["PredefinedMetricType"]: p
        for p in policies
        if p["PolicyType"] == "TargetTrackingScaling"
        and "PredefinedMetricSpecification" in p["TargetTrackingConfiguration"]
    }
    assert {"ASGAverageCPUUtilization", "ALBRequestCountPerTarget"} <= set(tracking), list(tracking)
    label = tracking["ALBRequestCountPerTarget"]["TargetTrackingConfiguration"]["PredefinedMetricSpecification"][
        "ResourceLabel"
    ]
    tg_label = "targetgroup/" + target_group["TargetGroupArn"].split(":targetgroup/", 1)[1]
    assert label == f"{lb_label(lb)}/{tg_label}"
