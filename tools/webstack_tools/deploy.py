"""Deploy an environment to the local emulator (or any AWS endpoint) and prove it.

    python -m webstack_tools up      --env dev [--config FILE]   # synth, start emulator, bootstrap, deploy, verify
    python -m webstack_tools destroy --env dev                   # cdk destroy --all
    python -m webstack_tools down                                # stop the emulator, remove outputs

``up`` is what ``make up`` runs after the compliance gate. It deploys through
the pinned CDK CLI, writes ``cfn-outputs/flat-outputs.json`` (one flat
``{OutputKey: value}`` object across all stacks), runs the post-deploy
verification and prints a summary. A failed deploy reports the failing
resource, its type and the reason, removes what it half-deployed, and exits
non-zero.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError

from webstack_emulator import ACCOUNT_ID, endpoint_env, reset, start, status, stop
from webstack_pitfalls import CLOUDFRONT_REGION
from webstack_tools import project
from webstack_tools.assembly import PLUMBING_OUTPUT_PREFIXES, CloudAssembly, SynthesizedStack
from webstack_tools.cdk import cdk_cli, cdk_cli_env, synth
from webstack_tools.project import project_root

FLAT_OUTPUTS_FILE = "flat-outputs.json"
STACK_OUTPUTS_FILE = "stack-outputs.json"
# Stack states a deployed environment may be in and still be used (an update
# that rolled back leaves the previous, working version in place).
USABLE_STACK_STATES = frozenset({"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE"})
_FAILED_CREATE_STATES = frozenset({"ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "CREATE_FAILED"})
_ALARM_TYPES = ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm")


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


class DeployError(RuntimeError):
    """A deployment step failed; the message says what and how to fix it."""


@dataclass
class DeployTarget:
    """Where to deploy: the local emulator (endpoint set) or a real account."""

    endpoint: str | None
    account: str
    env: dict[str, str] = field(default_factory=dict)

    def client(self, service: str, region: str) -> Any:
        session = boto3.session.Session(
            aws_access_key_id=self.env.get("AWS_ACCESS_KEY_ID"),
            aws_secret_access_key=self.env.get("AWS_SECRET_ACCESS_KEY"),
            aws_session_token=self.env.get("AWS_SESSION_TOKEN"),
        )
        return session.client(service, region_name=region, endpoint_url=self.endpoint)


def emulator_target(endpoint: str) -> DeployTarget:
    """The emulator at ``endpoint``, with the CDK CLI's environment pointed at it."""
    return DeployTarget(endpoint=endpoint, account=ACCOUNT_ID, env={**cdk_cli_env(), **endpoint_env(endpoint)})


def local_target(state_dir: Path) -> DeployTarget:
    """The emulator recorded in ``state_dir``, started first if none runs."""
    info = status(state_dir)
    if info is None:
        say("starting the local AWS emulator (moto + webstack providers) on localhost")
        info = start(state_dir)
    else:
        say(f"reusing the local AWS emulator at {info.endpoint}")
    return emulator_target(info.endpoint)


def _run(cmd: list[str], env: dict[str, str], *, capture: bool = False) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, check=False, cwd=project_root(), env=env, text=True, capture_output=capture)


def bootstrap(target: DeployTarget, assembly: CloudAssembly) -> None:
    """``cdk bootstrap`` of every region of ``assembly`` that has no CDKToolkit stack yet."""
    regions = sorted(set(assembly.regions))
    missing = []
    for region in regions:
        try:
            target.client("cloudformation", region).describe_stacks(StackName="CDKToolkit")
        except ClientError:
            missing.append(region)
    if not missing:
        say(f"CDK bootstrap present in {', '.join(regions)}")
        return
    say(f"cdk bootstrap {', '.join(missing)}")
    # In a project directory `cdk bootstrap` synthesizes cdk.json's app first (with
    # the default context: env=dev) into cdk.out, replacing the assembly about to be
    # deployed. `--app` with the synthesized directory makes it read that instead.
    app = [] if assembly.directory is None else ["--app", str(assembly.directory)]
    environments = [f"aws://{target.account}/{r}" for r in missing]
    result = _run([*cdk_cli(), "bootstrap", *app, *environments], target.env, capture=True)
    if result.returncode != 0:
        raise DeployError(f"cdk bootstrap failed:\n{result.stderr[-3000:]}")


