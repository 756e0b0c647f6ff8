"""webstack's API-key rotation as deployed: the product's own Secrets construct
(key, secret, rotation role, Lambda permission, schedule) synthesized and
deployed to the emulator, and its handler run for the function as the
function's execution role -- so every call a step makes is authorized against
the construct's real role, secret and key policies (webstack_emulator/rotation.py).

The function's code is the asset's own ``index.py``, inlined as ``ZipFile``
because the emulator has no CDK asset bucket; the emulator runs no function
code either way: the in-process handler (conftest ``run_as_lambda``) is that
same file.

The protocol, as AWS's template implements it (aws-samples/
aws-secrets-manager-rotation-lambdas, SecretsManagerRotationTemplate/
lambda_function.py): finishSecret moves AWSCURRENT to the new version, Secrets
Manager moves AWSPREVIOUS to the old one, and the function removes AWSPENDING
from the new one; every step is idempotent for a retried token.
"""

from __future__ import annotations

import json
import uuid
from functools import cache
from typing import Any

import aws_cdk as cdk
import pytest
from botocore.exceptions import ClientError

from tests.emulator.conftest import ROTATE, ROTATION_HANDLER_FILE, client_as
from tests.synth import ROOT
from webstack.app import cdk_json_context
from webstack.constructs.keys import Keys
from webstack.constructs.secrets import API_KEY_LENGTH, Secrets
from webstack_emulator import rotation

pytestmark = pytest.mark.usefixtures("forget_dashboard_models")

ACCOUNT = "123456789012"
REGION = "us-east-1"


@cache
def _template() -> str:
    """The construct's template (synthesized once), as JSON."""
    app = cdk.App(
        context={**cdk_json_context(ROOT / "cdk.json"), "aws:cdk:bundling-stacks": []},
        builtin_cloud_formation_validation=False,
    )
    stack = cdk.Stack(app, "ApiKeyRotation", env=cdk.Environment(account=ACCOUNT, region=REGION))
    keys = Keys(stack, "Keys", removal_policy=cdk.RemovalPolicy.DESTROY)
    Secrets(
        stack,
        "Secrets",
        key=keys.data,
        log_key=keys.telemetry,
        log_retention_days=7,
        removal_policy=cdk.RemovalPolicy.DESTROY,
    )
    template = app.synth().get_stack_by_name("ApiKeyRotation").template
    resources = {lid: r for lid, r in template["Resources"].items() if r["Type"] != "AWS::CDK::Metadata"}
    outputs = {}
    for lid, resource in resources.items():
        if resource["Type"] == "AWS::Lambda::Function":
            resource["Properties"]["Code"] = {"ZipFile": ROTATION_HANDLER_FILE.read_text()}
            outputs["Function"] = {"Fn::GetAtt": [lid, "Arn"]}
        elif resource["Type"] == "AWS::SecretsManager::Secret":
            outputs[lid.removeprefix("Secrets").rstrip("0123456789ABCDEF")] = {"Ref": lid}
    return json.dumps({"Resources": resources, "Outputs": {k: {"Value": v} for k, v in outputs.items()}})


@pytest.fixture
def deployed(aws) -> dict[str, str]:
    """A fresh deployment of the construct: outputs Function, ApiKey, DatabaseCredentials.

    CreateStack, not the change-set fixture: moto's AWS::Lambda::Permission has no
    physical id, so DescribeStackResources cannot list this stack."""
    cfn = aws("cloudformation", REGION)
    suffix = uuid.uuid4().hex[:8]
    name = f"api-key-rotation-{suffix}"
    template = json.loads(_template())
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::KMS::Alias":  # alias names are per account: one per deployment
            resource["Properties"]["AliasName"] += f"-{suffix}"
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template), Capabilities=["CAPABILITY_IAM"])
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    return {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}


def _stages(aws, secret: str) -> dict[str, list[str]]:
    stages = aws("secretsmanager", REGION).describe_secret(SecretId=secret)["VersionIdsToStages"]
    return {version: labels for version, labels in stages.items() if labels}


def _key(aws, secret: str, **which: str) -> str:
    value = aws("secretsmanager", REGION).get_secret_value(SecretId=secret, **which)["SecretString"]
    return json.loads(value)["api_key"]


