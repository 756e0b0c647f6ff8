"""Fix 21: an update changes the resources of a parameter only when the
parameter's value changed.

moto: ``ResourceMap.build_resource_diff`` adds to ``Modify`` every resource
that ``Ref``s a parameter whose value in the update differs from
``ResourceMap.input_parameters``, the dict given at creation -- empty when
the stack was created on the template's defaults, which is what ``cdk
deploy`` does for the SSM-typed image parameter of
``MachineImage.latest_amazon_linux2023()``. Its update then passes the
parameter (``UsePreviousValue``), so every update of the web stack "changed"
the parameter and updated the launch template: a new launch template
version, hence an instance refresh with its checkpoints and bake time, for
a change of ``MaxSize`` alone.

AWS: a parameter's value is the one given, the previous one
(``UsePreviousValue``) or the template's ``Default`` ("If you don't specify
a key and value for a particular parameter, CloudFormation uses the default
value that's specified in your template",
https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Parameter.html);
an SSM-typed parameter is resolved again on every update
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-supplied-parameter-types.html#cloudformation-supplied-parameter-types-ssm).
A resource is part of an update when its template changed or a value it
refers to changed (fix 18's ``Dynamic`` evaluation,
https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ResourceChangeDetail.html);
an unchanged value changes nothing. The group's
``AutoScalingInstanceRefresh`` update policy starts a refresh only "when
properties that trigger an instance refresh change (such as LaunchTemplate
or MixedInstancesPolicy)"
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-updatepolicy.html,
as CDK 2.275 quotes it for ``CfnAutoScalingInstanceRefresh``:
https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.CfnAutoScalingInstanceRefresh.html).

Fix: ``build_resource_diff`` takes moto's template diff alone and adds the
unchanged resources that ``Ref`` a parameter whose effective value changed:
given / previous / default before and after compared, and for an SSM-typed
parameter also its value now against the value it resolved to before (as
fix 16 compares parameters for "no changes"). Installed before fix 06, so
that fixes 06 and 18 order and extend this diff.
"""

from __future__ import annotations

import functools
from typing import Any

from moto.cloudformation import parsing

from ._guard import replace, require_pinned_moto
from .fix_15_stack_parameters import parameter_slots
from .fix_16_no_change_updates import same_resolved_value


def changed_parameters(resource_map: Any, new_template: dict[str, Any], given: dict[str, Any]) -> set[str]:
    """Parameters of ``new_template`` whose effective value differs from the stack's."""
    old_slots = parameter_slots(resource_map)
    before = resource_map.input_parameters or {}
    changed = set()
    for key, slot in (new_template.get("Parameters") or {}).items():
        if key not in old_slots:
            changed.add(key)
            continue
        new = given.get(key, slot.get("Default"))
        old = before.get(key, old_slots[key].get("Default"))
        if new != old or not same_resolved_value(resource_map, key, slot, new):
            changed.add(key)
    return changed


def _diff_by_effective_values(original: Any) -> Any:
    @functools.wraps(original)
    def build_resource_diff(self: Any, other_template: dict[str, Any], parameters: Any = None) -> Any:
        result = original(self, other_template, None)
        if not parameters:
            return result  # moto's own rule: no parameters given, no parameter changes
        changed = changed_parameters(self, other_template, parameters)
        old, new = self._resource_json_map, other_template.get("Resources") or {}
        for name, resource in new.items():
            unchanged = name in old and old[name] == resource and name not in result["Modify"]
            if unchanged and changed & set(parsing.get_references_from_template(resource)):
                result["Modify"].append(name)
        return result

    return build_resource_diff


def install() -> None:
    require_pinned_moto(__name__)
    replace(
        parsing.ResourceMap,
        "build_resource_diff",
        _diff_by_effective_values(parsing.ResourceMap.build_resource_diff),
    )
