"""Secrets: generated, CMK-encrypted, rotated by a function with its own role."""

from __future__ import annotations

import json

import pytest

from tests.synth import ref_id, synthesize


def _schedule(synth, secret_prefix: str) -> dict:
    """The rotation schedule of the secret whose logical id starts with ``secret_prefix``."""
    schedules = [
        s
        for s in synth.web.find_resources("AWS::SecretsManager::RotationSchedule").values()
        if ref_id(s["Properties"]["SecretId"]).startswith(secret_prefix)
    ]
    assert len(schedules) == 1, f"{secret_prefix}: {len(schedules)} rotation schedules"
    return schedules[0]


def test_secrets_are_generated_never_literal(each_env):
    secrets = each_env.web.find_resources("AWS::SecretsManager::Secret")
    roles = {k.removeprefix("Secrets").rstrip("0123456789ABCDEF") for k in secrets}
    expected = {"DatabaseCredentials", "ApiKey"} | (
        {"OriginVerify"} if each_env.config.origin_protection.enabled else set()
    )
    assert roles == expected
    for logical_id, secret in secrets.items():
        props = secret["Properties"]
        assert "SecretString" not in props, f"{logical_id} holds a literal value"
        assert "GenerateSecretString" in props
        assert props["KmsKeyId"]["Fn::GetAtt"][0].startswith("KeysDataKey")
    db = next(s for k, s in secrets.items() if k.startswith("SecretsDatabaseCredentials"))
    generator = db["Properties"]["GenerateSecretString"]
    assert generator["GenerateStringKey"] == "password"
    assert generator["PasswordLength"] >= 32