def _rotate(aws, secret: str) -> str:
    token = aws("secretsmanager", REGION).rotate_secret(SecretId=secret)["VersionId"]
    steps = [(o.step, o.status, o.error) for o in rotation.ROTATIONS.of(secret) if o.token == token]
    assert steps == [(step, "succeeded", "") for step in rotation.STEPS], steps
    return token


def test_two_rotations_in_a_row_each_make_a_new_current_key(aws, deployed, run_as_lambda):
    run_as_lambda(deployed["Function"])
    secret = deployed["ApiKey"]
    (original,) = _stages(aws, secret)
    keys = [_key(aws, secret)]

    first = _rotate(aws, secret)
    assert _stages(aws, secret) == {first: ["AWSCURRENT"], original: ["AWSPREVIOUS"]}
    keys.append(_key(aws, secret))

    # A pending label left behind by the first rotation would make this one
    # start from an unfinished rotation; there is none.
    second = _rotate(aws, secret)
    assert _stages(aws, secret) == {second: ["AWSCURRENT"], first: ["AWSPREVIOUS"]}
    keys.append(_key(aws, secret))

    assert len(set(keys)) == 3, "each rotation stores a new key"
    assert all(len(k) == API_KEY_LENGTH and k.isalnum() for k in keys)
    assert _key(aws, secret, VersionStage="AWSPREVIOUS") == keys[1]


def _function_role_credentials(aws, function_arn: str) -> dict[str, str]:
    """The session Lambda gives the function: its execution role, assumed."""
    role = aws("lambda", REGION).get_function(FunctionName=function_arn)["Configuration"]["Role"]
    return aws("sts", REGION).assume_role(RoleArn=role, RoleSessionName="rotation")["Credentials"]


def _step(client: Any, secret: str, token: str, step: str) -> None:
    ROTATE.handler({"SecretId": secret, "ClientRequestToken": token, "Step": step}, None, client=client)


@pytest.fixture
def as_function(aws, emulator, deployed) -> Any:
    """A Secrets Manager client signed as the rotation function's role (no handler registered:
    RotateSecret leaves the steps to whoever plays the function)."""
    return client_as(emulator, "secretsmanager", REGION, _function_role_credentials(aws, deployed["Function"]))


def test_retried_steps_store_one_value_and_a_finished_token_is_left_alone(aws, deployed, as_function):
    secret = deployed["ApiKey"]
    sm = aws("secretsmanager", REGION)
    before = _key(aws, secret)
    token = sm.rotate_secret(SecretId=secret)["VersionId"]
    assert [o.status for o in rotation.ROTATIONS.of(secret) if o.token == token] == ["not-run"] * 4

    _step(as_function, secret, token, "createSecret")
    pending = _key(aws, secret, VersionId=token, VersionStage="AWSPENDING")
    versions = sm.list_secret_version_ids(SecretId=secret)["Versions"]
    _step(as_function, secret, token, "createSecret")  # Secrets Manager retries a failed step with the same token
    assert _key(aws, secret, VersionId=token, VersionStage="AWSPENDING") == pending
    assert sm.list_secret_version_ids(SecretId=secret)["Versions"] == versions
    assert pending != before

    for step in ("setSecret", "testSecret", "finishSecret"):
        _step(as_function, secret, token, step)
    finished = _stages(aws, secret)
    assert finished[token] == ["AWSCURRENT"]
    _step(as_function, secret, token, "finishSecret")
    assert _stages(aws, secret) == finished
    assert _key(aws, secret) == pending


def test_the_rotation_role_cannot_read_the_other_secrets(deployed, as_function):
    with pytest.raises(ClientError) as raised:
        as_function.get_secret_value(SecretId=deployed["DatabaseCredentials"])
    error = raised.value.response["Error"]
    assert error["Code"] == "AccessDeniedException"
    assert "because no identity-based policy allows the secretsmanager:GetSecretValue action" in error["Message"]


def test_secrets_manager_may_invoke_the_function_for_the_api_key_only(aws, deployed):
    """The permission's SourceArn: another secret of the same account cannot name the function."""
    sm = aws("secretsmanager", REGION)
    other = sm.create_secret(Name=f"other-{uuid.uuid4().hex[:8]}", SecretString="{}")["ARN"]
    with pytest.raises(ClientError) as raised:
        sm.rotate_secret(SecretId=other, RotationLambdaARN=deployed["Function"])
    error = raised.value.response["Error"]
    assert (error["Code"], error["Message"]) == ("AccessDeniedException", rotation.CANNOT_INVOKE)
