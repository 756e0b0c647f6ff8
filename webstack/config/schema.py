"""The JSON schema of override files (docs/config.schema.json), generated from the models.

An override file names only what it changes, so the sections that merge into
an environment's defaults have no required fields; objects that are given
whole (a domain, a schedule, a rule group) keep theirs. ``$schema`` is
allowed at the top so editors find this schema.
"""

from __future__ import annotations

from typing import Any

from webstack.config.models import (
    Alarms,
    Capacity,
    CdnTuning,
    Deploy,
    EnvironmentConfig,
    LoadBalancing,
    OriginProtection,
    Scaling,
    Waf,
)

SCHEMA_ID = "https://github.com/webstack/webstack/docs/config.schema.json"
# Sections merged field by field into the defaults (see loading._merge).
_MERGED = {
    m.__name__
    for m in (EnvironmentConfig, Capacity, Scaling, LoadBalancing, CdnTuning, Alarms, Waf, OriginProtection, Deploy)
}


def _rename_fix(node: Any) -> None:
    """Our per-field fix hint, as an extension keyword (``x-fix``) validators ignore."""
    if isinstance(node, dict):
        if "fix" in node and isinstance(node["fix"], str):
            node["x-fix"] = node.pop("fix")
        for value in node.values():
            _rename_fix(value)
    elif isinstance(node, list):
        for value in node:
            _rename_fix(value)


def config_schema() -> dict[str, Any]:
    schema = EnvironmentConfig.model_json_schema()
    schema["properties"].pop("name")
    schema.pop("required", None)
    for name, definition in schema.get("$defs", {}).items():
        if name in _MERGED:
            definition.pop("required", None)
    schema["properties"] = {
        "$schema": {"type": "string", "description": "Path or URL of this schema (for editors)."},
        **schema["properties"],
    }
    _rename_fix(schema)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "webstack configuration overrides",
        "description": (
            "Overrides for one environment (dev, staging, prod), passed with -c config=FILE or CONFIG=FILE make ...; "
            "objects merge into the environment's defaults, lists and values replace them."
        ),
        **{k: v for k, v in schema.items() if k != "title"},
    }
