"""Architecture diagram drawn from the synthesized templates, so it is always true.

    python -m webstack_tools.diagram --env prod [--config FILE] [--out docs/]

writes ``architecture-<env>.dot``, ``.svg`` and ``.png`` (the last two need
Graphviz's ``dot``). The app is synthesized in-process (no CDK CLI, no asset
bundling: the diagram never shows asset hashes), then :func:`build_graph`
reads nothing but the CloudFormation templates: what it draws is what
CloudFormation will deploy.

Everything is keyed on CloudFormation resource types and intrinsic functions,
never on webstack's logical ids, so a new stack or resource type shows up
without changes here:

* clusters: region > stack > (VPC > subnet tiers) | global/edge | one group
  per service family;
* edges come from ``Ref`` / ``Fn::GetAtt`` / ``Fn::Sub`` /
  ``Fn::GetStackOutput`` / ``Fn::ImportValue`` found in properties, classified
  by the property path and the types at both ends (traffic, encryption,
  alerting, metrics, logging, configuration);
* plumbing (routes, associations, IAM, policies, custom-resource providers...)
  is not drawn, only counted in a note per stack; resources that differ only
  by a number in their logical id (one NAT gateway per zone) become one node.

The DOT text is deterministic (everything sorted), so ``docs/architecture-prod.dot``
is checked in and a unit test fails when it is stale.
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from webstack_tools.project import project_root

ROOT = project_root()
DOCS = ROOT / "docs"

# --------------------------------------------------------------------------
# Vocabulary: CloudFormation types.
# --------------------------------------------------------------------------

# Not drawn: wiring that a reader does not need to see the architecture. They
# are still read (routes decide subnet tiers, listeners the ALB's targets...)
# and counted in a note per stack.
PLUMBING_TYPES = frozenset(
    {
        "AWS::CDK::Metadata",
        "AWS::EC2::EIP",
        "AWS::EC2::Route",
        "AWS::EC2::RouteTable",
        "AWS::EC2::SecurityGroup",
        "AWS::EC2::SecurityGroupEgress",
        "AWS::EC2::SecurityGroupIngress",
        "AWS::EC2::SubnetRouteTableAssociation",
        "AWS::EC2::SubnetNetworkAclAssociation",
        "AWS::EC2::VPCGatewayAttachment",
        "AWS::EC2::Subnet",  # drawn as its tier's cluster
        "AWS::EC2::VPC",  # drawn as a cluster
        "AWS::ElasticLoadBalancingV2::Listener",  # drawn as the ALB -> target group edge
        "AWS::ElasticLoadBalancingV2::ListenerRule",
        "AWS::ElasticLoadBalancingV2::ListenerCertificate",
        "AWS::AutoScaling::ScalingPolicy",  # folded into the group's label
        "AWS::SecretsManager::RotationSchedule",  # drawn as function -> secret edge
        "AWS::SecretsManager::ResourcePolicy",
        "AWS::IAM::InstanceProfile",
        "AWS::IAM::ManagedPolicy",
        "AWS::IAM::Policy",
        "AWS::IAM::Role",
        "AWS::KMS::Alias",
        "AWS::Lambda::Permission",
        "AWS::Logs::ResourcePolicy",
        "AWS::S3::BucketPolicy",
        "AWS::SNS::TopicPolicy",
        "AWS::SQS::QueuePolicy",
        "AWS::CloudFront::OriginAccessControl",  # drawn as "via OAC" on the origin edge
        "AWS::CloudFront::CachePolicy",
        "AWS::CloudFront::OriginRequestPolicy",
        "AWS::CloudFront::ResponseHeadersPolicy",
        "AWS::WAFv2::WebACLAssociation",  # drawn as web ACL -> resource edge
        "AWS::WAFv2::LoggingConfiguration",  # drawn as web ACL -> log destination edge
    }
)

CUSTOM_RESOURCE_TYPES = ("AWS::CloudFormation::CustomResource",)

KEY_PROPERTIES = frozenset(
    {"KmsKeyId", "KMSMasterKeyID", "KmsMasterKeyId", "EncryptionKey", "KmsKeyArn", "KMSKeyArn", "KmsKeyIdentifier"}
)
ALARM_ACTION_PROPERTIES = frozenset({"AlarmActions", "OKActions", "InsufficientDataActions"})
LOG_TARGET_TYPES = frozenset(
    {"AWS::S3::Bucket", "AWS::Logs::LogGroup", "AWS::Logs::LogStream", "AWS::KinesisFirehose::DeliveryStream"}
)
GLOBAL_SERVICES = ("AWS::CloudFront::", "AWS::Route53::", "AWS::GlobalAccelerator::")

# Service family -> group inside a stack (outside the VPC), and the row below
# the VPC the group is laid out in (keys and secrets above what they protect).
GROUPS: tuple[tuple[str, str], ...] = (
    ("AWS::KMS::", "Encryption keys"),
    ("AWS::SecretsManager::", "Secrets"),
    ("AWS::SSM::", "Secrets"),
    ("AWS::Lambda::", "Functions"),
    ("AWS::CertificateManager::", "Firewall and certificates"),
    ("AWS::WAFv2::", "Firewall and certificates"),
    ("AWS::S3::", "Buckets"),
    ("AWS::Logs::", "Log groups"),
    ("AWS::KinesisFirehose::", "Log groups"),
    ("AWS::CloudWatch::", "Monitoring and alerting"),
    ("AWS::SNS::", "Monitoring and alerting"),
)
GROUP_ROWS = {
    "Encryption keys": 1,
    "Secrets": 1,
    "Functions": 1,
    "Firewall and certificates": 1,
    "Buckets": 2,
    "Log groups": 2,
    "Monitoring and alerting": 2,
}
GLOBAL_GROUP = "Global (CloudFront edge locations)"
ORIGIN_GROUP = "Origins served by CloudFront"

SHORT_TYPES = {
    "AWS::AutoScaling::AutoScalingGroup": "Auto Scaling group (instances)",
    "AWS::CertificateManager::Certificate": "ACM certificate",
    "AWS::CloudFront::Distribution": "CloudFront distribution",
    "AWS::CloudFront::Function": "CloudFront function",
    "AWS::CloudWatch::Alarm": "CloudWatch alarm",
    "AWS::CloudWatch::CompositeAlarm": "CloudWatch composite alarm",
    "AWS::CloudWatch::Dashboard": "CloudWatch dashboard",
    "AWS::EC2::FlowLog": "VPC flow log",
    "AWS::EC2::InternetGateway": "Internet gateway",
    "AWS::EC2::LaunchTemplate": "EC2 launch template",
    "AWS::EC2::NatGateway": "NAT gateway",
    "AWS::EC2::VPCEndpoint": "VPC endpoint",
    "AWS::ElasticLoadBalancingV2::LoadBalancer": "Load balancer",
    "AWS::ElasticLoadBalancingV2::TargetGroup": "Target group",
    "AWS::KMS::Key": "KMS key",
    "AWS::Lambda::Function": "Lambda function",
    "AWS::Logs::LogGroup": "Log group",
    "AWS::Route53::RecordSet": "Route 53 record",
    "AWS::S3::Bucket": "S3 bucket",
    "AWS::SecretsManager::Secret": "Secret",
    "AWS::SNS::Subscription": "SNS subscription",
    "AWS::SNS::Topic": "SNS topic",
    "AWS::WAFv2::WebACL": "WAF web ACL",
    "AWS::WAFv2::IPSet": "WAF IP set",
}

# Fill colours per service family (AWS console hues, lightened for text).
COLOURS: tuple[tuple[str, str], ...] = (
    ("AWS::CloudFront::", "#e6dcf5"),
    ("AWS::WAFv2::", "#f8d7da"),
    ("AWS::CertificateManager::", "#f8d7da"),
    ("AWS::ElasticLoadBalancingV2::", "#e3d9f2"),
    ("AWS::AutoScaling::", "#fde2c4"),
    ("AWS::EC2::LaunchTemplate", "#fde2c4"),
    ("AWS::EC2::", "#dcebdc"),
    ("AWS::S3::", "#d5ecd4"),
    ("AWS::Logs::", "#fbe3ea"),
    ("AWS::KMS::", "#fff3c4"),
    ("AWS::SecretsManager::", "#fbe3ea"),
    ("AWS::Lambda::", "#fde2c4"),
    ("AWS::CloudWatch::", "#fbe3ea"),
    ("AWS::SNS::", "#fbe3ea"),
)

EDGE_STYLES: dict[str, dict[str, str]] = {
    "traffic": {"color": "#1f4e9c", "penwidth": "3", "fontcolor": "#1f4e9c", "weight": "8"},
    "egress": {"color": "#1f4e9c", "penwidth": "1.2", "style": "dashed", "fontcolor": "#1f4e9c"},
    "encryption": {"color": "#c9a100aa", "penwidth": "1.1", "style": "dashed", "arrowhead": "odiamond"},
    "alerting": {"color": "#c0392b", "penwidth": "1.6", "fontcolor": "#c0392b"},
    "metrics": {"color": "#8e8e8e", "penwidth": "1.0", "style": "dotted", "fontcolor": "#6e6e6e"},
    "logging": {"color": "#2e8b57", "penwidth": "1.0", "style": "dashed", "fontcolor": "#2e8b57"},
    "config": {"color": "#6e6e6e", "penwidth": "1.0", "fontcolor": "#4e4e4e"},
    "protection": {"color": "#b03060", "penwidth": "1.6", "fontcolor": "#b03060"},
}
LEGEND = (
    ("traffic", "viewer request path"),
    ("egress", "outbound from a subnet tier (routes)"),
    ("encryption", "KMS key encrypts"),
    ("logging", "writes logs to"),
    ("metrics", "metrics watched by alarm"),
    ("alerting", "alarm notifies"),
    ("config", "uses / rotates"),
    ("protection", "firewall / certificate for"),
)
CROSS_STACK_COLOUR = "#7b2cbf"
# Labels on the other kinds repeat the legend and crowd the picture.
LABELLED_KINDS = frozenset({"traffic", "egress", "config", "protection"})

_HASH = re.compile(r"^(?P<role>.+?)(?P<hash>[0-9A-F]{8})$")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9]|$)|[A-Z]?[a-z0-9]+|[A-Z]+|[^A-Za-z0-9]+")


# --------------------------------------------------------------------------
# Input
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class StackTemplate:
    """One synthesized stack: name, region, template (a dict) and the stacks it deploys after."""

    name: str
    region: str
    template: Mapping[str, Any]
    depends_on: tuple[str, ...] = ()

    @classmethod
    def of(cls, value: Any) -> StackTemplate:
        if isinstance(value, StackTemplate):
            return value
        if isinstance(value, Mapping):  # webstack_tools.cli.load_assembly() rows
            return cls(value["name"], value["region"], value["template"], tuple(value.get("depends_on", ())))
        name, region, template, *rest = value
        return cls(name, region, template, tuple(rest[0]) if rest else ())


# --------------------------------------------------------------------------
# Graph model
# --------------------------------------------------------------------------


@dataclass
class Node:
    id: str
    stack: str
    type: str
    logical_ids: tuple[str, ...]
    title: str
    details: list[str] = field(default_factory=list)
    cluster: tuple[str, ...] = ()  # cluster path, outermost first

    @property
    def short_type(self) -> str:
        return short_type(self.type)


@dataclass(frozen=True, order=True)
class Edge:
    src: str
    dst: str
    kind: str
    label: str = ""
    cross_stack: bool = False
    ltail: str = ""


@dataclass
class Cluster:
    id: str
    label: str
    style: dict[str, str]
    parent: str | None


@dataclass
class Graph:
    title: str
    nodes: dict[str, Node]
    edges: list[Edge]
    clusters: dict[str, Cluster]
    notes: dict[str, str]  # cluster id -> note text (plumbing counts, subnets)

    # Queries for tests and readers -------------------------------------
    def nodes_of_type(self, rtype: str) -> list[Node]:
        return sorted((n for n in self.nodes.values() if n.type == rtype), key=lambda n: n.id)

    def node_of_type(self, rtype: str, stack: str | None = None) -> Node:
        found = [n for n in self.nodes_of_type(rtype) if stack is None or n.stack == stack]
        if len(found) != 1:
            raise LookupError(f"expected one {rtype} node, found {[n.id for n in found]}")
        return found[0]

    def node_for(self, stack: str, logical_id: str) -> Node:
        for n in self.nodes.values():
            if n.stack == stack and logical_id in n.logical_ids:
                return n
        raise LookupError(f"{stack}/{logical_id} is not drawn")

    def edges_between(self, src: str, dst: str, kind: str | None = None) -> list[Edge]:
        return [e for e in self.edges if e.src == src and e.dst == dst and (kind is None or e.kind == kind)]

    def has_edge(self, src: Node | str, dst: Node | str, kind: str | None = None) -> bool:
        s = src.id if isinstance(src, Node) else src
        d = dst.id if isinstance(dst, Node) else dst
        return bool(self.edges_between(s, d, kind))

    def clusters_containing(self, node: Node | str) -> list[Cluster]:
        n = self.nodes[node.id if isinstance(node, Node) else node]
        return [self.clusters[c] for c in n.cluster]

    def to_dot(self) -> str:
        return render_dot(self)


VIEWER = "viewer"


# --------------------------------------------------------------------------
# Helpers over templates
# --------------------------------------------------------------------------


def short_type(rtype: str) -> str:
    if rtype in SHORT_TYPES:
        return SHORT_TYPES[rtype]
    parts = rtype.split("::")
    return " ".join(parts[1:]) if len(parts) == 3 else rtype


def role_name(logical_id: str) -> str:
    """``StorageContent05955A69`` -> ``StorageContent`` (CDK's 8-hex hash suffix dropped)."""
    m = _HASH.match(logical_id)
    return m.group("role") if m else logical_id


def _collapse_key(role: str) -> str:
    return re.sub(r"\d+", "#", role)


def _wrap(text: str, width: int = 24) -> list[str]:
    """Break a CamelCase role name into lines at word boundaries."""
    words = _CAMEL.findall(text) or [text]
    lines, line = [], ""
    for w in words:
        if line and len(line) + len(w) > width:
            lines.append(line)
            line = ""
        line += w
    if line:
        lines.append(line)
    return lines


@dataclass(frozen=True)
class Ref:
    """A reference found in a template: path in the properties, the target's logical id and stack."""

    path: tuple[str, ...]
    target: str
    attribute: str | None
    stack: str
    cross_stack: bool = False


def _path_segment(item: Any, index: int) -> str:
    # Key/Value lists (ALB attributes, tags) read better by their key.
    if isinstance(item, Mapping) and isinstance(item.get("Key"), str):
        return item["Key"]
    if isinstance(item, Mapping) and isinstance(item.get("Name"), str):
        return item["Name"]
    return str(index)


class Assembly:
    """All stacks' resources and a resolver for references, including cross-stack ones."""

    def __init__(self, stacks: Sequence[StackTemplate]) -> None:
        self.stacks = {s.name: s for s in stacks}
        self.resources: dict[tuple[str, str], Mapping[str, Any]] = {}
        for s in stacks:
            for lid, res in (s.template.get("Resources") or {}).items():
                self.resources[(s.name, lid)] = res
        self.exports: dict[str, tuple[str, Any]] = {}
        for s in stacks:
            for output in (s.template.get("Outputs") or {}).values():
                export = (output.get("Export") or {}).get("Name")
                if isinstance(export, str):
                    self.exports[export] = (s.name, output.get("Value"))

    def type_of(self, stack: str, lid: str) -> str | None:
        res = self.resources.get((stack, lid))
        return res.get("Type") if res else None

    def props(self, stack: str, lid: str) -> Mapping[str, Any]:
        return (self.resources.get((stack, lid)) or {}).get("Properties") or {}

    def refs(self, stack: str, value: Any, path: tuple[str, ...] = (), cross: bool = False) -> Iterator[Ref]:
        """Every Ref / GetAtt / Sub / GetStackOutput / ImportValue in ``value`` that names a resource."""
        if isinstance(value, Mapping):
            if len(value) == 1:
                ((fn, arg),) = value.items()
                if fn == "Ref" and isinstance(arg, str):
                    if (stack, arg) in self.resources:
                        yield Ref(path, arg, None, stack, cross)
                    return
                if fn == "Fn::GetAtt":
                    lid, attr = arg.split(".", 1) if isinstance(arg, str) else (arg[0], arg[1])
                    if (stack, lid) in self.resources:
                        yield Ref(path, lid, attr, stack, cross)
                    return
                if fn == "Fn::Sub":
                    text = arg[0] if isinstance(arg, list) else arg
                    if isinstance(text, str):
                        for name in re.findall(r"\$\{([^!}][^}]*)\}", text):
                            lid, _, attr = name.partition(".")
                            if (stack, lid) in self.resources:
                                yield Ref(path, lid, attr or None, stack, cross)
                    if isinstance(arg, list) and len(arg) > 1:
                        yield from self.refs(stack, arg[1], path, cross)
                    return
                if fn == "Fn::GetStackOutput" and isinstance(arg, Mapping):
                    producer = self.stacks.get(arg.get("StackName"))
                    if producer is not None:
                        output = (producer.template.get("Outputs") or {}).get(arg.get("OutputName"), {})
                        yield from self.refs(producer.name, output.get("Value"), path, True)
                    return
                if fn == "Fn::ImportValue" and isinstance(arg, str) and arg in self.exports:
                    producer_name, exported = self.exports[arg]
                    yield from self.refs(producer_name, exported, path, True)
                    return
            for key in sorted(value):
                yield from self.refs(stack, value[key], path + (str(key),), cross)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                yield from self.refs(stack, item, path + (_path_segment(item, i),), cross)

    def refs_of(self, stack: str, lid: str, *props: str) -> Iterator[Ref]:
        p = self.props(stack, lid)
        if not props:
            yield from self.refs(stack, p)
            return
        for name in props:
            if name in p:
                yield from self.refs(stack, p[name], (name,))


def _tag(props: Mapping[str, Any], key: str) -> str | None:
    for tag in props.get("Tags") or []:
        if isinstance(tag, Mapping) and tag.get("Key") == key and isinstance(tag.get("Value"), str):
            return tag["Value"]
    return None


def _literal(value: Any) -> str | None:
    """A readable string for a literal or a Fn::Join of literals (pseudo parameters as {Region})."""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, Mapping) and "Fn::Join" in value:
        sep, parts = value["Fn::Join"]
        out = []
        for p in parts:
            if isinstance(p, Mapping) and isinstance(p.get("Ref"), str) and p["Ref"].startswith("AWS::"):
                out.append("{" + p["Ref"][5:] + "}")
            else:
                lit = _literal(p)
                if lit is None:
                    return None
                out.append(lit)
        return sep.join(out)
    return None