def failure_report(target: DeployTarget, stacks: Iterable[SynthesizedStack]) -> str:
    """The failed resources of the given stacks, one readable block."""
    lines = []
    for stack in stacks:
        cfn = target.client("cloudformation", stack.region)
        try:
            events = cfn.describe_stack_events(StackName=stack.name)["StackEvents"]
        except ClientError:
            continue
        for event in events:
            if event.get("ResourceStatus", "").endswith("_FAILED") and event.get("ResourceStatusReason"):
                lines.append(
                    f"  stack    {stack.name} ({stack.region})\n"
                    f"  resource {event.get('LogicalResourceId')} ({event.get('ResourceType')})\n"
                    f"  reason   {event['ResourceStatusReason']}"
                )
                break
    return "\n".join(lines)


def stack_status(target: DeployTarget, name: str, region: str) -> str | None:
    try:
        state: str = target.client("cloudformation", region).describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]
    except ClientError:
        return None
    return state


def deploy(target: DeployTarget, assembly: CloudAssembly, outputs_dir: Path) -> dict[str, str]:
    """``cdk deploy --all`` of a synthesized ``assembly``; writes ``outputs_dir/flat-outputs.json``
    and returns its contents. On failure: what failed, nothing half-deployed left, DeployError."""
    if assembly.directory is None:
        raise DeployError("cdk deploy needs a synthesized cdk.out directory; this assembly was synthesized in memory")
    before = {s.name: stack_status(target, s.name, s.region) for s in assembly}
    outputs_dir.mkdir(parents=True, exist_ok=True)
    raw = outputs_dir / STACK_OUTPUTS_FILE
    say(f"cdk deploy --all ({', '.join(assembly.names)})")
    result = _run(
        [
            *cdk_cli(),
            "deploy",
            "--all",
            "--app",
            str(assembly.directory),
            "--require-approval",
            "never",
            "--outputs-file",
            str(raw),
            "--progress",
            "events",
        ],
        target.env,
    )
    if result.returncode != 0:
        report = failure_report(target, assembly)
        _remove_half_deployed(target, assembly, before)
        raise DeployError(
            "cdk deploy failed.\n"
            + (report or "  (no failed resource recorded; see the CDK output above)")
            + "\nNothing half-deployed was left behind. Fix the cause and run `make up` again."
        )
    flat = flatten_outputs(json.loads(raw.read_text()))
    (outputs_dir / FLAT_OUTPUTS_FILE).write_text(json.dumps(flat, indent=2, sort_keys=True) + "\n")
    return flat


