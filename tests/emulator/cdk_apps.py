"""Public CDK sample apps in the emulator, the way the CDK CLI handles an app.

* :func:`sample_sources` -- the pinned upstream files (``sample_apps/pins.json``:
  repository, commit, and the git blob id of every file used) read from a
  checkout named by ``WEBSTACK_CDK_EXAMPLES``: a clone (or bare mirror) of
  aws-samples/aws-cdk-examples, or any directory holding the same files.
  Their code is not copied into this repository (``sample_apps/README.md``).
  Every file's content is checked against its pinned blob id, so the test runs
  exactly the pinned upstream code wherever it comes from.
* :func:`synthesize` -- ``cdk synth``: the app command of the app's
  ``cdk.json`` run in the app's directory with ``CDK_OUTDIR`` and
  ``CDK_CONTEXT_JSON`` (the ``cdk.json`` context) set, as the CLI runs it. A
  separate process because the apps build their ``App()`` at import and
  resolve asset paths against the process's working directory, which an
  in-process jsii kernel does not share. The apps synthesize with the
  default stack synthesizer, so they need the bootstrap stack.
* :func:`bootstrap` -- ``cdk bootstrap``: the CLI's own bootstrap template
  (``node_modules/aws-cdk``) deployed as stack ``CDKToolkit``, which gives
  the assets bucket and the ``/cdk-bootstrap/hnb659fds/version`` parameter
  the templates' ``BootstrapVersion`` parameter reads.
* :func:`publish_assets` -- what ``cdk deploy`` publishes first: every file
  asset of the stack's asset manifest, directories zipped, put to its
  destination bucket and key.
* :func:`deploy_stack` -- CreateChangeSet (TemplateBody) and
  ExecuteChangeSet, as the other emulator tests and the CLI do.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shlex
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from webstack_emulator import ACCOUNT_ID

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PINS = json.loads((HERE / "sample_apps" / "pins.json").read_text())
CHECKOUT_ENV = "WEBSTACK_CDK_EXAMPLES"
BOOTSTRAP_TEMPLATE = ROOT / "node_modules" / "aws-cdk" / "lib" / "api" / "bootstrap" / "bootstrap-template.yaml"
CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]
SYNTH_TIMEOUT = 600  # seconds, for all apps together on a loaded machine


def _blob_id(content: bytes) -> str:
    """git's object id of a file (``git hash-object``)."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content, usedforsecurity=False).hexdigest()


def _read_from(checkout: Path, commit: str, path: str) -> bytes | None:
    on_disk = checkout / path
    if on_disk.is_file():
        return on_disk.read_bytes()
    shown = subprocess.run(
        ["git", "-C", str(checkout), "cat-file", "blob", f"{commit}:{path}"], capture_output=True, check=False
    )
    return shown.stdout if shown.returncode == 0 else None


def checkout() -> Path:
    """The checkout named by ``WEBSTACK_CDK_EXAMPLES``, or skip with how to provide it."""
    value = os.environ.get(CHECKOUT_ENV, "").strip()
    if not value:
        pytest.skip(
            f"set {CHECKOUT_ENV} to a clone of {PINS['repository']} with commit {PINS['commit'][:12]} "
            "(its sample apps are not copied into this repository: tests/emulator/sample_apps/README.md)"
        )
    path = Path(value).expanduser()
    if not path.is_dir():
        pytest.fail(f"{CHECKOUT_ENV}={value} is not a directory; point it at a clone of {PINS['repository']}")
    return path


def sample_sources(app: str, dest: Path) -> Path:
    """Write the pinned files of ``app`` under ``dest`` and return the app directory."""
    root = checkout()
    pin = PINS["apps"][app]
    target = dest / app
    for relative, blob in pin["files"].items():
        upstream = f"{pin['path']}/{relative}"
        content = _read_from(root, PINS["commit"], upstream)
        if content is None or _blob_id(content) != blob:
            found = "missing" if content is None else f"blob {_blob_id(content)}"
            pytest.fail(
                f"{upstream} in {root} is {found}, not the pinned blob {blob}: "
                f"check out commit {PINS['commit']} of {PINS['repository']} there",
                pytrace=False,
            )
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        (target / relative).write_bytes(content)
    return target


def _app_command(app_dir: Path) -> tuple[list[str], dict[str, Any]]:
    cdk_json = json.loads((app_dir / "cdk.json").read_text())
    command = shlex.split(cdk_json["app"])
    if not command or Path(command[0]).name not in ("python", "python3"):
        pytest.fail(f"{app_dir.name}: cdk.json app {cdk_json['app']!r} is not a Python command", pytrace=False)
    return [sys.executable, *command[1:]], cdk_json.get("context") or {}