def _rule_conditions(props: Mapping[str, Any]) -> str:
    """``if /api/* and header X-Origin-Verify``: a listener rule's conditions, briefly."""
    parts = []
    for c in props.get("Conditions") or []:
        name = c.get("Field", "")
        if name == "http-header":
            parts.append(f"header {(c.get('HttpHeaderConfig') or {}).get('HttpHeaderName', '?')}")
            continue
        config = next((v for k, v in sorted(c.items()) if k.endswith("Config") and isinstance(v, Mapping)), {})
        values = [str(v) for v in (config.get("Values") or c.get("Values") or []) if isinstance(v, (str, int))]
        parts.append(" ".join(values) if name == "path-pattern" and values else f"{name} {' '.join(values)}".strip())
    return ("if " + " and ".join(parts)) if parts else ""


def _zones(zones: Iterable[str]) -> str:
    zones = sorted(set(z for z in zones if z))
    if not zones:
        return ""
    if len({z[:-1] for z in zones}) == 1:
        return f"{zones[0][:-1]}{'/'.join(z[-1] for z in zones)}"
    return ", ".join(zones)


# --------------------------------------------------------------------------
# Building the graph
# --------------------------------------------------------------------------


def _cid(*parts: str) -> str:
    return "cluster_" + "_".join(re.sub(r"[^A-Za-z0-9]+", "_", p).strip("_") for p in parts)


