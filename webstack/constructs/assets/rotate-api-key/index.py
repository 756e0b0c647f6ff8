"""Secrets Manager rotation for webstack's generated API key.

Implements the four rotation steps for a secret whose value is a JSON object
with an ``api_key`` field. The key is issued by webstack itself (clients read
it from the secret), so ``setSecret`` has no external system to update.
https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda-functions.html
"""

from __future__ import annotations

import json
import logging
import os

import boto3

LOG = logging.getLogger()
LOG.setLevel(logging.INFO)

KEY_FIELD = "api_key"
KEY_LENGTH = int(os.environ.get("API_KEY_LENGTH", "40"))


def handler(event, _context, client=None):
    client = client or boto3.client("secretsmanager")
    arn, token, step = event["SecretId"], event["ClientRequestToken"], event["Step"]

    metadata = client.describe_secret(SecretId=arn)
    if not metadata.get("RotationEnabled"):
        raise ValueError(f"rotation is not enabled for {arn}")
    stages = metadata.get("VersionIdsToStages", {})
    if token not in stages:
        raise ValueError(f"version {token} has no stage for rotation of {arn}")
    if "AWSCURRENT" in stages[token]:
        LOG.info("version %s is already AWSCURRENT", token)
        return
    if "AWSPENDING" not in stages[token]:
        raise ValueError(f"version {token} is not AWSPENDING for {arn}")

    steps = {
        "createSecret": create_secret,
        "setSecret": set_secret,
        "testSecret": test_secret,
        "finishSecret": finish_secret,
    }
    if step not in steps:
        raise ValueError(f"unknown rotation step {step}")
    steps[step](client, arn, token)


def create_secret(client, arn, token):
    current = json.loads(client.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")["SecretString"])
    try:
        client.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
        LOG.info("createSecret: pending version %s already exists", token)
        return
    except client.exceptions.ResourceNotFoundException:
        pass
    new_key = client.get_random_password(PasswordLength=KEY_LENGTH, ExcludePunctuation=True)["RandomPassword"]
    current[KEY_FIELD] = new_key
    client.put_secret_value(
        SecretId=arn, ClientRequestToken=token, SecretString=json.dumps(current), VersionStages=["AWSPENDING"]
    )
    LOG.info("createSecret: stored pending version %s", token)  # never the value


def set_secret(_client, _arn, token):
    LOG.info("setSecret: nothing external to update for version %s", token)


def test_secret(client, arn, token):
    pending = json.loads(
        client.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")["SecretString"]
    )
    value = pending.get(KEY_FIELD, "")
    if len(value) != KEY_LENGTH or not value.isalnum():
        raise ValueError(f"pending version {token} has no valid {KEY_FIELD}")


def finish_secret(client, arn, token):
    """Move AWSCURRENT to ``token`` (Secrets Manager moves AWSPREVIOUS to the old
    version itself), then take AWSPENDING off ``token``: the rotation is finished
    and the next one starts from a secret without a pending version. AWS's
    rotation template does the same two calls (aws-samples/
    aws-secrets-manager-rotation-lambdas, SecretsManagerRotationTemplate/
    lambda_function.py, finish_secret)."""
    stages = client.describe_secret(SecretId=arn)["VersionIdsToStages"]
    current = next((version for version, names in stages.items() if "AWSCURRENT" in names), None)
    if current == token:
        LOG.info("finishSecret: version %s is already AWSCURRENT", token)
        return
    client.update_secret_version_stage(
        SecretId=arn, VersionStage="AWSCURRENT", MoveToVersionId=token, RemoveFromVersionId=current
    )
    client.update_secret_version_stage(SecretId=arn, VersionStage="AWSPENDING", RemoveFromVersionId=token)
    LOG.info("finishSecret: version %s is now AWSCURRENT", token)
