"""Configuration reference generated from the config model.

    python -m webstack_tools docs [--out docs/configuration.md]

Reads the dataclasses of :mod:`webstack.config` (``EnvironmentConfig`` and
the dataclasses it nests) and the ``ENVIRONMENTS`` defaults, and writes one
table row per field, nested fields as ``capacity.min``: type, the model's
default, the value in each environment, and what it means.

A field's meaning comes from, in order: ``field(metadata={"doc": ...})``; the
comment lines right above the field in ``webstack/config.py``; the
``DESCRIPTIONS`` table below. A field with none of them fails the unit test,
so the reference never silently lags behind the model.
"""

from __future__ import annotations

import argparse
import ast
import collections.abc
import dataclasses
import functools
import inspect
import sys
import textwrap
import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from webstack.config import ENVIRONMENTS, EnvironmentConfig
from webstack_tools.project import project_root

# Fields that are not configuration: the environment's name is the key you select with.
SKIP = frozenset({"name"})

# Meanings of fields that carry no metadata["doc"] and no comment in config.py.
# (Prefer field(metadata={"doc": ...}) in config.py: this table is the fallback.)
DESCRIPTIONS: dict[str, str] = {
    "region": "Application region (the web stack). Must be a region webstack knows the zones of.",
    "account": "12-digit AWS account id. Optional: without it, the CLI credentials decide the account.",
    "availability_zones": "Explicit zones of the region (at least two; an ALB needs two). Synth never looks zones up.",
    "vpc_cidr": "VPC address block: a private (RFC 1918) /16 to /20.",
    "nat_gateways": (
        "NAT gateways for the private subnets' egress: 1 to the number of zones (one per zone survives a zone outage)."
    ),
    "instance_type": "EC2 instance type of the web instances; Graviton types (such as t4g, m7g) select the arm64 AMI.",
    "capacity.min": "Auto Scaling group minimum size.",
    "capacity.desired": "Auto Scaling group desired size at deploy (min <= desired <= max).",
    "capacity.max": "Auto Scaling group maximum size.",
    "scaling.cpu_target_percent": "Target tracking on the group's average CPU (10-90 %).",
    "scaling.requests_per_target": "Target tracking on ALB requests per target per minute.",
    "scaling.instance_warmup_seconds": "Default instance warm-up before a new instance's metrics count (0-3600 s).",
    "alarms.emails": "E-mail addresses subscribed to the alert topics (validated; placeholder addresses are refused).",
    "alarms.cpu_high_percent": "Alarm threshold on the group's average CPU (%).",
    "alarms.alb_5xx_count": "Alarm threshold on 5xx responses the ALB itself generates, per period.",
    "alarms.cloudfront_4xx_rate_percent": "Alarm threshold on CloudFront's 4xx error rate (%), evaluated in us-east-1.",
    "alarms.evaluation_periods": "Periods an alarm's condition must hold before it fires.",
    "alarms.period_seconds": "Alarm period: 10, 30 or a multiple of 60 seconds.",
    "log_retention_days": (
        "CloudWatch Logs retention of every log group (only the values CloudWatch accepts, e.g. 7, 30, 365)."
    ),
    "retain_data": (
        "true: keys, buckets, secrets and log groups are RETAINed on stack deletion; false: destroyed, "
        "buckets emptied automatically."
    ),
    "deletion_protection": "Stack termination protection and ALB deletion protection (requires retain_data: true).",
    "price_class": "CloudFront price class: PriceClass_100, PriceClass_200 or PriceClass_All.",
    "noncurrent_version_expiration_days": "Days the content bucket keeps noncurrent object versions.",
    "log_bucket_expiration_days": "Days log buckets keep objects.",
    "tags": "Extra tags on every resource (Project and Environment are always set).",
    "domain": "Custom domain for the site; null serves the default *.cloudfront.net name and certificate.",
    "domain.hosted_zone_id": (
        "Route 53 hosted zone that validates the certificate and holds the alias records (required when domain is set)."
    ),
    "domain.zone_name": "The hosted zone's domain name (required when domain is set).",
    "domain.site_names": "Names CloudFront serves, inside the zone (required when domain is set).",
    "waf.enabled": "Attach an AWS WAF web ACL (CLOUDFRONT scope, deployed in us-east-1) to the distribution.",
    "waf.managed_rule_groups": "AWS managed rule groups in the web ACL, in order.",
    "waf.managed_rule_groups[].name": "Rule group name, e.g. AWSManagedRulesCommonRuleSet (required).",
    "waf.managed_rule_groups[].vendor": "Rule group vendor.",
    "waf.managed_rule_groups[].count_rules": (
        "Rules of the group set to count instead of block (for tuning false positives)."
    ),
    "waf.allow_ips": "CIDRs always allowed past the web ACL's rules.",
    "waf.block_ips": "CIDRs always blocked.",
    "waf.logging": "Send web ACL logs to an encrypted CloudWatch log group.",
    "origin_protection.enabled": (
        "Only CloudFront may reach the ALB: CloudFront's origin-facing prefix list on the ALB security group "
        "plus a secret header."
    ),
    "origin_protection.prefix_list_id": (
        "Override of the region's CloudFront origin-facing managed prefix list id; null uses webstack's table."
    ),
    "origin_protection.header_name": "Name of the secret header CloudFront adds and the ALB requires.",
    "edge_region": (
        "Region of the edge stack and the CloudFront alarms. CloudFront accepts web ACLs and certificates "
        "only from us-east-1."
    ),
}


