"""RotateSecret invokes the rotation function only if its resource policy admits
Secrets Manager (D20), and the function's calls back to Secrets Manager are
authorized as its execution role: identity policy, the secret's policy and the
secret's key policy (webstack_emulator/rotation.py).

The function is webstack's own rotation handler, loaded from its file (the
emulator imports nothing of the product) and run in-process with a client
signed by the session Lambda would give it (``run_as_lambda``, conftest.py)."""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from webstack_emulator import rotation

ACCOUNT = "123456789012"
ROLE_ARN = {"Fn::GetAtt": ["FnRole", "Arn"]}
VIA_SECRETS_MANAGER = {"StringEquals": {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}}
ROOT = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"}
ROLE_KEY_USE = {
    "Effect": "Allow",
    "Principal": {"AWS": ROLE_ARN},
    "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
    "Resource": "*",
    "Condition": VIA_SECRETS_MANAGER,
}
ROTATION_ACTIONS = [
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetSecretValue",
    "secretsmanager:PutSecretValue",
    "secretsmanager:UpdateSecretVersionStage",
]


def _resources(*, actions=ROTATION_ACTIONS, key_statements=(ROOT, ROLE_KEY_USE), permission=True, schedule=True):
    resources = {
        "FnRole": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            },
        },
        "FnPolicy": {
            "Type": "AWS::IAM::Policy",
            "Properties": {
                "PolicyName": "rotation",
                "Roles": [{"Ref": "FnRole"}],
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Action": list(actions), "Resource": {"Ref": "S"}},
                        {"Effect": "Allow", "Action": "secretsmanager:GetRandomPassword", "Resource": "*"},
                    ],
                },
            },
        },
        "Key": {
            "Type": "AWS::KMS::Key",
            "Properties": {"KeyPolicy": {"Version": "2012-10-17", "Statement": list(key_statements)}},
        },
        "S": {
            "Type": "AWS::SecretsManager::Secret",
            "Properties": {
                "KmsKeyId": {"Ref": "Key"},
                "GenerateSecretString": {
                    "SecretStringTemplate": json.dumps({"client": "webstack"}),
                    "GenerateStringKey": "api_key",
                    "PasswordLength": 40,
                    "ExcludePunctuation": True,
                },
            },
        },
        "Fn": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Runtime": "python3.13",
                "Handler": "index.handler",
                "Role": ROLE_ARN,
                "Code": {"ZipFile": "def handler(event, context):\n    return None\n"},
            },
        },
    }
    if permission:
        resources["Invoke"] = {
            "Type": "AWS::Lambda::Permission",
            "Properties": {
                "Action": "lambda:InvokeFunction",
                "FunctionName": {"Fn::GetAtt": ["Fn", "Arn"]},
                "Principal": "secretsmanager.amazonaws.com",
                "SourceAccount": {"Ref": "AWS::AccountId"},
            },
        }
    if schedule:
        resources["R"] = {
            "Type": "AWS::SecretsManager::RotationSchedule",
            "DependsOn": ["Invoke", "FnPolicy"] if permission else ["FnPolicy"],
            "Properties": {
                "SecretId": {"Ref": "S"},
                "RotationLambdaARN": {"Fn::GetAtt": ["Fn", "Arn"]},
                "RotationRules": {"ScheduleExpression": "rate(30 days)"},
            },
        }
    return resources


def _create(aws, resources):
    """CreateStack and its outputs (moto's AWS::Lambda::Permission has no
    physical id, so DescribeStackResources cannot list this stack)."""
    cfn = aws("cloudformation")
    name = f"rotation-{uuid.uuid4().hex[:8]}"
    outputs = {"Secret": {"Ref": "S"}, "Fn": {"Fn::GetAtt": ["Fn", "Arn"]}}
    template = {"Resources": resources, "Outputs": {k: {"Value": v} for k, v in outputs.items()}}
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template), Capabilities=["CAPABILITY_IAM"])
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    return {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}


def _stages(aws, secret):
    return aws("secretsmanager").describe_secret(SecretId=secret)["VersionIdsToStages"]


def _current_key(aws, secret):
    return json.loads(aws("secretsmanager").get_secret_value(SecretId=secret)["SecretString"])["api_key"]


