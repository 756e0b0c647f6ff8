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


def test_secrets_manager_may_invoke_the_rotation_function_for_the_api_key_only(each_env):
    _, schedule = only(each_env.web.find_resources("AWS::SecretsManager::RotationSchedule"))
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


def test_the_rotated_secret_cannot_be_deleted_by_the_accounts_principals(each_env):
    policies = [
        p["Properties"]
        for p in each_env.web.find_resources("AWS::SecretsManager::ResourcePolicy").values()
        if ref_id(p["Properties"]["SecretId"]).startswith("SecretsApiKey")
    ]
    (policy,) = policies
    (statement,) = policy["ResourcePolicy"]["Statement"]
    assert (statement["Effect"], statement["Action"]) == ("Deny", "secretsmanager:DeleteSecret")
    assert ":root" in json.dumps(statement["Principal"])
