"""Small lookups shared by the integration tests: everything starts from an
output value and follows AWS's own references (ARNs, ids), never a name we
made up."""

from __future__ import annotations

import json
import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

Aws = Callable[..., Any]


def region_of(arn: str) -> str:
    """The region field of an ARN (``arn:aws:svc:REGION:acct:...``)."""
    return arn.split(":")[3]


def key_arn(aws: Aws, key_ref: str, region: str | None = None) -> str:
    """Canonical ARN of a KMS key given its id, ARN or alias."""
    region = region or (region_of(key_ref) if key_ref.startswith("arn:") else None)
    return aws("kms", region).describe_key(KeyId=key_ref)["KeyMetadata"]["Arn"]


def load_balancer(aws: Aws, dns_name: str) -> dict:
    elbv2 = aws("elbv2")
    for page in elbv2.get_paginator("describe_load_balancers").paginate():
        for lb in page["LoadBalancers"]:
            if lb["DNSName"].lower() == dns_name.lower():
                return lb
    raise AssertionError(f"no load balancer has the DNS name {dns_name}")


def lb_label(lb: dict) -> str:
    """``app/NAME/ID``: how CloudWatch and scaling policies name an ALB."""
    return lb["LoadBalancerArn"].split(":loadbalancer/", 1)[1]


def distribution_config(aws: Aws, distribution_id: str) -> dict:
    return aws("cloudfront", "us-east-1").get_distribution(Id=distribution_id)["Distribution"]


def statements(policy: str | dict) -> list[dict]:
    doc = json.loads(policy) if isinstance(policy, str) else policy
    found = doc.get("Statement", [])
    return found if isinstance(found, list) else [found]


def as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def all_alarms(aws: Aws, region: str) -> list[dict]:
    alarms: list[dict] = []
    for page in aws("cloudwatch", region).get_paginator("describe_alarms").paginate(AlarmTypes=["MetricAlarm"]):
        alarms += page["MetricAlarms"]
    return alarms


def alarm_metrics(alarm: dict) -> list[dict]:
    """``[{Namespace, MetricName, Dimensions}]`` of a plain or metric-math alarm."""
    if alarm.get("MetricName"):
        return [{k: alarm.get(k) for k in ("Namespace", "MetricName", "Dimensions")}]
    return [q["MetricStat"]["Metric"] for q in alarm.get("Metrics") or [] if "MetricStat" in q]


def dimension(metric: dict, name: str) -> Any:
    return next((d["Value"] for d in metric.get("Dimensions") or [] if d["Name"] == name), None)


# --------------------------------------------------------------------------
# deadlines: a `cdk deploy` that polls a stack which never settles must not
# hang the suite. deploy() gives no timeout, so a timer ends the CDK CLI
# processes *this* test process started for that assembly (by pid, found
# through /proc: our children whose command line names the assembly).
# --------------------------------------------------------------------------
def _our_children_using(path: Path) -> list[int]:
    me, needle, found = os.getpid(), str(path).encode(), []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except (OSError, ValueError, IndexError):
            continue
        if ppid == me and any(needle in arg for arg in argv):
            found.append(int(entry.name))
    return found


@contextmanager
def deadline(seconds: float, assembly: Path) -> Iterator[list[int]]:
    """Within the block, CDK CLI children using ``assembly`` get SIGTERM after
    ``seconds``; the yielded list holds the pids that had to be stopped."""
    stopped: list[int] = []

    def fire() -> None:
        for pid in _our_children_using(assembly):
            try:
                os.kill(pid, signal.SIGTERM)
                stopped.append(pid)
            except ProcessLookupError:
                pass

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    try:
        yield stopped
    finally:
        timer.cancel()


def all_composites(aws: Aws, region: str) -> list[dict]:
    alarms: list[dict] = []
    for page in aws("cloudwatch", region).get_paginator("describe_alarms").paginate(AlarmTypes=["CompositeAlarm"]):
        alarms += page["CompositeAlarms"]
    return alarms


def notified(alarm: dict, composites: list[dict], kind: str = "AlarmActions") -> set[str]:
    """Every action ``alarm``'s state change reaches: its own, and those of the
    composite alarms whose rule names it (and of composites naming those)."""
    reached = set(alarm.get(kind) or [])
    seen = {alarm["AlarmArn"]}
    frontier = [alarm]
    while frontier:
        current = frontier.pop()
        for composite in composites:
            if composite["AlarmArn"] in seen:
                continue
            rule = composite.get("AlarmRule", "")
            if f'"{current["AlarmArn"]}"' in rule or f'"{current["AlarmName"]}"' in rule:
                seen.add(composite["AlarmArn"])
                reached |= set(composite.get(kind) or [])
                frontier.append(composite)
    return reached


def local_data_plane(endpoint: str) -> dict:
    """Where the local emulator's data plane answers (its edges, listeners, targets); fails
    with the fix when the emulator runs without one."""
    import pytest

    from webstack_emulator import dataplane_info

    described = dataplane_info(endpoint)
    if described is None:
        pytest.fail(
            f"the emulator at {endpoint} runs without its data plane: `make down`, then run again", pytrace=False
        )
    return described


def site_url(endpoint: str | None, outputs: dict[str, str]) -> str:
    """The site's address: the local edge of the distribution, or ``SiteUrl`` in a real account."""
    if endpoint is None:
        return outputs["SiteUrl"].rstrip("/") + "/"
    dist_id = outputs["CloudFrontDistributionId"]
    described = local_data_plane(endpoint)
    urls = [d["url"] for d in described["distributions"] if d["id"] == dist_id]
    assert urls, f"no local edge serves distribution {dist_id}: {described}"
    return str(urls[0])


def wait_for_api(endpoint: str, outputs: dict[str, str], timeout: float = 60.0) -> None:
    """Until ``/api/health`` through the local edge answers 200: the group's instances boot
    from their user data (bundle download, then the app) as the deploy ends, as on EC2."""
    import time
    import urllib.error
    import urllib.request

    url = site_url(endpoint, outputs) + "api/health"
    deadline, last = time.monotonic() + timeout, "no answer"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=10):
                return
        except urllib.error.HTTPError as err:
            last = f"HTTP {err.code}"
        except OSError as err:
            last = str(err)
        time.sleep(0.5)
    raise AssertionError(f"{url} did not answer 200 within {timeout:.0f} s (last: {last}): no target booted")