def _steps(secret):
    return [(o.step, o.status) for o in rotation.ROTATIONS.of(secret)]


def test_rotation_runs_the_four_steps_as_the_functions_role(aws, run_as_lambda):
    out = _create(aws, _resources())
    run_as_lambda(out["Fn"])
    before = _current_key(aws, out["Secret"])
    token = aws("secretsmanager").rotate_secret(SecretId=out["Secret"])["VersionId"]
    assert _steps(out["Secret"]) == [(s, "succeeded") for s in rotation.STEPS], rotation.ROTATIONS.of(out["Secret"])
    after = _current_key(aws, out["Secret"])
    assert after != before and len(after) == 40 and after.isalnum()
    assert "AWSCURRENT" in _stages(aws, out["Secret"])[token]


def test_rotate_secret_without_a_lambda_permission_is_access_denied(aws):
    out = _create(aws, _resources(permission=False, schedule=False))
    with pytest.raises(ClientError) as raised:
        aws("secretsmanager").rotate_secret(SecretId=out["Secret"], RotationLambdaARN=out["Fn"])
    error = raised.value.response["Error"]
    assert (error["Code"], error["Message"]) == ("AccessDeniedException", rotation.CANNOT_INVOKE)
    assert rotation.ROTATIONS.of(out["Secret"]) == []


def test_role_without_put_secret_value_fails_create_secret_and_leaves_awspending(aws, run_as_lambda):
    actions = [a for a in ROTATION_ACTIONS if a != "secretsmanager:PutSecretValue"]
    out = _create(aws, _resources(actions=actions))
    run_as_lambda(out["Fn"])
    before = _current_key(aws, out["Secret"])
    token = aws("secretsmanager").rotate_secret(SecretId=out["Secret"])["VersionId"]
    (failed,) = rotation.ROTATIONS.of(out["Secret"])
    assert (failed.step, failed.status) == ("createSecret", "failed")
    assert "AccessDeniedException" in failed.error
    assert ":assumed-role/" in failed.error
    assert (
        f"is not authorized to perform: secretsmanager:PutSecretValue on resource: {out['Secret']} because no "
        "identity-based policy allows the secretsmanager:PutSecretValue action"
    ) in failed.error
    assert _current_key(aws, out["Secret"]) == before
    assert _stages(aws, out["Secret"])[token] == ["AWSPENDING"]


def test_key_policy_without_the_role_refuses_the_value_with_kms_not_allowed(aws, run_as_lambda):
    out = _create(aws, _resources(key_statements=(ROOT,)))
    run_as_lambda(out["Fn"])
    aws("secretsmanager").rotate_secret(SecretId=out["Secret"])
    (failed,) = rotation.ROTATIONS.of(out["Secret"])
    assert failed.step == "createSecret" and rotation.KMS_NOT_ALLOWED in failed.error


def test_secret_policy_deny_is_an_explicit_deny_in_a_resource_based_policy(aws, run_as_lambda):
    resources = _resources()
    resources["SPolicy"] = {
        "Type": "AWS::SecretsManager::ResourcePolicy",
        "Properties": {
            "SecretId": {"Ref": "S"},
            "ResourcePolicy": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Deny",
                        "Principal": {"AWS": ROLE_ARN},
                        "Action": "secretsmanager:PutSecretValue",
                        "Resource": "*",
                    }
                ],
            },
        },
    }
    resources["R"]["DependsOn"].append("SPolicy")
    out = _create(aws, resources)
    run_as_lambda(out["Fn"])
    aws("secretsmanager").rotate_secret(SecretId=out["Secret"])
    (failed,) = rotation.ROTATIONS.of(out["Secret"])
    assert "with an explicit deny in a resource-based policy" in failed.error


def test_without_an_in_process_handler_the_pending_version_waits_for_the_function(aws):
    out = _create(aws, _resources())
    before = _current_key(aws, out["Secret"])
    token = aws("secretsmanager").rotate_secret(SecretId=out["Secret"])["VersionId"]
    assert _steps(out["Secret"]) == [(s, "not-run") for s in rotation.STEPS]
    assert _stages(aws, out["Secret"])[token] == ["AWSPENDING"]
    assert _current_key(aws, out["Secret"]) == before