class _Builder:
    def __init__(self, stacks: Sequence[StackTemplate], title: str) -> None:
        self.asm = Assembly(stacks)
        self.stacks = stacks
        self.title = title
        self.clusters: dict[str, Cluster] = {}
        self.notes: dict[str, str] = {}
        self.nodes: dict[str, Node] = {}
        self.node_of: dict[tuple[str, str], str] = {}  # (stack, logical id) -> node id
        self.edges: dict[tuple[str, str, str, str], set[str]] = defaultdict(set)
        self.cross: set[tuple[str, str, str, str]] = set()
        # Network facts
        self.subnet_tier: dict[tuple[str, str], str] = {}  # (stack, subnet lid) -> tier cluster id
        self.subnet_zone: dict[tuple[str, str], str] = {}
        self.vpc_cluster: dict[tuple[str, str], str] = {}  # (stack, vpc lid) -> cluster id
        self.tier_note: dict[str, str] = {}  # tier cluster id -> note node id
        self.route_table_tiers: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.hidden: set[tuple[str, str]] = set()

    # -- clusters ---------------------------------------------------------
    def cluster(self, cid: str, label: str, parent: str | None, **style: str) -> str:
        if cid not in self.clusters:
            self.clusters[cid] = Cluster(cid, label, style, parent)
        return cid

    def path(self, cid: str | None) -> tuple[str, ...]:
        out: list[str] = []
        while cid:
            out.append(cid)
            cid = self.clusters[cid].parent
        return tuple(reversed(out))

    def edge(self, src: str, dst: str, kind: str, label: str = "", cross: bool = False, ltail: str = "") -> None:
        if src == dst:
            return
        key = (src, dst, kind, ltail)
        self.edges[key]
        if label:
            self.edges[key].add(label)
        if cross:
            self.cross.add(key)

    # -- steps ------------------------------------------------------------
    def build(self) -> Graph:
        regions = sorted({s.region for s in self.stacks})
        for region in regions:
            self.cluster(_cid("region", region), f"Region {region}", None, kind="region")
        for s in self.stacks:
            deps = f"\ndeploys after {', '.join(sorted(s.depends_on))}" if s.depends_on else ""
            self.cluster(_cid("stack", s.name), f"stack {s.name}{deps}", _cid("region", s.region), kind="stack")
        self._hide_custom_resources()
        for s in self.stacks:
            self._network(s)
        self.origins = self._origins()
        self._place_nodes()
        self._edges()
        self._plumbing_notes()
        edges = []
        for key in sorted(self.edges):
            src, dst, kind, ltail = key
            edges.append(Edge(src, dst, kind, "\n".join(sorted(self.edges[key])), key in self.cross, ltail))
        return Graph(
            self.title, dict(sorted(self.nodes.items())), edges, dict(sorted(self.clusters.items())), self.notes
        )

    def _hide_custom_resources(self) -> None:
        """Custom resources and the provider functions their ServiceToken names are plumbing
        (CDK's VPC default-SG restriction, bucket auto-delete, ...); the providers'
        roles are IAM, which is plumbing anyway."""
        for (stack, lid), res in sorted(self.asm.resources.items()):
            rtype = res.get("Type", "")
            if rtype.startswith("Custom::") or rtype in CUSTOM_RESOURCE_TYPES:
                self.hidden.add((stack, lid))
                for ref in self.asm.refs_of(stack, lid, "ServiceToken"):
                    self.hidden.add((ref.stack, ref.target))

    def _network(self, s: StackTemplate) -> None:
        asm = self.asm
        res = {lid: r for (st, lid), r in asm.resources.items() if st == s.name}
        stack_cluster = _cid("stack", s.name)
        for lid, r in sorted(res.items()):
            if r["Type"] != "AWS::EC2::VPC":
                continue
            cidr = _literal((r.get("Properties") or {}).get("CidrBlock")) or ""
            self.vpc_cluster[(s.name, lid)] = self.cluster(
                _cid("vpc", s.name, lid), f"VPC {role_name(lid)}  {cidr}".rstrip(), stack_cluster, kind="vpc"
            )
        # Route tables: which gateways a subnet's routes go to decides its tier's kind.
        rt_targets: dict[str, set[str]] = defaultdict(set)
        for lid, r in res.items():
            if r["Type"] == "AWS::EC2::Route":
                p = r.get("Properties") or {}
                rt = next((x.target for x in asm.refs(s.name, p.get("RouteTableId"))), None)
                for key in ("GatewayId", "NatGatewayId", "TransitGatewayId", "VpcPeeringConnectionId"):
                    for x in asm.refs(s.name, p.get(key)):
                        if rt:
                            rt_targets[rt].add(asm.type_of(s.name, x.target) or "")
        subnet_rt: dict[str, str] = {}
        for lid, r in res.items():
            if r["Type"] == "AWS::EC2::SubnetRouteTableAssociation":
                p = r.get("Properties") or {}
                sub = next((x.target for x in asm.refs(s.name, p.get("SubnetId"))), None)
                rt = next((x.target for x in asm.refs(s.name, p.get("RouteTableId"))), None)
                if sub and rt:
                    subnet_rt[sub] = rt
        tiers: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        tier_kind: dict[str, str] = {}
        for lid, r in sorted(res.items()):
            if r["Type"] != "AWS::EC2::Subnet":
                continue
            p = r.get("Properties") or {}
            vpc = next((x.target for x in asm.refs(s.name, p.get("VpcId"))), None)
            if (s.name, vpc) not in self.vpc_cluster:
                continue
            targets = rt_targets.get(subnet_rt.get(lid, ""), set())
            if "AWS::EC2::InternetGateway" in targets:
                kind = "public"
            elif targets & {"AWS::EC2::NatGateway", "AWS::EC2::TransitGateway"}:
                kind = "private with egress"
            else:
                kind = "isolated"
            name = _tag(p, "aws-cdk:subnet-name") or kind.capitalize()
            tier = self.cluster(
                _cid("tier", s.name, vpc, name),
                f"{name} subnets" + ("" if name.lower() == kind else f" · {kind}") + TIER_ROUTES.get(kind, ""),
                self.vpc_cluster[(s.name, vpc)],
                kind="tier",
                tier_kind=kind,
            )
            tier_kind[tier] = kind
            zone = _literal(p.get("AvailabilityZone")) or ""
            self.subnet_tier[(s.name, lid)] = tier
            self.subnet_zone[(s.name, lid)] = zone
            tiers[tier].append((zone, _literal(p.get("CidrBlock")) or "?", lid))
            if lid in subnet_rt:
                self.route_table_tiers[(s.name, subnet_rt[lid])].add(tier)
        for tier, subnets in tiers.items():
            note = f"{tier}__subnets"
            lines = [f"{len(subnets)} subnet{'s' if len(subnets) != 1 else ''}"]
            lines += [f"{zone or '?'}  {cidr}" for zone, cidr, _ in sorted(subnets)]
            self.notes[note] = "\n".join(lines)
            self.tier_note[tier] = note

    def _origins(self) -> set[tuple[str, str]]:
        """Resources a CloudFront distribution serves from (outside a VPC they get their own group)."""
        found = set()
        for (stack, lid), res in self.asm.resources.items():
            if res.get("Type") == "AWS::CloudFront::Distribution":
                for origin in ((res.get("Properties") or {}).get("DistributionConfig") or {}).get("Origins") or []:
                    found |= {(r.stack, r.target) for r in self.asm.refs(stack, origin.get("DomainName"))}
        return found

    def _placement(self, stack: str, lid: str, rtype: str) -> str:
        """The cluster a resource belongs in: tier, VPC, global or its service group."""
        asm = self.asm
        props = asm.props(stack, lid)
        tiers = {
            self.subnet_tier[(r.stack, r.target)]
            for r in asm.refs(stack, props)
            if (r.stack, r.target) in self.subnet_tier
        }
        if len(tiers) == 1:
            return tiers.pop()
        vpcs = {
            self.vpc_cluster[(r.stack, r.target)]
            for r in asm.refs(stack, props)
            if (r.stack, r.target) in self.vpc_cluster
        }
        if tiers:  # spans tiers: the VPC holding them
            return self.clusters[sorted(tiers)[0]].parent or ""
        # Attached to a VPC by a plumbing resource (internet gateway via VPCGatewayAttachment).
        if not vpcs:
            for (st, other), r in asm.resources.items():
                if st == stack and r.get("Type") in PLUMBING_TYPES:
                    targets = {x.target for x in asm.refs(stack, r.get("Properties") or {})}
                    if lid in targets:
                        vpcs |= {self.vpc_cluster[(stack, t)] for t in targets if (stack, t) in self.vpc_cluster}
        if len(vpcs) == 1:
            return vpcs.pop()
        # Launch templates live where the group that launches them lives.
        if rtype in ("AWS::EC2::LaunchTemplate", "AWS::AutoScaling::LaunchConfiguration"):
            for (st, other), r in sorted(asm.resources.items()):
                if st == stack and r.get("Type") == "AWS::AutoScaling::AutoScalingGroup":
                    if any(x.target == lid for x in asm.refs(stack, r.get("Properties") or {})):
                        return self._placement(stack, other, r["Type"])
        stack_cluster = _cid("stack", stack)
        if (stack, lid) in self.origins:
            return self.cluster(_cid("origins", stack), ORIGIN_GROUP, stack_cluster, kind="origins")
        if rtype.startswith(GLOBAL_SERVICES):
            return self.cluster(_cid("global", stack), GLOBAL_GROUP, stack_cluster, kind="global")
        group = next((g for prefix, g in GROUPS if rtype.startswith(prefix)), "Other")
        return self.cluster(_cid("group", stack, group), group, stack_cluster, kind="group")

    def _place_nodes(self) -> None:
        asm = self.asm
        buckets: dict[tuple[str, str, str, str], list[str]] = defaultdict(list)
        for (stack, lid), res in sorted(asm.resources.items()):
            rtype = res.get("Type", "")
            if rtype in PLUMBING_TYPES or (stack, lid) in self.hidden:
                continue
            cluster = self._placement(stack, lid, rtype)
            buckets[(stack, cluster, rtype, _collapse_key(role_name(lid)))].append(lid)
        for (stack, cluster, rtype, key), lids in sorted(buckets.items()):
            lids = sorted(lids)
            if len(lids) == 1:
                title = role_name(lids[0])
                node_id = f"{stack}/{lids[0]}"
            else:
                title = f"{len(lids)} × {key.replace('#', '*')}"
                node_id = f"{stack}/{key}"
            node = Node(node_id, stack, rtype, tuple(lids), title, cluster=self.path(cluster))
            node.details = self._details(stack, lids, rtype)
            self.nodes[node_id] = node
            for lid in lids:
                self.node_of[(stack, lid)] = node_id

    def _details(self, stack: str, lids: list[str], rtype: str) -> list[str]:
        """A few facts from the template that a reader of the diagram wants."""
        asm = self.asm
        p = asm.props(stack, lids[0])
        out: list[str] = []
        zones = {
            self.subnet_zone[(r.stack, r.target)]
            for lid in lids
            for r in asm.refs_of(stack, lid)
            if (r.stack, r.target) in self.subnet_zone
        }
        if rtype == "AWS::AutoScaling::AutoScalingGroup":
            out.append(
                f"min {_literal(p.get('MinSize'))} · desired {_literal(p.get('DesiredCapacity')) or '-'} · max {_literal(p.get('MaxSize'))}"
            )
            tracking = []
            for (st, other), r in sorted(asm.resources.items()):
                if st == stack and r.get("Type") == "AWS::AutoScaling::ScalingPolicy":
                    rp = r.get("Properties") or {}
                    if any(x.target == lids[0] for x in asm.refs(stack, rp.get("AutoScalingGroupName"))):
                        tt = rp.get("TargetTrackingConfiguration") or {}
                        metric = (tt.get("PredefinedMetricSpecification") or {}).get(
                            "PredefinedMetricType"
                        ) or role_name(other)
                        metric = {"ASGAverageCPUUtilization": "CPU", "ALBRequestCountPerTarget": "requests/target"}.get(
                            metric, metric
                        )
                        tracking.append(f"{metric} {_literal(tt.get('TargetValue')) or ''}".strip())
            if tracking:
                out.append("tracks " + ", ".join(tracking))
        elif rtype == "AWS::EC2::LaunchTemplate":
            data = p.get("LaunchTemplateData") or {}
            facts = [_literal(data.get("InstanceType")) or ""]
            if (data.get("MetadataOptions") or {}).get("HttpTokens") == "required":
                facts.append("IMDSv2")
            out.append(" · ".join(f for f in facts if f))
        elif rtype == "AWS::ElasticLoadBalancingV2::LoadBalancer":
            out.append(f"{p.get('Type', 'application')} · {p.get('Scheme', 'internet-facing')}")
        elif rtype == "AWS::ElasticLoadBalancingV2::TargetGroup":
            hc = p.get("HealthCheckPath")
            out.append(f"{p.get('Protocol', '')}:{p.get('Port', '')}" + (f" · health {hc}" if hc else ""))
        elif rtype == "AWS::S3::Bucket":
            sse = ((p.get("BucketEncryption") or {}).get("ServerSideEncryptionConfiguration") or [{}])[0]
            algo = (sse.get("ServerSideEncryptionByDefault") or {}).get("SSEAlgorithm")
            facts = [{"aws:kms": "SSE-KMS", "aws:kms:dsse": "DSSE-KMS", "AES256": "SSE-S3"}.get(algo, "SSE-S3")]
            if (p.get("VersioningConfiguration") or {}).get("Status") == "Enabled":
                facts.append("versioned")
            out.append(" · ".join(facts))
        elif rtype == "AWS::CloudWatch::Alarm":
            op = {
                "GreaterThanThreshold": ">",
                "GreaterThanOrEqualToThreshold": "≥",
                "LessThanThreshold": "<",
                "LessThanOrEqualToThreshold": "≤",
            }
            metric = p.get("MetricName") or "metric math"
            out.append(f"{metric} {op.get(p.get('ComparisonOperator'), '?')} {_literal(p.get('Threshold'))}")
        elif rtype == "AWS::Logs::LogGroup":
            if p.get("RetentionInDays"):
                out.append(f"retention {p['RetentionInDays']} d")
        elif rtype == "AWS::KMS::Key":
            if p.get("EnableKeyRotation"):
                out.append("rotation on")
        elif rtype == "AWS::Lambda::Function":
            if p.get("Runtime"):
                out.append(str(p["Runtime"]))
        elif rtype == "AWS::EC2::VPCEndpoint":
            service = (_literal(p.get("ServiceName")) or "").rsplit(".", 1)[-1]
            out.append(f"{service} · {p.get('VpcEndpointType', 'Gateway')}".strip(" ·"))
        elif rtype == "AWS::CloudFront::Distribution":
            cfg = p.get("DistributionConfig") or {}
            facts = [str(cfg.get("PriceClass", "")), str(cfg.get("HttpVersion", ""))]
            out.append(" · ".join(f for f in facts if f))
        if zones:
            out.append(_zones(zones))
        return [d for d in out if d]

    # -- edges ------------------------------------------------------------
    def _node(self, stack: str, lid: str) -> str | None:
        return self.node_of.get((stack, lid))

    def _key_behind(self, stack: str, lid: str) -> tuple[str, str]:
        """A KMS alias resolves to the key it names."""
        if self.asm.type_of(stack, lid) == "AWS::KMS::Alias":
            for r in self.asm.refs_of(stack, lid, "TargetKeyId"):
                return r.stack, r.target
        return stack, lid

    def _edges(self) -> None:
        asm = self.asm
        # Viewers reach the distributions; without one, the internet-facing load balancers.
        distributions = [k for k, r in asm.resources.items() if r.get("Type") == "AWS::CloudFront::Distribution"]
        entry = distributions or [
            k
            for k, r in asm.resources.items()
            if r.get("Type") == "AWS::ElasticLoadBalancingV2::LoadBalancer"
            and (r.get("Properties") or {}).get("Scheme", "internet-facing") == "internet-facing"
        ]
        for stack, lid in sorted(entry):
            if self._node(stack, lid):
                self.edge(VIEWER, self._node(stack, lid), "traffic", "HTTPS")

        for (stack, lid), res in sorted(asm.resources.items()):
            rtype = res.get("Type", "")
            props = res.get("Properties") or {}
            me = self._node(stack, lid)
            if rtype == "AWS::CloudFront::Distribution" and me:
                self._distribution(stack, props, me)
            elif rtype == "AWS::ElasticLoadBalancingV2::Listener":
                self._listener(stack, props, "DefaultActions", "")
            elif rtype == "AWS::ElasticLoadBalancingV2::ListenerRule":
                self._listener_rule(stack, props)
            elif rtype == "AWS::AutoScaling::AutoScalingGroup" and me:
                for r in asm.refs(stack, props.get("TargetGroupARNs"), ("TargetGroupARNs",)):
                    if self._node(r.stack, r.target):
                        self.edge(self._node(r.stack, r.target), me, "traffic", "registers instances", r.cross_stack)
                for key in ("LaunchTemplate", "MixedInstancesPolicy", "LaunchConfigurationName"):
                    for r in asm.refs(stack, props.get(key), (key,)):
                        if self._node(r.stack, r.target):
                            self.edge(self._node(r.stack, r.target), me, "config", "launches", r.cross_stack)
            elif rtype == "AWS::SecretsManager::RotationSchedule":
                fn = next(iter(asm.refs(stack, props.get("RotationLambdaARN"))), None)
                secret = next(iter(asm.refs(stack, props.get("SecretId"))), None)
                if fn and secret and self._node(fn.stack, fn.target) and self._node(secret.stack, secret.target):
                    self.edge(
                        self._node(fn.stack, fn.target), self._node(secret.stack, secret.target), "config", "rotates"
                    )
            elif rtype == "AWS::WAFv2::WebACLAssociation":
                acl = next(iter(asm.refs(stack, props.get("WebACLArn"))), None)
                target = next(iter(asm.refs(stack, props.get("ResourceArn"))), None)
                if acl and target and self._node(acl.stack, acl.target) and self._node(target.stack, target.target):
                    self.edge(
                        self._node(acl.stack, acl.target),
                        self._node(target.stack, target.target),
                        "protection",
                        "filters",
                        acl.cross_stack or target.cross_stack,
                    )
            elif rtype == "AWS::WAFv2::LoggingConfiguration":
                acl = next(iter(asm.refs(stack, props.get("ResourceArn"))), None)
                for dest in sorted(self._destinations(stack, lid, props.get("LogDestinationConfigs"))):
                    if acl and self._node(acl.stack, acl.target) and self._node(stack, dest):
                        self.edge(self._node(acl.stack, acl.target), self._node(stack, dest), "logging", "logs")
            elif rtype == "AWS::EC2::Route":
                self._route(stack, props)
            elif rtype == "AWS::EC2::VPCEndpoint" and me and props.get("RouteTableIds"):
                tiers = {
                    t
                    for r in asm.refs(stack, props["RouteTableIds"])
                    for t in self.route_table_tiers.get((r.stack, r.target), ())
                }
                for tier in sorted(tiers):
                    self.edge(self.tier_note[tier], me, "egress", "", ltail=tier)
            if me:
                self._generic(stack, lid, rtype, props, me)

    def _generic(self, stack: str, lid: str, rtype: str, props: Mapping[str, Any], me: str) -> None:
        """Edges read off property names and target types, for any resource type."""
        for r in self.asm.refs(stack, props):
            tstack, tlid = self._key_behind(r.stack, r.target)
            target = self._node(tstack, tlid)
            ttype = self.asm.type_of(tstack, tlid) or ""
            if not target or target == me:
                continue
            path = set(r.path)
            if path & KEY_PROPERTIES and ttype == "AWS::KMS::Key":
                self.edge(target, me, "encryption", "", r.cross_stack)
            elif path & ALARM_ACTION_PROPERTIES:
                self.edge(me, target, "alerting", "notifies", r.cross_stack)
            elif rtype in ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm") and (
                "Dimensions" in path or "Metrics" in path or "AlarmRule" in path
            ):
                self.edge(target, me, "metrics", "metrics", r.cross_stack)
            elif rtype == "AWS::CloudWatch::Dashboard":
                continue  # a dashboard shows everything; edges would only add noise
            elif ttype in LOG_TARGET_TYPES and any("log" in seg.lower() for seg in r.path) and "Origins" not in path:
                label = (
                    "access logs"
                    if rtype == "AWS::S3::Bucket"
                    else ("flow logs" if rtype == "AWS::EC2::FlowLog" else "logs")
                )
                self.edge(me, target, "logging", label, r.cross_stack)
            elif ttype == "AWS::SNS::Topic" and rtype == "AWS::SNS::Subscription":
                self.edge(target, me, "alerting", "delivers", r.cross_stack)
            elif ttype == "AWS::WAFv2::WebACL":
                self.edge(target, me, "protection", "filters", r.cross_stack)
            elif ttype == "AWS::CertificateManager::Certificate":
                self.edge(target, me, "protection", "TLS certificate", r.cross_stack)

    def _destinations(self, stack: str, lid: str, value: Any) -> set[str]:
        """Log destinations named by reference, or by an ARN spelled out with the
        destination's literal name (WAF needs log group names starting
        ``aws-waf-logs-``, so CDK writes the ARN by hand and adds a DependsOn)."""
        found = {r.target for r in self.asm.refs(stack, value) if r.stack == stack}
        arns = [_literal(v) or "" for v in (value if isinstance(value, list) else [value])]
        for (st, other), res in self.asm.resources.items():
            if st != stack or res.get("Type") not in LOG_TARGET_TYPES:
                continue
            p = res.get("Properties") or {}
            name = _literal(p.get("LogGroupName") or p.get("BucketName") or p.get("DeliveryStreamName"))
            if name and any(arn.endswith((f":{name}", f":::{name}", f"/{name}")) for arn in arns):
                found.add(other)
        return found

    def _distribution(self, stack: str, props: Mapping[str, Any], me: str) -> None:
        cfg = props.get("DistributionConfig") or {}
        routes: dict[str, list[str]] = defaultdict(list)
        default = (cfg.get("DefaultCacheBehavior") or {}).get("TargetOriginId")
        if isinstance(default, str):
            routes[default].append("default (*)")
        for behaviour in cfg.get("CacheBehaviors") or []:
            if isinstance(behaviour.get("TargetOriginId"), str):
                routes[behaviour["TargetOriginId"]].append(str(behaviour.get("PathPattern", "?")))
        for origin in cfg.get("Origins") or []:
            paths = routes.get(origin.get("Id"), [])
            if not paths:
                continue  # an origin no behaviour uses (origin group members) carries no traffic of its own
            via = (
                " via OAC"
                if origin.get("OriginAccessControlId")
                else (" via OAI" if (origin.get("S3OriginConfig") or {}).get("OriginAccessIdentity") else "")
            )
            for r in self.asm.refs(stack, origin.get("DomainName")):
                if self._node(r.stack, r.target):
                    self.edge(me, self._node(r.stack, r.target), "traffic", ", ".join(paths) + via, r.cross_stack)

    def _listener(self, stack: str, props: Mapping[str, Any], actions_key: str, condition: str) -> None:
        lb = next(iter(self.asm.refs(stack, props.get("LoadBalancerArn"))), None)
        if not lb or not self._node(lb.stack, lb.target):
            return
        label = f"{props.get('Protocol', '')}:{props.get('Port', '')}".strip(":")
        for r in self.asm.refs(stack, props.get(actions_key)):
            if self.asm.type_of(r.stack, r.target) == "AWS::ElasticLoadBalancingV2::TargetGroup" and self._node(
                r.stack, r.target
            ):
                self.edge(
                    self._node(lb.stack, lb.target),
                    self._node(r.stack, r.target),
                    "traffic",
                    "\n".join(x for x in (label, condition) if x),
                )

    def _listener_rule(self, stack: str, props: Mapping[str, Any]) -> None:
        listener = next(iter(self.asm.refs(stack, props.get("ListenerArn"))), None)
        if not listener:
            return
        lprops = self.asm.props(listener.stack, listener.target)
        self._listener(listener.stack, {**lprops, "Actions": props.get("Actions")}, "Actions", _rule_conditions(props))

    def _route(self, stack: str, props: Mapping[str, Any]) -> None:
        rt = next(iter(self.asm.refs(stack, props.get("RouteTableId"))), None)
        if not rt:
            return
        dest = props.get("DestinationCidrBlock") or props.get("DestinationIpv6CidrBlock") or ""
        for key in ("NatGatewayId", "GatewayId", "TransitGatewayId", "VpcPeeringConnectionId"):
            for gw in self.asm.refs(stack, props.get(key)):
                target = self._node(gw.stack, gw.target)
                if not target:
                    continue
                for tier in sorted(self.route_table_tiers.get((rt.stack, rt.target), ())):
                    if target in self.nodes and self.nodes[target].cluster[-1:] == (tier,):
                        continue  # a tier's own gateway
                    self.edge(self.tier_note[tier], target, "egress", str(dest), ltail=tier)

    def _plumbing_notes(self) -> None:
        for s in self.stacks:
            counts = Counter(
                r.get("Type", "")
                for (st, lid), r in self.asm.resources.items()
                if st == s.name
                and (r.get("Type") in PLUMBING_TYPES or (st, lid) in self.hidden)
                and r.get("Type") not in ("AWS::EC2::VPC", "AWS::EC2::Subnet")
            )
            if counts:
                items = [f"{n} {t.removeprefix('AWS::')}" for t, n in sorted(counts.items())]
                lines, line = ["not drawn (plumbing):"], ""
                for item in items:
                    if line and len(line) + len(item) > 64:
                        lines.append(line.rstrip(", "))
                        line = ""
                    line += item + ", "
                lines.append(line.rstrip(", "))
                self.notes[f"{_cid('stack', s.name)}__plumbing"] = "\n".join(lines)


