"""Small lookups shared by the integration tests: everything starts from an
output value and follows AWS's own references (ARNs, ids), never a name we
made up."""

from __future__ import annotations

import json
from typing import Any, Callable

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
