"""What the resource schemas say about a type: which properties can only be set at creation
(a change to one replaces the resource), and which attributes name the physical resource.

The source is each type's CloudFormation resource schema
(https://docs.aws.amazon.com/cloudformation-cli/latest/userguide/resource-type-schema.html):
``createOnlyProperties``, JSON pointers such as ``/properties/BucketName``
("changing a createOnly property requires replacement"), and
``primaryIdentifier``, as cfn-lint ships them per region. cfn-lint is pinned
(tools/pyproject.toml), so the answers change only when the pin does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

Pointer = tuple[str, ...]


@dataclass(frozen=True)
class TypeSchema:
    create_only: tuple[Pointer, ...]
    """Property paths below ``Properties`` whose change replaces the resource."""
    identifiers: frozenset[str] = frozenset()
    """The ``primaryIdentifier`` properties."""

    def names_resource(self, attribute: str) -> bool:
        """Whether ``Fn::GetAtt`` of ``attribute`` names the physical resource, which an update without
        replacement keeps ("without changing the resource's physical ID",
        https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html).
        The primary identifier does; so, by AWS's naming, do ids and ARNs (``GroupId``, ``Arn``), which
        the schemas list as read-only properties without saying they are stable: an assumption, stated."""
        return attribute in self.identifiers or attribute.endswith(("Id", "Arn"))


SchemaLookup = Callable[[str, str], TypeSchema | None]
"""(region, resource type) -> what its schema says; None: cfn-lint has no schema for it."""

_PREFIX = "/properties/"


def pointer(text: str) -> Pointer | None:
    """``/properties/A/*/B`` -> ``("A", "*", "B")``; None for pointers outside properties."""
    if not text.startswith(_PREFIX):
        return None
    return tuple(text.removeprefix(_PREFIX).split("/"))


def _schema(region: str, resource_type: str) -> dict[str, Any] | None:
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER, ResourceNotFoundError

    try:
        schema: dict[str, Any] = PROVIDER_SCHEMA_MANAGER.get_resource_schema(region, resource_type).schema
    except ResourceNotFoundError:
        return None
    return schema


def _pointers(texts: list[str]) -> tuple[Pointer, ...]:
    return tuple(p for p in (pointer(t) for t in texts) if p is not None)


@cache
def type_schema(region: str, resource_type: str) -> TypeSchema | None:
    """What the schema of ``resource_type`` in ``region`` says; None when cfn-lint has none."""
    schema = _schema(region, resource_type)
    if schema is None:
        return None
    identifiers = frozenset(p[0] for p in _pointers(schema.get("primaryIdentifier", [])) if len(p) == 1)
    return TypeSchema(_pointers(schema.get("createOnlyProperties", [])), identifiers)
