"""Fix 16: an unchanged redeploy is "no changes".

moto: a change set "didn't contain changes" only when its parameters equal
the dict given at creation, so a redeploy with ``UsePreviousValue`` (or
defaults) always "changed"; and ``CreateChangeSet`` answers UpdateStack's
"No updates are to be performed." error instead of creating a change set.

AWS: parameters compare by effective value (given, previous, or default;
SSM-typed ones also by their current resolved value), and a change set
without changes is created with Status ``FAILED`` and the reason "The
submitted information didn't contain changes...", which the CDK CLI
reports as "(no changes)"
(https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeChangeSet.html).

Fix: ``Stack.has_parameters`` compares so, and
``CloudFormationResponse.create_change_set`` skips UpdateStack's check.
"""

from __future__ import annotations

import functools
from typing import Any

from moto.cloudformation import models as cfn_models
from moto.cloudformation import responses as cfn_responses

from ._guard import replace, require_pinned_moto
from .fix_15_stack_parameters import parameter_slots, stack_parameters

SSM_VALUE_TYPE_PREFIX = "AWS::SSM::Parameter::Value"


def same_resolved_value(resource_map: Any, key: str, slot: dict[str, Any], new: Any) -> bool:
    if not str(slot.get("Type", "")).startswith(SSM_VALUE_TYPE_PREFIX) or new is None:
        return True
    try:
        current = resource_map.parse_ssm_parameter(new, slot["Type"])
    except Exception:
        return False
    return bool(current == resource_map.resolved_parameters.get(key))


def _has_parameters(self: Any, other_parameters: dict[str, Any]) -> bool:
    resource_map = self.resource_map
    previous = stack_parameters(self)
    slots = parameter_slots(resource_map)
    for key, slot in slots.items():
        new = (other_parameters or {}).get(key, slot.get("Default"))
        if new != previous.get(key) or not same_resolved_value(resource_map, key, slot, new):
            return False
    return set(other_parameters or {}) <= set(slots)


def _create_change_set_response(original: Any) -> Any:
    @functools.wraps(original)
    def create_change_set(self: Any) -> Any:
        self._validate_different_update = lambda *args, **kwargs: None  # UpdateStack's rule only
        return original(self)

    return create_change_set


def install() -> None:
    require_pinned_moto(__name__)
    replace(cfn_models.Stack, "has_parameters", _has_parameters)
    response = cfn_responses.CloudFormationResponse
    replace(response, "create_change_set", _create_change_set_response(response.create_change_set))
