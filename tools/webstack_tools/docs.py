"""The configuration reference and JSON schema, both generated from the config models.

    python -m webstack_tools docs [--out docs]

Writes ``docs/config.schema.json`` (:func:`webstack.config.config_schema`, the
schema editors use for override files through ``"$schema"``) and
``docs/configuration.md``, rendered from the *same* schema: one table row per
field, nested fields as ``capacity.min``, with type, default, the value in
each environment and the field's description. There is no second table of
descriptions: a field without one fails the tests.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from webstack.config import ENVIRONMENTS, config_schema
from webstack_tools.project import project_root

REFERENCE = "configuration.md"
SCHEMA = "config.schema.json"


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


class _Schema:
    """Resolves ``$ref`` within one schema document."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.root = schema
        self.defs = schema.get("$defs", {})

    def resolve(self, node: Mapping[str, Any]) -> Mapping[str, Any]:
        ref = node.get("$ref")
        if isinstance(ref, str):
            return self.defs[ref.rsplit("/", 1)[-1]]
        return node

    def object_of(self, node: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """The object schema behind a property (directly, by $ref, or as the non-null member of anyOf)."""
        node = self.resolve(node)
        if node.get("type") == "object" and "properties" in node:
            return node
        for member in node.get("anyOf", ()):
            found = self.object_of(member) if member.get("type") != "null" else None
            if found is not None:
                return found
        return None

    def items_object(self, node: Mapping[str, Any]) -> Mapping[str, Any] | None:
        node = self.resolve(node)
        if node.get("type") == "array" and isinstance(node.get("items"), Mapping):
            return self.object_of(node["items"])
        return None

    def type_name(self, node: Mapping[str, Any]) -> str:
        node = self.resolve(node)
        if "anyOf" in node:
            names = [self.type_name(m) for m in node["anyOf"]]
            return " or ".join(dict.fromkeys(names))
        if "enum" in node or "const" in node:
            return "one of " + ", ".join(str(v) for v in node.get("enum", [node.get("const")]))
        kind = node.get("type")
        if kind == "array":
            items = node.get("items", {})
            inner = self.type_name(items) if isinstance(items, Mapping) else "value"
            return f"list of {inner}s" if " " not in inner else f"list of ({inner})"
        if kind == "object":
            return "object" if "properties" in node else "map of string to string"
        return {"integer": "integer", "number": "number", "string": "string", "boolean": "boolean", "null": "null"}.get(
            str(kind), str(kind)
        )


def value_text(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        if not value:
            return "[]"
        if all(isinstance(v, Mapping) for v in value):
            return "; ".join(", ".join(f"{k}={value_text(x)}" for k, x in v.items()) for v in value)
        return ", ".join(value_text(v) for v in value)
    if isinstance(value, Mapping):
        return "{}" if not value else ", ".join(f"{k}={value_text(v)}" for k, v in value.items())
    return str(value)


def _lookup(data: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        if part == "·":
            return "·"
        if not isinstance(data, Mapping) or part not in data:
            return None
        data = data[part]
    return data


def _rows(
    schema: _Schema, node: Mapping[str, Any], prefix: tuple[str, ...], envs: Sequence[Mapping[str, Any]]
) -> Iterator[tuple[tuple[str, ...], Row]]:
    required = set(node.get("required", ()))
    for name, prop in node["properties"].items():
        if name == "$schema":
            continue
        path = (*prefix, name)
        nested = schema.object_of(prop)
        if nested is not None and "anyOf" not in schema.resolve(prop) and "·" not in prefix:
            yield from _rows(schema, nested, path, envs)  # a merged section: rows for its fields
            continue
        resolved = schema.resolve(prop)
        default = (
            "required"
            if name in required or ("default" not in resolved and "default" not in prop)
            else value_text(prop.get("default", resolved.get("default")))
        )
        values = tuple(value_text(_lookup(env, path)) for env in envs)
        yield (
            path,
            Row(
                ".".join(path).replace(".·.", "[].").replace(".·", "[]"),
                schema.type_name(prop),
                default,
                values,
                str(prop.get("description") or resolved.get("description") or ""),
            ),
        )
        if nested is not None:  # an optional object: its fields too
            yield from _rows(schema, nested, path, envs)
        items = schema.items_object(prop)
        if items is not None:
            yield from _rows(schema, items, (*path, "·"), envs)


def sections() -> list[Section]:
    schema = config_schema()
    resolver = _Schema(schema)
    envs = [config.model_dump(mode="json") for config in ENVIRONMENTS.values()]
    grouped: dict[str, list[Row]] = {}
    docs: dict[str, str] = {}
    for path, row in _rows(resolver, schema, (), envs):
        top = path[0] if len(path) > 1 else ""
        grouped.setdefault(top, []).append(row)
        if top and top not in docs:
            docs[top] = str(schema["properties"][top].get("description") or "")
    out = [Section("General", "", tuple(grouped.pop("", [])))]
    out += [Section(f"`{top}`", docs.get(top, ""), tuple(rows)) for top, rows in grouped.items()]
    return out


def all_rows() -> list[Row]:
    return [row for section in sections() for row in section.rows]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render() -> str:
    envs = list(ENVIRONMENTS)
    out = [
        "<!-- Generated by `python -m webstack_tools docs` from the models in webstack/config/ "
        "(the same source as docs/config.schema.json). Do not edit: change the model and regenerate. -->",
        "",
        "# Configuration reference",
        "",
        "Every environment is one frozen, strictly validated `EnvironmentConfig` (`webstack/config/models.py`).",
        "Select one with `-c env=NAME` (`ENV=NAME make …`) and override any field below with a JSON",
        "file (`-c config=FILE`, `CONFIG=FILE make …`) that nests like the field names. Start the file with",
        '`"$schema": "docs/config.schema.json"` (a path relative to it) and editors complete and check it, e.g.',
        "",
        "```json",
        '{"$schema": "../docs/config.schema.json", "capacity": {"max": 8},',
        ' "alarms": {"emails": ["oncall@your-domain.example"]}}',
        "```",
        "",
        "(The address is a placeholder: webstack refuses reserved and stand-in domains; put a mailbox someone reads.)",
        "Objects merge into the environment's defaults; lists and values replace them. Invalid values stop synth",
        "before anything is written, with one line naming the field and the fix. Columns: the model's default",
        f"(`required` = no default), then the value in each environment ({', '.join(envs)}); `–` is null/unset,",
        "`·` means per list item.",
        "",
    ]
    for section in sections():
        out += [f"## {section.title}", ""]
        if section.doc:
            out += [section.doc, ""]
        out.append("| Field | Type | Default | " + " | ".join(envs) + " | Meaning |")
        out.append("|---|---|---|" + "---|" * len(envs) + "---|")
        for row in section.rows:
            cells = [f"`{row.path}`", row.type, row.default, *row.values, row.meaning]
            out.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        out.append("")
    return "\n".join(out)


def schema_text() -> str:
    return json.dumps(config_schema(), indent=2, sort_keys=False) + "\n"


def docs_dir() -> Path:
    return project_root() / "docs"


def reference_path() -> Path:
    """The committed reference, ``docs/configuration.md`` of the project."""
    return docs_dir() / REFERENCE


def schema_path() -> Path:
    return docs_dir() / SCHEMA


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m webstack_tools docs", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=None, help="directory for configuration.md and config.schema.json (default docs/)"
    )
    args = parser.parse_args(argv)
    out = args.out or docs_dir()
    out.mkdir(parents=True, exist_ok=True)
    for name, text in ((REFERENCE, render()), (SCHEMA, schema_text())):
        (out / name).write_text(text)
        print(f"wrote {out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