def build_graph(stacks: Iterable[Any], title: str = "") -> Graph:
    """The diagram of ``stacks``: (name, region, template[, depends_on]) tuples,
    :class:`StackTemplate` or ``webstack_tools.cli.load_assembly`` rows."""
    items = sorted((StackTemplate.of(s) for s in stacks), key=lambda s: (s.region, s.name))
    return _Builder(items, title).build()


def build_dot(stacks: Iterable[Any], title: str = "") -> str:
    return build_graph(stacks, title).to_dot()


# --------------------------------------------------------------------------
# DOT rendering
# --------------------------------------------------------------------------


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _attrs(attrs: Mapping[str, str]) -> str:
    return ", ".join(f"{k}={v if v.startswith('<') else _q(v)}" for k, v in sorted(attrs.items()))


def _colour(rtype: str) -> str:
    return next((c for prefix, c in COLOURS if rtype.startswith(prefix)), "#eeeeee")


def _node_label(node: Node) -> str:
    e = html.escape
    rows = [f"<b>{e(line)}</b>" for line in _wrap(node.title)]
    rows.append(f'<font point-size="9">{e(node.short_type)}</font>')
    rows += [f'<font point-size="9" color="#444444">{e(d)}</font>' for d in node.details]
    return "<" + "<br/>".join(rows) + ">"


