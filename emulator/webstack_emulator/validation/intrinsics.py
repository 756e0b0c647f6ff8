"""Reading a template's intrinsic functions: what a value references, and
the values the emulator can already know before a resource is created.

References are what CloudFormation builds its dependency graph from:
``Ref``, ``Fn::GetAtt``, the ``${...}`` variables of ``Fn::Sub`` and
``DependsOn``
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resources-section-structure.html,
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-sub.html).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

# https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/pseudo-parameter-reference.html
PSEUDO_PARAMETERS = frozenset(
    {
        "AWS::AccountId",
        "AWS::NotificationARNs",
        "AWS::NoValue",
        "AWS::Partition",
        "AWS::Region",
        "AWS::StackId",
        "AWS::StackName",
        "AWS::URLSuffix",
    }
)

# ``${Name}`` and ``${Name.Attribute}``; ``${!Literal}`` is an escape, not a variable.
_SUB_VARIABLE = re.compile(r"\$\{([^!}][^}]*)\}")


@dataclass(frozen=True)
class Reference:
    """One reference of a value: ``kind`` is "Ref", "Fn::GetAtt", "Fn::Sub" or "DependsOn"."""

    kind: str
    target: str
    attribute: str | None = None


def _getatt_reference(argument: Any) -> Reference | None:
    if isinstance(argument, str) and "." in argument:
        target, attribute = argument.split(".", 1)
        return Reference("Fn::GetAtt", target, attribute)
    if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[0], str):
        return Reference("Fn::GetAtt", argument[0], argument[1] if isinstance(argument[1], str) else None)
    return None


def _sub_references(argument: Any) -> Iterator[Reference]:
    text, local = (argument[0], argument[1]) if isinstance(argument, list) and len(argument) == 2 else (argument, {})
    if not isinstance(text, str):
        return
    local_names = set(local) if isinstance(local, dict) else set()
    for variable in _SUB_VARIABLE.findall(text):
        name, _, attribute = variable.strip().partition(".")
        if name not in local_names:
            yield Reference("Fn::Sub", name, attribute or None)
    if isinstance(local, dict):
        yield from references(local)


def _function_references(key: str, argument: Any) -> Iterator[Reference] | None:
    if key == "Ref" and isinstance(argument, str):
        return iter([Reference("Ref", argument)])
    if key == "Fn::GetAtt":
        found = _getatt_reference(argument)
        return iter([found] if found is not None else [])
    if key == "Fn::Sub":
        return _sub_references(argument)
    return None


def references(value: Any) -> Iterator[Reference]:
    """Every reference in ``value``, depth first."""
    if isinstance(value, list):
        for item in value:
            yield from references(item)
        return
    if not isinstance(value, dict):
        return
    if len(value) == 1:
        found = _function_references(*next(iter(value.items())))
        if found is not None:
            yield from found
            return
    for item in value.values():
        yield from references(item)


def depends_on(resource: Mapping[str, Any]) -> list[str]:
    value = resource.get("DependsOn")
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


class _NoValue:
    """``Ref: AWS::NoValue``: the property is removed."""


NO_VALUE = _NoValue()


def _resolve_function(
    key: str, argument: Any, parameters: Mapping[str, Any], condition: Callable[[str], bool | None]
) -> tuple[bool, Any]:
    if key == "Ref" and argument == "AWS::NoValue":
        return True, NO_VALUE
    if key == "Ref" and isinstance(argument, str) and argument in parameters:
        return True, parameters[argument]
    if key == "Fn::If" and isinstance(argument, list) and len(argument) == 3 and isinstance(argument[0], str):
        chosen = condition(argument[0])
        if chosen is not None:
            return True, partially_resolve(argument[1] if chosen else argument[2], parameters, condition)
    return False, None


def partially_resolve(value: Any, parameters: Mapping[str, Any], condition: Callable[[str], bool | None]) -> Any:
    """``value`` with what is known before the resource is created filled in:
    ``Ref`` of a template parameter (its resolved value), ``Fn::If`` whose
    condition is known, and ``AWS::NoValue`` removed. Every other intrinsic
    function stays as written (the schema validation skips it, as cfn-lint does)."""
    if isinstance(value, list):
        items = [partially_resolve(v, parameters, condition) for v in value]
        return [v for v in items if v is not NO_VALUE]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        done, resolved_value = _resolve_function(*next(iter(value.items())), parameters, condition)
        if done:
            return resolved_value
    resolved = {k: partially_resolve(v, parameters, condition) for k, v in value.items()}
    return {k: v for k, v in resolved.items() if v is not NO_VALUE}


def is_function(value: Any) -> bool:
    """An intrinsic function (``Ref``, ``Fn::*``) left unresolved."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    key = str(next(iter(value)))
    return key == "Ref" or key.startswith("Fn::")
