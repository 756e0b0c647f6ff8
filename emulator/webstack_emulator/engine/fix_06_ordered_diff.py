"""Fix 06: resources are created and updated in dependency order.

moto: a change set creates resources in template order, resolving
Ref/GetAtt lazily but ignoring ``DependsOn`` (and removes them in any order);
and ``ResourceMap.update`` creates every added resource before it updates
any modified one. A new resource that refers to a modified one is therefore
created against the old state: CDK's ``currentVersion`` adds a new
``AWS::Lambda::Version`` (its logical id hashes the code) whenever the code
changes, and moto published that version from the old code, before the
function's update.

AWS: a resource is created or updated after everything it depends on
(``DependsOn``, ``Ref``, ``Fn::GetAtt``, ``Fn::Sub``) and removed before it
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-dependson.html);
creations and updates follow that one graph together (an update "updates
resources in the order of their dependencies", the same as a create,
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-how-does-it-work.html).

Fix: ``ResourceMap.build_resource_diff`` returns its Add and Modify lists in
dependency order of the new template and Remove in reverse dependency order
of the old one; ``ResourceMap.update`` runs moto's removal pass unchanged,
then walks Add and Modify as one list in dependency order of the new
template, creating or updating each resource in turn. The first failure
fails the update (moto retried failed updates in later passes, a workaround
for its missing ordering); removals still come first, as in moto (AWS
removes them in the cleanup phase after the updates: not modelled).

Also: moto updates only resources whose template text changed. AWS updates a
resource whose template is unchanged when a value it refers to changed: an
update that gives a launch template a new version updates the Auto Scaling
group whose ``LaunchTemplate.Version`` is ``Fn::GetAtt [Lt,
LatestVersionNumber]`` (and so starts its rolling update or instance
refresh; "CloudFormation updates resources that depend on" an updated
resource's changed values,
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html).
The walk therefore includes every unchanged resource whose properties refer
(Ref, GetAtt, Sub), directly or through another such resource, to a modified
one, resolves its properties before the walk and again when it comes up,
and updates it when they differ.
"""

from __future__ import annotations

import copy
import functools
import logging
from typing import Any

from moto.cloudformation import parsing

from ._guard import replace, require_pinned_moto
from .dependencies import dependency_order, references

logger = logging.getLogger("webstack_emulator")
_UNRESOLVED = object()


def _ordered_diff(original: Any) -> Any:
    @functools.wraps(original)
    def build_resource_diff(self: Any, other_template: dict[str, Any], parameters: Any = None) -> Any:
        result = original(self, other_template, parameters)
        new = other_template.get("Resources") or {}
        result["Add"] = dependency_order(new, result["Add"])
        result["Modify"] = dependency_order(new, result["Modify"])
        old = self._resource_json_map
        result["Remove"] = list(reversed(dependency_order(old, result["Remove"])))
        return result

    return build_resource_diff


def _referrers(new: dict[str, Any], modified: list[str], added: list[str]) -> list[str]:
    """Unchanged resources whose properties refer to a modified one, directly or through another."""
    changed = set(modified) | set(added)
    found: set[str] = set()
    frontier = set(modified)
    while frontier:
        frontier = {
            name for name in set(new) - changed - found if references((new[name] or {}).get("Properties"), frontier)
        }
        found |= frontier
    return sorted(found)


def _resolved(resources_map: Any, logical_id: str) -> Any:
    body = resources_map._resource_json_map[logical_id] or {}
    try:
        return parsing.clean_json(copy.deepcopy(body.get("Properties") or {}), resources_map)
    except Exception as exc:  # not resolvable now: leave the resource as it is
        logger.debug("%s: properties not resolvable for the update check: %s", logical_id, exc)
        return _UNRESOLVED


def _apply_in_order(resources_map: Any, added: list[str], modified: list[str]) -> None:
    """Create (``added``) and update (``modified``) resources interleaved in
    dependency order of the new template (``resources_map._resource_json_map``),
    and update the unchanged ones whose resolved properties changed meanwhile."""
    new = resources_map._resource_json_map
    to_add = set(added)
    referrers = _referrers(new, modified, added)
    before = {name: _resolved(resources_map, name) for name in referrers}
    for logical_id in dependency_order(new, [*added, *modified, *referrers]):
        if logical_id in to_add:
            # moto's lazy map creates a resource on first lookup
            _ = resources_map[logical_id]
            continue
        if logical_id in before:
            now = _resolved(resources_map, logical_id)
            if before[logical_id] is _UNRESOLVED or now is _UNRESOLVED or now == before[logical_id]:
                continue
        resources_map._parsed_resources[logical_id] = parsing.parse_and_update_resource(
            logical_id,
            new[logical_id],
            resources_map,
            account_id=resources_map._account_id,
            region_name=resources_map._region_name,
        )


def _ordered_update(original: Any) -> Any:
    @functools.wraps(original)
    def update(self: Any, template: dict[str, Any], parameters: dict[str, Any] | None = None) -> None:
        diff = self.build_resource_diff(template, parameters)
        added, modified = diff["Add"], diff["Modify"]
        # moto's update with the Remove pass only: it then loads the new
        # template (mappings, parameters, conditions, resource map) and has
        # nothing left to create or update.
        self.build_resource_diff = lambda *args, **kwargs: {**diff, "Add": [], "Modify": []}
        try:
            original(self, template, parameters)
        finally:
            del self.build_resource_diff
        _apply_in_order(self, added, modified)

    return update


def install() -> None:
    require_pinned_moto(__name__)
    replace(parsing.ResourceMap, "build_resource_diff", _ordered_diff(parsing.ResourceMap.build_resource_diff))
    replace(parsing.ResourceMap, "update", _ordered_update(parsing.ResourceMap.update))
