"""How a failed resource is reported, as CloudFormation reports it: a
``CREATE_FAILED`` / ``UPDATE_FAILED`` / ``DELETE_FAILED`` event naming the
resource and the reason
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/view-stack-events.html),
and, for a failed create, the rollback that deletes what was created so far
and leaves the stack in ``ROLLBACK_COMPLETE``
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stack-failure-options.html).
Shared by fixes 04, 08, 09, 10 and 12."""

from __future__ import annotations

import logging
from typing import Any

from moto.cloudformation import models as cfn_models

from .deletion import CREATE_ROLLBACK_FLAG

logger = logging.getLogger("webstack_emulator")


class ResourceFailed(Exception):
    """A resource of a stack could not be created, updated or deleted."""

    def __init__(self, logical_id: str, resource_type: str, cause: BaseException):
        super().__init__(f"{logical_id} ({resource_type}): {cause}")
        self.logical_id = logical_id
        self.resource_type = resource_type
        self.cause = cause


def reason_of(cause: BaseException) -> str:
    """The event's ``ResourceStatusReason``: ``"<AWS error code>: <AWS's message>"``
    where the error has a code, as the CloudFormation console shows a
    service's answer (the text AWS's handlers put around it -- 'Resource
    handler returned message', request ids -- varies by handler and is not
    reproduced), else the message alone.

    * Errors whose text is AWS's own (``aws_text``: providers, service rules,
      validation): their ``code`` (service rules) and text.
    * Service errors raised by moto: their ``code``/``error_type`` and
      ``message``, which are the service's.
    * Anything else is the emulator's own failure, not an AWS error, and
      says so with the exception's class.
    """
    code = getattr(cause, "code", None) or getattr(cause, "error_type", None)
    if getattr(cause, "aws_text", False):
        return f"{code}: {cause}" if isinstance(code, str) and code else str(cause)
    message = getattr(cause, "message", None)
    if isinstance(code, str) and code and isinstance(message, str) and message:
        return f"{code}: {message}"
    return f"emulator error (not an AWS error): {type(cause).__name__}: {cause}"


def add_resource_event(stack: Any, failure: BaseException, status: str) -> None:
    logical_id = getattr(failure, "logical_id", stack.name)
    resource_type = getattr(failure, "resource_type", "AWS::CloudFormation::Stack")
    cause = getattr(failure, "cause", failure)
    reason = reason_of(cause)
    stack.events.append(
        cfn_models.Event(
            stack_id=stack.stack_id,
            stack_name=stack.name,
            logical_resource_id=logical_id,
            physical_resource_id="",
            resource_type=resource_type,
            resource_status=status,
            resource_status_reason=reason,
            resource_properties=None,
        )
    )
    logger.warning("stack %s: %s %s: %s", stack.name, logical_id, status, reason, exc_info=cause)


def rollback_create(stack: Any, failure: BaseException) -> None:
    """Delete what a failed create made (``RetainExceptOnCreate`` resources
    too) and leave the stack in ROLLBACK_COMPLETE."""
    add_resource_event(stack, failure, "CREATE_FAILED")
    stack._add_stack_event("ROLLBACK_IN_PROGRESS", resource_status_reason="The following resource(s) failed to create")
    setattr(stack.resource_map, CREATE_ROLLBACK_FLAG, True)
    try:
        stack.resource_map.delete()
    except Exception as exc:
        logger.warning("rollback of %s incomplete: %s", stack.name, exc)
    # moto's resource map creates resources lazily on any lookup (even
    # describe_stack_resources): forget the template so nothing comes back.
    stack.resource_map._resource_json_map = {}
    stack.resource_map._parsed_resources = {
        k: v for k, v in stack.resource_map._parsed_resources.items() if k.startswith("AWS::")
    }
    stack._add_stack_event("ROLLBACK_COMPLETE")
    stack.status = "ROLLBACK_COMPLETE"
