"""Deploy an environment to the local emulator (or any AWS endpoint) and prove it.

    python -m webstack_tools.deploy up      --env dev [--config FILE]   # synth, start emulator, bootstrap, deploy, verify
    python -m webstack_tools.deploy destroy --env dev                   # cdk destroy --all
    python -m webstack_tools.deploy down                                # stop the emulator, remove outputs

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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import boto3
from botocore.exceptions import ClientError
from webstack_emulator import ACCOUNT_ID, endpoint_env, reset, start, status, stop
from webstack_tools.cli import ROOT, cdk_command, load_assembly, synth, tool_env

OUTPUTS_DIR = ROOT / "cfn-outputs"
FLAT_OUTPUTS = OUTPUTS_DIR / "flat-outputs.json"
_PLUMBING = ("PublishOutput", "ExportsOutput")
_GOOD = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE"}


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


class DeployError(RuntimeError):
    """A deployment step failed; the message says what and how to fix it."""


@dataclass
class Target:
    """Where to deploy: the local emulator (endpoint set) or a real account."""

    endpoint: str | None
    account: str
    env: dict[str, str] = field(default_factory=dict)

    def client(self, service: str, region: str):
        session = boto3.session.Session(
            aws_access_key_id=self.env.get("AWS_ACCESS_KEY_ID"),
            aws_secret_access_key=self.env.get("AWS_SECRET_ACCESS_KEY"),
            aws_session_token=self.env.get("AWS_SESSION_TOKEN"),
        )
        return session.client(service, region_name=region, endpoint_url=self.endpoint)


def local_target() -> Target:
    info = status()
    if info is None:
        say("starting the local AWS emulator (moto + webstack providers) on localhost")
        info = start()
    else:
        say(f"reusing the local AWS emulator at {info.endpoint}")
    env = {**tool_env(), **endpoint_env(info.endpoint)}
    return Target(endpoint=info.endpoint, account=ACCOUNT_ID, env=env)


def _run(cmd: list[str], env: dict[str, str], *, capture: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=ROOT, env=env, text=True, capture_output=capture)


def bootstrap(target: Target, regions: list[str]) -> None:
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
    result = _run(
        [*cdk_command(), "bootstrap", *[f"aws://{target.account}/{r}" for r in missing]], target.env, capture=True
    )
    if result.returncode != 0:
        raise DeployError(f"cdk bootstrap failed:\n{result.stderr[-3000:]}")


def failure_report(target: Target, stacks: list[dict]) -> str:
    """The failed resources of the given stacks, one readable block."""
    lines = []
    for stack in stacks:
        cfn = target.client("cloudformation", stack["region"])
        try:
            events = cfn.describe_stack_events(StackName=stack["name"])["StackEvents"]
        except ClientError:
            continue
        for event in events:
            if event.get("ResourceStatus", "").endswith("_FAILED") and event.get("ResourceStatusReason"):
                lines.append(
                    f"  stack    {stack['name']} ({stack['region']})\n"
                    f"  resource {event.get('LogicalResourceId')} ({event.get('ResourceType')})\n"
                    f"  reason   {event['ResourceStatusReason']}"
                )
                break
    return "\n".join(lines)


def stack_status(target: Target, name: str, region: str) -> str | None:
    try:
        return target.client("cloudformation", region).describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]
    except ClientError:
        return None


def deploy(target: Target, assembly: Path, stacks: list[dict]) -> dict[str, str]:
    before = {s["name"]: stack_status(target, s["name"], s["region"]) for s in stacks}
    OUTPUTS_DIR.mkdir(exist_ok=True)
    raw = OUTPUTS_DIR / "stack-outputs.json"
    say(f"cdk deploy --all ({', '.join(s['name'] for s in stacks)})")
    result = _run(
        [
            *cdk_command(),
            "deploy",
            "--all",
            "--app",
            str(assembly),
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
        report = failure_report(target, stacks)
        _remove_half_deployed(target, stacks, before)
        raise DeployError(
            "cdk deploy failed.\n"
            + (report or "  (no failed resource recorded; see the CDK output above)")
            + "\nNothing half-deployed was left behind. Fix the cause and run `make up` again."
        )
    nested = json.loads(raw.read_text())
    flat = flatten_outputs(nested)
    FLAT_OUTPUTS.write_text(json.dumps(flat, indent=2, sort_keys=True) + "\n")
    return flat


def flatten_outputs(nested: dict[str, dict[str, str]]) -> dict[str, str]:
    """``{stack: {key: value}}`` -> ``{key: value}``, without CDK's cross-stack plumbing."""
    flat: dict[str, str] = {}
    for stack_outputs in nested.values():
        for key, value in stack_outputs.items():
            if key.startswith(_PLUMBING):
                continue
            if key in flat and flat[key] != value:
                raise DeployError(f"output {key} appears in two stacks with different values")
            flat[key] = value
    return flat


