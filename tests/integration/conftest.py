"""Integration layer: deploy an environment, then prove it with boto3.

Every test finds its resources through the stack outputs
(``cfn-outputs/flat-outputs.json``), never through guessed names, so the same
tests run against the local emulator and a real account (conventions 12).

Environment variables:

``WEBSTACK_TARGET``  ``local`` (default) or ``aws``.
    *local*: start the emulator (or reuse the running one, see
    ``webstack_emulator.status()``) and deploy ``WEBSTACK_ENV`` exactly like
    ``make up`` -- unless that environment is already deployed there and
    ``cfn-outputs/flat-outputs.json`` matches it (``make up`` was run), in
    which case nothing is redeployed. An emulator this session started is
    stopped at its end; one it reused keeps running.
    *aws*: nothing is deployed; the outputs file of a real deploy is read and
    boto3's default credentials are used, read-only.
``WEBSTACK_ENV``     environment to test (default ``dev``).
``WEBSTACK_CONFIG``  config override file passed to synth (local only).
``WEBSTACK_LOCAL_STATE_DIR``  emulator state dir (default: the repo's
    ``.local-aws``, i.e. the one ``make up`` uses). An emulator of its own
    gets outputs of its own: ``<dir>/cfn-outputs/flat-outputs.json``, so it
    never overwrites the outputs of the one ``make up`` runs.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from webstack_emulator import DataPlaneOptions, dataplane_info, start, status, stop
from webstack_tools import local_pager, project
from webstack_tools.assembly import CloudAssembly
from webstack_tools.cdk import synth
from webstack_tools.deploy import (
    FLAT_OUTPUTS_FILE,
    USABLE_STACK_STATES,
    DeployError,
    bootstrap,
    deploy,
    emulator_target,
    flatten_outputs,
)
from webstack_tools.verify import web_region

from .helpers import deadline, region_of, wait_for_api

HERE = Path(__file__).resolve().parent
TARGET = os.environ.get("WEBSTACK_TARGET", "local").strip().lower() or "local"
ENV_NAME = os.environ.get("WEBSTACK_ENV", "dev").strip() or "dev"
CONFIG = os.environ.get("WEBSTACK_CONFIG") or None
STATE_DIR = Path(os.environ["WEBSTACK_LOCAL_STATE_DIR"]) if os.environ.get("WEBSTACK_LOCAL_STATE_DIR") else None
DEPLOY_DEADLINE = float(os.environ.get("WEBSTACK_DEPLOY_DEADLINE", "180"))  # seconds; dev takes ~5 s locally
# Fail fast instead of retrying: the emulator answers at once or not at all.
_BOTO_CONFIG = Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=5, read_timeout=60)

if TARGET not in ("local", "aws"):
    raise pytest.UsageError(f"WEBSTACK_TARGET must be 'local' or 'aws', not {TARGET!r}")


def emulator_state_dir() -> Path:
    """``WEBSTACK_LOCAL_STATE_DIR``, or the state dir ``make up`` uses."""
    return STATE_DIR if STATE_DIR is not None else project.emulator_state_dir()


def outputs_dir() -> Path:
    """Outputs of an emulator of our own next to its state; otherwise ``make up``'s ``cfn-outputs``."""
    return STATE_DIR / "cfn-outputs" if STATE_DIR is not None else project.outputs_dir()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.integration)


@dataclass
class Deployment:
    """What the tests know about the environment under test."""

    env_name: str
    outputs: dict[str, str]
    endpoint: str | None  # None: a real account
    started_emulator: bool = False
    stacks: dict[str, str] = field(default_factory=dict)  # stack name -> region

    @property
    def web_region(self) -> str:
        return region_of(self.outputs["DataKeyArn"])

    @property
    def edge_region(self) -> str:
        return region_of(self.outputs["EdgeAlertTopicArn"])

    @property
    def web_stack(self) -> str:
        # Stack names are part of the interface (README: `webstack-<env>-<role>`).
        return f"webstack-{self.env_name}-web"


def client_factory(endpoint: str | None, default_region: str) -> Callable[..., Any]:
    """``aws(service, region=None)`` -> a boto3 client for the target."""
    if endpoint is None:
        session = boto3.session.Session()

        def real(service: str, region: str | None = None) -> Any:
            return session.client(service, region_name=region or default_region, config=_BOTO_CONFIG)

        return real

    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", aws_session_token="testing"
    )

    def local(service: str, region: str | None = None) -> Any:
        return session.client(service, region_name=region or default_region, endpoint_url=endpoint, config=_BOTO_CONFIG)

    return local


