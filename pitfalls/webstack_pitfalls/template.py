"""What a rule sees: :class:`TemplateView`, one synthesized stack template, and helpers on its JSON.

Rules work on the *synthesized* JSON rather than on L1 objects: it carries
property overrides, resolved tokens, Parameters and Outputs, and lets a rule
follow a ``Ref``/``Fn::GetAtt`` from one resource to another (a launch
template to its KMS key, an alarm to its SNS topic).

A rule is a function ``check(view: TemplateView) -> Iterable[Hit]``
(see :mod:`webstack_pitfalls.rules.base`). Besides the view's navigation
methods it may use:

* :func:`direct_ref`, :func:`getatt_attribute`, :func:`all_refs` -- follow
  ``Ref``, ``Fn::GetAtt`` and ``${X}`` in ``Fn::Sub``;
* :func:`render` -- flatten an intrinsic value into a string for pattern checks;
* :func:`iter_strings`, :func:`is_literal` -- literal values written in code;
* :func:`statements` -- IAM / key policy statements with rendered principals
  and conditions; :func:`as_list` for CloudFormation's "one or a list".
"""

from __future__ import annotations

import fnmatch
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .aws import CLOUDFRONT_REGION as US_EAST_1

# CloudFormation pseudo parameters are Refs too, but never to a resource.
_PSEUDO_PREFIX = "AWS::"


@dataclass
class TemplateView:
    """Read-only view of one synthesized stack: its template JSON, region, account and construct paths."""

    stack_path: str
    """Construct path of the stack (``Stage/Stack`` or ``Stack``)."""
    template_path: str
    template: dict[str, Any]
    region: str | None
    """Concrete region, or ``None`` for an environment-agnostic stack."""
    account: str | None
    logical_to_path: dict[str, str] = field(default_factory=dict)
    """Logical id of a resource or output -> its construct path."""

    # -- loading -----------------------------------------------------------

    @classmethod
    def load(
        cls,
        *,
        stack_path: str,
        template_path: str,
        region: str | None,
        account: str | None,
    ) -> TemplateView:
        """Read ``template_path`` and the ``manifest.json`` beside it (for construct paths)."""
        with open(template_path, encoding="utf-8") as fh:
            template = json.load(fh)
        return cls(
            stack_path=stack_path,
            template_path=template_path,
            template=template,
            region=_concrete(region),
            account=_concrete(account),
            logical_to_path=_logical_ids_from_assembly(template_path, template),
        )

    # -- navigation --------------------------------------------------------

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return self.template.get("Resources") or {}

    @property
    def outputs(self) -> dict[str, dict[str, Any]]:
        return self.template.get("Outputs") or {}

    @property
    def parameters(self) -> dict[str, dict[str, Any]]:
        return self.template.get("Parameters") or {}

    def of_type(self, *types: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """``(logical id, Properties)`` of every resource of one of ``types``."""
        for lid, res in self.resources.items():
            if res.get("Type") in types:
                yield lid, res.get("Properties") or {}

    def type_of(self, lid: str | None) -> str | None:
        """Resource type of ``lid``, ``None`` if it is no resource of this stack."""
        if lid is None:
            return None
        res = self.resources.get(lid)
        return res.get("Type") if res else None

    def props(self, lid: str) -> dict[str, Any]:
        """Properties of resource ``lid`` (empty if absent)."""
        return (self.resources.get(lid) or {}).get("Properties") or {}

    def target(self, value: Any, *types: str) -> str | None:
        """Logical id that ``value`` points at with a Ref or Fn::GetAtt.

        Only direct references count (``{"Ref": X}``, ``{"Fn::GetAtt": [X, a]}``),
        optionally restricted to resource ``types``.
        """
        lid = direct_ref(value)
        if lid is None or lid not in self.resources:
            return None
        if types and self.type_of(lid) not in types:
            return None
        return lid

    def refs(self, value: Any) -> set[str]:
        """Every resource logical id referenced anywhere inside ``value``."""
        return {lid for lid in all_refs(value) if lid in self.resources}

    def render(self, value: Any) -> str:
        """Flatten a (possibly intrinsic) value into a string for pattern checks.

        ``Ref`` to a parameter renders its Default; other Refs render as
        ``${LogicalId}``; ``Fn::Join``/``Fn::Sub`` are flattened.
        """
        return render(value, self.parameters)

    def region_finding(self) -> str | None:
        """``None`` when the stack is pinned to us-east-1, else a finding id (``Region``, ``RegionUnknown``)."""
        if self.region is None:
            return "RegionUnknown"
        if self.region != US_EAST_1:
            return "Region"
        return None


def _concrete(value: str | None) -> str | None:
    if not value or value.startswith("unknown-") or "${Token[" in value:
        return None
    return value


# -- intrinsic helpers -------------------------------------------------------


def direct_ref(value: Any) -> str | None:
    if not isinstance(value, dict) or len(value) != 1:
        return None
    if "Ref" in value and isinstance(value["Ref"], str):
        ref = value["Ref"]
        return None if ref.startswith(_PSEUDO_PREFIX) else ref
    if "Fn::GetAtt" in value:
        att = value["Fn::GetAtt"]
        if isinstance(att, list) and att and isinstance(att[0], str):
            return att[0]
        if isinstance(att, str):
            return att.split(".", 1)[0]
    return None


def getatt_attribute(value: Any) -> str | None:
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        att = value["Fn::GetAtt"]
        if isinstance(att, list) and len(att) >= 2 and isinstance(att[1], str):
            return att[1]
        if isinstance(att, str) and "." in att:
            return att.split(".", 1)[1]
    return None


def all_refs(value: Any) -> Iterator[str]:
    """Logical ids referenced by Ref / Fn::GetAtt / ${X} in Fn::Sub, recursively."""
    if isinstance(value, dict):
        lid = direct_ref(value)
        if lid is not None:
            yield lid
            return
        if "Fn::Sub" in value:
            sub = value["Fn::Sub"]
            text, variables = (sub, {}) if isinstance(sub, str) else (sub[0], sub[1] if len(sub) > 1 else {})
            for name in _sub_vars(text):
                if name not in variables and not name.startswith(_PSEUDO_PREFIX):
                    yield name.split(".", 1)[0]
            yield from all_refs(variables)
            return
        for v in value.values():
            yield from all_refs(v)
    elif isinstance(value, list):
        for v in value:
            yield from all_refs(v)


def _sub_vars(text: str) -> Iterator[str]:
    i = 0
    while True:
        start = text.find("${", i)
        if start < 0:
            return
        end = text.find("}", start)
        if end < 0:
            return
        name = text[start + 2 : end]
        if not name.startswith("!"):
            yield name
        i = end + 1


def render(value: Any, parameters: dict[str, Any] | None = None) -> str:
    """Flatten ``value`` into a string; see :meth:`TemplateView.render`."""
    parameters = parameters or {}
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float, bool)) or value is None:
        return json.dumps(value)
    if isinstance(value, list):
        return ",".join(render(v, parameters) for v in value)
    if isinstance(value, dict) and len(value) == 1:
        ((key, arg),) = value.items()
        renderer = _INTRINSICS.get(key)
        text = renderer(arg, parameters) if renderer is not None else None
        if text is not None:
            return text
    return json.dumps(value, sort_keys=True)


