"""The ``Condition`` element: operators, ``...IfExists``, ``ForAnyValue`` / ``ForAllValues``.

Semantics from "IAM JSON policy elements: Condition operators"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html)
and "Single-valued vs. multivalued context keys"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html):

* several operators in one block, and several keys under one operator, must
  all hold (AND); several values for one key match if any matches (OR);
* a key missing from the request context makes the condition false, except
  for negated operators (``StringNotEquals``, ``ArnNotLike``, ...), which are
  then true, ``...IfExists`` (true when missing) and ``Null``;
* condition key names are case-insensitive, values case-sensitive unless the
  operator says ``IgnoreCase``;
* ``ForAllValues``: every request value matches some policy value (true when
  the key is missing or empty); ``ForAnyValue``: at least one does (false
  when missing).

Policy variables (``${aws:username}``) and the Date/Binary operators are not
modelled: a policy that uses them raises :class:`UnsupportedCondition`
rather than being evaluated wrongly.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping, Sequence
from functools import cache

ContextValue = str | Sequence[str]
Context = Mapping[str, ContextValue]


class UnsupportedCondition(ValueError):
    """A condition operator this evaluator does not implement."""


@cache
def _glob(pattern: str, *, ignore_case: bool = False) -> re.Pattern[str]:
    # "*" any run of characters, "?" exactly one; everything else literal.
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(f"^{body}$", re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def wildcard_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    return _glob(pattern, ignore_case=ignore_case).match(value) is not None


def _arn_like(pattern: str, value: str) -> bool:
    # "Each of the six colon-delimited components of the ARN is checked
    # separately and each can include multi-character match wildcards (*) or
    # single-character match wildcards (?)." A value that is not an ARN
    # does not match.
    wanted, got = pattern.split(":", 5), value.split(":", 5)
    if len(got) != 6 or len(wanted) != 6:
        return False
    return all(wildcard_match(w, g) for w, g in zip(wanted, got, strict=True))


def _bool(pattern: str, value: str) -> bool:
    return pattern.strip().lower() == value.strip().lower()


def _ip(pattern: str, value: str) -> bool:
    try:
        return ipaddress.ip_address(value) in ipaddress.ip_network(pattern, strict=False)
    except ValueError:
        return False


def _number(op: Callable[[float, float], bool]) -> Callable[[str, str], bool]:
    def compare(pattern: str, value: str) -> bool:
        try:
            return op(float(value), float(pattern))
        except ValueError:
            return False

    return compare


# operator -> (match one policy value against one request value, negated?)
_OPERATORS: dict[str, tuple[Callable[[str, str], bool], bool]] = {
    "stringequals": (lambda p, v: p == v, False),
    "stringnotequals": (lambda p, v: p == v, True),
    "stringequalsignorecase": (lambda p, v: p.lower() == v.lower(), False),
    "stringnotequalsignorecase": (lambda p, v: p.lower() == v.lower(), True),
    "stringlike": (wildcard_match, False),
    "stringnotlike": (wildcard_match, True),
    # ArnEquals and ArnLike behave identically (the documentation's table).
    "arnequals": (_arn_like, False),
    "arnlike": (_arn_like, False),
    "arnnotequals": (_arn_like, True),
    "arnnotlike": (_arn_like, True),
    "bool": (_bool, False),
    "ipaddress": (_ip, False),
    "notipaddress": (_ip, True),
    "numericequals": (_number(lambda v, p: v == p), False),
    "numericnotequals": (_number(lambda v, p: v == p), True),
    "numericlessthan": (_number(lambda v, p: v < p), False),
    "numericlessthanequals": (_number(lambda v, p: v <= p), False),
    "numericgreaterthan": (_number(lambda v, p: v > p), False),
    "numericgreaterthanequals": (_number(lambda v, p: v >= p), False),
}


def _values(raw: object) -> list[str]:
    items = raw if isinstance(raw, list) else [raw]
    return [str(i).lower() if isinstance(i, bool) else str(i) for i in items]


def lookup(context: Context, key: str) -> list[str] | None:
    """The request's values for ``key`` (names are case-insensitive), None if absent."""
    wanted = key.lower()
    for name, value in context.items():
        if name.lower() == wanted:
            return [value] if isinstance(value, str) else list(value)
    return None


def _split(operator: str) -> tuple[str | None, str, bool]:
    qualifier = None
    base = operator
    if ":" in operator:
        qualifier, base = operator.split(":", 1)
        qualifier = qualifier.lower()
        if qualifier not in ("foranyvalue", "forallvalues"):
            raise UnsupportedCondition(f"unknown set operator {operator!r}")
    if_exists = base.lower().endswith("ifexists") and base.lower() != "ifexists"
    if if_exists:
        base = base[: -len("IfExists")]
    return qualifier, base.lower(), if_exists


def _single(match: Callable[[str, str], bool], negated: bool, wanted: list[str], got: list[str]) -> bool:
    hit = any(match(w, g) for w in wanted for g in got)
    return not hit if negated else hit


def _set(qualifier: str, match: Callable[[str, str], bool], negated: bool, wanted: list[str], got: list[str]) -> bool:
    def ok(value: str) -> bool:
        hit = any(match(w, value) for w in wanted)
        return not hit if negated else hit

    if qualifier == "forallvalues":
        return all(ok(g) for g in got)
    return any(ok(g) for g in got)


def key_holds(operator: str, key: str, expected: object, context: Context) -> bool:
    """One ``operator: {key: expected}`` entry against the request context."""
    qualifier, base, if_exists = _split(operator)
    got = lookup(context, key)
    wanted = _values(expected)
    if base == "null":
        # Null: "true" means the key must be absent, "false" present.
        return (got is None or got == []) == (wanted[0].lower() == "true")
    try:
        match, negated = _OPERATORS[base]
    except KeyError:
        raise UnsupportedCondition(f"condition operator {operator!r} is not modelled by the emulator") from None
    if got is None:
        if qualifier == "forallvalues":
            return True
        return if_exists or (negated and qualifier is None)
    if qualifier is not None:
        return _set(qualifier, match, negated, wanted, got)
    return _single(match, negated, wanted, got)


def conditions_hold(block: Mapping[str, Mapping[str, object]] | None, context: Context) -> bool:
    """The whole ``Condition`` block (every operator, every key) holds."""
    return all(
        key_holds(operator, key, expected, context)
        for operator, entries in (block or {}).items()
        for key, expected in entries.items()
    )
