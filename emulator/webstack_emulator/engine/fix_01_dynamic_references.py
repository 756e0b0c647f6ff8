"""Fix 01: dynamic references ``{{resolve:...}}``.

moto: property values such as ``{{resolve:ssm:/name}}`` or
``{{resolve:secretsmanager:id:SecretString:key}}`` stay literal text, so a
resource gets the reference instead of the value (CDK's cross-region
references and ``SecretValue`` rely on them).

AWS: CloudFormation replaces each dynamic reference with the SSM parameter's
or the secret's value when it creates or updates the resource
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references.html).

Fix: ``parsing.clean_json`` (which resolves every property value) replaces
``{{resolve:ssm|ssm-secure|secretsmanager:...}}`` in the strings it returns;
a missing SSM parameter fails the resource.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from moto.cloudformation import parsing

from ._guard import replace, require_pinned_moto

_DYNAMIC_REF = re.compile(r"\{\{resolve:(ssm|ssm-secure|secretsmanager):([^}]*)\}\}")


def _ssm_value(ref: str, account_id: str, region_name: str) -> str:
    from moto.ssm.models import ssm_backends

    name = ref.split(":", maxsplit=1)[0] if not ref.startswith("arn:") else ref
    param = ssm_backends[account_id][region_name].get_parameter(name)
    if param is None:
        raise ValueError(f"SSM parameter {name} referenced by a dynamic reference does not exist")
    return str(param.value)


def _secret_value(ref: str, account_id: str, region_name: str) -> str:
    from moto.secretsmanager.models import secretsmanager_backends

    parts = ref.split(":")
    if ref.startswith("arn:"):
        secret_id, rest = ":".join(parts[:7]), parts[7:]
    else:
        secret_id, rest = parts[0], parts[1:]
    json_key = rest[1] if len(rest) > 1 and rest[1] else None
    stage = rest[2] if len(rest) > 2 and rest[2] else None
    version = rest[3] if len(rest) > 3 and rest[3] else None
    backend: Any = secretsmanager_backends[account_id][region_name]
    secret: Any = backend.get_secret_value(secret_id, version, stage).get("SecretString")
    return str(json.loads(secret)[json_key]) if json_key else str(secret)


def resolve_dynamic_references(text: str, account_id: str, region_name: str) -> str:
    """``{{resolve:ssm:name[:version]}}`` and
    ``{{resolve:secretsmanager:id[:SecretString[:json-key[:stage[:version]]]]}}``."""

    def repl(m: re.Match[str]) -> str:
        service, ref = m.group(1), m.group(2)
        if service.startswith("ssm"):
            return _ssm_value(ref, account_id, region_name)
        return _secret_value(ref, account_id, region_name)

    return _DYNAMIC_REF.sub(repl, text)


def _resolving(original: Any) -> Any:
    @functools.wraps(original)
    def clean_json(resource_json: Any, resources_map: Any) -> Any:
        result = original(resource_json, resources_map)
        if isinstance(result, str) and "{{resolve:" in result and hasattr(resources_map, "_account_id"):
            return resolve_dynamic_references(result, resources_map._account_id, resources_map._region_name)
        return result

    return clean_json


def install() -> None:
    require_pinned_moto(__name__)
    replace(parsing, "clean_json", _resolving(parsing.clean_json))