def env_stacks(aws: Callable[..., Any], env_name: str, regions: list[str]) -> dict[str, dict]:
    """``{stack name: {region, status, outputs}}`` of one environment."""
    found: dict[str, dict] = {}
    for region in regions:
        paginator = aws("cloudformation", region).get_paginator("describe_stacks")
        for page in paginator.paginate():
            for stack in page["Stacks"]:
                if stack["StackName"].startswith(f"webstack-{env_name}-") and stack["StackStatus"] != "DELETE_COMPLETE":
                    found[stack["StackName"]] = {
                        "region": region,
                        "status": stack["StackStatus"],
                        "outputs": {o["OutputKey"]: o.get("OutputValue") for o in stack.get("Outputs", [])},
                    }
    return found


def _reusable(target_endpoint: str, env_name: str, flat_outputs: Path) -> tuple[dict[str, str], dict[str, str]] | None:
    """The outputs file and stacks, if ``make up`` already deployed ``env_name`` here."""
    try:
        outputs = json.loads(flat_outputs.read_text())
        web_region = region_of(outputs["DataKeyArn"])
        edge_region = region_of(outputs["EdgeAlertTopicArn"])
    except (OSError, ValueError, KeyError, IndexError):
        return None
    aws = client_factory(target_endpoint, web_region)
    try:
        stacks = env_stacks(aws, env_name, sorted({web_region, edge_region}))
    except ClientError:
        return None
    if f"webstack-{env_name}-web" not in stacks or any(s["status"] not in USABLE_STACK_STATES for s in stacks.values()):
        return None
    try:
        live = flatten_outputs({name: s["outputs"] for name, s in stacks.items()})
    except DeployError:
        return None
    if live != outputs:
        return None  # the file belongs to another deploy (other env, older emulator)
    return outputs, {name: s["region"] for name, s in stacks.items()}


@pytest.fixture(scope="session")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    flat_outputs = outputs_dir() / FLAT_OUTPUTS_FILE
    if TARGET == "aws":
        if not flat_outputs.exists():
            pytest.fail(f"WEBSTACK_TARGET=aws needs {flat_outputs} from a real deploy of {ENV_NAME}", pytrace=False)
        outputs = json.loads(flat_outputs.read_text())
        yield Deployment(env_name=ENV_NAME, outputs=outputs, endpoint=None)
        return

    state_dir = emulator_state_dir()
    info = status(state_dir)
    started = info is None
    if info is None:  # as `make up` starts it: with the data plane and the project's app as targets
        info = start(state_dir, data_plane=DataPlaneOptions(app_command=project.app_command()))
    target = emulator_target(info.endpoint)
    try:
        reused = None if started or CONFIG else _reusable(info.endpoint, ENV_NAME, flat_outputs)
        if reused is not None:
            outputs, stacks = reused
        else:
            assembly = tmp_path_factory.mktemp(f"cdk-{ENV_NAME}") / "cdk.out"
            with local_pager.config_file(ENV_NAME, CONFIG) as with_pager:  # as `make up` deploys it
                if synth(ENV_NAME, assembly, with_pager) != 0:
                    pytest.fail(f"synth of {ENV_NAME} failed (see the output above)", pytrace=False)
            manifest = CloudAssembly.read(assembly)
            region = web_region(manifest)
            local_pager.create_queue(target.client("sqs", region), ENV_NAME, region)
            with deadline(DEPLOY_DEADLINE, assembly) as stopped:
                try:
                    bootstrap(target, manifest)
                    deploy(target, manifest, outputs_dir())  # writes flat-outputs.json, like `make up`
                except DeployError as err:
                    late = (
                        f"cdk deploy did not finish within {DEPLOY_DEADLINE:.0f} s and was stopped.\n"
                        if stopped
                        else ""
                    )
                    pytest.fail(late + str(err), pytrace=False)
            outputs = json.loads(flat_outputs.read_text())
            stacks = {s.name: s.region for s in manifest}
        if dataplane_info(info.endpoint) is not None:  # an emulator of an older `make up` has none
            wait_for_api(info.endpoint, outputs)
        yield Deployment(
            env_name=ENV_NAME, outputs=outputs, endpoint=info.endpoint, started_emulator=started, stacks=stacks
        )
    finally:
        if started:
            stop(state_dir)


@pytest.fixture(scope="session")
def outputs(deployed: Deployment) -> dict[str, str]:
    return deployed.outputs


@pytest.fixture(scope="session")
def aws(deployed: Deployment) -> Callable[..., Any]:
    """``aws(service, region=None)``: a boto3 client for the target; the
    default region is the web stack's."""
    return client_factory(deployed.endpoint, deployed.web_region)


@pytest.fixture(scope="session")
def web_resources(deployed: Deployment, aws: Callable[..., Any]) -> list[dict]:
    """The web stack's resources (CloudFormation's own record, not names we guess)."""
    cfn = aws("cloudformation")
    return cfn.describe_stack_resources(StackName=deployed.web_stack)["StackResources"]
