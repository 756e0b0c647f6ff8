"""Secrets: generated, CMK-encrypted, rotated by a function with its own role."""

from __future__ import annotations

import json

from tests.synth import only, ref_id


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
    _, schedule = only(each_env.web.find_resources("AWS::SecretsManager::RotationSchedule"))
    assert ref_id(schedule["Properties"]["SecretId"]).startswith("SecretsApiKey")
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


def test_rotation_role_touches_only_the_api_key(dev):
    resources = dev.web.to_json()["Resources"]
    role_id = next(
        k for k in resources if k.startswith("SecretsRotationRole") and resources[k]["Type"] == "AWS::IAM::Role"
    )
    statements = [
        s
        for p in dev.web.find_resources("AWS::IAM::Policy").values()
        if any(ref_id(r) == role_id for r in p["Properties"]["Roles"])
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]
    for statement in statements:
        if statement["Resource"] == "*":
            assert statement["Action"] == "secretsmanager:GetRandomPassword"
        text = json.dumps(statement)
        assert "SecretsDatabaseCredentials" not in text


def test_secret_retention_follows_config(each_env):
    expected = "Retain" if each_env.config.retain_data else "Delete"
    for secret in each_env.web.find_resources("AWS::SecretsManager::Secret").values():
        assert secret["DeletionPolicy"] == expected
