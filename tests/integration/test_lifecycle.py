"""Lifecycle: every environment deploys, an update changes what it should,
dev goes away completely and prod leaves its data behind.

Runs in an emulator of its own (own port, own state dir, own outputs
directory), so the session's emulator -- and ``make up``'s -- is not
disturbed. Synths start in the background when the module starts (each
takes ~10 s of CPU and they do not depend on each other); the tests then
deploy in order: staging, prod, dev + update, dev destroy, prod destroy.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import ClientError

from tests.synth import config_of
from webstack.config import load_config
from webstack_emulator import start, stop
from webstack_emulator.server import free_port
from webstack_tools.deploy import (
    USABLE_STACK_STATES,
    emulator_target,
)

from .conftest import TARGET
from .helpers import distribution_config, load_balancer, region_of
from .lab import Lab, synth_env

pytestmark = pytest.mark.skipif(
    TARGET == "aws",
    reason="lifecycle tests create and destroy whole environments; they run only against the local emulator "
    "(WEBSTACK_TARGET=aws is read-only)",
)

BUCKETS = ["S3BucketName", "AccessLogBucketName", "AlbLogBucketName", "CdnLogBucketName"]
UPDATE = {"capacity": {"max": 3}}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    # Real time: no deploy here changes the launch template, so none may run an instance
    # refresh (dev's 60 s bake time and the instances' warm-up would miss DEADLINE).
    work = tmp_path_factory.mktemp("lifecycle")
    state = work / "emulator"
    pool = ThreadPoolExecutor(max_workers=2)
    info = start(state, port=free_port())
    try:
        lab = Lab(target=emulator_target(info.endpoint), work=work)
        for key, env_name, overrides in [
            ("staging", "staging", None),
            ("prod", "prod", None),
            ("dev", "dev", None),
            ("dev-update", "dev", UPDATE),
        ]:
            lab.synths[key] = pool.submit(synth_env, work, env_name, overrides, key)
        yield lab
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        stop(state)


def _deployed(lab: Lab, env_name: str) -> dict[str, str]:
    if env_name not in lab.deployed:
        lab.deployed[env_name] = lab.deploy(env_name)
        lab.current[env_name] = env_name
    return lab.deployed[env_name]


@pytest.fixture(scope="module")
def staging(lab: Lab) -> dict[str, str]:
    return _deployed(lab, "staging")


@pytest.fixture(scope="module")
def prod(lab: Lab) -> dict[str, str]:
    return _deployed(lab, "prod")


@pytest.fixture(scope="module")
def dev(lab: Lab) -> dict[str, str]:
    return _deployed(lab, "dev")


def _asg(lab: Lab, outputs: dict[str, str]) -> dict:
    groups = lab.client("autoscaling", region_of(outputs["DataKeyArn"])).describe_auto_scaling_groups(
        AutoScalingGroupNames=[outputs["AutoScalingGroupName"]]
    )["AutoScalingGroups"]
    assert len(groups) == 1
    return groups[0]


def _assert_environment_up(lab: Lab, env_name: str, outputs: dict[str, str], roles: set[str]) -> None:
    stacks = lab.stacks(env_name)
    assert {name.removeprefix(f"webstack-{env_name}-") for name in stacks} == roles
    assert all(s["status"] in USABLE_STACK_STATES for s in stacks.values()), {n: s["status"] for n, s in stacks.items()}
    capacity = config_of(env_name).capacity
    group = _asg(lab, outputs)
    assert (group["MinSize"], group["DesiredCapacity"], group["MaxSize"]) == (
        capacity.min,
        capacity.desired,
        capacity.max,
    )
    lab.client("s3").head_bucket(Bucket=outputs["S3BucketName"])


def test_staging_deploys(lab, staging):
    _assert_environment_up(lab, "staging", staging, {"web", "edge-monitoring"})


def test_prod_deploys_with_edge_stack_and_protection(lab, prod):
    _assert_environment_up(lab, "prod", prod, {"web", "edge-monitoring", "edge"})
    stacks = lab.stacks("prod")
    assert stacks["webstack-prod-edge"]["region"] == "us-east-1"
    # WAF is on in prod: the us-east-1 web ACL is attached to the distribution.
    assert region_of(prod["CloudFrontWebAclArn"]) == "us-east-1"
    dist = distribution_config(lab.client, prod["CloudFrontDistributionId"])
    assert dist["DistributionConfig"]["WebACLId"] == prod["CloudFrontWebAclArn"]
    # deletion_protection: true -> termination protection and ALB deletion protection.
    for name, stack in stacks.items():
        described = lab.client("cloudformation", stack["region"]).describe_stacks(StackName=name)["Stacks"][0]
        assert described.get("EnableTerminationProtection") is True, name
    elbv2 = lab.client("elbv2")
    lb = load_balancer(lab.client, prod["LoadBalancerDNS"])
    attributes = {
        a["Key"]: a["Value"]
        for a in elbv2.describe_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"])["Attributes"]
    }
    assert attributes["deletion_protection.enabled"] == "true"
    # origin.private: an internal ALB that CloudFront reaches through a VPC origin, which leaves
    # CloudFront's managed security group in the VPC (D22).
    assert lb["Scheme"] == "internal"
    (origin,) = [o for o in dist["DistributionConfig"]["Origins"]["Items"] if o.get("VpcOriginConfig")]
    assert origin["DomainName"].lower() == prod["LoadBalancerDNS"].lower()
    assert _vpc_origin_groups(lab, prod["VpcId"]), "no CloudFront-VPCOrigins-Service-SG in prod's VPC"


def _vpc_origin_groups(lab: Lab, vpc_id: str) -> list[dict]:
    return lab.client("ec2").describe_security_groups(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "group-name", "Values": ["CloudFront-VPCOrigins-Service-SG"]},
        ]
    )["SecurityGroups"]


def test_dev_update_changes_max_size_in_place(lab, dev):
    before = _asg(lab, dev)
    assert before["MaxSize"] == load_config("dev").capacity.max
    updated = lab.deploy("dev-update")
    lab.deployed["dev"], lab.current["dev"] = updated, "dev-update"
    stacks = lab.stacks("dev")
    assert stacks["webstack-dev-web"]["status"] == "UPDATE_COMPLETE"
    after = _asg(lab, updated)
    assert after["MaxSize"] == UPDATE["capacity"]["max"]
    # An update of the size is not a replacement: same group, same data.
    assert after["AutoScalingGroupARN"] == before["AutoScalingGroupARN"]
    # Nor an instance refresh: the launch template did not change, so its version and instances stay.
    assert after["LaunchTemplate"]["Version"] == before["LaunchTemplate"]["Version"]
    assert {i["InstanceId"] for i in after["Instances"]} == {i["InstanceId"] for i in before["Instances"]}
    refreshes = lab.client("autoscaling", region_of(after["AutoScalingGroupARN"])).describe_instance_refreshes(
        AutoScalingGroupName=after["AutoScalingGroupName"]
    )
    assert refreshes["InstanceRefreshes"] == []
    kept = [*BUCKETS, "DataKeyArn"]
    assert {k: updated[k] for k in kept} == {k: dev[k] for k in kept}


def _bucket_exists(lab: Lab, bucket: str) -> bool:
    try:
        lab.client("s3").head_bucket(Bucket=bucket)
        return True
    except ClientError as err:
        if err.response["Error"]["Code"] in ("404", "NoSuchBucket"):
            return False
        raise


def test_dev_destroys_completely(lab, dev):
    outputs = lab.deployed["dev"]
    # Auto-delete must empty a bucket that holds objects (and versions).
    lab.client("s3").put_object(Bucket=outputs["S3BucketName"], Key="index.html", Body=b"<h1>dev</h1>")
    others = set(lab.stacks("staging")) | set(lab.stacks("prod"))
    key = lab.current["dev"]
    result = lab.destroy(key)
    assert result.returncode == 0, f"cdk destroy of dev failed:\n{lab.why_destroy_failed(key, result)}"
    assert lab.stacks("dev") == {}, "dev stacks left behind"
    left = [outputs[k] for k in BUCKETS if _bucket_exists(lab, outputs[k])]
    assert not left, f"dev buckets left behind: {left}"
    kms = lab.client("kms")
    for key_output in ("DataKeyArn", "TelemetryKeyArn"):
        state = kms.describe_key(KeyId=outputs[key_output])["KeyMetadata"]["KeyState"]
        assert state == "PendingDeletion", f"dev {key_output} is {state}"
    # Destroying one environment leaves the others alone.
    assert set(lab.stacks("staging")) | set(lab.stacks("prod")) == others


def test_prod_destroy_retains_data(lab, prod):
    lab.client("s3").put_object(Bucket=prod["S3BucketName"], Key="index.html", Body=b"<h1>prod</h1>")
    secrets = [
        r["PhysicalResourceId"]
        for r in lab.client("cloudformation").describe_stack_resources(StackName="webstack-prod-web")["StackResources"]
        if r["ResourceType"] == "AWS::SecretsManager::Secret"
    ]
    assert secrets
    # What an operator must do first: prod is protected against accidental deletion.
    for name, stack in lab.stacks("prod").items():
        lab.client("cloudformation", stack["region"]).update_termination_protection(
            EnableTerminationProtection=False, StackName=name
        )
    lb = load_balancer(lab.client, prod["LoadBalancerDNS"])
    lab.client("elbv2").modify_load_balancer_attributes(
        LoadBalancerArn=lb["LoadBalancerArn"], Attributes=[{"Key": "deletion_protection.enabled", "Value": "false"}]
    )

    result = lab.destroy("prod")
    assert result.returncode == 0, f"cdk destroy of prod failed:\n{lab.why_destroy_failed('prod', result)}"
    assert lab.stacks("prod") == {}, "prod stacks left behind"
    # The VPC origin went before the VPC, and its managed security group with it (D22).
    assert not _vpc_origin_groups(lab, prod["VpcId"])
    assert not lab.client("ec2").describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [prod["VpcId"]]}])["Vpcs"]

    gone = [prod[k] for k in BUCKETS if not _bucket_exists(lab, prod[k])]
    assert not gone, f"retained buckets were deleted: {gone}"
    body = lab.client("s3").get_object(Bucket=prod["S3BucketName"], Key="index.html")["Body"].read()
    assert body == b"<h1>prod</h1>"
    kms = lab.client("kms")
    for key_output in ("DataKeyArn", "TelemetryKeyArn"):
        state = kms.describe_key(KeyId=prod[key_output])["KeyMetadata"]["KeyState"]
        assert state == "Enabled", f"retained prod {key_output} is {state}"
    sm = lab.client("secretsmanager")
    for arn in secrets:
        described = sm.describe_secret(SecretId=arn)
        assert "DeletedDate" not in described, f"{described['Name']} is scheduled for deletion"