CLUSTER_STYLES = {
    "region": {
        "style": "rounded,dashed",
        "color": "#555555",
        "penwidth": "2.5",
        "fontsize": "26",
        "bgcolor": "#ffffff",
    },
    "stack": {"style": "rounded,filled", "color": "#7f7f7f", "fillcolor": "#f6f6f6", "penwidth": "2", "fontsize": "18"},
    "vpc": {"style": "rounded,filled", "color": "#3b8f3b", "fillcolor": "#eef7ee", "penwidth": "2", "fontsize": "15"},
    "tier": {"style": "rounded,filled", "color": "#6aa86a", "fillcolor": "#ffffff", "fontsize": "13"},
    "global": {"style": "rounded,filled", "color": "#7b2cbf", "fillcolor": "#f5efff", "fontsize": "11"},
    "origins": {"style": "rounded,filled", "color": "#1f4e9c", "fillcolor": "#eef3fb", "fontsize": "11"},
    "group": {"style": "rounded", "color": "#b0b0b0", "fontsize": "10"},
}
GRAPH_ATTRS = {
    "compound": "true",
    "rankdir": "TB",
    "newrank": "true",
    "nodesep": "0.25",
    "ranksep": "0.5",
    "fontname": "Helvetica",
    "labelloc": "t",
    "fontsize": "20",
    "pad": "0.3",
}
NODE_ATTRS = {
    "shape": "box",
    "style": "rounded,filled",
    "fontname": "Helvetica",
    "fontsize": "11",
    "color": "#666666",
    "margin": "0.12,0.06",
}
EDGE_ATTRS = {"fontname": "Helvetica", "fontsize": "9"}
NOTE_ATTRS = {"shape": "note", "fontsize": "8", "fillcolor": "#ffffff", "color": "#aaaaaa", "fontcolor": "#555555"}
ANCHOR_ATTRS = {"style": "invis", "shape": "point", "width": "0", "label": ""}
VIEWER_ATTRS = {
    "label": "Viewer\n(browser)",
    "shape": "circle",
    "fillcolor": "#1f4e9c",
    "fontcolor": "white",
    "width": "0.9",
    "fixedsize": "true",
}
TIER_ROUTES = {
    "public": " (0.0.0.0/0 → internet gateway)",
    "private with egress": " (0.0.0.0/0 → NAT)",
    "isolated": " (no route out)",
}
TIER_ORDER = {"public": 0, "private with egress": 1, "isolated": 2}
TIER_FILL = {"public": "#e8f3ff", "private with egress": "#fff6e5", "isolated": "#f3f3f3"}


