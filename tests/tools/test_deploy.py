"""The deploy tool's parts that need no emulator: outputs, regions, bootstrap's command line,
`down` with nothing running, "is up" only after verification, destroy's refusals."""

from __future__ import annotations

import dataclasses
import io
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from webstack_tools import deploy as deploy_module
from webstack_tools import lifecycle, verify
from webstack_tools.assembly import CloudAssembly, SynthesizedStack
from webstack_tools.deploy import (
    FLAT_OUTPUTS_FILE,
    STACK_OUTPUTS_FILE,
    DeployError,
    DeployTarget,
    deploy,
    flatten_outputs,
)
from webstack_tools.lifecycle import down
from webstack_tools.verify import web_region


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

    def run(
        target: DeployTarget, cmd: list[str], *, capture: bool = False, cwd: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        ran.append(cmd)
        return subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr(deploy_module, "run_cli", run)
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
        "--no-notices",
    ]
    assert Path(cmd[0]).name == "cdk"


def test_bootstrap_before_synthesis_runs_outside_the_project(tmp_path, monkeypatch):
    """`up` bootstraps while it synthesizes: no assembly yet, so the CLI runs where no cdk.json is."""
    seen: list[tuple[list[str], Path | None]] = []

    def run(
        target: DeployTarget, cmd: list[str], *, capture: bool = False, cwd: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        seen.append((cmd, cwd))
        return subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr(deploy_module, "run_cli", run)
    target = _NoToolkitYet(endpoint="http://localhost:1", account="123456789012")
    assert deploy_module.bootstrap_regions(target, ["us-west-2", "us-east-1", "us-west-2"]) == [
        "us-east-1",
        "us-west-2",
    ]
    [(cmd, cwd)] = seen
    assert "--app" not in cmd and cmd[-3:-1] == ["aws://123456789012/us-east-1", "aws://123456789012/us-west-2"]
    assert cwd is not None and not (cwd / "cdk.json").exists()


def test_belongs_to_names_the_environment_of_every_stack():
    dev = CloudAssembly(
        stacks=(_stack("webstack-dev-web", "us-west-2"), _stack("webstack-dev-edge-monitoring", "us-east-1"))
    )
    assert dev.belongs_to("dev")
    assert not dev.belongs_to("staging") and not dev.belongs_to("de")
    mixed = CloudAssembly(stacks=(_stack("webstack-dev-web", "us-west-2"), _stack("webstack-prod-web", "us-west-2")))
    assert not mixed.belongs_to("dev") and not mixed.belongs_to("prod")
    assert not CloudAssembly(stacks=()).belongs_to("dev")


def _write_assembly(directory: Path, names: list[str]) -> None:
    directory.mkdir(parents=True)
    artifacts = {}
    for name in names:
        (directory / f"{name}.template.json").write_text("{}")
        artifacts[name] = {
            "type": "aws:cloudformation:stack",
            "environment": "aws://123456789012/us-west-2",
            "properties": {"templateFile": f"{name}.template.json"},
        }
    (directory / "manifest.json").write_text(json.dumps({"version": "1", "artifacts": artifacts}))


def test_destroy_refuses_an_assembly_of_another_environment(tmp_path):
    staging = tmp_path / "cdk.out"
    _write_assembly(staging, ["webstack-staging-web", "webstack-staging-edge-monitoring"])
    with pytest.raises(DeployError) as caught, lifecycle._assembly_of("dev", staging):
        pytest.fail("an assembly of staging was accepted for dev")
    message = str(caught.value)
    assert "webstack-staging-web" in message and "not dev's" in message and "nothing was destroyed" in message
    assert "\n" not in message
    with lifecycle._assembly_of("staging", staging) as assembly:
        assert assembly.names == ["webstack-staging-web", "webstack-staging-edge-monitoring"]


def test_destroy_without_a_terminal_asks_for_yes(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(DeployError, match=r"make destroy ENV=dev YES=1"):
        lifecycle._confirmed("dev", ["webstack-dev-web"])


def test_destroy_with_no_emulator_destroys_nothing(tmp_path, capsys):
    assert lifecycle.destroy("dev", state_dir=tmp_path / "state", yes=True) == 0
    assert "nothing to destroy" in capsys.readouterr().out


def _deployment() -> verify.Deployment:
    web = _stack("webstack-dev-web", "us-west-2")
    return verify.Deployment(
        target=DeployTarget(endpoint="http://localhost:1", account="123456789012"),
        assembly=CloudAssembly(stacks=(web,)),
        region="us-west-2",
        outputs={"SiteUrl": "https://d.cloudfront.net"},
    )


def test_is_up_only_after_every_check_passed(monkeypatch, capsys):
    def passes(d: verify.Deployment) -> str:
        return "fine"

    def fails(d: verify.Deployment) -> str:
        raise AssertionError("content bucket is not encrypted")

    monkeypatch.setattr(verify, "CHECKS", [("stacks", passes), ("content bucket", fails)])
    assert lifecycle.finish("dev", _deployment(), 3.0) == 1
    out, err = capsys.readouterr()
    assert "is up" not in out + err
    assert "FAIL  content bucket: content bucket is not encrypted" in out
    assert "verification failed: content bucket" in err and len(err.strip().splitlines()) == 1

    monkeypatch.setattr(verify, "CHECKS", [("stacks", passes)])
    monkeypatch.setattr(lifecycle, "site_url", lambda d: "http://127.0.0.1:8123/")
    assert lifecycle.finish("dev", _deployment(), 3.0) == 0
    out, err = capsys.readouterr()
    assert "webstack dev is up" in out and err == ""
    # The local site's address comes first, before the summary.
    after_checks = out.split("ok    fine\n", 1)[1].strip().splitlines()
    assert after_checks[0] == "open http://127.0.0.1:8123/ in a browser (the local CloudFront edge of dev)"


class _Clients:
    """A DeployTarget stand-in answering the two calls the load-balancer check makes."""

    def __init__(self, scheme: str, origin: dict) -> None:
        self.scheme, self.origin = scheme, origin

    def client(self, service: str, region: str | None = None) -> object:
        outer = self

        class _Client:
            def describe_load_balancers(self) -> dict:
                lb = {
                    "DNSName": "lb-1.us-west-2.elb.amazonaws.com",
                    "Scheme": outer.scheme,
                    "State": {"Code": "active"},
                }
                return {"LoadBalancers": [lb]}

            def get_distribution_config(self, Id: str) -> dict:
                return {"DistributionConfig": {"Origins": {"Items": [outer.origin]}}}

        return _Client()


def _lb_deployment(scheme: str, origin: dict) -> verify.Deployment:
    outputs = {"LoadBalancerDNS": "lb-1.us-west-2.elb.amazonaws.com", "CloudFrontDistributionId": "E1"}
    return dataclasses.replace(_deployment(), target=_Clients(scheme, origin), outputs=outputs)  # type: ignore[arg-type]


def test_an_internal_load_balancer_passes_only_behind_a_vpc_origin():
    through_vpc_origin = {"DomainName": "lb-1.us-west-2.elb.amazonaws.com", "VpcOriginConfig": {"VpcOriginId": "vo_1"}}
    assert "behind a VPC origin" in verify._check_load_balancer(_lb_deployment("internal", through_vpc_origin))
    as_custom_origin = {"DomainName": "lb-1.us-west-2.elb.amazonaws.com", "CustomOriginConfig": {}}
    with pytest.raises(AssertionError, match="not behind a CloudFront VPC origin"):
        verify._check_load_balancer(_lb_deployment("internal", as_custom_origin))
    assert "internal" not in verify._check_load_balancer(_lb_deployment("internet-facing", as_custom_origin))


def test_the_api_check_waits_for_a_target_and_names_the_build(monkeypatch):
    """503 while the target boots, then 200: passes with the build; never 200: one line with the last answer."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from threading import Thread

    answers = [503, 503, 200]

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            status = answers.pop(0) if len(answers) > 1 else answers[0]
            body = b'{"build": "b0b"}' if status == 200 else b"Service Unavailable"
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        monkeypatch.setattr(verify, "site_url", lambda d: f"http://127.0.0.1:{httpd.server_address[1]}/")
        monkeypatch.setattr(verify.time, "sleep", lambda s: None)
        assert verify._check_api(_deployment()).endswith("answers 200 (build b0b)")
        answers[:] = [503]
        monkeypatch.setattr(verify, "API_WAIT_SECONDS", 0.3)
        with pytest.raises(AssertionError, match=r"did not answer 200 within 0 s \(last: 503 Service Unavailable\)"):
            verify._check_api(_deployment())
    finally:
        httpd.shutdown()
        httpd.server_close()


class _DeployedStack:
    """The two CloudFormation calls retained_resources makes, for one deployed stack."""

    def __init__(self, template: dict, physical: dict) -> None:
        self.template, self.physical = template, physical

    def client(self, service: str, region: str | None = None) -> object:
        outer = self

        class _Cfn:
            def get_template(self, StackName: str, TemplateStage: str) -> dict:
                return {"TemplateBody": json.dumps(outer.template)}

            def describe_stack_resources(self, StackName: str) -> dict:
                rows = [{"LogicalResourceId": k, "PhysicalResourceId": v} for k, v in outer.physical.items()]
                return {"StackResources": rows}

        return _Cfn()


def test_destroy_names_what_the_retain_policies_keep():
    """A destroy of a retaining environment says which resources stay (and cost), by
    physical id: deployed resources with DeletionPolicy Retain or RetainExceptOnCreate only."""
    template = {
        "Resources": {
            "Content": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain"},
            "Key": {"Type": "AWS::KMS::Key", "DeletionPolicy": "RetainExceptOnCreate"},
            "Queue": {"Type": "AWS::SQS::Queue", "DeletionPolicy": "Delete"},
            "Topic": {"Type": "AWS::SNS::Topic"},
            "NeverCreated": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain"},
        }
    }
    physical = {"Content": "webstack-prod-content-1", "Key": "k-1", "Queue": "q-1", "Topic": "t-1"}
    stack = SynthesizedStack("webstack-prod-web", "us-west-2", "123456789012", template)
    kept = lifecycle.retained_resources(_DeployedStack(template, physical), [stack])  # type: ignore[arg-type]
    assert kept == [
        "AWS::S3::Bucket webstack-prod-content-1 (webstack-prod-web)",
        "AWS::KMS::Key k-1 (webstack-prod-web)",
    ]