def synthesize(app_dirs: Iterable[Path], outdir: Path) -> dict[str, Path]:
    """``cdk synth`` of every app at once; ``{app: cloud assembly directory}``."""
    running: dict[str, tuple[subprocess.Popen[str], Path]] = {}
    for app_dir in app_dirs:
        command, context = _app_command(app_dir)
        assembly = outdir / app_dir.name
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CDK_", "AWS_"))}
        env.update(CDK_OUTDIR=str(assembly), CDK_CONTEXT_JSON=json.dumps(context))
        proc = subprocess.Popen(
            command, cwd=app_dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        running[app_dir.name] = (proc, assembly)
    assemblies = {}
    for name, (proc, assembly) in running.items():
        output, _ = proc.communicate(timeout=SYNTH_TIMEOUT)
        if proc.returncode != 0:
            pytest.fail(f"synth of {name} failed (exit {proc.returncode}):\n{output[-3000:]}", pytrace=False)
        assemblies[name] = assembly
    return assemblies


@dataclass(frozen=True)
class StackArtifact:
    """One stack of a cloud assembly (manifest.json artifact of type aws:cloudformation:stack)."""

    assembly: Path
    name: str
    template_file: str
    assets_file: str | None

    @property
    def template(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads((self.assembly / self.template_file).read_text())
        return loaded


def stacks_of(assembly: Path) -> list[StackArtifact]:
    manifest = json.loads((assembly / "manifest.json").read_text())
    artifacts = manifest["artifacts"]
    found = []
    for artifact_id, artifact in artifacts.items():
        if artifact["type"] != "aws:cloudformation:stack":
            continue
        assets = next(
            (artifacts[d]["properties"]["file"] for d in artifact.get("dependencies", []) if d.endswith(".assets")),
            None,
        )
        name = artifact.get("properties", {}).get("stackName", artifact_id)
        found.append(StackArtifact(assembly, name, artifact["properties"]["templateFile"], assets))
    return found


def bootstrap(cfn: Any) -> None:
    """Deploy the CDK CLI's bootstrap template as ``CDKToolkit`` (once per region)."""
    if not BOOTSTRAP_TEMPLATE.is_file():
        pytest.skip("the CDK CLI is not installed (make install): its bootstrap template is needed")
    try:
        status = cfn.describe_stacks(StackName="CDKToolkit")["Stacks"][0]["StackStatus"]
    except ClientError:
        status = None
    if status == "CREATE_COMPLETE":
        return
    # `cdk bootstrap` without --bootstrap-customer-key passes AWS_MANAGED_KEY.
    deployed = deploy_stack(
        cfn,
        "CDKToolkit",
        BOOTSTRAP_TEMPLATE.read_text(),
        [{"ParameterKey": "FileAssetsBucketKmsKeyId", "ParameterValue": "AWS_MANAGED_KEY"}],
    )
    assert deployed["StackStatus"] == "CREATE_COMPLETE", deployed


def _substitute(text: str, region: str) -> str:
    return text.replace("${AWS::AccountId}", ACCOUNT_ID).replace("${AWS::Region}", region)


def _zip_directory(directory: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(directory).as_posix())
    return buffer.getvalue()


def publish_assets(s3: Any, stack: StackArtifact, region: str) -> list[str]:
    """Put every file asset of ``stack`` where its manifest says; the keys put."""
    if stack.assets_file is None:
        return []
    manifest = json.loads((stack.assembly / stack.assets_file).read_text())
    published = []
    for asset in manifest.get("files", {}).values():
        source = stack.assembly / asset["source"]["path"]
        body = _zip_directory(source) if asset["source"].get("packaging") == "zip" else source.read_bytes()
        for destination in asset["destinations"].values():
            key = _substitute(destination["objectKey"], region)
            s3.put_object(Bucket=_substitute(destination["bucketName"], region), Key=key, Body=body)
            published.append(key)
    return published


def deploy_stack(cfn: Any, name: str, body: str, parameters: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """CreateChangeSet + ExecuteChangeSet; the stack as DescribeStacks returns it."""
    change_set = cfn.create_change_set(
        StackName=name,
        ChangeSetName="cdk-deploy-change-set",
        TemplateBody=body,
        ChangeSetType="CREATE",
        Capabilities=CAPABILITIES,
        Parameters=parameters or [],
    )
    cfn.execute_change_set(ChangeSetName=change_set["Id"], StackName=name)
    stack: dict[str, Any] = cfn.describe_stacks(StackName=change_set["StackId"])["Stacks"][0]
    return stack


def failures(cfn: Any, stack_id: str) -> list[str]:
    events = cfn.describe_stack_events(StackName=stack_id)["StackEvents"]
    return [
        f"{e['LogicalResourceId']}: {e.get('ResourceStatusReason')}"
        for e in events
        if e["ResourceStatus"].endswith("FAILED")
    ]


def delete_stack(cfn: Any, stack_id: str) -> str:
    """DeleteStack; the final status (stacks are addressed by id once deleted)."""
    cfn.delete_stack(StackName=stack_id)
    status: str = cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"]
    return status


# -- is a deployed resource still there? ----------------------------------------
# probe(clients, physical id) -> exists; one per type the sample apps use whose
# existence the service's API shows. Types that live inside another resource
# (a function's permission, a queue's policy, an API's methods) are in
# PART_OF: they go with the resource named there, whose probe shows it.
Clients = Callable[[str], Any]


def _gone(call: Callable[[], Any], *codes: str) -> bool:
    try:
        call()
    except ClientError as exc:
        if exc.response["Error"]["Code"] in codes:
            return False
        raise
    return True


PROBES: dict[str, Callable[[Clients, str], bool]] = {
    "AWS::IAM::Role": lambda c, pid: _gone(lambda: c("iam").get_role(RoleName=pid), "NoSuchEntity"),
    "AWS::Lambda::Function": lambda c, pid: _gone(
        lambda: c("lambda").get_function(FunctionName=pid), "ResourceNotFoundException"
    ),
    "AWS::Lambda::EventSourceMapping": lambda c, pid: _gone(
        lambda: c("lambda").get_event_source_mapping(UUID=pid), "ResourceNotFoundException"
    ),
    "AWS::Events::Rule": lambda c, pid: _gone(
        lambda: c("events").describe_rule(Name=pid.split("|")[-1]), "ResourceNotFoundException"
    ),
    "AWS::SQS::Queue": lambda c, pid: _gone(
        lambda: c("sqs").get_queue_attributes(QueueUrl=pid), "AWS.SimpleQueueService.NonExistentQueue"
    ),
    "AWS::SNS::Topic": lambda c, pid: _gone(lambda: c("sns").get_topic_attributes(TopicArn=pid), "NotFound"),
    "AWS::SNS::Subscription": lambda c, pid: _gone(
        lambda: c("sns").get_subscription_attributes(SubscriptionArn=pid), "NotFound"
    ),
    "AWS::S3::Bucket": lambda c, pid: _gone(lambda: c("s3").head_bucket(Bucket=pid), "404", "NoSuchBucket"),
    "AWS::ApiGateway::RestApi": lambda c, pid: _gone(
        lambda: c("apigateway").get_rest_api(restApiId=pid), "NotFoundException"
    ),
    # CDK's LogRetention handler keeps the log group on delete unless told to remove it.
    "Custom::LogRetention": lambda c, pid: bool(
        [g for g in c("logs").describe_log_groups(logGroupNamePrefix=pid)["logGroups"] if g["logGroupName"] == pid]
    ),
}
PART_OF = {
    "AWS::IAM::Policy": "AWS::IAM::Role",
    "AWS::Lambda::Permission": "AWS::Lambda::Function",
    "AWS::SQS::QueuePolicy": "AWS::SQS::Queue",
    "AWS::SNS::TopicPolicy": "AWS::SNS::Topic",
    "AWS::ApiGateway::Resource": "AWS::ApiGateway::RestApi",
    "AWS::ApiGateway::Method": "AWS::ApiGateway::RestApi",
    "AWS::ApiGateway::Deployment": "AWS::ApiGateway::RestApi",
    "AWS::ApiGateway::Stage": "AWS::ApiGateway::RestApi",
    # the notification configuration of the bucket (the app's test checks it)
    "Custom::S3BucketNotifications": "AWS::S3::Bucket",
    # a region-wide setting, not a resource; Retain in CDK's templates (the app's test checks it)
    "AWS::ApiGateway::Account": "the region's API Gateway settings",
    "AWS::CDK::Metadata": "nothing (no AWS resource)",
}


def kept_after_delete(resource: dict[str, Any]) -> bool:
    """Whether AWS keeps the resource when its stack is deleted."""
    if resource.get("DeletionPolicy") in ("Retain", "RetainExceptOnCreate"):
        return True
    return (
        resource["Type"] == "Custom::LogRetention" and resource.get("Properties", {}).get("RemovalPolicy") != "destroy"
    )


def unprobed_types(template: dict[str, Any]) -> list[str]:
    return sorted({r["Type"] for r in template["Resources"].values()} - set(PROBES) - set(PART_OF))


def left_behind(clients: Clients, template: dict[str, Any], physical: dict[str, str]) -> dict[str, list[str]]:
    """After a delete: ``{"kept": [...], "gone": [...], "wrong": [...]}`` by logical id; ``wrong``
    lists what is there though AWS deletes it, or gone though AWS keeps it."""
    outcome: dict[str, list[str]] = {"kept": [], "gone": [], "wrong": []}
    for logical_id, resource in template["Resources"].items():
        probe = PROBES.get(resource["Type"])
        if probe is None:
            continue
        exists = probe(clients, physical[logical_id])
        expected = kept_after_delete(resource)
        outcome["kept" if exists else "gone"].append(logical_id)
        if exists != expected:
            outcome["wrong"].append(f"{logical_id} ({resource['Type']}): {'still there' if exists else 'gone'}")
    return outcome
