"""Overrides in, one validated model out; any problem is one line that names the field and the fix.

    load_config("prod", {"capacity": {"max": 20}})   # defaults + overrides, validated once
    parse_overrides(path_or_json_text)               # an override file, strictly parsed

Override files are JSON objects: duplicate keys, byte-order marks, non-UTF-8
bytes, directories, empty files, non-objects and absurd nesting are refused
with a message that says how to fix the file. Objects merge field by field
into the environment's defaults; lists and scalars replace them.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from webstack.config.checks import Problem
from webstack.config.environments import ENVIRONMENTS
from webstack.config.models import EnvironmentConfig, FieldProblem, folder_of

# Deeper than any field of the schema needs (4 levels); refuse before recursion does.
MAX_NESTING = 12
# A key editors use to find the schema (docs/config.schema.json); not configuration.
SCHEMA_KEY = "$schema"


class ConfigError(ValueError):
    """Invalid configuration: names the field, the problem and the fix."""

    def __init__(self, field_path: str, problem: str, fix: str) -> None:
        self.field = field_path
        self.problem = problem
        self.fix = fix
        super().__init__(f"{field_path}: {problem}. Fix: {fix}")


def load_config(name: str, overrides: Mapping[str, Any] | None = None) -> EnvironmentConfig:
    """Return the validated configuration of environment ``name`` with ``overrides`` applied."""
    if not isinstance(name, str) or name not in ENVIRONMENTS:
        raise ConfigError(
            "env",
            f"unknown environment {shown(name)}",
            f"use one of {', '.join(ENVIRONMENTS)} (cdk synth -c env=NAME / ENV=NAME make ...)",
        )
    config = _with_overrides(ENVIRONMENTS[name], overrides)
    _require_pager(config)
    _require_private_or_encrypted_origin(config)
    _require_folders(config)
    return config


def _with_overrides(base: EnvironmentConfig, overrides: Mapping[str, Any] | None) -> EnvironmentConfig:
    if not overrides:
        return base
    if not isinstance(overrides, Mapping):
        raise ConfigError("config", "must be a JSON object", "wrap the fields in { }")
    changes = {k: v for k, v in overrides.items() if k != SCHEMA_KEY}
    if "name" in changes:
        raise ConfigError("name", "cannot be overridden", "choose the environment with -c env=NAME (ENV=NAME make ...)")
    _check_depth(changes, "config", 0)
    merged = _merge(base.model_dump(mode="json"), changes)
    try:
        return EnvironmentConfig.model_validate_json(json.dumps(merged))
    except ValidationError as err:
        raise describe(err) from None


def _require_pager(config: EnvironmentConfig) -> None:
    """A protected environment (deletion protection on) must page someone: its defaults
    leave the on-call to the team, so it is complete only with their overrides. Alarms
    that reach no one are the failure D15 was about, one step later."""
    if config.deletion_protection and not config.alarms.pages_someone:
        raise ConfigError(
            "alarms.emails",
            f"is empty and so is alarms.subscribers, but {config.name} is protected (deletion_protection): "
            "its alarms would page no one",
            "add the on-call address to alarms.emails, or a paging webhook or queue to alarms.subscribers, "
            "in your override file (CONFIG=file)",
        )


def _require_private_or_encrypted_origin(config: EnvironmentConfig) -> None:
    """A protected environment never sends origin traffic over the internet in cleartext (pitfalls D29):
    without a VPC origin and without a certificate on the ALB, CloudFront talks HTTP to a public ALB, and
    every /api/* request, its viewer headers and the origin-verify secret cross the internet readable."""
    has_certificate = config.domain is not None and config.domain.origin_name is not None
    if config.deletion_protection and not config.origin.private and not has_certificate:
        raise ConfigError(
            "origin.private",
            f"is false and the ALB has no certificate (domain.origin_name), but {config.name} is protected "
            "(deletion_protection): CloudFront would reach a public ALB over the internet in cleartext",
            "set origin.private: true (internal ALB behind a CloudFront VPC origin), or domain.origin_name "
            "for HTTPS to the public ALB, in your override file (CONFIG=file)",
        )


# (field, a file the folder must hold, what that file is)
_FOLDER_CONTENTS = (
    ("site.path", "index.html", "the start page"),
    ("app.path", "webstack_app/__main__.py", "the entry point python3 -m webstack_app runs"),
)


def _require_folders(config: EnvironmentConfig) -> None:
    """The site and application folders exist and hold what the stack ships from them.

    Checked here, once, rather than in the models: the defaults are built at
    import, when no folder needs to exist yet."""
    for field, required, what in _FOLDER_CONTENTS:
        value = config.site.path if field == "site.path" else config.app.path
        folder = folder_of(value)
        where = shown(str(folder), 80)
        fix = f"point {field} at a folder holding {required}, relative to the project root or absolute"
        if not folder.exists():
            raise ConfigError(field, f"folder {shown(value)} does not exist (looked at {where})", fix)
        if not folder.is_dir():
            raise ConfigError(field, f"{shown(value)} is a file, not a folder", fix)
        if not (folder / required).is_file():
            raise ConfigError(field, f"folder {shown(value)} has no {required} ({what})", fix)


def parse_overrides(source: str | Path) -> dict[str, Any]:
    """An override file (a path) or inline JSON text, parsed strictly into a dict."""
    text = str(source)
    if text.lstrip().startswith("{"):
        return _parse_json(text, "inline JSON")
    return _parse_json(_read_file(Path(text)), text)


def _read_file(path: Path) -> str:
    where = shown(str(path))
    if path.is_dir():
        raise ConfigError("config", f"{where} is a directory", "pass the path of a JSON file")
    if not path.is_file():
        raise ConfigError("config", f"file {where} does not exist", "pass -c config=PATH to a JSON file")
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        raise ConfigError(
            "config", f"{where} starts with a UTF-8 byte-order mark", "save the file as UTF-8 without BOM"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ConfigError(
            "config",
            f"{where} is not UTF-8 (byte {data[err.start]:#04x} at offset {err.start})",
            "save the file as UTF-8",
        ) from None
    if not text.strip():
        raise ConfigError("config", f"{where} is empty", 'write a JSON object, e.g. {"capacity": {"max": 4}}')
    return text


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise ConfigError(
                "config", f"key {shown(key)} appears twice in one object", "keep one of them (JSON keeps only the last)"
            )
        seen[key] = value
    return seen


def _reject_constant(name: str) -> Any:
    raise ConfigError("config", f"{name} is not a JSON number", "write a finite number")


def _parse_json(text: str, where: str) -> dict[str, Any]:
    try:
        data = json.loads(text, object_pairs_hook=_reject_duplicates, parse_constant=_reject_constant)
    except json.JSONDecodeError as err:
        raise ConfigError(
            "config",
            f"{shown(where)} is not valid JSON ({err.msg} at line {err.lineno} column {err.colno})",
            "correct the JSON",
        ) from None
    except RecursionError:
        raise ConfigError(
            "config", f"{shown(where)} is nested too deeply", "use the shape of docs/config.schema.json"
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(
            "config", f"{shown(where)} is a JSON {type(data).__name__}, not an object", "wrap the fields in { }"
        )
    return data


def _check_depth(value: Any, path: str, depth: int) -> None:
    if depth > MAX_NESTING:
        raise ConfigError(path, "is nested too deeply", "use the shape of docs/config.schema.json")
    children = value.items() if isinstance(value, Mapping) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        _check_depth(child, f"{path}.{key}", depth + 1)


def _merge(base: Any, override: Any) -> Any:
    if isinstance(base, dict) and isinstance(override, Mapping):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = _merge(base[key], value) if key in base else value
        return merged
    return override


# --------------------------------------------------------------------------
# ValidationError -> one line
# --------------------------------------------------------------------------


def shown(value: Any, limit: int = 40) -> str:
    """A value for a message: escaped (no newline or terminal code survives) and truncated."""
    text = ascii(value) if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=True)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if part == "[key]":  # pydantic's marker for a mapping key (tags)
            out += " (key)"
        elif isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + _plain_key(str(part))
    return out or "config"


def _plain_key(key: str) -> str:
    # Field names and tag keys print as they are; anything else escaped.
    return key if re.fullmatch(r"[\w .:/=+@-]{1,128}", key) else shown(key)


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model whose fields the object at ``loc`` has (list indexes pass through)."""
    model: type[BaseModel] | None = EnvironmentConfig
    for part in loc:
        if isinstance(part, int):
            continue
        info = model.model_fields.get(part) if model is not None else None
        if info is None:
            return None
        model = _inner_model(info.annotation)
    return model


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    """The model inside ``X``, ``X | None`` or ``tuple[X, ...]``."""
    stack = [annotation]
    while stack:
        candidate = stack.pop()
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
        stack += list(getattr(candidate, "__args__", ()))
    return None


def _fix_for(loc: tuple[int | str, ...]) -> str | None:
    names = [i for i, part in enumerate(loc) if isinstance(part, str)]
    if not names:
        return None
    last = names[-1]
    holder = _model_at(loc[:last])
    info = holder.model_fields.get(str(loc[last])) if holder is not None else None
    extra = info.json_schema_extra if info is not None else None
    fix = extra.get("fix") if isinstance(extra, dict) else None
    return str(fix) if fix else None


_GENERIC: dict[str, tuple[str, str]] = {
    "int_type": ("must be a whole number", "write a whole number, without quotes"),
    "float_type": ("must be a number", "write a number without quotes"),
    "bool_type": ("must be true or false", "write true or false without quotes"),
    "string_type": ("must be a string", "write it in double quotes"),
    "tuple_type": ("must be a list", 'write it as a JSON list, e.g. ["value"]'),
    "model_type": ("must be an object", "write it as a JSON object of fields"),
    "model_attributes_type": ("must be an object", "write it as a JSON object of fields"),
    "dict_type": ("must be an object", 'write it as {"Key": "Value"}'),
    "literal_error": ("is not one of the allowed values", "use one of the values in docs/configuration.md"),
    "string_pattern_mismatch": ("has the wrong format", "see docs/configuration.md for the expected format"),
    "too_short": ("has too few items", "see docs/configuration.md for the limits"),
    "too_long": ("has too many items or characters", "see docs/configuration.md for the limits"),
    "string_too_long": ("is too long", "see docs/configuration.md for the limits"),
    "string_too_short": ("is too short", "see docs/configuration.md for the limits"),
    "greater_than_equal": ("is out of range", "see docs/configuration.md for the limits"),
    "less_than_equal": ("is out of range", "see docs/configuration.md for the limits"),
    "greater_than": ("is out of range", "see docs/configuration.md for the limits"),
}


def _unknown_field(loc: tuple[int | str, ...]) -> ConfigError:
    model = _model_at(loc[:-1])
    names = [n for n in (model.model_fields if model is not None else {}) if n != "name"]
    key = str(loc[-1])
    close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
    listed = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
    hint = f"did you mean `{close[0]}`?" if close else f"use one of {listed}"
    return ConfigError(_path(loc), "unknown field", f"remove it, or {hint}")


def describe(error: ValidationError) -> ConfigError:
    """The first problem of a ValidationError as one ConfigError line."""
    errors = error.errors()
    # A misspelt field also shows as a missing one: name the misspelling.
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = tuple(first["loc"])
    kind = first["type"]
    cause = first.get("ctx", {}).get("error")
    if isinstance(cause, FieldProblem):
        return ConfigError(_path((*loc, *_split(cause.field))), cause.problem, cause.fix)
    if isinstance(cause, Problem):
        return ConfigError(_path(loc), cause.problem, cause.fix)
    if kind == "extra_forbidden":
        return _unknown_field(loc)
    if kind == "missing":
        return ConfigError(_path(loc), "is required", f"add {_path(loc[-1:])!r} to {_path(loc[:-1])}")
    problem, fix = _GENERIC.get(kind, ("is invalid", "see docs/configuration.md"))
    detail = f"{problem}, got {shown(first.get('input'))}"
    if kind == "literal_error":
        fix = f"use one of {first.get('ctx', {}).get('expected', '')}"
    elif not kind.endswith("_type"):
        # A value of the right type but out of bounds: the field's own fix says the bounds.
        fix = _fix_for(loc) or fix
    return ConfigError(_path(loc), detail, fix)


def _split(relative: str) -> tuple[int | str, ...]:
    """``"scaling.extra_instance_types[0]"`` -> ("scaling", "extra_instance_types", 0)."""
    parts: list[int | str] = []
    for piece in relative.split("."):
        name, *indexes = piece.split("[")
        parts.append(name)
        parts += [int(i.rstrip("]")) for i in indexes]
    return tuple(parts)