@dataclass(frozen=True)
class Row:
    path: str
    type: str
    default: str
    values: tuple[str, ...]  # one per environment, in ENVIRONMENTS order
    meaning: str


@dataclass(frozen=True)
class Section:
    title: str
    doc: str
    rows: tuple[Row, ...]


# --------------------------------------------------------------------------
# Reading the model
# --------------------------------------------------------------------------


@functools.cache
def _comments_above_fields(cls: type) -> dict[str, str]:
    """``# comment`` lines directly above a field in the class body, by field name."""
    try:
        source = textwrap.dedent(inspect.getsource(cls))
    except (OSError, TypeError):
        return {}
    lines = source.splitlines()
    found: dict[str, str] = {}
    for node in ast.parse(source).body[0].body:  # type: ignore[attr-defined]
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            comment: list[str] = []
            i = node.lineno - 2
            while i >= 0 and lines[i].strip().startswith("#"):
                comment.insert(0, lines[i].strip().lstrip("#").strip())
                i -= 1
            if comment:
                found[node.target.id] = " ".join(comment)
    return found


def _unwrap_optional(tp: Any) -> tuple[Any, bool]:
    args = typing.get_args(tp)
    if typing.get_origin(tp) in (typing.Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return (rest[0] if len(rest) == 1 else tp), True
    return tp, False


def _dataclass_type(tp: Any) -> type | None:
    """``tp`` if it is a dataclass (the class, not an instance), else None."""
    return tp if isinstance(tp, type) and dataclasses.is_dataclass(tp) else None


def _item_dataclass(tp: Any) -> type | None:
    """The dataclass of a ``tuple[SomeDataclass, ...]`` field, if it is one."""
    args = typing.get_args(tp)
    if typing.get_origin(tp) in (tuple, list) and args:
        return _dataclass_type(args[0])
    return None


def type_name(tp: Any) -> str:
    inner, optional = _unwrap_optional(tp)
    suffix = " or null" if optional else ""
    if inner is bool:
        return "boolean" + suffix
    if inner is int:
        return "integer" + suffix
    if inner is float:
        return "number" + suffix
    if inner is str:
        return "string" + suffix
    if dataclasses.is_dataclass(inner):
        return "object" + suffix
    origin, args = typing.get_origin(inner), typing.get_args(inner)
    if origin in (tuple, list):
        item = args[0] if args else Any
        return f"list of {'objects' if dataclasses.is_dataclass(item) else type_name(item) + 's'}" + suffix
    if origin in (dict, collections.abc.Mapping) or inner in (dict, collections.abc.Mapping):
        return "object (string → string)" + suffix
    return getattr(inner, "__name__", str(inner)) + suffix


def value_text(value: Any) -> str:
    """A value as a user would write it in an overrides file, briefly."""
    if value is None:
        return "–"
    if value is dataclasses.MISSING:
        return "required"
    if isinstance(value, bool):
        return "true" if value else "false"
    if dataclasses.is_dataclass(value):
        named = getattr(value, "name", None)
        return str(named) if named is not None else "set"
    if isinstance(value, (tuple, list)):
        return ", ".join(value_text(v) for v in value) if value else "[]"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={v}" for k, v in sorted(value.items())) if value else "{}"
    return str(value)


def _env_value(value: Any, default: Any) -> str:
    """An environment's value; a long one that equals the model default says so instead."""
    text = value_text(value)
    return "(default)" if len(text) > 40 and value == default else text


def _default_of(f: dataclasses.Field) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return dataclasses.MISSING


def meaning(cls: type, f: dataclasses.Field, path: str) -> str:
    doc = f.metadata.get("doc") if f.metadata else None
    return doc or _comments_above_fields(cls).get(f.name) or DESCRIPTIONS.get(path, "")


def _rows(cls: type, instances: list[Any], prefix: str) -> Iterator[tuple[str, type, Row]]:
    """(section key, section dataclass, row) for every leaf field of ``cls``, in model order."""
    hints = typing.get_type_hints(cls, vars(sys.modules[cls.__module__]))
    section = prefix.rstrip(".")
    for f in dataclasses.fields(cls):
        if not prefix and f.name in SKIP:
            continue
        path = f"{prefix}{f.name}"
        tp = hints[f.name]
        unwrapped, optional = _unwrap_optional(tp)
        nested = _dataclass_type(unwrapped)
        values = [getattr(i, f.name) if i is not None else None for i in instances]
        if nested is not None and not optional:
            yield from _rows(nested, values, f"{path}.")
            continue
        default = _default_of(f)
        row = Row(
            path,
            type_name(tp),
            value_text(default),
            tuple(_env_value(v, default) for v in values),
            meaning(cls, f, path),
        )
        if nested is not None:  # optional object: its own row opens its section
            yield path, nested, row
            yield from _rows(nested, values, f"{path}.")
            continue
        yield section, cls, row
        item = _item_dataclass(unwrapped)
        if item is not None:  # list of objects: the fields of one item
            item_hints = typing.get_type_hints(item, vars(sys.modules[item.__module__]))
            for sub in dataclasses.fields(item):
                sub_path = f"{path}[].{sub.name}"
                yield (
                    section,
                    cls,
                    Row(
                        sub_path,
                        type_name(item_hints[sub.name]),
                        value_text(_default_of(sub)),
                        tuple("·" for _ in instances),
                        meaning(item, sub, sub_path),
                    ),
                )


def _class_doc(cls: type) -> str:
    doc = inspect.getdoc(cls) or ""
    return "" if cls is EnvironmentConfig or doc.startswith(cls.__name__ + "(") else doc


def sections(environments: Mapping[str, EnvironmentConfig] = ENVIRONMENTS) -> list[Section]:
    """Rows grouped by the dataclass they belong to (top-level fields first), in model order."""
    grouped: dict[str, list[Row]] = {}
    docs: dict[str, str] = {}
    for key, cls, row in _rows(EnvironmentConfig, list(environments.values()), ""):
        grouped.setdefault(key, []).append(row)
        docs.setdefault(key, _class_doc(cls))
    return [Section(f"`{key}`" if key else "General", docs[key], tuple(rows)) for key, rows in grouped.items()]


def all_rows(environments: Mapping[str, EnvironmentConfig] = ENVIRONMENTS) -> list[Row]:
    return [row for s in sections(environments) for row in s.rows]


# --------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(environments: Mapping[str, EnvironmentConfig] = ENVIRONMENTS) -> str:
    envs = list(environments)
    out = [
        "<!-- Generated by `python -m webstack_tools.docs` from webstack/config.py. "
        "Do not edit: change the model and regenerate. -->",
        "",
        "# Configuration reference",
        "",
        "Every environment is one frozen, validated `EnvironmentConfig` (`webstack/config.py`).",
        "Select one with `-c env=NAME` (`ENV=NAME make …`) and override any field below with a JSON",
        "file (`-c config=FILE`, `CONFIG=FILE make …`) that nests like the field names, e.g.",
        "",
        "```json",
        '{"capacity": {"max": 8}, "alarms": {"emails": ["oncall@yourcompany.com"]}}',
        "```",
        "",
        "Invalid values stop synth before anything is written, with one line naming the field and the fix.",
        "Columns: the model's default (`required` = no default), "
        f"then the value in each environment ({', '.join(envs)});",
        "`–` is null/unset, `·` means per list item.",
        "",
    ]
    for section in sections(environments):
        out.append(f"## {section.title}")
        out.append("")
        if section.doc:
            out.append(section.doc)
            out.append("")
        out.append("| Field | Type | Default | " + " | ".join(envs) + " | Meaning |")
        out.append("|---|---|---|" + "---|" * len(envs) + "---|")
        for row in section.rows:
            cells = [f"`{row.path}`", row.type, row.default, *row.values, row.meaning]
            out.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        out.append("")
    return "\n".join(out)


def reference_path() -> Path:
    """The committed reference, ``docs/configuration.md`` of the project."""
    return project_root() / "docs" / "configuration.md"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m webstack_tools docs", description="Write docs/configuration.md from the config model."
    )
    parser.add_argument("--out", default=None, type=Path, help="where to write (default docs/configuration.md)")
    args = parser.parse_args(argv)
    root = project_root()
    out: Path = args.out or reference_path()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render())
    print(f"wrote {out.relative_to(root) if out.is_relative_to(root) else out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
