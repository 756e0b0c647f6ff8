"""Fix 10: a failed ``ExecuteChangeSet`` ends the way CloudFormation ends it.

moto: executes the change set synchronously and lets a resource's exception
escape as an HTTP 500, leaving the stack in ``REVIEW_IN_PROGRESS`` with a
dangling change set (the next ``cdk deploy``: "Stack with id
cdk-deploy-change-set does not exist").

AWS: a failed change set of type CREATE rolls back to ``ROLLBACK_COMPLETE``
(the CDK CLI then deletes and recreates the stack on the next deploy), a
failed UPDATE to ``UPDATE_ROLLBACK_COMPLETE``, each with a
``CREATE_FAILED``/``UPDATE_FAILED`` event naming resource and reason, and
the change set's ExecutionStatus is ``EXECUTE_FAILED``
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stack-failure-options.html,
https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeChangeSet.html).

Fix: ``CloudFormationBackend.execute_change_set`` catches the failure and
reports it so. A failed update is not rolled back: resources changed before
the failure keep their new state (good enough to report and redeploy).
"""

from __future__ import annotations

import functools
from typing import Any

from moto.cloudformation import models as cfn_models

from ._guard import replace, require_pinned_moto
from .change_sets import find_change_set
from .failures import add_resource_event, rollback_create


def _report_failed_update(stack: Any, failure: BaseException) -> None:
    add_resource_event(stack, failure, "UPDATE_FAILED")
    stack._add_stack_event("UPDATE_ROLLBACK_IN_PROGRESS", resource_status_reason=str(failure))
    stack._add_stack_event("UPDATE_ROLLBACK_COMPLETE")
    stack.status = "UPDATE_ROLLBACK_COMPLETE"


def _safe_execute_change_set(original: Any) -> Any:
    @functools.wraps(original)
    def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
        change_set = find_change_set(self, change_set_name, stack_name)
        if change_set is None:
            return original(self, change_set_name, stack_name)
        stack = self.stacks[change_set.stack_id]
        try:
            original(self, change_set.change_set_id, stack_name)
        except Exception as exc:
            change_set.execution_status = "EXECUTE_FAILED"
            change_set.status_reason = str(exc)
            if change_set.change_set_type == "CREATE":
                rollback_create(stack, exc)
            else:
                _report_failed_update(stack, exc)
        return None

    return execute_change_set


def install() -> None:
    require_pinned_moto(__name__)
    replace(
        cfn_models.CloudFormationBackend,
        "execute_change_set",
        _safe_execute_change_set(cfn_models.CloudFormationBackend.execute_change_set),
    )