def render_dot(graph: Graph) -> str:
    lines = [
        "// Generated by `python -m webstack_tools.diagram` from the synthesized templates. Do not edit.",
        "digraph webstack {",
        f"  graph [{_attrs(GRAPH_ATTRS | {'label': graph.title})}];",
        f"  node [{_attrs(NODE_ATTRS)}];",
        f"  edge [{_attrs(EDGE_ATTRS)}];",
        "",
        f"  {_q(VIEWER)} [{_attrs(VIEWER_ATTRS)}];",
    ]
    children: dict[str | None, list[str]] = defaultdict(list)
    for c in graph.clusters.values():
        children[c.parent].append(c.id)
    members: dict[str, list[str]] = defaultdict(list)
    for n in graph.nodes.values():
        members[n.cluster[-1] if n.cluster else ""].append(n.id)
    notes: dict[str, list[str]] = defaultdict(list)
    for note_id in graph.notes:
        notes[note_id.split("__")[0]].append(note_id)
    anchors, hints, upward = _layout_hints(graph)

    def emit(cid: str, depth: int) -> None:
        c = graph.clusters[cid]
        pad = "  " * depth
        kind = c.style.get("kind", "")
        style = dict(CLUSTER_STYLES.get(kind, {}))
        if kind == "tier":
            style["fillcolor"] = TIER_FILL.get(c.style.get("tier_kind", ""), "#ffffff")
        style["fontname"] = "Helvetica-Bold" if kind in ("region", "stack", "vpc") else "Helvetica"
        lines.append(f"{pad}subgraph {_q(cid)} {{")
        lines.append(f"{pad}  graph [{_attrs(style | {'label': c.label})}];")
        for note_id in sorted(notes.get(cid, [])):
            label = "".join(_q(line)[1:-1] + "\\l" for line in graph.notes[note_id].split("\n"))
            lines.append(f'{pad}  {_q(note_id)} [{_attrs(NOTE_ATTRS)}, label="{label}"];')
        for anchor in anchors.get(cid, []):
            lines.append(f"{pad}  {_q(anchor)} [{_attrs(ANCHOR_ATTRS)}];")
        for nid in sorted(members.get(cid, [])):
            n = graph.nodes[nid]
            attrs = {
                "label": _node_label(n),
                "fillcolor": _colour(n.type),
                "tooltip": n.type + ": " + ", ".join(n.logical_ids),
            }
            lines.append(f"{pad}  {_q(nid)} [{_attrs(attrs)}];")
        for child in sorted(children.get(cid, [])):
            emit(child, depth + 1)
        lines.append(f"{pad}}}")

    for top in sorted(children.get(None, [])):
        emit(top, 1)
    lines.append("")
    for e in graph.edges:
        attrs = dict(EDGE_STYLES[e.kind])
        if e.label and e.kind in LABELLED_KINDS:
            attrs["label"] = e.label
        if e.cross_stack:
            label = (attrs["label"] + "\n" if "label" in attrs else "") + "cross-stack"
            attrs.update(
                {"color": CROSS_STACK_COLOUR, "fontcolor": CROSS_STACK_COLOUR, "penwidth": "2", "label": label}
            )
        if e.ltail:
            attrs["ltail"] = e.ltail
        if (e.src, e.dst) in upward:
            attrs["constraint"] = "false"
        lines.append(f"  {_q(e.src)} -> {_q(e.dst)} [{_attrs(attrs)}];")
    lines.append("")
    lines.append("  // layout only: supporting services sit below the VPC")
    lines += [f"  {_q(a)} -> {_q(b)} [style=invis];" for a, b in hints]
    lines.append("")
    lines.append(_legend())
    lines.append("}")
    return "\n".join(lines) + "\n"


