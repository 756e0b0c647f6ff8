"""Deleting one resource, shared by fixes 05 (replacement), 07 (retained
deletes) and 08 (ordered delete)."""

from __future__ import annotations

from typing import Any

from moto.cloudformation import parsing

from .registry import DELETERS

# ResourceMap attribute set while a failed create rolls back (failures.rollback_create)
CREATE_ROLLBACK_FLAG = "_webstack_create_rollback"


def is_retained(resource_json: dict[str, Any], create_rollback: bool = False) -> bool:
    """``DeletionPolicy: Retain`` keeps a resource; ``RetainExceptOnCreate``
    too, except when a create rolls back
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html)."""
    policy = resource_json.get("DeletionPolicy")
    if policy == "RetainExceptOnCreate":
        return not create_rollback
    return policy == "Retain"


def _moto_delete_resource() -> Any:
    # fix 07 replaces ResourceMap._delete_resource with a wrapper that keeps
    # moto's function as __wrapped__
    current = parsing.ResourceMap._delete_resource
    return getattr(current, "__wrapped__", current)


def delete_physical(resources_map: Any, parsed: Any, resource_json: dict[str, Any]) -> None:
    """Delete one resource, whatever its DeletionPolicy says: with the
    type's registered deleter when moto's model cannot delete itself."""
    fn = DELETERS.get(resource_json.get("Type", ""))
    if fn is not None:
        fn(parsed, resources_map._account_id, resources_map._region_name)
    else:
        _moto_delete_resource()(resources_map, parsed, resource_json)
