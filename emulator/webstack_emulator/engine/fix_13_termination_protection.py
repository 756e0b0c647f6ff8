"""Fix 13: termination protection.

moto: stores ``EnableTerminationProtection`` but has no
``UpdateTerminationProtection`` (HTTP 500: the CDK CLI calls it for stacks
with ``termination_protection=True``) and deletes protected stacks.

AWS: ``UpdateTerminationProtection`` turns it on and off, and
``DeleteStack`` of a protected stack fails with a ValidationError, leaving
the stack untouched
(https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_UpdateTerminationProtection.html,
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-protect-stacks.html).

Fix: the action exists (backend and response), and
``CloudFormationBackend.delete_stack`` refuses a protected stack before
anything is deleted.
"""

from __future__ import annotations

import functools
from typing import Any

from moto.cloudformation import exceptions as cfn_exceptions
from moto.cloudformation import models as cfn_models
from moto.cloudformation import responses as cfn_responses

from ._guard import add, replace, require_pinned_moto
from .fix_12_safe_delete_stack import matching_stacks


def update_termination_protection(self: Any, name_or_stack_id: str, enabled: bool) -> Any:
    stack = self.get_stack(name_or_stack_id)
    if stack.status == "DELETE_COMPLETE":
        raise cfn_exceptions.ValidationError(name_or_stack_id)
    stack.enable_termination_protection = bool(enabled)
    return stack


def _update_termination_protection_response(self: Any) -> Any:
    from moto.core.responses import ActionResult

    enabled = str(self._get_param("EnableTerminationProtection")).lower() == "true"
    stack = self.cloudformation_backend.update_termination_protection(self._get_param("StackName"), enabled)
    return ActionResult({"StackId": stack.stack_id})


def _refuse_protected(original: Any) -> Any:
    @functools.wraps(original)
    def delete_stack(self: Any, name_or_stack_id: str) -> None:
        for stack in matching_stacks(self, name_or_stack_id):
            if stack.enable_termination_protection:
                raise cfn_exceptions.ValidationError(
                    message=f"Stack [{stack.name}] cannot be deleted while TerminationProtection is enabled"
                )
        original(self, name_or_stack_id)

    return delete_stack


def install() -> None:
    require_pinned_moto(__name__)
    add(cfn_responses.CloudFormationResponse, "update_termination_protection", _update_termination_protection_response)
    add(cfn_models.CloudFormationBackend, "update_termination_protection", update_termination_protection)
    replace(
        cfn_models.CloudFormationBackend,
        "delete_stack",
        _refuse_protected(cfn_models.CloudFormationBackend.delete_stack),
    )
