"""Keys, secrets and what the outputs must not reveal."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from .helpers import as_list, key_arn, statements

AUTOSCALING_SLR = "aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"


@pytest.fixture(scope="module")
def secrets(aws, web_resources) -> dict[str, dict]:
    """``{logical id: describe_secret}`` of the web stack's secrets."""
    sm = aws("secretsmanager")
    found = {
        r["LogicalResourceId"]: sm.describe_secret(SecretId=r["PhysicalResourceId"])
        for r in web_resources
        if r["ResourceType"] == "AWS::SecretsManager::Secret"
    }
    assert found, "the web stack has no secrets"
    return found


def _secret_strings(value: str) -> set[str]:
    """The whole secret and, for JSON secrets, each generated string in it.

    Short fields come from the secret's template (``"client": "webstack"``)
    and are not secret; generated values are 20+ characters."""
    found = {value}
    try:
        doc = json.loads(value)
    except ValueError:
        return found
    if isinstance(doc, dict):
        found |= {v for v in doc.values() if isinstance(v, str) and len(v) >= 20}
    return found


def test_secrets_encrypted_with_data_key(aws, secrets, outputs):
    for logical_id, secret in secrets.items():
        assert secret.get("KmsKeyId"), f"{logical_id} uses the AWS-managed key"
        assert key_arn(aws, secret["KmsKeyId"]) == outputs["DataKeyArn"], logical_id


def test_api_key_rotates(aws, secrets, web_resources):
    api_keys = [s for logical_id, s in secrets.items() if logical_id.startswith("SecretsApiKey")]
    assert len(api_keys) == 1, list(secrets)
    secret = api_keys[0]
    assert secret.get("RotationEnabled") is True
    assert secret.get("RotationLambdaARN")
    assert secret.get("RotationRules", {}).get("AutomaticallyAfterDays") or secret.get("RotationRules", {}).get(
        "ScheduleExpression"
    )
    schedules = [r for r in web_resources if r["ResourceType"] == "AWS::SecretsManager::RotationSchedule"]
    assert schedules, "no rotation schedule in the stack"


def test_outputs_reveal_no_secret(aws, secrets, outputs):
    sm = aws("secretsmanager")
    values = list(outputs.values())
    for logical_id, secret in secrets.items():
        assert not any(secret["ARN"] in v or secret["Name"] in v for v in values), f"an output names {logical_id}"
        current = sm.get_secret_value(SecretId=secret["ARN"]).get("SecretString", "")
        assert current, f"{logical_id} has no value"
        for hidden in _secret_strings(current):
            assert not any(hidden in v for v in values), f"an output contains the value of {logical_id}"


@pytest.mark.parametrize("output_key", ["DataKeyArn", "TelemetryKeyArn"])
def test_keys_rotate(aws, outputs, output_key):
    kms = aws("kms")
    assert kms.get_key_rotation_status(KeyId=outputs[output_key])["KeyRotationEnabled"] is True
    metadata = kms.describe_key(KeyId=outputs[output_key])["KeyMetadata"]
    assert metadata["KeyManager"] == "CUSTOMER" and metadata["KeyState"] == "Enabled"


def test_data_key_admits_autoscaling_service_linked_role(aws, outputs):
    """Without these grants an ASG cannot launch instances with CMK-encrypted volumes (D1)."""
    policy = aws("kms").get_key_policy(KeyId=outputs["DataKeyArn"], PolicyName="default")["Policy"]

    def names_slr(statement: dict) -> bool:
        principals = (
            as_list((statement.get("Principal") or {}).get("AWS"))
            if isinstance(statement.get("Principal"), dict)
            else []
        )
        conditions = json.dumps(statement.get("Condition", {}))
        return any(AUTOSCALING_SLR in p for p in principals) or AUTOSCALING_SLR in conditions

    slr = [s for s in statements(policy) if s.get("Effect") == "Allow" and names_slr(s)]
    actions = {a for s in slr for a in as_list(s["Action"])}
    assert {"kms:Decrypt", "kms:GenerateDataKey*", "kms:CreateGrant"} <= actions, actions
    grant = [s for s in slr if "kms:CreateGrant" in as_list(s["Action"])]
    assert any(
        str(s.get("Condition", {}).get("Bool", {}).get("kms:GrantIsForAWSResource")).lower() == "true" for s in grant
    ), grant


ROTATION_HANDLER = Path(__file__).resolve().parents[2] / "webstack/constructs/assets/rotate-api-key/index.py"


def _rotation_handler() -> Any:
    spec = importlib.util.spec_from_file_location("webstack_rotate_api_key", ROTATION_HANDLER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def as_rotation_function(aws, deployed, secrets) -> tuple[str, Any]:
    """(API-key ARN, a Secrets Manager client signed as the deployed rotation function's role).

    The emulator does not run the function (RotateSecret records its steps as
    not run); this plays it as Lambda would, with a session of its execution
    role, so every call is authorized against the deployed role, secret and key.
    It rotates the secret: emulator only."""
    if deployed.endpoint is None:
        pytest.skip("rotates the API key: runs against the emulator only")
    (secret,) = [s for logical_id, s in secrets.items() if logical_id.startswith("SecretsApiKey")]
    role = aws("lambda").get_function(FunctionName=secret["RotationLambdaARN"])["Configuration"]["Role"]
    credentials = aws("sts").assume_role(RoleArn=role, RoleSessionName="rotation")["Credentials"]
    client = boto3.client(
        "secretsmanager",
        region_name=deployed.web_region,
        endpoint_url=deployed.endpoint,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    return secret["ARN"], client


def test_deployed_api_key_rotates_twice_as_its_function_role(aws, as_rotation_function):
    arn, client = as_rotation_function
    sm = aws("secretsmanager")
    handler = _rotation_handler()
    previous = sm.get_secret_value(SecretId=arn)["VersionId"]
    for _ in range(2):
        token = sm.rotate_secret(SecretId=arn)["VersionId"]
        for step in ("createSecret", "setSecret", "testSecret", "finishSecret"):
            handler.handler({"SecretId": arn, "ClientRequestToken": token, "Step": step}, None, client=client)
        stages = {v: s for v, s in sm.describe_secret(SecretId=arn)["VersionIdsToStages"].items() if s}
        assert stages == {token: ["AWSCURRENT"], previous: ["AWSPREVIOUS"]}, stages
        previous = token