# Each returns None when the intrinsic is malformed: render() then falls back to its JSON.


def _render_ref(arg: Any, parameters: dict[str, Any]) -> str | None:
    if not isinstance(arg, str):
        return None
    param = parameters.get(arg)
    if param is not None and "Default" in param:
        return render(param["Default"], parameters)
    return "${" + arg + "}"


def _render_getatt(arg: Any, parameters: dict[str, Any]) -> str:
    return "${" + (".".join(arg) if isinstance(arg, list) else str(arg)) + "}"


def _render_join(arg: Any, parameters: dict[str, Any]) -> str | None:
    if not (isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list)):
        return None
    sep, parts = arg
    return str(sep).join(render(p, parameters) for p in parts)


def _render_sub(arg: Any, parameters: dict[str, Any]) -> str:
    return arg if isinstance(arg, str) else render(arg[0], parameters)


def _render_import(arg: Any, parameters: dict[str, Any]) -> str:
    return "${Import:" + render(arg, parameters) + "}"


_INTRINSICS: dict[str, Callable[[Any, dict[str, Any]], str | None]] = {
    "Ref": _render_ref,
    "Fn::GetAtt": _render_getatt,
    "Fn::Join": _render_join,
    "Fn::Sub": _render_sub,
    "Fn::ImportValue": _render_import,
}


