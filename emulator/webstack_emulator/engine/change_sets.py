"""Finding the change set an ``ExecuteChangeSet`` means, shared by fixes 10,
11 and 14 (which all wrap ``CloudFormationBackend.execute_change_set``)."""

from __future__ import annotations

from typing import Any


def find_change_set(backend: Any, change_set_name: str, stack_name: str | None) -> Any:
    """The change set with this ARN, or with this name in this stack (moto
    takes the last of that name in *any* stack of the region); None if none."""
    change_set = backend.change_sets.get(change_set_name)
    if change_set is not None:
        return change_set
    return next(
        (
            cs
            for cs in backend.change_sets.values()
            if cs.change_set_name == change_set_name
            and (stack_name is None or stack_name in {cs.stack_name, cs.stack_id})
        ),
        None,
    )


def executed(change_set: Any) -> bool:
    """moto sets EXECUTE_COMPLETE once ``apply`` succeeded (fix 10 sets
    EXECUTE_FAILED otherwise)."""
    return bool(change_set.execution_status == "EXECUTE_COMPLETE")
