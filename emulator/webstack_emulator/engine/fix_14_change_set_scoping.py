"""Fix 14: change sets belong to their stack.

moto: ``DeleteChangeSet``, ``DescribeChangeSet`` and ``ListChangeSets``
ignore ``StackName`` (a name is searched across all stacks of the region),
``DeleteChangeSet`` of a missing name answers HTTP 500, a missing change
set is a ValidationError "Stack with id cdk-deploy-change-set does not
exist", and executed change sets stay. The CDK CLI deletes
``cdk-deploy-change-set`` before every update and polls
``DescribeChangeSet`` until it answers ``ChangeSetNotFound``: the deploy
failed, and with two stacks of a region using the CLI's fixed name it
waited forever for the *other* stack's change set to go away.

AWS: a change set is addressed by ARN or by name within ``StackName``;
``DeleteChangeSet`` succeeds whenever the stack exists, a missing change
set is ``ChangeSetNotFound``, and executing a change set removes the
stack's change sets
(https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DeleteChangeSet.html,
https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeChangeSet.html,
https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ExecuteChangeSet.html).

Fix: the backend's and the responses' delete/describe/list take
``StackName`` into account and raise :class:`ChangeSetNotFound`; a
successful ``execute_change_set`` deletes the stack's change sets.
"""

from __future__ import annotations

import functools
from typing import Any

from moto.cloudformation import exceptions as cfn_exceptions
from moto.cloudformation import models as cfn_models
from moto.cloudformation import responses as cfn_responses

from ._guard import replace, require_pinned_moto
from .change_sets import executed, find_change_set


class ChangeSetNotFound(cfn_exceptions.CloudFormationError):
    code = "ChangeSetNotFoundException"  # wire code ChangeSetNotFound, HTTP 404 (from the model)


def _in_stack(change_set: Any, stack_name: str | None) -> bool:
    return not stack_name or stack_name in {change_set.stack_name, change_set.stack_id}


def delete_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
    if change_set_name in self.change_sets:  # an ARN
        del self.change_sets[change_set_name]
        return
    matches = [
        cs_id
        for cs_id, cs in self.change_sets.items()
        if cs.change_set_name == change_set_name and _in_stack(cs, stack_name)
    ]
    for cs_id in matches:
        del self.change_sets[cs_id]
    if matches:
        return
    if stack_name:
        self.get_stack(stack_name)  # ValidationError "Stack with id ... does not exist"
        return
    raise ChangeSetNotFound(f"ChangeSet [{change_set_name}] does not exist")


def describe_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> Any:
    if change_set_name in self.change_sets:  # an ARN
        return self.change_sets[change_set_name]
    for change_set in self.change_sets.values():
        if change_set.change_set_name == change_set_name and _in_stack(change_set, stack_name):
            return change_set
    raise ChangeSetNotFound(f"ChangeSet [{change_set_name}] does not exist")


def _describe_change_set_response(self: Any) -> Any:
    from moto.core.responses import ActionResult

    return ActionResult(
        self.cloudformation_backend.describe_change_set(self._get_param("ChangeSetName"), self._get_param("StackName"))
    )


def _list_change_sets_response(self: Any) -> Any:
    from moto.core.responses import ActionResult

    stack_name = self._get_param("StackName")
    change_sets = [cs for cs in self.cloudformation_backend.list_change_sets() if _in_stack(cs, stack_name)]
    return ActionResult({"Summaries": change_sets})


def _delete_change_set_response(self: Any) -> Any:
    from moto.core.responses import EmptyResult

    self.cloudformation_backend.delete_change_set(self._get_param("ChangeSetName"), self._get_param("StackName"))
    return EmptyResult()


def _removing_executed(original: Any) -> Any:
    @functools.wraps(original)
    def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
        change_set = find_change_set(self, change_set_name, stack_name)
        original(self, change_set_name, stack_name)
        if change_set is not None and executed(change_set):
            for cs_id in [i for i, cs in self.change_sets.items() if cs.stack_id == change_set.stack_id]:
                del self.change_sets[cs_id]

    return execute_change_set


def install() -> None:
    require_pinned_moto(__name__)
    backend = cfn_models.CloudFormationBackend
    replace(backend, "delete_change_set", delete_change_set)
    replace(backend, "describe_change_set", describe_change_set)
    replace(backend, "execute_change_set", _removing_executed(backend.execute_change_set))
    response = cfn_responses.CloudFormationResponse
    replace(response, "describe_change_set", _describe_change_set_response)
    replace(response, "list_change_sets", _list_change_sets_response)
    replace(response, "delete_change_set", _delete_change_set_response)
