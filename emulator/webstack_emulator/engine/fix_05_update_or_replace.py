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
(unless retained; a failed delete is logged) and creates it again.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from moto.cloudformation import parsing

from ._guard import replace, require_pinned_moto
from .deletion import delete_physical

logger = logging.getLogger("webstack_emulator")


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


def install() -> None:
    require_pinned_moto(__name__)
    replace(parsing, "parse_and_update_resource", _update_or_replace(parsing.parse_and_update_resource))