def flatten_outputs(nested: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """``{stack: {key: value}}`` -> ``{key: value}``, without CDK's cross-stack plumbing."""
    flat: dict[str, str] = {}
    for stack_outputs in nested.values():
        for key, value in stack_outputs.items():
            if key.startswith(PLUMBING_OUTPUT_PREFIXES):
                continue
            if key in flat and flat[key] != value:
                raise DeployError(f"output {key} appears in two stacks with different values")
            flat[key] = value
    return flat


def _remove_half_deployed(target: DeployTarget, assembly: CloudAssembly, before: Mapping[str, str | None]) -> None:
    """Delete stacks this run created and could not finish; keep ones that existed."""
    for stack in reversed(assembly.stacks):
        now = stack_status(target, stack.name, stack.region)
        created_now = before.get(stack.name) is None
        if now is None or not (created_now or now in _FAILED_CREATE_STATES):
            continue
        say(f"removing half-deployed {stack.name}")
        cfn = target.client("cloudformation", stack.region)
        cfn.update_termination_protection(EnableTerminationProtection=False, StackName=stack.name)
        cfn.delete_stack(StackName=stack.name)
        try:
            cfn.get_waiter("stack_delete_complete").wait(
                StackName=stack.name, WaiterConfig={"Delay": 1, "MaxAttempts": 120}
            )
        except Exception:
            if target.endpoint:
                say("stack deletion failed in the emulator; resetting it")
                reset(target.endpoint)
                return


# --------------------------------------------------------------------------
# Post-deploy verification: cheap, read-only checks of what a user relies on.
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Deployment:
    """What the verification looks at: where it runs, what was deployed, its outputs."""

    target: DeployTarget
    assembly: CloudAssembly
    region: str  # the web stack's
    outputs: Mapping[str, str]


Check = Callable[[Deployment], str]


def _check_stacks(d: Deployment) -> str:
    for stack in d.assembly:
        state = stack_status(d.target, stack.name, stack.region)
        assert state in USABLE_STACK_STATES, f"{stack.name} is {state}"
    return f"{len(d.assembly)} stacks complete"


def _check_bucket(d: Deployment) -> str:
    s3 = d.target.client("s3", d.region)
    bucket = d.outputs["S3BucketName"]
    s3.head_bucket(Bucket=bucket)
    sse = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert sse["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms", sse
    return f"content bucket {bucket}: reachable, SSE-KMS"


def _check_distribution(d: Deployment) -> str:
    cloudfront = d.target.client("cloudfront", CLOUDFRONT_REGION)
    dist = cloudfront.get_distribution(Id=d.outputs["CloudFrontDistributionId"])["Distribution"]
    expected = d.outputs["CloudFrontDomainName"]
    assert dist["DomainName"] == expected, (dist["DomainName"], expected)
    return f"distribution {dist['Id']} serves {dist['DomainName']}"


def _check_load_balancer(d: Deployment) -> str:
    elbv2 = d.target.client("elbv2", d.region)
    lbs = elbv2.describe_load_balancers()["LoadBalancers"]
    match = [lb for lb in lbs if lb["DNSName"] == d.outputs["LoadBalancerDNS"]]
    assert match, f"no load balancer with DNS {d.outputs['LoadBalancerDNS']}"
    assert match[0]["Scheme"] == "internet-facing"
    return f"ALB {d.outputs['LoadBalancerDNS']} ({match[0]['State']['Code']})"


def _check_asg(d: Deployment) -> str:
    asg = d.target.client("autoscaling", d.region)
    group = asg.describe_auto_scaling_groups(AutoScalingGroupNames=[d.outputs["AutoScalingGroupName"]])[
        "AutoScalingGroups"
    ][0]
    policies = asg.describe_policies(AutoScalingGroupName=group["AutoScalingGroupName"])["ScalingPolicies"]
    return f"ASG {group['MinSize']}..{group['MaxSize']} with {len(policies)} scaling policies"


def _stack_alarms(target: DeployTarget, stack: SynthesizedStack) -> int:
    """How many alarms ``stack`` deployed (0: none); AssertionError if one is missing or has no action."""
    cfn = target.client("cloudformation", stack.region)
    names = [
        r["PhysicalResourceId"]
        for r in cfn.describe_stack_resources(StackName=stack.name)["StackResources"]
        if r["ResourceType"] in _ALARM_TYPES
    ]
    if not names:
        return 0
    cloudwatch = target.client("cloudwatch", stack.region)
    found: dict[str, dict[str, Any]] = {}
    for kind in ("MetricAlarm", "CompositeAlarm"):
        page = cloudwatch.describe_alarms(AlarmNames=names, AlarmTypes=[kind])
        for alarm in page["MetricAlarms"] + page["CompositeAlarms"]:
            found[alarm["AlarmName"]] = alarm
    missing = sorted(set(names) - set(found))
    assert not missing, f"alarms not found: {missing}"
    silent = sorted(n for n, a in found.items() if not a.get("AlarmActions"))
    assert not silent, f"alarms without actions: {silent}"
    return len(found)


def _check_alarms(d: Deployment) -> str:
    counts = []
    for stack in d.assembly:
        found = _stack_alarms(d.target, stack)
        if found:
            counts.append(f"{found} in {stack.name}")
    return "alarms, all with actions: " + ", ".join(counts)


CHECKS: list[tuple[str, Check]] = [
    ("stacks", _check_stacks),
    ("content bucket", _check_bucket),
    ("distribution", _check_distribution),
    ("load balancer", _check_load_balancer),
    ("auto scaling", _check_asg),
    ("alarms", _check_alarms),
]


def verify(deployment: Deployment) -> list[str]:
    """Run every check, print its line; the names of the checks that failed."""
    failures = []
    for name, check in CHECKS:
        try:
            print(f"  ok    {check(deployment)}")
        except (AssertionError, ClientError, KeyError) as err:
            failures.append(name)
            print(f"  FAIL  {name}: {err}")
    return failures


def summary_table(env_name: str, assembly: CloudAssembly, outputs: Mapping[str, str], seconds: float) -> str:
    lines = ["", f"webstack {env_name} is up ({seconds:.0f} s)", ""]
    lines.append(f"  {'stack':<34} {'region':<11} {'resources':>9}  alarms")
    for s in assembly:
        alarms = sum(1 for r in s.resources.values() if r["Type"] in _ALARM_TYPES)
        lines.append(f"  {s.name:<34} {s.region:<11} {len(s.resources):>9}  {alarms}")
    lines += ["", "  outputs (cfn-outputs/flat-outputs.json):"]
    first = ["SiteUrl", "CloudFrontDomainName", "LoadBalancerDNS", "S3BucketName"]
    for key in first + sorted(k for k in outputs if k not in first):
        if key in outputs:
            lines.append(f"    {key:<26} {outputs[key]}")
    return "\n".join(lines)


def web_region(assembly: CloudAssembly) -> str:
    """The region of the web stack (the application's region)."""
    if len(assembly) == 1:
        return assembly.stacks[0].region
    return next(s.region for s in assembly if s.name.endswith("-web"))


def up(env_name: str, config: str | None, assembly_dir: Path, *, state_dir: Path, outputs_dir: Path) -> int:
    started = time.monotonic()
    say(f"synthesizing {env_name}")
    if synth(env_name, assembly_dir, config) != 0:
        return 2
    assembly = CloudAssembly.read(assembly_dir)
    target = local_target(state_dir)
    try:
        bootstrap(target, assembly)
        outputs = deploy(target, assembly, outputs_dir)
    except DeployError as err:
        print(f"\nwebstack: {err}", file=sys.stderr)
        return 1
    say("verifying the deployment")
    failures = verify(Deployment(target, assembly, web_region(assembly), outputs))
    print(summary_table(env_name, assembly, outputs, time.monotonic() - started))
    print(f"\n  The emulator keeps running at {target.endpoint}: `make down` stops it and removes the outputs.")
    if failures:
        print(f"\nwebstack: verification failed: {', '.join(failures)}", file=sys.stderr)
        return 1
    return 0


def destroy(env_name: str, assembly_dir: Path, *, state_dir: Path) -> int:
    info = status(state_dir)
    if info is None:
        print("webstack: no local emulator is running; nothing to destroy", file=sys.stderr)
        return 0
    if not (assembly_dir / "manifest.json").exists() and synth(env_name, assembly_dir) != 0:
        return 2
    say(f"cdk destroy --all ({env_name})")
    target = emulator_target(info.endpoint)
    result = _run([*cdk_cli(), "destroy", "--all", "--force", "--app", str(assembly_dir)], target.env)
    return result.returncode


def down(*, state_dir: Path, outputs_dir: Path) -> int:
    stopped = stop(state_dir)
    say("emulator stopped" if stopped else "no emulator was running")
    for name in (FLAT_OUTPUTS_FILE, STACK_OUTPUTS_FILE):
        (outputs_dir / name).unlink(missing_ok=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m webstack_tools")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("up", "destroy"):
        p = sub.add_parser(name)
        p.add_argument("--env", default="dev")
        p.add_argument("--out", type=Path, default=Path("cdk.out"), help="assembly directory (default cdk.out)")
        if name == "up":
            p.add_argument("--config", default=None, help="JSON file of configuration overrides")
    sub.add_parser("down")
    args = parser.parse_args(argv)
    if args.command == "down":
        return down(state_dir=project.emulator_state_dir(), outputs_dir=project.outputs_dir())
    assembly_dir = args.out if args.out.is_absolute() else project_root() / args.out
    if args.command == "up":
        return up(
            args.env,
            args.config,
            assembly_dir,
            state_dir=project.emulator_state_dir(),
            outputs_dir=project.outputs_dir(),
        )
    return destroy(args.env, assembly_dir, state_dir=project.emulator_state_dir())
