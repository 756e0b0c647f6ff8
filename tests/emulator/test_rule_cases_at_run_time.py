"""The D2, D17-D20 rule cases (tests/rules/), deployed: what the rule flags
fails in the emulator the way AWS fails it, what it passes works.

Each case's CDK stack is synthesized and its resources deployed. D2 is then
read through CloudFront's origin access (origin_access.fetch), D20 fails the
rotation schedule (and RotateSecret, test_rotation_invocation.py); D17, D18
and D19 fail at create time (providers/service_rules: KMS lockout, Logs key,
ELB access-log bucket)."""

from __future__ import annotations

import json
import re
import uuid
from functools import cache
from typing import Any

import aws_cdk as cdk

from tests.rules import test_cloudfront, test_kms, test_logs, test_s3, test_secretsmanager
from tests.rules.conftest import ACCOUNT
from webstack_emulator import origin_access

REGION = "eu-west-1"
BOOKS = {
    "D2": test_cloudfront.book,
    "D17": test_kms.book,
    "D18": test_logs.book,
    "D19": test_s3.book,
    "D20": test_secretsmanager.book,
}


@cache
def _template(case: str) -> str:
    book = BOOKS[re.match(r"D\d+", case).group(0)]
    app = cdk.App(context={"aws:cdk:bundling-stacks": []})
    stack = cdk.Stack(app, case, env=cdk.Environment(account=ACCOUNT, region=REGION))
    book.cases[case].build(stack)
    template = app.synth().get_stack_by_name(case).template
    resources = {lid: r for lid, r in template["Resources"].items() if r["Type"] != "AWS::CDK::Metadata"}
    return json.dumps({"Resources": resources})


def _create(aws, case: str) -> tuple[str, str, list[str]]:
    """CreateStack: (stack name, status, failure reasons). DescribeStackResources
    is not used: moto's AWS::Lambda::Permission has no physical id."""
    cfn = aws("cloudformation", REGION)
    name = f"{case}-{uuid.uuid4().hex[:8]}"
    cfn.create_stack(StackName=name, TemplateBody=_template(case), Capabilities=["CAPABILITY_IAM"])
    status = cfn.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]
    events = cfn.describe_stack_events(StackName=name)["StackEvents"]
    failures = [
        f"{e['LogicalResourceId']}: {e.get('ResourceStatusReason')}"
        for e in events
        if e["ResourceStatus"].endswith("FAILED")
    ]
    return name, status, failures


def _refused(aws, case: str, code: str, text: str) -> None:
    _, status, failures = _create(aws, case)
    assert status == "ROLLBACK_COMPLETE", failures
    assert any(code in f and text in f for f in failures), failures


def _physical(aws, name: str, resource_type: str, logical_prefix: str = "") -> str:
    resources = aws("cloudformation", REGION).list_stack_resources(StackName=name)["StackResourceSummaries"]
    return next(
        r["PhysicalResourceId"]
        for r in resources
        if r["ResourceType"] == resource_type and r["LogicalResourceId"].startswith(logical_prefix)
    )


# -- D2 OacBucketPolicyScopedToDistribution -----------------------------------------


def _read_through(aws, case: str, distribution_prefix: str) -> Any:
    name, status, failures = _create(aws, case)
    assert status == "CREATE_COMPLETE", failures
    bucket = _physical(aws, name, "AWS::S3::Bucket")
    aws("s3", REGION).put_object(Bucket=bucket, Key="index.html", Body=b"ok")
    distribution = _physical(aws, name, "AWS::CloudFront::Distribution", distribution_prefix)
    return origin_access.fetch(ACCOUNT, distribution, "index.html")


def test_d2_compliant_bucket_grant_lets_the_distribution_read(aws):
    assert _read_through(aws, "D2ScopeGood", "Cdn").status == 200


def test_d2_grant_scoped_to_another_distribution_is_access_denied(aws):
    got = _read_through(aws, "D2ScopeBadOther", "Cdn")
    assert (got.status, got.code, got.refused_by) == (403, "AccessDenied", "bucket-policy")


def test_d2_policy_without_a_cloudfront_grant_is_access_denied(aws):
    got = _read_through(aws, "D2ScopeBadNoGrant", "Cdn")
    assert (got.status, got.code) == (403, "AccessDenied")


# -- D17 KeyPolicyKeepsAccountRoot ----------------------------------------------------


def test_d17_compliant_key_is_created(aws):
    assert _create(aws, "D17Good")[1] == "CREATE_COMPLETE"


def test_d17_key_policy_without_account_root_is_refused_by_kms(aws):
    _refused(aws, "D17Bad", "MalformedPolicyDocumentException", "will not allow you to update the key policy")
    _refused(aws, "D17BadRootUseOnly", "MalformedPolicyDocumentException", "will not allow you to update")


# -- D18 LogGroupKeyAdmitsCloudWatchLogs ------------------------------------------------


def test_d18_compliant_log_group_is_created(aws):
    assert _create(aws, "D18Good")[1] == "CREATE_COMPLETE"


def test_d18_key_that_does_not_admit_logs_fails_create_log_group(aws):
    for case in ("D18Bad", "D18BadOtherRegion"):
        _refused(aws, case, "AccessDeniedException", "is not allowed to be used with Arn")


# -- D19 AlbLogBucketAllowsElbDelivery ---------------------------------------------------


def test_d19_compliant_access_logs_are_enabled(aws):
    name, status, failures = _create(aws, "D19Good")
    assert status == "CREATE_COMPLETE", failures
    arn = _physical(aws, name, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    attrs = aws("elbv2", REGION).describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]
    assert {"Key": "access_logs.s3.enabled", "Value": "true"} in attrs


def test_d19_bucket_without_elb_grant_fails_the_load_balancer(aws):
    _refused(aws, "D19Bad", "InvalidConfigurationRequest", "Access Denied for bucket")


# -- D20 RotationFunctionInvokableBySecretsManager ---------------------------------------


def test_d20_compliant_rotation_schedule_is_created(aws):
    assert _create(aws, "D20Good")[1] == "CREATE_COMPLETE"


def test_d20_schedule_without_lambda_permission_is_access_denied(aws):
    _refused(aws, "D20Bad", "AccessDeniedException", "Secrets Manager cannot invoke the specified Lambda function")
