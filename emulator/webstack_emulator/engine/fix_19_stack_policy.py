"""Fix 19: stack policies protect resources during updates.

moto: ``SetStackPolicy`` / ``GetStackPolicy`` store and return the body
("Moto does no validation/parsing/enforcement of this policy"), so an update
replaces or deletes a resource the policy protects.

AWS: during an update, a resource the stack policy does not allow to be
modified, replaced or deleted fails (``UPDATE_FAILED``, "Action denied by
stack policy: ..."), and the update rolls back: the stack ends in
``UPDATE_ROLLBACK_COMPLETE`` with the protected resource as it was
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/protect-stack-resources.html).
A stack policy does not apply to creating or deleting the stack.

Fix: executing an UPDATE change set first evaluates the policy
(:mod:`.stack_policies`) against every existing resource the new template
would touch; a refusal fails that resource before anything changes (fix 10
reports it and ends the stack in ``UPDATE_ROLLBACK_COMPLETE``).
``SetStackPolicy`` refuses a policy the emulator cannot evaluate ("not
emulated"), and ``UpdateStack`` of a stack that has a policy is not
emulated (it would need ``StackPolicyDuringUpdateBody``; the CDK CLI deploys
through change sets, which have no temporary policy: an intended change of a
protected resource sets a more permissive policy first, and the previous one
again after).
"""

from __future__ import annotations

import functools
from typing import Any

from moto.cloudformation import exceptions as cfn_exceptions
from moto.cloudformation import models as cfn_models

from ._guard import replace, require_pinned_moto
from .failures import ResourceFailed
from .stack_policies import StackPolicyDenied, StackPolicyNotEmulated, parse_policy, refusal, resource_changes


def check_update(stack: Any, new_template: dict[str, Any]) -> None:
    """ResourceFailed for the first resource the stack's policy refuses to change as ``new_template`` would."""
    if not stack.policy:
        return
    try:
        statements = parse_policy(stack.policy)
    except StackPolicyNotEmulated as exc:
        raise ResourceFailed(stack.name, "AWS::CloudFormation::Stack", exc) from exc
    old_template = stack.parse_template(stack.template) if stack.template else {}
    for change in resource_changes(old_template, new_template, stack.region_name):
        reason = refusal(statements, change)
        if reason is not None:
            raise ResourceFailed(change.logical_id, change.resource_type, StackPolicyDenied(reason))


def _enforcing_apply(original: Any) -> Any:
    @functools.wraps(original)
    def apply(self: Any) -> None:
        if self.change_set_type == "UPDATE":
            check_update(self.stack, self.template_dict)
        return original(self)

    return apply


def _validating_set(original: Any) -> Any:
    @functools.wraps(original)
    def set_stack_policy(self: Any, stack_name: str, policy_body: str) -> None:
        if policy_body:
            try:
                parse_policy(policy_body)
            except StackPolicyNotEmulated as exc:
                raise cfn_exceptions.ValidationError(message=str(exc)) from None
        return original(self, stack_name, policy_body)

    return set_stack_policy


def _refusing_update_stack(original: Any) -> Any:
    @functools.wraps(original)
    def update_stack(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        if self.get_stack(name).policy:
            raise cfn_exceptions.ValidationError(
                message="not emulated: UpdateStack of a stack with a stack policy "
                "(the emulator enforces stack policies on change sets, as the CDK CLI deploys)"
            )
        return original(self, name, *args, **kwargs)

    return update_stack


def install() -> None:
    require_pinned_moto(__name__)
    backend = cfn_models.CloudFormationBackend
    replace(cfn_models.ChangeSet, "apply", _enforcing_apply(cfn_models.ChangeSet.apply))
    replace(backend, "set_stack_policy", _validating_set(backend.set_stack_policy))
    replace(backend, "update_stack", _refusing_update_stack(backend.update_stack))
