"""Fix 02: ``Fn::GetStackOutput``.

moto: does not know the function (CDK 2.275 renders
``cross_region_references`` with it) and passes
``{"Fn::GetStackOutput": {...}}`` through as a literal value.

AWS: ``{StackName, OutputName, Region[, RoleArn]}`` returns the value of an
output of another stack, in any region (and, with ``RoleArn``, account),
resolved at create/update time: a weak reference
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-getstackoutput.html).

Fix: ``parsing.clean_json`` resolves it anywhere in a resource's properties
or an output (lists, ``Fn::Join``...) from the named stack of this emulator;
the account is taken from ``RoleArn`` when given. A missing stack or output
fails the resource with the reason. ``Region`` is required here.
"""

from __future__ import annotations

import functools
from typing import Any

from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing

from ._guard import replace, require_pinned_moto

DEFAULT_ACCOUNT_ID = "123456789012"  # moto's

# stack states in which another stack's outputs can be read
_READABLE_STATES = (
    "CREATE_COMPLETE",
    "UPDATE_COMPLETE",
    "UPDATE_ROLLBACK_COMPLETE",
    "IMPORT_COMPLETE",
    "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
    "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
)


class StackOutputNotFound(Exception):
    """Fn::GetStackOutput names a stack or output that does not exist."""

    aws_text = True  # CloudFormation's wording (engine.failures.reason_of)


def _account_of(role_arn: str, default: str) -> str:
    parts = role_arn.split(":")
    if role_arn.startswith("arn:") and len(parts) > 4 and parts[4]:
        return parts[4]
    return default


def _readable_stack(stack_name: str, account_id: str, region: str) -> Any:
    backend = cfn_models.cloudformation_backends[account_id][region]
    stack = next(
        (s for s in backend.stacks.values() if stack_name in (s.name, s.stack_id) and s.status in _READABLE_STATES),
        None,
    )
    if stack is None:
        raise StackOutputNotFound(
            f"Fn::GetStackOutput: stack {stack_name} does not exist in {account_id}/{region}"
            " (or is not in a *_COMPLETE state)"
        )
    return stack


def get_stack_output(spec: Any, account_id: str) -> Any:
    """Value of ``Fn::GetStackOutput`` (arguments already resolved)."""
    if not isinstance(spec, dict) or not spec.get("StackName") or not spec.get("OutputName"):
        raise ValueError(f"Fn::GetStackOutput needs StackName and OutputName, got {spec!r}")
    stack_name, output_name = str(spec["StackName"]), str(spec["OutputName"])
    region = str(spec.get("Region") or "")
    account_id = _account_of(str(spec.get("RoleArn") or ""), account_id)
    if not region:
        raise ValueError("Fn::GetStackOutput: Region is required")
    outputs = _readable_stack(stack_name, account_id, region).output_map
    if output_name not in (outputs._output_json_map or {}):
        raise StackOutputNotFound(f"Fn::GetStackOutput: stack {stack_name} ({region}) has no output {output_name}")
    output = outputs[output_name]
    if output is None:
        raise StackOutputNotFound(
            f"Fn::GetStackOutput: output {output_name} of stack {stack_name} ({region}) has no value"
        )
    return output.value


def _resolving(original: Any) -> Any:
    @functools.wraps(original)
    def clean_json(resource_json: Any, resources_map: Any) -> Any:
        # moto's clean_json recurses through the module global, i.e. through
        # this wrapper, so nested occurrences (lists, Fn::Join...) land here.
        if isinstance(resource_json, dict) and "Fn::GetStackOutput" in resource_json:
            spec = clean_json(resource_json["Fn::GetStackOutput"], resources_map)
            account_id = getattr(resources_map, "_account_id", None) or DEFAULT_ACCOUNT_ID
            return get_stack_output(spec, account_id)
        return original(resource_json, resources_map)

    return clean_json


def install() -> None:
    require_pinned_moto(__name__)
    replace(parsing, "clean_json", _resolving(parsing.clean_json))
