"""EC2: security-group ingress (D9 prefix lists, D12 duplicates) and launch templates / images (D11)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from typing import Any, NamedTuple

from ..template import TemplateView, as_list, direct_ref
from .base import Hit, Rule

SECURITY_GROUP = "AWS::EC2::SecurityGroup"
_PROTOCOLS = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", "all": "-1"}
_SOURCES = ("CidrIp", "CidrIpv6", "SourcePrefixListId", "SourceSecurityGroupId", "SourceSecurityGroupName")


class Ingress(NamedTuple):
    """One ingress rule, inline or standalone, normalised so that equal rules compare equal."""

    protocol: str
    ports: str
    source_kind: str
    source: str
    standalone: bool


def _ingress(view: TemplateView, rule: dict[str, Any], standalone: bool) -> Ingress | None:
    proto = str(rule.get("IpProtocol", "-1")).lower()
    proto = _PROTOCOLS.get(proto, proto)
    if proto == "-1":
        ports = "all"
    else:
        lo, hi = rule.get("FromPort"), rule.get("ToPort")
        ports = str(lo) if lo == hi else f"{lo}-{hi}"
    for kind in _SOURCES:
        if rule.get(kind) is not None:
            # A source group in this stack is named by its logical id (stable, no "${...}").
            source = direct_ref(rule[kind]) or view.render(rule[kind])
            return Ingress(proto, ports, kind, source, standalone)
    return None


def ingress_rules(view: TemplateView) -> dict[str, list[Ingress]]:
    """Security group logical id -> its ingress rules (inline and ``AWS::EC2::SecurityGroupIngress``)."""
    by_group: dict[str, list[Ingress]] = defaultdict(list)
    for lid, props in view.of_type(SECURITY_GROUP):
        for rule in as_list(props.get("SecurityGroupIngress")):
            item = _ingress(view, rule or {}, False)
            if item:
                by_group[lid].append(item)
    for _, props in view.of_type("AWS::EC2::SecurityGroupIngress"):
        group = view.target(props.get("GroupId"), SECURITY_GROUP) or view.target(props.get("GroupName"), SECURITY_GROUP)
        item = _ingress(view, props, True)
        if group and item:
            by_group[group].append(item)
    return by_group


# ---------------------------------------------------------------------------
# D9 security group restricted to a managed prefix list

_OPEN = {"0.0.0.0/0", "::/0"}


def check_prefix_list_security_group_one_port_not_open(view: TemplateView) -> Iterator[Hit]:
    for group, rules in sorted(ingress_rules(view).items()):
        prefix = [r for r in rules if r.source_kind == "SourcePrefixListId"]
        if not prefix:
            continue
        if len({(r.protocol, r.ports) for r in prefix}) > 1:
            yield Hit(group, "PrefixListPorts", "Properties/SecurityGroupIngress")
        if any(r.source in _OPEN for r in rules if r.source_kind in ("CidrIp", "CidrIpv6")):
            yield Hit(group, "OpenIngress", "Properties/SecurityGroupIngress")


PREFIX_LIST_SECURITY_GROUP_ONE_PORT_NOT_OPEN = Rule(
    name="PrefixListSecurityGroupOnePortNotOpen",
    pitfall="D9",
    info="A security group uses a managed prefix list (CloudFront origin-facing counts ~55 of 60 rules) on more "
    "than one port ([PrefixListPorts]), or also allows 0.0.0.0/0 or ::/0 ([OpenIngress]).",
    explanation="Allow one port per group from the prefix list (separate groups for more ports) and create "
    "listeners with open=False when restricting to CloudFront.",
    link="https://docs.aws.amazon.com/vpc/latest/userguide/working-with-aws-managed-prefix-lists.html",
    check=check_prefix_list_security_group_one_port_not_open,
)


# ---------------------------------------------------------------------------
# D11 launch configurations and Amazon Linux 2

_AL2 = re.compile(r"amzn2-ami|amazon-linux-2(?!0\d\d)(?=[/-]|$)", re.IGNORECASE)


def _images(view: TemplateView) -> Iterator[tuple[str, Any, str]]:
    """``(logical id, image id value, location)`` of every launch template, launch configuration and instance."""
    for lid, props in view.of_type("AWS::EC2::LaunchTemplate"):
        yield lid, (props.get("LaunchTemplateData") or {}).get("ImageId"), "Properties/LaunchTemplateData/ImageId"
    for lid, props in view.of_type("AWS::AutoScaling::LaunchConfiguration", "AWS::EC2::Instance"):
        yield lid, props.get("ImageId"), "Properties/ImageId"


def check_launch_template_with_amazon_linux_2023(view: TemplateView) -> Iterator[Hit]:
    for lid, _ in view.of_type("AWS::AutoScaling::LaunchConfiguration"):
        yield Hit(lid, "LaunchConfiguration", "Type")
    for lid, image, loc in _images(view):
        if image is not None and _AL2.search(view.render(image)):
            yield Hit(lid, "AmazonLinux2", loc)


LAUNCH_TEMPLATE_WITH_AMAZON_LINUX_2023 = Rule(
    name="LaunchTemplateWithAmazonLinux2023",
    pitfall="D11",
    info="A launch configuration is used ([LaunchConfiguration]; new accounts cannot create them) or an image "
    "resolves to Amazon Linux 2 ([AmazonLinux2]; end of support 2026-06-30).",
    explanation="Use an EC2 launch template and MachineImage.latest_amazon_linux2023().",
    link="https://docs.aws.amazon.com/autoscaling/ec2/userguide/launch-configurations.html",
    check=check_launch_template_with_amazon_linux_2023,
)


# ---------------------------------------------------------------------------
# D12 duplicate security-group rules


def check_security_group_ingress_unique(view: TemplateView) -> Iterator[Hit]:
    for group, rules in sorted(ingress_rules(view).items()):
        counts: dict[tuple[str, str, str], int] = defaultdict(int)
        for r in rules:
            counts[(r.protocol, r.ports, r.source)] += 1
        for (proto, ports, source), n in sorted(counts.items()):
            if n > 1:
                yield Hit(group, f"{proto}:{ports}:{source}", "Properties/SecurityGroupIngress")


SECURITY_GROUP_INGRESS_UNIQUE = Rule(
    name="SecurityGroupIngressUnique",
    pitfall="D12",
    info="A security group has the same ingress rule twice (inline and/or AWS::EC2::SecurityGroupIngress); "
    "deployment fails with InvalidPermission.Duplicate. Finding: [protocol:ports:source].",
    explanation="Add each rule once: rely on the rule listener.add_targets/connections already adds instead of "
    "repeating it.",
    link="https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html",
    check=check_security_group_ingress_unique,
)