def iter_strings(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    """Literal string leaves of ``value`` with their key path.

    Names inside Ref / Fn::GetAtt / Fn::ImportValue are identifiers, not data,
    and are skipped (a logical id such as ``PlaceholderBucket`` is no finding).
    """
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        if direct_ref(value) is not None or "Ref" in value or "Fn::ImportValue" in value:
            return
        for k, v in value.items():
            yield from iter_strings(v, (*path, k))
    elif isinstance(value, list):
        for v in value:
            yield from iter_strings(v, path)


def is_literal(value: Any) -> bool:
    """True when ``value`` holds no reference at all (a value written in code)."""
    if isinstance(value, str):
        return "{{resolve:" not in value
    if isinstance(value, dict):
        if set(value) == {"Fn::Join"}:
            return all(is_literal(p) for p in value["Fn::Join"][1])
        return False
    if isinstance(value, list):
        return all(is_literal(v) for v in value)
    return True


# -- IAM / key policies -------------------------------------------------------


def as_list(value: Any) -> list[Any]:
    """CloudFormation's "a value or a list of them" as a list (``None`` -> ``[]``)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


@dataclass(frozen=True)
class Statement:
    """One policy statement, its values rendered (see :func:`render`) for matching."""

    raw: dict[str, Any]
    rendered_principals: dict[str, list[str]]
    """principal kind (``AWS``, ``Service``, ``*``) -> rendered principals"""
    actions: list[str]
    """lower-cased actions, possibly with wildcards (matched by :meth:`covers`)"""
    conditions: dict[str, dict[str, list[str]]]
    """operator -> {condition key (lower case) -> rendered values}"""

    @property
    def allows(self) -> bool:
        return self.raw.get("Effect") == "Allow"

    def principal_is_star(self) -> bool:
        aws = self.rendered_principals.get("AWS", [])
        return self.rendered_principals.get("*") == ["*"] or "*" in aws

    def covers(self, action: str) -> bool:
        """``action`` is granted by one of the statement's (wildcard) actions."""
        a = action.lower()
        return any(fnmatch.fnmatchcase(a, pat) for pat in self.actions)

    def condition_values(self, key: str) -> list[str]:
        key = key.lower()
        out: list[str] = []
        for keys in self.conditions.values():
            out.extend(keys.get(key, []))
        return out

    def has_condition_key(self, key: str) -> bool:
        key = key.lower()
        return any(key in keys for keys in self.conditions.values())


def statements(document: Any, parameters: dict[str, Any] | None = None) -> list[Statement]:
    """Statements of a policy document, principals and condition values rendered with ``parameters``."""
    if not isinstance(document, dict):
        return []
    return [
        Statement(
            raw=raw,
            rendered_principals=_rendered_principals(raw.get("Principal"), parameters),
            actions=[str(a).lower() for a in as_list(raw.get("Action"))],
            conditions=_rendered_conditions(raw.get("Condition"), parameters),
        )
        for raw in as_list(document.get("Statement"))
        if isinstance(raw, dict)
    ]


def _rendered_principals(principal: Any, parameters: dict[str, Any] | None) -> dict[str, list[str]]:
    if principal == "*":
        return {"*": ["*"]}
    if not isinstance(principal, dict):
        return {}
    return {kind: [render(v, parameters) for v in as_list(vals)] for kind, vals in principal.items()}


def _rendered_conditions(condition: Any, parameters: dict[str, Any] | None) -> dict[str, dict[str, list[str]]]:
    return {
        op: {k.lower(): [render(v, parameters) for v in as_list(vals)] for k, vals in body.items()}
        for op, body in (condition or {}).items()
        if isinstance(body, dict)
    }


# -- cloud assembly ---------------------------------------------------------


def _logical_ids_from_assembly(template_path: str, template: dict[str, Any]) -> dict[str, str]:
    """Map logical ids to construct paths using the assembly's stack metadata.

    The stack artifact records ``aws:cdk:logicalId`` per construct path, either
    inline in ``manifest.json`` or in its ``additionalMetadataFile``. Falls back
    to the ``aws:cdk:path`` resource metadata when present.
    """
    mapping = _logical_ids_from_manifest(template_path)
    for lid, res in (template.get("Resources") or {}).items():
        cdk_path = ((res.get("Metadata") or {}).get("aws:cdk:path")) if isinstance(res, dict) else None
        if isinstance(cdk_path, str):
            mapping.setdefault(lid, cdk_path)
    return mapping


def _logical_ids_from_manifest(template_path: str) -> dict[str, str]:
    mapping: dict[str, str] = {}
    outdir = os.path.dirname(template_path)
    manifest = _read_json(os.path.join(outdir, "manifest.json"))
    name = os.path.basename(template_path)
    for artifact in ((manifest or {}).get("artifacts") or {}).values():
        if (artifact.get("properties") or {}).get("templateFile") != name:
            continue
        for path, entries in (_artifact_metadata(outdir, artifact) or {}).items():
            for entry in entries or []:
                if entry.get("type") == "aws:cdk:logicalId" and isinstance(entry.get("data"), str):
                    mapping[entry["data"]] = path.lstrip("/")
    return mapping


def _artifact_metadata(outdir: str, artifact: dict[str, Any]) -> Any:
    """A stack artifact's metadata: inline, merged with its ``additionalMetadataFile`` when readable."""
    metadata = artifact.get("metadata")
    extra = artifact.get("additionalMetadataFile")
    extra_metadata = _read_json(os.path.join(outdir, extra)) if extra else None
    if extra_metadata is not None:
        metadata = {**(metadata or {}), **extra_metadata}
    return metadata


def _read_json(path: str) -> Any:
    """Parsed JSON of ``path``, ``None`` when it is missing or not JSON."""
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None
