"""VPCs as clusters, subnets grouped into tiers by where their routes go."""

from __future__ import annotations

from collections import defaultdict

from webstack_tools.assembly import SynthesizedStack
from webstack_tools.diagram.draft import Draft
from webstack_tools.diagram.values import literal, tag
from webstack_tools.diagram.vocabulary import GATEWAY_PROPERTIES, TIER_ROUTES, cluster_id, role_name

Subnet = tuple[str, str, str]  # zone, CIDR, logical id


def add_network(draft: Draft, s: SynthesizedStack) -> None:
    _vpcs(draft, s.name)
    subnet_rt = _subnet_route_tables(draft, s.name)
    rt_targets = _route_targets(draft, s.name)
    tiers: dict[str, list[Subnet]] = defaultdict(list)
    for lid in draft.index.of_type(s.name, "AWS::EC2::Subnet"):
        tier = _tier(draft, s.name, lid, rt_targets.get(subnet_rt.get(lid, ""), set()))
        if tier is None:
            continue
        p = draft.index.props(s.name, lid)
        zone = literal(p.get("AvailabilityZone")) or ""
        draft.network.subnet_tier[(s.name, lid)] = tier
        draft.network.subnet_zone[(s.name, lid)] = zone
        tiers[tier].append((zone, literal(p.get("CidrBlock")) or "?", lid))
        if lid in subnet_rt:
            draft.network.route_table_tiers[(s.name, subnet_rt[lid])].add(tier)
    for tier, subnets in tiers.items():
        _tier_note(draft, tier, subnets)


def _vpcs(draft: Draft, stack: str) -> None:
    for lid in draft.index.of_type(stack, "AWS::EC2::VPC"):
        cidr = literal(draft.index.props(stack, lid).get("CidrBlock")) or ""
        draft.network.vpc_cluster[(stack, lid)] = draft.cluster(
            cluster_id("vpc", stack, lid),
            f"VPC {role_name(lid)}  {cidr}".rstrip(),
            cluster_id("stack", stack),
            kind="vpc",
        )


def _route_targets(draft: Draft, stack: str) -> dict[str, set[str]]:
    """Route table -> the types of the gateways its routes go to."""
    targets: dict[str, set[str]] = defaultdict(set)
    for lid in draft.index.of_type(stack, "AWS::EC2::Route"):
        rt = draft.index.first_ref(stack, lid, "RouteTableId")
        if rt is None:
            continue
        for key in GATEWAY_PROPERTIES:
            for gw in draft.index.refs(stack, lid, key):
                targets[rt.target].add(draft.index.type_of(gw.stack, gw.target) or "")
    return targets


def _subnet_route_tables(draft: Draft, stack: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for lid in draft.index.of_type(stack, "AWS::EC2::SubnetRouteTableAssociation"):
        subnet = draft.index.first_ref(stack, lid, "SubnetId")
        rt = draft.index.first_ref(stack, lid, "RouteTableId")
        if subnet and rt:
            found[subnet.target] = rt.target
    return found


def _tier_kind(gateway_types: set[str]) -> str:
    if "AWS::EC2::InternetGateway" in gateway_types:
        return "public"
    if gateway_types & {"AWS::EC2::NatGateway", "AWS::EC2::TransitGateway"}:
        return "private with egress"
    return "isolated"


def _tier(draft: Draft, stack: str, subnet: str, gateway_types: set[str]) -> str | None:
    """The tier cluster of ``subnet``: one per CDK subnet group name, inside its VPC's cluster."""
    vpc = draft.index.first_ref(stack, subnet, "VpcId")
    vpc_cluster = draft.network.vpc_cluster.get((stack, vpc.target)) if vpc else None
    if vpc is None or vpc_cluster is None:
        return None
    kind = _tier_kind(gateway_types)
    name = tag(draft.index.props(stack, subnet), "aws-cdk:subnet-name") or kind.capitalize()
    label = f"{name} subnets" + ("" if name.lower() == kind else f" · {kind}") + TIER_ROUTES.get(kind, "")
    return draft.cluster(cluster_id("tier", stack, vpc.target, name), label, vpc_cluster, kind="tier", tier_kind=kind)


def _tier_note(draft: Draft, tier: str, subnets: list[Subnet]) -> None:
    note = f"{tier}__subnets"
    lines = [f"{len(subnets)} subnet{'s' if len(subnets) != 1 else ''}"]
    lines += [f"{zone or '?'}  {cidr}" for zone, cidr, _ in sorted(subnets)]
    draft.notes[note] = "\n".join(lines)
    draft.network.tier_note[tier] = note
