"""The dev environment's instance role, deployed, judged by the emulator's policy engine.

The emulator authorizes calls signed by an assumed role for Secrets Manager
only (webstack_emulator/rotation.py, ``authorize``); CloudWatch Logs,
CloudWatch and SSM answer any caller, so a session of the instance role
calling ``PutRetentionPolicy`` would not be refused there. What is evaluated
instead is the role as CloudFormation deployed it: the dev web stack's
instance role with everything its policy names (log groups, key, bucket,
secrets) and every other log group of the stack is deployed to the emulator,
the role's policies are read back from
the emulator's IAM (``policy.identities.role_policies``, as ``authorize``
reads them) and requests are evaluated with the engine ``authorize`` uses
(``evaluate_resource_access``; ``evaluate_key_access`` with the deployed key
policy for KMS).
"""

from __future__ import annotations

import json
import uuid
from functools import cache
from typing import Any

import pytest

from tests.synth import cached_synth
from webstack_emulator.policy import Decision, Principal, Request, evaluate_key_access, evaluate_resource_access
from webstack_emulator.policy.identities import role_policies
from webstack_pitfalls.template import all_refs

ACCOUNT = "123456789012"
REGION = "us-west-2"  # the dev environment's region (its templates name it literally)
NAMESPACE = "webstack/dev"


def _closure(resources: dict[str, Any], *start: str) -> dict[str, Any]:
    """``start`` and every resource it references, transitively (DependsOn included)."""
    found: dict[str, Any] = {}
    todo = list(start)
    while todo:
        lid = todo.pop()
        if lid in found or lid not in resources:
            continue
        found[lid] = resources[lid]
        todo += list(all_refs(resources[lid].get("Properties") or {}))
        depends = resources[lid].get("DependsOn") or []
        todo += [depends] if isinstance(depends, str) else list(depends)
    return found


def _logical_id(resources: dict[str, Any], prefix: str, kind: str) -> str:
    (lid,) = [k for k, v in resources.items() if k.startswith(prefix) and v["Type"] == kind]
    return lid


@cache
def _template() -> str:
    resources = cached_synth("dev").web.to_json()["Resources"]
    policy = _logical_id(resources, "WebTierInstanceRoleDefaultPolicy", "AWS::IAM::Policy")
    # Every log group of the stack, whether the role's policy names it or not.
    groups = [k for k, v in resources.items() if v["Type"] == "AWS::Logs::LogGroup"]
    deployed = _closure(resources, policy, *groups)
    outputs = {
        "Role": {"Fn::GetAtt": [_logical_id(resources, "WebTierInstanceRole", "AWS::IAM::Role"), "Arn"]},
        "DataKey": {"Fn::GetAtt": [_logical_id(resources, "KeysDataKey", "AWS::KMS::Key"), "Arn"]},
        "ContentBucket": {"Ref": _logical_id(resources, "StorageContent", "AWS::S3::Bucket")},
    }
    for prefix in ("WebTierServerAccessLogs", "WebTierServerErrorLogs", "NetworkFlowLogs", "SecretsRotationLogs"):
        outputs[prefix] = {"Ref": _logical_id(resources, prefix, "AWS::Logs::LogGroup")}
    return json.dumps({"Resources": deployed, "Outputs": {k: {"Value": v} for k, v in outputs.items()}})


@pytest.fixture(scope="module")
def deployed(aws) -> dict[str, str]:
    cfn = aws("cloudformation", REGION)
    name = f"instance-role-{uuid.uuid4().hex[:8]}"
    cfn.create_stack(StackName=name, TemplateBody=_template(), Capabilities=["CAPABILITY_IAM"])
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    return {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}


@pytest.fixture(scope="module")
def role(deployed) -> Principal:
    policies = role_policies(ACCOUNT, deployed["Role"])
    assert policies, "the deployed role has no policy"
    return Principal.role(deployed["Role"], *policies)


def _group(name: str) -> str:
    return f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{name}"


