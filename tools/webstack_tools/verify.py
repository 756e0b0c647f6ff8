"""Post-deploy verification: cheap, read-only checks of what a user relies on, and the summary.

``up`` prints "webstack <env> is up" (:func:`summary_table`) only when every
check passed; otherwise it names the checks that failed and exits non-zero.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from webstack_pitfalls import CLOUDFRONT_REGION
from webstack_tools import local_pager
from webstack_tools.assembly import CloudAssembly, SynthesizedStack
from webstack_tools.deploy import USABLE_STACK_STATES, DeployTarget, stack_status

_ALARM_TYPES = ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm")


@dataclass(frozen=True)
class Deployment:
    """What the verification looks at: where it runs, what was deployed, its outputs."""

    target: DeployTarget
    assembly: CloudAssembly
    region: str  # the web stack's
    outputs: Mapping[str, str]
    pager: str | None = None  # the local pager queue's URL (local_pager), when there is one


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
    scheme = match[0]["Scheme"]
    if scheme == "internal":
        # An internal ALB is only reachable through the distribution's VPC origin (origin.private).
        origins = _distribution_origins(d)
        through = [o for o in origins if o["DomainName"].lower() == d.outputs["LoadBalancerDNS"].lower()]
        assert through and all(o.get("VpcOriginConfig", {}).get("VpcOriginId") for o in through), (
            f"internal ALB {d.outputs['LoadBalancerDNS']} is not behind a CloudFront VPC origin"
        )
        return f"ALB {d.outputs['LoadBalancerDNS']} ({match[0]['State']['Code']}, internal, behind a VPC origin)"
    assert scheme == "internet-facing", scheme
    return f"ALB {d.outputs['LoadBalancerDNS']} ({match[0]['State']['Code']})"


def _distribution_origins(d: Deployment) -> list[dict[str, Any]]:
    cloudfront = d.target.client("cloudfront", CLOUDFRONT_REGION)
    config = cloudfront.get_distribution_config(Id=d.outputs["CloudFrontDistributionId"])["DistributionConfig"]
    return list(config["Origins"].get("Items") or [])


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


def _composite_alarms(target: DeployTarget, stack: SynthesizedStack) -> list[str]:
    cfn = target.client("cloudformation", stack.region)
    resources = cfn.describe_stack_resources(StackName=stack.name)["StackResources"]
    return [r["PhysicalResourceId"] for r in resources if r["ResourceType"] == "AWS::CloudWatch::CompositeAlarm"]


def _delivered(d: Deployment, alarm: str, state: str, reason: str, wait_seconds: float) -> float:
    """Seconds until the pager received ``alarm``'s ``state`` notification with ``reason``
    (unique per check: a notification left from an earlier run does not count);
    AssertionError if it did not arrive."""
    assert d.pager is not None
    sqs = d.target.client("sqs", d.region)
    started = time.monotonic()
    for envelope in local_pager.notifications(sqs, d.pager, wait_seconds=wait_seconds):
        message = json.loads(envelope.get("Message") or "{}")
        if (message.get("AlarmName"), message.get("NewStateValue"), message.get("NewStateReason")) == (
            alarm,
            state,
            reason,
        ):
            return time.monotonic() - started
    raise AssertionError(f"no {state} notification of {alarm} reached the pager in {wait_seconds:.0f} s")


def _fire(d: Deployment, stack: SynthesizedStack, alarm: str) -> str:
    """One ALARM transition of ``alarm`` that must page, then back to OK (also delivered)."""
    cloudwatch = d.target.client("cloudwatch", stack.region)
    reason = f"webstack make up: delivery check {uuid.uuid4().hex[:8]} of the paging path (set by hand, reset at once)"
    cloudwatch.set_alarm_state(AlarmName=alarm, StateValue="ALARM", StateReason=reason)
    try:
        seconds = _delivered(d, alarm, "ALARM", reason, wait_seconds=10)
    finally:
        cloudwatch.set_alarm_state(AlarmName=alarm, StateValue="OK", StateReason=reason)
    _delivered(d, alarm, "OK", reason, wait_seconds=10)
    return f"{alarm} ({stack.region}) in {seconds:.1f} s"


def _check_paging(d: Deployment) -> str:
    """Each region's paging alarm reaches the local pager: topic policy, topic key and
    subscription as the emulator evaluates them when CloudWatch publishes (D15, D16)."""
    assert d.pager is not None, "no local pager queue to listen on"
    fired = [_fire(d, stack, alarm) for stack in d.assembly for alarm in _composite_alarms(d.target, stack)[:1]]
    assert fired, "no composite (paging) alarm was deployed"
    return f"paging delivered to {d.pager.rsplit('/', 1)[-1]}: " + "; ".join(fired) + ", reset to OK"


def _check_origin_access(d: Deployment) -> str:
    """CloudFront reads one object of the content bucket through its OAC (bucket policy with
    this distribution's AWS:SourceArn, kms:Decrypt on the data key: D2), as the emulator
    decides it; the object is removed after."""
    assert d.target.endpoint is not None, "needs the local emulator"
    s3 = d.target.client("s3", d.region)
    bucket, key = d.outputs["S3BucketName"], f"webstack-verify/{uuid.uuid4().hex}.txt"
    body = b"webstack make up: origin access check"
    s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType="text/plain")
    url = f"{d.target.endpoint}/webstack-api/cloudfront/{d.outputs['CloudFrontDistributionId']}/{key}"
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.read() == body, "CloudFront returned another body"
    except urllib.error.HTTPError as error:
        refused = error.headers.get("x-webstack-refused-by") or error.read()[:200].decode(errors="replace")
        raise AssertionError(f"CloudFront got {error.code} reading s3://{bucket}/{key}: {refused}") from None
    finally:
        s3.delete_object(Bucket=bucket, Key=key)
    return f"CloudFront {d.outputs['CloudFrontDistributionId']} reads s3://{bucket} through its OAC"


def site_url(d: Deployment) -> str:
    """The local edge's URL of the deployed distribution (``GET /webstack-api/dataplane``)."""
    from webstack_emulator import dataplane_info

    assert d.target.endpoint is not None, "needs the local emulator"
    described = dataplane_info(d.target.endpoint)
    assert described is not None, (
        f"the emulator at {d.target.endpoint} runs without its data plane (started by an older make up): "
        "`make down` then `make up`"
    )
    dist_id = d.outputs["CloudFrontDistributionId"]
    url = next((e["url"] for e in described["distributions"] if e["id"] == dist_id), None)
    assert url, f"the data plane serves no edge for distribution {dist_id} yet"
    return str(url)


def _check_site(d: Deployment) -> str:
    """GET / through the local edge: the distribution's default root object from the content
    bucket, with the security headers policy applied."""
    url = site_url(d)
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            status, frame = response.status, response.headers.get("X-Frame-Options")
    except urllib.error.HTTPError as error:
        body = error.read()[:200].decode(errors="replace")
        raise AssertionError(f"GET {url} through the edge answered {error.code}: {body}") from None
    assert status == 200, f"GET {url} answered {status}"
    assert frame, f"GET {url}: no X-Frame-Options (the response headers policy was not applied)"
    return f"site: GET {url} through the local edge answers 200 (X-Frame-Options {frame})"


API_WAIT_SECONDS = 60.0  # a new target boots from its user data: bundle download, then the app


def _check_api(d: Deployment) -> str:
    """GET /api/hello through the local edge, the ALB's rules and a target, once a target is up
    (the group's instances boot as the deploy ends): 200 with the build the user data names."""
    url = site_url(d) + "api/hello"
    deadline, last = time.monotonic() + API_WAIT_SECONDS, "no answer"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                build = json.loads(response.read()).get("build")
                return f"api: GET {url} through the edge, the ALB and a target answers 200 (build {build})"
        except urllib.error.HTTPError as error:
            last = f"{error.code} {error.read()[:120].decode(errors='replace').strip()}"
        except (OSError, ValueError) as error:
            last = str(error)
        time.sleep(0.5)
    raise AssertionError(f"GET {url} did not answer 200 within {API_WAIT_SECONDS:.0f} s (last: {last})")


CHECKS: list[tuple[str, Check]] = [
    ("stacks", _check_stacks),
    ("content bucket", _check_bucket),
    ("distribution", _check_distribution),
    ("load balancer", _check_load_balancer),
    ("auto scaling", _check_asg),
    ("alarms", _check_alarms),
    ("paging", _check_paging),
    ("origin access", _check_origin_access),
    ("site", _check_site),
    ("api", _check_api),
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
