"""Fix 05: types without an update handler are replaced.

moto: updating a resource whose model has no
``update_from_cloudformation_json`` stores ``None`` for it, so every later
``Ref`` to the resource resolves to nothing.

AWS: a change CloudFormation cannot apply in place replaces the resource:
the new one is created, the old one deleted unless ``UpdateReplacePolicy``
is ``Retain``
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html,
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-updatereplacepolicy.html).

Fix: ``parse_and_update_resource`` of such a type deletes the old resource
(unless retained; a failed delete is logged) and creates it again -- when AWS
would replace it too, or cannot be told apart from an update:

* a create-only property changed (the type's schema, ``createOnlyProperties``:
  "changing it requires replacement"), or only resolved references changed
  (fix 18; the literal properties are the same): replaced;
* only ``Tags`` changed on an EC2 resource (VPC, subnet, gateway, EIP, NAT
  gateway, route table, endpoint, flow log...): the tags are set in place, as
  CloudFormation does ("Update requires: No interruption"). Replacing such a
  gateway or VPC left the old one behind, still attached, and pointed the
  stack at a new one;
* another in-place change: a scheduled action is put again under its name
  (its physical id; the same result as AWS's update), anything else fails
  loudly as ``not emulated`` instead of a replacement AWS would not make.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from moto.cloudformation import parsing

from ..validation.schemas import create_only_properties
from ._guard import replace, require_pinned_moto
from .deletion import delete_physical

logger = logging.getLogger("webstack_emulator")

# The resource map's templates before the update being applied (moto swaps
# ``_resource_json_map`` for the new one before it updates resources).
JSON_BEFORE_UPDATE = "_webstack_json_before_update"
# Types whose re-creation under the same physical id is AWS's in-place update.
RECREATED_UNDER_THE_SAME_NAME = {"AWS::AutoScaling::ScheduledAction"}


class InPlaceUpdateNotEmulated(Exception):
    pass


def _at(value: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if key == "*" or not isinstance(value, dict):
            return value
        value = value.get(key)
    return value


def _changed_properties(old: dict[str, Any], new: dict[str, Any]) -> set[str]:
    before, after = old.get("Properties") or {}, new.get("Properties") or {}
    return {k for k in {*before, *after} if before.get(k) != after.get(k)}


def _needs_replacement(old: dict[str, Any], new: dict[str, Any], region: str) -> bool:
    before, after = old.get("Properties") or {}, new.get("Properties") or {}
    return old.get("Type") != new.get("Type") or any(
        _at(before, path) != _at(after, path) for path in create_only_properties(str(new.get("Type")), region)
    )


def _tags(properties: dict[str, Any]) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in properties.get("Tags") or [] if isinstance(t, dict)}


def _retag_ec2(resource: Any, old: dict[str, Any], new: dict[str, Any], account_id: str, region: str) -> bool:
    """Set an EC2 resource's template tags in place; False if it is not one moto tags."""
    from moto.ec2.models import ec2_backends

    resource_id = getattr(resource, "allocation_id", None) or getattr(resource, "id", None)
    if not isinstance(resource_id, str) or not str(new.get("Type", "")).startswith("AWS::EC2::"):
        return False
    backend = ec2_backends[account_id][region]
    before, after = _tags(old.get("Properties") or {}), _tags(new.get("Properties") or {})
    gone = {k: v for k, v in before.items() if k not in after}
    if gone:
        backend.delete_tags([resource_id], gone)
    if after:
        backend.create_tags([resource_id], after)
    return True


def _has_no_update_handler(resource_class: Any) -> bool:
    return resource_class is not None and hasattr(
        resource_class.update_from_cloudformation_json, "__isabstractmethod__"
    )


def _update_or_replace(original: Any) -> Any:
    @functools.wraps(original)
    def parse_and_update_resource(
        logical_id: str, resource_json: dict[str, Any], resources_map: Any, account_id: str, region_name: str
    ) -> Any:
        if not _has_no_update_handler(parsing.resource_class_from_type(resource_json["Type"])):
            return original(logical_id, resource_json, resources_map, account_id, region_name)
        old = resources_map._parsed_resources.get(logical_id)
        old_json = (getattr(resources_map, JSON_BEFORE_UPDATE, None) or {}).get(logical_id)
        changed = _changed_properties(old_json, resource_json) if isinstance(old_json, dict) else set()
        if changed and not _needs_replacement(old_json, resource_json, region_name):  # type: ignore[arg-type]
            if changed == {"Tags"} and _retag_ec2(old, old_json, resource_json, account_id, region_name):  # type: ignore[arg-type]
                return old
            if resource_json["Type"] not in RECREATED_UNDER_THE_SAME_NAME:
                raise InPlaceUpdateNotEmulated(
                    f"not emulated: in-place update of {resource_json['Type']} {logical_id} "
                    f"({', '.join(sorted(changed))}); AWS updates it without replacement"
                )
        if (
            old is not None
            and not isinstance(old, (str, dict, list))
            and resource_json.get("UpdateReplacePolicy") != "Retain"
        ):
            try:
                delete_physical(resources_map, old, resource_json)
            except Exception as exc:
                logger.warning("replacing %s: delete failed: %s", logical_id, exc)
        return parsing.parse_and_create_resource(logical_id, resource_json, resources_map, account_id, region_name)

    return parse_and_update_resource


def _remembering_the_old_templates(original: Any) -> Any:
    @functools.wraps(original)
    def build_resource_diff(self: Any, other_template: dict[str, Any], parameters: Any = None) -> Any:
        setattr(self, JSON_BEFORE_UPDATE, dict(self._resource_json_map))
        return original(self, other_template, parameters)

    return build_resource_diff


def install() -> None:
    require_pinned_moto(__name__)
    replace(parsing, "parse_and_update_resource", _update_or_replace(parsing.parse_and_update_resource))
    replace(
        parsing.ResourceMap,
        "build_resource_diff",
        _remembering_the_old_templates(parsing.ResourceMap.build_resource_diff),
    )
