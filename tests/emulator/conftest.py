"""One in-process emulator for the whole tests/emulator session.

Tests deploy tiny templates through boto3's CloudFormation client, exactly
as the CDK CLI does, and then assert with the services' own describe calls.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest

from webstack_emulator import rotation
from webstack_emulator.server import InProcessServer, endpoint_env

_counter = itertools.count()


@pytest.fixture(scope="session")
def emulator() -> Iterator[InProcessServer]:
    server = InProcessServer().start()
    saved = dict(os.environ)
    os.environ.update(endpoint_env(server.endpoint))
    try:
        yield server
    finally:
        server.stop()
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="session")
def aws(emulator: InProcessServer) -> Callable[..., Any]:
    def client(service: str, region: str = "us-east-1") -> Any:
        return boto3.client(service, region_name=region, endpoint_url=emulator.endpoint)

    return client


class Deployed:
    def __init__(self, cfn: Any, stack_name: str):
        self.cfn = cfn
        self.name = stack_name
        stack = cfn.describe_stacks(StackName=stack_name)["Stacks"][0]
        self.status = stack["StackStatus"]
        self.outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
        self.resources = {
            r["LogicalResourceId"]: r["PhysicalResourceId"]
            for r in cfn.describe_stack_resources(StackName=stack_name)["StackResources"]
        }

    def failures(self) -> list[str]:
        events = self.cfn.describe_stack_events(StackName=self.name)["StackEvents"]
        return [
            f"{e['LogicalResourceId']}: {e.get('ResourceStatusReason')}"
            for e in events
            if e["ResourceStatus"].endswith("FAILED")
        ]


@pytest.fixture(scope="session")
def deploy(aws: Callable[..., Any]) -> Callable[..., Deployed]:
    """deploy(resources, outputs=None, region=..., expect_ok=True) -> Deployed.

    Uses a change set, like ``cdk deploy``; ``update_of=`` deploys a new
    template onto an existing stack; ``parameters=`` is the template's
    Parameters section, ``parameter_values=`` the change set's Parameters
    (e.g. ``UsePreviousValue``, as ``cdk deploy`` sends on an update)."""

    def _deploy(
        resources: dict[str, Any],
        outputs: dict[str, Any] | None = None,
        *,
        region: str = "us-east-1",
        expect_ok: bool = True,
        update_of: Deployed | None = None,
        parameters: dict[str, Any] | None = None,
        parameter_values: list[dict[str, Any]] | None = None,
    ) -> Deployed:
        cfn = aws("cloudformation", region)
        template: dict[str, Any] = {"Resources": resources}
        if outputs:
            template["Outputs"] = {k: {"Value": v} for k, v in outputs.items()}
        if parameters:
            template["Parameters"] = parameters
        name = update_of.name if update_of else f"t{next(_counter)}-{os.getpid()}"
        cs = cfn.create_change_set(
            StackName=name,
            ChangeSetName="cs" + str(next(_counter)),
            TemplateBody=json.dumps(template),
            ChangeSetType="UPDATE" if update_of else "CREATE",
            Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
            **({"Parameters": parameter_values} if parameter_values is not None else {}),
        )
        cfn.execute_change_set(ChangeSetName=cs["Id"], StackName=name)
        deployed = Deployed(cfn, name)
        if expect_ok:
            assert deployed.status in ("CREATE_COMPLETE", "UPDATE_COMPLETE"), deployed.failures()
        return deployed

    return _deploy


@pytest.fixture(scope="module")
def forget_dashboard_models() -> Iterator[None]:
    """moto's /moto-api/data.json (the dashboard dump, also test_server's
    probe) answers HTTP 500 once a Lambda function or an RDS instance was
    ever created in the process: it reads every property of every model it
    tracked, deleted ones included, and LambdaFunction's Docker client and
    DBInstance's write-only property raise. The emulator has to fix that in
    its server; until then this module clears the dashboard's model list
    afterwards (the service backends keep their state)."""
    yield
    from moto.core.model_instances import reset_model_data

    reset_model_data()


ROTATION_HANDLER_FILE = Path(__file__).resolve().parents[2] / "webstack/constructs/assets/rotate-api-key/index.py"


def load_rotation_handler() -> ModuleType:
    """webstack's API-key rotation handler, from its file (the asset Lambda runs)."""
    spec = importlib.util.spec_from_file_location("webstack_rotate_api_key", ROTATION_HANDLER_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ROTATE = load_rotation_handler()


def client_as(emulator: InProcessServer, service: str, region: str, credentials: dict[str, str]) -> Any:
    """A client signed with ``credentials`` (an assumed role's), as that role would call."""
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=emulator.endpoint,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


@pytest.fixture
def run_as_lambda(emulator: InProcessServer) -> Iterator[Callable[[str], None]]:
    """Register webstack's handler for a function, signed as its execution role."""
    registered: list[str] = []

    def register(function_arn: str) -> None:
        def handler(event: dict[str, Any], context: Any) -> Any:
            client = client_as(emulator, "secretsmanager", context.region, context.credentials)
            return ROTATE.handler(event, context, client=client)

        rotation.register_handler(function_arn, handler)
        registered.append(function_arn)

    yield register
    for arn in registered:
        rotation.unregister_handler(arn)
