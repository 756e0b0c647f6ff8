"""Fix 12: a failed ``DeleteStack`` ends in ``DELETE_FAILED``.

moto: a resource that cannot be deleted (a non-empty bucket, a protected
load balancer) escapes as an HTTP 500, and the stack is half gone: moved to
the deleted stacks, its exports withdrawn.

AWS: the stack stays, in ``DELETE_FAILED`` with a ``StackStatusReason``
naming the resource and the reason, and a ``DELETE_FAILED`` resource event;
it can be deleted again once the cause is fixed
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/troubleshooting.html#troubleshooting-errors-delete-stack-fails).

Fix: ``CloudFormationBackend.delete_stack`` catches the failure, puts the
stack and its exports back and records the failure so.
"""

from __future__ import annotations

import functools
from typing import Any

from moto.cloudformation import models as cfn_models

from ._guard import replace, require_pinned_moto
from .failures import add_resource_event


def matching_stacks(backend: Any, name_or_stack_id: str) -> list[Any]:
    return [s for s in backend.stacks.values() if name_or_stack_id in (s.stack_id, s.name)]


def _restore_failed(backend: Any, stack: Any, failure: BaseException) -> None:
    backend.deleted_stacks.pop(stack.stack_id, None)
    backend.stacks[stack.stack_id] = stack
    for export in stack.exports:
        backend.exports.setdefault(export.name, export)
    add_resource_event(stack, failure, "DELETE_FAILED")
    reason = (
        f"The following resource(s) failed to delete: [{getattr(failure, 'logical_id', '?')}]. "
        f"{getattr(failure, 'cause', failure)}"
    )
    stack._add_stack_event("DELETE_FAILED", resource_status_reason=reason)
    stack.status = "DELETE_FAILED"
    stack.stack_status_reason = reason


def _safe_delete_stack(original: Any) -> Any:
    @functools.wraps(original)
    def delete_stack(self: Any, name_or_stack_id: str) -> None:
        stacks = matching_stacks(self, name_or_stack_id)
        for stack in stacks:
            stack.stack_status_reason = None
            try:
                original(self, stack.stack_id)
            except Exception as exc:
                _restore_failed(self, stack, exc)
        if not stacks:
            original(self, name_or_stack_id)

    return delete_stack


def install() -> None:
    require_pinned_moto(__name__)
    replace(
        cfn_models.CloudFormationBackend,
        "delete_stack",
        _safe_delete_stack(cfn_models.CloudFormationBackend.delete_stack),
    )
