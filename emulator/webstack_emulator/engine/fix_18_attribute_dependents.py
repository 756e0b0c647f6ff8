"""Fix 18: a resource whose template is unchanged is updated when a value it
refers to changes.

moto: an update modifies exactly the resources whose template text changed
(``ResourceMap.build_resource_diff``). A resource that refers to another one
through ``Ref``, ``Fn::GetAtt`` or ``Fn::Sub`` keeps its old values when only
the other one changed -- an Auto Scaling group with ``LaunchTemplate.Version:
{"Fn::GetAtt": [LaunchTemplate, LatestVersionNumber]}`` (what CDK renders)
stayed on version 1 after the launch template's update created version 2,
and went on launching instances from it.

AWS: such a resource is part of the update with a ``Dynamic`` evaluation:
CloudFormation "can't determine the target value because it depends on the
result of an intrinsic function, such as a Ref or Fn::GetAtt intrinsic
function, when the stack is updated", and updates it when the value changed
(ChangeSource ``ResourceReference`` / ``ResourceAttribute``,
https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ResourceChangeDetail.html).

Fix: ``ResourceMap.build_resource_diff`` adds to ``Modify`` every resource
whose template is unchanged but which depends, directly or through other
such resources, on a modified one (the dependency graph of fix 06), and
records each one's properties resolved against the resources as they are
before the update. ``parse_and_update_resource`` of such a resource resolves
its properties again when its turn comes (in dependency order, after what it
refers to) and updates it only if they differ; otherwise the resource is
left as it is. A change set therefore lists these resources as ``Modify``
(AWS lists them too, with Evaluation ``Dynamic``; the emulator's change sets
carry no ResourceChangeDetails either way).
"""

from __future__ import annotations

import functools
import json
from typing import Any

from moto.cloudformation import parsing

from ._guard import replace, require_pinned_moto
from .dependencies import dependency_order, dependents

# On the ResourceMap: {logical id: its resolved properties before the update, as JSON}.
BEFORE_UPDATE = "_webstack_resolved_before_update"


def _resolved(resource_json: dict[str, Any], resources_map: Any) -> str | None:
    """The resource's properties with every intrinsic function resolved now
    (None when they cannot be: such a resource is left to moto's diff)."""
    try:
        value = parsing.clean_json(resource_json.get("Properties") or {}, resources_map)
        return json.dumps(value, sort_keys=True, default=str)
    except Exception:
        return None


def _attribute_dependents(old: dict[str, Any], new: dict[str, Any], modified: list[str]) -> list[str]:
    """Unchanged resources of ``new`` that depend, transitively, on a modified one."""
    unchanged = {name for name in new if name in old and new[name] == old[name] and name not in modified}
    graph = dependents(new)
    found: set[str] = set()
    frontier = list(modified)
    while frontier:
        for name in graph.get(frontier.pop(), set()):
            if name in unchanged and name not in found:
                found.add(name)
                frontier.append(name)
    return sorted(found)


def _with_attribute_dependents(original: Any) -> Any:
    @functools.wraps(original)
    def build_resource_diff(self: Any, other_template: dict[str, Any], parameters: Any = None) -> Any:
        result = original(self, other_template, parameters)
        new = other_template.get("Resources") or {}
        old = self._resource_json_map
        before: dict[str, str] = {}
        for name in _attribute_dependents(old, new, result["Modify"]):
            resolved = _resolved(old[name], self)
            if resolved is not None:
                before[name] = resolved
        setattr(self, BEFORE_UPDATE, before)
        result["Modify"] = dependency_order(new, [*result["Modify"], *before])
        return result

    return build_resource_diff


def _only_if_changed(original: Any) -> Any:
    @functools.wraps(original)
    def parse_and_update_resource(
        logical_id: str, resource_json: dict[str, Any], resources_map: Any, *args: Any, **kwargs: Any
    ) -> Any:
        before = getattr(resources_map, BEFORE_UPDATE, {}).get(logical_id)
        if before is not None and _resolved(resource_json, resources_map) == before:
            return resources_map._parsed_resources[logical_id]
        return original(logical_id, resource_json, resources_map, *args, **kwargs)

    return parse_and_update_resource


def install() -> None:
    require_pinned_moto(__name__)
    replace(
        parsing.ResourceMap,
        "build_resource_diff",
        _with_attribute_dependents(parsing.ResourceMap.build_resource_diff),
    )
    replace(parsing, "parse_and_update_resource", _only_if_changed(parsing.parse_and_update_resource))
