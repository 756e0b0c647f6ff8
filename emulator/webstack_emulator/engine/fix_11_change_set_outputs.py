"""Fix 11: a stack deployed by change set has Outputs and publishes Exports.

moto: builds a stack's outputs and exports only in ``create_stack`` /
``update_stack``; after ``ExecuteChangeSet`` (how the CDK CLI deploys) the
stack has no Outputs, its exports are not published, and the change-set
stack resolves ``Fn::ImportValue`` against an empty export map, so a later
stack's ``Fn::ImportValue`` fails.

AWS: outputs and exports are the same however the stack was deployed, and
``Fn::ImportValue`` resolves against the region's exports
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/outputs-section-structure.html,
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-importvalue.html).

Fix: ``execute_change_set`` hands the stack the region's exports before it
runs and, once it succeeded, rebuilds the stack's description, outputs and
exports (an export name another stack already exports fails, as in AWS).
"""

from __future__ import annotations

import functools
from typing import Any

from moto.cloudformation import models as cfn_models

from ._guard import replace, require_pinned_moto
from .change_sets import executed, find_change_set


def refresh_outputs(backend: Any, stack: Any) -> None:
    stack._parse_template()
    stack.description = stack.template_dict.get("Description")
    stack.output_map = stack._create_output_map()
    for name in [n for n, e in backend.exports.items() if e.exporting_stack_id == stack.stack_id]:
        del backend.exports[name]
    for export in stack.exports:
        if export.name in backend.exports:
            raise ValueError(f"Export with name {export.name} is already exported by another stack")
        backend.exports[export.name] = export


def _with_outputs(original: Any) -> Any:
    @functools.wraps(original)
    def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
        change_set = find_change_set(self, change_set_name, stack_name)
        if change_set is None:
            return original(self, change_set_name, stack_name)
        stack = self.stacks[change_set.stack_id]
        stack.resource_map.cross_stack_resources = self.exports
        stack.cross_stack_resources = self.exports
        original(self, change_set_name, stack_name)
        if executed(change_set):
            refresh_outputs(self, stack)
        return None

    return execute_change_set


def install() -> None:
    require_pinned_moto(__name__)
    replace(
        cfn_models.CloudFormationBackend,
        "execute_change_set",
        _with_outputs(cfn_models.CloudFormationBackend.execute_change_set),
    )
