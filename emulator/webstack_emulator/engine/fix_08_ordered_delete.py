"""Fix 08: a stack's resources are deleted in reverse dependency order.

moto: ``ResourceMap.delete`` deletes in arbitrary order and retries what
failed until nothing changes, so a resource can go before its dependents
(a VPC stack ended in DELETE_FAILED with DependencyViolation) and the error
reported is whichever came last. Its map also re-creates any template
resource it is asked for and no longer holds: ``DescribeStackResources`` of
a deleted or DELETE_FAILED stack brought deleted resources back.

AWS: dependents are deleted first; a resource is deleted only once
everything that depends on it is gone, so a failure stops its own
dependency chain and is the one reported
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-dependson.html:
"resources are deleted in the reverse order"). Deleted resources stay deleted.

Fix: ``ResourceMap.delete`` walks the reverse dependency order through
``_delete_resource`` (fix 07: retained resources stay), with a second pass
only for what failed while others went, raises the first failure as
:class:`failures.ResourceFailed`, and forgets the resources that are gone.
"""

from __future__ import annotations

from typing import Any

from moto.cloudformation import parsing

from ._guard import replace, require_pinned_moto
from .dependencies import dependency_order, dependents
from .failures import ResourceFailed

_PASSES = 2  # a second pass for what failed while others went


def _created(resource_map: Any, order: list[str]) -> list[str]:
    """The resources of ``order`` that exist (never created, or a false
    condition, leaves a placeholder or nothing)."""
    return [
        name
        for name in order
        if (parsed := resource_map._parsed_resources.get(name)) is not None
        and not isinstance(parsed, (str, dict, list))
    ]


class _Deletion:
    def __init__(self, resource_map: Any) -> None:
        self.resource_map = resource_map
        self.templates: dict[str, Any] = resource_map._resource_json_map
        self.remaining = _created(resource_map, list(reversed(dependency_order(self.templates, list(self.templates)))))
        self.dependents = dependents(self.templates)
        self.gone = {name for name in self.templates if name not in self.remaining}
        self.failures: dict[str, ResourceFailed] = {}

    def _deletable(self, name: str) -> bool:
        # not deleted yet, and nothing that still exists depends on it
        return name not in self.gone and all(d in self.gone for d in self.dependents[name])

    def _delete(self, name: str) -> bool:
        template = self.templates[name]
        try:
            self.resource_map._delete_resource(self.resource_map._parsed_resources.get(name), template)
        except Exception as exc:
            self.failures[name] = ResourceFailed(name, template.get("Type", "?"), exc)
            return False
        self.resource_map._parsed_resources.pop(name, None)
        self.gone.add(name)
        self.failures.pop(name, None)
        return True

    def _one_pass(self) -> bool:
        progress = False
        for name in self.remaining:
            if self._deletable(name) and self._delete(name):
                progress = True
        return progress

    def run(self) -> None:
        try:
            for _attempt in range(_PASSES):
                progress = self._one_pass()
                if all(name in self.gone for name in self.remaining) or not progress:
                    break
            if self.failures:
                raise next(iter(self.failures.values()))
        finally:
            self.resource_map._resource_json_map = {k: v for k, v in self.templates.items() if k not in self.gone}


def _ordered_delete(self: Any) -> None:
    _Deletion(self).run()


def install() -> None:
    require_pinned_moto(__name__)
    replace(parsing.ResourceMap, "delete", _ordered_delete)
