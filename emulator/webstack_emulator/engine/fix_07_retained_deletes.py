"""Fix 07: ``DeletionPolicy`` is honoured, and types moto cannot delete are.

moto: only ``DeletionPolicy: Retain`` is known, and only to a stack
deletion; ``RetainExceptOnCreate`` and a resource removed from the template
by an update are deleted anyway. Many of its models have no delete at all
(routes, route-table associations, NAT gateways, EIPs, internet gateways
and their attachments, VPC endpoints, flow logs, listeners...): they
silently stay.

AWS: ``Retain`` keeps the resource whenever CloudFormation would delete it
(stack deletion, removal by an update), ``RetainExceptOnCreate`` too except
when a create rolls back
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html);
everything else is deleted.

Fix: ``ResourceMap._delete_resource`` (moto calls it when an update removes
a resource; fix 08 for every deletion) skips retained resources and uses
the deleters of :data:`registry.DELETERS` where moto has none.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from moto.cloudformation import parsing

from ._guard import replace, require_pinned_moto
from .deletion import CREATE_ROLLBACK_FLAG, delete_physical, is_retained

logger = logging.getLogger("webstack_emulator")


def _honour_policy(original: Any) -> Any:
    @functools.wraps(original)
    def _delete_resource(self: Any, parsed: Any, resource_json: dict[str, Any]) -> None:
        if is_retained(resource_json, getattr(self, CREATE_ROLLBACK_FLAG, False)):
            logger.info(
                "retaining %s (DeletionPolicy %s)",
                getattr(parsed, "logical_resource_id", "?"),
                resource_json.get("DeletionPolicy"),
            )
            return
        delete_physical(self, parsed, resource_json)

    return _delete_resource


def install() -> None:
    require_pinned_moto(__name__)
    replace(parsing.ResourceMap, "_delete_resource", _honour_policy(parsing.ResourceMap._delete_resource))