def _layout_hints(graph: Graph) -> tuple[dict[str, list[str]], list[tuple[str, str]], set[tuple[str, str]]]:
    """Invisible edges that put a stack's service groups in rows below its VPC.

    Returns the anchor nodes per stack cluster, the invisible edges, and the
    visible edges that would then point upwards (drawn with constraint=false)."""
    anchors: dict[str, list[str]] = {}
    hints: list[tuple[str, str]] = []
    # Encryption and egress edges annotate; they must not pull the layout around.
    upward: set[tuple[str, str]] = {(e.src, e.dst) for e in graph.edges if e.kind in ("encryption", "egress")}
    kind = {cid: c.style.get("kind") for cid, c in graph.clusters.items()}
    for cid in sorted(graph.clusters):
        if kind[cid] != "stack":
            continue
        vpcs = {c for c, cl in graph.clusters.items() if cl.parent == cid and kind[c] == "vpc"}
        inside = sorted(n.id for n in graph.nodes.values() if vpcs & set(n.cluster))
        inside += sorted(
            note
            for note in graph.notes
            if any(note.startswith(t + "__") for t in graph.clusters if graph.clusters[t].parent in vpcs)
        )
        rows: dict[int, list[str]] = defaultdict(list)
        for n in graph.nodes.values():
            if cid in n.cluster and n.cluster.index(cid) + 1 < len(n.cluster):
                group = graph.clusters[n.cluster[n.cluster.index(cid) + 1]]
                if group.style.get("kind") == "group":
                    rows[GROUP_ROWS.get(group.label, 2)].append(n.id)
        # Tiers top to bottom: public, private with egress, isolated (the way traffic enters).
        tiers = sorted(
            (TIER_ORDER.get(graph.clusters[t].style.get("tier_kind", ""), 9), t)
            for t in graph.clusters
            if graph.clusters[t].parent in vpcs and kind[t] == "tier"
        )
        tier_nodes = {
            t: sorted(n.id for n in graph.nodes.values() if n.cluster[-1:] == (t,))
            + sorted(x for x in graph.notes if x.startswith(t + "__"))
            for _, t in tiers
        }
        for (_, upper), (_, lower) in zip(tiers, tiers[1:]):
            hints += [(a, b) for a in tier_nodes[upper] for b in tier_nodes[lower]]
        # Gateways a public tier routes to sit above it, at the VPC's edge.
        for e in graph.edges:
            if (
                e.kind == "egress"
                and e.ltail in tier_nodes
                and graph.clusters[e.ltail].style.get("tier_kind") == "public"
            ):
                hints += [(e.dst, n) for n in tier_nodes[e.ltail]]
        if not inside or not rows:
            continue
        above = inside
        for row in sorted(rows):
            anchor = f"{cid}__row{row}"
            anchors.setdefault(cid, []).append(anchor)
            members = sorted(rows[row])
            hints += [(n, anchor) for n in above] + [(anchor, n) for n in members]
            upward |= {(e.src, e.dst) for e in graph.edges if e.src in members and e.dst in above}
            above = members
        # The plumbing note goes last.
        hints += [(n, note) for n in above for note in sorted(graph.notes) if note == f"{cid}__plumbing"]
    return anchors, hints, upward


