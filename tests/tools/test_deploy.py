"""The deploy tool's parts that need no emulator: outputs, regions, `down` with nothing running."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from webstack_tools import deploy as deploy_module
from webstack_tools.assembly import CloudAssembly, SynthesizedStack
from webstack_tools.deploy import (
    FLAT_OUTPUTS_FILE,
    STACK_OUTPUTS_FILE,
    DeployError,
    DeployTarget,
    deploy,
    down,
    flatten_outputs,
    web_region,
)


def test_flatten_outputs_merges_stacks_without_plumbing():
    nested = {
        "webstack-dev-web": {"S3BucketName": "b", "ExportsOutputRefKey": "k"},
        "webstack-dev-edge-monitoring": {"EdgeAlertTopicArn": "t", "PublishOutputX": "x"},
    }
    assert flatten_outputs(nested) == {"S3BucketName": "b", "EdgeAlertTopicArn": "t"}


def test_the_same_output_with_two_values_is_an_error():
    with pytest.raises(DeployError, match="SiteUrl appears in two stacks"):
        flatten_outputs({"a": {"SiteUrl": "x"}, "b": {"SiteUrl": "y"}})
    assert flatten_outputs({"a": {"SiteUrl": "x"}, "b": {"SiteUrl": "x"}}) == {"SiteUrl": "x"}


def _stack(name: str, region: str) -> SynthesizedStack:
    return SynthesizedStack(name=name, region=region, account="123456789012", template={})


def test_web_region_is_the_web_stacks():
    edge, web = _stack("webstack-prod-edge", "us-east-1"), _stack("webstack-prod-web", "eu-west-1")
    assert web_region(CloudAssembly(stacks=(edge, web))) == "eu-west-1"
    assert web_region(CloudAssembly(stacks=(_stack("only", "us-west-2"),))) == "us-west-2"


def test_deploy_needs_a_cdk_out_directory(tmp_path):
    in_memory = CloudAssembly(stacks=(_stack("webstack-dev-web", "us-west-2"),))
    with pytest.raises(DeployError, match=r"cdk\.out"):
        deploy(DeployTarget(endpoint=None, account="123456789012"), in_memory, tmp_path / "outputs")
    assert not (tmp_path / "outputs").exists()


def test_down_with_no_emulator_removes_the_outputs_it_owns(tmp_path, capsys):
    outputs = tmp_path / "cfn-outputs"
    outputs.mkdir()
    for name in (FLAT_OUTPUTS_FILE, STACK_OUTPUTS_FILE, "notes.txt"):
        (outputs / name).write_text("{}")
    assert down(state_dir=tmp_path / "state", outputs_dir=outputs) == 0
    assert sorted(p.name for p in outputs.iterdir()) == ["notes.txt"]
    assert "no emulator was running" in capsys.readouterr().out


class _NoToolkitYet(DeployTarget):
    """A target whose regions have no CDKToolkit stack (describe_stacks fails)."""

    def client(self, service: str, region: str) -> Any:
        class Cfn:
            def describe_stacks(self, StackName: str) -> Any:
                raise ClientError({"Error": {"Code": "ValidationError", "Message": "does not exist"}}, "DescribeStacks")

        return Cfn()


def test_bootstrap_reads_the_synthesized_assembly(tmp_path, monkeypatch):
    """Without --app, `cdk bootstrap` in the project synthesizes the default env (dev) into cdk.out,
    replacing the assembly `make up ENV=prod` is about to deploy."""
    ran: list[list[str]] = []

    def run(cmd: list[str], env: dict[str, str], *, capture: bool = False) -> subprocess.CompletedProcess[str]:
        ran.append(cmd)
        return subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr(deploy_module, "_run", run)
    edge, web = _stack("webstack-prod-edge", "us-east-1"), _stack("webstack-prod-web", "us-west-2")
    assembly = CloudAssembly(stacks=(edge, web), directory=tmp_path / "cdk.out")
    deploy_module.bootstrap(_NoToolkitYet(endpoint="http://localhost:1", account="123456789012"), assembly)
    [cmd] = ran
    assert cmd[1:] == [
        "bootstrap",
        "--app",
        str(tmp_path / "cdk.out"),
        "aws://123456789012/us-east-1",
        "aws://123456789012/us-west-2",
    ]
    assert Path(cmd[0]).name == "cdk"
