"""Schema violations worded as CloudFormation words them.

CloudFormation validates a resource's properties against its registry
schema with the resource provider framework's validator (everit
json-schema), which scrubs values from the messages of the keywords that
could echo them (enum, const, pattern, minimum/maximum...). The texts below
are the ones its tests pin
(aws-cloudformation/cloudformation-resource-schema,
src/test/java/com/amazonaws/cloudformation/resource/ValidatorTest.java):
``#/P: failed validation constraint for keyword [enum]``, ``#: required
key [P] not found``, ``#/P: extraneous key [Q] is not permitted``, ``#/P:
expected type: Boolean, found: String``, ``#/P: expected maxLength: 20,
actual: 31``, ``#/P: expected minimum item count: 2, found: 1``, ``#/P:
array items are not unique``, ``#: property [P] is required``, ``#/P: #: 0
subschemas matched instead of one``, ``#/P: #: no subschema matched out of
the total 1 subschemas``, ``#/P: minimum size: [2], found: [1]``.

cfn-lint's schemas add keywords of their own (``requiredXor``,
``requiredOr``, ``dependentExcluded``) for rules AWS's schemas state as
``oneOf``/``anyOf`` of required sets or leave to the handler; those are
worded as the equivalent ``oneOf``/``anyOf``/extraneous-key violation,
which is what AWS's text is when its schema states the rule (for a rule
only the handler enforces, AWS's text is the service's; not verified).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

_JAVA_TYPES = {
    "string": "String",
    "integer": "Integer",
    "number": "Number",
    "boolean": "Boolean",
    "object": "JSONObject",
    "array": "JSONArray",
}

# Keywords whose violations the framework reports without the value.
SCRUBBED = frozenset(
    {"enum", "const", "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}
)


def pointer(path: Sequence[Any]) -> str:
    return "#" + "".join(f"/{p}" for p in path)


def found_type(instance: Any) -> str:
    """The org.json class name everit reports (a decimal is a BigDecimal in
    org.json; not verified for CloudFormation)."""
    if isinstance(instance, bool):
        return "Boolean"
    if isinstance(instance, int):
        return "Integer"
    if isinstance(instance, float):
        return "BigDecimal"
    if isinstance(instance, dict):
        return "JSONObject"
    if isinstance(instance, list):
        return "JSONArray"
    return "String"


def _expected_type(value: Any) -> str:
    first = value[0] if isinstance(value, list) and value else value
    return _JAVA_TYPES.get(str(first), str(first))


def _type(path: Sequence[Any], error: Any) -> str:
    return (
        f"{pointer(path)}: expected type: {_expected_type(error.validator_value)}, found: {found_type(error.instance)}"
    )


def _required(path: Sequence[Any], error: Any) -> str:
    missing = re.match(r"'([^']*)'", error.message)
    return f"{pointer(path)}: required key [{missing.group(1) if missing else error.validator_value}] not found"


def _extraneous(path: Sequence[Any], error: Any) -> str:
    return f"{pointer(path[:-1])}: extraneous key [{path[-1]}] is not permitted"


def _length(word: str) -> Callable[[Sequence[Any], Any], str]:
    return lambda path, error: (
        f"{pointer(path)}: expected {word}: {error.validator_value}, actual: {len(error.instance)}"
    )


def _items(word: str) -> Callable[[Sequence[Any], Any], str]:
    return lambda path, error: (
        f"{pointer(path)}: expected {word} item count: {error.validator_value}, found: {len(error.instance)}"
    )


def _size(word: str) -> Callable[[Sequence[Any], Any], str]:
    return lambda path, error: (
        f"{pointer(path)}: {word} size: [{error.validator_value}], found: [{len(error.instance)}]"
    )


def _combined(path: Sequence[Any], text: str) -> str:
    """A combinator's text names the subschema root (``#``) after the
    property's pointer (``#/P: #: ...``); at the resource's root it is ``#: ...``."""
    return f"{pointer(path)}: #: {text}" if path else f"#: {text}"


def _subschemas_matched(error: Any) -> int:
    failing = {c.schema_path[0] for c in error.context if c.schema_path}
    return len(error.validator_value) - len(failing)


def _one_of(path: Sequence[Any], error: Any) -> str:
    return _combined(path, f"{_subschemas_matched(error)} subschemas matched instead of one")


def _any_of(path: Sequence[Any], error: Any) -> str:
    return _combined(path, f"no subschema matched out of the total {len(error.validator_value)} subschemas")


def _dependency(path: Sequence[Any], error: Any) -> str:
    missing = re.match(r"'([^']*)'", error.message)
    return f"{pointer(path)}: property [{missing.group(1) if missing else '?'}] is required"


def _required_xor(path: Sequence[Any], error: Any) -> str:
    # One error per property present when several are, at the property's
    # path; none present: one error at the object.
    if path and path[-1] in (error.instance or {}):
        present = [p for p in error.validator_value if p in error.instance]
        return _combined(path[:-1], f"{len(present)} subschemas matched instead of one")
    return _combined(path, "0 subschemas matched instead of one")


_FORMATTERS: dict[str, Callable[[Sequence[Any], Any], str]] = {
    "type": _type,
    "required": _required,
    "additionalProperties": _extraneous,
    "dependentExcluded": _extraneous,
    "minLength": _length("minLength"),
    "maxLength": _length("maxLength"),
    "minItems": _items("minimum"),
    "maxItems": _items("maximum"),
    "minProperties": _size("minimum"),
    "maxProperties": _size("maximum"),
    "uniqueItems": lambda path, _error: f"{pointer(path)}: array items are not unique",
    "oneOf": _one_of,
    "anyOf": _any_of,
    "requiredOr": _any_of,
    "requiredXor": _required_xor,
    "dependencies": _dependency,
    "dependentRequired": _dependency,
}

ENFORCED = frozenset(_FORMATTERS) | SCRUBBED

# cfn-lint's own keywords: checked after the handler rules (see rules.py).
EXTENSIONS = frozenset({"requiredXor", "requiredOr", "dependentExcluded"})


def describe(path: Sequence[Any], error: Any) -> str:
    """One violation as CloudFormation's validator words it."""
    if error.validator in SCRUBBED:
        return f"{pointer(path)}: failed validation constraint for keyword [{error.validator}]"
    return _FORMATTERS[error.validator](path, error)


def properties_validation_failed(logical_id: str, problems: Sequence[str]) -> str:
    """The resource's status reason. One violation per line: AWS's events
    show several so (``...with message:\\n#/A: ...\\n#/B: ...``) and some
    older ones as one bracketed list; the exact joining is not documented."""
    return f"Properties validation failed for resource {logical_id} with message: " + "\n".join(problems)
