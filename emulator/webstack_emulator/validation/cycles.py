"""Dependency cycles among a template's resources (Tarjan's strongly
connected components, iterative: templates have up to 500 resources)."""

from __future__ import annotations

from collections.abc import Mapping


class _Tarjan:
    def __init__(self, edges: Mapping[str, set[str]]):
        self.edges = edges
        self.index: dict[str, int] = {}
        self.low: dict[str, int] = {}
        self.stack: list[str] = []
        self.on_stack: set[str] = set()
        self.components: list[list[str]] = []

    def _open(self, node: str) -> None:
        self.index[node] = self.low[node] = len(self.index)
        self.stack.append(node)
        self.on_stack.add(node)

    def _close(self, node: str) -> None:
        if self.low[node] != self.index[node]:
            return
        component = []
        while True:
            member = self.stack.pop()
            self.on_stack.discard(member)
            component.append(member)
            if member == node:
                break
        self.components.append(component)

    def visit(self, root: str) -> None:
        self._open(root)
        work = [(root, iter(sorted(self.edges.get(root, ()))))]
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                self._close(node)
                if work:
                    parent = work[-1][0]
                    self.low[parent] = min(self.low[parent], self.low[node])
            elif child not in self.index:
                self._open(child)
                work.append((child, iter(sorted(self.edges.get(child, ())))))
            elif child in self.on_stack:
                self.low[node] = min(self.low[node], self.index[child])


def cyclic_resources(order: list[str], edges: Mapping[str, set[str]]) -> list[str]:
    """Every resource on a cycle (a resource that depends on itself too), in ``order``."""
    tarjan = _Tarjan(edges)
    for node in order:
        if node not in tarjan.index:
            tarjan.visit(node)
    cyclic: set[str] = set()
    for component in tarjan.components:
        if len(component) > 1 or component[0] in edges.get(component[0], set()):
            cyclic.update(component)
    return [node for node in order if node in cyclic]
