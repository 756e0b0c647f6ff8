"""The graph under construction, shared by the build steps."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from webstack_tools.diagram.model import Cluster, Edge, Graph, Node
from webstack_tools.diagram.references import Ref, TemplateIndex

ResourceKey = tuple[str, str]  # (stack, logical id)


@dataclass
class Network:
    """Facts about a stack's VPCs that placement and edges need."""

    vpc_cluster: dict[ResourceKey, str] = field(default_factory=dict)  # VPC -> its cluster
    subnet_tier: dict[ResourceKey, str] = field(default_factory=dict)  # subnet -> its tier's cluster
    subnet_zone: dict[ResourceKey, str] = field(default_factory=dict)
    tier_note: dict[str, str] = field(default_factory=dict)  # tier cluster -> its note node
    route_table_tiers: dict[ResourceKey, set[str]] = field(default_factory=lambda: defaultdict(set))


class Draft:
    def __init__(self, index: TemplateIndex, title: str) -> None:
        self.index = index
        self.title = title
        self.clusters: dict[str, Cluster] = {}
        self.notes: dict[str, str] = {}
        self.nodes: dict[str, Node] = {}
        self.node_of: dict[ResourceKey, str] = {}
        self.network = Network()
        self.hidden: set[ResourceKey] = set()  # custom resources and their providers
        self.origins: set[ResourceKey] = set()  # what CloudFront serves from
        self._edges: dict[tuple[str, str, str, str], set[str]] = defaultdict(set)
        self._cross: set[tuple[str, str, str, str]] = set()

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

    def node(self, stack: str, lid: str) -> str | None:
        return self.node_of.get((stack, lid))

    def node_at(self, ref: Ref | None) -> str | None:
        return self.node_of.get((ref.stack, ref.target)) if ref else None

    def edge(self, src: str, dst: str, kind: str, label: str = "", *, cross: bool = False, ltail: str = "") -> None:
        if src == dst:
            return
        key = (src, dst, kind, ltail)
        labels = self._edges[key]
        if label:
            labels.add(label)
        if cross:
            self._cross.add(key)

    def graph(self) -> Graph:
        edges = [
            Edge(src, dst, kind, "\n".join(sorted(self._edges[key])), key in self._cross, ltail)
            for key in sorted(self._edges)
            for src, dst, kind, ltail in [key]
        ]
        return Graph(
            self.title, dict(sorted(self.nodes.items())), edges, dict(sorted(self.clusters.items())), self.notes
        )
