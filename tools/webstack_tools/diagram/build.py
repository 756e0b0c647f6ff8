"""The graph of an assembly: clusters, then nodes placed in them, then edges, then plumbing notes.

Only the CloudFormation templates are read, so what is drawn is what
CloudFormation will deploy:

* clusters: region > stack > (VPC > subnet tiers) | global/edge | one group
  per service family;
* edges come from references between resources (see
  :mod:`webstack_tools.diagram.references`), classified by the property path
  and the types at both ends (traffic, encryption, alerting, metrics,
  logging, configuration);
* plumbing (routes, associations, IAM, policies, custom-resource providers...)
  is not drawn, only counted in a note per stack; resources that differ only
  by a number in their logical id (one NAT gateway per zone) become one node.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from webstack_tools.assembly import CloudAssembly, SynthesizedStack
from webstack_tools.diagram.details import node_details
from webstack_tools.diagram.draft import Draft
from webstack_tools.diagram.edges import add_edges
from webstack_tools.diagram.model import Graph, Node
from webstack_tools.diagram.network import add_network
from webstack_tools.diagram.references import TemplateIndex
from webstack_tools.diagram.vocabulary import (
    AUTO_SCALING_GROUP,
    CUSTOM_RESOURCE_TYPES,
    DISTRIBUTION,
    GLOBAL_GROUP,
    GLOBAL_SERVICES,
    GROUPS,
    LAUNCHED_TYPES,
    ORIGIN_GROUP,
    PLUMBING_TYPES,
    STRUCTURE_TYPES,
    cluster_id,
    collapse_key,
    role_name,
)

Stacks = CloudAssembly | Iterable[SynthesizedStack]


def build_graph(stacks: Stacks, title: str = "") -> Graph:
    """The diagram of a synthesized assembly (or any stacks of one), independent of their order."""
    ordered = sorted(stacks, key=lambda s: (s.region, s.name))
    draft = Draft(TemplateIndex(ordered), title)
    _regions_and_stacks(draft, ordered)
    _hide_custom_resources(draft)
    for s in ordered:
        add_network(draft, s)
    draft.origins = _origins(draft)
    _place_nodes(draft)
    add_edges(draft)
    _plumbing_notes(draft, ordered)
    return draft.graph()


def build_dot(stacks: Stacks, title: str = "") -> str:
    return build_graph(stacks, title).to_dot()


def _regions_and_stacks(draft: Draft, stacks: list[SynthesizedStack]) -> None:
    for region in sorted({s.region for s in stacks}):
        draft.cluster(cluster_id("region", region), f"Region {region}", None, kind="region")
    for s in stacks:
        deps = f"\ndeploys after {', '.join(sorted(s.depends_on))}" if s.depends_on else ""
        draft.cluster(
            cluster_id("stack", s.name), f"stack {s.name}{deps}", cluster_id("region", s.region), kind="stack"
        )


def _hide_custom_resources(draft: Draft) -> None:
    """Custom resources and the provider functions their ServiceToken names are plumbing
    (CDK's VPC default-SG restriction, bucket auto-delete, ...); the providers'
    roles are IAM, which is plumbing anyway."""
    for (stack, lid), res in sorted(draft.index.resources.items()):
        rtype = res.get("Type", "")
        if rtype.startswith("Custom::") or rtype in CUSTOM_RESOURCE_TYPES:
            draft.hidden.add((stack, lid))
            draft.hidden |= {(r.stack, r.target) for r in draft.index.refs(stack, lid, "ServiceToken")}


def _origins(draft: Draft) -> set[tuple[str, str]]:
    """Resources a CloudFront distribution serves from (outside a VPC they get their own group)."""
    found = set()
    for (stack, lid), res in draft.index.resources.items():
        if res.get("Type") == DISTRIBUTION:
            origins = ((res.get("Properties") or {}).get("DistributionConfig") or {}).get("Origins") or []
            for i in range(len(origins)):
                found |= {
                    (r.stack, r.target)
                    for r in draft.index.refs(stack, lid, "DistributionConfig", "Origins", i, "DomainName")
                }
    return found


# -- placement -----------------------------------------------------------------


def _tier_cluster(draft: Draft, refs: list[tuple[str, str]]) -> str | None:
    """The subnet tier of the subnets a resource names; the VPC holding them when they span tiers."""
    tiers = sorted({draft.network.subnet_tier[k] for k in refs if k in draft.network.subnet_tier})
    if len(tiers) == 1:
        return tiers[0]
    return (draft.clusters[tiers[0]].parent or "") if tiers else None


def _network_cluster(draft: Draft, stack: str, lid: str) -> str | None:
    """The subnet tier a resource sits in, or the VPC when it spans tiers or is attached to the VPC itself."""
    refs = [(r.stack, r.target) for r in draft.index.refs(stack, lid)]
    tier = _tier_cluster(draft, refs)
    if tier is not None:
        return tier
    vpcs = {draft.network.vpc_cluster[k] for k in refs if k in draft.network.vpc_cluster}
    vpcs = vpcs or _attached_vpcs(draft, stack, lid)
    return vpcs.pop() if len(vpcs) == 1 else None


def _attached_vpcs(draft: Draft, stack: str, lid: str) -> set[str]:
    """VPCs a plumbing resource attaches ``lid`` to (an internet gateway via VPCGatewayAttachment)."""
    found: set[str] = set()
    for (st, other), r in draft.index.resources.items():
        if st == stack and r.get("Type") in PLUMBING_TYPES:
            targets = {x.target for x in draft.index.refs(stack, other)}
            if lid in targets:
                found |= {
                    draft.network.vpc_cluster[(stack, t)] for t in targets if (stack, t) in draft.network.vpc_cluster
                }
    return found


def _launcher(draft: Draft, stack: str, lid: str) -> str | None:
    """The Auto Scaling group that launches a launch template: the template lives where the group does."""
    for group in draft.index.of_type(stack, AUTO_SCALING_GROUP):
        if any(r.target == lid for r in draft.index.refs(stack, group)):
            return group
    return None


def _placement(draft: Draft, stack: str, lid: str, rtype: str) -> str:
    """The cluster a resource belongs in: tier, VPC, global or its service group."""
    network = _network_cluster(draft, stack, lid)
    if network is not None:
        return network
    launcher = _launcher(draft, stack, lid) if rtype in LAUNCHED_TYPES else None
    if launcher is not None:
        return _placement(draft, stack, launcher, AUTO_SCALING_GROUP)
    stack_cluster = cluster_id("stack", stack)
    if (stack, lid) in draft.origins:
        return draft.cluster(cluster_id("origins", stack), ORIGIN_GROUP, stack_cluster, kind="origins")
    if rtype.startswith(GLOBAL_SERVICES):
        return draft.cluster(cluster_id("global", stack), GLOBAL_GROUP, stack_cluster, kind="global")
    group = next((g for prefix, g in GROUPS if rtype.startswith(prefix)), "Other")
    return draft.cluster(cluster_id("group", stack, group), group, stack_cluster, kind="group")


def _drawn(draft: Draft, stack: str, lid: str, rtype: str) -> bool:
    return rtype not in PLUMBING_TYPES and (stack, lid) not in draft.hidden


def _place_nodes(draft: Draft) -> None:
    buckets: dict[tuple[str, str, str, str], list[str]] = defaultdict(list)
    for (stack, lid), res in sorted(draft.index.resources.items()):
        rtype = res.get("Type", "")
        if _drawn(draft, stack, lid, rtype):
            cluster = _placement(draft, stack, lid, rtype)
            buckets[(stack, cluster, rtype, collapse_key(role_name(lid)))].append(lid)
    for (stack, cluster, rtype, key), members in sorted(buckets.items()):
        lids = sorted(members)
        if len(lids) == 1:
            title, node_id = role_name(lids[0]), f"{stack}/{lids[0]}"
        else:
            title, node_id = f"{len(lids)} × {key.replace('#', '*')}", f"{stack}/{key}"
        node = Node(node_id, stack, rtype, tuple(lids), title, cluster=draft.path(cluster))
        node.details = node_details(draft, stack, lids, rtype)
        draft.nodes[node_id] = node
        for lid in lids:
            draft.node_of[(stack, lid)] = node_id


# -- notes ---------------------------------------------------------------------


def _plumbing_notes(draft: Draft, stacks: list[SynthesizedStack]) -> None:
    for s in stacks:
        counts = Counter(
            r.get("Type", "")
            for (st, lid), r in draft.index.resources.items()
            if st == s.name and not _drawn(draft, st, lid, r.get("Type", "")) and r.get("Type") not in STRUCTURE_TYPES
        )
        if counts:
            items = [f"{n} {t.removeprefix('AWS::')}" for t, n in sorted(counts.items())]
            draft.notes[f"{cluster_id('stack', s.name)}__plumbing"] = "\n".join(
                ["not drawn (plumbing):", *_fill(items)]
            )


def _fill(items: list[str], width: int = 64) -> list[str]:
    """``a, b, c`` lines of at most about ``width`` characters."""
    lines, line = [], ""
    for item in items:
        if line and len(line) + len(item) > width:
            lines.append(line.rstrip(", "))
            line = ""
        line += item + ", "
    lines.append(line.rstrip(", "))
    return lines
