"""Edges: the traffic path read off the resources that carry it, then one classification for any reference.

Listeners, rotation schedules, web ACL associations, routes... are plumbing
(not drawn) but say who talks to whom, so each gets a small reader that turns
it into an edge between drawn nodes. Every other reference between drawn
nodes is classified by its property path and the types at both ends.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any

from webstack_tools.diagram.draft import Draft
from webstack_tools.diagram.references import Ref
from webstack_tools.diagram.values import literal, rule_conditions
from webstack_tools.diagram.vocabulary import (
    ALARM_ACTION_PROPERTIES,
    ALARM_METRIC_PROPERTIES,
    ALARM_TYPES,
    DISTRIBUTION,
    GATEWAY_PROPERTIES,
    KEY_PROPERTIES,
    KMS_KEY,
    LOAD_BALANCER,
    LOG_TARGET_TYPES,
    TARGET_GROUP,
    VIEWER,
)

# kind, label, and whether the edge points from the referenced resource to the referencing one.
Classified = tuple[str, str, bool]

# By (referenced type, referencing type); None: any referencing type.
_BY_TARGET_TYPE: dict[tuple[str, str | None], Classified] = {
    ("AWS::SNS::Topic", "AWS::SNS::Subscription"): ("alerting", "delivers", True),
    ("AWS::WAFv2::WebACL", None): ("protection", "filters", True),
    ("AWS::CertificateManager::Certificate", None): ("protection", "TLS certificate", True),
}
_LOG_LABELS = {"AWS::S3::Bucket": "access logs", "AWS::EC2::FlowLog": "flow logs"}


def add_edges(draft: Draft) -> None:
    _viewer_entry(draft)
    for (stack, lid), res in sorted(draft.index.resources.items()):
        rtype = res.get("Type", "")
        me = draft.node(stack, lid)
        reader = _READERS.get(rtype)
        if reader is not None:
            reader(draft, stack, lid, me)
        if me:
            _generic(draft, stack, lid, rtype, me)


def _viewer_entry(draft: Draft) -> None:
    """Viewers reach the distributions; without one, the internet-facing load balancers."""
    resources = draft.index.resources
    entry = [k for k, r in resources.items() if r.get("Type") == DISTRIBUTION] or [
        k
        for k, r in resources.items()
        if r.get("Type") == LOAD_BALANCER
        and (r.get("Properties") or {}).get("Scheme", "internet-facing") == "internet-facing"
    ]
    for stack, lid in sorted(entry):
        node = draft.node(stack, lid)
        if node:
            draft.edge(VIEWER, node, "traffic", "HTTPS")


# -- generic classification --------------------------------------------------


def _key_behind(draft: Draft, stack: str, lid: str) -> tuple[str, str]:
    """A KMS alias resolves to the key it names."""
    if draft.index.type_of(stack, lid) == "AWS::KMS::Alias":
        key = draft.index.first_ref(stack, lid, "TargetKeyId")
        if key:
            return key.stack, key.target
    return stack, lid


def classify(rtype: str, ttype: str, path: tuple[str, ...]) -> Classified | None:
    """What a reference from a ``rtype`` to a ``ttype`` at property ``path`` means, if anything drawn."""
    segments = set(path)
    if segments & KEY_PROPERTIES and ttype == KMS_KEY:
        return ("encryption", "", True)
    if segments & ALARM_ACTION_PROPERTIES:
        return ("alerting", "notifies", False)
    if rtype in ALARM_TYPES and segments & ALARM_METRIC_PROPERTIES:
        return ("metrics", "metrics", True)
    if rtype == "AWS::CloudWatch::Dashboard":
        return None  # a dashboard shows everything; edges would only add noise
    if ttype in LOG_TARGET_TYPES and _names_logs(path):
        return ("logging", _LOG_LABELS.get(rtype, "logs"), False)
    return _BY_TARGET_TYPE.get((ttype, rtype)) or _BY_TARGET_TYPE.get((ttype, None))


def _names_logs(path: tuple[str, ...]) -> bool:
    # An origin's domain name is served, not logged to, even under a "...Log..." key.
    return "Origins" not in path and any("log" in s.lower() for s in path)


def _generic(draft: Draft, stack: str, lid: str, rtype: str, me: str) -> None:
    for r in draft.index.refs(stack, lid):
        tstack, tlid = _key_behind(draft, r.stack, r.target)
        target = draft.node(tstack, tlid)
        if not target or target == me:
            continue
        found = classify(rtype, draft.index.type_of(tstack, tlid) or "", r.path)
        if found:
            kind, label, from_target = found
            src, dst = (target, me) if from_target else (me, target)
            draft.edge(src, dst, kind, label, cross=r.cross_stack)


# -- readers of the resources that carry traffic -------------------------------


def _distribution(draft: Draft, stack: str, lid: str, me: str | None) -> None:
    if not me:
        return
    cfg = draft.index.props(stack, lid).get("DistributionConfig") or {}
    routes = _behaviour_paths(cfg)
    for i, origin in enumerate(cfg.get("Origins") or []):
        paths = routes.get(origin.get("Id"), [])
        if not paths:
            continue  # an origin no behaviour uses (origin group members) carries no traffic of its own
        label = ", ".join(paths) + _origin_access(origin)
        for r in draft.index.refs(stack, lid, "DistributionConfig", "Origins", i, "DomainName"):
            target = draft.node_at(r)
            if target:
                draft.edge(me, target, "traffic", label, cross=r.cross_stack)


def _behaviour_paths(cfg: Mapping[str, Any]) -> dict[str, list[str]]:
    """Origin id -> the path patterns routed to it."""
    routes: dict[str, list[str]] = defaultdict(list)
    default = (cfg.get("DefaultCacheBehavior") or {}).get("TargetOriginId")
    if isinstance(default, str):
        routes[default].append("default (*)")
    for behaviour in cfg.get("CacheBehaviors") or []:
        if isinstance(behaviour.get("TargetOriginId"), str):
            routes[behaviour["TargetOriginId"]].append(str(behaviour.get("PathPattern", "?")))
    return routes


def _origin_access(origin: Mapping[str, Any]) -> str:
    if origin.get("OriginAccessControlId"):
        return " via OAC"
    if origin.get("VpcOriginConfig"):
        return " via VPC origin"
    return " via OAI" if (origin.get("S3OriginConfig") or {}).get("OriginAccessIdentity") else ""


def _forward(draft: Draft, listener: tuple[str, str], actions: list[Ref], condition: str) -> None:
    """Load balancer -> the target groups a listener (or one of its rules) forwards to."""
    lb = draft.node_at(draft.index.first_ref(*listener, "LoadBalancerArn"))
    if not lb:
        return
    props = draft.index.props(*listener)
    port = f"{props.get('Protocol', '')}:{props.get('Port', '')}".strip(":")
    label = "\n".join(x for x in (port, condition) if x)
    for r in actions:
        target = draft.node_at(r)
        if target and draft.index.type_of(r.stack, r.target) == TARGET_GROUP:
            draft.edge(lb, target, "traffic", label)


def _listener(draft: Draft, stack: str, lid: str, me: str | None) -> None:
    _forward(draft, (stack, lid), draft.index.refs(stack, lid, "DefaultActions"), "")


def _listener_rule(draft: Draft, stack: str, lid: str, me: str | None) -> None:
    listener = draft.index.first_ref(stack, lid, "ListenerArn")
    conditions = rule_conditions(draft.index.props(stack, lid))
    if listener:
        _forward(draft, (listener.stack, listener.target), draft.index.refs(stack, lid, "Actions"), conditions)


def _auto_scaling_group(draft: Draft, stack: str, lid: str, me: str | None) -> None:
    if not me:
        return
    for r in draft.index.refs(stack, lid, "TargetGroupARNs"):
        target_group = draft.node_at(r)
        if target_group:
            draft.edge(target_group, me, "traffic", "registers instances", cross=r.cross_stack)
    for key in ("LaunchTemplate", "MixedInstancesPolicy", "LaunchConfigurationName"):
        for r in draft.index.refs(stack, lid, key):
            launched = draft.node_at(r)
            if launched:
                draft.edge(launched, me, "config", "launches", cross=r.cross_stack)


def _rotation_schedule(draft: Draft, stack: str, lid: str, me: str | None) -> None:
    fn = draft.node_at(draft.index.first_ref(stack, lid, "RotationLambdaARN"))
    secret = draft.node_at(draft.index.first_ref(stack, lid, "SecretId"))
    if fn and secret:
        draft.edge(fn, secret, "config", "rotates")


def _web_acl_association(draft: Draft, stack: str, lid: str, me: str | None) -> None:
    acl = draft.index.first_ref(stack, lid, "WebACLArn")
    target = draft.index.first_ref(stack, lid, "ResourceArn")
    src, dst = draft.node_at(acl), draft.node_at(target)
    if acl and target and src and dst:
        draft.edge(src, dst, "protection", "filters", cross=acl.cross_stack or target.cross_stack)


def _web_acl_logging(draft: Draft, stack: str, lid: str, me: str | None) -> None:
    acl = draft.node_at(draft.index.first_ref(stack, lid, "ResourceArn"))
    for dest in sorted(_log_destinations(draft, stack, lid)):
        target = draft.node(stack, dest)
        if acl and target:
            draft.edge(acl, target, "logging", "logs")


def _log_destinations(draft: Draft, stack: str, lid: str) -> set[str]:
    """Log destinations named by reference, or by an ARN spelled out with the
    destination's literal name (WAF needs log group names starting
    ``aws-waf-logs-``, so CDK writes the ARN by hand and adds a DependsOn)."""
    found = {r.target for r in draft.index.refs(stack, lid, "LogDestinationConfigs") if r.stack == stack}
    arns = _literal_arns(draft.index.props(stack, lid).get("LogDestinationConfigs"))
    for (st, other), res in draft.index.resources.items():
        if st == stack and res.get("Type") in LOG_TARGET_TYPES and _names_in(res.get("Properties") or {}, arns):
            found.add(other)
    return found


def _literal_arns(value: Any) -> list[str]:
    return [literal(v) or "" for v in (value if isinstance(value, list) else [value])]


def _names_in(props: Mapping[str, Any], arns: list[str]) -> bool:
    """Whether one of ``arns`` ends with the destination's literal name."""
    name = literal(props.get("LogGroupName") or props.get("BucketName") or props.get("DeliveryStreamName"))
    return bool(name) and any(arn.endswith((f":{name}", f":::{name}", f"/{name}")) for arn in arns)


