"""Stack policies as CloudFormation applies them to an update (used by fix 19).

What AWS documents
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/protect-stack-resources.html):

* A stack policy applies only during stack updates, to the resources the
  update would modify, replace or delete (``Update:Modify``,
  ``Update:Replace``, ``Update:Delete``; ``Update:*`` is all three).
  Resources the update adds are not subject to it.
* Once a policy is set, every resource is protected unless a statement
  allows the action; an explicit ``Deny`` wins over any ``Allow``.
* Statements have ``Effect``, ``Action`` or ``NotAction``, ``Principal``
  (only ``*``), ``Resource`` or ``NotResource`` (``LogicalResourceId/<id>``,
  ``*`` wildcards) and an optional ``Condition`` on ``ResourceType``
  (``StringEquals`` / ``StringLike``).
* An update a policy refuses fails that resource (``UPDATE_FAILED``) and the
  whole update rolls back.

The failure texts are reported, not documented: an explicit Deny reads
``Action denied by stack policy: Statement [#N] does not allow [Update:Replace]
for resource [LogicalResourceId/X]`` (N the statement's index from 0), an
action no statement allows starts with ``Action not allowed by stack policy``
(both seen in UPDATE_FAILED events quoted in public write-ups, and the two
prefixes localstack's parity tests against AWS look for,
https://github.com/localstack/localstack/pull/7159). How AWS's second sentence
goes on is not public; the emulator continues it in the first one's form.

What the emulator decides itself (AWS's rules are not public):

* Which resources an update touches is read from the two templates: a logical
  id gone is ``Update:Delete``; a changed ``Type`` or a changed
  ``createOnlyProperties`` value (the type's registry schema: "changing it
  requires replacement") is ``Update:Replace``; any other change of
  ``Properties`` is ``Update:Modify``. A create-only path through a list
  (``A/*/B``) compares the whole list. Values are compared as written: a
  property whose intrinsic function would resolve to a new value (a ``Ref``
  to a replaced resource) is not seen as changed, and changes of ``Metadata``
  or ``DeletionPolicy`` alone are not checked.
* Other policy elements and condition operators are not emulated: setting
  such a policy fails loudly.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..validation.schemas import create_only_properties

MODIFY, REPLACE, DELETE = "Update:Modify", "Update:Replace", "Update:Delete"
_ELEMENTS = frozenset({"Sid", "Effect", "Action", "NotAction", "Principal", "Resource", "NotResource", "Condition"})
_OPERATORS = frozenset({"StringEquals", "StringLike"})
_RESOURCE_PREFIX = "LogicalResourceId/"


class StackPolicyNotEmulated(ValueError):
    """A stack policy uses something the emulator does not evaluate."""


class StackPolicyDenied(Exception):
    """CloudFormation refused a resource's update under the stack policy."""

    aws_text = True  # CloudFormation's wording (engine.failures.reason_of)


@dataclass(frozen=True)
class ResourceChange:
    """One existing resource an update would touch, and how."""

    logical_id: str
    resource_type: str
    action: str


def parse_policy(text: str) -> list[dict[str, Any]]:
    """The statements of a stack policy body; StackPolicyNotEmulated for what the emulator cannot evaluate."""
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise StackPolicyNotEmulated(f"not emulated: a stack policy that is not JSON ({exc})") from None
    statements = document.get("Statement") if isinstance(document, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not all(isinstance(s, dict) for s in statements):
        raise StackPolicyNotEmulated("not emulated: a stack policy without a Statement list")
    for statement in statements:
        _check_statement(statement)
    return statements


def _check_statement(statement: Mapping[str, Any]) -> None:
    unknown = set(statement) - _ELEMENTS
    if unknown:
        raise StackPolicyNotEmulated(f"not emulated: stack policy element(s) {', '.join(sorted(unknown))}")
    if statement.get("Principal") != "*":
        # "The Principal element is required, but supports only the wild card (*)" (protect-stack-resources.html)
        raise StackPolicyNotEmulated(f"not emulated: stack policy Principal {statement.get('Principal')!r}")
    if statement.get("Effect") not in ("Allow", "Deny"):
        raise StackPolicyNotEmulated(f"not emulated: stack policy Effect {statement.get('Effect')!r}")
    for operator, keys in (statement.get("Condition") or {}).items():
        if operator not in _OPERATORS or set(keys) != {"ResourceType"}:
            raise StackPolicyNotEmulated(
                f"not emulated: stack policy condition {operator} on {', '.join(sorted(keys))} "
                "(the emulator evaluates StringEquals and StringLike on ResourceType)"
            )


def _listed(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


def _any_match(patterns: list[str], value: str) -> bool:
    return any(fnmatch.fnmatchcase(value, p) for p in patterns)


def _covers(statement: Mapping[str, Any], positive: str, negative: str, value: str) -> bool:
    if positive in statement:
        return _any_match(_listed(statement[positive]), value)
    return negative in statement and not _any_match(_listed(statement[negative]), value)


def _condition_holds(statement: Mapping[str, Any], resource_type: str) -> bool:
    for operator, keys in (statement.get("Condition") or {}).items():
        wanted = _listed(keys["ResourceType"])
        if operator == "StringEquals" and resource_type not in wanted:
            return False
        if operator == "StringLike" and not _any_match(wanted, resource_type):
            return False
    return True


def _applies(statement: Mapping[str, Any], change: ResourceChange) -> bool:
    return (
        _covers(statement, "Action", "NotAction", change.action)
        and _covers(statement, "Resource", "NotResource", _RESOURCE_PREFIX + change.logical_id)
        and _condition_holds(statement, change.resource_type)
    )


def refusal(statements: list[dict[str, Any]], change: ResourceChange) -> str | None:
    """CloudFormation's reason for refusing ``change`` under the policy; None when allowed."""
    allowed = False
    resource = f"[{_RESOURCE_PREFIX}{change.logical_id}]"
    for index, statement in enumerate(statements):
        if not _applies(statement, change):
            continue
        if statement["Effect"] == "Deny":
            return (
                f"Action denied by stack policy: Statement [#{index}] does not allow [{change.action}] "
                f"for resource {resource}"
            )
        allowed = True
    if allowed:
        return None
    return f"Action not allowed by stack policy: no statement allows [{change.action}] for resource {resource}"


def _at(value: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if key == "*" or not isinstance(value, Mapping):
            return value
        value = value.get(key)
    return value


def _replaced(old: Mapping[str, Any], new: Mapping[str, Any], region: str) -> bool:
    if old.get("Type") != new.get("Type"):
        return True
    old_props, new_props = old.get("Properties") or {}, new.get("Properties") or {}
    return any(
        _at(old_props, path) != _at(new_props, path) for path in create_only_properties(str(new.get("Type")), region)
    )


def resource_changes(
    old_template: Mapping[str, Any], new_template: Mapping[str, Any], region: str
) -> Iterator[ResourceChange]:
    """The existing resources an update from ``old_template`` to ``new_template`` would touch."""
    new_resources = new_template.get("Resources") or {}
    for logical_id, old in (old_template.get("Resources") or {}).items():
        resource_type = str(old.get("Type"))
        new = new_resources.get(logical_id)
        if new is None:
            yield ResourceChange(logical_id, resource_type, DELETE)
        elif _replaced(old, new, region):
            yield ResourceChange(logical_id, resource_type, REPLACE)
        elif (old.get("Properties") or {}) != (new.get("Properties") or {}):
            yield ResourceChange(logical_id, resource_type, MODIFY)
