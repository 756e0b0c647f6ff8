"""Readable text for template values: literals, tags, listener-rule conditions, zones."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def tag(props: Mapping[str, Any], key: str) -> str | None:
    for t in props.get("Tags") or []:
        if isinstance(t, Mapping) and t.get("Key") == key and isinstance(t.get("Value"), str):
            return str(t["Value"])
    return None


def _join_part(part: Any) -> str | None:
    if isinstance(part, Mapping) and isinstance(part.get("Ref"), str) and part["Ref"].startswith("AWS::"):
        return "{" + part["Ref"][5:] + "}"
    return literal(part)


def literal(value: Any) -> str | None:
    """A readable string for a literal or a Fn::Join of literals (pseudo parameters as {Region})."""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, Mapping) and "Fn::Join" in value:
        sep, parts = value["Fn::Join"]
        out = [_join_part(p) for p in parts]
        return None if None in out else str(sep).join(p for p in out if p is not None)
    return None


def _condition_values(condition: Mapping[str, Any]) -> list[str]:
    """The values of a condition: in its ``<Field>Config`` block, or the legacy top-level ``Values``."""
    config = next((v for k, v in sorted(condition.items()) if k.endswith("Config") and isinstance(v, Mapping)), {})
    return [str(v) for v in (config.get("Values") or condition.get("Values") or []) if isinstance(v, (str, int))]


def _condition(condition: Mapping[str, Any]) -> str:
    name = condition.get("Field", "")
    if name == "http-header":
        return f"header {(condition.get('HttpHeaderConfig') or {}).get('HttpHeaderName', '?')}"
    values = _condition_values(condition)
    if name == "path-pattern" and values:
        return " ".join(values)
    return f"{name} {' '.join(values)}".strip()


def rule_conditions(props: Mapping[str, Any]) -> str:
    """``if /api/* and header X-Origin-Verify``: a listener rule's conditions, briefly."""
    parts = [_condition(c) for c in props.get("Conditions") or []]
    return ("if " + " and ".join(parts)) if parts else ""


def zones_text(zones: Iterable[str]) -> str:
    """``us-west-2a/b/c`` for zones of one region, else a list."""
    found = sorted({z for z in zones if z})
    if not found:
        return ""
    if len({z[:-1] for z in found}) == 1:
        return f"{found[0][:-1]}{'/'.join(z[-1] for z in found)}"
    return ", ".join(found)
