"""Checks CloudFormation runs on one resource when it comes to create or
update it, during provisioning: the resource then fails (``CREATE_FAILED``
with the reason, the stack rolls back) instead of the change set being
refused.

* Schema validation of the properties: ``Properties validation failed for
  resource <LogicalId> with message: #/RetentionInDays: failed validation
  constraint for keyword [enum]`` (the form of CloudFormation's events, seen
  in public deploy logs; the wording of each violation is the resource
  provider framework's, see :mod:`.messages`).
* The handlers' own rules (:mod:`.rules`).

CloudFormation checks the schema's own keywords before it calls the
handler; the rules cfn-lint's schemas add of their own (``requiredXor``...)
stand for what the handler would refuse, so they come after :mod:`.rules`,
whose texts are the services'.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from . import messages
from .errors import InvalidRequest, PropertiesValidationFailed
from .intrinsics import partially_resolve
from .rules import RuleContext, handler_refusal
from .schemas import violations


@dataclass(frozen=True)
class ResourceContext:
    """What the emulator knows when it comes to a resource: the stack's
    region, its resolved parameter values, the value of a condition
    (``None`` when it cannot tell) and what :class:`rules.RuleContext` needs."""

    region: str
    parameters: Mapping[str, Any]
    condition: Callable[[str], bool | None]
    rules: RuleContext


def _is_custom(resource_type: str) -> bool:
    # Custom resources take any properties: their handler decides.
    return resource_type.startswith("Custom::") or resource_type == "AWS::CloudFormation::CustomResource"


def check_resource(logical_id: str, resource_json: Mapping[str, Any], context: ResourceContext) -> None:
    """Raise :class:`PropertiesValidationFailed` or :class:`InvalidRequest`
    with CloudFormation's reason when the resource would fail so."""
    resource_type = str(resource_json.get("Type", ""))
    if _is_custom(resource_type):
        return
    raw = resource_json.get("Properties") or {}
    if not isinstance(raw, dict):
        return
    properties = partially_resolve(raw, context.parameters, context.condition)
    found = violations(resource_type, properties, context.region)
    standard = [text for keyword, text in found if keyword not in messages.EXTENSIONS]
    if standard:
        raise PropertiesValidationFailed(messages.properties_validation_failed(logical_id, standard))
    refusal = handler_refusal(resource_type, properties, context.rules)
    if refusal is not None:
        raise InvalidRequest(refusal)
    extended = [text for keyword, text in found if keyword in messages.EXTENSIONS]
    if extended:
        raise PropertiesValidationFailed(messages.properties_validation_failed(logical_id, extended))
