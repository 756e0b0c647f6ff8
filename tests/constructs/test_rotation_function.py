"""The API-key rotation function, driven through the four rotation steps.

A small in-memory model of the documented semantics, to drive each step
alone: https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_how.html
(the same handler runs against the emulator's Secrets Manager, as its
function's role, in tests/emulator/test_api_key_rotation.py).
"""

from __future__ import annotations

import importlib.util
import json
import logging
import secrets
import string
from pathlib import Path

import pytest

HANDLER = Path(__file__).resolve().parents[2] / "webstack" / "constructs" / "assets" / "rotate-api-key" / "index.py"
TOKEN = "11111111-2222-3333-4444-555555555555"


def _load_handler():
    spec = importlib.util.spec_from_file_location("rotate_api_key", HANDLER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class ResourceNotFoundException(Exception):
    pass


class SecretsManagerModel:
    """The five calls the function makes, with the service's stage semantics."""

    class exceptions:
        ResourceNotFoundException = ResourceNotFoundException

    def __init__(self, value: dict) -> None:
        self.values = {"v1": json.dumps(value)}
        self.stages = {"v1": ["AWSCURRENT"]}
        self.rotation_enabled = False

    def start_rotation(self, token: str) -> None:
        # RotateSecret labels the new version AWSPENDING before createSecret; it has no value yet.
        self.rotation_enabled = True
        self.stages[token] = ["AWSPENDING"]

    def describe_secret(self, SecretId):
        return {
            "ARN": SecretId,
            "RotationEnabled": self.rotation_enabled,
            "VersionIdsToStages": {k: list(v) for k, v in self.stages.items()},
        }

    def get_secret_value(self, SecretId, VersionId=None, VersionStage="AWSCURRENT"):
        for version, labels in self.stages.items():
            if (VersionId in (None, version)) and VersionStage in labels and version in self.values:
                return {"ARN": SecretId, "VersionId": version, "SecretString": self.values[version]}
        raise ResourceNotFoundException(f"{VersionId}/{VersionStage}")

    def get_random_password(self, PasswordLength, ExcludePunctuation):
        assert ExcludePunctuation
        return {
            "RandomPassword": "".join(
                secrets.choice(string.ascii_letters + string.digits) for _ in range(PasswordLength)
            )
        }

    def _detach(self, label):
        # "Each staging label can be attached to only one version at a time."
        for labels in self.stages.values():
            if label in labels:
                labels.remove(label)

    def put_secret_value(self, SecretId, ClientRequestToken, SecretString, VersionStages):
        self.values[ClientRequestToken] = SecretString
        for label in VersionStages:
            self._detach(label)
        self.stages[ClientRequestToken] = list(VersionStages)

    def update_secret_version_stage(self, SecretId, VersionStage, MoveToVersionId=None, RemoveFromVersionId=None):
        """Labels move only as asked; moving AWSCURRENT puts AWSPREVIOUS on the version it left
        (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_UpdateSecretVersionStage.html).
        AWSPENDING stays where it is unless the call removes it."""
        if RemoveFromVersionId is not None:
            self.stages[RemoveFromVersionId].remove(VersionStage)
        if MoveToVersionId is not None:
            self._detach(VersionStage)
            self.stages[MoveToVersionId].append(VersionStage)
        if VersionStage == "AWSCURRENT" and MoveToVersionId and RemoveFromVersionId:
            self._detach("AWSPREVIOUS")
            self.stages[RemoveFromVersionId].append("AWSPREVIOUS")


@pytest.fixture
def client():
    model = SecretsManagerModel({"client": "webstack", "api_key": "A" * 40})
    model.start_rotation(TOKEN)
    return model


def _step(module, client, step, token=TOKEN):
    module.handler({"SecretId": "arn:secret", "ClientRequestToken": token, "Step": step}, None, client=client)


def test_full_rotation_replaces_the_key_without_logging_it(client, caplog):
    module = _load_handler()
    caplog.set_level(logging.INFO)
    for step in ("createSecret", "setSecret", "testSecret", "finishSecret"):
        _step(module, client, step)
    current = json.loads(client.get_secret_value(SecretId="arn:secret")["SecretString"])
    assert current["client"] == "webstack"
    assert current["api_key"] != "A" * 40
    assert len(current["api_key"]) == 40 and current["api_key"].isalnum()
    assert client.stages[TOKEN] == ["AWSCURRENT"]
    assert client.stages["v1"] == ["AWSPREVIOUS"]
    assert current["api_key"] not in caplog.text


def test_create_is_idempotent(client):
    module = _load_handler()
    _step(module, client, "createSecret")
    first = client.values[TOKEN]
    _step(module, client, "createSecret")
    assert client.values[TOKEN] == first


def test_refuses_unknown_step_token_and_disabled_rotation(client):
    module = _load_handler()
    with pytest.raises(ValueError, match="unknown rotation step"):
        _step(module, client, "dance")
    with pytest.raises(ValueError, match="has no stage"):
        _step(module, client, "createSecret", token="other")
    client.rotation_enabled = False
    with pytest.raises(ValueError, match="rotation is not enabled"):
        _step(module, client, "createSecret")


def test_test_step_rejects_a_malformed_pending_key(client):
    module = _load_handler()
    client.put_secret_value(
        SecretId="arn:secret",
        ClientRequestToken=TOKEN,
        SecretString=json.dumps({"api_key": "short"}),
        VersionStages=["AWSPENDING"],
    )
    with pytest.raises(ValueError, match="no valid api_key"):
        _step(module, client, "testSecret")


def test_finished_version_is_left_alone(client):
    module = _load_handler()
    for step in ("createSecret", "setSecret", "testSecret", "finishSecret"):
        _step(module, client, step)
    before = dict(client.values)
    _step(module, client, "finishSecret")
    assert client.values == before
