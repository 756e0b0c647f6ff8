"""The few facts under a node's title that a reader of the diagram wants, per resource type."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from webstack_tools.diagram.draft import Draft
from webstack_tools.diagram.values import literal, zones_text
from webstack_tools.diagram.vocabulary import AUTO_SCALING_GROUP, role_name

Props = Mapping[str, Any]

_SSE = {"aws:kms": "SSE-KMS", "aws:kms:dsse": "DSSE-KMS", "AES256": "SSE-S3"}
_COMPARISON = {
    "GreaterThanThreshold": ">",
    "GreaterThanOrEqualToThreshold": "≥",
    "LessThanThreshold": "<",
    "LessThanOrEqualToThreshold": "≤",
}
_SCALING_METRICS = {"ASGAverageCPUUtilization": "CPU", "ALBRequestCountPerTarget": "requests/target"}


def node_details(draft: Draft, stack: str, lids: list[str], rtype: str) -> list[str]:
    p = draft.index.props(stack, lids[0])
    if rtype == AUTO_SCALING_GROUP:
        out = _auto_scaling_group(draft, stack, lids[0], p)
    else:
        describe = _BY_TYPE.get(rtype)
        out = describe(p) if describe else []
    zones = {
        draft.network.subnet_zone[(r.stack, r.target)]
        for lid in lids
        for r in draft.index.refs(stack, lid)
        if (r.stack, r.target) in draft.network.subnet_zone
    }
    if zones:
        out.append(zones_text(zones))
    return [d for d in out if d]


def _auto_scaling_group(draft: Draft, stack: str, lid: str, p: Props) -> list[str]:
    # No DesiredCapacity (pitfalls D21): the group starts at MinSize and scaling owns its size.
    desired = literal(p.get("DesiredCapacity")) or "by scaling"
    out = [f"min {literal(p.get('MinSize'))} · desired {desired} · max {literal(p.get('MaxSize'))}"]
    tracking = []
    for policy in draft.index.of_type(stack, "AWS::AutoScaling::ScalingPolicy"):
        if any(r.target == lid for r in draft.index.refs(stack, policy, "AutoScalingGroupName")):
            tt = draft.index.props(stack, policy).get("TargetTrackingConfiguration") or {}
            metric = (tt.get("PredefinedMetricSpecification") or {}).get("PredefinedMetricType") or role_name(policy)
            metric = _SCALING_METRICS.get(metric, metric)
            tracking.append(f"{metric} {literal(tt.get('TargetValue')) or ''}".strip())
    if tracking:
        out.append("tracks " + ", ".join(tracking))
    return out


def _launch_template(p: Props) -> list[str]:
    data = p.get("LaunchTemplateData") or {}
    facts = [literal(data.get("InstanceType")) or ""]
    if (data.get("MetadataOptions") or {}).get("HttpTokens") == "required":
        facts.append("IMDSv2")
    return [" · ".join(f for f in facts if f)]


def _load_balancer(p: Props) -> list[str]:
    return [f"{p.get('Type', 'application')} · {p.get('Scheme', 'internet-facing')}"]


def _target_group(p: Props) -> list[str]:
    hc = p.get("HealthCheckPath")
    return [f"{p.get('Protocol', '')}:{p.get('Port', '')}" + (f" · health {hc}" if hc else "")]


def _bucket(p: Props) -> list[str]:
    sse = ((p.get("BucketEncryption") or {}).get("ServerSideEncryptionConfiguration") or [{}])[0]
    algo = (sse.get("ServerSideEncryptionByDefault") or {}).get("SSEAlgorithm")
    facts = [_SSE.get(str(algo), "SSE-S3")]
    if (p.get("VersioningConfiguration") or {}).get("Status") == "Enabled":
        facts.append("versioned")
    return [" · ".join(facts)]


def _alarm(p: Props) -> list[str]:
    metric = p.get("MetricName") or "metric math"
    return [f"{metric} {_COMPARISON.get(p.get('ComparisonOperator', ''), '?')} {literal(p.get('Threshold'))}"]


def _log_group(p: Props) -> list[str]:
    return [f"retention {p['RetentionInDays']} d"] if p.get("RetentionInDays") else []


def _key(p: Props) -> list[str]:
    return ["rotation on"] if p.get("EnableKeyRotation") else []


def _function(p: Props) -> list[str]:
    return [str(p["Runtime"])] if p.get("Runtime") else []


def _endpoint(p: Props) -> list[str]:
    service = (literal(p.get("ServiceName")) or "").rsplit(".", 1)[-1]
    return [f"{service} · {p.get('VpcEndpointType', 'Gateway')}".strip(" ·")]


def _distribution(p: Props) -> list[str]:
    cfg = p.get("DistributionConfig") or {}
    facts = [str(cfg.get("PriceClass", "")), str(cfg.get("HttpVersion", ""))]
    return [" · ".join(f for f in facts if f)]


_BY_TYPE: dict[str, Callable[[Props], list[str]]] = {
    "AWS::EC2::LaunchTemplate": _launch_template,
    "AWS::ElasticLoadBalancingV2::LoadBalancer": _load_balancer,
    "AWS::ElasticLoadBalancingV2::TargetGroup": _target_group,
    "AWS::S3::Bucket": _bucket,
    "AWS::CloudWatch::Alarm": _alarm,
    "AWS::Logs::LogGroup": _log_group,
    "AWS::KMS::Key": _key,
    "AWS::Lambda::Function": _function,
    "AWS::EC2::VPCEndpoint": _endpoint,
    "AWS::CloudFront::Distribution": _distribution,
}