def _stream(name: str) -> str:
    return f"{_group(name)}:log-stream:i-0123456789abcdef0"


def _decide(role: Principal, action: str, resource: str, **context: str) -> Decision:
    # An action without a resource ("*"), like an S3 ARN, names no account: the caller's own.
    return evaluate_resource_access(None, Request(role, action, resource, context, resource_account=ACCOUNT))


@pytest.mark.parametrize("group", ["WebTierServerAccessLogs", "WebTierServerErrorLogs"])
@pytest.mark.parametrize("action", ["logs:CreateLogStream", "logs:PutLogEvents"])
def test_the_agent_writes_to_the_tiers_own_log_groups(role, deployed, group, action):
    assert _decide(role, action, _stream(deployed[group])) is Decision.ALLOW


@pytest.mark.parametrize("action", ["logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy", "logs:DeleteLogGroup"])
@pytest.mark.parametrize("group", ["NetworkFlowLogs", "SecretsRotationLogs", "WebTierServerAccessLogs"])
def test_no_log_group_of_the_stack_can_be_deleted_or_its_retention_changed(role, deployed, group, action):
    """Explicitly denied, whichever form of the group's ARN the request is evaluated on."""
    for arn in (_group(deployed[group]), f"{_group(deployed[group])}:*"):
        assert _decide(role, action, arn) is Decision.EXPLICIT_DENY, arn


def test_streams_cannot_be_deleted(role, deployed):
    assert _decide(role, "logs:DeleteLogStream", _stream(deployed["WebTierServerAccessLogs"])) is (
        Decision.EXPLICIT_DENY
    )


def test_other_log_groups_are_not_written_and_none_is_created(role, deployed):
    assert _decide(role, "logs:PutLogEvents", _stream(deployed["NetworkFlowLogs"])) is Decision.IMPLICIT_DENY
    assert _decide(role, "logs:CreateLogGroup", _group("anything")) is Decision.IMPLICIT_DENY


def test_metrics_only_in_the_environments_namespace(role):
    assert _decide(role, "cloudwatch:PutMetricData", "*", **{"cloudwatch:namespace": NAMESPACE}) is Decision.ALLOW
    for other in ("AWS/EC2", "webstack/prod"):
        assert _decide(role, "cloudwatch:PutMetricData", "*", **{"cloudwatch:namespace": other}) is (
            Decision.IMPLICIT_DENY
        )


def test_session_manager_works_and_no_parameter_is_readable(role):
    for action in ("ssm:UpdateInstanceInformation", "ssmmessages:CreateControlChannel", "ssmmessages:OpenDataChannel"):
        assert _decide(role, action, "*") is Decision.ALLOW, action
    parameter = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/AmazonCloudWatch-linux"
    for action in ("ssm:GetParameter", "ssm:GetParameters"):
        assert _decide(role, action, parameter) is Decision.IMPLICIT_DENY, action


def test_content_objects_readable_but_not_writable(role, deployed):
    obj = f"arn:aws:s3:::{deployed['ContentBucket']}/index.html"
    assert _decide(role, "s3:GetObject", obj) is Decision.ALLOW
    assert _decide(role, "s3:PutObject", obj) is Decision.IMPLICIT_DENY


def test_the_data_key_decrypts_only_through_s3_or_secrets_manager(aws, role, deployed):
    key_policy = aws("kms", REGION).get_key_policy(KeyId=deployed["DataKey"], PolicyName="default")["Policy"]

    def decrypt(**context: str) -> Decision:
        return evaluate_key_access(key_policy, Request(role, "kms:Decrypt", deployed["DataKey"], context))

    assert decrypt(**{"kms:ViaService": f"s3.{REGION}.amazonaws.com"}) is Decision.ALLOW
    assert decrypt(**{"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"}) is Decision.ALLOW
    assert decrypt() is Decision.IMPLICIT_DENY, "a direct kms:Decrypt with the instance role"
    assert decrypt(**{"kms:ViaService": f"ebs.{REGION}.amazonaws.com"}) is Decision.IMPLICIT_DENY