def _legend() -> str:
    rows = ['<tr><td colspan="2"><b>Legend</b></td></tr>']
    for kind, text in LEGEND:
        s = EDGE_STYLES[kind]
        glyph = {"dashed": "╌╌╌▶", "dotted": "┈┈┈▶"}.get(s.get("style", ""), "───▶")
        rows.append(
            f'<tr><td align="left"><font color="{s["color"]}">{glyph}</font></td><td align="left">{html.escape(text)}</td></tr>'
        )
    rows.append(
        f'<tr><td align="left"><font color="{CROSS_STACK_COLOUR}">━━━▶</font></td><td align="left">cross-stack reference (Fn::GetStackOutput)</td></tr>'
    )
    table = '<table border="0" cellborder="0" cellspacing="2">' + "".join(rows) + "</table>"
    return f'  "legend" [shape=box, style="rounded", color="#aaaaaa", fontsize="9", label=<{table}>];'


# --------------------------------------------------------------------------
# Synthesis and CLI
# --------------------------------------------------------------------------


def stacks_of(assembly: Any) -> list[StackTemplate]:
    """The stacks of a synthesized cloud assembly (``app.synth()``), in any order."""
    return [
        StackTemplate(
            s.stack_name,
            s.environment.region,
            s.template,
            tuple(sorted(d.id for d in s.dependencies if not d.id.endswith(".assets"))),
        )
        for s in assembly.stacks
    ]


def synthesize(env_name: str, overrides: Mapping[str, Any] | None = None) -> list[StackTemplate]:
    """Synthesize one environment in-process (no CLI, no asset bundling)."""
    import os

    # The CLI path (webstack_tools.cli.tool_env) silences the same jsii notices.
    os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    from aws_cdk import App

    from webstack.app import cdk_json_context
    from webstack.config import load_config
    from webstack.stacks import add_environment

    config = load_config(env_name, overrides)
    with tempfile.TemporaryDirectory(prefix="webstack-diagram.") as outdir:
        app = App(outdir=outdir, context={**cdk_json_context(ROOT / "cdk.json"), "aws:cdk:bundling-stacks": []})
        add_environment(app, config)
        return stacks_of(app.synth())


def title_for(env_name: str) -> str:
    return f"webstack {env_name}: architecture (drawn from the synthesized CloudFormation templates)"


def render(dot_text: str, out_dir: Path, stem: str) -> list[Path]:
    """Write ``stem``.dot and, when Graphviz is installed, ``stem``.svg and ``stem``.png."""
    out_dir.mkdir(parents=True, exist_ok=True)
    dot_file = out_dir / f"{stem}.dot"
    dot_file.write_text(dot_text)
    written = [dot_file]
    dot = shutil.which("dot")
    if dot is None:
        print("webstack: Graphviz `dot` not found (apt-get install graphviz); wrote only the .dot", file=sys.stderr)
        return written
    for fmt, extra in (("svg", []), ("png", ["-Gdpi=110"])):
        target = out_dir / f"{stem}.{fmt}"
        subprocess.run([dot, f"-T{fmt}", *extra, "-o", str(target), str(dot_file)], check=True)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m webstack_tools.diagram", description=__doc__.split("\n\n")[0])
    parser.add_argument("--env", default="prod")
    parser.add_argument("--config", default=None, help="JSON overrides (file path or inline object), as for synth")
    parser.add_argument("--out", default=DOCS, type=Path, help="output directory (default: docs/)")
    args = parser.parse_args(argv)
    from webstack.app import ConfigInputError, read_overrides
    from webstack.config import ConfigError

    try:
        stacks = synthesize(args.env, read_overrides(args.config))
    except (ConfigError, ConfigInputError) as err:
        print(f"webstack: invalid configuration for env {args.env!r}: {err}", file=sys.stderr)
        return 2
    for path in render(build_dot(stacks, title_for(args.env)), args.out, f"architecture-{args.env}"):
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