def _route(draft: Draft, stack: str, lid: str, me: str | None) -> None:
    rt = draft.index.first_ref(stack, lid, "RouteTableId")
    if not rt:
        return
    props = draft.index.props(stack, lid)
    dest = str(props.get("DestinationCidrBlock") or props.get("DestinationIpv6CidrBlock") or "")
    tiers = sorted(draft.network.route_table_tiers.get((rt.stack, rt.target), ()))
    gateways = [draft.node_at(gw) for key in GATEWAY_PROPERTIES for gw in draft.index.refs(stack, lid, key)]
    for target in filter(None, gateways):
        for tier in tiers:
            if draft.nodes[target].cluster[-1:] != (tier,):  # a tier's own gateway needs no edge
                draft.edge(draft.network.tier_note[tier], target, "egress", dest, ltail=tier)


def _vpc_endpoint(draft: Draft, stack: str, lid: str, me: str | None) -> None:
    if not me:
        return
    tiers = {
        tier
        for r in draft.index.refs(stack, lid, "RouteTableIds")
        for tier in draft.network.route_table_tiers.get((r.stack, r.target), ())
    }
    for tier in sorted(tiers):
        draft.edge(draft.network.tier_note[tier], me, "egress", "", ltail=tier)


Reader = Callable[[Draft, str, str, "str | None"], None]
_READERS: dict[str, Reader] = {
    DISTRIBUTION: _distribution,
    "AWS::ElasticLoadBalancingV2::Listener": _listener,
    "AWS::ElasticLoadBalancingV2::ListenerRule": _listener_rule,
    "AWS::AutoScaling::AutoScalingGroup": _auto_scaling_group,
    "AWS::SecretsManager::RotationSchedule": _rotation_schedule,
    "AWS::WAFv2::WebACLAssociation": _web_acl_association,
    "AWS::WAFv2::LoggingConfiguration": _web_acl_logging,
    "AWS::EC2::Route": _route,
    "AWS::EC2::VPCEndpoint": _vpc_endpoint,
}
