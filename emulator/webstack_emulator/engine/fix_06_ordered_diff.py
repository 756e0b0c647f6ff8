"""Fix 06: resources are created and updated in dependency order.

moto: a change set creates resources in template order, resolving
Ref/GetAtt lazily but ignoring ``DependsOn`` (and removes them in any order).

AWS: a resource is created after everything it depends on (``DependsOn``,
``Ref``, ``Fn::GetAtt``, ``Fn::Sub``) and removed before it
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-dependson.html).

Fix: ``ResourceMap.build_resource_diff`` returns its Add and Modify lists in
dependency order of the new template and Remove in reverse dependency order
of the old one.
"""

from __future__ import annotations

import functools
from typing import Any

from moto.cloudformation import parsing

from ._guard import replace, require_pinned_moto
from .dependencies import dependency_order


def _ordered_diff(original: Any) -> Any:
    @functools.wraps(original)
    def build_resource_diff(self: Any, other_template: dict[str, Any], parameters: Any = None) -> Any:
        result = original(self, other_template, parameters)
        new = other_template.get("Resources") or {}
        result["Add"] = dependency_order(new, result["Add"])
        result["Modify"] = dependency_order(new, result["Modify"])
        old = self._resource_json_map
        result["Remove"] = list(reversed(dependency_order(old, result["Remove"])))
        return result

    return build_resource_diff


def install() -> None:
    require_pinned_moto(__name__)
    replace(parsing.ResourceMap, "build_resource_diff", _ordered_diff(parsing.ResourceMap.build_resource_diff))
