"""Who references whom in a synthesized assembly, read off cfn-lint's template graph.

Inside a stack, ``cfnlint.graph.Graph`` already records one edge per ``Ref``,
``Fn::GetAtt`` and ``Fn::Sub`` variable (and ``DependsOn``), each with the
property path it was found at. The diagram classifies edges by that path (a
reference under ``KmsKeyId`` is encryption, under ``AlarmActions`` alerting),
so it keeps only references under ``Properties``: ``DependsOn`` and
``Metadata`` say nothing about what a resource does with its target.

Two things cfn-lint's graph cannot give, and are added here:

* the readable path: cfn-lint records list positions as numbers, but
  Key/Value lists (ALB attributes such as ``access_logs.s3.bucket``, tags) are
  only meaningful by their ``Key`` (or ``Name``), which needs the template
  value at that position;
* references between stacks. The graph is per template. A consumer names a
  producer's output with ``Fn::GetStackOutput`` (CDK's cross-region
  references in this app, see
  https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-getstackoutput.html)
  or ``Fn::ImportValue`` of an export (same region); the output's ``Value``
  is in turn an edge of the producer's graph (cfn-lint's ``Output-<id>`` node),
  so the reference is followed to the producer's resource and marked
  cross-stack.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cfnlint.template import Template

from webstack_tools.assembly import SynthesizedStack

PathSegment = str | int


@dataclass(frozen=True)
class Ref:
    """A reference from a resource's properties to a resource, maybe in another stack."""

    stack: str  # the stack holding the target
    target: str  # the target's logical id
    at: tuple[PathSegment, ...]  # where, under the referencing resource's Properties
    path: tuple[str, ...]  # the same, list items named by their Key or Name
    cross_stack: bool = False


def path_segment(item: Any, index: int) -> str:
    # Key/Value lists (ALB attributes, tags) read better by their key.
    if isinstance(item, Mapping) and isinstance(item.get("Key"), str):
        return str(item["Key"])
    if isinstance(item, Mapping) and isinstance(item.get("Name"), str):
        return str(item["Name"])
    return str(index)


def readable_path(value: Any, at: Sequence[PathSegment]) -> tuple[str, ...]:
    out = []
    for segment in at:
        if isinstance(segment, int) and isinstance(value, list) and segment < len(value):
            value = value[segment]
            out.append(path_segment(value, segment))
        else:
            value = value.get(segment) if isinstance(value, Mapping) else None
            out.append(str(segment))
    return tuple(out)


def _reading_order(at: Sequence[PathSegment]) -> tuple[tuple[int, int, str], ...]:
    # A template's reading order: keys sorted, list items by position, a value before what it nests.
    return tuple((0, s, "") if isinstance(s, int) else (1, 0, s) for s in at)


