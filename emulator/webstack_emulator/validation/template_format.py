"""Checks CloudFormation runs on the whole template when a change set or a
stack is created (CreateChangeSet, CreateStack, UpdateStack answer them
synchronously with a ``ValidationError``, before any resource is touched),
in the order CloudFormation reports them: resource types, then references,
then ``Fn::GetAtt`` attributes, then dependency cycles.

AWS's texts (Knowledge Center, "How do I resolve template validation or
template format errors in CloudFormation?",
https://repost.aws/knowledge-center/cloudformation-template-validation):

* ``Template format error: Unrecognized resource types: [AWS::Foo::Bar]``
* ``Template format error: Unresolved resource dependencies [X] in the
  Resources block of the template`` (``... in the Outputs block ...`` for an
  output)
* ``Template error: instance of Fn::GetAtt references undefined resource X``
  (CloudFormation gives a ``GetAtt`` of a missing resource its own text, as
  CreateChangeSet answers it: seen in public deploy logs; not the
  "Unresolved resource dependencies" one)
* ``Template error: resource X does not support attribute type Y in
  Fn::GetAtt`` (the text moto also uses in ``UnsupportedAttribute``)
* ``Circular dependency between resources: [A, B]``
  (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/troubleshooting.html#troubleshooting-errors-dependency-error).
  The order of the names within the brackets is not documented: here the
  template's order.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from .cycles import cyclic_resources
from .errors import TemplateInvalid
from .intrinsics import PSEUDO_PARAMETERS, Reference, depends_on, references
from .schemas import known_types, type_attributes
from .types import unemulated_types


def _resources(template: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    resources = template.get("Resources")
    if not isinstance(resources, dict):
        return {}
    return {k: v for k, v in resources.items() if isinstance(v, dict)}


def _type_of(resource: Mapping[str, Any]) -> str:
    value = resource.get("Type")
    return value if isinstance(value, str) else ""


def _is_custom(resource_type: str) -> bool:
    return resource_type.startswith("Custom::") or resource_type == "AWS::CloudFormation::CustomResource"


def check_resource_types(resources: Mapping[str, dict[str, Any]], region: str) -> None:
    types = list(dict.fromkeys(_type_of(r) for r in resources.values()))
    known = known_types(region)
    unrecognized = [t for t in types if not _is_custom(t) and t not in known]
    if unrecognized:
        raise TemplateInvalid(f"Template format error: Unrecognized resource types: [{', '.join(unrecognized)}]")
    missing = unemulated_types([t for t in types if not _is_custom(t)])
    if missing:
        # Not an AWS error: a real type that moto and our providers cannot
        # create would otherwise be skipped silently (moto logs a warning and
        # reports the stack complete without it).
        raise TemplateInvalid(
            "Template validation error: resource types not emulated by the local emulator: "
            f"{', '.join(missing)} (python -m webstack_emulator types lists the emulated ones)"
        )


def _section_references(section: Mapping[str, Any], *, with_depends_on: bool) -> Iterator[tuple[str, Reference]]:
    for name, entry in section.items():
        if not isinstance(entry, dict):
            continue
        body = entry.get("Properties", {}) if with_depends_on else entry.get("Value")
        for found in references(body):
            yield name, found
        if with_depends_on:
            for target in depends_on(entry):
                yield name, Reference("DependsOn", target)


def _unresolved(found: Iterator[tuple[str, Reference]], defined: set[str], resources: Mapping[str, Any]) -> list[str]:
    missing = [
        ref.target
        for _, ref in found
        if (ref.kind == "DependsOn" and ref.target not in resources)
        or (ref.kind in ("Ref", "Fn::Sub") and ref.target not in defined)
    ]
    return list(dict.fromkeys(missing))


def check_references(template: Mapping[str, Any], resources: Mapping[str, dict[str, Any]]) -> None:
    parameters = template.get("Parameters") if isinstance(template.get("Parameters"), dict) else {}
    defined = set(resources) | set(parameters or {}) | PSEUDO_PARAMETERS
    for block, section, with_depends_on in (
        ("Resources", resources, True),
        ("Outputs", template.get("Outputs") or {}, False),
    ):
        if not isinstance(section, dict):
            continue
        missing = _unresolved(_section_references(section, with_depends_on=with_depends_on), defined, resources)
        if missing:
            raise TemplateInvalid(
                f"Template format error: Unresolved resource dependencies [{', '.join(missing)}] "
                f"in the {block} block of the template"
            )


def _getatt_references(template: Mapping[str, Any], resources: Mapping[str, Any]) -> Iterator[Reference]:
    for section, with_depends_on in ((resources, True), (template.get("Outputs") or {}, False)):
        if isinstance(section, dict):
            for _, ref in _section_references(section, with_depends_on=with_depends_on):
                if ref.kind == "Fn::GetAtt":
                    yield ref


def _supports(patterns: list[str], attribute: str) -> bool:
    return any(re.fullmatch(pattern, attribute) for pattern in patterns)


def check_getatt(template: Mapping[str, Any], resources: Mapping[str, dict[str, Any]], region: str) -> None:
    for ref in _getatt_references(template, resources):
        if ref.target not in resources:
            raise TemplateInvalid(f"Template error: instance of Fn::GetAtt references undefined resource {ref.target}")
        if ref.attribute is None:
            continue
        patterns = type_attributes(_type_of(resources[ref.target]), region)
        if patterns is not None and not _supports(patterns, ref.attribute):
            raise TemplateInvalid(
                f"Template error: resource {ref.target} does not support attribute type {ref.attribute} in Fn::GetAtt"
            )


def check_cycles(resources: Mapping[str, dict[str, Any]]) -> None:
    edges: dict[str, set[str]] = {}
    for name, resource in resources.items():
        targets = {ref.target for ref in references(resource.get("Properties", {}))} | set(depends_on(resource))
        edges[name] = {t for t in targets if t in resources}
    cyclic = cyclic_resources(list(resources), edges)
    if cyclic:
        raise TemplateInvalid(f"Circular dependency between resources: [{', '.join(cyclic)}]")


def check_template(template: Mapping[str, Any], region: str) -> None:
    """Raise :class:`TemplateInvalid` with CloudFormation's text for the first
    problem found. A template with a ``Transform`` is left alone: CloudFormation
    validates what the macros expand it to, and the emulator runs no macros."""
    if template.get("Transform"):
        return
    resources = _resources(template)
    check_resource_types(resources, region)
    check_references(template, resources)
    check_getatt(template, resources, region)
    check_cycles(resources)
