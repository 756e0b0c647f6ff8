"""Fix 15: a stack's parameter value is what was passed in.

moto: ``Stack.stack_parameters`` holds the *resolved* values, so
``UsePreviousValue`` of an SSM-typed parameter takes the previous
``ami-...`` and looks it up again as an SSM parameter name ("'NoneType'
object has no attribute 'value'": every ``cdk deploy`` update of a stack
using ``MachineImage.latest_amazon_linux2023()`` failed). NoEcho
parameters were masked by comparing values with key names.

AWS: a parameter's ``ParameterValue`` is what was passed in (the SSM path;
the template's Default when nothing was), ``ResolvedValue`` the value it
resolved to, and ``UsePreviousValue`` re-resolves the path; NoEcho values
show as ``****``
(https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Parameter.html,
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-supplied-parameter-types.html#cloudformation-supplied-parameter-types-ssm).

Fix: ``Stack.stack_parameters`` gives SSM-typed parameters their path
(``Ref`` still resolves to the value: moto reads ``resolved_parameters``
for that), and ``Stack.parameter_list`` (DescribeStacks) gives
ParameterValue, ResolvedValue and the NoEcho mask.
"""

from __future__ import annotations

from typing import Any

from moto.cloudformation import models as cfn_models

from ._guard import replace, require_pinned_moto

SSM_PARAMETER_TYPE_PREFIX = "AWS::SSM::Parameter::"


def parameter_slots(resource_map: Any) -> dict[str, Any]:
    """The template's ``Parameters`` section."""
    return dict((getattr(resource_map, "_template", None) or {}).get("Parameters") or {})


def stack_parameters(self: Any) -> dict[str, Any]:
    resource_map = self.resource_map
    values = dict(resource_map.resolved_parameters)
    for key, slot in parameter_slots(resource_map).items():
        if str(slot.get("Type", "")).startswith(SSM_PARAMETER_TYPE_PREFIX):
            raw = (resource_map.input_parameters or {}).get(key, slot.get("Default"))
            if raw is not None:
                values[key] = raw
    return values


def _parameter_list(self: Any) -> list[dict[str, Any]]:
    resource_map = self.resource_map
    raw = stack_parameters(self)
    hidden = set(getattr(resource_map, "no_echo_parameter_keys", []) or [])
    result = []
    for key, resolved in resource_map.resolved_parameters.items():
        entry = {"ParameterKey": key, "ParameterValue": "****" if key in hidden else raw.get(key, resolved)}
        if raw.get(key, resolved) != resolved and key not in hidden:
            entry["ResolvedValue"] = ",".join(resolved) if isinstance(resolved, list) else resolved
        result.append(entry)
    return result


def install() -> None:
    require_pinned_moto(__name__)
    stack = cfn_models.Stack
    for name in ("stack_parameters", "parameter_list"):
        if not isinstance(vars(stack).get(name), property):
            raise RuntimeError(f"moto's Stack.{name} is no longer a property: re-verify {__name__}")
    replace(stack, "stack_parameters", property(stack_parameters))
    replace(stack, "parameter_list", property(_parameter_list))
