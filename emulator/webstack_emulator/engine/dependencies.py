"""The dependency graph of a template's resources, as CloudFormation derives
it: an explicit ``DependsOn`` plus every ``Ref``, ``Fn::GetAtt`` and
``Fn::Sub`` reference in the properties
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-dependson.html).
Creation follows it (fix 06), deletion goes against it (fix 08)."""

from __future__ import annotations

import re
from typing import Any

_SUB_REFERENCE = re.compile(r"\$\{([^!}][^}]*)\}")


def _sub_targets(value: Any, names: set[str]) -> set[str]:
    text = value[0] if isinstance(value, list) else value
    if not isinstance(text, str):
        return set()
    return {m.split(".")[0] for m in _SUB_REFERENCE.findall(text) if m.split(".")[0] in names}


def _getatt_target(value: Any) -> Any:
    return value[0] if isinstance(value, list) else str(value).split(".")[0]


def references(node: Any, names: set[str]) -> set[str]:
    """Which of ``names`` the template fragment ``node`` refers to."""
    found: set[str] = set()

    def walk(n: Any) -> None:
        if isinstance(n, list):
            for item in n:
                walk(item)
            return
        if not isinstance(n, dict):
            return
        for k, v in n.items():
            if k == "Ref" and isinstance(v, str) and v in names:
                found.add(v)
            elif k == "Fn::GetAtt":
                if (target := _getatt_target(v)) in names:
                    found.add(target)
            elif k == "Fn::Sub":
                found.update(_sub_targets(v, names))
                walk(v[1] if isinstance(v, list) and len(v) > 1 else None)
            else:
                walk(v)

    walk(node)
    return found


def direct_dependencies(resources: dict[str, Any], name: str) -> list[str]:
    """What ``name`` depends on inside the template (DependsOn, Ref, GetAtt, Sub)."""
    body = resources[name]
    deps = body.get("DependsOn") or []
    deps = [deps] if isinstance(deps, str) else list(deps)
    deps += sorted(references(body.get("Properties"), set(resources)))
    return [d for d in deps if d in resources and d != name]


def dependency_order(resources: dict[str, Any], subset: list[str]) -> list[str]:
    """``subset`` sorted so that every resource follows what it depends on."""
    ordered: list[str] = []
    state: dict[str, int] = {}
    wanted = set(subset)

    def visit(name: str) -> None:
        if state.get(name) in (1, 2):  # done, or a cycle: CloudFormation would reject it; keep going
            return
        state[name] = 1
        for dep in direct_dependencies(resources, name):
            visit(dep)
        state[name] = 2
        if name in wanted:
            ordered.append(name)

    for name in subset:
        visit(name)
    return ordered


def dependents(resources: dict[str, Any]) -> dict[str, set[str]]:
    """``{name: the resources that depend on it}``."""
    found: dict[str, set[str]] = {name: set() for name in resources}
    for name in resources:
        for dep in direct_dependencies(resources, name):
            found[dep].add(name)
    return found
