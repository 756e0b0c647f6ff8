"""The drawn graph: nodes in nested clusters, typed edges, notes; and queries for readers and tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from webstack_tools.diagram.vocabulary import short_type


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
    notes: dict[str, str]  # "<cluster id>__<what>" -> note text (plumbing counts, subnets)

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

    def cluster_kind(self, cid: str) -> str:
        return self.clusters[cid].style.get("kind", "")

    def to_dot(self) -> str:
        from webstack_tools.diagram.render import render_dot

        return render_dot(self)
