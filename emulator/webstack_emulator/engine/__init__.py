"""Fixes to moto's CloudFormation engine itself (not to any one type), one
module each, applied in this order by :func:`install` (17 last, whatever the
numbers: its validation wraps outside every other fix, so a broken template
is refused before any of them acts; 18, 19 and 20 come before it; 21 comes
right before 06, whose diff it corrects):

01 ``fix_01_dynamic_references``    ``{{resolve:ssm|secretsmanager:...}}`` resolved
02 ``fix_02_get_stack_output``      ``Fn::GetStackOutput`` resolved, any region
03 ``fix_03_custom_resources``      ``Custom::`` types of CDK served natively
04 ``fix_04_failure_annotation``    a failed resource is named (logical id, type, cause)
05 ``fix_05_update_or_replace``     types without an update handler are replaced
06 ``fix_06_ordered_diff``          create/update in dependency order
07 ``fix_07_retained_deletes``      ``DeletionPolicy`` honoured; deleters for moto's undeletable types
08 ``fix_08_ordered_delete``        delete in reverse dependency order; deleted stays deleted
09 ``fix_09_create_rollback``       a failed CreateStack rolls back to ROLLBACK_COMPLETE
10 ``fix_10_safe_execute_change_set`` a failed change set rolls back / reports, no HTTP 500
11 ``fix_11_change_set_outputs``    change-set stacks get Outputs and publish Exports
12 ``fix_12_safe_delete_stack``     a failed DeleteStack ends in DELETE_FAILED
13 ``fix_13_termination_protection`` UpdateTerminationProtection; protected stacks refuse deletion
14 ``fix_14_change_set_scoping``    change sets per stack, ChangeSetNotFound, removed once executed
15 ``fix_15_stack_parameters``      ParameterValue is what was passed in (SSM paths), ResolvedValue
16 ``fix_16_no_change_updates``     an unchanged redeploy is "no changes"
17 ``fix_17_template_validation``   templates and resource properties validated as CloudFormation does
18 ``fix_18_attribute_dependents``  an unchanged resource is updated when a Ref/GetAtt value it uses changed
19 ``fix_19_stack_policy``          stack policies refuse the updates they deny (UPDATE_ROLLBACK_COMPLETE)
20 ``fix_20_rollback_triggers``     rollback triggers: an alarm in ALARM rolls the change set back
21 ``fix_21_parameter_changes``     only a parameter whose effective value changed updates its resources

Each module's docstring says what moto 5.2.5 does, what AWS does (with the
documentation) and what the fix changes. Each refuses to patch a moto other
than the pinned one (``_guard``; the providers' own moto patches use the
same :func:`require_pinned_moto` and :func:`replace`). Where several fixes wrap the same moto
function the order matters: 01 then 02 (``clean_json``), 04, 05, 18 then 17
(``parse_and_update_resource``), 21, 06 then 18 (``build_resource_diff``), 10,
11, 14 (``execute_change_set``), 19 then 20 (``ChangeSet.apply``: the triggers
are checked first), 16 then 20 (``create_change_set``), 12 then 13
(``delete_stack``).

What the resource providers register with the engine lives in
:mod:`.registry` (``CUSTOM_TYPES``, ``deleter``).
"""

from __future__ import annotations

import functools
from types import ModuleType

from . import (
    fix_01_dynamic_references,
    fix_02_get_stack_output,
    fix_03_custom_resources,
    fix_04_failure_annotation,
    fix_05_update_or_replace,
    fix_06_ordered_diff,
    fix_07_retained_deletes,
    fix_08_ordered_delete,
    fix_09_create_rollback,
    fix_10_safe_execute_change_set,
    fix_11_change_set_outputs,
    fix_12_safe_delete_stack,
    fix_13_termination_protection,
    fix_14_change_set_scoping,
    fix_15_stack_parameters,
    fix_16_no_change_updates,
    fix_17_template_validation,
    fix_18_attribute_dependents,
    fix_19_stack_policy,
    fix_20_rollback_triggers,
    fix_21_parameter_changes,
)
from ._guard import PINNED_MOTO_VERSION, MotoVersionMismatch, add, replace, require_pinned_moto

FIXES: tuple[ModuleType, ...] = (
    fix_01_dynamic_references,
    fix_02_get_stack_output,
    fix_03_custom_resources,
    fix_04_failure_annotation,
    fix_05_update_or_replace,
    # before 06: the diff it orders (and 18 extends) is this one's
    fix_21_parameter_changes,
    fix_06_ordered_diff,
    fix_07_retained_deletes,
    fix_08_ordered_delete,
    fix_09_create_rollback,
    fix_10_safe_execute_change_set,
    fix_11_change_set_outputs,
    fix_12_safe_delete_stack,
    fix_13_termination_protection,
    fix_14_change_set_scoping,
    fix_15_stack_parameters,
    fix_16_no_change_updates,
    fix_18_attribute_dependents,
    fix_19_stack_policy,
    fix_20_rollback_triggers,
    # last: its property validation is the outermost wrapper of resource creates and updates
    fix_17_template_validation,
)

__all__ = [
    "FIXES",
    "PINNED_MOTO_VERSION",
    "MotoVersionMismatch",
    "add",
    "install",
    "replace",
    "require_pinned_moto",
]


@functools.cache
def install() -> None:
    """Apply every fix, in order (once per process: later calls do nothing)."""
    for fix in FIXES:
        fix.install()
