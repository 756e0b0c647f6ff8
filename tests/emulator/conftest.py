"""One in-process emulator for the whole tests/emulator session.

Tests deploy tiny templates through boto3's CloudFormation client, exactly
as the CDK CLI does, and then assert with the services' own describe calls.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

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
    template onto an existing stack."""

    def _deploy(
        resources: dict[str, Any],
        outputs: dict[str, Any] | None = None,
        *,
        region: str = "us-east-1",
        expect_ok: bool = True,
        update_of: Deployed | None = None,
        parameters: dict[str, Any] | None = None,
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
