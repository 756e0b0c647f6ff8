"""The deploy tool's parts that need no emulator: outputs, regions, `down` with nothing running."""

from __future__ import annotations

import pytest

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
