"""Stack outputs: no secret exported (F6)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..template import TemplateView, direct_ref, getatt_attribute, iter_strings
from .base import Hit, Rule

_SECRET_TYPES = {
    "AWS::SecretsManager::Secret",
    "AWS::SecretsManager::SecretTargetAttachment",
    "AWS::SecretsManager::RotationSchedule",
}
_SECRET_NAME = re.compile(r"secret|passw(or)?d|credential|api[-_]?key|private[-_]?key|token", re.I)
_DYNAMIC_SECRET = ("{{resolve:secretsmanager:", "{{resolve:ssm-secure:")


def _secret_refs(view: TemplateView, value: Any) -> bool:
    if isinstance(value, dict):
        lid = direct_ref(value)
        if lid is not None:
            attribute = getatt_attribute(value) or ""
            return view.type_of(lid) in _SECRET_TYPES or "secret" in attribute.lower()
        return any(_secret_refs(view, v) for v in value.values()) or any(
            view.type_of(lid) in _SECRET_TYPES for lid in view.refs(value)
        )
    if isinstance(value, list):
        return any(_secret_refs(view, v) for v in value)
    return False


def _named_secret(view: TemplateView, name: str, output: dict[str, Any]) -> bool:
    export = view.render((output.get("Export") or {}).get("Name", ""))
    texts = (name, output.get("Description", "") or "", export)
    return any(_SECRET_NAME.search(text) for text in texts)


def check_outputs_without_secrets(view: TemplateView) -> Iterator[Hit]:
    for name, output in view.outputs.items():
        # CDK's own cross-stack references ("ExportsOutputRef...") exist because
        # another stack consumes the value: that is a need, not a leak.
        if name.startswith("ExportsOutput"):
            continue
        value = output.get("Value")
        if _secret_refs(view, value):
            yield Hit(name, "SecretRef", "Value")
        if any(marker in text for _, text in iter_strings(value) for marker in _DYNAMIC_SECRET):
            yield Hit(name, "DynamicReference", "Value")
        if _named_secret(view, name, output):
            yield Hit(name, "Name", "Description")


OUTPUTS_WITHOUT_SECRETS = Rule(
    name="OutputsWithoutSecrets",
    pitfall="F6",
    info="A stack output exposes a secret: it references a Secrets Manager secret ([SecretRef]), resolves a secure "
    "dynamic reference ([DynamicReference]), or its name/description/export says it is a secret ([Name]).",
    explanation="Remove the output; grant the consumer secret.grant_read() and pass the secret object instead.",
    link="https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/outputs-section-structure.html",
    check=check_outputs_without_secrets,
)