def test_api_key_rotates_through_its_function(each_env):
    schedule = _schedule(each_env, "SecretsApiKey")
    assert schedule["Properties"]["RotationRules"]["ScheduleExpression"] == "rate(30 days)"
    function_id = ref_id(schedule["Properties"]["RotationLambdaARN"])
    function = each_env.web.to_json()["Resources"][function_id]["Properties"]
    assert function["Runtime"].startswith("python3.")
    assert function["Handler"] == "index.handler"
    role_id = ref_id(function["Role"])
    assert role_id.startswith("SecretsRotationRole")
    role = each_env.web.to_json()["Resources"][role_id]["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert "ManagedPolicyArns" not in role


def _rotation_role_statements(synth) -> list[dict]:
    resources = synth.web.to_json()["Resources"]
    role_id = next(
        k for k in resources if k.startswith("SecretsRotationRole") and resources[k]["Type"] == "AWS::IAM::Role"
    )
    return [
        s
        for p in synth.web.find_resources("AWS::IAM::Policy").values()
        if any(ref_id(r) == role_id for r in p["Properties"]["Roles"])
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]


def _actions(statement: dict) -> set[str]:
    action = statement["Action"]
    return set(action if isinstance(action, list) else [action])


def test_rotation_role_has_what_the_four_steps_call_on_the_api_key_only(each_env):
    statements = _rotation_role_statements(each_env)
    by_actions = {frozenset(_actions(s)): s for s in statements}
    # One statement per purpose: no duplicate, no UpdateSecret (not a rotation step).
    assert len(by_actions) == len(statements)
    assert set(by_actions) == {
        frozenset({"logs:CreateLogStream", "logs:PutLogEvents"}),
        frozenset(
            {
                "secretsmanager:DescribeSecret",
                "secretsmanager:GetSecretValue",
                "secretsmanager:PutSecretValue",
                "secretsmanager:UpdateSecretVersionStage",
            }
        ),
        frozenset({"kms:Decrypt", "kms:GenerateDataKey"}),
        frozenset({"secretsmanager:GetRandomPassword"}),
    }
    (steps,) = [s for actions, s in by_actions.items() if "secretsmanager:PutSecretValue" in actions]
    assert ref_id(steps["Resource"]).startswith("SecretsApiKey")
    assert by_actions[frozenset({"secretsmanager:GetRandomPassword"})]["Resource"] == "*"
    for statement in statements:
        assert "SecretsDatabaseCredentials" not in json.dumps(statement)


def test_rotation_role_uses_the_key_only_through_secrets_manager_for_the_api_key(each_env):
    (key_use,) = [s for s in _rotation_role_statements(each_env) if "kms:Decrypt" in _actions(s)]
    assert ref_id(key_use["Resource"]).startswith("KeysDataKey")
    condition = key_use["Condition"]["StringEquals"]
    assert condition["kms:ViaService"] == f"secretsmanager.{each_env.config.region}.amazonaws.com"
    assert ref_id(condition["kms:EncryptionContext:SecretARN"]).startswith("SecretsApiKey")
    # No key-policy statement for the rotation role: its key use is the one above.
    for key in each_env.web.find_resources("AWS::KMS::Key").values():
        assert "SecretsRotationRole" not in json.dumps(key["Properties"]["KeyPolicy"])


@pytest.mark.parametrize("secret_prefix", ["SecretsApiKey", "SecretsOriginVerify"])
def test_secrets_manager_may_invoke_each_rotation_function_for_its_secret_only(each_env, secret_prefix):
    if secret_prefix == "SecretsOriginVerify" and not each_env.config.origin_protection.enabled:
        pytest.skip("no origin-verify secret without origin protection")
    schedule = _schedule(each_env, secret_prefix)
    function_id = ref_id(schedule["Properties"]["RotationLambdaARN"])
    permissions = [
        (lid, p["Properties"])
        for lid, p in each_env.web.find_resources("AWS::Lambda::Permission").items()
        if ref_id(p["Properties"]["FunctionName"]) == function_id
    ]
    ((permission_id, permission),) = permissions
    assert permission["Principal"] == "secretsmanager.amazonaws.com"
    assert permission["Action"] == "lambda:InvokeFunction"
    # Confused deputy: only this account, only this secret.
    assert permission["SourceAccount"] == {"Ref": "AWS::AccountId"}
    assert ref_id(permission["SourceArn"]) == ref_id(schedule["Properties"]["SecretId"])
    assert permission_id in schedule["DependsOn"]


def test_secret_retention_follows_config(each_env):
    expected = "Retain" if each_env.config.retain_data else "Delete"
    for secret in each_env.web.find_resources("AWS::SecretsManager::Secret").values():
        assert secret["DeletionPolicy"] == expected


@pytest.mark.parametrize("secret_prefix", ["SecretsApiKey", "SecretsOriginVerify"])
def test_the_rotated_secrets_cannot_be_deleted_by_the_accounts_principals(each_env, secret_prefix):
    if secret_prefix == "SecretsOriginVerify" and not each_env.config.origin_protection.enabled:
        pytest.skip("no origin-verify secret without origin protection")
    policies = [
        p["Properties"]
        for p in each_env.web.find_resources("AWS::SecretsManager::ResourcePolicy").values()
        if ref_id(p["Properties"]["SecretId"]).startswith(secret_prefix)
    ]
    (policy,) = policies
    (statement,) = policy["ResourcePolicy"]["Statement"]
    assert (statement["Effect"], statement["Action"]) == ("Deny", "secretsmanager:DeleteSecret")
    assert ":root" in json.dumps(statement["Principal"])


def _statements_of(synth, role_prefix: str) -> list[dict]:
    resources = synth.web.to_json()["Resources"]
    role_id = next(k for k in resources if k.startswith(role_prefix) and resources[k]["Type"] == "AWS::IAM::Role")
    return [
        s
        for p in synth.web.find_resources("AWS::IAM::Policy").values()
        if any(ref_id(r) == role_id for r in p["Properties"]["Roles"])
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]


def test_the_origin_verify_value_rotates_on_the_configured_schedule(dev):
    assert dev.config.origin_protection.enabled, "dev protects its origin by default"
    schedule = _schedule(dev, "SecretsOriginVerify")
    days = dev.config.origin_protection.rotation_days
    assert schedule["Properties"]["RotationRules"]["ScheduleExpression"] == f"rate({days} days)"
    weekly = synthesize("dev", {"origin_protection": {"rotation_days": 7}})
    assert _schedule(weekly, "SecretsOriginVerify")["Properties"]["RotationRules"]["ScheduleExpression"] == (
        "rate(7 days)"
    )
    unprotected = synthesize("dev", {"origin_protection": {"enabled": False}})
    assert not [
        k for k in unprotected.web.find_resources("AWS::Lambda::Function") if k.startswith("OriginVerifyRotation")
    ]


def test_the_origin_verify_function_edits_only_its_rule_and_its_distribution(dev):
    """Least privilege: ModifyRule on the one rule, the distribution calls on the one
    distribution, the secret calls on the origin-verify secret; '*' only where IAM has no
    resource type (GetRandomPassword, DescribeRules)."""
    schedule = _schedule(dev, "SecretsOriginVerify")
    resources = dev.web.to_json()["Resources"]
    function = resources[ref_id(schedule["Properties"]["RotationLambdaARN"])]["Properties"]
    variables = function["Environment"]["Variables"]
    rule_id, distribution_id = ref_id(variables["LISTENER_RULE_ARN"]), ref_id(variables["DISTRIBUTION_ID"])
    assert resources[rule_id]["Type"] == "AWS::ElasticLoadBalancingV2::ListenerRule"
    (header,) = resources[rule_id]["Properties"]["Conditions"]
    assert header["HttpHeaderConfig"]["HttpHeaderName"] == variables["HEADER_NAME"]
    assert resources[distribution_id]["Type"] == "AWS::CloudFront::Distribution"
    by_action = {
        action: s["Resource"]
        for s in _statements_of(dev, "OriginVerifyRotationRole")
        for action in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
    }
    assert ref_id(by_action["elasticloadbalancing:ModifyRule"]) == rule_id
    assert by_action["elasticloadbalancing:DescribeRules"] == "*"
    for action in ("GetDistribution", "GetDistributionConfig", "UpdateDistribution"):
        arn = json.dumps(by_action[f"cloudfront:{action}"])
        assert f'":distribution/", {{"Ref": "{distribution_id}"}}' in arn, arn
    for action in ("DescribeSecret", "GetSecretValue", "PutSecretValue", "UpdateSecretVersionStage"):
        assert ref_id(by_action[f"secretsmanager:{action}"]).startswith("SecretsOriginVerify")
    assert by_action["secretsmanager:GetRandomPassword"] == "*"
    assert "secretsmanager:UpdateSecret" not in by_action
