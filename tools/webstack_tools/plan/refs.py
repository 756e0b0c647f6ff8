"""References inside a template value, a readable rendering of values, and logical-id renames.

A reference is what CloudFormation resolves only at deploy time: ``Ref``,
``Fn::GetAtt``, the variables of ``Fn::Sub``, and between stacks
``Fn::GetStackOutput`` (CDK's cross-region references here,
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-getstackoutput.html)
and ``Fn::ImportValue``. The plan follows them to find values that change
although the template text does not.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

PathSegment = str | int
# ${Name} or ${Name.Attribute}; ${!Literal} is not a variable.
_SUB_VARIABLE = re.compile(r"\$\{(?!!)([^}.]+)(?:\.([^}]+))?\}")


@dataclass(frozen=True)
class Reference:
    """A reference found at ``path`` (below the value it was searched in)."""

    path: tuple[PathSegment, ...]
    target: str
    """A logical id; for ``output`` references ``STACK/OUTPUT``; for ``import`` the export name."""
    via: str
    """``ref``, ``getatt``, ``output`` or ``import``."""
    attribute: str | None = None


def _getatt(value: Any) -> tuple[str, str] | None:
    if isinstance(value, str) and "." in value:
        name, attribute = value.split(".", 1)
        return name, attribute
    if isinstance(value, list) and len(value) == 2 and isinstance(value[0], str) and isinstance(value[1], str):
        return value[0], value[1]
    return None


def _sub_references(value: Any, path: tuple[PathSegment, ...]) -> Iterator[Reference]:
    text, variables = (value, {}) if isinstance(value, str) else (value[0], value[1] if len(value) > 1 else {})
    if not isinstance(text, str):
        return
    for name, attribute in _SUB_VARIABLE.findall(text):
        if name in variables:
            continue
        yield Reference(path, name, "getatt" if attribute else "ref", attribute or None)
    if isinstance(variables, Mapping):
        for key, nested in variables.items():
            yield from references(nested, (*path, key))


def _intrinsic(key: str, arg: Any, path: tuple[PathSegment, ...]) -> Iterator[Reference] | None:
    if key == "Ref" and isinstance(arg, str):
        return iter([Reference(path, arg, "ref")])
    if key == "Fn::GetAtt" and (found := _getatt(arg)) is not None:
        return iter([Reference(path, found[0], "getatt", found[1])])
    if key == "Fn::Sub" and isinstance(arg, str | list):
        return _sub_references(arg, path)
    if key == "Fn::GetStackOutput" and isinstance(arg, Mapping):
        stack, output = arg.get("StackName"), arg.get("OutputName")
        if isinstance(stack, str) and isinstance(output, str):
            return iter([Reference(path, f"{stack}/{output}", "output")])
    if key == "Fn::ImportValue" and isinstance(arg, str):
        return iter([Reference(path, arg, "import")])
    return None


def references(value: Any, path: tuple[PathSegment, ...] = ()) -> Iterator[Reference]:
    """Every reference in ``value``, with the path at which its intrinsic function sits."""
    if isinstance(value, Mapping):
        if len(value) == 1:
            key, arg = next(iter(value.items()))
            found = _intrinsic(key, arg, path)
            if found is not None:
                yield from found
                return
        for key, nested in value.items():
            yield from references(nested, (*path, key))
    elif isinstance(value, list):
        for index, nested in enumerate(value):
            yield from references(nested, (*path, index))


def canonical(value: Any) -> str:
    """A stable text of ``value`` for equality (key order does not matter in templates)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def show(value: Any) -> str:
    """``value`` as a reviewer reads it: ``${Key.Arn}/*`` for a join of a GetAtt and a literal."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float) or value is None:
        return json.dumps(value)
    if isinstance(value, Mapping) and len(value) == 1:
        key, arg = next(iter(value.items()))
        if key == "Ref" and isinstance(arg, str):
            return f"${{{arg}}}"
        if key == "Fn::GetAtt" and (found := _getatt(arg)) is not None:
            return f"${{{found[0]}.{found[1]}}}"
        if key == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
            return str(arg[0]).join(show(part) for part in arg[1])
        if key == "Fn::Sub" and isinstance(arg, str):
            return arg
    return canonical(value)


def short(value: Any, limit: int = 60) -> str:
    text = show(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def rename(value: Any, renamed: Mapping[str, str]) -> Any:
    """``value`` with references to the keys of ``renamed`` pointing at their values instead."""
    if not renamed:
        return value
    if isinstance(value, Mapping):
        if len(value) == 1:
            key, arg = next(iter(value.items()))
            if key == "Ref" and isinstance(arg, str):
                return {key: renamed.get(arg, arg)}
            if key == "Fn::GetAtt" and (found := _getatt(arg)) is not None:
                return {key: [renamed.get(found[0], found[0]), found[1]]}
            if key == "Fn::Sub" and isinstance(arg, str):
                return {key: _rename_sub(arg, renamed)}
        return {k: rename(v, renamed) for k, v in value.items()}
    if isinstance(value, list):
        return [rename(v, renamed) for v in value]
    return value


def _rename_sub(text: str, renamed: Mapping[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name, attribute = match.group(1), match.group(2)
        return f"${{{renamed.get(name, name)}{'.' + attribute if attribute else ''}}}"

    return _SUB_VARIABLE.sub(replace, text)