class TemplateIndex:
    """All stacks' resources and every reference between them, by referencing resource."""

    def __init__(self, stacks: Sequence[SynthesizedStack]) -> None:
        self.resources: dict[tuple[str, str], Mapping[str, Any]] = {
            (s.name, lid): res for s in stacks for lid, res in (s.template.get("Resources") or {}).items()
        }
        self._linted = {s.name: _lint_template(s) for s in stacks}
        self._stacks = {s.name: s for s in stacks}
        self._exports = _exports(stacks)
        found: dict[tuple[str, str], list[Ref]] = defaultdict(list)
        for s in stacks:
            for lid, ref in [*self._intra_stack(s), *self._cross_stack(s)]:
                found[(s.name, lid)].append(ref)
        self._refs = {key: sorted(refs, key=lambda r: _reading_order(r.at)) for key, refs in found.items()}

    def type_of(self, stack: str, lid: str) -> str | None:
        res = self.resources.get((stack, lid))
        return res.get("Type") if res else None

    def props(self, stack: str, lid: str) -> Mapping[str, Any]:
        return (self.resources.get((stack, lid)) or {}).get("Properties") or {}

    def of_type(self, stack: str, rtype: str) -> list[str]:
        """Logical ids of ``stack``'s resources of type ``rtype``, sorted."""
        return sorted(lid for (st, lid), r in self.resources.items() if st == stack and r.get("Type") == rtype)

    def refs(self, stack: str, lid: str, *under: PathSegment) -> list[Ref]:
        """References from ``stack``/``lid``'s properties, only those at or below ``under`` if given."""
        return [r for r in self._refs.get((stack, lid), ()) if r.at[: len(under)] == under]

    def first_ref(self, stack: str, lid: str, *under: PathSegment) -> Ref | None:
        return next(iter(self.refs(stack, lid, *under)), None)

    def _ref(self, source: tuple[str, str], target: tuple[str, str], at: Sequence[PathSegment], cross: bool) -> Ref:
        return Ref(*target, tuple(at), readable_path(self.props(*source), at), cross)

    def _intra_stack(self, s: SynthesizedStack) -> Iterator[tuple[str, Ref]]:
        graph = self._linted[s.name].graph.graph
        for source, target, data in graph.edges(data=True):
            paths = list(data.get("source_paths") or [])
            # Parameters and outputs are "Parameter-<id>"/"Output-<id>" nodes, never resources.
            if (s.name, source) in self.resources and paths[:1] == ["Properties"]:
                yield source, self._ref((s.name, source), (s.name, target), paths[1:], False)

    def _cross_stack(self, s: SynthesizedStack) -> Iterator[tuple[str, Ref]]:
        """References through another stack's outputs (``Fn::GetStackOutput``, ``Fn::ImportValue``)."""
        linted = self._linted[s.name]
        for fn in ("Fn::GetStackOutput", "Fn::ImportValue"):
            for found in linted.search_deep_keys(fn):
                if found[0] != "Resources" or found[2:3] != ["Properties"]:
                    continue
                producer = self._producer(fn, found[-1])
                if producer is None:
                    continue
                lid, at = found[1], found[3:-2]
                for target in self._output_targets(*producer):
                    yield lid, self._ref((s.name, lid), (producer[0], target), at, True)

    def _producer(self, fn: str, arg: Any) -> tuple[str, str] | None:
        """(stack, output id) an intrinsic names."""
        if fn == "Fn::ImportValue":
            return self._exports.get(arg) if isinstance(arg, str) else None
        if isinstance(arg, Mapping) and arg.get("StackName") in self._stacks:
            return str(arg["StackName"]), str(arg.get("OutputName"))
        return None

    def _output_targets(self, stack: str, output_id: str) -> list[str]:
        """Resources an output's Value references, in the producer's reading order."""
        graph = self._linted[stack].graph.graph
        node = f"Output-{output_id}"
        if node not in graph:
            return []
        edges = [(list(d.get("source_paths") or []), t) for _, t, d in graph.out_edges(node, data=True)]
        value = [(p[1:], t) for p, t in edges if p[:1] == ["Value"] and (stack, t) in self.resources]
        return [t for _, t in sorted(value, key=lambda pt: _reading_order(pt[0]))]


def _exports(stacks: Sequence[SynthesizedStack]) -> dict[str, tuple[str, str]]:
    """Export name -> (stack, output id)."""
    found = {}
    for s in stacks:
        for output_id, output in (s.template.get("Outputs") or {}).items():
            name = (output.get("Export") or {}).get("Name")
            if isinstance(name, str):
                found[name] = (s.name, output_id)
    return found


def _lint_template(stack: SynthesizedStack) -> Any:
    """cfn-lint's view of one template; its graph is built on construction."""
    template = Template(None, dict(stack.template), regions=[stack.region])
    if template.graph is None:
        # cfn-lint logs and swallows graph errors (a malformed template); a diagram without edges would lie.
        raise ValueError(f"cfn-lint could not build the reference graph of stack {stack.name}")
    return template