def _remove_half_deployed(target: Target, stacks: list[dict], before: dict[str, str | None]) -> None:
    """Delete stacks this run created and could not finish; keep ones that existed."""
    for stack in reversed(stacks):
        now = stack_status(target, stack["name"], stack["region"])
        created_now = before.get(stack["name"]) is None
        if now is not None and (created_now or now in {"ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "CREATE_FAILED"}):
            say(f"removing half-deployed {stack['name']}")
            cfn = target.client("cloudformation", stack["region"])
            cfn.update_termination_protection(EnableTerminationProtection=False, StackName=stack["name"])
            cfn.delete_stack(StackName=stack["name"])
            try:
                cfn.get_waiter("stack_delete_complete").wait(
                    StackName=stack["name"], WaiterConfig={"Delay": 1, "MaxAttempts": 120}
                )
            except Exception:
                if target.endpoint:
                    say("stack deletion failed in the emulator; resetting it")
                    reset(target.endpoint)
                    return


# --------------------------------------------------------------------------
# Post-deploy verification: cheap, read-only checks of what a user relies on.
# --------------------------------------------------------------------------

Check = Callable[[Target, dict, dict[str, str]], str]


def _check_stacks(target, ctx, outputs):
    for stack in ctx["stacks"]:
        state = stack_status(target, stack["name"], stack["region"])
        assert state in _GOOD, f"{stack['name']} is {state}"
    return f"{len(ctx['stacks'])} stacks complete"


def _check_bucket(target, ctx, outputs):
    s3 = target.client("s3", ctx["region"])
    bucket = outputs["S3BucketName"]
    s3.head_bucket(Bucket=bucket)
    sse = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert sse["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms", sse
    return f"content bucket {bucket}: reachable, SSE-KMS"


def _check_distribution(target, ctx, outputs):
    cloudfront = target.client("cloudfront", "us-east-1")
    dist = cloudfront.get_distribution(Id=outputs["CloudFrontDistributionId"])["Distribution"]
    assert dist["DomainName"] == outputs["CloudFrontDomainName"], (dist["DomainName"], outputs["CloudFrontDomainName"])
    return f"distribution {dist['Id']} serves {dist['DomainName']}"


def _check_load_balancer(target, ctx, outputs):
    elbv2 = target.client("elbv2", ctx["region"])
    lbs = elbv2.describe_load_balancers()["LoadBalancers"]
    match = [lb for lb in lbs if lb["DNSName"] == outputs["LoadBalancerDNS"]]
    assert match, f"no load balancer with DNS {outputs['LoadBalancerDNS']}"
    assert match[0]["Scheme"] == "internet-facing"
    return f"ALB {outputs['LoadBalancerDNS']} ({match[0]['State']['Code']})"


def _check_asg(target, ctx, outputs):
    asg = target.client("autoscaling", ctx["region"])
    group = asg.describe_auto_scaling_groups(AutoScalingGroupNames=[outputs["AutoScalingGroupName"]])[
        "AutoScalingGroups"
    ][0]
    policies = asg.describe_policies(AutoScalingGroupName=group["AutoScalingGroupName"])["ScalingPolicies"]
    return f"ASG {group['MinSize']}..{group['MaxSize']} with {len(policies)} scaling policies"


def _check_alarms(target, ctx, outputs):
    counts = []
    for stack in ctx["stacks"]:
        cfn = target.client("cloudformation", stack["region"])
        names = [
            r["PhysicalResourceId"]
            for r in cfn.describe_stack_resources(StackName=stack["name"])["StackResources"]
            if r["ResourceType"] in ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm")
        ]
        if not names:
            continue
        cloudwatch = target.client("cloudwatch", stack["region"])
        found: dict[str, dict] = {}
        for kind in ("MetricAlarm", "CompositeAlarm"):
            page = cloudwatch.describe_alarms(AlarmNames=names, AlarmTypes=[kind])
            for alarm in page["MetricAlarms"] + page["CompositeAlarms"]:
                found[alarm["AlarmName"]] = alarm
        missing = sorted(set(names) - set(found))
        assert not missing, f"alarms not found: {missing}"
        silent = sorted(n for n, a in found.items() if not a.get("AlarmActions"))
        assert not silent, f"alarms without actions: {silent}"
        counts.append(f"{len(found)} in {stack['name']}")
    return "alarms, all with actions: " + ", ".join(counts)


CHECKS: list[tuple[str, Check]] = [
    ("stacks", _check_stacks),
    ("content bucket", _check_bucket),
    ("distribution", _check_distribution),
    ("load balancer", _check_load_balancer),
    ("auto scaling", _check_asg),
    ("alarms", _check_alarms),
]


def verify(target: Target, stacks: list[dict], region: str, outputs: dict[str, str]) -> list[str]:
    ctx = {"stacks": stacks, "region": region}
    failures = []
    for name, check in CHECKS:
        try:
            print(f"  ok    {check(target, ctx, outputs)}")
        except (AssertionError, ClientError, KeyError) as err:
            failures.append(name)
            print(f"  FAIL  {name}: {err}")
    return failures


def summary_table(env_name: str, stacks: list[dict], outputs: dict[str, str], seconds: float) -> str:
    lines = ["", f"webstack {env_name} is up ({seconds:.0f} s)", ""]
    lines.append(f"  {'stack':<34} {'region':<11} {'resources':>9}  alarms")
    for s in stacks:
        resources = s["template"].get("Resources", {})
        alarms = sum(
            1 for r in resources.values() if r["Type"] in ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm")
        )
        lines.append(f"  {s['name']:<34} {s['region']:<11} {len(resources):>9}  {alarms}")
    lines += ["", "  outputs (cfn-outputs/flat-outputs.json):"]
    first = ["SiteUrl", "CloudFrontDomainName", "LoadBalancerDNS", "S3BucketName"]
    for key in first + sorted(k for k in outputs if k not in first):
        if key in outputs:
            lines.append(f"    {key:<26} {outputs[key]}")
    return "\n".join(lines)


def up(env_name: str, config: str | None, assembly: Path) -> int:
    started = time.monotonic()
    say(f"synthesizing {env_name}")
    if synth(env_name, assembly, config) != 0:
        return 2
    stacks = load_assembly(assembly)
    region = (
        stacks[0]["region"] if len(stacks) == 1 else next(s["region"] for s in stacks if s["name"].endswith("-web"))
    )
    target = local_target()
    try:
        bootstrap(target, sorted({s["region"] for s in stacks}))
        outputs = deploy(target, assembly, stacks)
    except DeployError as err:
        print(f"\nwebstack: {err}", file=sys.stderr)
        return 1
    say("verifying the deployment")
    failures = verify(target, stacks, region, outputs)
    print(summary_table(env_name, stacks, outputs, time.monotonic() - started))
    print(f"\n  The emulator keeps running at {target.endpoint}: `make down` stops it and removes the outputs.")
    if failures:
        print(f"\nwebstack: verification failed: {', '.join(failures)}", file=sys.stderr)
        return 1
    return 0


def destroy(env_name: str, assembly: Path) -> int:
    info = status()
    if info is None:
        print("webstack: no local emulator is running; nothing to destroy", file=sys.stderr)
        return 0
    env = {**tool_env(), **endpoint_env(info.endpoint)}
    if not (assembly / "manifest.json").exists() and synth(env_name, assembly) != 0:
        return 2
    say(f"cdk destroy --all ({env_name})")
    result = _run([*cdk_command(), "destroy", "--all", "--force", "--app", str(assembly)], env)
    return result.returncode


def down() -> int:
    stopped = stop()
    say("emulator stopped" if stopped else "no emulator was running")
    for path in (FLAT_OUTPUTS, OUTPUTS_DIR / "stack-outputs.json"):
        path.unlink(missing_ok=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m webstack_tools.deploy")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("up", "destroy"):
        p = sub.add_parser(name)
        p.add_argument("--env", default="dev")
        p.add_argument("--out", type=Path, default=ROOT / "cdk.out")
        if name == "up":
            p.add_argument("--config", default=None)
    sub.add_parser("down")
    args = parser.parse_args(argv)
    if args.command == "up":
        return up(args.env, args.config, args.out)
    if args.command == "destroy":
        return destroy(args.env, args.out)
    return down()


if __name__ == "__main__":
    sys.exit(main())
